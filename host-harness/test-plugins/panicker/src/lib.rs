//! A test plugin that panics when asked to, so host-harness can prove that a
//! trap fails only the call it happens in (`tests/all/traps.rs`).
//!
//! On wasm32 sdn-pdk's panic handler logs the message and executes
//! `unreachable`: the call traps, the server answers that one request with
//! an HTTP 500 and keeps the instance. The instance keeps whatever state the
//! trap left behind, so this plugin counts what it did:
//!
//! * `plugin_init`: any config; the counters start at zero.
//! * `plugin_handle_request`, by body:
//!   * `panic`: counts the panic, then panics with a literal message;
//!   * `index`: counts the panic, then indexes past the end of an array (the
//!     core library's bounds-check panic, with a formatted message);
//!   * anything else: answers `served` (u32 LE), `panics` (u32 LE) and the
//!     body, then counts the request as served; status 7 with nothing
//!     written when that does not fit.
//! * `plugin_get_public_key`: the four bytes `"PNIC"`.
//! * `plugin_get_metadata`: the name `panicker`.
//!
//! It never touches the heap, so a trap cannot leak: any memory growth
//! across trap/serve cycles would be sdn-pdk's or the harness's.

#![no_std]
#![forbid(unsafe_code)]

use sdn_pdk::{Error, Output, Plugin, Request, sdn_plugin};

/// Bytes in front of the echoed body: the two counters.
const HEADER_LEN: usize = 8;

/// The panicker's state: how many requests it served and how many panics
/// it started. Both survive traps.
pub struct Panicker {
    served: u32,
    panics: u32,
}

impl Panicker {
    /// Requests answered normally so far.
    pub fn served(&self) -> u32 {
        self.served
    }

    /// Panics started so far (each one trapped its call).
    pub fn panics(&self) -> u32 {
        self.panics
    }
}

/// Indexes `table` at `index`: a bounds-check panic when it is out of range.
#[inline(never)]
fn element(table: &[u8; 4], index: usize) -> u8 {
    #[allow(
        clippy::indexing_slicing,
        reason = "the out-of-bounds panic is the point of this test plugin"
    )]
    table[index]
}

#[sdn_plugin]
impl Plugin for Panicker {
    fn init(_config: &[u8]) -> Result<Self, Error> {
        Ok(Panicker {
            served: 0,
            panics: 0,
        })
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(b"PNIC")
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(b"panicker")
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        let body = request.body();
        match body {
            b"panic" => {
                self.panics = self.panics.wrapping_add(1);
                panic!("panicker: requested panic");
            }
            b"index" => {
                self.panics = self.panics.wrapping_add(1);
                // The index comes from the input, so it is not a constant
                // the compiler could reject: 5 for "index".
                let value = element(&[1, 2, 3, 4], body.len());
                out.write_u8(value)
            }
            _ => {
                out.ensure_capacity(HEADER_LEN.saturating_add(body.len()))?;
                out.write_u32_le(self.served)?;
                out.write_u32_le(self.panics)?;
                out.write(body)?;
                self.served = self.served.wrapping_add(1);
                Ok(())
            }
        }
    }
}
