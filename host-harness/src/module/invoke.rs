//! One invoke, in each host's exact sequence, and the raw entries tests use
//! to go around it.
//!
//! Server: `plugin_alloc(len)` for the request, write it; `plugin_alloc(4)`
//! for the length word, zero it; `plugin_invoke_stream`; read the length (0:
//! [`ModuleError::EmptyResponse`]; a null pointer with a non-zero length:
//! [`ModuleError::NullResponse`]); copy the response; `plugin_free` the
//! response, then the length word, then the request.
//!
//! Module SDK: the same, except that a request pointer that is not 8-aligned
//! is refused at once, the request and the length word are freed right after
//! `plugin_invoke_stream` returns, before the response is read, a null
//! pointer or a zero length is [`ModuleError::NullResponse`], and a response
//! pointer that is not 8-aligned is refused (and not freed).
//!
//! The whole sequence runs on one fuel budget. A trap or a timeout fails the
//! invoke; the instance keeps serving.

use sdn_pdk_schemas::hosts::{alignment, exports, server};
use sdn_pdk_schemas::piv::{self, FrameOut, TypeRef};
use wasmtime::TypedFunc;

use crate::module::error::ModuleError;
use crate::module::load::{Module, classify};
use crate::module::options::{Frame, HostKind};

/// An owned `FlatBufferTypeRef` (see [`TypeRef`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnedTypeRef {
    /// `SCHEMA_NAME`.
    pub schema_name: String,
    /// `FILE_IDENTIFIER`.
    pub file_identifier: String,
    /// `SCHEMA_VERSION`.
    pub schema_version: String,
    /// `ROOT_TYPE`.
    pub root_type: String,
    /// `SCHEMA_HASH`.
    pub schema_hash: Vec<u8>,
    /// `ACCEPTS_ANY_FLATBUFFER`.
    pub accepts_any_flatbuffer: bool,
    /// `WIRE_FORMAT`.
    pub wire_format: u8,
    /// `FIXED_STRING_LENGTH`.
    pub fixed_string_length: u16,
    /// `BYTE_LENGTH`.
    pub byte_length: u32,
    /// `REQUIRED_ALIGNMENT`.
    pub required_alignment: u16,
}

impl OwnedTypeRef {
    /// A borrowed view, e.g. to send it back in a [`Frame`].
    pub fn as_type_ref(&self) -> TypeRef<'_> {
        TypeRef {
            schema_name: &self.schema_name,
            file_identifier: &self.file_identifier,
            schema_version: &self.schema_version,
            root_type: &self.root_type,
            schema_hash: &self.schema_hash,
            accepts_any_flatbuffer: self.accepts_any_flatbuffer,
            wire_format: self.wire_format,
            fixed_string_length: self.fixed_string_length,
            byte_length: self.byte_length,
            required_alignment: self.required_alignment,
        }
    }
}

impl From<TypeRef<'_>> for OwnedTypeRef {
    fn from(t: TypeRef<'_>) -> Self {
        OwnedTypeRef {
            schema_name: t.schema_name.to_owned(),
            file_identifier: t.file_identifier.to_owned(),
            schema_version: t.schema_version.to_owned(),
            root_type: t.root_type.to_owned(),
            schema_hash: t.schema_hash.to_vec(),
            accepts_any_flatbuffer: t.accepts_any_flatbuffer,
            wire_format: t.wire_format,
            fixed_string_length: t.fixed_string_length,
            byte_length: t.byte_length,
            required_alignment: t.required_alignment,
        }
    }
}

/// One output frame of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// `PORT_ID`.
    pub port: String,
    /// `TYPE_REF`.
    pub type_ref: Option<OwnedTypeRef>,
    /// The payload: from the arena, or (empty arena) from guest memory at
    /// the absolute `OFFSET`, read after the sequence's frees.
    pub payload: Vec<u8>,
    /// `ALIGNMENT`.
    pub alignment: u32,
    /// `WIRE_FORMAT`.
    pub wire_format: u8,
    /// `OWNERSHIP`.
    pub ownership: u8,
    /// `FRAME_ID`.
    pub frame_id: u64,
}

