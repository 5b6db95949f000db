//! `sdn.clock_now_ms`, `sdn.random_bytes` and `sdn.log` (also under `env`),
//! with the server's caps.

use wasmtime::{Caller, Linker};

use super::Sig;
use super::Ty::{I32, I64};
use crate::limits::{MAX_LOG_BYTES, MAX_RANDOM_BYTES};
use crate::log::{LogLevel, LogRecord, sanitize};
use crate::memory::{self, guest_memory};
use crate::state::HostState;

/// The three host functions and their signatures.
pub(crate) const FUNCTIONS: &[(&str, Sig)] = &[
    (
        "clock_now_ms",
        Sig {
            params: &[],
            results: &[I64],
        },
    ),
    (
        "random_bytes",
        Sig {
            params: &[I32, I32],
            results: &[I32],
        },
    ),
    (
        "log",
        Sig {
            params: &[I32, I32, I32],
            results: &[],
        },
    ),
];

pub(crate) fn define(linker: &mut Linker<HostState>, module: &str) -> wasmtime::Result<()> {
    linker.func_wrap(module, "clock_now_ms", |caller: Caller<'_, HostState>| {
        caller.data().clock.now_ms()
    })?;
    linker.func_wrap(
        module,
        "random_bytes",
        |mut caller: Caller<'_, HostState>, ptr: i32, len: i32| {
            random_bytes(&mut caller, ptr.cast_unsigned(), len.cast_unsigned())
        },
    )?;
    linker.func_wrap(
        module,
        "log",
        |mut caller: Caller<'_, HostState>, level: i32, ptr: i32, len: i32| {
            log(&mut caller, level, ptr.cast_unsigned(), len.cast_unsigned());
        },
    )?;
    Ok(())
}

/// The server reads `len` as unsigned (so a negative one is huge) and returns
/// -1 above 8192, when its CSPRNG fails, or when the range is outside memory.
/// The harness checks the range before taking bytes, so a failing call never
/// consumes scripted bytes.
fn random_bytes(caller: &mut Caller<'_, HostState>, ptr: u32, len: u32) -> i32 {
    if len > MAX_RANDOM_BYTES {
        return -1;
    }
    let Some(mem) = guest_memory(caller) else {
        return -1;
    };
    let (data, state) = mem.data_and_store_mut(caller);
    let Some(dst) = memory::slice_mut(data, ptr, u64::from(len)) else {
        return -1;
    };
    if state.random.fill(dst) { 0 } else { -1 }
}

/// Truncates first, then reads: a 5000-byte message of which only the first
/// 4096 bytes are in memory is still logged. Out of range: silently ignored.
fn log(caller: &mut Caller<'_, HostState>, level: i32, ptr: u32, len: u32) {
    let len = len.min(MAX_LOG_BYTES);
    let Some(mem) = guest_memory(caller) else {
        return;
    };
    let (data, state) = mem.data_and_store_mut(caller);
    if let Some(bytes) = memory::slice(data, ptr, u64::from(len)) {
        state.logs.push(LogRecord {
            level: LogLevel::from_raw(level),
            message: sanitize(bytes),
        });
    }
}
