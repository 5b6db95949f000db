//! The legacy server's `sdn` imports (`clock_now_ms`, `random_bytes`, `log`).

mod imports {
    #[link(wasm_import_module = "sdn")]
    unsafe extern "C" {
        /// `sdn.clock_now_ms() -> i64`: wall clock, ms since the Unix epoch.
        #[link_name = "clock_now_ms"]
        pub(super) fn sdn_clock_now_ms() -> i64;
        /// `sdn.random_bytes(ptr, len) -> i32`: 0, or -1 above 8192 bytes or out of range.
        #[link_name = "random_bytes"]
        pub(super) fn sdn_random_bytes(ptr: *mut u8, len: i32) -> i32;
        /// `sdn.log(level, ptr, len)`.
        #[link_name = "log"]
        pub(super) fn sdn_log(level: i32, ptr: *const u8, len: i32);
    }
}

/// Reads the host's wall clock.
pub(crate) fn clock_now_ms() -> i64 {
    // SAFETY: the import takes no arguments and touches no guest memory.
    unsafe { imports::sdn_clock_now_ms() }
}

/// Fills `buf` from the host's CSPRNG; the caller keeps `buf` within the
/// server's 8192-byte cap. Returns the host's status (0 = filled).
pub(crate) fn random_bytes(buf: &mut [u8]) -> i32 {
    let Ok(len) = i32::try_from(buf.len()) else {
        return -1;
    };
    // SAFETY: `buf` is a live, exclusively borrowed region of linear memory
    // of exactly `len` bytes; the host writes at most `len` bytes into it.
    unsafe { imports::sdn_random_bytes(buf.as_mut_ptr(), len) }
}

/// Sends one log record; the caller keeps `message` within the 4096-byte cap.
pub(crate) fn log(level: i32, message: &[u8]) {
    let len = i32::try_from(message.len()).unwrap_or(i32::MAX);
    // SAFETY: `message` is a live region of linear memory of at least `len`
    // bytes; the host only reads it.
    unsafe { imports::sdn_log(level, message.as_ptr(), len) }
}
