//! `examples/key-broker` as the server runs it: `target/plugins/key-broker.wasm`
//! against the independent SKB1 test vector, a native client that opens the
//! responses (P-256 ECDH, HKDF-SHA256, AES-256-GCM), and every status.

// size budget: see xtask check (`cargo xtask check` enforces the plugin's
// size; it is not asserted here while the module is being slimmed down).

use host_harness::{Capacities, Clock, HarnessError, Plugin, Response};
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use sha2::{Digest, Sha256};

use crate::support::{self, Interface};
use skb1::{Vector, error_packet};

const SECRET: &[u8] = b"correct horse battery staple";
/// The vector's epoch period: one hour (also the default).
const HOUR: u64 = 3_600_000;
/// The vector's max clock skew.
const SKEW: u64 = 300_000;
/// The vector's lease.
const LEASE: u64 = 600_000;

/// The vector's server clock.
fn vector_now() -> u64 {
    Vector::load().u64("clock_now_ms")
}

/// The broker, loaded with the clock at the vector's `clock_now_ms`, not
/// initialised.
fn broker() -> Plugin {
    let now = vector_now();
    support::load_example(
        "key-broker",
        Plugin::builder().clock(Clock::Fixed(i64::try_from(now).unwrap())),
    )
}

/// The broker initialised with the vector's config.
fn vector_broker() -> Plugin {
    let mut plugin = broker();
    plugin.init(&Vector::load().bytes("config")).unwrap();
    plugin
}

/// A config with the vector's key pair and secret, other domains and
/// settings (zeros = defaults).
fn config(domains: &str, timing: [u64; 3], version: Option<u32>) -> Vec<u8> {
    Vector::load().config_with(domains, timing, version)
}

// ------------------------------------------------------------ the native client

/// An ephemeral client: a P-256 key from a fixed seed (SHA-256 of a label as
/// the scalar) and a client nonce.
struct Client {
    key: SecretKey,
    nonce: [u8; 16],
}

impl Client {
    fn new(label: &str) -> Client {
        Client {
            key: SecretKey::from_slice(&Sha256::digest(label.as_bytes())).unwrap(),
            nonce: Sha256::digest(format!("{label}/nonce"))[..16]
                .try_into()
                .unwrap(),
        }
    }

    fn public_key(&self) -> [u8; 65] {
        self.key
            .public_key()
            .to_sec1_point(false)
            .as_bytes()
            .try_into()
            .unwrap()
    }

    fn request(&self, time: u64, version: u16, domain: &[u8]) -> Vec<u8> {
        skb1::request(&self.public_key(), &self.nonce, time, version, domain)
    }

    /// Opens a success response: ECDH with the broker's public key, HKDF,
    /// AES-256-GCM with the 40-byte header as AAD. Panics if it does not open.
    fn open(&self, broker_key: &[u8], domain: &[u8], response: &[u8]) -> [u8; 32] {
        let server = PublicKey::from_sec1_bytes(broker_key).unwrap();
        let shared: [u8; 32] = (*self.key.diffie_hellman(&server).raw_secret_bytes()).into();
        skb1::open(&shared, &self.nonce, domain, response).unwrap_or_else(|e| panic!("{e:#}"))
    }
}

/// The content key the broker must hand out, derived with the vector's secret.
fn content_key(domain: &[u8], version: u16, epoch: u64) -> [u8; 32] {
    skb1::content_key(SECRET, domain, version, epoch)
}

/// What a broker's config says about its responses.
#[derive(Clone, Copy)]
struct Settings {
    active_version: u16,
    lease_ms: u64,
}

/// The vector config's.
const VECTOR_SETTINGS: Settings = Settings {
    active_version: 1,
    lease_ms: LEASE,
};

/// [`fetch_key_from`] a broker with the vector's config.
fn fetch_key(plugin: &mut Plugin, label: &str, now: u64, version: u16, domain: &[u8]) -> [u8; 32] {
    fetch_key_from(plugin, VECTOR_SETTINGS, label, now, version, domain)
}

