//! The broker end to end: the independent test vector, a native client that
//! opens responses (the `skb1` crate's model), and every status.
//!
//! `data/key-broker-vector.json` is a copy of the project's shared
//! `key-broker-vector.json`, computed by an implementation written
//! independently of this project.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "tests"
)]

use key_broker::packet::RESPONSE_LEN;
use key_broker::{Broker, Outcome, RequestDomain, Status};
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToSec1Point;
use sha2::{Digest, Sha256};
use skb1::{ClientKey, Vector, request};
use std::cell::Cell;

const SECRET: &[u8] = b"correct horse battery staple";
const HOUR: u64 = 3_600_000;
/// The vector's clock: 2026-09-21, inside epoch 497222.
const NOW: u64 = 1_790_000_000_000;

fn vector_broker() -> Broker {
    Broker::from_config(&Vector::load().bytes("config")).unwrap()
}

/// A nonce source that hands out `nonce` and counts its calls.
fn scripted(nonce: [u8; 16], calls: &Cell<u32>) -> impl FnOnce(&mut [u8; 16]) -> Result<(), ()> {
    move |out| {
        calls.set(calls.get() + 1);
        *out = nonce;
        Ok(())
    }
}

// ---------------------------------------------------------------- the vector

#[test]
fn vector_config_parses_with_its_settings() {
    let vector = Vector::load();
    let broker = vector_broker();
    let config = broker.config();
    assert_eq!(config.secret(), SECRET);
    assert_eq!(
        config.epoch_period_ms().get(),
        vector.u64("epoch_period_ms")
    );
    assert_eq!(config.max_skew_ms(), vector.u64("max_skew_ms"));
    assert_eq!(config.lease_ms(), vector.u64("lease_ms"));
    assert_eq!(
        u64::from(config.active_version()),
        vector.u64("active_key_version")
    );
}

#[test]
fn vector_public_key() {
    let vector = Vector::load();
    let broker = vector_broker();
    assert_eq!(broker.public_key()[..], vector.bytes("server_public_key"));
    let mut out = [0; 128];
    assert_eq!(broker.write_public_key(&mut out), Ok(65));
    assert_eq!(out[..65], vector.bytes("server_public_key"));
    assert_eq!(
        broker.write_public_key(&mut [0; 64]),
        Err(Status::OutputTooSmall)
    );
}

#[test]
fn vector_metadata() {
    let vector = Vector::load();
    let mut out = [0; 4096];
    let len = vector_broker().write_metadata(&mut out).unwrap();
    assert_eq!(out[..len], vector.bytes("metadata"));
}

#[test]
fn vector_response_byte_for_byte() {
    let vector = Vector::load();
    let broker = vector_broker();
    let nonce: [u8; 16] = vector
        .bytes("server_nonce_from_random_bytes")
        .try_into()
        .unwrap();
    let calls = Cell::new(0);
    let mut out = [0xEE; 8192];
    let outcome = broker.handle(
        &vector.bytes("request"),
        vector.u64("clock_now_ms"),
        scripted(nonce, &calls),
        &mut out,
    );
    assert_eq!(
        outcome,
        Outcome {
            status: Status::Ok,
            len: RESPONSE_LEN
        }
    );
    assert_eq!(calls.get(), 1);
    assert_eq!(out[..RESPONSE_LEN], vector.bytes("response"));
    assert!(out[RESPONSE_LEN..].iter().all(|&b| b == 0xEE));
}

#[test]
fn vector_content_key_and_epoch() {
    let vector = Vector::load();
    let broker = vector_broker();
    let epoch = broker.epoch(vector.u64("clock_now_ms"));
    assert_eq!(epoch, vector.u64("epoch"));
    let domain = RequestDomain::parse(b"App.OrbPro.Test").unwrap();
    let key = broker.content_key(&domain, 1, epoch).unwrap();
    assert_eq!(key[..], vector.bytes("content_key"));
    // The model's derivation agrees too.
    assert_eq!(
        skb1::content_key(SECRET, b"app.orbpro.test", 1, epoch)[..],
        vector.bytes("content_key")
    );
}

#[test]
fn vector_response_opens_with_the_client_key() {
    let vector = Vector::load();
    let client = SecretKey::from_slice(&vector.bytes("client_private_key")).unwrap();
    let request = vector.bytes("request");
    let response: [u8; 88] = vector.bytes("response").try_into().unwrap();
    let client = ClientKey::new(&client, vector_broker().public_key());
    let nonce: [u8; 16] = request[73..89].try_into().unwrap();
    let key = skb1::open(&client.shared, &nonce, b"app.orbpro.test", &response).unwrap();
    assert_eq!(key[..], vector.bytes("content_key"));
}

// ------------------------------------------------- a native client, fresh keys

