//! No host failure breaks a plugin: `random_bytes` failing, the clock
//! jumping backwards and far forward, output capacities from 0 up to the
//! response's size, the longest and the empty host string, and config
//! blobs truncated at every length or with garbage appended. Each time the
//! plugin answers as its spec says and serves correctly afterwards.

use host_harness::{Capacities, Clock, HarnessError, LogLevel, Plugin, RandomFallback, Response};
use p256::SecretKey;

use crate::soak::driver::{Rng, echo_expected};
use crate::support;
use skb1::{ClientKey, Spec, Vector};

const HOUR: u64 = 3_600_000;

fn vector_broker() -> (Plugin, Vector) {
    let vector = Vector::load();
    let now = i64::try_from(vector.u64("clock_now_ms")).unwrap();
    let mut plugin = support::load_example(
        "key-broker",
        Plugin::builder()
            .clock(Clock::Fixed(now))
            .random_fallback(RandomFallback::Seeded(3)),
    );
    plugin.init(&vector.bytes("config")).unwrap();
    (plugin, vector)
}

fn echo(now: i64) -> Plugin {
    let mut plugin = support::load_example("echo", Plugin::builder().clock(Clock::Fixed(now)));
    plugin.init(b"").unwrap();
    plugin
}

/// A client of the vector broker with a key from a fixed seed.
fn client(label: &str) -> ClientKey {
    let secret = SecretKey::from_slice(&sha2_of(label)).unwrap();
    ClientKey::new(&secret, &Spec::vector().broker_key)
}

fn sha2_of(label: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(label.as_bytes()).into()
}

/// Sends a request from `client` (client time `time`) with the server clock
/// at `now`, and checks the answer against the spec model.
fn fetch(plugin: &mut Plugin, client: &ClientKey, now: u64, time: u64, domain: &[u8]) -> Response {
    plugin.set_clock_ms(now as i64);
    let request = skb1::request(&client.public, &[9; 16], time, 0, domain);
    let response = plugin.handle_request(&request, "keys.example").unwrap();
    Spec::vector()
        .check(&request, now, response.status, &response.body, |k| {
            (k == &client.public).then_some(client.shared)
        })
        .unwrap_or_else(|e| panic!("server time {now}, client time {time}: {e:#}"));
    response
}

// ------------------------------------------------------------ random_bytes

#[test]
fn failing_randomness_is_status_8_for_the_key_broker_and_minus_1_for_echo() {
    let (mut broker, vector) = vector_broker();
    let now = vector.u64("clock_now_ms");
    let alice = client("alice");
    let good = skb1::request(&alice.public, &[1; 16], now, 0, b"example.com");
    broker.fail_random(true);
    for _ in 0..3 {
        assert_eq!(
            broker.handle_request(&good, "").unwrap(),
            Response {
                status: 8,
                body: skb1::error_packet(8)
            }
        );
    }
    // The request checks come first: their statuses are unchanged.
    let refused = skb1::request(&alice.public, &[1; 16], now, 0, b"nope.test");
    assert_eq!(broker.handle_request(&refused, "").unwrap().status, 4);
    assert_eq!(broker.handle_request(b"SKB1", "").unwrap().status, 2);
    // The public key and metadata need no randomness.
    assert_eq!(
        broker.public_key().unwrap(),
        vector.bytes("server_public_key")
    );
    broker.fail_random(false);
    fetch(&mut broker, &alice, now, now, b"example.com");

    let mut echo = echo(1);
    echo.fail_random(true);
    assert_eq!(echo.public_key(), Err(HarnessError::Status(-1)));
    // Requests need no randomness.
    assert_eq!(
        echo.handle_request(b"x", "").unwrap(),
        echo_expected(1, b"x", 8192)
    );
    echo.fail_random(false);
    assert_eq!(echo.public_key().unwrap().len(), 32);
}

// ------------------------------------------------------------ the clock

