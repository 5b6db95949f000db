//! `wasi_snapshot_preview1` as the server configures it: Wazero's default
//! module config — no args, no env, no preopens, stdout/stderr discarded, a
//! deterministic `random_get` and fake clocks.
//!
//! Implemented: `random_get`, `clock_time_get`, `clock_res_get`, `fd_write`
//! (fd 1/2, captured where the server discards), `fd_read` (fd 0: always at
//! end of file), `args_*`/`environ_*` (empty), `proc_exit` (recorded, then the
//! instance is closed, as on the server), `sched_yield` (success), and
//! `fd_close`, `fd_seek`, `fd_fdstat_get`, `fd_prestat_get`,
//! `fd_prestat_dir_name` (`EBADF`: there are no preopened files).
//!
//! Decision: every other preview-1 function still links (the server's Wazero
//! implements them all, so a module importing them loads in production) and
//! returns `ENOSYS` (52); the call is recorded like any other. A name that is
//! not part of preview 1, or a preview-1 name imported with another
//! signature, fails the load, as on the server.
//!
//! Known differences: the deterministic bytes are not Go's `math/rand`
//! sequence (they are as fixed and as useless), and the stubbed functions
//! answer `ENOSYS` where Wazero would answer, for example, `EBADF`.

use wasmtime::{Caller, Engine, Linker, Val};

use super::Ty::{I32, I64};
use super::{Sig, WASI};
use crate::memory::{self, guest_memory};
use crate::preview1::{
    self, CLOCK_MONOTONIC, CLOCK_REALTIME, EBADF, EFAULT, EINVAL, ENOSYS, ESUCCESS, ProcExit, put,
};
use crate::random::SplitMix64;
use crate::state::HostState;

/// Wall-clock time of the first WASI realtime read: 2022-01-01T00:00:00Z in ns.
pub const FAKE_REALTIME_START_NS: u64 = 1_640_995_200_000_000_000;
/// How far each read of a fake WASI clock advances it: 1 ms.
pub const FAKE_CLOCK_STEP_NS: u64 = 1_000_000;
/// The fixed seed of WASI `random_get` (Wazero uses math/rand seeded with 42).
pub const FAKE_RANDOM_SEED: u64 = 42;

/// The WASI side of the host state.
#[derive(Debug)]
pub(crate) struct WasiState {
    pub(crate) calls: Vec<&'static str>,
    realtime_ns: u64,
    monotonic_ns: u64,
    rng: SplitMix64,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) exit_code: Option<i32>,
}

impl WasiState {
    pub(crate) fn new() -> Self {
        WasiState {
            calls: Vec::new(),
            realtime_ns: FAKE_REALTIME_START_NS,
            monotonic_ns: 0,
            rng: SplitMix64::new(FAKE_RANDOM_SEED),
            stdout: Vec::new(),
            stderr: Vec::new(),
            exit_code: None,
        }
    }
}

const fn sig(params: &'static [super::Ty], results: &'static [super::Ty]) -> Sig {
    Sig { params, results }
}

