//! `cargo xtask soak`: floods the echo and key-broker examples with checked
//! requests and fails if any response breaks the spec or the guest's memory
//! grows after the first 10% of the requests (live heap bytes, through the
//! `heap-stats` builds of `instrumented.rs`, and pages). See `driver.rs`.
//!
//! ```text
//! cargo run --release -p host-harness --example soak -- \
//!     [--echo N] [--key-broker M] [--seed S] [--key-pool K]
//! ```
#![forbid(unsafe_code)]

mod driver;
mod instrumented;

use anyhow::{Context as _, Result, bail};

/// The full soak's sizes.
const ECHO_REQUESTS: u64 = 1_000_000;
const KEY_BROKER_REQUESTS: u64 = 100_000;
/// Distinct ephemeral client keys the key-broker client cycles through.
const KEY_POOL: usize = 1024;

fn main() -> Result<()> {
    let mut echo = ECHO_REQUESTS;
    let mut key_broker = KEY_BROKER_REQUESTS;
    let mut seed = driver::DEFAULT_SEED;
    let mut key_pool = KEY_POOL;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || -> Result<u64> {
            let text = args
                .next()
                .with_context(|| format!("{arg} needs a value"))?;
            text.replace('_', "")
                .parse()
                .with_context(|| format!("{arg} {text}: not a number"))
        };
        match arg.as_str() {
            "--echo" => echo = value()?,
            "--key-broker" => key_broker = value()?,
            "--seed" => seed = value()?,
            "--key-pool" => key_pool = usize::try_from(value()?)?,
            other => bail!(
                "unknown argument `{other}` (usage: soak [--echo N] [--key-broker M] [--seed S] [--key-pool K])"
            ),
        }
    }

    let path = |name: &str| {
        instrumented::build(name).with_context(|| format!("building {name} with heap-stats"))
    };

    println!("soak: seed {seed}");
    let mut reports = Vec::new();
    if echo > 0 {
        println!("soak: {echo} echo requests ...");
        let report = driver::soak_echo(&path("echo")?, echo, seed)?;
        println!("{report}");
        reports.push(report);
    }
    if key_broker > 0 {
        println!("soak: {key_broker} key-broker requests (key pool {key_pool}) ...");
        let report = driver::soak_key_broker(&path("key-broker")?, key_broker, seed, key_pool)?;
        println!("{report}");
        reports.push(report);
    }
    for report in &reports {
        let asked = if report.plugin == "echo" {
            echo
        } else {
            key_broker
        };
        report.check_count(asked)?;
        report.check_no_growth()?;
    }
    println!(
        "soak: every response matched the spec; no live-heap or memory growth after the first 10%"
    );
    Ok(())
}
