//! `cargo xtask ci`: every check CI runs besides the test command.
//!
//! `.ci/run` runs this and then the README's test command (`cargo xtask test`),
//! so a developer can run exactly what CI runs:
//!
//! 1. `cargo fmt --all --check`
//! 2. `cargo clippy --workspace --all-targets -- -D warnings` (host)
//! 3. clippy for `wasm32-wasip1` over the guest crates, where the generated
//!    exports, the allocator and the panic handler exist
//! 4. `cargo doc --workspace --no-deps` with `RUSTDOCFLAGS=-D warnings`
//! 5. the `no_std` proof: sdn-pdk and echo, then the two modules, for
//!    `wasm32v1-none`, a target with no `std` at all, so no dependency can
//!    pull it in quietly
//! 6. `cargo xtask build-examples` and `cargo xtask check`
//! 7. `cargo xtask new`'s output, a plugin and a module (`--module`), each
//!    generated into a temporary directory: it is rustfmt-clean, its tests
//!    pass, it builds for `wasm32-wasip1`, and it passes `check`
//! 8. `cargo xtask package-check`: the published crates packaged, and a new
//!    plugin and module built and tested offline against those packages
//!    with version dependencies only (it reads the crates.io index)

use std::path::Path;

use anyhow::{Result, bail};

use crate::{build_examples, cargo, check, new, package_check, run_command, workspace_root};

/// The crates that are built for wasm: the guest SDK, every example and
/// every test plugin (a test below keeps the list complete).
const GUEST_PACKAGES: &[&str] = &[
    "sdn-pdk",
    "echo",
    "key-broker",
    "skb1",
    "module-echo",
    "sgp4-propagator",
    "hoarder",
    "leaker",
    "panicker",
    "std-plugin",
    "wired-module",
];

/// Runs every step in order, stopping at the first failure.
pub fn run() -> Result<()> {
    step("format", || {
        run_command(cargo().args(["fmt", "--all", "--check"]))
    })?;
    step("clippy (host)", || {
        run_command(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    step("clippy (wasm32-wasip1)", || {
        let mut cmd = cargo();
        cmd.args(["clippy", "--lib", "--target", build_examples::TARGET]);
        for package in GUEST_PACKAGES {
            cmd.args(["--package", package]);
        }
        run_command(cmd.args(["--", "-D", "warnings"]))
    })?;
    step("docs", || {
        run_command(cargo().env("RUSTDOCFLAGS", "-D warnings").args([
            "doc",
            "--workspace",
            "--no-deps",
        ]))
    })?;
    step("no_std (wasm32v1-none)", || {
        run_command(cargo().args([
            "build",
            "--target",
            "wasm32v1-none",
            "--package",
            "sdn-pdk",
            "--package",
            "echo",
            "--lib",
        ]))?;
        // A module separately: in one invocation cargo would unify sdn-pdk's
        // `module` feature into the legacy echo's build too.
        run_command(cargo().args([
            "build",
            "--target",
            "wasm32v1-none",
            "--package",
            "module-echo",
            "--package",
            "sgp4-propagator",
            "--lib",
        ]))
    })?;
    step("build-examples", || build_examples::run().map(drop))?;
    step("check", || check::cli(&[]))?;
    step("new plugin", new_plugin_builds_tests_and_checks)?;
    step("package-check", || package_check::run(false).map(drop))?;
    println!("xtask ci: all checks passed");
    Ok(())
}

/// Generates a plugin and a module with `cargo xtask new` (against this
/// checkout, `--sdk-path`) and runs what their READMEs promise, sharing this
/// workspace's target directory so their dependencies (wasmtime above all)
/// are not compiled again.
fn new_plugin_builds_tests_and_checks() -> Result<()> {
    for (name, kind) in [
        ("ci-probe", new::Kind::Plugin),
        ("ci-probe-module", new::Kind::Module),
    ] {
        let dir =
            std::env::temp_dir().join(format!("sdn-pdk-ci-new-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let options = new::Options {
            kind,
            sdk: new::SdkSource::Checkout(workspace_root()),
        };
        let result = new::run(name, &dir, &options).and_then(|_| build_test_and_check(&dir, name));
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
    Ok(())
}

fn build_test_and_check(dir: &Path, name: &str) -> Result<()> {
    let target_dir = workspace_root().join("target");
    // This workspace's lock file: the same dependency versions, so the
    // shared target directory's builds are reused and nothing is fetched.
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))?;
    // The templates are rustfmt-clean as generated.
    run_command(cargo().current_dir(dir).args(["fmt", "--check"]))?;
    run_command(
        cargo()
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", &target_dir)
            .arg("test"),
    )?;
    run_command(
        cargo()
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", &target_dir)
            .args([
                "build",
                "--lib",
                "--release",
                "--target",
                build_examples::TARGET,
            ]),
    )?;
    let wasm = target_dir
        .join(build_examples::TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    check::cli(&[wasm.display().to_string()])
}

fn step(name: &str, body: impl FnOnce() -> Result<()>) -> Result<()> {
    println!("==> {name}");
    body().map_err(|error| error.context(format!("ci step `{name}` failed")))
}

/// `cargo xtask ci` (no arguments).
pub fn cli(args: &[String]) -> Result<()> {
    if let Some(extra) = args.first() {
        bail!("ci: unexpected argument `{extra}` (usage: cargo xtask ci)");
    }
    run()
}

#[cfg(test)]
mod tests {
    use super::GUEST_PACKAGES;
    use crate::build_examples::{examples, test_plugins};

    #[test]
    fn every_test_plugin_and_example_is_linted_for_wasm() {
        let crates = [examples().unwrap(), test_plugins().unwrap()].concat();
        assert!(crates.len() >= 9, "found only {crates:?}");
        for found in crates {
            assert!(
                GUEST_PACKAGES.contains(&found.package.as_str()),
                "{} ({}) is missing from GUEST_PACKAGES",
                found.package,
                found.dir.display()
            );
        }
    }
}
