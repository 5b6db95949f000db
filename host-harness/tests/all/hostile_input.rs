//! No input breaks a plugin: every truncation, every single-byte change and
//! random extensions of the test vector's request, and 100,000 random byte
//! strings of 0..=16384 bytes, sent to the key broker and the echo. Each
//! gets the status its spec gives it (the key broker's is computed by the
//! protocol model in the `skb1` crate, written from the spec alone);
//! `out_len` is always written (the harness fails the call with
//! `BadLength` otherwise); nothing traps; and a valid request afterwards
//! still gets the exact expected answer (the state was not disturbed).

use host_harness::{Clock, Plugin, RandomFallback, Response};
use p256::{PublicKey, SecretKey};

use crate::soak::driver::{ECHO_LARGEST_BODY, Rng, echo_expected};
use crate::support;
use skb1::{Spec, Vector};

/// Random strings sent to each example.
const RANDOM_STRINGS: usize = 100_000;
/// Their longest length: the server takes request bodies up to 16 KiB.
const RANDOM_MAX_LEN: usize = 16_384;

/// The key broker with the vector's config and clock.
struct Broker {
    plugin: Plugin,
    spec: Spec,
    vector: Vector,
    now: u64,
    /// ECDH(vector client key, broker key): opens responses to the vector's
    /// client key, whatever the nonce, time, version or domain.
    shared: [u8; 32],
    client_key: [u8; 65],
}

impl Broker {
    fn new() -> Broker {
        let vector = Vector::load();
        let now = vector.u64("clock_now_ms");
        let mut plugin = support::load_example(
            "key-broker",
            Plugin::builder()
                .clock(Clock::Fixed(i64::try_from(now).unwrap()))
                .random_fallback(RandomFallback::Seeded(7)),
        );
        plugin.init(&vector.bytes("config")).unwrap();
        let spec = Spec::vector();
        let client = SecretKey::from_slice(&vector.bytes("client_private_key")).unwrap();
        let broker_key = PublicKey::from_sec1_bytes(&spec.broker_key).unwrap();
        let shared: [u8; 32] = (*client.diffie_hellman(&broker_key).raw_secret_bytes()).into();
        let client_key = vector.bytes("client_public_key").try_into().unwrap();
        Broker {
            plugin,
            spec,
            vector,
            now,
            shared,
            client_key,
        }
    }

    /// Sends `request` and checks the response against the spec model.
    fn check(&mut self, request: &[u8], what: &dyn Fn() -> String) {
        let response = self
            .plugin
            .handle_request(request, "keys.example")
            .unwrap_or_else(|e| panic!("{}: {e}", what()));
        let (shared, client_key) = (self.shared, self.client_key);
        self.spec
            .check(request, self.now, response.status, &response.body, |key| {
                (key == &client_key).then_some(shared)
            })
            .unwrap_or_else(|e| panic!("{}: {e:#}", what()));
    }

    /// The vector's request, with the vector's server nonce: the response
    /// must be the vector's, byte for byte.
    fn canary(&mut self) {
        self.plugin
            .script_random(&self.vector.bytes("server_nonce_from_random_bytes"));
        let response = self
            .plugin
            .handle_request(&self.vector.bytes("request"), "keys.example")
            .unwrap();
        assert_eq!(
            response,
            Response {
                status: 0,
                body: self.vector.bytes("response")
            },
            "the vector request after hostile input"
        );
        assert_eq!(self.plugin.scripted_random_remaining(), 0);
        self.plugin.clear_logs();
    }
}

#[test]
fn every_truncation_of_the_vector_request_is_malformed() {
    let mut broker = Broker::new();
    let request = broker.vector.bytes("request");
    for len in 0..request.len() {
        assert_eq!(broker.spec.expected_status(&request[..len], broker.now), 2);
        broker.check(&request[..len], &|| format!("truncated to {len} bytes"));
        broker.canary();
    }
}

