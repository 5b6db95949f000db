//! The host of a native build without the `testing` feature: the operating
//! system. A plugin crate used natively (its rlib in an embedding, a
//! benchmark, a tool) gets real randomness, the real clock and stderr, never
//! the predictable stand-ins of the mock host, which only the `testing`
//! feature (a dev-dependency) brings in.
//!
//! Randomness comes from getrandom 0.3 with its default backend (the OS).
//! That backend must stay the default here: with
//! `--cfg getrandom_backend="custom"` getrandom would call back into this
//! crate's custom backend, which natively exists only for the mock host.

#[cfg(all(getrandom_backend = "custom", not(any(test, feature = "testing"))))]
compile_error!(
    "sdn-pdk: `--cfg getrandom_backend=\"custom\"` on a native target routes getrandom to \
     sdn-pdk's mock host, which needs sdn-pdk's `testing` feature (turn it on from \
     [dev-dependencies]); without it sdn-pdk draws from the OS through getrandom's default \
     backend: set the cfg only in the wasm target's rustflags ([target.wasm32-wasip1] in \
     .cargo/config.toml)"
);

use std::io::Write;

/// The system clock in ms since the Unix epoch (0 before the epoch).
pub(crate) fn clock_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Fills `buf` from the operating system's CSPRNG; 0, or -1 when it fails.
pub(crate) fn random_bytes(buf: &mut [u8]) -> i32 {
    match getrandom::fill(buf) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

/// Writes one log line (`level: message`) to stderr.
pub(crate) fn log(level: i32, message: &[u8]) {
    let prefix: &[u8] = match level {
        i32::MIN..=0 => b"debug: ",
        1 => b"info: ",
        2 => b"warn: ",
        _ => b"error: ",
    };
    let mut stderr = std::io::stderr().lock();
    // A closed stderr loses the line, as the servers discard it anyway.
    let _ = stderr
        .write_all(prefix)
        .and_then(|()| stderr.write_all(message))
        .and_then(|()| stderr.write_all(b"\n"));
}

/// A module's hostcall with no host to answer it: status 1 and no
/// response, like a host without the bridge.
#[cfg(feature = "module")]
pub(crate) fn hostcall(_op: &[u8], _payload: &[u8]) -> i32 {
    1
}

/// The status of the last hostcall: always 1 (no bridge).
#[cfg(feature = "module")]
pub(crate) fn last_hostcall_status() -> i32 {
    1
}

/// The last hostcall's response: always empty (no bridge).
#[cfg(feature = "module")]
pub(crate) fn take_hostcall_response() -> std::vec::Vec<u8> {
    std::vec::Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_hands_out_different_bytes_each_time() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        assert_eq!(random_bytes(&mut a), 0);
        assert_eq!(random_bytes(&mut b), 0);
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }

    #[test]
    fn the_clock_is_the_system_clock() {
        // 2025-01-01T00:00:00Z: any real clock is past it.
        assert!(clock_now_ms() > 1_735_689_600_000);
    }
}