/// Every `wasi_snapshot_preview1` function with its signature.
pub(crate) const FUNCTIONS: &[(&str, Sig)] = &[
    ("args_get", sig(&[I32, I32], &[I32])),
    ("args_sizes_get", sig(&[I32, I32], &[I32])),
    ("environ_get", sig(&[I32, I32], &[I32])),
    ("environ_sizes_get", sig(&[I32, I32], &[I32])),
    ("clock_res_get", sig(&[I32, I32], &[I32])),
    ("clock_time_get", sig(&[I32, I64, I32], &[I32])),
    ("fd_advise", sig(&[I32, I64, I64, I32], &[I32])),
    ("fd_allocate", sig(&[I32, I64, I64], &[I32])),
    ("fd_close", sig(&[I32], &[I32])),
    ("fd_datasync", sig(&[I32], &[I32])),
    ("fd_fdstat_get", sig(&[I32, I32], &[I32])),
    ("fd_fdstat_set_flags", sig(&[I32, I32], &[I32])),
    ("fd_fdstat_set_rights", sig(&[I32, I64, I64], &[I32])),
    ("fd_filestat_get", sig(&[I32, I32], &[I32])),
    ("fd_filestat_set_size", sig(&[I32, I64], &[I32])),
    ("fd_filestat_set_times", sig(&[I32, I64, I64, I32], &[I32])),
    ("fd_pread", sig(&[I32, I32, I32, I64, I32], &[I32])),
    ("fd_prestat_get", sig(&[I32, I32], &[I32])),
    ("fd_prestat_dir_name", sig(&[I32, I32, I32], &[I32])),
    ("fd_pwrite", sig(&[I32, I32, I32, I64, I32], &[I32])),
    ("fd_read", sig(&[I32, I32, I32, I32], &[I32])),
    ("fd_readdir", sig(&[I32, I32, I32, I64, I32], &[I32])),
    ("fd_renumber", sig(&[I32, I32], &[I32])),
    ("fd_seek", sig(&[I32, I64, I32, I32], &[I32])),
    ("fd_sync", sig(&[I32], &[I32])),
    ("fd_tell", sig(&[I32, I32], &[I32])),
    ("fd_write", sig(&[I32, I32, I32, I32], &[I32])),
    ("path_create_directory", sig(&[I32, I32, I32], &[I32])),
    ("path_filestat_get", sig(&[I32, I32, I32, I32, I32], &[I32])),
    (
        "path_filestat_set_times",
        sig(&[I32, I32, I32, I32, I64, I64, I32], &[I32]),
    ),
    (
        "path_link",
        sig(&[I32, I32, I32, I32, I32, I32, I32], &[I32]),
    ),
    (
        "path_open",
        sig(&[I32, I32, I32, I32, I32, I64, I64, I32, I32], &[I32]),
    ),
    (
        "path_readlink",
        sig(&[I32, I32, I32, I32, I32, I32], &[I32]),
    ),
    ("path_remove_directory", sig(&[I32, I32, I32], &[I32])),
    ("path_rename", sig(&[I32, I32, I32, I32, I32, I32], &[I32])),
    ("path_symlink", sig(&[I32, I32, I32, I32, I32], &[I32])),
    ("path_unlink_file", sig(&[I32, I32, I32], &[I32])),
    ("poll_oneoff", sig(&[I32, I32, I32, I32], &[I32])),
    ("proc_exit", sig(&[I32], &[])),
    ("proc_raise", sig(&[I32], &[I32])),
    ("sched_yield", sig(&[], &[I32])),
    ("random_get", sig(&[I32, I32], &[I32])),
    ("sock_accept", sig(&[I32, I32, I32], &[I32])),
    ("sock_recv", sig(&[I32, I32, I32, I32, I32, I32], &[I32])),
    ("sock_send", sig(&[I32, I32, I32, I32, I32], &[I32])),
    ("sock_shutdown", sig(&[I32, I32], &[I32])),
];

type Cx<'a> = Caller<'a, HostState>;

fn record(caller: &mut Cx<'_>, name: &'static str) {
    caller.data_mut().wasi.calls.push(name);
}

