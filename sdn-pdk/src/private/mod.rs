//! The bodies of the exports `#[sdn_plugin]` generates. Not public API.
//!
//! Each generated `extern "C"` shim is one call into a function here, so the
//! pointer handling lives in this crate, once, and the native test driver in
//! [`crate::testing`] runs exactly the same code.

use core::cell::UnsafeCell;

#[cfg(feature = "module")]
pub mod module;

use crate::abi;
use crate::request::HOST_MAX;
use crate::{Error, Output, Plugin, Request};

/// Status returned by `plugin_init` on success and by the request calls on success.
const OK: i32 = 0;
/// What the public-key and metadata exports return on any failure.
const FAILED: i32 = -1;

/// Where a plugin's single instance lives for the module's life.
///
/// A plain cell, deliberately not a `RefCell`: a trap in the middle of a call
/// must not leave a borrow flag set that fails every later call.
pub struct Slot<P> {
    state: UnsafeCell<Option<P>>,
}

// SAFETY: wasm32 without the atomics feature has exactly one thread, and the
// server serialises calls into an instance with a mutex.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<P> Sync for Slot<P> {}

impl<P> Slot<P> {
    /// An empty slot (not initialised).
    pub const fn new() -> Slot<P> {
        Slot {
            state: UnsafeCell::new(None),
        }
    }

    /// # Safety
    ///
    /// No other reference into the slot is live: calls are not reentrant
    /// (the host serialises them, and nothing here calls back into an export).
    #[allow(
        clippy::mut_from_ref,
        reason = "exclusivity comes from the host's serialised calls"
    )]
    unsafe fn state(&self) -> &mut Option<P> {
        // SAFETY: exclusivity per the function's contract.
        unsafe { &mut *self.state.get() }
    }
}

impl<P: Default> Slot<P> {
    /// The instance, made with `P::default()` on first use (the module ABI
    /// has no init call).
    ///
    /// # Safety
    ///
    /// As for [`Slot::state`]: no other reference into the slot is live.
    #[allow(
        clippy::mut_from_ref,
        reason = "exclusivity comes from the host's serialised calls"
    )]
    pub unsafe fn get_or_default(&self) -> &mut P {
        // SAFETY: forwarded contract.
        unsafe { self.state() }.get_or_insert_with(P::default)
    }
}

impl<P> Default for Slot<P> {
    fn default() -> Slot<P> {
        Slot::new()
    }
}

/// `plugin_init(cfg_ptr, cfg_len) -> i32`.
///
/// # Safety
///
/// The slot is not otherwise borrowed; `(cfg_ptr, cfg_len)` is a range the
/// host owns for the call.
pub unsafe fn plugin_init<P: Plugin>(slot: &Slot<P>, cfg_ptr: *const u8, cfg_len: i32) -> i32 {
    // SAFETY: per the contract the host's range is valid for the call.
    let Some(config) = (unsafe { abi::host_bytes(cfg_ptr, cfg_len) }) else {
        return Error::HOST_BUFFER.status();
    };
    // SAFETY: calls are not reentrant.
    let state = unsafe { slot.state() };
    let result = match state {
        Some(plugin) => plugin.reinit(config),
        None => P::init(config).map(|plugin| *state = Some(plugin)),
    };
    match result {
        Ok(()) => OK,
        Err(error) => error.status(),
    }
}

/// `plugin_get_public_key(out_ptr, out_cap) -> i32`: bytes written, or -1.
///
/// # Safety
///
/// The slot is not otherwise borrowed; `(out_ptr, out_cap)` is a buffer the
/// host owns for the call.
#[inline(always)]
pub unsafe fn plugin_get_public_key<P: Plugin>(
    slot: &Slot<P>,
    out_ptr: *mut u8,
    out_cap: i32,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { write_blob(slot, out_ptr, out_cap, P::public_key) }
}

/// `plugin_get_metadata(out_ptr, out_cap) -> i32`: bytes written, or -1.
///
/// # Safety
///
/// As for [`plugin_get_public_key`].
#[inline(always)]
pub unsafe fn plugin_get_metadata<P: Plugin>(
    slot: &Slot<P>,
    out_ptr: *mut u8,
    out_cap: i32,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe { write_blob(slot, out_ptr, out_cap, P::metadata) }
}