/// A deterministic "ephemeral" client key: SHA-256 of a label, as a scalar.
fn client_key(label: &str) -> SecretKey {
    SecretKey::from_slice(&Sha256::digest(label.as_bytes())).unwrap()
}

fn uncompressed(key: &SecretKey) -> [u8; 65] {
    key.public_key()
        .to_sec1_point(false)
        .as_bytes()
        .try_into()
        .unwrap()
}

/// One round trip through the vector's broker; returns the content key the
/// response opens to.
fn round_trip(label: &str, now: u64, domain: &[u8]) -> [u8; 32] {
    let broker = vector_broker();
    let client = ClientKey::new(&client_key(label), broker.public_key());
    let client_nonce: [u8; 16] = Sha256::digest(format!("{label}/nonce"))[..16]
        .try_into()
        .unwrap();
    let server_nonce: [u8; 16] = Sha256::digest(format!("{label}/server"))[..16]
        .try_into()
        .unwrap();
    let mut out = [0; 8192];
    let calls = Cell::new(0);
    let outcome = broker.handle(
        &request(&client.public, &client_nonce, now, 0, domain),
        now,
        scripted(server_nonce, &calls),
        &mut out,
    );
    assert_eq!(outcome.status, Status::Ok, "{label}");
    assert_eq!(outcome.len, 88);
    let response: [u8; 88] = out[..88].try_into().unwrap();
    let epoch = now / HOUR;
    // The header: magic, type, status, version, nonce, epoch, not-after.
    assert_eq!(&response[..8], b"SKB1\x02\x00\x01\x00");
    assert_eq!(response[8..24], server_nonce);
    assert_eq!(response[24..32], epoch.to_le_bytes());
    assert_eq!(response[32..40], (now + 600_000).to_le_bytes());

    let lower = domain.to_ascii_lowercase();
    let key = skb1::open(&client.shared, &client_nonce, &lower, &response).unwrap();
    assert_eq!(key, skb1::content_key(SECRET, &lower, 1, epoch));
    key
}

#[test]
fn fresh_clients_open_their_responses() {
    for (i, domain) in [&b"example.com"[..], b"a.orbpro.test", b"X.Y.OrbPro.TEST"]
        .into_iter()
        .enumerate()
    {
        round_trip(&format!("client {i}"), NOW + 1_000 * i as u64, domain);
    }
}

#[test]
fn same_epoch_same_key_other_epoch_other_key() {
    let epoch_start = (NOW / HOUR) * HOUR;
    let a = round_trip("a", epoch_start, b"example.com");
    let b = round_trip("b", epoch_start + HOUR - 1, b"EXAMPLE.com");
    assert_eq!(a, b, "one epoch, one key, whoever asks");
    let c = round_trip("c", epoch_start + HOUR, b"example.com");
    assert_ne!(a, c, "the next epoch has another key");
    let d = round_trip("d", epoch_start - 1, b"example.com");
    assert_ne!(a, d, "the previous epoch has another key");
    let e = round_trip("e", epoch_start, b"app.orbpro.test");
    assert_ne!(a, e, "another domain has another key");
}

// ---------------------------------------------------------------- statuses

/// A config blob with the vector's key pair and secret.
fn config(domains: &str, timing: [u64; 3], version: Option<u32>) -> Vec<u8> {
    Vector::load().config_with(domains, timing, version)
}

/// Handles a request with a nonce source that must not be called unless the
/// request passes every check; returns the outcome and the output.
fn handle_with(broker: &Broker, request: &[u8], now: u64, out_len: usize) -> (Outcome, Vec<u8>) {
    let calls = Cell::new(0);
    let mut out = vec![0xEE; out_len];
    let outcome = broker.handle(request, now, scripted([7; 16], &calls), &mut out);
    let expected_calls = u32::from(outcome.status == Status::Ok);
    assert_eq!(calls.get(), expected_calls, "nonce drawn only on success");
    assert!(
        out[outcome.len..].iter().all(|&b| b == 0xEE),
        "wrote past len"
    );
    out.truncate(outcome.len);
    (outcome, out)
}

fn status_of(broker: &Broker, request: &[u8], now: u64) -> Status {
    let (outcome, out) = handle_with(broker, request, now, 8192);
    if outcome.status == Status::Ok {
        assert_eq!(out.len(), 88);
    } else {
        assert_eq!(
            out,
            [b'S', b'K', b'B', b'1', 3, outcome.status.code(), 0, 0]
        );
    }
    outcome.status
}

fn good_key() -> [u8; 65] {
    uncompressed(&client_key("status tests"))
}

