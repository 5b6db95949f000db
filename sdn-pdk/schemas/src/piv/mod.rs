//! The module invoke envelope: Space Data Standards `PIV`, file identifier
//! `$PIV` (module-abi.md, "The invoke envelope"). One codec for both sides:
//! the guest (`sdn-pdk`, wasm, `no_std`) decodes requests and encodes
//! responses; the host (`host-harness`) does the reverse.
//!
//! Decoding checks the file identifier, runs the FlatBuffers verifier, and
//! borrows everything from the input (strings, the arena). Encoding lays
//! frame payloads out in the envelope's arena at [`ARENA_ALIGN`]-aligned
//! offsets *and* places the arena so that its first byte is
//! [`ARENA_ALIGN`]-aligned within the finished buffer: a buffer copied to an
//! 8-aligned address (what both hosts require of a request and a response)
//! has 8-aligned payloads.
//!
//! ```
//! use sdn_pdk_schemas::piv;
//!
//! let frame = piv::FrameOut { port_id: "request", payload: b"hello", type_ref: None, frame_id: 0 };
//! let bytes = piv::encode_request("echo", &[frame], 7);
//! let request = piv::decode_request(&bytes)?;
//! assert_eq!(request.method_id, "echo");
//! assert_eq!(request.arena_payload(&request.inputs[0]), Some(&b"hello"[..]));
//! # Ok::<(), sdn_pdk_schemas::Error>(())
//! ```

mod decode;
mod encode;

pub use decode::{decode_request, decode_response};
pub use encode::{encode_request, encode_response, encode_response_frames};

use alloc::vec::Vec;

/// `PIV`'s file identifier.
pub const IDENTIFIER: &str = "$PIV";

/// `PIVResponse.STATUS` values (`pivStatus`).
pub mod status {
    /// The method ran (`STATUS_CODE` 0).
    pub const OK: i32 = 0;
    /// No such method (`STATUS_CODE` 404, `ERROR_CODE` `unknown-method`).
    pub const NOT_FOUND: i32 = 1;
    /// The method yielded with work left.
    pub const YIELDED: i32 = 2;
    /// The input was refused or the method failed.
    pub const FAILED: i32 = 3;
}

/// Payload wire formats (`payloadWireFormat`), in `TAB.WIRE_FORMAT` and
/// `FlatBufferTypeRef.WIRE_FORMAT`.
pub mod wire_format {
    /// A FlatBuffer of the referenced schema.
    pub const FLATBUFFER: u8 = 0;
    /// The schema's fixed-layout aligned binary form.
    pub const ALIGNED_BINARY: u8 = 1;
}

/// `TAB.MUTABILITY` values (`bufferMutability`).
pub mod mutability {
    /// Nobody writes the payload.
    pub const IMMUTABLE: u8 = 0;
    /// One writer may change it.
    pub const SINGLE_WRITER_MUTABLE: u8 = 1;
    /// It may only grow.
    pub const APPEND_ONLY: u8 = 2;
}

/// `TAB.OWNERSHIP` values (`bufferOwnership`).
pub mod ownership {
    /// The host owns the payload's memory (the default).
    pub const HOST_OWNED: u8 = 0;
    /// The module owns it.
    pub const PLUGIN_OWNED: u8 = 1;
    /// It was handed over.
    pub const TRANSFERRED: u8 = 2;
}

/// Payload alignment inside an arena: every encoder places payloads at
/// multiples of it and writes it as `TAB.ALIGNMENT`.
pub const ARENA_ALIGN: usize = 8;

/// A `FlatBufferTypeRef`, borrowed from the buffer it was decoded from (or
/// given to an encoder). An absent string is `""`, an absent hash empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TypeRef<'a> {
    /// `SCHEMA_NAME`, e.g. `"OMM.fbs"`.
    pub schema_name: &'a str,
    /// `FILE_IDENTIFIER`, e.g. `"$OMM"`.
    pub file_identifier: &'a str,
    /// `SCHEMA_VERSION`.
    pub schema_version: &'a str,
    /// `ROOT_TYPE`, e.g. `"OMM"`.
    pub root_type: &'a str,
    /// `SCHEMA_HASH`.
    pub schema_hash: &'a [u8],
    /// `ACCEPTS_ANY_FLATBUFFER`.
    pub accepts_any_flatbuffer: bool,
    /// `WIRE_FORMAT` (see [`wire_format`]).
    pub wire_format: u8,
    /// `FIXED_STRING_LENGTH`.
    pub fixed_string_length: u16,
    /// `BYTE_LENGTH`: the aligned form's size.
    pub byte_length: u32,
    /// `REQUIRED_ALIGNMENT`: the aligned form's alignment.
    pub required_alignment: u16,
}

