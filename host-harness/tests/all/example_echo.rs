//! `examples/echo` as the server runs it: `target/plugins/echo.wasm` through
//! every path of the C template's echo plugin (`docs/host-abi.md`, "The C
//! template's echo plugin").

use host_harness::{Capacities, Clock, HarnessError, LogLevel, LogRecord, Plugin, Response};

use crate::support::{self, Interface};

/// The clock the host reports (2026-09-21), fixed so responses are exact.
const NOW: i64 = 1_790_000_000_123;
/// The largest request that fits the server's 8192-byte output with the
/// 8-byte clock in front.
const LARGEST: usize = 8192 - 8;

fn echo() -> Plugin {
    support::load_example("echo", Plugin::builder().clock(Clock::Fixed(NOW)))
}

fn initialised(config: &[u8]) -> Plugin {
    let mut plugin = echo();
    plugin.init(config).unwrap();
    plugin.clear_logs();
    plugin
}

/// The name metadata reports, after checking the u32 LE length prefix.
fn name(plugin: &mut Plugin) -> Vec<u8> {
    let metadata = plugin.metadata().unwrap();
    let (len, name) = metadata.split_at(4);
    assert_eq!(
        u32::from_le_bytes(len.try_into().unwrap()) as usize,
        name.len(),
        "metadata {metadata:?}"
    );
    name.to_vec()
}

fn echoed(now: i64, body: &[u8]) -> Response {
    let mut expected = now.to_le_bytes().to_vec();
    expected.extend_from_slice(body);
    Response {
        status: 0,
        body: expected,
    }
}

fn debug(message: String) -> LogRecord {
    LogRecord {
        level: LogLevel::Debug,
        message,
    }
}

fn ready() -> LogRecord {
    LogRecord {
        level: LogLevel::Info,
        message: "echo plugin ready".to_owned(),
    }
}

// ------------------------------------------------------------------ the module

#[test]
fn exports_and_imports_are_the_templates() {
    let interface = Interface::of(&support::read(&support::example_path("echo")));
    support::assert_plugin_exports(&interface);
    interface.assert_imports_only_sdn();
}

#[test]
fn echo_wasm_is_within_its_budget() {
    let size = std::fs::metadata(support::example_path("echo"))
        .unwrap()
        .len();
    let budget = xtask::check::budget("echo").unwrap();
    assert!(
        size <= budget,
        "echo.wasm is {size} bytes, over its {budget}-byte budget"
    );
}

// ------------------------------------------------------------------ before init

#[test]
fn before_init_every_call_fails() {
    let mut plugin = echo();
    assert_eq!(
        plugin.handle_request(b"hello", "h.example").unwrap(),
        Response {
            status: 1,
            body: Vec::new()
        }
    );
    assert_eq!(plugin.handle_request(b"", "").unwrap().status, 1);
    assert_eq!(plugin.public_key(), Err(HarnessError::Status(-1)));
    assert_eq!(plugin.metadata(), Err(HarnessError::Status(-1)));
    assert!(plugin.logs().is_empty(), "{:?}", plugin.logs());
}

// ------------------------------------------------------------------ init

#[test]
fn empty_config_keeps_the_default_name_and_logs_ready() {
    let mut plugin = echo();
    plugin.init(b"").unwrap();
    assert_eq!(plugin.take_logs(), [ready()]);
    assert_eq!(plugin.metadata().unwrap(), b"\x04\x00\x00\x00echo");
}

#[test]
fn a_config_of_1_to_63_bytes_is_the_name() {
    let mut plugin = echo();
    for len in 1..=63 {
        let config: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
        plugin.init(&config).unwrap();
        assert_eq!(name(&mut plugin), config, "{len}-byte config");
        assert_eq!(plugin.take_logs(), [ready()]);
    }
    plugin.init(b"x").unwrap();
    assert_eq!(plugin.metadata().unwrap(), b"\x01\x00\x00\x00x");
}

#[test]
fn a_config_of_64_bytes_or_more_keeps_the_name() {
    let mut plugin = echo();
    plugin.init(&[b'z'; 64]).unwrap();
    assert_eq!(name(&mut plugin), b"echo");
    plugin.init(b"named").unwrap();
    for len in [64, 65, 1000] {
        plugin.init(&vec![b'z'; len]).unwrap();
        assert_eq!(name(&mut plugin), b"named", "{len}-byte config");
    }
    assert_eq!(plugin.take_logs(), vec![ready(); 5]);
}

#[test]
fn the_name_ends_at_the_first_nul() {
    let mut plugin = echo();
    plugin.init(b"ab\0cd").unwrap();
    assert_eq!(plugin.metadata().unwrap(), b"\x02\x00\x00\x00ab");
    plugin.init(b"xyz\0").unwrap();
    assert_eq!(name(&mut plugin), b"xyz");
    // C's strlen of a config that starts with NUL: an empty name.
    plugin.init(b"\0abc").unwrap();
    assert_eq!(plugin.metadata().unwrap(), b"\0\0\0\0");
}

