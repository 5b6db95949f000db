//! Native tests of a module: [`ModuleInstance`] runs requests through the
//! same invoke glue as `plugin_invoke_stream` (minus the pointers), and
//! answers decoded responses.

use std::string::{String, ToString};
use std::vec::Vec;

use sdn_pdk_schemas::piv;

use crate::module::Module;
use crate::module::invoke;

/// An input frame to send: port, payload and (optionally) a type ref; the
/// PIV codec's own type.
pub use sdn_pdk_schemas::piv::FrameOut as InputFrame;

/// One output frame of a decoded response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFrame {
    /// Its port.
    pub port_id: String,
    /// Its type ref's schema name, file identifier and root type (empty
    /// strings when the frame had none).
    pub schema_name: String,
    /// The type ref's file identifier.
    pub file_identifier: String,
    /// The type ref's root type.
    pub root_type: String,
    /// The frame's `ALIGNMENT`.
    pub alignment: u32,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

/// A decoded PIV response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvokeResponse {
    /// `STATUS_CODE` (0 on success).
    pub status_code: i32,
    /// `STATUS` (OK 0, NOT_FOUND 1, YIELDED 2, FAILED 3).
    pub status: i32,
    /// `ERROR_CODE`.
    pub error_code: Option<String>,
    /// `ERROR_MESSAGE`.
    pub error_message: Option<String>,
    /// `TRACE_ID`.
    pub trace_id: u64,
    /// The output frames, in order.
    pub outputs: Vec<OutputFrame>,
}

impl InvokeResponse {
    /// Decodes a PIV response; `None` when it is not one.
    pub fn decode(bytes: &[u8]) -> Option<InvokeResponse> {
        let view = piv::decode_response(bytes).ok()?;
        let mut outputs = Vec::new();
        for tab in &view.outputs {
            let type_ref = tab.type_ref.unwrap_or_default();
            outputs.push(OutputFrame {
                port_id: tab.port_id.to_string(),
                schema_name: type_ref.schema_name.to_string(),
                file_identifier: type_ref.file_identifier.to_string(),
                root_type: type_ref.root_type.to_string(),
                alignment: tab.alignment,
                payload: view.arena_payload(tab)?.to_vec(),
            });
        }
        Some(InvokeResponse {
            status_code: view.status_code,
            status: view.status,
            error_code: view.error_code.map(str::to_string),
            error_message: view.error_message.map(str::to_string),
            trace_id: view.trace_id,
            outputs,
        })
    }
}

/// One instance of module `M`, driven natively.
///
/// ```
/// use sdn_pdk::module::{sdn_module, Call, MethodError, Outputs};
/// use sdn_pdk::testing::{InputFrame, ModuleInstance};
///
/// #[derive(Default)]
/// struct Upper;
///
/// #[sdn_module(id = "org.example.upper")]
/// impl Upper {
///     #[method(
///         input(port = "request", schema = "T.fbs", file_identifier = "TEXT", root_type = "T"),
///         output(port = "response", schema = "T.fbs", file_identifier = "TEXT", root_type = "T"),
///     )]
///     fn upper(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
///         let frame = call.first("request").expect("required");
///         out.push("response", &frame.payload().to_ascii_uppercase())
///     }
/// }
///
/// let mut module = ModuleInstance::<Upper>::new();
/// let frame = InputFrame { port_id: "request", payload: b"abc", type_ref: None, frame_id: 0 };
/// let response = module.invoke("upper", &[frame]);
/// assert_eq!(response.status_code, 0);
/// assert_eq!(response.outputs[0].payload, b"ABC");
/// assert_eq!(module.invoke("nope", &[]).error_code.as_deref(), Some("unknown-method"));
/// ```
pub struct ModuleInstance<M: Module> {
    module: M,
}

impl<M: Module> Default for ModuleInstance<M> {
    fn default() -> Self {
        ModuleInstance::new()
    }
}

impl<M: Module> ModuleInstance<M> {
    /// A fresh instance (`M::default()`, as the wasm glue makes on first call).
    pub fn new() -> ModuleInstance<M> {
        ModuleInstance {
            module: M::default(),
        }
    }

    /// The module's state.
    pub fn module(&mut self) -> &mut M {
        &mut self.module
    }

    /// Answers raw request bytes with raw response bytes.
    pub fn invoke_bytes(&mut self, request: &[u8]) -> Vec<u8> {
        invoke::answer(&mut self.module, request, &|_, _| None).bytes
    }

    /// Encodes a request for `method` with `frames`, answers it and decodes
    /// the response.
    pub fn invoke(&mut self, method: &str, frames: &[InputFrame<'_>]) -> InvokeResponse {
        let request = piv::encode_request(method, frames, 0);
        let response = self.invoke_bytes(&request);
        // The glue always answers a well-formed response.
        InvokeResponse::decode(&response).unwrap_or(InvokeResponse {
            status_code: -1,
            status: piv::status::FAILED,
            error_code: Some("undecodable-response".to_string()),
            error_message: None,
            trace_id: 0,
            outputs: Vec::new(),
        })
    }
}