pub(crate) fn define(linker: &mut Linker<HostState>, engine: &Engine) -> wasmtime::Result<()> {
    // Everything links; what is not implemented below answers ENOSYS.
    for &(name, sig) in FUNCTIONS {
        linker.func_new(
            WASI,
            name,
            sig.func_type(engine),
            move |mut caller, _params, results| {
                record(&mut caller, name);
                for result in results.iter_mut() {
                    *result = Val::I32(ENOSYS);
                }
                Ok(())
            },
        )?;
    }

    linker.func_wrap(
        WASI,
        "random_get",
        |mut caller: Cx<'_>, ptr: i32, len: i32| {
            record(&mut caller, "random_get");
            let Some(mem) = guest_memory(&mut caller) else {
                return EFAULT;
            };
            let (data, state) = mem.data_and_store_mut(&mut caller);
            match memory::slice_mut(data, ptr.cast_unsigned(), u64::from(len.cast_unsigned())) {
                Some(dst) => {
                    state.wasi.rng.fill(dst);
                    ESUCCESS
                }
                None => EFAULT,
            }
        },
    )?;

    linker.func_wrap(
        WASI,
        "clock_time_get",
        |mut caller: Cx<'_>, id: i32, _precision: i64, out: i32| {
            record(&mut caller, "clock_time_get");
            let wasi = &mut caller.data_mut().wasi;
            let clock = match id {
                CLOCK_REALTIME => &mut wasi.realtime_ns,
                CLOCK_MONOTONIC => &mut wasi.monotonic_ns,
                _ => return EINVAL,
            };
            let now = *clock;
            *clock = now.wrapping_add(FAKE_CLOCK_STEP_NS);
            put(&mut caller, out, &now.to_le_bytes())
        },
    )?;

    linker.func_wrap(
        WASI,
        "clock_res_get",
        |mut caller: Cx<'_>, id: i32, out: i32| {
            record(&mut caller, "clock_res_get");
            let resolution: u64 = match id {
                CLOCK_REALTIME => 1_000,
                CLOCK_MONOTONIC => 1,
                _ => return EINVAL,
            };
            put(&mut caller, out, &resolution.to_le_bytes())
        },
    )?;

    linker.func_wrap(
        WASI,
        "fd_write",
        |mut caller: Cx<'_>, fd: i32, iovs: i32, iovs_len: i32, nwritten: i32| {
            record(&mut caller, "fd_write");
            preview1::fd_write(&mut caller, fd, iovs, iovs_len, nwritten, |state| {
                (&mut state.wasi.stdout, &mut state.wasi.stderr)
            })
        },
    )?;

    linker.func_wrap(
        WASI,
        "fd_read",
        |mut caller: Cx<'_>, fd: i32, _iovs: i32, _iovs_len: i32, nread: i32| {
            record(&mut caller, "fd_read");
            if fd != 0 {
                return EBADF;
            }
            // stdin is empty: end of file at once.
            put(&mut caller, nread, &0u32.to_le_bytes())
        },
    )?;

    for name in ["args_sizes_get", "environ_sizes_get"] {
        linker.func_wrap(
            WASI,
            name,
            move |mut caller: Cx<'_>, count: i32, size: i32| {
                record(&mut caller, name);
                preview1::no_strings_sizes(&mut caller, count, size)
            },
        )?;
    }
    for name in ["args_get", "environ_get"] {
        linker.func_wrap(WASI, name, move |mut caller: Cx<'_>, _a: i32, _b: i32| {
            record(&mut caller, name);
            ESUCCESS
        })?;
    }

    linker.func_wrap(
        WASI,
        "proc_exit",
        |mut caller: Cx<'_>, code: i32| -> wasmtime::Result<()> {
            record(&mut caller, "proc_exit");
            caller.data_mut().wasi.exit_code = Some(code);
            Err(wasmtime::Error::new(ProcExit(code)))
        },
    )?;

    linker.func_wrap(WASI, "sched_yield", |mut caller: Cx<'_>| {
        record(&mut caller, "sched_yield");
        ESUCCESS
    })?;

    linker.func_wrap(WASI, "fd_close", |mut caller: Cx<'_>, _fd: i32| {
        record(&mut caller, "fd_close");
        EBADF
    })?;
    linker.func_wrap(
        WASI,
        "fd_seek",
        |mut caller: Cx<'_>, _fd: i32, _offset: i64, _whence: i32, _out: i32| {
            record(&mut caller, "fd_seek");
            EBADF
        },
    )?;
    for name in ["fd_fdstat_get", "fd_prestat_get"] {
        linker.func_wrap(
            WASI,
            name,
            move |mut caller: Cx<'_>, _fd: i32, _out: i32| {
                record(&mut caller, name);
                EBADF
            },
        )?;
    }
    linker.func_wrap(
        WASI,
        "fd_prestat_dir_name",
        |mut caller: Cx<'_>, _fd: i32, _path: i32, _len: i32| {
            record(&mut caller, "fd_prestat_dir_name");
            EBADF
        },
    )?;
    Ok(())
}