#[test]
fn status_2_malformed() {
    let broker = vector_broker();
    let good = request(&good_key(), &[1; 16], NOW, 0, b"example.com");
    assert_eq!(status_of(&broker, &good, NOW), Status::Ok);
    for len in 0..good.len() {
        assert_eq!(status_of(&broker, &good[..len], NOW), Status::Malformed);
    }
    let mut trailing = good.clone();
    trailing.push(b'x');
    assert_eq!(status_of(&broker, &trailing, NOW), Status::Malformed);
    let mut flags = good.clone();
    flags[5] = 1;
    assert_eq!(status_of(&broker, &flags, NOW), Status::Malformed);
    let bad_char = request(&good_key(), &[1; 16], NOW, 0, b"example.com/");
    assert_eq!(status_of(&broker, &bad_char, NOW), Status::Malformed);
}

#[test]
fn status_3_invalid_client_key() {
    let broker = vector_broker();
    let good = good_key();
    let mut off_curve = good;
    off_curve[64] ^= 0x01;
    let mut identity = [0; 65]; // SEC1's identity encoding is the byte 0x00
    identity[0] = 0x00;
    let mut compressed = [0; 65];
    compressed[..33].copy_from_slice(
        client_key("status tests")
            .public_key()
            .to_sec1_point(true)
            .as_bytes(),
    );
    let mut zero = [0; 65];
    zero[0] = 0x04;
    for key in [off_curve, identity, compressed, zero] {
        let bad = request(&key, &[1; 16], NOW, 0, b"example.com");
        assert_eq!(status_of(&broker, &bad, NOW), Status::InvalidPublicKey);
    }
}

#[test]
fn status_4_domain_not_allowed() {
    let broker = Broker::from_config(&config("*.example.com, other.test", [0; 3], None)).unwrap();
    let key = good_key();
    let status = |domain: &[u8]| status_of(&broker, &request(&key, &[1; 16], NOW, 0, domain), NOW);
    assert_eq!(status(b"a.example.com"), Status::Ok);
    assert_eq!(status(b"A.B.Example.Com"), Status::Ok);
    assert_eq!(status(b"Other.Test"), Status::Ok);
    assert_eq!(status(b"example.com"), Status::DomainNotAllowed);
    assert_eq!(status(b"a.other.test"), Status::DomainNotAllowed);
    assert_eq!(status(b"evil.test"), Status::DomainNotAllowed);
    assert_eq!(status(b"a.example.com:443"), Status::DomainNotAllowed);
    assert_eq!(status(b"example.com.evil"), Status::DomainNotAllowed);
}

#[test]
fn status_5_clock_skew() {
    let skew = 300_000;
    let broker = vector_broker();
    let key = good_key();
    let status = |client: u64, server: u64| {
        status_of(
            &broker,
            &request(&key, &[1; 16], client, 0, b"example.com"),
            server,
        )
    };
    assert_eq!(status(NOW, NOW), Status::Ok);
    assert_eq!(status(NOW + skew, NOW), Status::Ok, "ahead, just inside");
    assert_eq!(status(NOW - skew, NOW), Status::Ok, "behind, just inside");
    assert_eq!(
        status(NOW + skew + 1, NOW),
        Status::ClockSkew,
        "ahead, just out"
    );
    assert_eq!(
        status(NOW - skew - 1, NOW),
        Status::ClockSkew,
        "behind, just out"
    );
    // No overflow at the ends of u64.
    assert_eq!(status(u64::MAX, 0), Status::ClockSkew);
    assert_eq!(status(0, u64::MAX), Status::ClockSkew);
    assert_eq!(status(0, skew), Status::Ok);
    assert_eq!(status(u64::MAX, u64::MAX - skew), Status::Ok);
}

#[test]
fn status_6_key_versions() {
    let broker = Broker::from_config(&config("example.com", [0; 3], Some(3))).unwrap();
    let key = good_key();
    let served = |version: u16| {
        let (outcome, out) = handle_with(
            &broker,
            &request(&key, &[1; 16], NOW, version, b"example.com"),
            NOW,
            8192,
        );
        (outcome.status, out.get(6..8).map(|v| v.to_vec()))
    };
    // 0 = active; 1..=active served; above active refused.
    assert_eq!(served(0), (Status::Ok, Some(vec![3, 0])));
    assert_eq!(served(1), (Status::Ok, Some(vec![1, 0])));
    assert_eq!(served(3), (Status::Ok, Some(vec![3, 0])));
    assert_eq!(served(4), (Status::UnknownKeyVersion, Some(vec![0, 0])));
    assert_eq!(
        served(u16::MAX),
        (Status::UnknownKeyVersion, Some(vec![0, 0]))
    );
}

#[test]
fn versions_give_different_keys() {
    let broker = Broker::from_config(&config("example.com", [0; 3], Some(2))).unwrap();
    let domain = RequestDomain::parse(b"example.com").unwrap();
    let v1 = broker.content_key(&domain, 1, 5).unwrap();
    let v2 = broker.content_key(&domain, 2, 5).unwrap();
    assert_ne!(*v1, *v2);
}

