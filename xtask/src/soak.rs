//! `cargo xtask soak [--echo N] [--key-broker M] [--seed S] [--key-pool K]`:
//! the long run that proves no amount of traffic breaks a plugin.
//!
//! Runs host-harness's `soak` example in release (`cargo run --release -p
//! host-harness --example soak`): by default 1,000,000 echo requests and
//! 100,000 key-broker requests, every response checked against the spec,
//! and exactly the number of requests asked for checked. The plugins are
//! built with sdn-pdk's `heap-stats` feature into `target/soak-wasm` (the
//! shipped `target/plugins/*.wasm` stay without it), so the soak reads the
//! guest allocator's live bytes (`sdn_pdk_heap_live_bytes`) at every
//! request boundary after the first 10%: they must never exceed the value
//! after that warm-up and must end equal to it (zero growth, to the byte);
//! the page count must not grow either. It prints requests per second of
//! plugin calls only (the summed `handle_request` durations, without the
//! host's input generation and response checking), the live heap and the
//! page counts; it never asserts a speed. A reduced run of the same code
//! is part of `cargo test -p host-harness` (`tests/all/soak.rs`), with the
//! leaker test plugin proving the heap check reports a 16-byte leak.

use anyhow::{Result, bail};

use crate::{cargo, run_command};

/// The example in host-harness that drives the soak.
pub const EXAMPLE: &str = "soak";

/// The options the example understands, each followed by a number.
const OPTIONS: [&str; 4] = ["--echo", "--key-broker", "--seed", "--key-pool"];

/// Runs the soak with the example's arguments (empty = the full run).
pub fn run(args: &[String]) -> Result<()> {
    let mut cmd = cargo();
    cmd.args([
        "run",
        "--release",
        "--package",
        "host-harness",
        "--example",
        EXAMPLE,
        "--",
    ]);
    cmd.args(args);
    run_command(&mut cmd)
}

/// `cargo xtask soak [--echo N] [--key-broker M] [--seed S] [--key-pool K]`.
pub fn cli(args: &[String]) -> Result<()> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if !OPTIONS.contains(&arg.as_str()) {
            bail!(
                "unknown argument `{arg}` (expected one of {})",
                OPTIONS.join(", ")
            );
        }
        if rest.next().is_none() {
            bail!("{arg} needs a number");
        }
    }
    run(args)
}
