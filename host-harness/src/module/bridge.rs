//! `space_data_module_host`: the hostcall bridge, with either host's error
//! convention ([`ErrorConvention`]).
//!
//! `call` reads the operation name and the payload envelope out of guest
//! memory, runs the operation ([`ops`](super::ops)) and keeps the response
//! envelope; `response_len`, `read_response`, `last_status_code` and
//! `clear_response` serve it. A `read_response` range outside memory copies
//! nothing: the server ignores the failed write and still answers the
//! count, the JS bridge throws (a trap here).

use sdn_pdk_schemas::hostcall;
use sdn_pdk_schemas::hosts::{module_host, sdk};
use serde_json::Value;
use wasmtime::{Caller, Linker};

use crate::memory::{self, guest_memory};
use crate::module::ops::{self, Params};
use crate::module::options::ErrorConvention;
use crate::module::state::ModuleState;

/// The bridge's state: the last response and status.
#[derive(Debug)]
pub(crate) struct Bridge {
    convention: ErrorConvention,
    last_status: i32,
    response: Vec<u8>,
    /// Every operation called, in order.
    pub(crate) calls: Vec<String>,
}

impl Bridge {
    pub(crate) fn new(convention: ErrorConvention) -> Self {
        Bridge {
            convention,
            last_status: module_host::STATUS_OK,
            response: empty_response(),
            calls: Vec::new(),
        }
    }

    /// The response envelope the guest would read now.
    pub(crate) fn response(&self) -> &[u8] {
        &self.response
    }

    /// The status `last_status_code` would return now.
    pub(crate) fn last_status(&self) -> i32 {
        self.last_status
    }

    fn set(&mut self, status: i32, meta: &str, segments: &[Vec<u8>]) -> i32 {
        let segments: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
        self.response = hostcall::encode(meta, &segments);
        self.last_status = status;
        status
    }

