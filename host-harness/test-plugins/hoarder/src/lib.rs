//! A test plugin that keeps memory on request, so host-harness can prove that
//! running into the server's 32 MiB cap is a clean failure
//! (`tests/all/exhaustion.rs`).
//!
//! Every allocation goes through `try_reserve`, so a failed one is status
//! [`OUT_OF_MEMORY`] (12), never `handle_alloc_error`'s trap.
//!
//! * `plugin_init`: any config; reserves room for [`MAX_CHUNKS`] chunks
//!   (status 12 if even that fails).
//! * `plugin_handle_request`, by the body's first byte:
//!   * `H` + size (u32 LE): keeps one new chunk of that many bytes, each
//!     byte written; status 12 when it cannot be had (nothing is kept then),
//!     13 when [`MAX_CHUNKS`] are held already;
//!   * `F`: frees every chunk;
//!   * `S`, then anything: only reports (a way to send a big request).
//!
//!   Each answers with the bytes held (u64 LE) and the chunks held (u32 LE),
//!   after the operation. Any other body, or a size of 0, is status 2.
//! * `plugin_get_public_key`: the four bytes `"HORD"`.
//! * `plugin_get_metadata`: the name `hoarder`.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::vec::Vec;

use sdn_pdk::{Error, Output, Plugin, Request, sdn_plugin};

/// Status of a request whose allocation failed.
pub const OUT_OF_MEMORY: Error = Error::custom(12);
/// Status of a hoard request when the chunk table is full.
pub const TABLE_FULL: Error = Error::custom(13);
/// Status of a body this plugin does not understand.
pub const MALFORMED: Error = Error::custom(2);
/// How many chunks the plugin can hold; the table is reserved at init so
/// that hoarding never reallocates it.
pub const MAX_CHUNKS: usize = 4096;

/// The hoard.
pub struct Hoarder {
    chunks: Vec<Vec<u8>>,
}

impl Hoarder {
    /// Bytes held in all chunks.
    pub fn held_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.len() as u64).sum()
    }

    /// Keeps a new chunk of `size` bytes, all written.
    fn hoard(&mut self, size: usize) -> Result<(), Error> {
        if self.chunks.len() >= MAX_CHUNKS {
            return Err(TABLE_FULL);
        }
        let mut chunk = Vec::new();
        chunk.try_reserve_exact(size).map_err(|_| OUT_OF_MEMORY)?;
        // Within the reserved capacity: writes every byte, allocates nothing.
        chunk.resize(size, 0xAB);
        self.chunks.try_reserve(1).map_err(|_| OUT_OF_MEMORY)?;
        self.chunks.push(chunk);
        Ok(())
    }

    fn report(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write_u64_le(self.held_bytes())?;
        out.write_u32_le(self.chunks.len() as u32)
    }
}

#[sdn_plugin]
impl Plugin for Hoarder {
    fn init(_config: &[u8]) -> Result<Self, Error> {
        let mut chunks = Vec::new();
        chunks
            .try_reserve_exact(MAX_CHUNKS)
            .map_err(|_| OUT_OF_MEMORY)?;
        Ok(Hoarder { chunks })
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(b"HORD")
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(b"hoarder")
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        match request.body() {
            [b'H', a, b, c, d] => {
                let size = u32::from_le_bytes([*a, *b, *c, *d]) as usize;
                if size == 0 {
                    return Err(MALFORMED);
                }
                self.hoard(size)?;
            }
            [b'F'] => self.chunks.clear(),
            [b'S', ..] => {}
            _ => return Err(MALFORMED),
        }
        self.report(out)
    }
}
