//! `plugin_invoke_stream`'s work on bytes: decode one PIV request, check it
//! against the method's declaration, run the method, encode the response.
//!
//! Every rule of the module ABI's request table lives here, once; the wasm
//! export (`__private::module`), the command surface and the native test
//! driver all answer through [`answer`]. Nothing here trusts the request:
//! every failure is an error response, never a panic.

use alloc::string::String;
use alloc::vec::Vec;

use sdn_pdk_schemas::piv::{self, RequestView, Tab, TypeRef};

use super::decl::{MethodDecl, PortDecl, TypeDecl};
use super::error::Message;
use super::{Call, Frame, MethodError, Module, Outputs};

/// The largest TAB alignment accepted (the module ABI's limit).
const MAX_FRAME_ALIGNMENT: u32 = u16::MAX as u32;

/// A finished response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The PIV response bytes.
    pub bytes: Vec<u8>,
    /// Whether the status code is not 0 (the command surface exits 1).
    pub failed: bool,
}

/// Resolves a frame payload that lies outside the request (an empty arena
/// makes `OFFSET` an absolute guest address): `None` unless the whole range
/// is inside a live host block.
pub type ExternalPayload<'a> = &'a dyn Fn(u32, u32) -> Option<&'a [u8]>;

/// Answers one request for `module`.
pub fn answer<'a, M: Module>(
    module: &mut M,
    request: &'a [u8],
    external: ExternalPayload<'a>,
) -> Answer {
    match run(module, request, external) {
        Ok(answer) => answer,
        Err((error, trace_id)) => error_answer(&error, trace_id),
    }
}

/// An error response for a request that failed before or in its method.
pub fn error_answer(error: &MethodError, trace_id: u64) -> Answer {
    let status = if error.status_code() == 404 {
        piv::status::NOT_FOUND
    } else {
        piv::status::FAILED
    };
    let bytes = piv::encode_response(&piv::ResponseOut {
        status_code: error.status_code(),
        status,
        error_code: Some(error.code()).filter(|code| !code.is_empty()),
        error_message: Some(error.message()).filter(|message| !message.is_empty()),
        outputs: &[],
        arena: &[],
        trace_id,
    });
    Answer {
        bytes,
        failed: true,
    }
}

fn run<'a, M: Module>(
    module: &mut M,
    request: &'a [u8],
    external: ExternalPayload<'a>,
) -> Result<Answer, (MethodError, u64)> {
    let view = decode(request).map_err(|error| (error, 0))?;
    let trace_id = view.trace_id;
    let Some(index) = M::METHODS
        .iter()
        .position(|method| method.id == view.method_id)
    else {
        let error = MethodError::new(404, "unknown-method", "").with_message(
            Message::new()
                .text("Unknown method: ")
                .text(view.method_id)
                .build(),
        );
        return Err((error, trace_id));
    };
    let method = &M::METHODS[index];
    let frames = load_frames(&view, method, external).map_err(|error| (error, trace_id))?;
    let call = Call::new(view.method_id, trace_id, frames);
    let mut outputs = Outputs::new(method);
    module
        .dispatch(index, &call, &mut outputs)
        .map_err(|error| (error, trace_id))?;
    Ok(success(&outputs, trace_id))
}

fn invalid_request(message: &'static str) -> MethodError {
    MethodError::invalid_input("invalid-request", message)
}

fn decode(request: &[u8]) -> Result<RequestView<'_>, MethodError> {
    if request.is_empty() {
        return Err(invalid_request("Invoke request bytes are empty."));
    }
    if request.len() < 8 || request.get(4..8) != Some(piv::IDENTIFIER.as_bytes()) {
        return Err(invalid_request(
            "Invoke request must be an SDS PIV envelope.",
        ));
    }
    piv::decode_request(request).map_err(|_| {
        invalid_request("SDS PIV invoke envelope verification failed or holds no request.")
    })
}

/// Resolves, types and checks every input frame against `method`.
fn load_frames<'a>(
    view: &RequestView<'a>,
    method: &MethodDecl,
    external: ExternalPayload<'a>,
) -> Result<Vec<Frame<'a>>, MethodError> {
    let mut frames = Vec::new();
    frames
        .try_reserve_exact(view.inputs.len())
        .map_err(|_| MethodError::internal("out-of-memory", "no memory for the input frames"))?;
    for (index, tab) in view.inputs.iter().enumerate() {
        let payload = resolve_payload(view, tab, external)?;
        let Some(port) = method.input(tab.port_id) else {
            return Err(frame_error(
                "unknown-input-port",
                "Input frame uses undeclared port",
                tab,
            ));
        };
        if !buffer_contract_allowed(tab) {
            return Err(frame_error(
                "incompatible-input-buffer-contract",
                "Input frame ownership/mutability is incompatible with port",
                tab,
            ));
        }
        let (type_ref, typed_by_host) = match tab.type_ref {
            Some(type_ref) => (type_ref, true),
            None => (port_type(port)?, false),
        };
        if typed_by_host
            && !port
                .types
                .iter()
                .any(|declared| accepts(declared, tab, &type_ref))
        {
            return Err(frame_error(
                "unsupported-input-type",
                "Input frame type is not accepted by port",
                tab,
            ));
        }
        frames.push(Frame::new(
            index,
            port.id,
            payload,
            type_ref,
            typed_by_host,
            tab.frame_id,
        ));
    }
    check_batches(&frames, method)?;
    for port in method.inputs.iter().filter(|port| port.required) {
        if !frames.iter().any(|frame| frame.port_id() == port.id) {
            return Err(
                MethodError::invalid_input("missing-required-input", "").with_message(
                    Message::new()
                        .text("Missing required input port: ")
                        .text(port.id)
                        .build(),
                ),
            );
        }
    }
    Ok(frames)
}

