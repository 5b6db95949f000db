//! `echo_request`: `Plugin::handle_request` (4 mallocs, the call, `out_len`
//! read, 4 frees, the log record read) on the echo example against
//! `benches/fixtures/echo_baseline.wat`, the same work written by hand, for
//! 0-, 64- and 8184-byte bodies (8184 + the 8-byte clock fills the
//! 8192-byte output).
//!
//! Both load with fuel off ([`Metering::Off`]), as the server runs them.
//! The harness keeps each `sdn.log` record it reads; dropping them is
//! harness bookkeeping, so it happens between timed batches
//! ([`timing::batched`](crate::timing::batched)), never inside one.

use std::hint::black_box;
use std::time::Duration;

use anyhow::{Result, ensure};
use criterion::{BenchmarkId, Criterion};
use host_harness::{Clock, Metering, Plugin};

use crate::Plugins;
use crate::ratios::Comparison;
use crate::timing;

/// The group's name (and criterion's directory).
const GROUP: &str = "echo_request";
/// The request bodies measured, in bytes.
const SIZES: [usize; 3] = [0, 64, 8184];
/// The HTTP `Host` every request carries.
const HOST: &str = "plugins.example";
/// The fixed clock: no system call in the measurement.
const NOW_MS: i64 = 1_790_000_000_000;
/// The echo baseline: the echo's work by hand, no SDK.
const BASELINE_WAT: &str = include_str!("../fixtures/echo_baseline.wat");

/// Loads `wasm` unmetered with the fixed clock and initialises it.
fn load(wasm: &[u8]) -> Result<Plugin> {
    let mut plugin = Plugin::builder()
        .clock(Clock::Fixed(NOW_MS))
        .metering(Metering::Off)
        .load(wasm)?;
    plugin.init(b"bench")?;
    plugin.clear_logs();
    Ok(plugin)
}

/// `iters` requests, the log records dropped between timed batches.
/// [`check`] proved each is a success first.
fn timed_requests(plugin: &mut Plugin, body: &[u8], iters: u64) -> Duration {
    let plugin = std::cell::RefCell::new(plugin);
    timing::batched(
        iters,
        || {
            let _ = black_box(plugin.borrow_mut().handle_request(black_box(body), HOST));
        },
        || plugin.borrow_mut().clear_logs(),
    )
}

/// One request on each, before either is timed: the same status, body and
/// log record.
fn check(baseline: &mut Plugin, echo: &mut Plugin, body: &[u8]) -> Result<()> {
    let mut expected = NOW_MS.to_le_bytes().to_vec();
    expected.extend_from_slice(body);
    let mut logs = Vec::new();
    for (name, plugin) in [("baseline", &mut *baseline), ("echo", &mut *echo)] {
        let response = plugin.handle_request(body, HOST)?;
        ensure!(
            response.status == 0 && response.body == expected,
            "{name} answered status {} with {} bytes",
            response.status,
            response.body.len()
        );
        logs.push(plugin.take_logs());
    }
    ensure!(
        logs[0] == logs[1],
        "the baseline logged {:?}, echo {:?}",
        logs[0],
        logs[1]
    );
    Ok(())
}

/// Measures the group; returns one comparison per body size.
pub fn bench(c: &mut Criterion, plugins: &Plugins) -> Result<Vec<Comparison>> {
    let mut baseline = load(BASELINE_WAT.as_bytes())?;
    let mut echo = load(&plugins.echo)?;
    let mut comparisons = Vec::new();
    let mut group = c.benchmark_group(GROUP);
    for size in SIZES {
        let body: Vec<u8> = (0..size).map(|i| i as u8).collect();
        check(&mut baseline, &mut echo, &body)?;
        group.bench_with_input(BenchmarkId::new("baseline", size), &body, |b, body| {
            b.iter_custom(|iters| timed_requests(&mut baseline, body, iters));
        });
        group.bench_with_input(BenchmarkId::new("echo", size), &body, |b, body| {
            b.iter_custom(|iters| timed_requests(&mut echo, body, iters));
        });
        comparisons.push(Comparison {
            name: format!("{GROUP}/{size}"),
            subject: format!("{GROUP}/echo/{size}"),
            baseline: format!("{GROUP}/baseline/{size}"),
            baseline_name: "the hand-written echo",
        });
    }
    group.finish();
    Ok(comparisons)
}