#[test]
fn the_key_broker_follows_the_clock_backwards_and_far_forward() {
    let (mut broker, vector) = vector_broker();
    let start = vector.u64("clock_now_ms");
    let bob = client("bob");
    fetch(&mut broker, &bob, start, start, b"example.com");
    let far_future = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    for now in [
        start - 10 * 365 * 24 * HOUR, // ten years back
        start - 1,                    // one millisecond back
        1,                            // the epoch
        far_future,
        i64::MAX as u64, // the largest clock the host can report
        start,
    ] {
        // A client still on the old time is out of skew (or, for the
        // 1 ms jump, within it) ...
        fetch(&mut broker, &bob, now, start, b"example.com");
        // ... and one on the new time gets the new epoch's key.
        let response = fetch(&mut broker, &bob, now, now, b"app.orbpro.test");
        assert_eq!(response.status, 0, "server time {now}");
    }
}

#[test]
fn the_echo_timestamp_follows_the_clock_wherever_it_jumps() {
    let mut echo = echo(1_790_000_000_000);
    for now in [
        1_790_000_000_000,
        1_789_999_999_999,
        0,
        -1, // a broken clock: the bits are passed on
        i64::MIN,
        253_402_300_799_999,
        i64::MAX,
        1_790_000_000_000,
    ] {
        echo.set_clock_ms(now);
        let body = now.to_be_bytes();
        assert_eq!(
            echo.handle_request(&body, "").unwrap(),
            echo_expected(now, &body, 8192),
            "clock {now}"
        );
    }
}

// ------------------------------------------------------------ output capacity

#[test]
fn every_capacity_below_the_response_is_status_7_with_nothing_written() {
    let (mut broker, vector) = vector_broker();
    let now = vector.u64("clock_now_ms");
    let carol = client("carol");
    let good = skb1::request(&carol.public, &[2; 16], now, 0, b"example.com");
    let refused = skb1::request(&carol.public, &[2; 16], now, 0, b"nope.test");
    let nothing = Response {
        status: 7,
        body: Vec::new(),
    };
    let with = |response: u32| Capacities {
        response,
        ..Capacities::default()
    };
    for capacity in 0..88 {
        broker.set_capacities(with(capacity));
        assert_eq!(
            broker.handle_request(&good, "").unwrap(),
            nothing,
            "capacity {capacity}"
        );
        let refusal = broker.handle_request(&refused, "").unwrap();
        if capacity < 8 {
            assert_eq!(refusal, nothing, "capacity {capacity}");
        } else {
            assert_eq!(
                refusal,
                Response {
                    status: 4,
                    body: skb1::error_packet(4)
                },
                "capacity {capacity}"
            );
        }
    }
    broker.set_capacities(with(88));
    assert_eq!(broker.handle_request(&good, "").unwrap().status, 0);
    broker.set_capacities(Capacities::default());
    fetch(&mut broker, &carol, now, now, b"example.com");

    // The public key (65 bytes) and metadata into buffers too small: -1.
    let metadata = vector.bytes("metadata");
    for capacity in 0..65 {
        broker.set_capacities(Capacities {
            public_key: capacity,
            metadata: capacity.min(metadata.len() as u32 - 1),
            ..Capacities::default()
        });
        assert_eq!(
            broker.public_key(),
            Err(HarnessError::Status(-1)),
            "{capacity}"
        );
        assert_eq!(
            broker.metadata(),
            Err(HarnessError::Status(-1)),
            "{capacity}"
        );
    }
    broker.set_capacities(Capacities::default());
    assert_eq!(broker.metadata().unwrap(), metadata);
}

#[test]
fn echo_answers_7_for_every_capacity_below_its_response() {
    let now = 1_790_000_000_000;
    let mut echo = echo(now);
    let body = b"a body of some length";
    let needed = 8 + body.len() as u32;
    for capacity in 0..=needed {
        echo.set_capacities(Capacities {
            response: capacity,
            public_key: capacity.min(31),
            ..Capacities::default()
        });
        assert_eq!(
            echo.handle_request(body, "").unwrap(),
            echo_expected(now, body, capacity),
            "capacity {capacity}"
        );
        assert_eq!(echo.public_key(), Err(HarnessError::Status(-1)));
    }
    echo.set_capacities(Capacities::default());
    assert_eq!(echo.handle_request(body, "").unwrap().status, 0);
}

