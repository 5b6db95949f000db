//! The soak's own builds of the examples: the same crates, with sdn-pdk's
//! `heap-stats` feature, so each plugin exports `sdn_pdk_heap_live_bytes`
//! (the live bytes of its global allocator). They go to a target directory
//! of their own, `target/soak-wasm`, and are never copied to
//! `target/plugins/`: the shipped plugins, whose exports `cargo xtask check`
//! judges, stay without the feature.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context as _, Result, ensure};
use xtask::build_examples::{self, PROFILE, TARGET};

/// Builds example `package` with `sdn-pdk/heap-stats` and returns the
/// `.wasm` (`target/soak-wasm/wasm32-wasip1/wasm-release/<lib>.wasm`).
pub fn build(package: &str) -> Result<PathBuf> {
    let root = xtask::workspace_root();
    let example = build_examples::examples()?
        .into_iter()
        .find(|e| e.package == package)
        .with_context(|| format!("no example `{package}`"))?;
    let target_dir = root.join("target").join("soak-wasm");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // From the workspace root, so `.cargo/config.toml`'s wasm rustflags
    // (the getrandom cfg among them) apply as in the shipped build.
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "--quiet", "--package", package, "--lib"])
        .args(["--target", TARGET, "--profile", PROFILE])
        .args(["--features", "sdn-pdk/heap-stats", "--target-dir"])
        .arg(&target_dir)
        .status()
        .with_context(|| format!("running cargo build for {package}"))?;
    ensure!(
        status.success(),
        "building {package} with heap-stats failed ({status})"
    );
    let wasm = target_dir
        .join(TARGET)
        .join(PROFILE)
        .join(format!("{}.wasm", example.lib_name));
    ensure!(wasm.is_file(), "{} was not built", wasm.display());
    Ok(wasm)
}