/// What one run of the command surface did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// 0 when `_start` returned, else the `proc_exit` code.
    pub exit_code: i32,
    /// What the module wrote to stdout (the PIV response).
    pub stdout: Vec<u8>,
    /// What the module wrote to stderr.
    pub stderr: Vec<u8>,
}

/// A decoded PIV response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvokeResult {
    /// `STATUS_CODE` (0, 404, 400, or the method's code).
    pub status_code: i32,
    /// `STATUS` (see [`piv::status`]).
    pub status: i32,
    /// `YIELDED`.
    pub yielded: bool,
    /// `BACKLOG_REMAINING`.
    pub backlog_remaining: u32,
    /// `ERROR_CODE`.
    pub error_code: Option<String>,
    /// `ERROR_MESSAGE`.
    pub error_message: Option<String>,
    /// `TRACE_ID`.
    pub trace_id: u64,
    /// The output frames, in order.
    pub outputs: Vec<Output>,
    /// The response bytes as copied out of the guest.
    pub raw: Vec<u8>,
}

impl InvokeResult {
    /// The first output on `port`.
    pub fn output(&self, port: &str) -> Option<&Output> {
        self.outputs.iter().find(|o| o.port == port)
    }

    /// The output the server reads: port `response`, else the first.
    pub fn response(&self) -> Option<&Output> {
        self.output(server::RESPONSE_PORT)
            .or_else(|| self.outputs.first())
    }
}

type AllocFn = TypedFunc<i32, i32>;
type FreeFn = TypedFunc<(i32, i32), ()>;
type InvokeFn = TypedFunc<(i32, i32, i32), i32>;

