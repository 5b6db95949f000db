//! `key_broker_request`: the SKB1 test vector's request through the harness
//! (the vector's config and clock, its server nonce scripted before every
//! request) against `key_broker::Broker::handle` on the same inputs, run
//! natively: the same P-256 ECDH, HKDF-SHA256 and AES-256-GCM code, compiled
//! for the host. The ratio is what running the crypto as wasm costs (note
//! that natively the RustCrypto crates may use the CPU's AES and SHA
//! instructions, which wasm cannot).
//!
//! The plugin loads with fuel off ([`Metering::Off`]), as the server runs
//! it; the nonce is scripted into the harness's randomness before each
//! request (the server's `sdn.random_bytes` reads the OS instead), and the
//! log records are dropped between timed batches, outside the timing.

use std::hint::black_box;
use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, ensure};
use criterion::Criterion;
use host_harness::{Clock, HarnessError, Metering, Plugin, Response};
use key_broker::{Broker, Status};
use serde_json::Value;

use crate::Plugins;
use crate::ratios::Comparison;
use crate::timing;

/// The group's name (and criterion's directory).
const GROUP: &str = "key_broker_request";
/// The shared SKB1 vector (also read by the key broker's and the harness's tests).
const VECTOR: &str = include_str!("../../../examples/key-broker/tests/data/key-broker-vector.json");
/// The HTTP `Host` the request arrives with (the broker ignores it).
const HOST: &str = "keys.example";
/// The server's output capacity.
const OUT_CAP: usize = 8192;

/// The vector's fields the benchmark uses.
struct Vector {
    config: Vec<u8>,
    request: Vec<u8>,
    response: Vec<u8>,
    nonce: [u8; 16],
    now_ms: u64,
}

impl Vector {
    fn load() -> Result<Vector> {
        let json: Value = serde_json::from_str(VECTOR).context("parsing the SKB1 vector")?;
        let bytes = |field: &str| -> Result<Vec<u8>> {
            let text = json[field]
                .as_str()
                .ok_or_else(|| anyhow!("the vector has no `{field}`"))?;
            hex::decode(text).with_context(|| format!("the vector's `{field}`"))
        };
        let nonce = bytes("server_nonce_from_random_bytes")?;
        Ok(Vector {
            config: bytes("config")?,
            request: bytes("request")?,
            response: bytes("response")?,
            nonce: nonce
                .try_into()
                .map_err(|_| anyhow!("the vector's nonce is not 16 bytes"))?,
            now_ms: json["clock_now_ms"]
                .as_u64()
                .ok_or_else(|| anyhow!("the vector has no `clock_now_ms`"))?,
        })
    }
}

/// One request through the harness, its nonce scripted first. The result is
/// returned, not unwrapped: it was checked before any measurement.
fn wasm_request(plugin: &mut Plugin, vector: &Vector) -> Result<Response, HarnessError> {
    plugin.script_random(&vector.nonce);
    plugin.handle_request(black_box(&vector.request), HOST)
}

/// `iters` requests, the log records dropped between timed batches.
fn timed_wasm_requests(plugin: &mut Plugin, vector: &Vector, iters: u64) -> Duration {
    let plugin = std::cell::RefCell::new(plugin);
    timing::batched(
        iters,
        || {
            let _ = black_box(wasm_request(&mut plugin.borrow_mut(), vector));
        },
        || plugin.borrow_mut().clear_logs(),
    )
}

/// The same request natively: parse, checks, ECDH, HKDF, AES-GCM, encoding.
fn native_request(broker: &Broker, vector: &Vector, out: &mut [u8]) -> key_broker::Outcome {
    let nonce = vector.nonce;
    broker.handle(
        black_box(&vector.request),
        vector.now_ms,
        |dest: &mut [u8; 16]| {
            *dest = nonce;
            Ok::<(), ()>(())
        },
        out,
    )
}

/// Measures the group; returns its one comparison.
pub fn bench(c: &mut Criterion, plugins: &Plugins) -> Result<Vec<Comparison>> {
    let vector = Vector::load()?;
    let now = i64::try_from(vector.now_ms).context("the vector's clock")?;
    let mut plugin = Plugin::builder()
        .clock(Clock::Fixed(now))
        .metering(Metering::Off)
        .load(&plugins.key_broker)?;
    plugin.init(&vector.config)?;
    let broker = Broker::from_config(&vector.config)
        .map_err(|status| anyhow!("the vector's config is refused natively: {status:?}"))?;
    let mut out = vec![0; OUT_CAP];

    // Both sides answer the vector's response byte for byte before either is timed.
    plugin.script_random(&vector.nonce);
    let response = plugin.handle_request(&vector.request, HOST)?;
    ensure!(
        response.status == 0 && response.body == vector.response,
        "the wasm broker did not answer the vector's response (status {})",
        response.status
    );
    let outcome = native_request(&broker, &vector, &mut out);
    ensure!(
        outcome.status == Status::Ok && out.get(..outcome.len) == Some(&vector.response[..]),
        "the native broker did not answer the vector's response ({outcome:?})"
    );

    let mut group = c.benchmark_group(GROUP);
    group.bench_function("native", |b| {
        b.iter(|| native_request(&broker, &vector, &mut out));
    });
    group.bench_function("wasm", |b| {
        b.iter_custom(|iters| timed_wasm_requests(&mut plugin, &vector, iters));
    });
    group.finish();
    Ok(vec![Comparison {
        name: GROUP.to_owned(),
        subject: format!("{GROUP}/wasm"),
        baseline: format!("{GROUP}/native"),
        baseline_name: "native",
    }])
}
