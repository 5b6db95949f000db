//! The soak driver: floods the echo and key-broker examples with requests
//! through the harness and checks every response against the specs
//! (`docs/host-abi.md` for echo, `docs/key-broker-protocol.md` for SKB1).
//!
//! Shared by the `soak` example (`cargo xtask soak`, release build) and the
//! reduced run in `tests/all/soak.rs` (`cargo test`), which includes this
//! file with `#[path]`; `tests/all/hostile_input.rs` reuses [`skb1`], the
//! protocol model that tells the status any byte string must get.
//!
//! Everything is seeded: a failing run is replayed with the same seed.
//!
//! Memory: the guest's size in pages is read after the first 10% of the
//! requests and at the end; they must be equal (zero growth).
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
    /// Requests sent (every one checked).
    pub requests: u64,
    /// Wall time of the request loop.
    pub elapsed: Duration,
    /// Guest memory in pages after the first 10% of the requests.
    pub pages_after_warmup: u64,
    /// Guest memory in pages at the end.
    pub pages_at_end: u64,
    /// How many responses had each status.
    pub statuses: BTreeMap<i32, u64>,
}

impl Report {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Fails unless memory did not grow after the warm-up.
    pub fn check_no_growth(&self) -> Result<()> {
        ensure!(
            self.pages_after_warmup == self.pages_at_end,
            "{}: guest memory grew from {} pages after the first 10% to {} pages at the end",
            self.plugin,
            self.pages_after_warmup,
            self.pages_at_end
        );
        Ok(())
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} requests in {:.2} s = {:.0} requests/s; memory {} pages after 10%, {} pages at the end; statuses {:?}",
            self.plugin,
            self.requests,
            self.elapsed.as_secs_f64(),
            self.rate(),
            self.pages_after_warmup,
            self.pages_at_end,
            self.statuses
        )
    }
}

/// Counts requests and reads the page count once 10% are done.
struct Meter {
    plugin: &'static str,
    done: u64,
    warmup: u64,
    pages_after_warmup: Option<u64>,
    statuses: BTreeMap<i32, u64>,
    started: Instant,
}

impl Meter {
    fn new(plugin: &'static str, total: u64) -> Meter {
        Meter {
            plugin,
            done: 0,
            warmup: total / 10,
            pages_after_warmup: None,
            statuses: BTreeMap::new(),
            started: Instant::now(),
        }
    }

    fn count(&mut self, plugin: &Plugin, status: i32) {
        *self.statuses.entry(status).or_default() += 1;
        self.done += 1;
        if self.done == self.warmup.max(1) {
            self.pages_after_warmup = Some(plugin.memory_pages());
        }
    }

    fn finish(self, plugin: &Plugin) -> Report {
        Report {
            plugin: self.plugin,
            requests: self.done,
            elapsed: self.started.elapsed(),
            pages_after_warmup: self
                .pages_after_warmup
                .unwrap_or_else(|| plugin.memory_pages()),
            pages_at_end: plugin.memory_pages(),
            statuses: self.statuses,
        }
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
    for i in 0..requests {
        let len = rng.index(ECHO_LARGEST_BODY);
        let body = &mut body[..len];
        rng.fill(body);
        let host_len = rng.index(host_harness::limits::MAX_HOST_LEN);
        let host = rng.host(host_len);
        now += rng.up_to(1_000) as i64;
        plugin.set_clock_ms(now);
        let response = plugin
            .handle_request(body, &host)
            .with_context(|| format!("echo request {i} ({len} bytes)"))?;
        if response != echo_expected(now, body, 8192) {
            bail!(
                "echo request {i} (seed {seed}): {len}-byte body, host {host:?}: got status {} with {} bytes",
                response.status,
                response.body.len()
            );
        }
        meter.count(&plugin, response.status);
        // The echo logs one line a request; the host keeps them.
        if i % 1024 == 0 {
            plugin.clear_logs();
        }
    }
    Ok(meter.finish(&plugin))
}

// ---------------------------------------------------------------- key broker

/// The SKB1 protocol, modelled from `docs/key-broker-protocol.md` alone:
/// the status any byte string must get, and a client that opens responses.
pub mod skb1 {
    use aes_gcm::Aes256Gcm;
    use aes_gcm::aead::inout::InOutBuf;
    use aes_gcm::aead::{AeadInOut, KeyInit, Nonce, Tag};
    use anyhow::{Result, bail, ensure};
    use hkdf::Hkdf;
    use host_harness::Response;
    use p256::elliptic_curve::sec1::ToSec1Point;
    use p256::{PublicKey, SecretKey};
    use serde_json::Value;
    use sha2::{Digest, Sha256};