/// The payload bytes of `tab`: in the arena, or (with an empty arena) at an
/// absolute address inside a live host block; then its declared alignment.
fn resolve_payload<'a>(
    view: &RequestView<'a>,
    tab: &Tab<'_>,
    external: ExternalPayload<'a>,
) -> Result<&'a [u8], MethodError> {
    let alignment = tab.alignment.max(1);
    if alignment > MAX_FRAME_ALIGNMENT {
        return Err(MethodError::invalid_input(
            "invalid-request-frame",
            "SDS PIV TAB alignment exceeds the module ABI limit.",
        ));
    }
    let payload = if tab.size == 0 {
        &[][..]
    } else if view.arena.is_empty() {
        external(tab.offset, tab.size).ok_or_else(|| {
            MethodError::invalid_input(
                "invalid-request-pointer",
                "SDS PIV external arena TAB payload range is not owned by the module allocator.",
            )
        })?
    } else {
        view.arena_payload(tab).ok_or_else(|| {
            MethodError::invalid_input(
                "invalid-request-frame",
                "Input frame payload range exceeds request payload arena.",
            )
        })?
    };
    if alignment > 1
        && !payload.is_empty()
        && !(payload.as_ptr() as usize).is_multiple_of(alignment as usize)
    {
        return Err(MethodError::invalid_input(
            "misaligned-input-frame",
            "SDS PIV TAB payload violates its declared alignment.",
        ));
    }
    Ok(payload)
}

/// Immutable frames of any known ownership, or transferred mutable ones.
fn buffer_contract_allowed(tab: &Tab<'_>) -> bool {
    const IMMUTABLE: u8 = 0;
    const TRANSFERRED: u8 = 2;
    let known_ownership = tab.ownership <= TRANSFERRED;
    let known_mutability = tab.mutability <= 2;
    known_ownership
        && known_mutability
        && (tab.mutability == IMMUTABLE || tab.ownership == TRANSFERRED)
}

fn port_type(port: &PortDecl) -> Result<TypeRef<'static>, MethodError> {
    port.declared_type()
        .map(TypeDecl::type_ref)
        .ok_or_else(|| MethodError::internal("invalid-declaration", "input port declares no type"))
}

/// Whether a frame's own type ref matches a declared type: the same wire
/// format (on the frame and its type ref), schema name, file identifier and
/// root type, and the same version when the port declares one.
fn accepts(declared: &TypeDecl, tab: &Tab<'_>, frame_type: &TypeRef<'_>) -> bool {
    if frame_type.accepts_any_flatbuffer {
        return false;
    }
    let same_layout = tab.wire_format == declared.wire_format
        && frame_type.wire_format == declared.wire_format
        && (declared.wire_format == piv::wire_format::FLATBUFFER
            || (frame_type.required_alignment == declared.required_alignment
                && (declared.byte_length == 0 || tab.size == declared.byte_length)));
    same_layout
        && frame_type.schema_name == declared.schema_name
        && frame_type.file_identifier == declared.file_identifier
        && frame_type.root_type == declared.root_type
        && (declared.schema_version.is_empty()
            || frame_type.schema_version == declared.schema_version)
}

/// No input port carries more frames than the method's `maxBatch`.
fn check_batches(frames: &[Frame<'_>], method: &MethodDecl) -> Result<(), MethodError> {
    for port in method.inputs {
        let mut on_port = frames.iter().filter(|frame| frame.port_id() == port.id);
        if let Some(extra) = on_port.nth(method.max_batch as usize) {
            return Err(
                MethodError::invalid_input("too-many-frames", "").with_message(
                    Message::new()
                        .text("Input frame ")
                        .number(extra.index() as u64)
                        .text(" on port ")
                        .text(port.id)
                        .text(" exceeds the method's maxBatch of ")
                        .number(u64::from(method.max_batch))
                        .build(),
                ),
            );
        }
    }
    Ok(())
}

fn frame_error(code: &'static str, what: &str, tab: &Tab<'_>) -> MethodError {
    let mut message = String::from(what);
    message.push_str(": ");
    message.push_str(tab.port_id);
    MethodError::invalid_input(code, "").with_message(message)
}

fn success(outputs: &Outputs<'_>, trace_id: u64) -> Answer {
    let method = outputs.method();
    let tabs: Vec<Tab<'_>> = outputs
        .frames()
        .iter()
        .map(|frame| {
            let port = &method.outputs[frame.port];
            let declared = port.declared_type();
            Tab {
                port_id: port.id,
                offset: frame.offset,
                size: frame.size,
                alignment: piv::ARENA_ALIGN as u32,
                wire_format: declared.map_or(0, |declared| declared.wire_format),
                mutability: 0,
                ownership: 0,
                frame_id: 0,
                type_ref: declared.map(TypeDecl::type_ref),
            }
        })
        .collect();
    let bytes = piv::encode_response(&piv::ResponseOut {
        status_code: 0,
        status: piv::status::OK,
        error_code: None,
        error_message: None,
        outputs: &tabs,
        arena: outputs.arena(),
        trace_id,
    });
    Answer {
        bytes,
        failed: false,
    }
}
