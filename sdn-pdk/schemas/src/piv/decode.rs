//! Verified `PIV` decoding into borrowed views.

use alloc::vec::Vec;

use super::{IDENTIFIER, RequestView, ResponseView, Tab, TypeRef};
use crate::error::{Error, check_identifier};
use crate::generated::piv::sds as fb;

/// Checks the identifier, runs the FlatBuffers verifier (default limits) and
/// returns the root.
fn root(bytes: &[u8]) -> Result<fb::PIV<'_>, Error> {
    check_identifier(bytes, IDENTIFIER)?;
    Ok(fb::root_as_piv(bytes)?)
}

/// Verifies `bytes` as a `PIV` (identifier `$PIV`, then the FlatBuffers
/// verifier) and decodes its `REQUEST`.
///
/// # Errors
///
/// [`Error::WrongIdentifier`] unless bytes 4..8 are `$PIV`;
/// [`Error::Invalid`] when the verifier rejects the buffer (truncated,
/// out-of-range offsets, no `METHOD_ID`, a string that is not UTF-8, …);
/// [`Error::Missing`] (`PIV.REQUEST`) when the envelope holds no request.
pub fn decode_request(bytes: &[u8]) -> Result<RequestView<'_>, Error> {
    let request = root(bytes)?.request().ok_or(Error::Missing {
        field: "PIV.REQUEST",
    })?;
    Ok(RequestView {
        method_id: request.method_id(),
        inputs: tabs(request.inputs()),
        arena: request.payload_arena().map_or(&[][..], |v| v.bytes()),
        trace_id: request.trace_id(),
        output_stream_cap: request.output_stream_cap(),
    })
}

/// Verifies `bytes` as a `PIV` and decodes its `RESPONSE`.
///
/// # Errors
///
/// As [`decode_request`]; [`Error::Missing`] (`PIV.RESPONSE`) when the
/// envelope holds no response.
pub fn decode_response(bytes: &[u8]) -> Result<ResponseView<'_>, Error> {
    let response = root(bytes)?.response().ok_or(Error::Missing {
        field: "PIV.RESPONSE",
    })?;
    Ok(ResponseView {
        status_code: response.status_code(),
        status: response.status(),
        yielded: response.yielded(),
        backlog_remaining: response.backlog_remaining(),
        outputs: tabs(response.outputs()),
        arena: response.payload_arena().map_or(&[][..], |v| v.bytes()),
        error_code: response.error_code(),
        error_message: response.error_message(),
        trace_id: response.trace_id(),
    })
}

/// The frames of a verified `[TAB]`, in order (none when absent).
fn tabs<'a>(
    vector: Option<flatbuffers::Vector<'a, flatbuffers::ForwardsUOffset<fb::TAB<'a>>>>,
) -> Vec<Tab<'a>> {
    vector.map_or_else(Vec::new, |v| v.iter().map(tab).collect())
}

fn tab<'a>(tab: fb::TAB<'a>) -> Tab<'a> {
    Tab {
        port_id: tab.port_id().unwrap_or(""),
        offset: tab.offset(),
        size: tab.size(),
        alignment: tab.alignment(),
        wire_format: tab.wire_format().0,
        mutability: tab.mutability().0,
        ownership: tab.ownership().0,
        frame_id: tab.frame_id(),
        type_ref: tab.type_ref().map(type_ref),
    }
}

fn type_ref<'a>(t: fb::FlatBufferTypeRef<'a>) -> TypeRef<'a> {
    TypeRef {
        schema_name: t.schema_name().unwrap_or(""),
        file_identifier: t.file_identifier().unwrap_or(""),
        schema_version: t.schema_version().unwrap_or(""),
        root_type: t.root_type().unwrap_or(""),
        schema_hash: t.schema_hash().map_or(&[][..], |v| v.bytes()),
        accepts_any_flatbuffer: t.accepts_any_flatbuffer(),
        wire_format: t.wire_format().0,
        fixed_string_length: t.fixed_string_length(),
        byte_length: t.byte_length(),
        required_alignment: t.required_alignment(),
    }
}
