//! The size-and-speed benchmarks: `cargo bench -p host-harness --bench plugins`
//! (or `cargo xtask bench`, which adds the plugin sizes).
//!
//! Each group measures an example next to a baseline in the same run, and
//! after the last group [`ratios`] prints one line per comparison, computed
//! from the means criterion measured:
//!
//! * `echo_request` ([`echo_request`]): the server's whole request sequence
//!   on the echo example against the same sequence on the echo's work
//!   written by hand in WAT (`benches/fixtures/echo_baseline.wat`): what the
//!   SDK's glue and defences add per request.
//! * `key_broker_request` ([`key_broker_request`]): a valid SKB1 request
//!   through the harness against the broker's own code run natively: what
//!   running the crypto as wasm costs.
//! * `sgp4_propagate` ([`sgp4_propagate`]): one 91-state propagation of the
//!   ISS through the module host against the same code native.
//! * `instantiate` ([`instantiate`]): load and `init` of each example
//!   against a module that does nothing (`benches/fixtures/floor.wat`).
//!
//! Every plugin and module is loaded with fuel off (`Metering::Off`), as the
//! servers run them, and the harness's own bookkeeping (dropping the log
//! records it keeps) happens between timed batches ([`timing`]).
//!
//! The benchmarks report; they never assert a speed. One binary with a
//! module per group, as the integration tests are: one link of wasmtime
//! instead of three on a 2-core machine. A criterion filter works as usual
//! (`cargo bench -p host-harness --bench plugins -- echo_request`); the
//! groups it skips print "not measured in this run".
#![forbid(unsafe_code)]

mod echo_request;
mod instantiate;
mod key_broker_request;
mod ratios;
mod sgp4_propagate;
mod timing;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use anyhow::{Context as _, Result};
use criterion::Criterion;

use ratios::Comparison;

/// The module every example is compared with: exports only, no imports, a
/// handler that answers nothing.
pub const FLOOR_WAT: &str = include_str!("../fixtures/floor.wat");

/// Short runs: the whole binary takes about a minute once built.
fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args()
}

/// The examples' plugins, built once (through the xtask library, as the
/// integration tests build them) and read into memory.
pub struct Plugins {
    /// `target/plugins/echo.wasm`.
    pub echo: Vec<u8>,
    /// `target/plugins/key-broker.wasm`.
    pub key_broker: Vec<u8>,
    /// `target/plugins/sgp4-propagator.wasm`.
    pub sgp4_propagator: Vec<u8>,
}

impl Plugins {
    /// Builds every example and reads the three the benchmarks load.
    fn build() -> Result<Plugins> {
        xtask::build_examples::run().context("building the example plugins")?;
        Ok(Plugins {
            echo: read(xtask::build_examples::plugin_path("echo"))?,
            key_broker: read(xtask::build_examples::plugin_path("key-broker"))?,
            sgp4_propagator: read(xtask::build_examples::plugin_path("sgp4-propagator"))?,
        })
    }
}

/// A file's bytes, with its path in the error.
fn read(path: PathBuf) -> Result<Vec<u8>> {
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

fn main() -> Result<()> {
    // Estimates written before this moment are an earlier run's: never used.
    let started = SystemTime::now();
    let plugins = Plugins::build()?;
    let mut c = criterion();
    let mut comparisons: Vec<Comparison> = Vec::new();
    comparisons.extend(echo_request::bench(&mut c, &plugins)?);
    comparisons.extend(key_broker_request::bench(&mut c, &plugins)?);
    comparisons.extend(sgp4_propagate::bench(&mut c, &plugins)?);
    comparisons.extend(instantiate::bench(&mut c, &plugins)?);
    c.final_summary();
    ratios::print(&comparisons, started);
    Ok(())
}
