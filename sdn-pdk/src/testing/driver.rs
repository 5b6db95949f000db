//! Drives a plugin type natively through the export glue.

use std::vec;
use std::vec::Vec;

use crate::__private::{self, Slot};
use crate::Plugin;

/// The bytes the driver fills every buffer with before a call, as a stand-in
/// for whatever the allocator left there: a plugin that reads output it did
/// not write, or forgets `out_len`, sees garbage, not zeros.
pub const POISON: u8 = 0xA5;

/// Output capacities the driver hands to each call; the defaults are the
/// server's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacities {
    /// `plugin_get_public_key` (server: 128).
    pub public_key: usize,
    /// `plugin_get_metadata` (server: 4096).
    pub metadata: usize,
    /// `plugin_handle_request` (server: 8192).
    pub request: usize,
    /// `plugin_request_challenge` (server: 1024).
    pub challenge: usize,
}

impl Default for Capacities {
    fn default() -> Capacities {
        Capacities {
            public_key: 128,
            metadata: 4096,
            request: 8192,
            challenge: 1024,
        }
    }
}

/// What a request call returned: its status and the body the host would send
/// (`out_len` bytes of the output buffer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The export's return value (0 = ok).
    pub status: i32,
    /// The output the host would read.
    pub body: Vec<u8>,
}

/// One plugin instance, driven as the server drives it, natively.
///
/// The calls go through the very functions the `#[sdn_plugin]` exports call,
/// with buffers of the server's capacities ([`Capacities`]) filled with
/// [`POISON`]. The driver panics — failing the test — when the plugin claims
/// more output than the capacity, as the server would reject that call.
pub struct Instance<P: Plugin> {
    slot: Slot<P>,
    capacities: Capacities,
}

impl<P: Plugin> Default for Instance<P> {
    fn default() -> Instance<P> {
        Instance::new()
    }
}

impl<P: Plugin> Instance<P> {
    /// A fresh, uninitialised instance with the server's capacities.
    pub fn new() -> Instance<P> {
        Instance::with_capacities(Capacities::default())
    }

    /// A fresh instance with other output capacities (to test the
    /// too-small paths).
    pub fn with_capacities(capacities: Capacities) -> Instance<P> {
        Instance {
            slot: Slot::new(),
            capacities,
        }
    }

    /// Changes the capacities for later calls.
    pub fn set_capacities(&mut self, capacities: Capacities) {
        self.capacities = capacities;
    }

    /// `plugin_init(config)`: the status (0 = ok).
    pub fn init(&mut self, config: &[u8]) -> i32 {
        let config = config.to_vec();
        // SAFETY: `config` is a live buffer for the call; `&mut self` makes
        // the slot exclusively ours.
        unsafe { __private::plugin_init(&self.slot, config.as_ptr(), length(config.len())) }
    }

    /// `plugin_get_public_key`: the bytes, or the negative return value.
    pub fn public_key(&mut self) -> Result<Vec<u8>, i32> {
        let capacity = self.capacities.public_key;
        self.blob(capacity, |slot, out, cap| {
            // SAFETY: `out` is a live buffer of `cap` bytes; the slot is ours.
            unsafe { __private::plugin_get_public_key(slot, out, cap) }
        })
    }

    /// `plugin_get_metadata`: the bytes, or the negative return value.
    pub fn metadata(&mut self) -> Result<Vec<u8>, i32> {
        let capacity = self.capacities.metadata;
        self.blob(capacity, |slot, out, cap| {
            // SAFETY: `out` is a live buffer of `cap` bytes; the slot is ours.
            unsafe { __private::plugin_get_metadata(slot, out, cap) }
        })
    }

    /// `plugin_handle_request(body, host)`, with the host NUL-terminated as
    /// the server passes it.
    pub fn handle(&mut self, body: &[u8], host: &str) -> Response {
        let request = body.to_vec();
        let mut host_cstr = host.as_bytes().to_vec();
        host_cstr.push(0);
        let capacity = self.capacities.request;
        self.respond(capacity, |slot, out, cap, out_len| {
            // SAFETY: every pointer is a live, distinct buffer of the stated
            // length for the call; the slot is exclusively ours.
            unsafe {
                __private::plugin_handle_request(
                    slot,
                    request.as_ptr(),
                    length(request.len()),
                    host_cstr.as_ptr(),
                    out,
                    cap,
                    out_len,
                )
            }
        })
    }

    /// `plugin_request_challenge(json)`.
    pub fn request_challenge(&mut self, json: &[u8]) -> Response {
        let request = json.to_vec();
        let capacity = self.capacities.challenge;
        self.respond(capacity, |slot, out, cap, out_len| {
            // SAFETY: as in `handle`.
            unsafe {
                __private::plugin_request_challenge(
                    slot,
                    request.as_ptr(),
                    length(request.len()),
                    out,
                    cap,
                    out_len,
                )
            }
        })
    }

    /// A request call with a poisoned output buffer of `capacity` bytes and a
    /// poisoned `out_len` cell, read back as the host reads them.
    fn respond(
        &mut self,
        capacity: usize,
        call: impl FnOnce(&Slot<P>, *mut u8, i32, *mut u8) -> i32,
    ) -> Response {
        let mut out = vec![POISON; capacity];
        let mut out_len = [POISON; 4];
        let status = call(
            &self.slot,
            out.as_mut_ptr(),
            length(capacity),
            out_len.as_mut_ptr(),
        );
        response(status, out, out_len, capacity)
    }

    fn blob(
        &mut self,
        capacity: usize,
        call: impl FnOnce(&Slot<P>, *mut u8, i32) -> i32,
    ) -> Result<Vec<u8>, i32> {
        let mut out = vec![POISON; capacity];
        let written = call(&self.slot, out.as_mut_ptr(), length(capacity));
        let Ok(len) = usize::try_from(written) else {
            return Err(written);
        };
        assert!(
            len <= capacity,
            "plugin claimed {len} bytes of a {capacity}-byte buffer"
        );
        out.truncate(len);
        Ok(out)
    }
}

/// A buffer length as the i32 the ABI passes (test buffers stay far below
/// 2 GiB; a larger one is clamped, as no host could pass it).
fn length(len: usize) -> i32 {
    i32::try_from(len).unwrap_or(i32::MAX)
}

fn response(status: i32, mut out: Vec<u8>, out_len: [u8; 4], capacity: usize) -> Response {
    let len = u32::from_le_bytes(out_len) as usize;
    assert!(
        len <= capacity,
        "plugin left out_len = {len:#x} for a {capacity}-byte buffer (unwritten or too large)"
    );
    out.truncate(len);
    Response { status, body: out }
}
