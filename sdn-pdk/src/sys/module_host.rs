//! The `space_data_module_host` imports: `call`, `response_len`,
//! `read_response`, `last_status_code`, `clear_response`.
//!
//! The host keeps the last response; [`take_response`] copies it out and
//! clears it. Natively the mock host of `crate::testing` answers instead
//! (with the `testing` feature), or nothing does (without it: every call is
//! status 1 with no response, like a host without the bridge).

#[cfg(target_arch = "wasm32")]
use alloc::vec::Vec;

#[cfg(target_arch = "wasm32")]
mod imports {
    #[link(wasm_import_module = "space_data_module_host")]
    unsafe extern "C" {
        /// `call(op_ptr, op_len, payload_ptr, payload_len) -> i32`.
        pub(super) fn call(
            op_ptr: *const u8,
            op_len: u32,
            payload_ptr: *const u8,
            payload_len: u32,
        ) -> i32;
        /// `response_len() -> i32`.
        pub(super) fn response_len() -> i32;
        /// `read_response(dst_ptr, dst_len) -> i32`: bytes copied.
        pub(super) fn read_response(dst_ptr: *mut u8, dst_len: u32) -> i32;
        /// `last_status_code() -> i32`.
        pub(super) fn last_status_code() -> i32;
        /// `clear_response() -> i32`.
        pub(super) fn clear_response() -> i32;
    }
}

/// Calls operation `op` with the encoded `payload`; the host's status.
#[cfg(target_arch = "wasm32")]
pub(crate) fn call(op: &[u8], payload: &[u8]) -> i32 {
    let (Ok(op_len), Ok(payload_len)) = (u32::try_from(op.len()), u32::try_from(payload.len()))
    else {
        return -1;
    };
    // SAFETY: both slices are live regions of linear memory of exactly the
    // lengths passed; the host only reads them.
    unsafe { imports::call(op.as_ptr(), op_len, payload.as_ptr(), payload_len) }
}

/// The host's status for the last call.
#[cfg(target_arch = "wasm32")]
pub(crate) fn last_status_code() -> i32 {
    // SAFETY: no arguments, no guest memory touched.
    unsafe { imports::last_status_code() }
}

/// Copies the last response out of the host and clears it; empty when there
/// is none (or memory runs out).
#[cfg(target_arch = "wasm32")]
pub(crate) fn take_response() -> Vec<u8> {
    // SAFETY: no arguments, no guest memory touched.
    let len = unsafe { imports::response_len() };
    let mut response = Vec::new();
    if let Ok(len) = usize::try_from(len)
        && len > 0
        && response.try_reserve_exact(len).is_ok()
    {
        response.resize(len, 0);
        // SAFETY: `response` is a live, writable buffer of `len` bytes; the
        // host copies at most that many.
        let copied = unsafe { imports::read_response(response.as_mut_ptr(), len as u32) };
        response.truncate(usize::try_from(copied).unwrap_or(0).min(len));
    }
    // SAFETY: no arguments, no guest memory touched.
    unsafe { imports::clear_response() };
    response
}

#[cfg(all(not(target_arch = "wasm32"), any(test, feature = "testing")))]
pub(crate) use crate::testing::mock::{
    hostcall as call, last_hostcall_status as last_status_code,
    take_hostcall_response as take_response,
};

#[cfg(all(not(target_arch = "wasm32"), not(any(test, feature = "testing"))))]
pub(crate) use super::native::{
    hostcall as call, last_hostcall_status as last_status_code,
    take_hostcall_response as take_response,
};
