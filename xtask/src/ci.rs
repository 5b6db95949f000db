//! `cargo xtask ci`: every check CI runs besides the test command.
//!
//! `.ci/run` runs the README's test command (`cargo test --workspace`) and
//! then this, so a developer can run exactly what CI runs:
//!
//! 1. `cargo fmt --all --check`
//! 2. `cargo clippy --workspace --all-targets -- -D warnings` (host)
//! 3. clippy for `wasm32-wasip1` over the guest crates, where the generated
//!    exports, the allocator and the panic handler exist
//! 4. `cargo doc --workspace --no-deps` with `RUSTDOCFLAGS=-D warnings`
//! 5. the `no_std` proof: sdn-pdk and echo for `wasm32v1-none`, a target
//!    with no `std` at all, so no dependency can pull it in quietly
//! 6. `cargo xtask build-examples` and `cargo xtask check`

use anyhow::{Result, bail};

use crate::{build_examples, cargo, check, run_command};

/// The crates that are built for wasm: the guest SDK and every plugin.
const GUEST_PACKAGES: &[&str] = &["sdn-pdk", "echo", "key-broker", "std-plugin"];

/// Runs every step in order, stopping at the first failure.
pub fn run() -> Result<()> {
    step("format", || run_command(cargo().args(["fmt", "--all", "--check"])))?;
    step("clippy (host)", || {
        run_command(cargo().args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))
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
        run_command(
            cargo()
                .env("RUSTDOCFLAGS", "-D warnings")
                .args(["doc", "--workspace", "--no-deps"]),
        )
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
        ]))
    })?;
    step("build-examples", || build_examples::run().map(drop))?;
    step("check", || check::cli(&[]))?;
    println!("xtask ci: all checks passed");
    Ok(())
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
