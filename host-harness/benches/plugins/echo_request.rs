//! `echo_request`: `Plugin::handle_request` (4 mallocs, the call, `out_len`
//! read, 4 frees) on the echo example against the floor module, for 0-, 64-
//! and 8184-byte bodies (8184 + the 8-byte clock fills the 8192-byte output).

use std::hint::black_box;

use anyhow::{Result, ensure};
use criterion::{BenchmarkId, Criterion};
use host_harness::{Clock, HarnessError, Plugin, Response};

use crate::Plugins;
use crate::ratios::Comparison;

/// The group's name (and criterion's directory).
const GROUP: &str = "echo_request";
/// The request bodies measured, in bytes.
const SIZES: [usize; 3] = [0, 64, 8184];
/// The HTTP `Host` every request carries.
const HOST: &str = "plugins.example";
/// The fixed clock: no system call in the measurement.
const NOW_MS: i64 = 1_790_000_000_000;

/// Loads `wasm` with the fixed clock and initialises it.
fn load(wasm: &[u8]) -> Result<Plugin> {
    let mut plugin = Plugin::builder().clock(Clock::Fixed(NOW_MS)).load(wasm)?;
    plugin.init(b"bench")?;
    Ok(plugin)
}

/// One request as the server makes it. The result is returned, not
/// unwrapped: [`check`] proved it is a success before any measurement.
/// The echo logs every request at debug; the records are dropped here so a
/// long run does not grow the harness's log without bound.
fn request(plugin: &mut Plugin, body: &[u8]) -> Result<Response, HarnessError> {
    let response = plugin.handle_request(black_box(body), HOST);
    plugin.clear_logs();
    response
}

/// One request on each module, checked before either is timed.
fn check(floor: &mut Plugin, echo: &mut Plugin, body: &[u8]) -> Result<()> {
    let response = floor.handle_request(body, HOST)?;
    ensure!(
        response.status == 0 && response.body.is_empty(),
        "the floor answered {response:?}"
    );
    let response = echo.handle_request(body, HOST)?;
    let mut expected = NOW_MS.to_le_bytes().to_vec();
    expected.extend_from_slice(body);
    ensure!(
        response.status == 0 && response.body == expected,
        "echo answered status {} with {} bytes",
        response.status,
        response.body.len()
    );
    Ok(())
}

/// Measures the group; returns one comparison per body size.
pub fn bench(c: &mut Criterion, plugins: &Plugins) -> Result<Vec<Comparison>> {
    let mut floor = load(crate::FLOOR_WAT.as_bytes())?;
    let mut echo = load(&plugins.echo)?;
    let mut comparisons = Vec::new();
    let mut group = c.benchmark_group(GROUP);
    for size in SIZES {
        let body: Vec<u8> = (0..size).map(|i| i as u8).collect();
        check(&mut floor, &mut echo, &body)?;
        group.bench_with_input(BenchmarkId::new("floor", size), &body, |b, body| {
            b.iter(|| request(&mut floor, body));
        });
        group.bench_with_input(BenchmarkId::new("echo", size), &body, |b, body| {
            b.iter(|| request(&mut echo, body));
        });
        comparisons.push(Comparison {
            name: format!("{GROUP}/{size}"),
            subject: format!("{GROUP}/echo/{size}"),
            baseline: format!("{GROUP}/floor/{size}"),
            baseline_name: "the floor",
        });
    }
    group.finish();
    Ok(comparisons)
}
