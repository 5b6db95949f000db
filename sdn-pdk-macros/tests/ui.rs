//! Compile-time behaviour of `#[sdn_plugin]`: misuse is an error spanned on
//! the user's code, correct use compiles (also under `forbid(unsafe_code)`).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
