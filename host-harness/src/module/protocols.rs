//! A module's libp2p protocols as the newest server installs them, over
//! bytes: no transport, one exchange per call.
//!
//! The server (`modulert`'s `Module.Start` and `handleProtocolStream`), for
//! each `PROTOCOLS` entry with `AUTO_INSTALL`:
//!
//! * installs a stream handler under the entry's `WIRE_ID` (trimmed), else
//!   its `PROTOCOL_ID`;
//! * reads the whole message, at most 16 KiB
//!   ([`server::STREAM_MESSAGE_MAX_BYTES`]; it reads one byte more to tell):
//!   an empty or longer message closes the stream without a reply;
//! * invokes the entry's `METHOD_ID` with **one** frame, the message, on
//!   port `request` ([`server::REQUEST_PORT`]) and **no type ref**. The
//!   entry's `INPUT_PORT_ID` is not read: a protocol whose method takes its
//!   input on another port fails there (`unknown-input-port` /
//!   `missing-required-input`), and so it does here;
//! * answers the payload of output port `response`
//!   ([`server::RESPONSE_PORT`]), else of the first output (the entry's
//!   `OUTPUT_PORT_ID` is not read either);
//! * closes the stream without a reply when the invoke fails, when the
//!   response has a non-zero `STATUS_CODE` or any `ERROR_CODE` /
//!   `ERROR_MESSAGE`, when there is no output, or when the chosen output is
//!   empty.

use sdn_pdk_schemas::hosts::server;
use sdn_pdk_schemas::plg::ProtocolSpec;

use crate::module::error::ModuleError;
use crate::module::invoke::InvokeResult;
use crate::module::load::Module;
use crate::module::options::Frame;

/// What one protocol exchange did: the bytes the server writes back, or why
/// it closed the stream without a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamOutcome {
    /// The server writes these bytes and closes the stream.
    Reply(Vec<u8>),
    /// The server closes the stream without writing anything.
    Closed(CloseReason),
}

impl StreamOutcome {
    /// The reply, `None` when the stream is closed without one.
    pub fn reply(&self) -> Option<&[u8]> {
        match self {
            StreamOutcome::Reply(bytes) => Some(bytes),
            StreamOutcome::Closed(_) => None,
        }
    }
}

/// Why the server closed a stream without a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseReason {
    /// The client wrote nothing.
    EmptyMessage,
    /// The message is longer than [`server::STREAM_MESSAGE_MAX_BYTES`].
    TooLong {
        /// Its length (as much as was handed in).
        len: usize,
    },
    /// The invoke itself failed (a trap, a timeout, a bad response ...).
    InvokeFailed(ModuleError),
    /// The method answered a failure: a non-zero status code, or an error
    /// code or message with status 0.
    Failed(InvokeResult),
    /// The response has no output frame.
    NoOutput(InvokeResult),
    /// The output the server reads is empty.
    EmptyOutput(InvokeResult),
}

impl std::fmt::Display for CloseReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CloseReason::EmptyMessage => f.write_str("the message is empty"),
            CloseReason::TooLong { len } => write!(
                f,
                "the message of {len} bytes is above the server's {} bytes",
                server::STREAM_MESSAGE_MAX_BYTES
            ),
            CloseReason::InvokeFailed(e) => write!(f, "the invoke failed: {e}"),
            CloseReason::Failed(r) => write!(
                f,
                "the method failed: status {}{}{}",
                r.status_code,
                r.error_code
                    .as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default(),
                r.error_message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ),
            CloseReason::NoOutput(_) => f.write_str("the response has no output"),
            CloseReason::EmptyOutput(_) => f.write_str("the output the server reads is empty"),
        }
    }
}

/// The id a protocol's stream handler is installed under: `WIRE_ID`
/// (trimmed) when set, else `PROTOCOL_ID`.
pub fn stream_id(protocol: &ProtocolSpec) -> &str {
    match protocol.wire_id.as_deref().map(str::trim) {
        Some(wire) if !wire.is_empty() => wire,
        _ => &protocol.protocol_id,
    }
}

impl Module {
    /// The protocols the server installs stream handlers for (`PROTOCOLS`
    /// with `AUTO_INSTALL`), in manifest order; empty without a `$PLG`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Manifest`] when the `$PLG` does not verify.
    pub fn installed_protocols(&self) -> Result<Vec<ProtocolSpec>, ModuleError> {
        Ok(self
            .plg()?
            .map(|spec| spec.protocols)
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.auto_install)
            .collect())
    }

    /// One exchange on the installed protocol `protocol` (its stream id,
    /// `WIRE_ID` or `PROTOCOL_ID`, or its `PROTOCOL_ID`): `message` is
    /// everything the client wrote before closing its side. The rules are
    /// the server's (module docs); a failure of the module is a
    /// [`StreamOutcome::Closed`], never an `Err`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::InvalidInput`] when no installed protocol has that
    /// id (the server has no handler: the client's dial fails);
    /// [`ModuleError::Manifest`] for a `$PLG` that does not verify.
    pub fn handle_protocol_stream(
        &mut self,
        protocol: &str,
        message: &[u8],
    ) -> Result<StreamOutcome, ModuleError> {
        let installed = self.installed_protocols()?;
        let spec = installed
            .iter()
            .find(|p| stream_id(p) == protocol)
            .or_else(|| installed.iter().find(|p| p.protocol_id == protocol))
            .ok_or_else(|| ModuleError::InvalidInput {
                message: format!(
                    "the module installs no protocol `{protocol}` (installed: {})",
                    if installed.is_empty() {
                        "none".to_owned()
                    } else {
                        installed
                            .iter()
                            .map(|p| stream_id(p).to_owned())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            })?;
        if message.is_empty() {
            return Ok(StreamOutcome::Closed(CloseReason::EmptyMessage));
        }
        if message.len() > server::STREAM_MESSAGE_MAX_BYTES {
            return Ok(StreamOutcome::Closed(CloseReason::TooLong {
                len: message.len(),
            }));
        }
        let frame = Frame {
            port: server::REQUEST_PORT,
            payload: message,
            type_ref: None,
        };
        let result = match self.invoke(&spec.method_id, &[frame]) {
            Ok(result) => result,
            Err(e) => return Ok(StreamOutcome::Closed(CloseReason::InvokeFailed(e))),
        };
        Ok(server_reply(result))
    }
}

/// What the server makes of a decoded response (`extractPluginInvokePayload`
/// with port `response`, then "an empty payload is no reply").
fn server_reply(result: InvokeResult) -> StreamOutcome {
    let failed = result.status_code != 0
        || result.error_code.as_deref().is_some_and(|c| !c.is_empty())
        || result
            .error_message
            .as_deref()
            .is_some_and(|m| !m.is_empty());
    if failed {
        return StreamOutcome::Closed(CloseReason::Failed(result));
    }
    let payload = match result.response() {
        None => return StreamOutcome::Closed(CloseReason::NoOutput(result)),
        Some(output) => output.payload.clone(),
    };
    if payload.is_empty() {
        return StreamOutcome::Closed(CloseReason::EmptyOutput(result));
    }
    StreamOutcome::Reply(payload)
}