    /// The independent test vector.
    pub const VECTOR: &str =
        include_str!("../../../examples/key-broker/tests/data/key-broker-vector.json");

    /// Request length without the domain.
    pub const FIXED_LEN: usize = 98;
    /// Success response length.
    pub const RESPONSE_LEN: usize = 88;

    /// The vector, field by field.
    pub struct Vector(Value);

    impl Vector {
        /// Parses [`VECTOR`].
        pub fn load() -> Vector {
            Vector(serde_json::from_str(VECTOR).expect("the vector is JSON"))
        }

        /// A hex field.
        pub fn bytes(&self, field: &str) -> Vec<u8> {
            hex::decode(self.0[field].as_str().expect("a hex field")).expect("valid hex")
        }

        /// A number field.
        pub fn u64(&self, field: &str) -> u64 {
            self.0[field].as_u64().expect("a number field")
        }

        /// A text field.
        pub fn str(&self, field: &str) -> &str {
            self.0[field].as_str().expect("a text field")
        }
    }

    /// The 8-byte error packet for `status`.
    pub fn error_packet(status: u8) -> Vec<u8> {
        vec![b'S', b'K', b'B', b'1', 0x03, status, 0, 0]
    }

    /// What a broker's config promises, as the spec states it.
    pub struct Spec {
        /// The derivation secret.
        pub secret: Vec<u8>,
        /// The broker's public key, uncompressed SEC1.
        pub broker_key: [u8; 65],
        /// Allow-list entries, trimmed and lower-cased.
        pub domains: Vec<Vec<u8>>,
        /// Epoch period.
        pub epoch_ms: u64,
        /// Max clock skew.
        pub skew_ms: u64,
        /// Lease.
        pub lease_ms: u64,
        /// Active key version.
        pub active_version: u16,
    }

    impl Spec {
        /// The vector's config.
        pub fn vector() -> Spec {
            let vector = Vector::load();
            Spec {
                secret: vector.str("derivation_secret_ascii").as_bytes().to_vec(),
                broker_key: vector
                    .bytes("server_public_key")
                    .try_into()
                    .expect("65 bytes"),
                domains: vector
                    .str("allowed_domains_csv")
                    .split(',')
                    .map(|d| d.trim().to_ascii_lowercase().into_bytes())
                    .filter(|d| !d.is_empty())
                    .collect(),
                epoch_ms: vector.u64("epoch_period_ms"),
                skew_ms: vector.u64("max_skew_ms"),
                lease_ms: vector.u64("lease_ms"),
                active_version: u16::try_from(vector.u64("active_key_version"))
                    .expect("a u16 version"),
            }
        }

        /// Whether the allow-list admits a lower-cased domain.
        pub fn allows(&self, domain: &[u8]) -> bool {
            self.domains.iter().any(|entry| match entry.split_first() {
                Some((b'*', suffix)) if suffix.first() == Some(&b'.') => {
                    domain.len() > suffix.len()
                        && domain.ends_with(suffix)
                        && domain[domain.len() - suffix.len() - 1] != b'.'
                }
                _ => entry[..] == *domain,
            })
        }

        /// The status the spec gives `request` at server time `now`, with
        /// an output buffer that holds the response (checks 2 to 6 in
        /// order; 0 = success).
        pub fn expected_status(&self, request: &[u8], now: u64) -> u8 {
            let Some(domain) = well_formed(request) else {
                return 2;
            };
            let key: &[u8; 65] = request[8..73].try_into().expect("65 bytes");
            if !is_uncompressed_point(key) {
                return 3;
            }
            if !self.allows(&domain.to_ascii_lowercase()) {
                return 4;
            }
            let time = u64::from_le_bytes(request[89..97].try_into().expect("8 bytes"));
            if time.abs_diff(now) > self.skew_ms {
                return 5;
            }
            let version = u16::from_le_bytes([request[6], request[7]]);
            if version > self.active_version {
                return 6;
            }
            0
        }

