//! What the two WASI emulations share: the legacy server's
//! (`imports/wasi.rs`, Wazero's configuration: fake clocks and randomness)
//! and the module hosts' (`module/wasi.rs`, WasmEdge's: real ones). Their
//! stores differ, so each links its own functions; the errno values, the
//! `proc_exit` unwinding, the wire layouts and the bodies that only touch
//! guest memory live here, once.

use std::fmt;

use wasmtime::Caller;

use crate::memory::{self, guest_memory};

/// Success.
pub(crate) const ESUCCESS: i32 = 0;
/// Bad file descriptor.
pub(crate) const EBADF: i32 = 8;
/// Bad address (a guest pointer out of range).
pub(crate) const EFAULT: i32 = 21;
/// Invalid argument.
pub(crate) const EINVAL: i32 = 28;
/// I/O error.
pub(crate) const EIO: i32 = 29;
/// Function not supported.
pub(crate) const ENOSYS: i32 = 52;
/// Invalid seek.
pub(crate) const ESPIPE: i32 = 70;

/// `clockid::REALTIME`.
pub(crate) const CLOCK_REALTIME: i32 = 0;
/// `clockid::MONOTONIC`.
pub(crate) const CLOCK_MONOTONIC: i32 = 1;

/// The error a `proc_exit` call unwinds the guest with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProcExit(pub(crate) i32);

impl fmt::Display for ProcExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "proc_exit({})", self.0)
    }
}

impl std::error::Error for ProcExit {}

/// Writes `bytes` at `ptr` in the caller's memory, whatever the store;
/// `EFAULT` when out of range (or without a memory).
pub(crate) fn put<T>(caller: &mut Caller<'_, T>, ptr: i32, bytes: &[u8]) -> i32 {
    let Some(mem) = guest_memory(caller) else {
        return EFAULT;
    };
    if memory::write(mem.data_mut(caller), ptr.cast_unsigned(), bytes) {
        ESUCCESS
    } else {
        EFAULT
    }
}

/// `fd_write` for a caller of any store: `sinks` picks its stdout and
/// stderr buffers; the rest is [`fd_write_memory`].
pub(crate) fn fd_write<T>(
    caller: &mut Caller<'_, T>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
    sinks: impl FnOnce(&mut T) -> (&mut Vec<u8>, &mut Vec<u8>),
) -> i32 {
    let Some(mem) = guest_memory(caller) else {
        return EFAULT;
    };
    let (data, state) = mem.data_and_store_mut(caller);
    let (stdout, stderr) = sinks(state);
    fd_write_memory(data, fd, iovs, iovs_len, nwritten, stdout, stderr)
}

/// `fd_write` on guest memory `data`: fd 1 appends to `stdout`, fd 2 to
/// `stderr` (any other fd is `EBADF`), the byte count goes to `nwritten`.
/// Nothing is appended unless every iovec and `nwritten` are in range
/// (`EFAULT`). Returns the errno.
fn fd_write_memory(
    data: &mut [u8],
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
    stdout: &mut Vec<u8>,
    stderr: &mut Vec<u8>,
) -> i32 {
    let sink = match fd {
        1 => stdout,
        2 => stderr,
        _ => return EBADF,
    };
    let Some(bytes) = gather(data, iovs.cast_unsigned(), iovs_len.cast_unsigned()) else {
        return EFAULT;
    };
    let Ok(count) = u32::try_from(bytes.len()) else {
        return EINVAL;
    };
    if !memory::write(data, nwritten.cast_unsigned(), &count.to_le_bytes()) {
        return EFAULT;
    }
    sink.extend_from_slice(&bytes);
    ESUCCESS
}

/// `args_sizes_get` / `environ_sizes_get` for a caller of any store; see
/// [`no_strings_sizes_memory`].
pub(crate) fn no_strings_sizes<T>(caller: &mut Caller<'_, T>, count: i32, size: i32) -> i32 {
    let Some(mem) = guest_memory(caller) else {
        return EFAULT;
    };
    no_strings_sizes_memory(mem.data_mut(caller), count, size)
}

/// `args_sizes_get` / `environ_sizes_get` with nothing to pass: 0 and 0.
fn no_strings_sizes_memory(data: &mut [u8], count: i32, size: i32) -> i32 {
    let zero = 0u32.to_le_bytes();
    if memory::write(data, count.cast_unsigned(), &zero)
        && memory::write(data, size.cast_unsigned(), &zero)
    {
        ESUCCESS
    } else {
        EFAULT
    }
}

/// Concatenates the buffers of an iovec array; `None` if any is out of range.
fn gather(data: &[u8], iovs: u32, count: u32) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0..count {
        let at = iovs.checked_add(i.checked_mul(8)?)?;
        let ptr = memory::read_u32(data, at)?;
        let len = memory::read_u32(data, at.checked_add(4)?)?;
        out.extend_from_slice(memory::slice(data, ptr, u64::from(len))?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Memory with two iovecs at 0 ("he" at 64, "llo" at 80).
    fn two_iovecs() -> Vec<u8> {
        let mut data = vec![0u8; 128];
        data[0..4].copy_from_slice(&64u32.to_le_bytes());
        data[4..8].copy_from_slice(&2u32.to_le_bytes());
        data[8..12].copy_from_slice(&80u32.to_le_bytes());
        data[12..16].copy_from_slice(&3u32.to_le_bytes());
        data[64..66].copy_from_slice(b"he");
        data[80..83].copy_from_slice(b"llo");
        data
    }

    #[test]
    fn fd_write_gathers_into_the_fds_sink_and_counts() {
        let mut data = two_iovecs();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            fd_write_memory(&mut data, 2, 0, 2, 100, &mut out, &mut err),
            ESUCCESS
        );
        assert_eq!((out.as_slice(), err.as_slice()), (&b""[..], &b"hello"[..]));
        assert_eq!(data[100..104], 5u32.to_le_bytes());
        assert_eq!(
            fd_write_memory(&mut data, 1, 0, 1, 100, &mut out, &mut err),
            ESUCCESS
        );
        assert_eq!(out, b"he");
    }

    #[test]
    fn fd_write_refuses_other_fds_and_bad_ranges_writing_nothing() {
        let mut data = two_iovecs();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(
            fd_write_memory(&mut data, 3, 0, 2, 100, &mut out, &mut err),
            EBADF
        );
        // An iovec array running past memory, then a count pointer past it.
        assert_eq!(
            fd_write_memory(&mut data, 1, 120, 2, 100, &mut out, &mut err),
            EFAULT
        );
        assert_eq!(
            fd_write_memory(&mut data, 1, 0, 2, 126, &mut out, &mut err),
            EFAULT
        );
        data[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            fd_write_memory(&mut data, 1, 0, 2, 100, &mut out, &mut err),
            EFAULT
        );
        assert!(out.is_empty() && err.is_empty());
    }

    #[test]
    fn no_strings_sizes_writes_two_zeros_or_faults() {
        let mut data = vec![0xFF; 16];
        assert_eq!(no_strings_sizes_memory(&mut data, 0, 8), ESUCCESS);
        assert_eq!(data[..4], [0; 4]);
        assert_eq!(data[8..12], [0; 4]);
        assert_eq!(no_strings_sizes_memory(&mut data, 0, 14), EFAULT);
    }
}
