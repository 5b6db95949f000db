//! The README's "Writing a plugin" shows the plugin `cargo xtask new`
//! writes, not a second one that drifts from it.

use std::fs;
use std::path::Path;

use xtask::new;

/// The code of a generated `src/lib.rs`: from `#![no_std]` up to its unit
/// tests (the module doc and the tests are not shown in the README).
fn plugin_code(lib_rs: &str) -> &str {
    let start = lib_rs.find("#![no_std]").expect("the template is no_std");
    let end = lib_rs
        .find("#[cfg(test)]")
        .expect("the template has unit tests");
    lib_rs[start..end].trim_end()
}

#[test]
fn the_readme_shows_the_generated_plugin() {
    let dir = std::env::temp_dir().join(format!("xtask-readme-example-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    new::run("my-plugin", &dir, &new::Options::default()).unwrap();
    let lib_rs = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    fs::remove_dir_all(&dir).unwrap();

    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
    let block = format!("```rust\n{}\n```", plugin_code(&lib_rs));
    assert!(
        readme.contains(&block),
        "README.md's \"Writing a plugin\" must show the generated src/lib.rs \
         (`cargo xtask new my-plugin`) from #![no_std] to its tests, as:\n{block}"
    );
}
