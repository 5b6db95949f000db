//! The `host-harness run` command.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::fixture::Wat;

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(args)
        .output()
        .unwrap()
}

/// Writes a fixture (WAT text is accepted where a .wasm is expected) to a
/// file unique to this test.
fn plugin_file(name: &str, wat: &Wat) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("host-harness-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.wat"));
    std::fs::write(&path, wat.text()).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn run_prints_key_metadata_response_and_logs() {
    let path = plugin_file("echo", &Wat::echo());
    let out = harness(&[
        "run",
        path.to_str().unwrap(),
        "--config-hex",
        "6162",
        "--request-hex",
        "0102ff",
        "--host",
        "h.example",
        "--clock-ms",
        "258",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("public key: "), "{stdout}");
    assert!(stdout.contains("metadata: 6d657461"), "{stdout}");
    assert!(stdout.contains("status: 0"), "{stdout}");
    // clock 258 = 0x102 as u64 LE, then the request.
    assert!(
        stdout.contains("response: 02010000000000000102ff"),
        "{stdout}"
    );
    assert!(stdout.contains("log [info] ready"), "{stdout}");
}

#[test]
fn bad_arguments_give_one_line_and_a_failure() {
    for args in [
        &["run"][..],
        &["frobnicate"],
        &["run", "x.wasm", "--config-hex", "zz"],
        &["run", "x.wasm", "--clock-ms"],
        &["run", "x.wasm", "--config-hex", "00", "--config-file", "f"],
        &["run", "/nonexistent/x.wasm"],
    ] {
        let out = harness(args);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_bad_module_gives_one_line_and_a_failure() {
    let path = plugin_file("no-init", &Wat::echo().with(|w| w.init = String::new()));
    let out = harness(&["run", path.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("plugin_init"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn help() {
    let out = harness(&["--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("usage: host-harness run"));
}
