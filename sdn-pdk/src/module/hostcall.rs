//! The `space_data_module_host` hostcalls, safely: one [`call`] that speaks
//! the binary envelope, and typed helpers for the operations every host has.
//!
//! A request is an operation name and a JSON meta object (plus binary
//! segments, referenced from the meta as `{"$bin": i}`); the answer is
//! `{"ok": true, "result": …}` or `{"ok": false, "error": {…}}`. **The
//! envelope is the truth**: the newest server's `call` returns 0 even for a
//! failed operation (the JS hosts return 1), so the status alone never
//! decides. Natively, the mock host of `sdn_pdk::testing` (feature `testing`) answers.
//!
//! ```no_run
//! use sdn_pdk::module::hostcall;
//!
//! let now_ms = hostcall::clock_now()?;
//! let mut nonce = [0u8; 16];
//! hostcall::random_bytes(&mut nonce)?;
//! let config = hostcall::config()?; // `{}` on a server without one
//! let step = config.get("stepSeconds").and_then(|v| v.as_f64()).unwrap_or(60.0);
//! # let _ = (now_ms, step);
//! # Ok::<(), hostcall::HostcallError>(())
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::error::Message;
use super::json::{self, Value};
use crate::sys::module_host;

/// The most bytes one `random.bytes` call returns (the server truncates past it).
pub const RANDOM_BYTES_MAX: usize = 8192;

/// Why a hostcall failed.
#[derive(Clone, Debug, PartialEq)]
pub enum HostcallError {
    /// The host answered `{"ok": false}`; its `message` and, from the JS
    /// hosts, its `code`.
    Host {
        /// The operation called.
        operation: String,
        /// The error's `message`.
        message: String,
        /// The error's `code`, when the host sent a string one.
        code: Option<String>,
    },
    /// The host answered no envelope (`call` returned this status and the
    /// response was empty): it could not read the request.
    NoResponse {
        /// The operation called.
        operation: String,
        /// What `call` returned.
        status: i32,
    },
    /// The answer was not a well-formed envelope, or its result had the
    /// wrong shape for the typed helper.
    Malformed {
        /// The operation called.
        operation: String,
        /// What was wrong.
        reason: &'static str,
    },
}

impl fmt::Display for HostcallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostcallError::Host {
                operation, message, ..
            } => {
                write!(f, "hostcall {operation} failed: {message}")
            }
            HostcallError::NoResponse { operation, status } => {
                write!(f, "hostcall {operation} got no response (status {status})")
            }
            HostcallError::Malformed { operation, reason } => {
                write!(
                    f,
                    "hostcall {operation} answered a malformed envelope: {reason}"
                )
            }
        }
    }
}

impl core::error::Error for HostcallError {}

/// A successful answer: the meta's `result` and the binary segments.
#[derive(Clone, Debug, PartialEq)]
pub struct HostResponse {
    /// The meta's `result` (`null` when absent).
    pub result: Value,
    /// The response's binary segments.
    pub segments: Vec<Vec<u8>>,
}

impl HostResponse {
    /// The segment a `{"$bin": i}` result names.
    pub fn binary_result(&self) -> Option<&[u8]> {
        let index = self.result.as_bin_index()?;
        self.segments.get(index).map(Vec::as_slice)
    }
}

/// Calls `operation` with a JSON meta object (`"{}"` for no parameters; an
/// empty string sends an empty payload) and binary segments.
pub fn call(
    operation: &str,
    meta_json: &str,
    segments: &[&[u8]],
) -> Result<HostResponse, HostcallError> {
    let payload = if meta_json.is_empty() && segments.is_empty() {
        Vec::new()
    } else {
        sdn_pdk_schemas::hostcall::encode(meta_json, segments)
    };
    let status = module_host::call(operation.as_bytes(), &payload);
    let answer = module_host::take_response();
    if answer.is_empty() {
        return Err(HostcallError::NoResponse {
            operation: operation.to_string(),
            status,
        });
    }
    decode_answer(operation, &answer)
}