    fn ok(&mut self, result: &Value, segments: &[Vec<u8>]) -> i32 {
        // Both hosts write `ok` first (Go sorts the keys, JS keeps order).
        let meta = format!(r#"{{"ok":true,"result":{result}}}"#);
        self.set(module_host::STATUS_OK, &meta, segments)
    }

    /// An operation's error in the host's convention.
    fn error(&mut self, operation: &str, message: &str) -> i32 {
        let message = Value::from(message);
        match self.convention {
            ErrorConvention::Server => {
                let meta = format!(r#"{{"error":{{"message":{message}}},"ok":false}}"#);
                self.set(module_host::STATUS_OK, &meta, &[])
            }
            ErrorConvention::Js => self.js_error(operation, &message),
        }
    }

    /// A failure to read guest memory or decode the payload: status 1 on
    /// both hosts.
    fn fault(&mut self, operation: &str, message: &str) -> i32 {
        let message = Value::from(message);
        match self.convention {
            ErrorConvention::Server => {
                let meta = format!(r#"{{"error":{{"message":{message}}},"ok":false}}"#);
                self.set(module_host::STATUS_ERROR, &meta, &[])
            }
            ErrorConvention::Js => self.js_error(operation, &message),
        }
    }

    fn js_error(&mut self, operation: &str, message: &Value) -> i32 {
        let operation = Value::from(operation);
        let meta = format!(
            r#"{{"ok":false,"error":{{"name":"Error","message":{message},"code":null,"operation":{operation},"capability":null}}}}"#
        );
        self.set(module_host::STATUS_ERROR, &meta, &[])
    }
}

fn empty_response() -> Vec<u8> {
    hostcall::encode(module_host::EMPTY_RESPONSE_META, &[])
}

type Cx<'a> = Caller<'a, ModuleState>;

/// Copies `ptr..ptr+len` out of guest memory.
fn read(caller: &mut Cx<'_>, ptr: i32, len: i32) -> Option<Vec<u8>> {
    let mem = guest_memory(caller)?;
    memory::slice(
        mem.data(&*caller),
        ptr.cast_unsigned(),
        u64::from(len.cast_unsigned()),
    )
    .map(<[u8]>::to_vec)
}

/// Decodes a payload envelope into parameters (empty = none).
fn params(bytes: &[u8]) -> Result<Params, String> {
    if bytes.is_empty() {
        return Ok(Params::default());
    }
    let envelope = hostcall::decode(bytes).map_err(|e| e.to_string())?;
    let meta = serde_json::from_str(envelope.meta)
        .map_err(|e| format!("hostcall payload meta is not JSON: {e}"))?;
    Ok(Params {
        meta,
        segments: envelope.segments.iter().map(|s| s.to_vec()).collect(),
    })
}

fn call(caller: &mut Cx<'_>, op_ptr: i32, op_len: i32, payload_ptr: i32, payload_len: i32) -> i32 {
    let js = caller.data().bridge.convention == ErrorConvention::Js;
    let Some(op_bytes) = read(caller, op_ptr, op_len) else {
        let message = if js {
            "Operation range exceeds guest memory bounds."
        } else {
            "failed to read operation"
        };
        return caller.data_mut().bridge.fault("", message);
    };
    let operation = String::from_utf8_lossy(&op_bytes).into_owned();
    caller.data_mut().bridge.calls.push(operation.clone());
    if js
        && usize::try_from(payload_len.cast_unsigned())
            .is_ok_and(|n| n > sdk::MAX_HOSTCALL_REQUEST_BYTES)
    {
        let message = format!(
            "Hostcall request exceeds {} byte limit.",
            sdk::MAX_HOSTCALL_REQUEST_BYTES
        );
        return caller.data_mut().bridge.fault(&operation, &message);
    }
    // The server reads no payload at all when its length is 0.
    let payload = if payload_len == 0 {
        Some(Vec::new())
    } else {
        read(caller, payload_ptr, payload_len)
    };
    let Some(payload) = payload else {
        let message = if js {
            "Payload range exceeds guest memory bounds."
        } else {
            "failed to read payload"
        };
        return caller.data_mut().bridge.fault(&operation, message);
    };
    let params = match params(&payload) {
        Ok(params) => params,
        Err(message) => return caller.data_mut().bridge.fault(&operation, &message),
    };
    let state = caller.data_mut();
    match ops::dispatch(state, &operation, &params) {
        Ok(reply) => state.bridge.ok(&reply.result, &reply.segments),
        Err(message) => state.bridge.error(&operation, &message),
    }
}

fn read_response(caller: &mut Cx<'_>, dst: i32, dst_len: i32) -> wasmtime::Result<i32> {
    let js = caller.data().bridge.convention == ErrorConvention::Js;
    let Some(mem) = guest_memory(caller) else {
        return Ok(0);
    };
    let (data, state) = mem.data_and_store_mut(&mut *caller);
    let response = &state.bridge.response;
    let count = response.len().min(dst_len.cast_unsigned() as usize);
    let written = memory::write(data, dst.cast_unsigned(), &response[..count]);
    if !written && js {
        return Err(wasmtime::Error::msg(
            "Response range exceeds guest memory bounds.",
        ));
    }
    Ok(i32::try_from(count).unwrap_or(i32::MAX))
}

/// Defines the five functions.
pub(crate) fn define(linker: &mut Linker<ModuleState>) -> wasmtime::Result<()> {
    let m = module_host::IMPORT_MODULE;
    linker.func_wrap(
        m,
        module_host::CALL,
        |mut caller: Cx<'_>, op_ptr: i32, op_len: i32, payload_ptr: i32, payload_len: i32| {
            call(&mut caller, op_ptr, op_len, payload_ptr, payload_len)
        },
    )?;
    linker.func_wrap(m, module_host::RESPONSE_LEN, |caller: Cx<'_>| {
        i32::try_from(caller.data().bridge.response.len()).unwrap_or(i32::MAX)
    })?;
    linker.func_wrap(
        m,
        module_host::READ_RESPONSE,
        |mut caller: Cx<'_>, dst: i32, dst_len: i32| read_response(&mut caller, dst, dst_len),
    )?;
    linker.func_wrap(m, module_host::LAST_STATUS_CODE, |caller: Cx<'_>| {
        caller.data().bridge.last_status
    })?;
    linker.func_wrap(m, module_host::CLEAR_RESPONSE, |mut caller: Cx<'_>| {
        let bridge = &mut caller.data_mut().bridge;
        bridge.response = empty_response();
        bridge.last_status = module_host::STATUS_OK;
        module_host::STATUS_OK
    })?;
    Ok(())
}
