//! The output writer of one invocation: payloads laid out in the response's
//! arena, each on a declared output port.

use alloc::vec::Vec;

use super::MethodError;
use super::decl::MethodDecl;
use super::error::Message;
use sdn_pdk_schemas::piv::ARENA_ALIGN;

/// One output frame as the glue will describe it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutputFrame {
    /// Index into the method's output ports.
    pub port: usize,
    /// Offset into the arena (a multiple of 8).
    pub offset: u32,
    /// Payload size.
    pub size: u32,
}

/// Where a method writes its results: each [`push`](Outputs::push) adds one
/// frame on a declared output port, typed with the port's declared type.
///
/// ```
/// # use sdn_pdk::module::{decl::{MethodDecl, PortDecl, TypeDecl}, Outputs};
/// # static METHOD: MethodDecl = MethodDecl { id: "echo", max_batch: 1, inputs: &[],
/// #     outputs: &[PortDecl { id: "response", required: true, types: &[TypeDecl::flatbuffer("OMM.fbs", "$OMM", "OMM")] }] };
/// let mut out = Outputs::new(&METHOD);
/// out.push("response", b"first")?;
/// out.push("response", b"second")?;
/// assert_eq!(out.len(), 2);
/// assert_eq!(out.payload(1), Some(&b"second"[..]));
/// assert_eq!(out.push("nope", b"").unwrap_err().code(), "unknown-output-port");
/// # Ok::<(), sdn_pdk::module::MethodError>(())
/// ```
#[derive(Debug)]
pub struct Outputs<'m> {
    method: &'m MethodDecl,
    arena: Vec<u8>,
    frames: Vec<OutputFrame>,
}

impl<'m> Outputs<'m> {
    /// An empty writer for `method`'s output ports.
    pub fn new(method: &'m MethodDecl) -> Outputs<'m> {
        Outputs {
            method,
            arena: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// Adds one output frame with `payload` on `port_id`. Fails with a 500
    /// `unknown-output-port` for a port the method does not declare, and a
    /// 500 `output-arena-overflow` when the arena would pass 4 GiB or memory
    /// runs out (never a trap).
    pub fn push(&mut self, port_id: &str, payload: &[u8]) -> Result<(), MethodError> {
        let Some(port) = self.method.output_index(port_id) else {
            return Err(
                MethodError::internal("unknown-output-port", "").with_message(
                    Message::new()
                        .text("output port ")
                        .text(port_id)
                        .text(" is not declared")
                        .build(),
                ),
            );
        };
        let offset = self.arena.len().next_multiple_of(ARENA_ALIGN);
        let overflow = || MethodError::internal("output-arena-overflow", "output arena is full");
        let end = offset.checked_add(payload.len()).ok_or_else(overflow)?;
        let (Ok(offset32), Ok(size32), Ok(_)) = (
            u32::try_from(offset),
            u32::try_from(payload.len()),
            u32::try_from(end),
        ) else {
            return Err(overflow());
        };
        self.arena
            .try_reserve(end - self.arena.len())
            .map_err(|_| overflow())?;
        self.frames.try_reserve(1).map_err(|_| overflow())?;
        self.arena.resize(offset, 0);
        self.arena.extend_from_slice(payload);
        self.frames.push(OutputFrame {
            port,
            offset: offset32,
            size: size32,
        });
        Ok(())
    }

    /// How many frames have been pushed.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether nothing has been pushed.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The payload of frame `index`.
    pub fn payload(&self, index: usize) -> Option<&[u8]> {
        let frame = self.frames.get(index)?;
        self.arena
            .get(frame.offset as usize..(frame.offset + frame.size) as usize)
    }

    /// The port of frame `index`.
    pub fn port_id(&self, index: usize) -> Option<&'m str> {
        let frame = self.frames.get(index)?;
        Some(self.method.outputs.get(frame.port)?.id)
    }

    pub(crate) fn method(&self) -> &'m MethodDecl {
        self.method
    }

    pub(crate) fn arena(&self) -> &[u8] {
        &self.arena
    }

    pub(crate) fn frames(&self) -> &[OutputFrame] {
        &self.frames
    }
}
