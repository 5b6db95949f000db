//! A test plugin that leaks [`LEAK_BYTES`] bytes on every request, built
//! with sdn-pdk's `heap-stats` feature (it exports
//! `sdn_pdk_heap_live_bytes`), so host-harness can prove that the soak's
//! live-heap check sees a leak far smaller than a 64 KiB page
//! (`tests/all/soak.rs`).
//!
//! * `plugin_init`: any config.
//! * `plugin_handle_request`: keeps a new [`LEAK_BYTES`]-byte block it
//!   never frees; answers with the number of blocks leaked so far (u64 LE).
//! * `plugin_get_public_key`: the four bytes `"LEAK"`.
//! * `plugin_get_metadata`: the name `leaker`.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::boxed::Box;

use sdn_pdk::{Error, Output, Plugin, Request, sdn_plugin};

/// Bytes leaked per request.
pub const LEAK_BYTES: usize = 16;

/// Counts the requests it leaked on.
pub struct Leaker {
    leaked: u64,
}

#[sdn_plugin]
impl Plugin for Leaker {
    fn init(_config: &[u8]) -> Result<Self, Error> {
        Ok(Leaker { leaked: 0 })
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(b"LEAK")
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(b"leaker")
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        // The leak: a block whose owner is forgotten.
        // `black_box` keeps the optimiser from eliding the allocation.
        let block: &'static mut [u8; LEAK_BYTES] = Box::leak(Box::new([0; LEAK_BYTES]));
        block[0] = request.body().first().copied().unwrap_or(0);
        core::hint::black_box(block);
        self.leaked += 1;
        out.write_u64_le(self.leaked)
    }
}
