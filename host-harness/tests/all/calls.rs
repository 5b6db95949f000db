//! The host's call sequences, capacities, poison and error mapping.

use host_harness::limits::{POISON_BYTE, POISON_U32, RESPONSE_CAPACITY};
use host_harness::{Capacities, Clock, HarnessError, HostRevision, LogLevel, Plugin, Response};

use crate::fixture::{Alloc, Wat, assert_freed_in_reverse, reset_trace, trace};

const NOW: i64 = 1_700_000_000_123;

fn echo() -> Plugin {
    Wat::echo()
        .load_with(Plugin::builder().clock(Clock::Fixed(NOW)))
        .unwrap()
}

#[test]
fn echo_round_trip() {
    let mut plugin = echo();
    plugin.init(b"config").unwrap();
    assert_eq!(plugin.logs().len(), 1);
    assert_eq!(plugin.logs()[0].level, LogLevel::Info);
    assert_eq!(plugin.logs()[0].message, "ready");

    plugin.script_random(&[7; 32]);
    assert_eq!(plugin.public_key().unwrap(), vec![7; 32]);
    assert_eq!(plugin.scripted_random_remaining(), 0);
    assert_eq!(plugin.metadata().unwrap(), b"meta");

    let response = plugin.handle_request(b"body", "host.example").unwrap();
    let mut expected = NOW.to_le_bytes().to_vec();
    expected.extend_from_slice(b"body");
    assert_eq!(
        response,
        Response {
            status: 0,
            body: expected
        }
    );
}

#[test]
fn handle_request_mallocs_in_the_host_order_and_frees_in_reverse() {
    let mut plugin = echo();
    reset_trace(&mut plugin);
    plugin.handle_request(b"abc", "h.example").unwrap();
    let events = trace(&mut plugin);
    let sizes: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Alloc::Malloc { size, .. } => Some(*size),
            Alloc::Free { .. } => None,
        })
        .collect();
    assert_eq!(sizes, [3, 10, RESPONSE_CAPACITY, 4]);
    assert_eq!(events.len(), 8);
    assert_freed_in_reverse(&events);
}

#[test]
fn init_public_key_and_metadata_sequences() {
    let mut plugin = echo();
    reset_trace(&mut plugin);
    plugin.init(b"cfg").unwrap();
    plugin.public_key().unwrap();
    plugin.metadata().unwrap();
    let events = trace(&mut plugin);
    assert!(matches!(
        events.as_slice(),
        [
            Alloc::Malloc { size: 3, ptr: a },
            Alloc::Free { ptr: b },
            Alloc::Malloc { size: 128, ptr: c },
            Alloc::Free { ptr: d },
            Alloc::Malloc { size: 4096, ptr: e },
            Alloc::Free { ptr: f },
        ] if a == b && c == d && e == f
    ));
}

#[test]
fn host_is_nul_terminated() {
    // Echoes the host string including its terminating NUL.
    let handler = r#"(func (export "plugin_handle_request")
      (param $req i32) (param $len i32) (param $host i32)
      (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
    (local $n i32)
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $host) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $scan)))
    (memory.copy (local.get $out) (local.get $host) (i32.add (local.get $n) (i32.const 1)))
    (i32.store (local.get $out_len) (i32.add (local.get $n) (i32.const 1)))
    (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.handle_request = handler.to_owned())
        .load()
        .unwrap();
    assert_eq!(
        plugin
            .handle_request(b"x", "host.example:8443")
            .unwrap()
            .body,
        b"host.example:8443\0"
    );
    assert_eq!(plugin.handle_request(b"x", "").unwrap().body, b"\0");
}

#[test]
fn non_zero_status_still_returns_the_body() {
    let handler = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32) (param $out i32) (param i32) (param $out_len i32) (result i32)
    (i32.store8 (local.get $out) (i32.const 0x45))
    (i32.store (local.get $out_len) (i32.const 1))
    (i32.const 9))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.handle_request = handler.to_owned())
        .load()
        .unwrap();
    assert_eq!(
        plugin.handle_request(b"x", "").unwrap(),
        Response {
            status: 9,
            body: b"E".to_vec()
        }
    );
}

