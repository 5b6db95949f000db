//! The soak driver: floods the echo and key-broker examples with requests
//! through the harness and checks every response against the specs
//! (`docs/host-abi.md` for echo, `docs/key-broker-protocol.md` for SKB1).
//!
//! Shared by the `soak` example (`cargo xtask soak`, release build) and the
//! reduced run in `tests/all/soak.rs` (`cargo test`), which includes this
//! file with `#[path]`. Responses are checked against the `skb1` crate, the
//! protocol model that tells the status any byte string must get.
//!
//! Everything is seeded: a failing run is replayed with the same seed.
//!
//! Memory: the plugins are the `heap-stats` builds (`instrumented.rs`),
//! which export `sdn_pdk_heap_live_bytes`, the live bytes of the guest's
//! allocator. It is read after the first 10% of the requests (the warm-up)
//! and after every later request; it must never exceed the warm-up value
//! and must end equal to it (zero growth, to the byte). The guest's size in
//! pages is compared too (after the warm-up and at the end). Every instance
//! a soak sends requests to is watched so, the key broker's never-initialised
//! one (status 1) included, each at the request boundaries it served.
//!
//! Ephemeral keys: generating a P-256 key (and its ECDH secret with the
//! broker) per request would cost more host time than the plugin spends, so
//! the key-broker client draws its keys from a pool: scalar `i` is
//! SHA-256(`"sdn-pdk soak key"` ‖ seed ‖ `i`), and requests cycle through the
//! pool. Every request still carries a fresh client nonce and gets a fresh
//! server nonce, so each response is sealed under its own wrap key.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use host_harness::{Capacities, Clock, Plugin, Response};

/// The export of a `heap-stats` build: live allocated bytes, as an `i32`.
pub const HEAP_LIVE_BYTES: &str = "sdn_pdk_heap_live_bytes";

/// The guest allocator's live bytes now, through [`HEAP_LIVE_BYTES`].
pub fn heap_live_bytes(plugin: &mut Plugin) -> Result<u64> {
    let result = plugin
        .call_i32(HEAP_LIVE_BYTES, &[])
        .with_context(|| format!("calling {HEAP_LIVE_BYTES} (a heap-stats build?)"))?;
    let [bytes] = result[..] else {
        bail!("{HEAP_LIVE_BYTES} returned {result:?}");
    };
    u64::try_from(bytes).with_context(|| format!("{HEAP_LIVE_BYTES} returned {bytes}"))
}

/// The seed used when none is given.
pub const DEFAULT_SEED: u64 = 0x5D4_50A4;

/// SplitMix64: a small, fast, seeded generator (not for secrets; the
/// soak's inputs only need to be varied and reproducible).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..=max`.
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        // Multiply-shift: bias below 2^-64 * max, irrelevant here.
        ((u128::from(self.next_u64()) * u128::from(max + 1)) >> 64) as u64
    }

    /// Uniform in `0..=max`, as a `usize`.
    pub fn index(&mut self, max: usize) -> usize {
        self.up_to(max as u64) as usize
    }

    /// `true` with probability `numerator / denominator`.
    pub fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.up_to(denominator - 1) < numerator
    }

    /// Fills `buf` with random bytes, eight at a time.
    pub fn fill(&mut self, buf: &mut [u8]) {
        let mut chunks = buf.chunks_exact_mut(8);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let rest = chunks.into_remainder();
        let last = self.next_u64().to_le_bytes();
        rest.copy_from_slice(&last[..rest.len()]);
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut buf = vec![0; len];
        self.fill(&mut buf);
        buf
    }

    /// A host name of `len` bytes from the characters a `Host` header
    /// carries (letters, digits, `-`, `.`, `:`).
    pub fn host(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] =
            b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:";
        (0..len)
            .map(|_| char::from(ALPHABET[self.index(ALPHABET.len() - 1)]))
            .collect()
    }
}

/// What one plugin's soak measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The example's name.
    pub plugin: &'static str,
    /// Requests whose response was checked against the spec and matched
    /// (counted after the check, so a request that was skipped or failed is
    /// never in it).
    pub requests: u64,
    /// The time spent inside the plugin calls alone (the sum of every
    /// `handle_request`'s duration), without the host's input generation
    /// and response checking.
    pub plugin_time: Duration,
    /// Wall time of the whole request loop, host work included.
    pub elapsed: Duration,
    /// The memory of the instance that served the requests.
    pub memory: Memory,
    /// The memory of a second instance, where the soak has one (the key
    /// broker's never-initialised instance, which answers status 1).
    pub second_instance: Option<Memory>,
    /// How many responses had each status.
    pub statuses: BTreeMap<i32, u64>,
}

