//! `wasi_snapshot_preview1` as a module host gives it: no args, env or
//! preopens; **real** randomness and clocks (WasmEdge's, the platform's)
//! unless the test scripted them ([`ModuleOptions`](super::ModuleOptions)
//! `clock_ms`, `random`); stdout and stderr captured.
//!
//! The 17 portable functions are implemented: `fd_read` of stdin reads what
//! [`Module::run_command`](crate::module::Module::run_command) was given, else it is at end
//! of file; `fd_write` takes fds 1 and 2, `fd_fdstat_get` describes fds 0–2
//! as character devices, `fd_prestat_get` answers `EBADF` (no preopens, which
//! ends a libc's preopen scan), `path_open` and `fd_close` answer `EBADF`,
//! `fd_seek` on stdio `ESPIPE`, `proc_exit` closes the instance. On the
//! server the rest of preview 1 links and answers `ENOSYS` (WasmEdge
//! implements them, but with nothing preopened none can do anything here).

use sdn_pdk_schemas::hosts::wasi::{MODULE, PORTABLE_FUNCTIONS};
use wasmtime::{Caller, Engine, Linker, Val};

use crate::memory::{self, guest_memory};
use crate::module::state::ModuleState;
use crate::preview1::{
    self, CLOCK_REALTIME, EBADF, EFAULT, EINVAL, EIO, ENOSYS, ESPIPE, ESUCCESS, ProcExit, put,
};

/// Monotonic, process and thread CPU time all read the monotonic clock.
const CLOCK_LAST: i32 = 3;

/// `filetype::CHARACTER_DEVICE`.
const FILETYPE_CHARACTER_DEVICE: u8 = 2;

type Cx<'a> = Caller<'a, ModuleState>;

fn is_stdio(fd: i32) -> bool {
    (0..=2).contains(&fd)
}

/// Every preview-1 function outside the portable 17, answering `ENOSYS`.
pub(crate) fn define_enosys_rest(
    linker: &mut Linker<ModuleState>,
    engine: &Engine,
) -> wasmtime::Result<()> {
    for &(name, sig) in crate::imports::wasi::FUNCTIONS {
        if PORTABLE_FUNCTIONS.iter().any(|(n, _)| *n == name) {
            continue;
        }
        linker.func_new(
            MODULE,
            name,
            sig.func_type(engine),
            |_caller, _params, results| {
                for result in results.iter_mut() {
                    *result = Val::I32(ENOSYS);
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// The 17 portable functions.
pub(crate) fn define(linker: &mut Linker<ModuleState>) -> wasmtime::Result<()> {
    for name in ["args_sizes_get", "environ_sizes_get"] {
        linker.func_wrap(MODULE, name, |mut caller: Cx<'_>, count: i32, size: i32| {
            preview1::no_strings_sizes(&mut caller, count, size)
        })?;
    }
    for name in ["args_get", "environ_get"] {
        linker.func_wrap(MODULE, name, |_caller: Cx<'_>, _a: i32, _b: i32| ESUCCESS)?;
    }
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        |mut caller: Cx<'_>, id: i32, _precision: i64, out: i32| {
            let now = match id {
                CLOCK_REALTIME => caller.data().realtime_ns(),
                1..=CLOCK_LAST => caller.data().monotonic_ns(),
                _ => return EINVAL,
            };
            put(&mut caller, out, &now.to_le_bytes())
        },
    )?;
    linker.func_wrap(MODULE, "fd_close", |_caller: Cx<'_>, _fd: i32| EBADF)?;
    linker.func_wrap(
        MODULE,
        "fd_fdstat_get",
        |mut caller: Cx<'_>, fd: i32, out: i32| {
            if !is_stdio(fd) {
                return EBADF;
            }
            // fdstat: filetype u8, pad, flags u16, pad, rights_base u64,
            // rights_inheriting u64 (24 bytes).
            let mut stat = [0u8; 24];
            stat[0] = FILETYPE_CHARACTER_DEVICE;
            stat[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
            put(&mut caller, out, &stat)
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_fdstat_set_flags",
        |_caller: Cx<'_>, fd: i32, _flags: i32| if is_stdio(fd) { ESUCCESS } else { EBADF },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_get",
        |_caller: Cx<'_>, _fd: i32, _out: i32| EBADF,
    )?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_dir_name",
        |_caller: Cx<'_>, _fd: i32, _path: i32, _len: i32| EBADF,
    )?;
    linker.func_wrap(
        MODULE,
        "fd_read",
        |mut caller: Cx<'_>, fd: i32, iovs: i32, iovs_len: i32, nread: i32| {
            if fd != 0 {
                return EBADF;
            }
            let Some(mem) = guest_memory(&mut caller) else {
                return EFAULT;
            };
            let (data, state) = mem.data_and_store_mut(&mut caller);
            let mut read = 0u32;
            for i in 0..iovs_len.cast_unsigned() {
                let Some(at) = iovs.cast_unsigned().checked_add(i.saturating_mul(8)) else {
                    return EFAULT;
                };
                let (Some(ptr), Some(len)) = (
                    memory::read_u32(data, at),
                    memory::read_u32(data, at.saturating_add(4)),
                ) else {
                    return EFAULT;
                };
                let rest = state.stdin.get(state.stdin_read..).unwrap_or_default();
                let chunk = &rest[..rest.len().min(len as usize)];
                if !memory::write(data, ptr, chunk) {
                    return EFAULT;
                }
                state.stdin_read += chunk.len();
                read = read.saturating_add(chunk.len() as u32);
            }
            put(&mut caller, nread, &read.to_le_bytes())
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_seek",
        |_caller: Cx<'_>, fd: i32, _offset: i64, _whence: i32, _out: i32| {
            if is_stdio(fd) { ESPIPE } else { EBADF }
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_write",
        |mut caller: Cx<'_>, fd: i32, iovs: i32, iovs_len: i32, nwritten: i32| {
            preview1::fd_write(&mut caller, fd, iovs, iovs_len, nwritten, |state| {
                (&mut state.stdout, &mut state.stderr)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_open",
        |_caller: Cx<'_>,
         _fd: i32,
         _dirflags: i32,
         _path: i32,
         _path_len: i32,
         _oflags: i32,
         _rights: i64,
         _inheriting: i64,
         _fdflags: i32,
         _out: i32| EBADF,
    )?;
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |mut caller: Cx<'_>, code: i32| -> wasmtime::Result<()> {
            caller.data_mut().exit_code = Some(code);
            Err(wasmtime::Error::new(ProcExit(code)))
        },
    )?;
    linker.func_wrap(
        MODULE,
        "random_get",
        |mut caller: Cx<'_>, ptr: i32, len: i32| {
            let Some(mem) = guest_memory(&mut caller) else {
                return EFAULT;
            };
            let (data, state) = mem.data_and_store_mut(&mut caller);
            let Some(dst) =
                memory::slice_mut(data, ptr.cast_unsigned(), u64::from(len.cast_unsigned()))
            else {
                return EFAULT;
            };
            // WasmEdge answers EIO when its source fails; so does the harness.
            if state.random.fill(dst) {
                ESUCCESS
            } else {
                EIO
            }
        },
    )?;
    linker.func_wrap(MODULE, "sched_yield", |_caller: Cx<'_>| ESUCCESS)?;
    Ok(())
}