// ------------------------------------------------------------ the host string

#[test]
fn the_longest_and_the_empty_host_string() {
    let now = 1_790_000_000_000;
    let longest = Rng::new(253).host(host_harness::limits::MAX_HOST_LEN);
    let mut echo = echo(now);
    for host in [longest.as_str(), ""] {
        echo.clear_logs();
        assert_eq!(
            echo.handle_request(b"hi", host).unwrap(),
            echo_expected(now, b"hi", 8192)
        );
        // The C template's log line: snprintf into 128 bytes.
        let line = format!("echo: 2 bytes from {host} at {now}");
        let cut = &line[..line.len().min(127)];
        let logs = echo.take_logs();
        assert_eq!(logs.len(), 1);
        assert_eq!(
            (logs[0].level, logs[0].message.as_str()),
            (LogLevel::Debug, cut)
        );
    }

    let (mut broker, vector) = vector_broker();
    let request = vector.bytes("request");
    for host in [longest.as_str(), ""] {
        broker.script_random(&vector.bytes("server_nonce_from_random_bytes"));
        assert_eq!(
            broker.handle_request(&request, host).unwrap(),
            Response {
                status: 0,
                body: vector.bytes("response")
            }
        );
    }
}

// ------------------------------------------------------------ config blobs

#[test]
fn every_truncated_or_extended_config_is_refused_and_a_good_one_still_works() {
    let vector = Vector::load();
    let config = vector.bytes("config");
    let version_less = config.len() - 4;
    // A fresh broker: a refused first init leaves it uninitialised.
    let mut fresh = support::load_example(
        "key-broker",
        Plugin::builder().clock(Clock::Fixed(vector.u64("clock_now_ms") as i64)),
    );
    let request = vector.bytes("request");
    for len in (0..config.len()).filter(|&len| len != version_less) {
        assert_eq!(
            fresh.init(&config[..len]),
            Err(HarnessError::Status(2)),
            "cut at {len}"
        );
        assert_eq!(fresh.handle_request(&request, "").unwrap().status, 1);
    }
    let (mut broker, _) = vector_broker();
    let mut rng = Rng::new(0xC0F1);
    for len in 0..config.len() {
        let expected = if len == version_less {
            Ok(())
        } else {
            Err(HarnessError::Status(2))
        };
        assert_eq!(broker.init(&config[..len]), expected, "cut at {len}");
    }
    for i in 0..200 {
        let mut extended = config.clone();
        let extra = 1 + rng.index(if i % 10 == 0 { 4_000 } else { 40 });
        extended.extend_from_slice(&rng.bytes(extra));
        assert_eq!(
            broker.init(&extended),
            Err(HarnessError::Status(2)),
            "{extra} more bytes"
        );
    }
    // The broker still answers as the vector says, and a good init works on
    // the fresh one too.
    for plugin in [&mut broker, &mut fresh] {
        if plugin.init(&config).is_err() {
            panic!("the vector config was refused");
        }
        plugin.script_random(&vector.bytes("server_nonce_from_random_bytes"));
        assert_eq!(
            plugin.handle_request(&request, "").unwrap(),
            Response {
                status: 0,
                body: vector.bytes("response")
            }
        );
    }
}

#[test]
fn echo_takes_any_config_as_the_c_template_does() {
    let config = Vector::load().bytes("config");
    let mut echo = echo(1);
    let mut name = b"echo".to_vec();
    for len in 0..config.len() {
        let blob = &config[..len];
        echo.init(blob).unwrap();
        // 1..=63 bytes name the plugin, up to the first NUL; others keep it.
        if (1..64).contains(&len) {
            name = blob.split(|&b| b == 0).next().unwrap().to_vec();
        }
        let mut expected = (name.len() as u32).to_le_bytes().to_vec();
        expected.extend_from_slice(&name);
        assert_eq!(echo.metadata().unwrap(), expected, "config of {len} bytes");
        echo.clear_logs();
    }
    assert_eq!(
        echo.handle_request(b"ok", "").unwrap(),
        echo_expected(1, b"ok", 8192)
    );
}