/// One instance's memory over a soak, read at the request boundaries it
/// served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// Guest memory in pages after the warm-up.
    pub pages_after_warmup: u64,
    /// Guest memory in pages at the end.
    pub pages_at_end: u64,
    /// Live heap bytes at the first boundary after the warm-up.
    pub heap_after_warmup: u64,
    /// The most live heap bytes at any boundary after the warm-up.
    pub heap_peak_after_warmup: u64,
    /// Live heap bytes at the end.
    pub heap_at_end: u64,
}

impl Memory {
    /// Fails unless memory did not grow after the warm-up: live heap bytes
    /// at every later boundary at most the warm-up value, at the end equal
    /// to it, and the same page count. `instance` names it in the error.
    pub fn check_no_growth(&self, instance: &str) -> Result<()> {
        ensure!(
            self.heap_peak_after_warmup <= self.heap_after_warmup
                && self.heap_at_end == self.heap_after_warmup,
            "{instance}: live heap grew from {} bytes after the first 10% to {} bytes at the end (peak {} bytes)",
            self.heap_after_warmup,
            self.heap_at_end,
            self.heap_peak_after_warmup
        );
        ensure!(
            self.pages_after_warmup == self.pages_at_end,
            "{instance}: guest memory grew from {} pages after the first 10% to {} pages at the end",
            self.pages_after_warmup,
            self.pages_at_end
        );
        Ok(())
    }
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "live heap {} bytes after 10%, {} bytes at the end (peak {}); memory {} pages after 10%, {} pages at the end",
            self.heap_after_warmup,
            self.heap_at_end,
            self.heap_peak_after_warmup,
            self.pages_after_warmup,
            self.pages_at_end,
        )
    }
}

impl Report {
    /// Requests per second of plugin time (`requests / plugin_time`).
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.plugin_time.as_secs_f64().max(1e-9)
    }

    /// Fails unless exactly `asked` requests were checked and the statuses
    /// add up to the same number.
    pub fn check_count(&self, asked: u64) -> Result<()> {
        let by_status: u64 = self.statuses.values().sum();
        ensure!(
            self.requests == asked && by_status == asked,
            "{}: {asked} requests asked for, {} checked ({by_status} by status)",
            self.plugin,
            self.requests
        );
        Ok(())
    }

    /// Fails unless the memory of every instance the soak served requests
    /// from did not grow after the warm-up ([`Memory::check_no_growth`]).
    pub fn check_no_growth(&self) -> Result<()> {
        self.memory.check_no_growth(self.plugin)?;
        if let Some(second) = &self.second_instance {
            second.check_no_growth(&format!("{} (second instance)", self.plugin))?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} requests, {:.2} s in plugin calls = {:.0} requests/s ({:.2} s wall with the host's checks); {}",
            self.plugin,
            self.requests,
            self.plugin_time.as_secs_f64(),
            self.rate(),
            self.elapsed.as_secs_f64(),
            self.memory,
        )?;
        if let Some(second) = &self.second_instance {
            write!(f, "; second instance: {second}")?;
        }
        write!(f, "; statuses {:?}", self.statuses)
    }
}

/// Counts the checked responses and times the plugin calls.
struct Meter {
    plugin: &'static str,
    done: u64,
    warmup: u64,
    statuses: BTreeMap<i32, u64>,
    plugin_time: Duration,
    started: Instant,
}

impl Meter {
    fn new(plugin: &'static str, total: u64) -> Meter {
        Meter {
            plugin,
            done: 0,
            warmup: total / 10,
            statuses: BTreeMap::new(),
            plugin_time: Duration::ZERO,
            started: Instant::now(),
        }
    }

    /// Runs one plugin call, adding its duration to the plugin time.
    fn time<T>(&mut self, call: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let result = call();
        self.plugin_time += start.elapsed();
        result
    }

    /// Counts one checked response; answers whether the warm-up (the first
    /// 10%) is over, this response included.
    fn count(&mut self, status: i32) -> bool {
        *self.statuses.entry(status).or_default() += 1;
        self.done += 1;
        self.done >= self.warmup.max(1)
    }

    fn finish(self, memory: Memory, second_instance: Option<Memory>) -> Report {
        Report {
            plugin: self.plugin,
            requests: self.done,
            plugin_time: self.plugin_time,
            elapsed: self.started.elapsed(),
            memory,
            second_instance,
            statuses: self.statuses,
        }
    }
}