#[test]
fn every_single_byte_change_of_the_vector_request() {
    let mut broker = Broker::new();
    let request = broker.vector.bytes("request");
    let mut seen = [0usize; 9];
    for at in 0..request.len() {
        for value in 0..=255u8 {
            if value == request[at] {
                continue;
            }
            let mut changed = request.clone();
            changed[at] = value;
            seen[usize::from(broker.spec.expected_status(&changed, broker.now))] += 1;
            broker.check(&changed, &|| format!("byte {at} = {value:#04x}"));
        }
        broker.canary();
    }
    println!("single-byte changes by expected status: {seen:?}");
    // The changes reach every check of the request path.
    for status in [0, 2, 3, 4, 5, 6] {
        assert!(seen[status] > 0, "no change gave status {status}: {seen:?}");
    }
}

#[test]
fn random_extensions_of_the_vector_request_are_malformed() {
    let mut broker = Broker::new();
    let request = broker.vector.bytes("request");
    let mut rng = Rng::new(0xE7E4D);
    for i in 0..1_000 {
        let len = 1 + rng.index(if i % 10 == 0 { 16_000 } else { 63 });
        let mut extended = request.clone();
        extended.extend_from_slice(&rng.bytes(len));
        broker.check(&extended, &|| format!("extended by {len} bytes (#{i})"));
        if i % 100 == 0 {
            broker.canary();
        }
    }
    broker.canary();
}

/// A random string; a third of them start like a key request (magic, type,
/// flags) and a sixth also have a consistent domain length, so the checks
/// past the header get random input too.
fn random_string(rng: &mut Rng) -> Vec<u8> {
    let len = rng.index(RANDOM_MAX_LEN);
    let mut bytes = rng.bytes(len);
    match rng.index(5) {
        0 | 1 if bytes.len() >= 6 => bytes[..6].copy_from_slice(b"SKB1\x01\x00"),
        2 => {
            let domain_len = 1 + rng.index(252);
            bytes.resize(skb1::FIXED_LEN + domain_len, 0);
            bytes[..6].copy_from_slice(b"SKB1\x01\x00");
            bytes[97] = domain_len as u8;
        }
        _ => {}
    }
    bytes
}

#[test]
fn random_strings_get_their_specified_status_from_both_examples() {
    let mut broker = Broker::new();
    let now = 1_790_000_000_777;
    let mut echo = support::load_example("echo", Plugin::builder().clock(Clock::Fixed(now)));
    echo.init(b"hostile").unwrap();
    let mut rng = Rng::new(0x0105_711E);
    let mut statuses = std::collections::BTreeMap::<(&str, i32), usize>::new();
    let started = std::time::Instant::now();
    for i in 0..RANDOM_STRINGS {
        let bytes = random_string(&mut rng);
        broker.check(&bytes, &|| {
            format!("random string #{i} ({} bytes)", bytes.len())
        });
        let response = echo
            .handle_request(&bytes, "hostile.example")
            .unwrap_or_else(|e| panic!("echo, random string #{i}: {e}"));
        assert_eq!(
            response,
            echo_expected(now, &bytes, 8192),
            "echo, random string #{i} ({} bytes)",
            bytes.len()
        );
        *statuses.entry(("echo", response.status)).or_default() += 1;
        if i % 1_000 == 0 {
            broker.canary();
            echo.clear_logs();
        }
    }
    println!(
        "{RANDOM_STRINGS} random strings to each example in {:.1} s; echo statuses {statuses:?}",
        started.elapsed().as_secs_f64()
    );
    broker.canary();
    assert_eq!(
        echo.handle_request(b"still here", "").unwrap(),
        echo_expected(now, b"still here", 8192)
    );
    // Both sides of the echo's 8184-byte limit came up.
    assert!(statuses[&("echo", 0)] > 0 && statuses[&("echo", 7)] > 0);
    let largest = vec![0x5A; ECHO_LARGEST_BODY];
    assert_eq!(echo.handle_request(&largest, "").unwrap().status, 0);
}
