//! One invocation as a method sees it: its verified input frames.

use alloc::vec::Vec;

use super::error::Message;
use super::{MethodError, TypeRef};

/// One input frame: a payload on a port, with its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    index: usize,
    port_id: &'a str,
    payload: &'a [u8],
    type_ref: TypeRef<'a>,
    typed_by_host: bool,
    frame_id: u64,
}

impl<'a> Frame<'a> {
    /// A frame from its parts (the invoke glue builds these; native tests
    /// may too). `typed_by_host` says whether `type_ref` came with the frame
    /// or is the port's declared type.
    pub const fn new(
        index: usize,
        port_id: &'a str,
        payload: &'a [u8],
        type_ref: TypeRef<'a>,
        typed_by_host: bool,
        frame_id: u64,
    ) -> Frame<'a> {
        Frame {
            index,
            port_id,
            payload,
            type_ref,
            typed_by_host,
            frame_id,
        }
    }

    /// The frame's position in the request (0-based, over all ports): the
    /// number to name in an error message.
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The port it arrived on.
    pub const fn port_id(&self) -> &'a str {
        self.port_id
    }

    /// The payload bytes.
    pub const fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// Its type: the frame's own type ref, or the port's declared type when
    /// the host sent none (the server does, for protocol and timer calls).
    pub const fn type_ref(&self) -> &TypeRef<'a> {
        &self.type_ref
    }

    /// Whether the host sent a type ref with the frame.
    pub const fn typed_by_host(&self) -> bool {
        self.typed_by_host
    }

    /// The frame's sequence number (`FRAME_ID >> 1`).
    pub const fn sequence(&self) -> u64 {
        self.frame_id >> 1
    }

    /// Whether the frame ends its stream (`FRAME_ID & 1`).
    pub const fn end_of_stream(&self) -> bool {
        self.frame_id & 1 == 1
    }

    /// Whether the payload is a FlatBuffer carrying the type's file
    /// identifier (bytes 4..8). A cheap first check before verification.
    pub fn has_file_identifier(&self) -> bool {
        let identifier = self.type_ref.file_identifier.as_bytes();
        identifier.len() == 4 && self.payload.get(4..8) == Some(identifier)
    }

    /// The payload as a verified FlatBuffer root of type `T` (generated
    /// code's table type), after checking the file identifier. A payload
    /// that fails either check is a 400 `invalid-input-frame` naming the
    /// frame.
    pub fn root<T>(&self) -> Result<T::Inner, MethodError>
    where
        T: flatbuffers::Follow<'a> + flatbuffers::Verifiable + 'a,
    {
        if !self.has_file_identifier() {
            return Err(self.invalid("does not carry the file identifier of its type"));
        }
        flatbuffers::root::<T>(self.payload)
            .map_err(|_| self.invalid("is not a verifiable FlatBuffer of its type"))
    }

    fn invalid(&self, what: &str) -> MethodError {
        let message = Message::new()
            .text("input frame ")
            .number(self.index as u64)
            .text(" on port ")
            .text(self.port_id)
            .text(" ")
            .text(what)
            .text(" (")
            .text(self.type_ref.file_identifier)
            .text(")");
        MethodError::invalid_input("invalid-input-frame", "").with_message(message.build())
    }
}

/// The request a method runs for: its id, trace id and input frames, all
/// checked against the method's declaration before the method runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call<'a> {
    method_id: &'a str,
    trace_id: u64,
    frames: Vec<Frame<'a>>,
}

impl<'a> Call<'a> {
    /// A call from its parts (the glue builds these; native tests may too).
    pub fn new(method_id: &'a str, trace_id: u64, frames: Vec<Frame<'a>>) -> Call<'a> {
        Call {
            method_id,
            trace_id,
            frames,
        }
    }

    /// The method requested.
    pub fn method_id(&self) -> &'a str {
        self.method_id
    }

    /// The request's trace id (copied into the response).
    pub fn trace_id(&self) -> u64 {
        self.trace_id
    }

    /// Every input frame, in request order.
    pub fn frames(&self) -> &[Frame<'a>] {
        &self.frames
    }

    /// The frames on `port_id`, in request order.
    pub fn port<'c>(&'c self, port_id: &'c str) -> impl Iterator<Item = &'c Frame<'a>> + 'c {
        self.frames
            .iter()
            .filter(move |frame| frame.port_id == port_id)
    }

    /// The first frame on `port_id` (a required port always has one).
    pub fn first(&self, port_id: &str) -> Option<&Frame<'a>> {
        self.frames.iter().find(|frame| frame.port_id == port_id)
    }
}