/// Watches one instance's memory at the request boundaries it serves.
#[derive(Debug, Default)]
struct MemoryWatch {
    /// Pages and live heap bytes at the first boundary after the warm-up.
    after_warmup: Option<(u64, u64)>,
    peak: u64,
}

impl MemoryWatch {
    /// After a request `plugin` served: from the warm-up on, the first
    /// reading is the baseline and every later one can raise the peak.
    fn observe(&mut self, plugin: &mut Plugin, warmed_up: bool) -> Result<()> {
        if !warmed_up {
            return Ok(());
        }
        let heap = heap_live_bytes(plugin)?;
        match self.after_warmup {
            None => {
                self.after_warmup = Some((plugin.memory_pages(), heap));
                self.peak = heap;
            }
            Some(_) => self.peak = self.peak.max(heap),
        }
        Ok(())
    }

    /// The figures, with the end read from `plugin` now (the baseline too,
    /// if it served nothing after the warm-up).
    fn finish(self, plugin: &mut Plugin) -> Result<Memory> {
        let heap_at_end = heap_live_bytes(plugin)?;
        let pages_at_end = plugin.memory_pages();
        let (pages_after_warmup, heap_after_warmup) =
            self.after_warmup.unwrap_or((pages_at_end, heap_at_end));
        Ok(Memory {
            pages_after_warmup,
            pages_at_end,
            heap_after_warmup,
            heap_peak_after_warmup: self.peak.max(heap_at_end),
            heap_at_end,
        })
    }
}

// ---------------------------------------------------------------------- echo

/// The C template's echo: the largest body that fits the 8192-byte output
/// behind the 8-byte clock.
pub const ECHO_LARGEST_BODY: usize = 8192 - 8;

/// What the echo plugin must answer for `body` at clock `now` with output
/// capacity `capacity`: the clock (u64 LE) and the body, or status 7 and
/// nothing when that does not fit.
pub fn echo_expected(now: i64, body: &[u8], capacity: u32) -> Response {
    if 8 + body.len() > capacity as usize {
        return Response {
            status: 7,
            body: Vec::new(),
        };
    }
    let mut expected = now.to_le_bytes().to_vec();
    expected.extend_from_slice(body);
    Response {
        status: 0,
        body: expected,
    }
}

/// `requests` echo requests: bodies of 0..=8184 random bytes, random host
/// names of 0..=253 bytes, the clock moving forward.
pub fn soak_echo(wasm: &Path, requests: u64, seed: u64) -> Result<Report> {
    let mut rng = Rng::new(seed ^ 0xEC40);
    let mut now: i64 = 1_790_000_000_000;
    let mut plugin = Plugin::builder()
        .clock(Clock::Fixed(now))
        .load_file(wasm)
        .with_context(|| format!("loading {}", wasm.display()))?;
    plugin.init(b"soak-echo").context("echo init")?;
    let mut body = vec![0; ECHO_LARGEST_BODY];
    let mut meter = Meter::new("echo", requests);
    let mut memory = MemoryWatch::default();
    for i in 0..requests {
        let len = rng.index(ECHO_LARGEST_BODY);
        let body = &mut body[..len];
        rng.fill(body);
        let host_len = rng.index(host_harness::limits::MAX_HOST_LEN);
        let host = rng.host(host_len);
        now += rng.up_to(1_000) as i64;
        plugin.set_clock_ms(now);
        let response = meter
            .time(|| plugin.handle_request(body, &host))
            .with_context(|| format!("echo request {i} ({len} bytes)"))?;
        if response != echo_expected(now, body, 8192) {
            bail!(
                "echo request {i} (seed {seed}): {len}-byte body, host {host:?}: got status {} with {} bytes",
                response.status,
                response.body.len()
            );
        }
        let warmed_up = meter.count(response.status);
        memory.observe(&mut plugin, warmed_up)?;
        // The echo logs one line a request; the host keeps them.
        if i.is_multiple_of(1024) {
            plugin.clear_logs();
        }
    }
    Ok(meter.finish(memory.finish(&mut plugin)?, None))
}

// ---------------------------------------------------------------- key broker