/// Reads an answer envelope.
fn decode_answer(operation: &str, answer: &[u8]) -> Result<HostResponse, HostcallError> {
    let malformed = |reason| HostcallError::Malformed {
        operation: operation.to_string(),
        reason,
    };
    let envelope =
        sdn_pdk_schemas::hostcall::decode(answer).map_err(|_| malformed("bad envelope"))?;
    let meta = Value::parse(envelope.meta).map_err(|_| malformed("meta is not JSON"))?;
    match meta.get("ok").and_then(Value::as_bool) {
        Some(true) => Ok(HostResponse {
            result: meta.get("result").cloned().unwrap_or(Value::Null),
            segments: envelope
                .segments
                .iter()
                .map(|segment| segment.to_vec())
                .collect(),
        }),
        Some(false) => {
            let error = meta.get("error");
            let text = |key| {
                error
                    .and_then(|e| e.get(key))
                    .and_then(Value::as_str)
                    .map(str::to_string)
            };
            Err(HostcallError::Host {
                operation: operation.to_string(),
                message: text("message").unwrap_or_default(),
                code: text("code"),
            })
        }
        None => Err(malformed("meta has no boolean ok")),
    }
}

/// The status the host gave its last call (`last_status_code`): what the
/// server and the JS hosts put there differs, so prefer the envelope.
pub fn last_status_code() -> i32 {
    module_host::last_status_code()
}

fn shape_error(operation: &str, reason: &'static str) -> HostcallError {
    HostcallError::Malformed {
        operation: operation.to_string(),
        reason,
    }
}

/// `clock.now`: the host's wall clock, ms since the Unix epoch.
pub fn clock_now() -> Result<u64, HostcallError> {
    call("clock.now", "{}", &[])?
        .result
        .as_f64()
        .filter(|ms| *ms >= 0.0)
        .map(|ms| ms as u64)
        .ok_or_else(|| shape_error("clock.now", "result is not a time"))
}

/// `random.bytes`: fills `buf` from the host's CSPRNG, in calls of at most
/// [`RANDOM_BYTES_MAX`] bytes.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), HostcallError> {
    for chunk in buf.chunks_mut(RANDOM_BYTES_MAX) {
        let meta = Message::new()
            .text("{\"length\":")
            .number(chunk.len() as u64)
            .text("}")
            .build();
        let response = call("random.bytes", &meta, &[])?;
        let bytes = response
            .binary_result()
            .filter(|bytes| bytes.len() == chunk.len())
            .ok_or_else(|| shape_error("random.bytes", "result is not the bytes asked for"))?;
        chunk.copy_from_slice(bytes);
    }
    Ok(())
}

/// `host.runtimeTarget`: which host runs the module (`"server"`, `"node"`, …).
pub fn runtime_target() -> Result<String, HostcallError> {
    call("host.runtimeTarget", "{}", &[])?
        .result
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| shape_error("host.runtimeTarget", "result is not a string"))
}

/// `host.hasCapability`: whether the host grants capability `name`.
pub fn has_capability(name: &str) -> Result<bool, HostcallError> {
    let mut meta = String::from("{\"capability\":");
    json::write_string(&mut meta, name);
    meta.push('}');
    call("host.hasCapability", &meta, &[])?
        .result
        .as_bool()
        .ok_or_else(|| shape_error("host.hasCapability", "result is not a boolean"))
}

/// `plugin.getConfig`: the deployment's config object (the server answers
/// `{}` when there is none). Hosts without the operation answer an error.
pub fn config() -> Result<Value, HostcallError> {
    let result = call("plugin.getConfig", "{}", &[])?.result;
    match result {
        Value::Null => Ok(Value::Object(Vec::new())),
        value if value.is_object() => Ok(value),
        _ => Err(shape_error("plugin.getConfig", "result is not an object")),
    }
}