#[test]
fn re_init_keeps_the_previous_name_unless_renamed() {
    let mut plugin = initialised(b"first");
    plugin.init(b"").unwrap();
    assert_eq!(name(&mut plugin), b"first");
    plugin.init(&[b'q'; 64]).unwrap();
    assert_eq!(name(&mut plugin), b"first");
    plugin.init(b"second").unwrap();
    assert_eq!(name(&mut plugin), b"second");
    assert_eq!(plugin.take_logs(), vec![ready(); 3]);
}

// ------------------------------------------------------------------ public key

#[test]
fn public_key_is_32_bytes_of_host_randomness() {
    let mut plugin = initialised(b"");
    let scripted: Vec<u8> = (100..132).collect();
    plugin.script_random(&scripted);
    assert_eq!(plugin.public_key().unwrap(), scripted);
    assert_eq!(plugin.scripted_random_remaining(), 0);
    // A fresh draw every call.
    plugin.script_random(&[9; 32]);
    assert_eq!(plugin.public_key().unwrap(), [9; 32]);
}

#[test]
fn public_key_fails_when_randomness_fails() {
    let mut plugin = initialised(b"");
    plugin.fail_random(true);
    assert_eq!(plugin.public_key(), Err(HarnessError::Status(-1)));
    plugin.fail_random(false);
    assert_eq!(plugin.public_key().unwrap().len(), 32);
}

#[test]
fn public_key_fails_below_32_bytes_of_capacity() {
    let mut plugin = initialised(b"");
    for cap in [0, 1, 31] {
        plugin.set_capacities(Capacities {
            public_key: cap,
            ..Capacities::default()
        });
        assert_eq!(plugin.public_key(), Err(HarnessError::Status(-1)), "{cap}");
    }
    plugin.set_capacities(Capacities {
        public_key: 32,
        ..Capacities::default()
    });
    plugin.script_random(&[7; 32]);
    assert_eq!(plugin.public_key().unwrap(), [7; 32]);
}

// ------------------------------------------------------------------ requests

#[test]
fn requests_are_echoed_after_the_clock() {
    let mut plugin = initialised(b"");
    let large: Vec<u8> = (0..LARGEST).map(|i| (i % 251) as u8).collect();
    for body in [&b""[..], b"hello", b"\0\xff\n", &large] {
        assert_eq!(
            plugin.handle_request(body, "h.example").unwrap(),
            echoed(NOW, body),
            "{}-byte request",
            body.len()
        );
    }
    // The clock is read on every request.
    plugin.set_clock_ms(42);
    assert_eq!(plugin.handle_request(b"x", "").unwrap(), echoed(42, b"x"));
}

#[test]
fn a_request_that_does_not_fit_is_status_7_with_nothing_written() {
    let refused = Response {
        status: 7,
        body: Vec::new(),
    };
    let mut plugin = initialised(b"");
    assert_eq!(
        plugin
            .handle_request(&[1; LARGEST + 1], "h.example")
            .unwrap(),
        refused
    );
    // A smaller capacity than the server's: the same rule at its edge.
    let mut capacities = Capacities {
        response: 12,
        ..Capacities::default()
    };
    plugin.set_capacities(capacities);
    assert_eq!(plugin.handle_request(b"hello", "").unwrap(), refused);
    capacities.response = 7;
    plugin.set_capacities(capacities);
    assert_eq!(plugin.handle_request(b"", "").unwrap(), refused);
    // A refused request is not logged.
    assert!(plugin.logs().is_empty(), "{:?}", plugin.logs());

    capacities.response = 12;
    plugin.set_capacities(capacities);
    assert_eq!(
        plugin.handle_request(b"hell", "").unwrap(),
        echoed(NOW, b"hell")
    );
}

#[test]
fn each_request_is_logged_at_debug() {
    let mut plugin = initialised(b"");
    plugin.handle_request(b"hello", "h.example:8080").unwrap();
    plugin.handle_request(b"", "").unwrap();
    assert_eq!(
        plugin.take_logs(),
        [
            debug(format!("echo: 5 bytes from h.example:8080 at {NOW}")),
            debug(format!("echo: 0 bytes from  at {NOW}")),
        ]
    );
}

#[test]
fn the_log_line_is_cut_at_127_bytes() {
    let mut plugin = initialised(b"");
    // A 253-byte host, the longest the server passes.
    let host: String = (0..253)
        .map(|i| {
            if i % 10 == 9 {
                '.'
            } else {
                (b'a' + (i % 26) as u8) as char
            }
        })
        .collect();
    let response = plugin.handle_request(&[0; 300], &host).unwrap();
    assert_eq!(response.status, 0);
    let full = format!("echo: 300 bytes from {host} at {NOW}");
    assert_eq!(plugin.take_logs(), [debug(full[..127].to_owned())]);
}