/// The SKB1 protocol, modelled from `docs/key-broker-protocol.md` alone:
/// the status any byte string must get, and a client that opens responses.
/// The kinds of key-broker requests the soak mixes, one per status.
const KINDS: [u8; 9] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/// `requests` key-broker requests, about half valid (fresh client nonce,
/// pooled ephemeral key, allowed domain, client time within the skew), the
/// rest spread over every error status 1 to 8; the server clock moves
/// forward (crossing epochs) and every response is checked: successes are
/// opened and their content key verified, errors must be the right packet.
pub fn soak_key_broker(wasm: &Path, requests: u64, seed: u64, key_pool: usize) -> Result<Report> {
    use skb1::{ClientKey, Spec, Vector};

    let spec = Spec::vector();
    let vector = Vector::load();
    let mut rng = Rng::new(seed ^ 0x5EB1);
    let pool = ClientKey::pool(seed, key_pool.max(1), &spec.broker_key);
    let mut now: u64 = vector.u64("clock_now_ms");
    let load = || {
        Plugin::builder()
            .clock(Clock::Fixed(now as i64))
            .load_file(wasm)
            .with_context(|| format!("loading {}", wasm.display()))
    };
    let mut plugin = load()?;
    plugin
        .init(&vector.bytes("config"))
        .context("key broker init")?;
    // Status 1 needs a broker that was never initialised.
    let mut uninitialised = load()?;
    let full = Capacities::default();

    let mut meter = Meter::new("key-broker", requests);
    let mut memory = MemoryWatch::default();
    let mut uninitialised_memory = MemoryWatch::default();
    // Until `requests` responses were checked: a generated request the
    // model rejects as not what it was meant to be is skipped, not counted.
    let mut attempts: u64 = 0;
    while meter.done < requests {
        let i = attempts;
        attempts += 1;
        now += rng.up_to(60_000);
        plugin.set_clock_ms(now as i64);
        let key = &pool[(i as usize) % pool.len()];
        let mut nonce = [0; 16];
        rng.fill(&mut nonce);
        // Valid requests half the time, else one of the error kinds.
        let kind = if rng.chance(1, 2) {
            0
        } else {
            KINDS[1 + rng.index(KINDS.len() - 2)]
        };
        let domain = random_domain(&mut rng, &spec, kind == 4);
        let skew = spec.skew_ms;
        let mut time = now - skew + rng.up_to(2 * skew);
        let mut version = rng.up_to(u64::from(spec.active_version)) as u16;
        let mut request;
        match kind {
            2 => {
                request = skb1::request(&key.public, &nonce, time, version, &domain);
                malform(&mut rng, &mut request);
            }
            3 => {
                let mut bad = key.public;
                match rng.index(2) {
                    0 => bad[1 + rng.index(63)] ^= 1 << rng.index(7), // off the curve (almost surely)
                    1 => bad[0] = 0x02 + rng.index(1) as u8,          // compressed tag
                    _ => bad = [0; 65],                               // identity
                }
                request = skb1::request(&bad, &nonce, time, version, &domain);
            }
            5 => {
                let off = skew + 1 + rng.up_to(10 * skew);
                time = if rng.chance(1, 2) {
                    now + off
                } else {
                    now - off
                };
                request = skb1::request(&key.public, &nonce, time, version, &domain);
            }
            6 => {
                version = spec.active_version
                    + 1
                    + rng.up_to(u64::from(u16::MAX - spec.active_version - 1)) as u16;
                request = skb1::request(&key.public, &nonce, time, version, &domain);
            }
            _ => request = skb1::request(&key.public, &nonce, time, version, &domain),
        }
        let expected = match kind {
            1 | 7 | 8 => 0,
            k => k,
        };
        let oracle = spec.expected_status(&request, now);
        if kind == 3 && oracle == 0 {
            // A bit flip that stayed on the curve: vanishingly rare; skip it.
            continue;
        }
        ensure!(
            oracle == expected,
            "request {i} (seed {seed}): generated as kind {kind}, the model says {oracle}"
        );
        let context = || format!("key-broker request {i} (seed {seed}, kind {kind})");
        let response;
        match kind {
            1 => {
                response = meter
                    .time(|| uninitialised.handle_request(&request, ""))
                    .with_context(context)?;
                let nothing = Response {
                    status: 1,
                    body: Vec::new(),
                };
                ensure!(response == nothing, "{}: got {response:?}", context());
            }
            7 => {
                let mut small = full;
                small.response = rng.up_to(if expected == 0 { 87 } else { 7 }) as u32;
                plugin.set_capacities(small);
                response = meter
                    .time(|| plugin.handle_request(&request, ""))
                    .with_context(context)?;
                plugin.set_capacities(full);
                let nothing = Response {
                    status: 7,
                    body: Vec::new(),
                };
                ensure!(
                    response == nothing,
                    "{}: capacity {}: got {response:?}",
                    context(),
                    small.response
                );
            }
            8 => {
                plugin.fail_random(true);
                response = meter
                    .time(|| plugin.handle_request(&request, ""))
                    .with_context(context)?;
                plugin.fail_random(false);
                let failed = Response {
                    status: 8,
                    body: skb1::error_packet(8),
                };
                ensure!(response == failed, "{}: got {response:?}", context());
            }
            _ => {
                let host_len = rng.index(40);
                let host = rng.host(host_len);
                response = meter
                    .time(|| plugin.handle_request(&request, &host))
                    .with_context(context)?;
                spec.check(&request, now, response.status, &response.body, |k| {
                    (k == &key.public).then_some(key.shared)
                })
                .with_context(context)?;
            }
        }
        let warmed_up = meter.count(response.status);
        if kind == 1 {
            uninitialised_memory.observe(&mut uninitialised, warmed_up)?;
        } else {
            memory.observe(&mut plugin, warmed_up)?;
        }
        if i.is_multiple_of(1024) {
            plugin.clear_logs();
            uninitialised.clear_logs();
        }
    }
    Ok(meter.finish(
        memory.finish(&mut plugin)?,
        Some(uninitialised_memory.finish(&mut uninitialised)?),
    ))
}