#[test]
fn too_small_capacity_path() {
    let mut plugin = echo();
    plugin.set_capacities(Capacities {
        response: 8,
        public_key: 16,
        ..Capacities::default()
    });
    // The echo answers status 7 with an empty body when the output does not fit.
    assert_eq!(
        plugin.handle_request(b"x", "").unwrap(),
        Response {
            status: 7,
            body: Vec::new()
        }
    );
    // And -1 from plugin_get_public_key when cap < 32.
    assert_eq!(plugin.public_key(), Err(HarnessError::Status(-1)));
    plugin.set_capacities(Capacities::default());
    assert_eq!(plugin.handle_request(b"x", "").unwrap().status, 0);
}

#[test]
fn forgotten_out_len_reads_poison() {
    let handler = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32 i32) (result i32) (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.handle_request = handler.to_owned())
        .load()
        .unwrap();
    assert_eq!(
        plugin.handle_request(b"x", ""),
        Err(HarnessError::BadLength {
            len: i64::from(POISON_U32),
            capacity: RESPONSE_CAPACITY
        })
    );
}

#[test]
fn uninitialised_output_is_poison() {
    let handler = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32) (param $out_len i32) (result i32)
    (i32.store (local.get $out_len) (i32.const 4))
    (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.handle_request = handler.to_owned())
        .load()
        .unwrap();
    assert_eq!(
        plugin.handle_request(b"x", "").unwrap().body,
        [POISON_BYTE; 4]
    );
}

#[test]
fn out_len_above_capacity_is_an_error() {
    let handler = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32) (param $out_len i32) (result i32)
    (i32.store (local.get $out_len) (i32.const 8193))
    (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.handle_request = handler.to_owned())
        .load()
        .unwrap();
    reset_trace(&mut plugin);
    assert_eq!(
        plugin.handle_request(b"x", ""),
        Err(HarnessError::BadLength {
            len: 8193,
            capacity: 8192
        })
    );
    // The buffers are freed on the error path too.
    assert_freed_in_reverse(&trace(&mut plugin));
}

#[test]
fn public_key_and_metadata_length_rules() {
    let mut plugin = Wat::echo()
        .with(|w| {
            w.public_key = r#"(func (export "plugin_get_public_key") (param i32 i32) (result i32)
    (i32.const 129))"#
                .to_owned();
            w.metadata = r#"(func (export "plugin_get_metadata") (param i32 i32) (result i32)
    (i32.const -3))"#
                .to_owned();
        })
        .load()
        .unwrap();
    assert_eq!(
        plugin.public_key(),
        Err(HarnessError::BadLength {
            len: 129,
            capacity: 128
        })
    );
    assert_eq!(plugin.metadata(), Err(HarnessError::Status(-3)));
}

#[test]
fn init_status_is_an_error() {
    let mut plugin = Wat::echo()
        .with(|w| {
            w.init = r#"(func (export "plugin_init") (param i32 i32) (result i32) (i32.const 4))"#
                .to_owned();
        })
        .load()
        .unwrap();
    assert_eq!(plugin.init(b"c"), Err(HarnessError::Status(4)));
}

const ZERO_FOR_EMPTY_MALLOC: &str = r#"(func (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $p (global.get $next))
    (global.set $next (i32.add (local.get $p) (i32.add (local.get $n) (i32.const 8))))
    (local.get $p))"#;

#[test]
fn malloc_zero_returning_null_is_an_allocation_failure() {
    let mut plugin = Wat::echo()
        .with(|w| w.malloc = ZERO_FOR_EMPTY_MALLOC.to_owned())
        .load()
        .unwrap();
    // An empty config and an empty request both mean malloc(0).
    assert_eq!(
        plugin.init(b""),
        Err(HarnessError::AllocationFailed { size: 0 })
    );
    assert_eq!(
        plugin.handle_request(b"", "h"),
        Err(HarnessError::AllocationFailed { size: 0 })
    );
    plugin.init(b"x").unwrap();
    assert_eq!(
        plugin.malloc(0),
        Err(HarnessError::AllocationFailed { size: 0 })
    );
}

#[test]
fn a_trap_fails_the_call_and_the_buffers_are_still_freed() {
    let handler = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32 i32) (result i32) (unreachable))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.handle_request = handler.to_owned())
        .load()
        .unwrap();
    reset_trace(&mut plugin);
    match plugin.handle_request(b"x", "") {
        Err(HarnessError::Trap { export, message }) => {
            assert_eq!(export, "plugin_handle_request");
            assert!(message.contains("unreachable"), "{message}");
        }
        other => panic!("expected a trap, got {other:?}"),
    }
    let events = trace(&mut plugin);
    assert_eq!(events.len(), 8);
    assert_freed_in_reverse(&events);
    // The instance stays usable, as on the server.
    plugin.init(b"c").unwrap();
}