        /// The content key this broker hands out (see [`content_key`]).
        pub fn content_key(&self, domain: &[u8], version: u16, epoch: u64) -> [u8; 32] {
            content_key(&self.secret, domain, version, epoch)
        }

        /// Checks a response to `request` at server time `now` (output
        /// capacity large enough): the error packet of the expected status,
        /// or a success whose header is right and which opens, with the
        /// ECDH secret `shared` of the request's client key, to the right
        /// content key. `shared` returns `None` for a key the caller holds
        /// no private key for; a success for such a key is an error.
        pub fn check(
            &self,
            request: &[u8],
            now: u64,
            response: &Response,
            shared: impl FnOnce(&[u8; 65]) -> Option<[u8; 32]>,
        ) -> Result<()> {
            let expected = self.expected_status(request, now);
            ensure!(
                response.status == i32::from(expected),
                "status {} where the spec says {expected} (body {:02x?})",
                response.status,
                response.body
            );
            if expected != 0 {
                ensure!(
                    response.body == error_packet(expected),
                    "status {expected} with body {:02x?}",
                    response.body
                );
                return Ok(());
            }
            let body = &response.body;
            ensure!(
                body.len() == RESPONSE_LEN,
                "success of {} bytes",
                body.len()
            );
            let requested = u16::from_le_bytes([request[6], request[7]]);
            let version = if requested == 0 {
                self.active_version
            } else {
                requested
            };
            let epoch = now / self.epoch_ms;
            ensure!(&body[..6] == b"SKB1\x02\x00", "header {:02x?}", &body[..6]);
            ensure!(body[6..8] == version.to_le_bytes(), "version used");
            ensure!(body[24..32] == epoch.to_le_bytes(), "epoch");
            ensure!(
                body[32..40] == (now + self.lease_ms).to_le_bytes(),
                "not-after"
            );
            let key: &[u8; 65] = request[8..73].try_into().expect("65 bytes");
            let Some(shared) = shared(key) else {
                bail!("a success for a client key with no known private key");
            };
            let domain = &request[FIXED_LEN..];
            let client_nonce: &[u8; 16] = request[73..89].try_into().expect("16 bytes");
            let opened = open(&shared, client_nonce, domain, body)?;
            ensure!(
                opened == self.content_key(domain, version, epoch),
                "the sealed content key is not the derivation's"
            );
            Ok(())
        }
    }

    /// The domain of a request that passes every status-2 check.
    fn well_formed(request: &[u8]) -> Option<&[u8]> {
        if request.len() < FIXED_LEN
            || &request[..4] != b"SKB1"
            || request[4] != 0x01
            || request[5] != 0x00
        {
            return None;
        }
        let len = usize::from(request[97]);
        if !(1..=253).contains(&len) || request.len() != FIXED_LEN + len {
            return None;
        }
        let domain = &request[FIXED_LEN..];
        domain
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'))
            .then_some(domain)
    }

    /// content_key = HKDF-SHA256(IKM = secret, salt = "SKB1/content",
    /// info = lower(domain) ‖ 0 ‖ version u16 LE ‖ epoch u64 LE, L = 32).
    pub fn content_key(secret: &[u8], domain: &[u8], version: u16, epoch: u64) -> [u8; 32] {
        let info = [
            &domain.to_ascii_lowercase()[..],
            &[0],
            &version.to_le_bytes(),
            &epoch.to_le_bytes(),
        ]
        .concat();
        let mut key = [0; 32];
        Hkdf::<Sha256>::new(Some(b"SKB1/content"), secret)
            .expand(&info, &mut key)
            .expect("32 bytes is a valid HKDF length");
        key
    }

    /// An uncompressed SEC1 encoding of a point on P-256 (not the identity).
    pub fn is_uncompressed_point(key: &[u8; 65]) -> bool {
        key[0] == 0x04 && PublicKey::from_sec1_bytes(key).is_ok()
    }

