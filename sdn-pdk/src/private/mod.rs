//! The bodies of the exports `#[sdn_plugin]` generates. Not public API.
//!
//! Each generated `extern "C"` shim is one call into a function here, so the
//! pointer handling lives in this crate, once, and the native test driver in
//! `crate::testing` runs exactly the same code.

use core::cell::UnsafeCell;

#[cfg(feature = "module")]
pub mod module;

use crate::abi::range::{HostRange, RangeError};
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

/// The static `#[sdn_plugin]` keeps a plugin's instance in: a [`Slot`] that
/// may sit in a `static` on every target, so the generated exports
/// type-check natively too.
///
/// Only the generated export shims reach it. On wasm32 they are the
/// module's exports, which the host calls one at a time (one thread, calls
/// serialised by the host's mutex); on other targets they are not exported
/// at all and live in an anonymous `const`, so no code can name or call
/// them.
#[repr(transparent)]
pub struct ExportSlot<P>(Slot<P>);

// SAFETY: the slot is reachable only through the generated shims (see the
// type's docs and `ExportSlot::new`'s contract): the host's serialised calls
// on wasm32, nothing at all elsewhere. Not with wasm threads, where several
// threads could enter the exports at once.
#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
unsafe impl<P> Sync for ExportSlot<P> {}

impl<P> ExportSlot<P> {
    /// An empty slot (not initialised).
    ///
    /// # Safety
    ///
    /// Only for the `static` of `#[sdn_plugin]`'s expansion: the slot must be
    /// reachable from the generated export shims alone.
    pub const unsafe fn new() -> ExportSlot<P> {
        ExportSlot(Slot::new())
    }

    /// The slot inside.
    pub const fn slot(&self) -> &Slot<P> {
        &self.0
    }
}

