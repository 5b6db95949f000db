//! The sdn-pdk workspace's task runner, as a library.
//!
//! `cargo xtask <command>` (an alias in `.cargo/config.toml`) runs the binary
//! in `main.rs`, which only parses arguments; every command lives in its own
//! module here with a `run` function, so other crates can call them directly.
//! host-harness's integration tests, for instance, build the plugins they load
//! with [`build_examples::run`] and find them with [`build_examples::plugin_path`].
//!
//! Commands:
//! * [`build_examples`]: every `examples/*` crate → `target/plugins/<name>.wasm`.
//! * [`check`]: what the SDN server will accept (exports, imports, memory,
//!   wasm features, size budgets).
//! * [`size`]: per-plugin size and its largest functions.
//! * [`ci`]: every check CI runs besides the tests.
//! * [`bench`](mod@bench): host-harness's benchmarks, then their ratios and the plugin sizes.
//! * [`new`]: a new plugin crate, ready to build, test and check.
//! * [`new_plugin_cost`]: the time and disk a new plugin's first `cargo test` takes.
//! * [`package_check`]: the published crates packaged, and a new plugin built offline against them.
//! * [`flatc`]: the Rust code of `sdn-pdk/schemas`, regenerated from its `.fbs`.
//! * [`soak`]: a million checked requests through the harness, and no memory growth.
//! * [`fuzz`]: the cargo-fuzz targets in `fuzz/`, each for a few seconds.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod bench;
pub mod build_examples;
pub mod check;
pub mod ci;
pub mod flatc;
pub mod fuzz;
pub mod new;
pub mod new_plugin_cost;
pub mod package_check;
pub mod size;
pub mod soak;
pub mod test;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

/// The workspace root (the parent of xtask's own directory), fixed at compile time.
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// A `cargo` command, run from the workspace root with the cargo that runs
/// xtask (`$CARGO`, else `cargo` from `PATH`).
///
/// The rustflags environment variables are removed so the per-target
/// `rustflags` in `.cargo/config.toml` always apply: for `wasm32-wasip1` they
/// pin the wasm features to what the server's runtime supports, and any of
/// these variables would silently replace them.
pub(crate) fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS");
    cmd
}

/// Runs `cmd` to completion with inherited stdio; an error names the command
/// and its exit status.
pub(crate) fn run_command(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(cmd));
    }
    Ok(())
}

/// Runs `cmd` and returns its stdout (stderr is inherited).
pub(crate) fn command_output(cmd: &mut Command) -> Result<String> {
    let output = cmd
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{}`", describe(cmd)))?;
    if !output.status.success() {
        bail!("`{}` failed ({})", describe(cmd), output.status);
    }
    String::from_utf8(output.stdout)
        .with_context(|| format!("`{}` printed non-UTF-8", describe(cmd)))
}

/// `program arg arg …`, for error messages.
fn describe(cmd: &Command) -> String {
    let mut s = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or(cmd.get_program())
        .to_string_lossy()
        .into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// `path` relative to the workspace root when it is inside it, for display.
pub(crate) fn display_path(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// `n` with its digits grouped by commas: `4,096`.
pub(crate) use sdn_pdk_check::thousands;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"));
    }
}