#[test]
fn state_persists_across_calls() {
    let mut plugin = echo();
    for _ in 0..3 {
        plugin.handle_request(b"x", "").unwrap();
    }
    assert_eq!(plugin.call_i32("calls", &[]).unwrap(), [3]);
}

#[test]
fn host_name_over_253_bytes_is_refused() {
    let mut plugin = echo();
    let host = "a".repeat(254);
    assert!(matches!(
        plugin.handle_request(b"x", &host),
        Err(HarnessError::InvalidInput { .. })
    ));
    plugin.handle_request(b"x", &host[..253]).unwrap();
}

#[test]
fn raw_access() {
    let mut plugin = echo();
    let ptr = plugin.malloc(16).unwrap();
    plugin.write_memory(ptr, b"hello").unwrap();
    assert_eq!(plugin.read_memory(ptr, 5).unwrap(), b"hello");
    plugin.free(ptr).unwrap();
    assert!(matches!(
        plugin.call_i32("nope", &[]),
        Err(HarnessError::NoSuchExport { .. })
    ));
    // Wrong arity is refused too.
    assert!(matches!(
        plugin.call_i32("malloc", &[]),
        Err(HarnessError::NoSuchExport { .. })
    ));
    assert!(matches!(
        plugin.read_memory(u32::MAX, 2),
        Err(HarnessError::OutOfBounds { .. })
    ));
}

#[test]
fn challenge_semantics() {
    let mut plugin = echo();
    let reply = plugin.request_challenge(br#"{"n":1}"#).unwrap();
    assert_eq!(reply.status, 0);
    assert_eq!(reply.body, br#"{"n":1}"#);

    assert!(matches!(
        plugin.request_challenge(b""),
        Err(HarnessError::InvalidInput { .. })
    ));

    // Status 0 with no output sends `{}`; any other status `{"error":N}`.
    let quiet = r#"(func (export "plugin_request_challenge")
      (param i32 i32 i32 i32) (param $out_len i32) (result i32)
    (i32.store (local.get $out_len) (i32.const 0))
    (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.challenge = Some(quiet.to_owned()))
        .load()
        .unwrap();
    assert_eq!(plugin.request_challenge(b"{}").unwrap().body, b"{}");

    let failing = r#"(func (export "plugin_request_challenge")
      (param i32 i32) (param $out i32) (param i32) (param $out_len i32) (result i32)
    (i32.store8 (local.get $out) (i32.const 0x41))
    (i32.store (local.get $out_len) (i32.const 1))
    (i32.const 5))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.challenge = Some(failing.to_owned()))
        .load()
        .unwrap();
    let reply = plugin.request_challenge(b"{}").unwrap();
    assert_eq!(reply.status, 5);
    assert_eq!(reply.output, b"A");
    assert_eq!(reply.body, br#"{"error":5}"#);

    let oversized = r#"(func (export "plugin_request_challenge")
      (param i32 i32 i32 i32) (param $out_len i32) (result i32)
    (i32.store (local.get $out_len) (i32.const 1025))
    (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.challenge = Some(oversized.to_owned()))
        .load()
        .unwrap();
    assert_eq!(
        plugin.request_challenge(b"{}"),
        Err(HarnessError::BadLength {
            len: 1025,
            capacity: 1024
        })
    );
}

#[test]
fn challenge_sequence_and_forgotten_out_len() {
    let forgetful = r#"(func (export "plugin_request_challenge")
      (param i32 i32 i32 i32 i32) (result i32) (i32.const 0))"#;
    let mut plugin = Wat::echo()
        .with(|w| w.challenge = Some(forgetful.to_owned()))
        .load()
        .unwrap();
    reset_trace(&mut plugin);
    assert!(matches!(
        plugin.request_challenge(b"{}"),
        Err(HarnessError::BadLength { capacity: 1024, .. })
    ));
    let events = trace(&mut plugin);
    assert!(matches!(
        events.as_slice(),
        [
            Alloc::Malloc { size: 2, .. },
            Alloc::Malloc { size: 1024, .. },
            Alloc::Malloc { size: 4, .. },
            ..
        ]
    ));
    assert_freed_in_reverse(&events);
}

#[test]
fn challenge_does_not_exist_on_the_original_host() {
    let mut plugin = Wat::echo()
        .load_with(Plugin::builder().revision(HostRevision::Original))
        .unwrap();
    assert!(matches!(
        plugin.request_challenge(b"{}"),
        Err(HarnessError::Unsupported { .. })
    ));
}
