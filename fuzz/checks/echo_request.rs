//! The `echo_request` fuzz target's check, shared (by `#[path]`) with the
//! corpus replay in `examples/echo/tests/fuzz_corpus.rs`, so every committed
//! input in `fuzz/corpus/echo_request/` is checked by plain `cargo test` too.
//!
//! The echo example's `plugin_handle_request`, run natively through the
//! same export glue as on wasm (`sdn_pdk::testing::Instance`), with any
//! body, host and output capacity.
//!
//! Input: 2 bytes of output capacity (u16 LE, `% 8193`), 1 byte of host
//! length, the host (lossily UTF-8), then the body. Checked against the C
//! template (`docs/host-abi.md`), a violation panics: the clock (u64 LE)
//! and the body when `8 + len` fits, else status 7 and nothing; the
//! instance keeps serving.

use std::cell::RefCell;

use echo::Echo;
use sdn_pdk::testing::{self, Capacities, Instance};

/// The mock host's clock during the check.
const NOW: u64 = 1_790_000_000_123;

thread_local! {
    /// One instance for the whole run, as the server keeps one.
    static ECHO: RefCell<Instance<Echo>> = RefCell::new({
        let mut echo = Instance::new();
        assert_eq!(echo.init(b"fuzz"), 0);
        echo
    });
}

/// Runs one fuzz input; panics on any violation of the rules above.
pub fn check(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let capacity = usize::from(u16::from_le_bytes([data[0], data[1]])) % 8193;
    let host_len = usize::from(data[2]).min(data.len() - 3).min(253);
    let host = String::from_utf8_lossy(&data[3..3 + host_len]);
    // Keep within 253 bytes after lossy conversion (a replacement
    // character is 3 bytes), on a character boundary.
    let mut end = host.len().min(253);
    while !host.is_char_boundary(end) {
        end -= 1;
    }
    // The server's host never contains a NUL.
    let host = host[..end].replace('\0', "");
    let body = &data[3 + host_len..];

    testing::set_clock_ms(NOW);
    ECHO.with_borrow_mut(|echo| {
        echo.set_capacities(Capacities {
            request: capacity,
            ..Capacities::default()
        });
        let response = echo.handle(body, &host);
        if 8 + body.len() <= capacity {
            assert_eq!(response.status, 0);
            assert_eq!(response.body[..8], NOW.to_le_bytes());
            assert_eq!(&response.body[8..], body);
        } else {
            assert_eq!(response.status, 7);
            assert!(response.body.is_empty());
        }
        // Still serving with the server's capacity.
        echo.set_capacities(Capacities::default());
        let next = echo.handle(b"next", "");
        assert_eq!(next.status, 0);
        assert_eq!(&next.body[8..], b"next");
    });
    testing::take_logs();
}
