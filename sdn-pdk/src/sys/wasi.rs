//! The WASI imports a module uses (`wasi_snapshot_preview1`): the real
//! clock and randomness of the module hosts, stderr for logs, and the
//! stdin/stdout/exit of the command surface. All of them are among the 17
//! WASI functions the module SDK's harness provides.

#[cfg(feature = "command")]
use alloc::vec::Vec;

/// A WASI `ciovec`/`iovec`: pointer and length, as wasm32 lays them out.
#[repr(C)]
struct IoVec {
    ptr: *const u8,
    len: usize,
}

mod imports {
    use super::IoVec;

    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    unsafe extern "C" {
        /// `clock_time_get(id, precision, *time) -> errno`.
        pub(super) fn clock_time_get(id: u32, precision: u64, time: *mut u64) -> i32;
        /// `random_get(buf, len) -> errno`.
        pub(super) fn random_get(buf: *mut u8, len: usize) -> i32;
        /// `fd_write(fd, iovs, iovs_len, *written) -> errno`.
        pub(super) fn fd_write(
            fd: u32,
            iovs: *const IoVec,
            iovs_len: usize,
            written: *mut usize,
        ) -> i32;
        /// `fd_read(fd, iovs, iovs_len, *read) -> errno`.
        #[cfg(feature = "command")]
        pub(super) fn fd_read(
            fd: u32,
            iovs: *const IoVec,
            iovs_len: usize,
            read: *mut usize,
        ) -> i32;
        /// `proc_exit(code)`: never returns.
        #[cfg(feature = "command")]
        pub(super) fn proc_exit(code: u32) -> !;
    }
}

/// WASI's realtime clock id.
const CLOCK_REALTIME: u32 = 0;
/// The stdio descriptors.
#[cfg(feature = "command")]
const STDIN: u32 = 0;
#[cfg(feature = "command")]
const STDOUT: u32 = 1;
const STDERR: u32 = 2;

/// The wall clock in ms since the Unix epoch (0 if the host refuses).
pub(crate) fn clock_now_ms() -> i64 {
    let mut nanos = 0u64;
    // SAFETY: `nanos` is a live, writable u64 the host fills.
    let errno = unsafe { imports::clock_time_get(CLOCK_REALTIME, 1_000_000, &mut nanos) };
    if errno != 0 {
        return 0;
    }
    (nanos / 1_000_000) as i64
}

/// Fills `buf` from WASI `random_get`; 0, or -1 when the host refuses.
pub(crate) fn random_bytes(buf: &mut [u8]) -> i32 {
    // SAFETY: `buf` is a live, exclusively borrowed region of `buf.len()` bytes.
    let errno = unsafe { imports::random_get(buf.as_mut_ptr(), buf.len()) };
    if errno == 0 { 0 } else { -1 }
}

/// Writes one log line (`level: message\n`) to stderr, where the module
/// hosts collect a module's diagnostics.
pub(crate) fn log(level: i32, message: &[u8]) {
    let prefix: &[u8] = match level {
        0 => b"debug: ",
        1 => b"info: ",
        2 => b"warn: ",
        _ => b"error: ",
    };
    write_all(STDERR, &[prefix, message, b"\n"]);
}

/// Writes every byte of `parts` to `fd`; false when the host fails.
fn write_all(fd: u32, parts: &[&[u8]]) -> bool {
    for part in parts {
        let mut rest = *part;
        while !rest.is_empty() {
            let iov = IoVec {
                ptr: rest.as_ptr(),
                len: rest.len(),
            };
            let mut written = 0usize;
            // SAFETY: `iov` describes the live slice `rest`, which the host
            // only reads; `written` is a live, writable cell.
            let errno = unsafe { imports::fd_write(fd, &iov, 1, &mut written) };
            if errno != 0 || written == 0 || written > rest.len() {
                return false;
            }
            rest = &rest[written..];
        }
    }
    true
}

/// Writes `bytes` to stdout; false when the host fails.
#[cfg(feature = "command")]
pub(crate) fn write_stdout(bytes: &[u8]) -> bool {
    write_all(STDOUT, &[bytes])
}

/// Reads stdin to its end; `None` when the host fails or memory runs out.
#[cfg(feature = "command")]
pub(crate) fn read_stdin() -> Option<Vec<u8>> {
    let mut input = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let iov = IoVec {
            ptr: chunk.as_mut_ptr(),
            len: chunk.len(),
        };
        let mut read = 0usize;
        // SAFETY: `iov` describes the live, writable `chunk`; `read` is a
        // live, writable cell.
        let errno = unsafe { imports::fd_read(STDIN, &iov, 1, &mut read) };
        if errno != 0 || read > chunk.len() {
            return None;
        }
        if read == 0 {
            return Some(input);
        }
        input.try_reserve(read).ok()?;
        input.extend_from_slice(&chunk[..read]);
    }
}

/// Ends the process with `code` (the command surface's exit status).
#[cfg(feature = "command")]
pub(crate) fn exit(code: u32) -> ! {
    // SAFETY: `proc_exit` takes a plain integer and does not return.
    unsafe { imports::proc_exit(code) }
}
