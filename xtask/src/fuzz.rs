//! `cargo xtask fuzz [--seconds N] [TARGET ...]`: runs each cargo-fuzz
//! target in `fuzz/` for N seconds (default 60).
//!
//! `cargo +nightly fuzz run <target> -- -max_total_time=N`, one target after
//! another, growing `fuzz/corpus/<target>/`; a crash fails the command and
//! leaves the input in `fuzz/artifacts/<target>/`. Needs the nightly
//! toolchain and `cargo install cargo-fuzz`.
//!
//! What stable `cargo test` proves without either: each target's body is a
//! plain function, `fuzz/checks/<target>.rs` (`check(data)`, panicking on a
//! spec violation), which the fuzz target calls and which the corpus replay
//! tests include by `#[path]` (`examples/echo/tests/fuzz_corpus.rs`,
//! `examples/key-broker/tests/fuzz_corpus.rs`, both through
//! `fuzz/replay.rs`): they run it on every file of the committed corpus.
//! After a run, minimise with `cargo +nightly fuzz cmin <target>` (in
//! `fuzz/`) and commit the corpus; copy every crash from
//! `fuzz/artifacts/<target>/` into `fuzz/corpus/<target>/` and commit it
//! too, so it stays a regression input once fixed.
//!
//! The targets (see `fuzz/fuzz_targets/`):
//! * `key_broker_request`: `Broker::handle` with the test vector's config,
//!   any bytes at any server time, against the SKB1 rules;
//! * `echo_request`: the echo example's `plugin_handle_request` glue run
//!   natively (`sdn_pdk::testing::Instance`), any body, host and capacity.

use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::{run_command, workspace_root};

/// Every target in `fuzz/Cargo.toml`.
pub const TARGETS: [&str; 2] = ["key_broker_request", "echo_request"];

/// Seconds per target when `--seconds` is not given.
pub const DEFAULT_SECONDS: u64 = 60;

/// Runs each of `targets` (all when empty) for `seconds`.
pub fn run(seconds: u64, targets: &[String]) -> Result<()> {
    let selected: Vec<&str> = if targets.is_empty() {
        TARGETS.to_vec()
    } else {
        targets.iter().map(String::as_str).collect()
    };
    for target in &selected {
        if !TARGETS.contains(target) {
            bail!(
                "unknown fuzz target `{target}` (known: {})",
                TARGETS.join(", ")
            );
        }
    }
    let dir = workspace_root().join("fuzz");
    for target in selected {
        println!("xtask fuzz: {target} for {seconds} s");
        // `cargo +nightly` goes through rustup's proxy, not `$CARGO` (which
        // is the stable toolchain's cargo when xtask runs under it).
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&dir)
            .env_remove("CARGO")
            .env_remove("RUSTC")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .args(["+nightly", "fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"));
        run_command(&mut cmd).with_context(|| {
            format!(
                "fuzz target `{target}` failed; the crashing input is in fuzz/artifacts/{target}/ \
                 (needs `rustup toolchain install nightly` and `cargo install cargo-fuzz`)"
            )
        })?;
    }
    Ok(())
}

/// `cargo xtask fuzz [--seconds N] [TARGET ...]`.
pub fn cli(args: &[String]) -> Result<()> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--seconds" {
            let value = rest.next().context("--seconds needs a number")?;
            seconds = value
                .parse()
                .with_context(|| format!("--seconds {value}: not a number"))?;
        } else if arg.starts_with('-') {
            bail!("unknown option `{arg}` (expected --seconds N)");
        } else {
            targets.push(arg.clone());
        }
    }
    run(seconds, &targets)
}