/// A domain the vector's allow-list admits (`example.com` or a name under
/// `orbpro.test`, in random case), or one it refuses when `refused`.
fn random_domain(rng: &mut Rng, spec: &skb1::Spec, refused: bool) -> Vec<u8> {
    const LABEL: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-";
    let mut label: Vec<u8> = (0..1 + rng.index(20))
        .map(|_| LABEL[rng.index(LABEL.len() - 1)])
        .collect();
    let mut domain = if refused {
        match rng.index(3) {
            0 => b"orbpro.test".to_vec(),
            1 => [&label[..], b".example.com"].concat(),
            2 => [&label[..], b".orbpro.test.evil"].concat(),
            _ => {
                label.extend_from_slice(b".nope.test");
                label
            }
        }
    } else if rng.chance(1, 3) {
        b"example.com".to_vec()
    } else {
        [&label[..], b".orbpro.test"].concat()
    };
    for b in &mut domain {
        if rng.chance(1, 4) {
            b.make_ascii_uppercase();
        }
    }
    debug_assert_eq!(spec.allows(&domain.to_ascii_lowercase()), !refused);
    domain
}

/// Breaks one status-2 rule of a well-formed request.
fn malform(rng: &mut Rng, request: &mut Vec<u8>) {
    match rng.index(7) {
        0 => request.truncate(rng.index(request.len() - 1)), // cut short
        1 => {
            let len = 1 + rng.index(64); //                       trailing bytes
            let extra = rng.bytes(len);
            request.extend_from_slice(&extra);
        }
        2 => request[rng.index(3)] ^= 1 + rng.index(254) as u8, // magic
        3 => request[4] = [0x00, 0x02, 0x03, 0xFF][rng.index(3)], // type
        4 => request[5] = 1 + rng.index(254) as u8,             // flags
        5 => {
            // D says one thing, the packet another (or D = 0).
            let d = request[97];
            request[97] = if rng.chance(1, 3) {
                0
            } else {
                d.wrapping_add(1 + rng.index(10) as u8)
            };
        }
        6 => {
            // A byte outside letters, digits, '-', '.', ':'.
            const BAD: &[u8] = b" /_@!*,\x00\x7f\xc3\xa9";
            let at = skb1::FIXED_LEN + rng.index(request.len() - skb1::FIXED_LEN - 1);
            request[at] = BAD[rng.index(BAD.len() - 1)];
        }
        _ => {
            let cut = skb1::FIXED_LEN - 1 - rng.index(skb1::FIXED_LEN - 1);
            request.truncate(cut);
        }
    }
}

// ------------------------------------------------------------- leak check

/// `requests` empty requests to any `heap-stats` plugin, measured like the
/// soaks (warm-up, live heap at every boundary), responses unchecked: how
/// the tests prove [`Report::check_no_growth`] reports a leak.
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "only the tests' leak check calls it")
)]
pub fn soak_unchecked(wasm: &Path, name: &'static str, requests: u64) -> Result<Report> {
    let mut plugin =
        Plugin::load_file(wasm).with_context(|| format!("loading {}", wasm.display()))?;
    plugin.init(b"").with_context(|| format!("{name} init"))?;
    let mut meter = Meter::new(name, requests);
    let mut memory = MemoryWatch::default();
    for i in 0..requests {
        let response = meter
            .time(|| plugin.handle_request(b"", ""))
            .with_context(|| format!("{name} request {i}"))?;
        let warmed_up = meter.count(response.status);
        memory.observe(&mut plugin, warmed_up)?;
    }
    Ok(meter.finish(memory.finish(&mut plugin)?, None))
}