/// One request at server time `now` from a fresh client: checks the header,
/// opens the response and checks the content key against the derivation.
/// Returns the opened key.
fn fetch_key_from(
    plugin: &mut Plugin,
    settings: Settings,
    label: &str,
    now: u64,
    version: u16,
    domain: &[u8],
) -> [u8; 32] {
    let client = Client::new(label);
    let server_nonce: [u8; 16] = Sha256::digest(format!("{label}/server"))[..16]
        .try_into()
        .unwrap();
    plugin.set_clock_ms(i64::try_from(now).unwrap());
    plugin.script_random(&server_nonce);
    let response = plugin
        .handle_request(&client.request(now, version, domain), "keys.example")
        .unwrap();
    assert_eq!(response.status, 0, "{label}: {:?}", response.body);
    assert_eq!(plugin.scripted_random_remaining(), 0, "the nonce was drawn");
    let body = &response.body;
    assert_eq!(body.len(), 88);
    let served = if version == 0 {
        settings.active_version
    } else {
        version
    };
    let epoch = now / HOUR;
    assert_eq!(&body[..6], b"SKB1\x02\x00"); //             magic, type, status
    assert_eq!(body[6..8], served.to_le_bytes()); //         version used
    assert_eq!(body[8..24], server_nonce); //                server nonce
    assert_eq!(body[24..32], epoch.to_le_bytes()); //        epoch
    assert_eq!(body[32..40], (now + settings.lease_ms).to_le_bytes()); // not-after
    let broker_key = plugin.public_key().unwrap();
    let key = client.open(&broker_key, domain, body);
    assert_eq!(key, content_key(domain, served, epoch), "{label}");
    key
}

// ------------------------------------------------------------------ the vector

#[test]
fn imports_only_sdn_and_exports_the_templates() {
    let interface = Interface::of(&support::read(&support::example_path("key-broker")));
    interface.assert_imports_only_sdn();
    // The key broker opts into the manifest accessors (`manifest_exports`).
    support::assert_plugin_exports_with(
        &interface,
        &[
            "plugin_get_manifest_flatbuffer",
            "plugin_get_manifest_flatbuffer_size",
        ],
    );
}

#[test]
fn vector_response_byte_for_byte() {
    let vector = Vector::load();
    let mut plugin = vector_broker();
    plugin.script_random(&vector.bytes("server_nonce_from_random_bytes"));
    let response = plugin
        .handle_request(&vector.bytes("request"), "keys.example")
        .unwrap();
    assert_eq!(
        response,
        Response {
            status: 0,
            body: vector.bytes("response")
        }
    );
    assert_eq!(plugin.scripted_random_remaining(), 0);
}

#[test]
fn vector_metadata_and_public_key() {
    let vector = Vector::load();
    let mut plugin = vector_broker();
    assert_eq!(plugin.metadata().unwrap(), vector.bytes("metadata"));
    assert_eq!(
        plugin.public_key().unwrap(),
        vector.bytes("server_public_key")
    );
}

#[test]
fn vector_response_opens_to_the_vectors_content_key() {
    let vector = Vector::load();
    let mut plugin = vector_broker();
    plugin.script_random(&vector.bytes("server_nonce_from_random_bytes"));
    let request = vector.bytes("request");
    let response = plugin.handle_request(&request, "").unwrap();
    let client = Client {
        key: SecretKey::from_slice(&vector.bytes("client_private_key")).unwrap(),
        nonce: request[73..89].try_into().unwrap(),
    };
    assert_eq!(client.public_key()[..], vector.bytes("client_public_key"));
    let key = client.open(
        &vector.bytes("server_public_key"),
        b"App.OrbPro.Test",
        &response.body,
    );
    assert_eq!(key[..], vector.bytes("content_key"));
    assert_eq!(key, content_key(b"app.orbpro.test", 1, vector.u64("epoch")));
}

// ------------------------------------------------------------------ a client

#[test]
fn fresh_clients_open_keys_for_allowed_domains() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let domains: [&[u8]; 6] = [
        b"example.com",
        b"EXAMPLE.com",
        b"app.orbpro.test",
        b"App.OrbPro.TEST",
        b"a.b.orbpro.test",
        b"x-1.orbpro.test",
    ];
    for (i, domain) in domains.into_iter().enumerate() {
        fetch_key(
            &mut plugin,
            &format!("client {i}"),
            now + i as u64,
            0,
            domain,
        );
    }
    // Version 1 asked for explicitly is the active version's key.
    let explicit = fetch_key(&mut plugin, "explicit", now, 1, b"example.com");
    let active = fetch_key(&mut plugin, "active", now, 0, b"example.com");
    assert_eq!(explicit, active);
}

#[test]
fn one_key_per_domain_and_epoch() {
    let mut plugin = vector_broker();
    let start = (vector_now() / HOUR) * HOUR;
    let a = fetch_key(&mut plugin, "a", start, 0, b"example.com");
    let b = fetch_key(&mut plugin, "b", start + HOUR - 1, 0, b"Example.COM");
    assert_eq!(a, b, "same epoch, same key, whoever asks");
    let next = fetch_key(&mut plugin, "c", start + HOUR, 0, b"example.com");
    assert_ne!(a, next, "the next epoch has another key");
    let previous = fetch_key(&mut plugin, "d", start - 1, 0, b"example.com");
    assert_ne!(a, previous, "the previous epoch has another key");
    assert_ne!(next, previous);
    let other = fetch_key(&mut plugin, "e", start, 0, b"app.orbpro.test");
    assert_ne!(a, other, "another domain has another key");
}

