//! The `host-harness check` command: the conformance rules run from
//! anywhere, with a budget of the author's own.

use std::process::{Command, Output};

use crate::support::example_path;

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_conforming_plugin_and_module_pass() {
    let echo = example_path("echo");
    let module = example_path("module-echo");
    let out = check(&[echo.to_str().unwrap(), module.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("echo.wasm: "), "{stdout}");
    assert!(stdout.contains("bytes (no budget): ok"), "{stdout}");
    assert!(stdout.contains("module-echo.wasm (module): "), "{stdout}");
}

#[test]
fn over_its_budget_a_plugin_fails_naming_the_flag() {
    let echo = example_path("echo");
    let size = std::fs::metadata(&echo).unwrap().len();
    let at = size.to_string();
    let out = check(&[echo.to_str().unwrap(), "--budget", &at]);
    assert!(out.status.success(), "{}", text(&out.stdout));

    let under = (size - 1).to_string();
    let out = check(&[echo.to_str().unwrap(), "--budget", &under]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("over its budget of") && stdout.contains("(--budget)"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("check failed for echo.wasm"));
}

#[test]
fn a_file_that_is_not_a_release_wasm_says_what_to_build() {
    let dir = std::env::temp_dir().join(format!("host-harness-cli-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rlib = dir.join("libmy_plugin.rlib");
    std::fs::write(
        &rlib,
        b"!<arch>\nlib.rmeta/      0           0     0     644     8         `\n",
    )
    .unwrap();
    let out = check(&[rlib.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("is an ar archive"), "{stdout}");
    assert!(
        stdout.contains("cargo build --release --target wasm32-wasip1"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_are_one_line_errors() {
    for (args, expected) in [
        (&[][..], "no file given"),
        (
            &["x.wasm", "--budget"][..],
            "--budget needs a number of bytes",
        ),
        (
            &["x.wasm", "--budget", "lots"][..],
            "`lots` is not a number of bytes",
        ),
        (
            &["x.wasm", "--frobnicate"][..],
            "unknown option `--frobnicate`",
        ),
    ] {
        let out = check(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}
