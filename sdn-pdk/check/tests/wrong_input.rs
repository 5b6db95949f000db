//! What the checker answers for files that are not the release `.wasm` the
//! hosts load: the build to make instead, never a parse error.

use std::path::PathBuf;

use sdn_pdk_check::{Options, Severity, check_bytes, check_file};

/// The one error of a report, with every finding in the panic message.
fn only_error(bytes: &[u8]) -> String {
    let report = check_bytes("input", bytes, &Options::default());
    let errors: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(errors.len(), 1, "{report}");
    assert!(!report.passed());
    errors[0].to_owned()
}

const BUILD: &str = "cargo build --release --target wasm32-wasip1";

#[test]
fn an_rlib_is_named_and_the_cdylib_build_given() {
    let mut rlib = b"!<arch>\n".to_vec();
    rlib.extend_from_slice(b"lib.rmeta/      0           0     0     644     8         `\n");
    let error = only_error(&rlib);
    assert!(error.starts_with("is an ar archive (an .rlib"), "{error}");
    assert!(error.contains(BUILD) && error.contains("cdylib"), "{error}");
}

#[test]
fn a_native_shared_library_is_named() {
    // The first bytes of an x86-64 ELF shared object.
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x3e\0";
    let error = only_error(elf);
    assert!(error.starts_with("is a native ELF binary"), "{error}");
    assert!(error.contains(BUILD), "{error}");
    let dylib = [0xcf, 0xfa, 0xed, 0xfe, 0x07, 0, 0, 0x01];
    assert!(only_error(&dylib).starts_with("is a native Mach-O binary"));
    assert!(only_error(b"MZ\x90\0\x03\0").starts_with("is a native Windows PE binary"));
}

#[test]
fn a_debug_build_is_named_besides_its_other_findings() {
    // A module with DWARF, as `cargo build --target wasm32-wasip1` without
    // `--release` leaves it.
    let wasm = wat::parse_str(
        r#"(module
             (@custom ".debug_info" "\01\02")
             (@custom ".debug_line" "\03")
             (memory (export "memory") 1))"#,
    )
    .unwrap();
    let report = check_bytes("plugin.wasm", &wasm, &Options::default());
    let debug = report
        .findings
        .iter()
        .find(|f| f.message.starts_with("is a debug build"))
        .unwrap_or_else(|| panic!("no debug-build finding:\n{report}"));
    assert_eq!(debug.severity, Severity::Error);
    assert!(
        debug.message.contains(".debug_info and 1 more"),
        "{}",
        debug.message
    );
    assert!(debug.message.contains(BUILD), "{}", debug.message);
}

#[test]
fn a_stripped_release_module_has_no_debug_finding() {
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    let report = check_bytes("plugin.wasm", &wasm, &Options::default());
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.message.contains("debug build")),
        "{report}"
    );
}

#[test]
fn the_budget_and_where_it_is_set_are_in_the_error() {
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    let options = Options {
        budget: Some(10),
        budget_origin: Some("--budget".to_owned()),
    };
    let report = check_bytes("plugin.wasm", &wasm, &options);
    let over = format!(
        "is {} bytes, {} over its budget of 10 (--budget)",
        wasm.len(),
        wasm.len() - 10
    );
    assert!(
        report.findings.iter().any(|f| f.message == over),
        "{report}"
    );
    assert_eq!(report.budget, Some(10));
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let path = PathBuf::from("/nonexistent/plugin.wasm");
    let error = check_file(&path, &Options::default()).unwrap_err();
    assert!(
        error.to_string().contains("/nonexistent/plugin.wasm"),
        "{error}"
    );
}
