//! The export glue's promises, through the native driver (which runs the
//! same `__private` functions as the wasm exports).

use sdn_pdk::testing::{self, Capacities, Instance};
use sdn_pdk::{Error, Output, Plugin, Request};

/// A plugin whose behaviour each request picks: the body's first byte.
struct Scripted {
    generation: u32,
    served: u32,
}

const FAIL_INIT: &[u8] = b"fail";

impl Plugin for Scripted {
    fn init(config: &[u8]) -> Result<Self, Error> {
        if config == FAIL_INIT {
            return Err(Error::custom(2));
        }
        Ok(Scripted {
            generation: u32::from(config.first().copied().unwrap_or(0)),
            served: 0,
        })
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(&[0x04; 65])
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write_u32_le(self.generation)?;
        out.write_u32_le(self.served)
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        self.served += 1;
        match request.body().first() {
            // Echo the host.
            Some(b'h') => out.write(request.host_bytes()),
            // An error status with a body.
            Some(b'e') => {
                out.write(b"bad")?;
                Err(Error::custom(4))
            }
            // Write part of the answer, then run out of room.
            Some(b'p') => {
                out.write(b"partial")?;
                out.write(&[0; 9000])
            }
            // A panic in the middle of a call (a trap on wasm).
            Some(b'!') => panic!("requested panic"),
            _ => out.write(request.body()),
        }
    }
}

#[test]
fn before_init_requests_answer_1_and_blobs_fail() {
    let mut plugin = Instance::<Scripted>::new();
    let response = plugin.handle(b"x", "");
    assert_eq!((response.status, response.body.len()), (1, 0));
    assert_eq!(plugin.public_key(), Err(-1));
    assert_eq!(plugin.metadata(), Err(-1));
    assert_eq!(plugin.request_challenge(b"{}").status, 1);
}

#[test]
fn a_failed_first_init_leaves_the_plugin_uninitialised() {
    let mut plugin = Instance::<Scripted>::new();
    assert_eq!(plugin.init(FAIL_INIT), 2);
    assert_eq!(plugin.handle(b"x", "").status, 1);
}

#[test]
fn a_failed_reinit_keeps_the_previous_state() {
    let mut plugin = Instance::<Scripted>::new();
    assert_eq!(plugin.init(&[7]), 0);
    assert_eq!(plugin.handle(b"x", "").status, 0);
    assert_eq!(plugin.init(FAIL_INIT), 2);
    // Generation 7 and one request served: the old instance is still there.
    assert_eq!(plugin.metadata().unwrap(), [7, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(plugin.init(&[9]), 0);
    assert_eq!(plugin.metadata().unwrap(), [9, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn error_statuses_keep_their_body_but_output_too_small_sends_nothing() {
    let mut plugin = Instance::<Scripted>::new();
    plugin.init(b"");
    let error = plugin.handle(b"e", "");
    assert_eq!((error.status, &error.body[..]), (4, &b"bad"[..]));
    let partial = plugin.handle(b"p", "");
    assert_eq!((partial.status, partial.body.len()), (7, 0));
}

#[test]
fn outputs_never_exceed_the_capacity() {
    let mut plugin = Instance::<Scripted>::with_capacities(Capacities {
        public_key: 64,
        request: 4,
        ..Capacities::default()
    });
    plugin.init(b"");
    assert_eq!(plugin.public_key(), Err(-1), "65 bytes do not fit in 64");
    assert_eq!(plugin.handle(b"abcd", "").body, b"abcd");
    let too_long = plugin.handle(b"abcde", "");
    assert_eq!((too_long.status, too_long.body.len()), (7, 0));
}

#[test]
fn the_host_string_is_read_up_to_its_nul_and_at_most_253_bytes() {
    let mut plugin = Instance::<Scripted>::new();
    plugin.init(b"");
    assert_eq!(
        plugin.handle(b"h", "example.com:8443").body,
        b"example.com:8443"
    );
    assert_eq!(plugin.handle(b"h", "").body, b"");
    let long = "a".repeat(400);
    assert_eq!(plugin.handle(b"h", &long).body.len(), sdn_pdk::HOST_MAX);
}

#[test]
fn the_default_challenge_is_unsupported_with_status_501() {
    let mut plugin = Instance::<Scripted>::new();
    plugin.init(b"");
    let response = plugin.request_challenge(br#"{"nonce":"00"}"#);
    assert_eq!((response.status, response.body.len()), (501, 0));
}

#[test]
fn a_panic_in_one_call_does_not_break_the_next() {
    let mut plugin = Instance::<Scripted>::new();
    plugin.init(b"");
    for _ in 0..3 {
        let panicked =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| plugin.handle(b"!", "")));
        assert!(panicked.is_err());
        // No borrow flag was left set: the same instance serves again.
        assert_eq!(plugin.handle(b"ok", "").body, b"ok");
    }
}

#[test]
fn the_mock_host_is_per_thread_and_scriptable() {
    testing::reset();
    testing::set_clock_ms(42);
    testing::script_random(&[1, 2, 3]);
    let mut bytes = [0u8; 3];
    sdn_pdk::host::random_bytes(&mut bytes).unwrap();
    assert_eq!(bytes, [1, 2, 3]);
    assert_eq!(sdn_pdk::host::clock_now_ms(), 42);
    testing::advance_clock_ms(-2);
    assert_eq!(sdn_pdk::host::clock_now_ms(), 40);
    sdn_pdk::host::info("line1\nline2");
    let logs = testing::take_logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].message, "line1?line2");
    std::thread::spawn(|| {
        assert_ne!(
            sdn_pdk::host::clock_now_ms(),
            40,
            "another thread has its own clock"
        );
        assert!(testing::logs().is_empty());
    })
    .join()
    .unwrap();
}