/// One `TAB` (frame) as decoded. The payload is not resolved: with a
/// non-empty arena it is `arena[offset .. offset + size]`
/// ([`RequestView::arena_payload`]); with an empty arena `offset` is an
/// absolute guest pointer, which only the caller can resolve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tab<'a> {
    /// `PORT_ID`; `""` when absent.
    pub port_id: &'a str,
    /// `OFFSET`.
    pub offset: u32,
    /// `SIZE`.
    pub size: u32,
    /// `ALIGNMENT`.
    pub alignment: u32,
    /// `WIRE_FORMAT` (see [`wire_format`]).
    pub wire_format: u8,
    /// `MUTABILITY` (see [`mutability`]).
    pub mutability: u8,
    /// `OWNERSHIP` (see [`ownership`]).
    pub ownership: u8,
    /// `FRAME_ID`: `sequence << 1 | end_of_stream`.
    pub frame_id: u64,
    /// `TYPE_REF`; `None` on frames from protocols and timers.
    pub type_ref: Option<TypeRef<'a>>,
}

/// A decoded `PIVRequest`, borrowing from the request bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestView<'a> {
    /// `METHOD_ID`.
    pub method_id: &'a str,
    /// `INPUTS`, in order.
    pub inputs: Vec<Tab<'a>>,
    /// `PAYLOAD_ARENA`; empty when absent.
    pub arena: &'a [u8],
    /// `TRACE_ID`.
    pub trace_id: u64,
    /// `OUTPUT_STREAM_CAP`.
    pub output_stream_cap: u32,
}

impl<'a> RequestView<'a> {
    /// `arena[offset .. offset + size]` of `tab`; `None` when that range is
    /// not inside the arena (the caller handles the empty-arena, absolute
    /// pointer case).
    #[must_use]
    pub fn arena_payload(&self, tab: &Tab<'_>) -> Option<&'a [u8]> {
        arena_slice(self.arena, tab)
    }
}

/// A decoded `PIVResponse`, borrowing from the response bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseView<'a> {
    /// `STATUS_CODE`.
    pub status_code: i32,
    /// `STATUS` (see [`status`]).
    pub status: i32,
    /// `YIELDED`.
    pub yielded: bool,
    /// `BACKLOG_REMAINING`.
    pub backlog_remaining: u32,
    /// `OUTPUTS`, in order.
    pub outputs: Vec<Tab<'a>>,
    /// `PAYLOAD_ARENA`; empty when absent.
    pub arena: &'a [u8],
    /// `ERROR_CODE`, when present.
    pub error_code: Option<&'a str>,
    /// `ERROR_MESSAGE`, when present.
    pub error_message: Option<&'a str>,
    /// `TRACE_ID`.
    pub trace_id: u64,
}

impl<'a> ResponseView<'a> {
    /// `arena[offset .. offset + size]` of `tab`; `None` when that range is
    /// not inside the arena.
    #[must_use]
    pub fn arena_payload(&self, tab: &Tab<'_>) -> Option<&'a [u8]> {
        arena_slice(self.arena, tab)
    }
}

/// `arena[tab.offset .. tab.offset + tab.size]`, if in range.
fn arena_slice<'a>(arena: &'a [u8], tab: &Tab<'_>) -> Option<&'a [u8]> {
    let start = usize::try_from(tab.offset).ok()?;
    let end = start.checked_add(usize::try_from(tab.size).ok()?)?;
    arena.get(start..end)
}

/// A frame to encode: its payload is copied into the arena at an
/// [`ARENA_ALIGN`]-aligned offset, with `TAB.ALIGNMENT` = [`ARENA_ALIGN`] and
/// `TAB.WIRE_FORMAT` taken from the type ref ([`wire_format::FLATBUFFER`]
/// without one).
#[derive(Clone, Copy, Debug)]
pub struct FrameOut<'a> {
    /// `PORT_ID`; not written when empty.
    pub port_id: &'a str,
    /// The payload bytes.
    pub payload: &'a [u8],
    /// `TYPE_REF`; not written when `None`.
    pub type_ref: Option<TypeRef<'a>>,
    /// `FRAME_ID`.
    pub frame_id: u64,
}

/// What a response says, its outputs already laid out in `arena` by the
/// caller (offsets [`ARENA_ALIGN`]-aligned, as [`encode_response_frames`]
/// does).
#[derive(Clone, Copy, Debug)]
pub struct ResponseOut<'a> {
    /// `STATUS_CODE`.
    pub status_code: i32,
    /// `STATUS` (see [`status`]).
    pub status: i32,
    /// `ERROR_CODE`; not written when `None`.
    pub error_code: Option<&'a str>,
    /// `ERROR_MESSAGE`; not written when `None`.
    pub error_message: Option<&'a str>,
    /// `OUTPUTS`, written as given.
    pub outputs: &'a [Tab<'a>],
    /// `PAYLOAD_ARENA`; not written when empty.
    pub arena: &'a [u8],
    /// `TRACE_ID`.
    pub trace_id: u64,
}

#[cfg(test)]
mod tests;