/// # Safety
///
/// As for [`plugin_get_public_key`].
unsafe fn write_blob<P: Plugin>(
    slot: &Slot<P>,
    out_ptr: *mut u8,
    out_cap: i32,
    write: fn(&P, &mut Output<'_>) -> Result<(), Error>,
) -> i32 {
    // SAFETY: calls are not reentrant.
    let Some(plugin) = (unsafe { slot.state() }) else {
        return FAILED;
    };
    // SAFETY: the host owns the buffer for the call.
    let Some(buffer) = (unsafe { abi::host_buffer(out_ptr, out_cap) }) else {
        return FAILED;
    };
    let mut out = Output::new(buffer);
    match write(plugin, &mut out) {
        // The length is bounded by the i32 capacity.
        Ok(()) => i32::try_from(out.len()).unwrap_or(FAILED),
        Err(_) => FAILED,
    }
}

/// `plugin_handle_request(req_ptr, req_len, host_ptr, out_ptr, out_cap, out_len_ptr) -> i32`.
///
/// # Safety
///
/// The slot is not otherwise borrowed; the request range, the NUL-terminated
/// host string, the output buffer and the 4-byte `out_len` cell are the
/// host's, distinct, for the call.
pub unsafe fn plugin_handle_request<P: Plugin>(
    slot: &Slot<P>,
    req_ptr: *const u8,
    req_len: i32,
    host_ptr: *const u8,
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        respond(slot, out_ptr, out_cap, out_len_ptr, |plugin, out| {
            // SAFETY: the host's range is valid for the call.
            let body = abi::host_bytes(req_ptr, req_len).ok_or(Error::HOST_BUFFER)?;
            // SAFETY: the host's string is NUL-terminated within memory.
            let host = abi::host_c_str(host_ptr, HOST_MAX);
            plugin.handle_request(&Request::new(body, host), out)
        })
    }
}

/// `plugin_request_challenge(req_ptr, req_len, out_ptr, out_cap, out_len_ptr) -> i32`.
///
/// # Safety
///
/// As for [`plugin_handle_request`], without the host string.
pub unsafe fn plugin_request_challenge<P: Plugin>(
    slot: &Slot<P>,
    req_ptr: *const u8,
    req_len: i32,
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
) -> i32 {
    // SAFETY: forwarded contract.
    unsafe {
        respond(slot, out_ptr, out_cap, out_len_ptr, |plugin, out| {
            // SAFETY: the host's range is valid for the call.
            let body = abi::host_bytes(req_ptr, req_len).ok_or(Error::HOST_BUFFER)?;
            plugin.request_challenge(body, out)
        })
    }
}

/// The shared shape of the two request calls: `out_len` is written on every
/// path (0 first, the real length last), status 1 before init or without an
/// output (as the C template), and `out_len = 0` with status 7.
///
/// # Safety
///
/// As for [`plugin_handle_request`].
#[inline(always)]
unsafe fn respond<P: Plugin>(
    slot: &Slot<P>,
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
    call: impl FnOnce(&mut P, &mut Output<'_>) -> Result<(), Error>,
) -> i32 {
    // SAFETY: forwarded contract.
    let Some(mut out) = (unsafe { begin_response(out_ptr, out_cap, out_len_ptr) }) else {
        return Error::NOT_INITIALISED.status();
    };
    // SAFETY: calls are not reentrant.
    let Some(plugin) = (unsafe { slot.state() }) else {
        return Error::NOT_INITIALISED.status();
    };
    let result = call(plugin, &mut out);
    // SAFETY: forwarded contract.
    unsafe { finish_response(out_len_ptr, &out, result) }
}

/// Zeroes `out_len` and wraps the output buffer; `None` when either pointer
/// is null. Kept apart from the generic [`respond`] so a plugin carries one
/// copy.
///
/// # Safety
///
/// As for [`plugin_handle_request`].
#[inline(always)]
unsafe fn begin_response<'a>(
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
) -> Option<Output<'a>> {
    // SAFETY: the out_len cell is the host's for the call.
    if !unsafe { abi::write_out_len(out_len_ptr, 0) } {
        return None;
    }
    // SAFETY: the output buffer is the host's for the call.
    unsafe { abi::host_buffer(out_ptr, out_cap) }.map(Output::new)
}

/// Writes the final `out_len` and turns the plugin's result into a status.
///
/// # Safety
///
/// `out_len_ptr` is the host's non-null cell for the call.
#[inline(always)]
unsafe fn finish_response(
    out_len_ptr: *mut u8,
    out: &Output<'_>,
    result: Result<(), Error>,
) -> i32 {
    let (status, len) = match result {
        Ok(()) => (OK, out.len()),
        Err(error) if error == Error::OUTPUT_TOO_SMALL => (error.status(), 0),
        Err(error) => (error.status(), out.len()),
    };
    // SAFETY: per the contract. `len` is bounded by the i32 capacity, so the
    // cast is lossless.
    unsafe { abi::write_out_len(out_len_ptr, len as u32) };
    status
}