/// `plugin_init(cfg_ptr, cfg_len) -> i32`.
///
/// # Safety
///
/// The slot is not otherwise borrowed; linear memory is not written by
/// anyone else during the call.
pub unsafe fn plugin_init<P: Plugin>(slot: &Slot<P>, cfg_ptr: *const u8, cfg_len: i32) -> i32 {
    // The server calls `plugin_init` before any other plugin code runs: from
    // here on a std plugin's panics reach `sdn.log`.
    #[cfg(all(target_arch = "wasm32", feature = "std"))]
    crate::panic::install_hook();
    let Ok(config) = HostRange::new(cfg_ptr, cfg_len) else {
        return Error::HOST_BUFFER.status();
    };
    // SAFETY: checked inside memory; the host does not write it during the call.
    let config = unsafe { config.bytes() };
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
/// As for [`plugin_init`].
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
/// As for [`plugin_init`].
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
/// As for [`plugin_init`].
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
    let Ok(buffer) = HostRange::required(out_ptr, out_cap) else {
        return FAILED;
    };
    // SAFETY: inside memory, the plugin's for the call.
    let mut out = Output::new(unsafe { buffer.buffer() });
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
/// The slot is not otherwise borrowed; linear memory is not written by
/// anyone else during the call.
pub unsafe fn plugin_handle_request<P: Plugin>(
    slot: &Slot<P>,
    req_ptr: *const u8,
    req_len: i32,
    host_ptr: *const u8,
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
) -> i32 {
    let request = HostRange::new(req_ptr, req_len);
    // SAFETY: wasm memory is initialised; the host does not write it during the call.
    let host = unsafe { HostRange::c_string(host_ptr, HOST_MAX) };
    let cells = OutputCells {
        out_ptr,
        out_cap,
        out_len_ptr,
    };
    // SAFETY: forwarded contract.
    unsafe {
        respond(slot, request, host, cells, |plugin, body, host, out| {
            plugin.handle_request(&Request::new(body, host), out)
        })
    }
}

/// `plugin_request_challenge(req_ptr, req_len, out_ptr, out_cap, out_len_ptr) -> i32`.
///
/// # Safety
///
/// As for [`plugin_handle_request`].
pub unsafe fn plugin_request_challenge<P: Plugin>(
    slot: &Slot<P>,
    req_ptr: *const u8,
    req_len: i32,
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
) -> i32 {
    let request = HostRange::new(req_ptr, req_len);
    let no_host = HostRange::EMPTY;
    let cells = OutputCells {
        out_ptr,
        out_cap,
        out_len_ptr,
    };
    // SAFETY: forwarded contract.
    unsafe {
        respond(slot, request, no_host, cells, |plugin, body, _, out| {
            plugin.request_challenge(body, out)
        })
    }
}

/// The output buffer and the `out_len` cell, as the host passed them.
struct OutputCells {
    out_ptr: *mut u8,
    out_cap: i32,
    out_len_ptr: *mut u8,
}

/// The shared shape of the two request calls.
///
/// Every host range is validated first (inside memory, the outputs
/// disjoint from the inputs and from each other): any failure is status 9
/// ([`Error::HOST_BUFFER`]) with `out_len` 0, written when the cell itself
/// is usable. Then `out_len` is 0 until the call ends; before a successful
/// init the status is 1; on status 7 `out_len` stays 0; otherwise it is the
/// bytes written (an error status keeps its body, as the key broker's
/// error packets need).
///
/// # Safety
///
/// As for [`plugin_handle_request`].
#[inline(always)]
unsafe fn respond<P: Plugin>(
    slot: &Slot<P>,
    request: Result<HostRange, RangeError>,
    host: HostRange,
    cells: OutputCells,
    call: impl FnOnce(&mut P, &[u8], &[u8], &mut Output<'_>) -> Result<(), Error>,
) -> i32 {
    // SAFETY: forwarded contract.
    let Some((request, out_len, out)) = (unsafe { begin_response(request, host, cells) }) else {
        return Error::HOST_BUFFER.status();
    };
    // SAFETY: calls are not reentrant.
    let Some(plugin) = (unsafe { slot.state() }) else {
        return Error::NOT_INITIALISED.status();
    };
    // SAFETY: the inputs are inside memory and not written during the call;
    // the output was checked disjoint from them.
    let (body, host) = unsafe { (request.bytes(), host.bytes()) };
    // SAFETY: as above.
    let mut out = Output::new(unsafe { out.buffer() });
    let result = call(plugin, body, host, &mut out);
    // SAFETY: the cell is inside memory and disjoint from every other buffer.
    unsafe { finish_response(out_len, &out, result) }
}

/// Validates the call's buffers and zeroes `out_len`; `None` (after zeroing
/// a usable cell) when any range is unusable. Kept apart from the generic
/// [`respond`] so a plugin carries one copy.
///
/// # Safety
///
/// As for [`plugin_handle_request`].
#[inline(never)]
unsafe fn begin_response(
    request: Result<HostRange, RangeError>,
    host: HostRange,
    cells: OutputCells,
) -> Option<(HostRange, HostRange, HostRange)> {
    let inputs = request.ok();
    let out_len = HostRange::required(cells.out_len_ptr, 4)
        .and_then(|cell| cell.disjoint_from(host))
        .and_then(|cell| inputs.map_or(Ok(cell), |request| cell.disjoint_from(request)))
        .ok()?;
    // SAFETY: 4 bytes inside memory, overlapping no input.
    unsafe { out_len.write_u32_le(0) };
    let request = inputs?;
    let out = HostRange::required(cells.out_ptr, cells.out_cap)
        .and_then(|out| out.disjoint_from(request))
        .and_then(|out| out.disjoint_from(host))
        .and_then(|out| out.disjoint_from(out_len))
        .ok()?;
    Some((request, out_len, out))
}

/// Writes the final `out_len` and turns the plugin's result into a status.
///
/// # Safety
///
/// `out_len` is the call's validated cell.
#[inline(always)]
unsafe fn finish_response(out_len: HostRange, out: &Output<'_>, result: Result<(), Error>) -> i32 {
    let (status, len) = match result {
        Ok(()) => (OK, out.len()),
        Err(error) if error == Error::OUTPUT_TOO_SMALL => (error.status(), 0),
        Err(error) => (error.status(), out.len()),
    };
    // SAFETY: per the contract. `len` is bounded by the i32 capacity, so the
    // cast is lossless.
    unsafe { out_len.write_u32_le(len as u32) };
    status
}