// ------------------------------------------------------------------ statuses

fn status(plugin: &mut Plugin, request: &[u8]) -> i32 {
    let response = plugin.handle_request(request, "keys.example").unwrap();
    if response.status == 0 {
        assert_eq!(response.body.len(), 88);
    } else {
        let code = u8::try_from(response.status).unwrap();
        assert_eq!(response.body, error_packet(code), "status {code}");
    }
    response.status
}

#[test]
fn status_1_before_init() {
    let vector = Vector::load();
    let mut plugin = broker();
    assert_eq!(
        plugin.handle_request(&vector.bytes("request"), "").unwrap(),
        Response {
            status: 1,
            body: Vec::new()
        }
    );
    assert_eq!(plugin.public_key(), Err(HarnessError::Status(-1)));
    assert_eq!(plugin.metadata(), Err(HarnessError::Status(-1)));
    // A failed first init leaves it uninitialised.
    let config = vector.bytes("config");
    assert_eq!(
        plugin.init(&config[..100]),
        Err(HarnessError::Status(2)),
        "truncated config"
    );
    assert_eq!(plugin.handle_request(b"SKB1", "").unwrap().status, 1);
}

#[test]
fn status_2_malformed() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let good = Client::new("malformed").request(now, 0, b"example.com");
    assert_eq!(status(&mut plugin, &good), 0);
    for len in [0, 4, 97, 98, good.len() - 1] {
        assert_eq!(status(&mut plugin, &good[..len]), 2, "cut at {len}");
    }
    let mut trailing = good.clone();
    trailing.push(b'x');
    assert_eq!(status(&mut plugin, &trailing), 2, "trailing byte");
    for (offset, value) in [(0, b'X'), (4, 0x02), (5, 0x01), (97, 0)] {
        let mut bad = good.clone();
        bad[offset] = value;
        assert_eq!(status(&mut plugin, &bad), 2, "byte {offset} = {value}");
    }
    let client = Client::new("malformed");
    for domain in [&b"example.com/"[..], b"exa mple.com", b"\xc3\xa9.com"] {
        assert_eq!(status(&mut plugin, &client.request(now, 0, domain)), 2);
    }
}

#[test]
fn status_3_invalid_client_key() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let client = Client::new("invalid key");
    let good = client.public_key();
    let mut off_curve = good;
    off_curve[64] ^= 0x01;
    // SEC1's identity: the single byte 0x00 (here padded to the field's size).
    let identity = [0; 65];
    let mut compressed = [0; 65];
    compressed[..33].copy_from_slice(client.key.public_key().to_sec1_point(true).as_bytes());
    let mut zero_point = [0; 65];
    zero_point[0] = 0x04;
    for (what, key) in [
        ("off curve", off_curve),
        ("identity", identity),
        ("compressed", compressed),
        ("zero coordinates", zero_point),
    ] {
        let request = skb1::request(&key, &client.nonce, now, 0, b"example.com");
        assert_eq!(status(&mut plugin, &request), 3, "{what}");
    }
    let request = skb1::request(&good, &client.nonce, now, 0, b"example.com");
    assert_eq!(status(&mut plugin, &request), 0);
}

#[test]
fn status_4_domain_not_allowed() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let client = Client::new("domains");
    for domain in [
        &b"orbpro.test"[..], // `*.orbpro.test` needs a label before it
        b"nope.test",
        b"a.example.com", // `example.com` is exact
        b"example.com.evil",
        b"evilorbpro.test",
        b"example.com:443",
    ] {
        assert_eq!(
            status(&mut plugin, &client.request(now, 0, domain)),
            4,
            "{}",
            String::from_utf8_lossy(domain)
        );
    }
    assert_eq!(
        status(&mut plugin, &client.request(now, 0, b"a.orbpro.test")),
        0
    );
}