impl Module {
    /// Invokes `method` with `frames` (encoded as a `$PIV` request, trace id
    /// counting from 1) and decodes the response.
    ///
    /// # Errors
    ///
    /// Those of [`invoke_raw`](Self::invoke_raw), and
    /// [`ModuleError::BadResponse`] when the bytes are not a PIV response.
    pub fn invoke(
        &mut self,
        method: &str,
        frames: &[Frame<'_>],
    ) -> Result<InvokeResult, ModuleError> {
        let inputs: Vec<FrameOut<'_>> = frames
            .iter()
            .map(|f| FrameOut {
                port_id: f.port,
                payload: f.payload,
                type_ref: f.type_ref,
                // Sequence 0, end of stream.
                frame_id: 1,
            })
            .collect();
        let trace_id = self.next_trace_id;
        self.next_trace_id = self.next_trace_id.wrapping_add(1);
        let request = piv::encode_request(method, &inputs, trace_id);
        let raw = self.invoke_raw(&request)?;
        self.decode_response(raw)
    }

    /// Decodes response bytes as [`invoke`](Self::invoke) does.
    ///
    /// # Errors
    ///
    /// [`ModuleError::BadResponse`], or [`ModuleError::OutOfBounds`] for an
    /// absolute payload outside guest memory.
    pub fn decode_response(&self, raw: Vec<u8>) -> Result<InvokeResult, ModuleError> {
        let view = piv::decode_response(&raw).map_err(|e| ModuleError::BadResponse {
            message: e.to_string(),
        })?;
        let mut outputs = Vec::with_capacity(view.outputs.len());
        for tab in &view.outputs {
            let payload = if view.arena.is_empty() {
                self.read_memory(tab.offset, tab.size)?
            } else {
                view.arena_payload(tab)
                    .ok_or_else(|| ModuleError::BadResponse {
                        message: format!(
                            "output `{}` at {}+{} lies outside the {}-byte arena",
                            tab.port_id,
                            tab.offset,
                            tab.size,
                            view.arena.len()
                        ),
                    })?
                    .to_vec()
            };
            outputs.push(Output {
                port: tab.port_id.to_owned(),
                type_ref: tab.type_ref.map(OwnedTypeRef::from),
                payload,
                alignment: tab.alignment,
                wire_format: tab.wire_format,
                ownership: tab.ownership,
                frame_id: tab.frame_id,
            });
        }
        Ok(InvokeResult {
            status_code: view.status_code,
            status: view.status,
            yielded: view.yielded,
            backlog_remaining: view.backlog_remaining,
            error_code: view.error_code.map(str::to_owned),
            error_message: view.error_message.map(str::to_owned),
            trace_id: view.trace_id,
            outputs,
            raw,
        })
    }

    /// Runs the host's invoke sequence (module docs) on `request` bytes and
    /// returns the response bytes.
    ///
    /// # Errors
    ///
    /// [`ModuleError::AllocationFailed`], [`ModuleError::EmptyResponse`],
    /// [`ModuleError::NullResponse`], [`ModuleError::Misaligned`] (module
    /// SDK), [`ModuleError::OutOfBounds`], a trap, [`ModuleError::Timeout`],
    /// [`ModuleError::MissingExport`] for a missing invoke export.
    pub fn invoke_raw(&mut self, request: &[u8]) -> Result<Vec<u8>, ModuleError> {
        let alloc: AllocFn = self.typed(exports::PLUGIN_ALLOC)?;
        let free: FreeFn = self.typed(exports::PLUGIN_FREE)?;
        let invoke: InvokeFn = self.typed(exports::PLUGIN_INVOKE_STREAM)?;
        self.memory()?;
        let req_len = u32::try_from(request.len()).map_err(|_| ModuleError::InvalidInput {
            message: format!("a request of {} bytes", request.len()),
        })?;
        let sdk = self.options.host == HostKind::Sdk;
        self.begin()?;

        let req = self.alloc_with(&alloc, req_len)?;
        if sdk && req % alignment::INVOKE != 0 {
            return Err(ModuleError::Misaligned {
                what: "request",
                ptr: req,
            });
        }
        self.write_memory(req, request)?;
        let len_word = self.alloc_with(&alloc, 4)?;
        self.write_memory(len_word, &[0; 4])?;

        let resp = self
            .call(
                exports::PLUGIN_INVOKE_STREAM,
                &invoke,
                (s(req), s(req_len), s(len_word)),
            )?
            .cast_unsigned();
        let resp_len = u32::from_le_bytes(word(&self.read_memory(len_word, 4)?));

        if sdk {
            self.free_with(&free, req, req_len)?;
            self.free_with(&free, len_word, 4)?;
            if resp == 0 || resp_len == 0 {
                return Err(ModuleError::NullResponse { len: resp_len });
            }
            if resp % alignment::INVOKE != 0 {
                return Err(ModuleError::Misaligned {
                    what: "response",
                    ptr: resp,
                });
            }
            let bytes = self.read_memory(resp, resp_len)?;
            self.free_with(&free, resp, resp_len)?;
            return Ok(bytes);
        }

        let copied = if resp_len == 0 {
            Err(ModuleError::EmptyResponse)
        } else if resp == 0 {
            Err(ModuleError::NullResponse { len: resp_len })
        } else {
            self.read_memory(resp, resp_len)
        };
        if copied.is_ok() {
            self.free_with(&free, resp, resp_len)?;
        }
        self.free_with(&free, len_word, 4)?;
        self.free_with(&free, req, req_len)?;
        copied
    }

    /// Calls `plugin_invoke_stream(req, req_len, resp_len_out)` with any
    /// arguments (a fresh budget) and returns its raw result: for requests
    /// at misaligned, foreign or out-of-bounds pointers.
    ///
    /// # Errors
    ///
    /// A trap, a timeout, a missing export.
    pub fn invoke_stream_raw(
        &mut self,
        req: u32,
        req_len: u32,
        resp_len_out: u32,
    ) -> Result<u32, ModuleError> {
        let invoke: InvokeFn = self.typed(exports::PLUGIN_INVOKE_STREAM)?;
        self.begin()?;
        self.call(
            exports::PLUGIN_INVOKE_STREAM,
            &invoke,
            (s(req), s(req_len), s(resp_len_out)),
        )
        .map(i32::cast_unsigned)
    }

    /// Calls `plugin_alloc(size)` directly (a fresh budget); 0 is returned
    /// as it is.
    ///
    /// # Errors
    ///
    /// A trap, a timeout, a missing export.
    pub fn call_export_alloc(&mut self, size: u32) -> Result<u32, ModuleError> {
        let alloc: AllocFn = self.typed(exports::PLUGIN_ALLOC)?;
        self.begin()?;
        self.call(exports::PLUGIN_ALLOC, &alloc, s(size))
            .map(i32::cast_unsigned)
    }

    /// Calls `plugin_free(ptr, size)` directly (a fresh budget), e.g. twice
    /// for a double-free test.
    ///
    /// # Errors
    ///
    /// A trap, a timeout, a missing export.
    pub fn call_export_free(&mut self, ptr: u32, size: u32) -> Result<(), ModuleError> {
        let free: FreeFn = self.typed(exports::PLUGIN_FREE)?;
        self.begin()?;
        self.call(exports::PLUGIN_FREE, &free, (s(ptr), s(size)))
    }

    /// Runs the command surface: `_start` with `stdin` as standard input,
    /// as the module SDK's harness runs a `command` module (one request in,
    /// one response out). The exit code is 0 when `_start` returns, else the
    /// `proc_exit` code; after a `proc_exit` the instance is closed, like a
    /// finished WASI command.
    pub fn run_command(&mut self, stdin: &[u8]) -> Result<CommandOutput, ModuleError> {
        let start = self.typed::<(), ()>(sdn_pdk_schemas::hosts::exports::START)?;
        {
            let state = self.store.data_mut();
            state.stdin = stdin.to_vec();
            state.stdin_read = 0;
            state.stdout.clear();
            state.stderr.clear();
        }
        self.begin()?;
        let exit_code = match start.call(&mut self.store, ()) {
            Ok(()) => 0,
            Err(error) => match classify(sdn_pdk_schemas::hosts::exports::START, &error) {
                ModuleError::ProcExit { code } => code,
                other => return Err(other),
            },
        };
        let state = self.store.data();
        Ok(CommandOutput {
            exit_code,
            stdout: state.stdout.clone(),
            stderr: state.stderr.clone(),
        })
    }

    /// Calls any exported function whose parameters and results are all
    /// `i32` (a fresh budget), e.g. a test hook.
    ///
    /// # Errors
    ///
    /// [`ModuleError::MissingExport`] when there is no such function of
    /// `i32`s, a trap, a timeout.
    pub fn call_i32(&mut self, name: &str, args: &[i32]) -> Result<Vec<i32>, ModuleError> {
        let missing = || ModuleError::MissingExport {
            name: name.to_owned(),
        };
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(missing)?;
        let ty = func.ty(&self.store);
        if ty.params().len() != args.len()
            || !ty.params().all(|t| t.is_i32())
            || !ty.results().all(|t| t.is_i32())
        {
            return Err(missing());
        }
        let params: Vec<wasmtime::Val> = args.iter().map(|&a| wasmtime::Val::I32(a)).collect();
        let mut results = vec![wasmtime::Val::I32(0); ty.results().len()];
        self.begin()?;
        func.call(&mut self.store, &params, &mut results)
            .map_err(|e| classify(name, &e))?;
        Ok(results.iter().filter_map(wasmtime::Val::i32).collect())
    }

    fn call<P, R>(
        &mut self,
        export: &str,
        func: &TypedFunc<P, R>,
        args: P,
    ) -> Result<R, ModuleError>
    where
        P: wasmtime::WasmParams,
        R: wasmtime::WasmResults,
    {
        if let Some(code) = self.store.data().exit_code {
            return Err(ModuleError::Closed { code });
        }
        func.call(&mut self.store, args)
            .map_err(|e| classify(export, &e))
    }

    fn alloc_with(&mut self, alloc: &AllocFn, size: u32) -> Result<u32, ModuleError> {
        let ptr = self
            .call(exports::PLUGIN_ALLOC, alloc, s(size))?
            .cast_unsigned();
        if ptr == 0 {
            return Err(ModuleError::AllocationFailed { size });
        }
        Ok(ptr)
    }

    fn free_with(&mut self, free: &FreeFn, ptr: u32, size: u32) -> Result<(), ModuleError> {
        self.call(exports::PLUGIN_FREE, free, (s(ptr), s(size)))
    }
}

/// A u32 as the i32 wasm passes.
fn s(v: u32) -> i32 {
    v.cast_signed()
}

/// The first four bytes (`read_memory(_, 4)` returns exactly four).
fn word(bytes: &[u8]) -> [u8; 4] {
    bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .unwrap_or_default()
}