#[test]
fn status_7_output_too_small() {
    let broker = vector_broker();
    let good = request(&good_key(), &[1; 16], NOW, 0, b"example.com");
    let bad = request(&good_key(), &[1; 16], NOW, 0, b"nope.test");
    for len in [0, 1, 8, 87] {
        let (outcome, _) = handle_with(&broker, &good, NOW, len);
        assert_eq!(outcome, Outcome::without_output(Status::OutputTooSmall));
    }
    assert_eq!(handle_with(&broker, &good, NOW, 88).0.status, Status::Ok);
    for len in [0, 7] {
        let (outcome, _) = handle_with(&broker, &bad, NOW, len);
        assert_eq!(outcome, Outcome::without_output(Status::OutputTooSmall));
    }
    let (outcome, out) = handle_with(&broker, &bad, NOW, 8);
    assert_eq!(outcome.status, Status::DomainNotAllowed);
    assert_eq!(out, b"SKB1\x03\x04\x00\x00");
}

#[test]
fn status_8_failing_nonce_draw() {
    let broker = vector_broker();
    let good = request(&good_key(), &[1; 16], NOW, 0, b"example.com");
    let mut out = [0xEE; 8192];
    let outcome = broker.handle(&good, NOW, |_| Err("host randomness failed"), &mut out);
    assert_eq!(
        outcome,
        Outcome {
            status: Status::Internal,
            len: 8
        }
    );
    assert_eq!(&out[..8], b"SKB1\x03\x08\x00\x00");
    assert!(out[8..].iter().all(|&b| b == 0xEE));
}

#[test]
fn the_lowest_failing_status_decides() {
    let broker = vector_broker();
    let mut bad_key = good_key();
    bad_key[64] ^= 1;
    // Bad key (3), bad domain (4), skew (5), version (6): 3.
    let all = request(&bad_key, &[1; 16], 0, 9, b"nope.test");
    assert_eq!(status_of(&broker, &all, NOW), Status::InvalidPublicKey);
    // Bad domain, skew and version: 4.
    let three = request(&good_key(), &[1; 16], 0, 9, b"nope.test");
    assert_eq!(status_of(&broker, &three, NOW), Status::DomainNotAllowed);
    // Skew and version: 5.
    let two = request(&good_key(), &[1; 16], 0, 9, b"example.com");
    assert_eq!(status_of(&broker, &two, NOW), Status::ClockSkew);
    // And a malformed one with everything else wrong too: 2.
    let mut malformed = all.clone();
    malformed[4] = 0x02;
    assert_eq!(status_of(&broker, &malformed, NOW), Status::Malformed);
}

#[test]
fn not_after_saturates_and_epoch_follows_the_period() {
    let broker = Broker::from_config(&config("example.com", [1_000, u64::MAX, 0], None)).unwrap();
    let now = u64::MAX - 10;
    let (outcome, out) = handle_with(
        &broker,
        &request(&good_key(), &[1; 16], 0, 0, b"example.com"),
        now,
        88,
    );
    assert_eq!(outcome.status, Status::Ok);
    assert_eq!(out[24..32], (now / 1_000).to_le_bytes());
    assert_eq!(out[32..40], u64::MAX.to_le_bytes());
}

#[test]
fn not_initialised_is_representable() {
    let outcome = Outcome::without_output(Status::NotInitialised);
    assert_eq!(outcome.status.code(), 1);
    assert_eq!(outcome.len, 0);
}

// ---------------------------------------------------------------- config

#[test]
fn vector_config_truncated_at_every_length() {
    let blob = Vector::load().bytes("config");
    for len in 0..blob.len() {
        let result = Broker::from_config(&blob[..len]).map(|_| ());
        if len == blob.len() - 4 {
            // Only the optional key version is missing: older servers.
            assert_eq!(result, Ok(()), "cut at {len}");
        } else {
            assert_eq!(result, Err(Status::Malformed), "cut at {len}");
        }
    }
    let short = Broker::from_config(&blob[..blob.len() - 4]).unwrap();
    assert_eq!(short.config().active_version(), 1);
}

#[test]
fn config_statuses() {
    let ok = config("example.com", [0; 3], None);
    assert!(Broker::from_config(&ok).is_ok());
    let mut trailing = ok.clone();
    trailing.extend_from_slice(&[1, 0, 0, 0, 0]);
    assert_eq!(
        Broker::from_config(&trailing).unwrap_err(),
        Status::Malformed
    );
    let mut mismatched = ok.clone();
    mismatched[32..97].copy_from_slice(&good_key());
    assert_eq!(
        Broker::from_config(&mismatched).unwrap_err(),
        Status::InvalidPublicKey
    );
    assert_eq!(
        Broker::from_config(&config(" ,, ", [0; 3], None)).unwrap_err(),
        Status::DomainNotAllowed
    );
}
