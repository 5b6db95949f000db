//! `PIV` encoding, with arena payloads 8-aligned in the finished buffer.
//!
//! A `FlatBufferBuilder` writes back to front and, when it finishes, pads
//! the buffer's length to a multiple of the largest alignment it has seen.
//! So once that alignment is [`ARENA_ALIGN`] (8), a position whose distance
//! from the *end* of the buffer is a multiple of 8 is also 8-aligned from the
//! *start*. [`create_arena`] makes both true for the arena's first byte.

use alloc::vec::Vec;

use flatbuffers::{FlatBufferBuilder, ForwardsUOffset, Vector, WIPOffset};

use super::{ARENA_ALIGN, FrameOut, ResponseOut, Tab, TypeRef, wire_format};
use crate::generated::piv::sds as fb;

/// `ARENA_ALIGN` as written in `TAB.ALIGNMENT`.
const TAB_ALIGNMENT: u32 = ARENA_ALIGN as u32;

/// A length or offset as the `uint` the wire carries. FlatBuffers buffers
/// stay below 2 GiB (the builder refuses to grow past that), so a value that
/// made it into one always fits.
fn wire_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Encodes a request for `method_id` with `inputs` (file identifier `$PIV`).
///
/// Each payload goes into the arena at an [`ARENA_ALIGN`]-aligned offset,
/// its `TAB` says `ALIGNMENT` 8 and the type ref's wire format; the arena's
/// first byte is 8-aligned in the returned buffer, so a copy of the buffer at
/// an 8-aligned address has 8-aligned payloads.
///
/// # Panics
///
/// Only when the envelope would exceed the FlatBuffers limit of 2 GiB.
#[must_use]
pub fn encode_request(method_id: &str, inputs: &[FrameOut<'_>], trace_id: u64) -> Vec<u8> {
    let (arena, tabs) = lay_out(inputs);
    let mut fbb = FlatBufferBuilder::new();
    let payload_arena = create_arena(&mut fbb, &arena);
    let inputs = create_tabs(&mut fbb, &tabs);
    let method_id = fbb.create_string(method_id);
    let request = fb::PIVRequest::create(
        &mut fbb,
        &fb::PIVRequestArgs {
            method_id: Some(method_id),
            inputs,
            payload_arena,
            trace_id,
            output_stream_cap: 0,
        },
    );
    finish(
        &mut fbb,
        &fb::PIVArgs {
            request: Some(request),
            response: None,
        },
    )
}

/// Encodes a response whose outputs the caller laid out in
/// `response.arena`. The `TAB`s are written as given (an `OWNERSHIP` of 0,
/// the default, is left out); the arena's first byte is 8-aligned in the
/// returned buffer.
///
/// # Panics
///
/// Only when the envelope would exceed the FlatBuffers limit of 2 GiB.
#[must_use]
pub fn encode_response(response: &ResponseOut<'_>) -> Vec<u8> {
    let mut fbb = FlatBufferBuilder::new();
    let payload_arena = create_arena(&mut fbb, response.arena);
    let outputs = create_tabs(&mut fbb, response.outputs);
    let error_message = response.error_message.map(|s| fbb.create_string(s));
    let error_code = response.error_code.map(|s| fbb.create_string(s));
    let body = fb::PIVResponse::create(
        &mut fbb,
        &fb::PIVResponseArgs {
            status_code: response.status_code,
            status: response.status,
            yielded: false,
            backlog_remaining: 0,
            outputs,
            payload_arena,
            error_code,
            error_message,
            trace_id: response.trace_id,
        },
    );
    finish(
        &mut fbb,
        &fb::PIVArgs {
            request: None,
            response: Some(body),
        },
    )
}

/// Lays `outputs` out in an 8-aligned arena (as [`encode_request`] does its
/// inputs) and encodes the response.
///
/// # Panics
///
/// Only when the envelope would exceed the FlatBuffers limit of 2 GiB.
#[must_use]
pub fn encode_response_frames(
    status_code: i32,
    status: i32,
    error_code: Option<&str>,
    error_message: Option<&str>,
    outputs: &[FrameOut<'_>],
    trace_id: u64,
) -> Vec<u8> {
    let (arena, tabs) = lay_out(outputs);
    encode_response(&ResponseOut {
        status_code,
        status,
        error_code,
        error_message,
        outputs: &tabs,
        arena: &arena,
        trace_id,
    })
}

/// The arena holding `frames`' payloads at [`ARENA_ALIGN`]-aligned offsets
/// (zero bytes between them), and one `TAB` per frame pointing into it.
fn lay_out<'a>(frames: &[FrameOut<'a>]) -> (Vec<u8>, Vec<Tab<'a>>) {
    let mut arena = Vec::new();
    let mut tabs = Vec::with_capacity(frames.len());
    for frame in frames {
        let offset = arena.len().next_multiple_of(ARENA_ALIGN);
        arena.resize(offset, 0);
        arena.extend_from_slice(frame.payload);
        tabs.push(Tab {
            port_id: frame.port_id,
            offset: wire_u32(offset),
            size: wire_u32(frame.payload.len()),
            alignment: TAB_ALIGNMENT,
            wire_format: frame
                .type_ref
                .map_or(wire_format::FLATBUFFER, |t| t.wire_format),
            mutability: 0,
            ownership: 0,
            frame_id: frame.frame_id,
            type_ref: frame.type_ref,
        });
    }
    (arena, tabs)
}