    /// Opens a success response with the ECDH secret `shared`: HKDF with
    /// salt client nonce ‖ server nonce, AES-256-GCM with the header as AAD.
    pub fn open(
        shared: &[u8; 32],
        client_nonce: &[u8; 16],
        domain: &[u8],
        response: &[u8],
    ) -> Result<[u8; 32]> {
        ensure!(response.len() == RESPONSE_LEN, "not a success response");
        let salt = [&client_nonce[..], &response[8..24]].concat();
        let info = [&b"SKB1/wrap"[..], &[0], &domain.to_ascii_lowercase()].concat();
        let mut okm = [0; 44];
        Hkdf::<Sha256>::new(Some(&salt), shared)
            .expand(&info, &mut okm)
            .expect("44 bytes is a valid HKDF length");
        let cipher = Aes256Gcm::new_from_slice(&okm[..32]).expect("a 32-byte key");
        let nonce = Nonce::<Aes256Gcm>::try_from(&okm[32..]).expect("a 12-byte nonce");
        let tag = Tag::<Aes256Gcm>::try_from(&response[72..]).expect("a 16-byte tag");
        let mut key = [0; 32];
        key.copy_from_slice(&response[40..72]);
        if cipher
            .decrypt_inout_detached(&nonce, &response[..40], InOutBuf::from(&mut key[..]), &tag)
            .is_err()
        {
            bail!("the response does not open with the client's key");
        }
        Ok(key)
    }

    /// An ephemeral client key and its ECDH secret with the broker.
    #[derive(Clone)]
    pub struct ClientKey {
        /// Uncompressed SEC1 public key.
        pub public: [u8; 65],
        /// ECDH(client private key, broker public key): 32 bytes.
        pub shared: [u8; 32],
    }

    impl ClientKey {
        /// From a private key and the broker's public key.
        pub fn new(secret: &SecretKey, broker_key: &[u8; 65]) -> ClientKey {
            let broker = PublicKey::from_sec1_bytes(broker_key).expect("the broker's key");
            let shared = secret.diffie_hellman(&broker);
            ClientKey {
                public: secret
                    .public_key()
                    .to_sec1_point(false)
                    .as_bytes()
                    .try_into()
                    .expect("65 bytes"),
                shared: (*shared.raw_secret_bytes()).into(),
            }
        }

        /// The `i`th key of the seeded pool: scalar SHA-256(label ‖ seed ‖ i),
        /// skipping the (astronomically rare) digests that are no scalar.
        pub fn pool(seed: u64, size: usize, broker_key: &[u8; 65]) -> Vec<ClientKey> {
            (0u64..)
                .filter_map(|i| {
                    let digest = Sha256::new()
                        .chain_update(b"sdn-pdk soak key")
                        .chain_update(seed.to_le_bytes())
                        .chain_update(i.to_le_bytes())
                        .finalize();
                    SecretKey::from_slice(&digest).ok()
                })
                .take(size)
                .map(|secret| ClientKey::new(&secret, broker_key))
                .collect()
        }
    }

    /// An SKB1 key request, field by field.
    pub fn request(
        key: &[u8; 65],
        nonce: &[u8; 16],
        time: u64,
        version: u16,
        domain: &[u8],
    ) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(FIXED_LEN + domain.len());
        bytes.extend_from_slice(b"SKB1"); //                magic
        bytes.push(0x01); //                                type
        bytes.push(0x00); //                                flags
        bytes.extend_from_slice(&version.to_le_bytes()); // key version
        bytes.extend_from_slice(key); //                    client key
        bytes.extend_from_slice(nonce); //                  client nonce
        bytes.extend_from_slice(&time.to_le_bytes()); //    client time
        bytes.push(domain.len() as u8); //                  D (callers may lie)
        bytes.extend_from_slice(domain); //                 domain
        bytes
    }
}

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
    for i in 0..requests {
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
                response = uninitialised
                    .handle_request(&request, "")
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
                response = plugin.handle_request(&request, "").with_context(context)?;
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
                response = plugin.handle_request(&request, "").with_context(context)?;
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
                response = plugin
                    .handle_request(&request, &host)
                    .with_context(context)?;
                spec.check(&request, now, &response, |k| {
                    (k == &key.public).then_some(key.shared)
                })
                .with_context(context)?;
            }
        }
        meter.count(&plugin, response.status);
        if i % 1024 == 0 {
            plugin.clear_logs();
        }
    }
    Ok(meter.finish(&plugin))
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