#[test]
fn status_5_clock_skew_both_ways() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let client = Client::new("skew");
    let at = |time: u64| client.request(time, 0, b"example.com");
    assert_eq!(
        status(&mut plugin, &at(now + SKEW)),
        0,
        "ahead, just inside"
    );
    assert_eq!(
        status(&mut plugin, &at(now - SKEW)),
        0,
        "behind, just inside"
    );
    assert_eq!(
        status(&mut plugin, &at(now + SKEW + 1)),
        5,
        "ahead, just out"
    );
    assert_eq!(
        status(&mut plugin, &at(now - SKEW - 1)),
        5,
        "behind, just out"
    );
    assert_eq!(status(&mut plugin, &at(0)), 5);
    assert_eq!(status(&mut plugin, &at(u64::MAX)), 5);
}

#[test]
fn status_6_version_above_active() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let client = Client::new("versions");
    let version = |v: u16| client.request(now, v, b"example.com");
    assert_eq!(status(&mut plugin, &version(0)), 0, "0 = active");
    assert_eq!(status(&mut plugin, &version(1)), 0, "the active version");
    assert_eq!(status(&mut plugin, &version(2)), 6);
    assert_eq!(status(&mut plugin, &version(u16::MAX)), 6);

    // With active version 3, versions 1 to 3 are served, each its own key.
    plugin
        .init(&config("example.com", [0; 3], Some(3)))
        .unwrap();
    assert_eq!(status(&mut plugin, &version(4)), 6);
    // Zeros in the config: the lease is the epoch period.
    let settings = Settings {
        active_version: 3,
        lease_ms: HOUR,
    };
    let mut fetch = |version: u16| {
        let label = format!("version {version}");
        fetch_key_from(&mut plugin, settings, &label, now, version, b"example.com")
    };
    let keys = [fetch(1), fetch(2), fetch(3)];
    assert_ne!(keys[0], keys[1]);
    assert_ne!(keys[1], keys[2]);
    assert_eq!(fetch(0), keys[2], "0 = the active version");
}

#[test]
fn status_7_output_too_small() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let client = Client::new("capacity");
    let good = client.request(now, 0, b"example.com");
    let refused = client.request(now, 0, b"nope.test");
    let mut capacities = Capacities::default();
    let nothing = Response {
        status: 7,
        body: Vec::new(),
    };

    capacities.response = 87;
    plugin.set_capacities(capacities);
    assert_eq!(plugin.handle_request(&good, "").unwrap(), nothing);
    // An error packet (8 bytes) that does not fit: 7, nothing written.
    capacities.response = 7;
    plugin.set_capacities(capacities);
    assert_eq!(plugin.handle_request(&refused, "").unwrap(), nothing);

    capacities.response = 8;
    plugin.set_capacities(capacities);
    assert_eq!(
        plugin.handle_request(&refused, "").unwrap(),
        Response {
            status: 4,
            body: error_packet(4)
        }
    );
    capacities.response = 88;
    plugin.set_capacities(capacities);
    assert_eq!(plugin.handle_request(&good, "").unwrap().status, 0);
}

#[test]
fn status_8_when_host_randomness_fails() {
    let now = vector_now();
    let mut plugin = vector_broker();
    let client = Client::new("random");
    plugin.fail_random(true);
    assert_eq!(
        plugin
            .handle_request(&client.request(now, 0, b"example.com"), "")
            .unwrap(),
        Response {
            status: 8,
            body: error_packet(8)
        }
    );
    plugin.fail_random(false);
    fetch_key(&mut plugin, "random", now, 0, b"example.com");
}

// ------------------------------------------------------------------ re-init

#[test]
fn a_failed_re_init_keeps_the_previous_broker() {
    let vector = Vector::load();
    let mut plugin = vector_broker();
    let config = vector.bytes("config");
    assert_eq!(
        plugin.init(&config[..config.len() - 5]),
        Err(HarnessError::Status(2)),
        "truncated config"
    );
    assert_eq!(
        plugin.init(&self::config(" , ", [0; 3], None)),
        Err(HarnessError::Status(4)),
        "no domain"
    );
    assert_eq!(plugin.metadata().unwrap(), vector.bytes("metadata"));
    assert_eq!(
        plugin.public_key().unwrap(),
        vector.bytes("server_public_key")
    );
    plugin.script_random(&vector.bytes("server_nonce_from_random_bytes"));
    assert_eq!(
        plugin.handle_request(&vector.bytes("request"), "").unwrap(),
        Response {
            status: 0,
            body: vector.bytes("response")
        }
    );

    // A successful re-init replaces it.
    plugin
        .init(&self::config("other.test", [0; 3], None))
        .unwrap();
    let request = Client::new("re-init").request(vector.u64("clock_now_ms"), 0, b"example.com");
    assert_eq!(status(&mut plugin, &request), 4);
    assert_eq!(
        plugin.metadata().unwrap(),
        b"\x01\x00\x00\x00\x0a\x00other.test"
    );
}