/// Writes `arena` as a `[ubyte]` whose first data byte will sit at an
/// [`ARENA_ALIGN`]-aligned position of the finished buffer; `None` (field
/// left out) when it is empty.
fn create_arena<'f>(
    fbb: &mut FlatBufferBuilder<'f>,
    arena: &[u8],
) -> Option<WIPOffset<Vector<'f, u8>>> {
    if arena.is_empty() {
        return None;
    }
    // An unreferenced 8-byte zero: the builder now pads the finished buffer
    // to a multiple of 8, and what it wrote so far is a multiple of 8 too.
    fbb.push(0u64);
    // Zero bytes until the data (written next, back to front) ends a
    // multiple of 8 from the end; `create_vector`'s own 4-alignment then
    // adds nothing and the length word goes right before the data.
    for _ in 0..(ARENA_ALIGN - arena.len() % ARENA_ALIGN) % ARENA_ALIGN {
        fbb.push(0u8);
    }
    Some(fbb.create_vector(arena))
}

/// Writes `tabs` as a `[TAB]`; `None` (field left out) when there are none.
fn create_tabs<'f>(
    fbb: &mut FlatBufferBuilder<'f>,
    tabs: &[Tab<'_>],
) -> Option<WIPOffset<Vector<'f, ForwardsUOffset<fb::TAB<'f>>>>> {
    if tabs.is_empty() {
        return None;
    }
    let tables: Vec<_> = tabs.iter().map(|tab| create_tab(fbb, tab)).collect();
    Some(fbb.create_vector(&tables))
}

fn create_tab<'f>(fbb: &mut FlatBufferBuilder<'f>, tab: &Tab<'_>) -> WIPOffset<fb::TAB<'f>> {
    let port_id = (!tab.port_id.is_empty()).then(|| fbb.create_string(tab.port_id));
    let type_ref = tab.type_ref.as_ref().map(|t| create_type_ref(fbb, t));
    fb::TAB::create(
        fbb,
        &fb::TABArgs {
            offset: tab.offset,
            size: tab.size,
            alignment: tab.alignment,
            wire_format: fb::payloadWireFormat(tab.wire_format),
            type_ref,
            mutability: fb::bufferMutability(tab.mutability),
            ownership: fb::bufferOwnership(tab.ownership),
            frame_id: tab.frame_id,
            port_id,
        },
    )
}

/// Writes a `FlatBufferTypeRef`; empty strings and an empty hash are left
/// out (they read back as `""` / empty).
fn create_type_ref<'f>(
    fbb: &mut FlatBufferBuilder<'f>,
    t: &TypeRef<'_>,
) -> WIPOffset<fb::FlatBufferTypeRef<'f>> {
    let mut string = |s: &str| (!s.is_empty()).then(|| fbb.create_string(s));
    let schema_name = string(t.schema_name);
    let file_identifier = string(t.file_identifier);
    let schema_version = string(t.schema_version);
    let root_type = string(t.root_type);
    let schema_hash = (!t.schema_hash.is_empty()).then(|| fbb.create_vector(t.schema_hash));
    fb::FlatBufferTypeRef::create(
        fbb,
        &fb::FlatBufferTypeRefArgs {
            schema_name,
            file_identifier,
            schema_version,
            root_type,
            schema_hash,
            accepts_any_flatbuffer: t.accepts_any_flatbuffer,
            wire_format: fb::payloadWireFormat(t.wire_format),
            fixed_string_length: t.fixed_string_length,
            byte_length: t.byte_length,
            required_alignment: t.required_alignment,
        },
    )
}

/// Writes the `PIV` root, finishes with `$PIV` and returns the bytes.
fn finish(fbb: &mut FlatBufferBuilder<'_>, args: &fb::PIVArgs<'_>) -> Vec<u8> {
    let root = fb::PIV::create(fbb, args);
    fb::finish_piv_buffer(fbb, root);
    fbb.finished_data().to_vec()
}
