//! host-harness: the SDN server's WASI plugin runtime rebuilt on wasmtime.
//!
//! A plugin that passes its tests under this harness works on the server, and
//! the server's refusals and traps show up in those tests instead of in
//! production. Everything emulated follows the Go runtime
//! (`sdn-server/internal/wasiplugin`, Wazero 1.7); `docs/host-abi.md` is the
//! contract.
//!
//! ```
//! use host_harness::{Clock, Plugin};
//!
//! # fn main() -> Result<(), host_harness::HarnessError> {
//! // A tiny plugin in WAT: a bump allocator and a handler that answers "ok".
//! let wat = r#"(module
//!   (memory (export "memory") 1)
//!   (global $next (mut i32) (i32.const 1024))
//!   (func (export "malloc") (param $n i32) (result i32)
//!     (local $p i32)
//!     (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
//!     (local.set $p (global.get $next))
//!     (global.set $next (i32.add (local.get $p) (local.get $n)))
//!     (local.get $p))
//!   (func (export "free") (param i32))
//!   (func (export "plugin_init") (param i32 i32) (result i32) (i32.const 0))
//!   (func (export "plugin_get_public_key") (param i32 i32) (result i32) (i32.const 0))
//!   (func (export "plugin_get_metadata") (param i32 i32) (result i32) (i32.const 0))
//!   (func (export "plugin_handle_request")
//!         (param $req i32) (param $len i32) (param $host i32)
//!         (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
//!     (i32.store16 (local.get $out) (i32.const 0x6b6f))
//!     (i32.store (local.get $out_len) (i32.const 2))
//!     (i32.const 0))
//!   (func (export "plugin_request_challenge") (param i32 i32 i32 i32 i32) (result i32)
//!     (i32.const 1)))"#;
//!
//! let mut plugin = Plugin::builder().clock(Clock::Fixed(1_700_000_000_000)).load(wat)?;
//! plugin.init(b"config")?;
//! let response = plugin.handle_request(b"body", "host.example")?;
//! assert_eq!(response.status, 0);
//! assert_eq!(response.body, b"ok");
//! // An empty request means malloc(0), which returns 0 here: an allocation failure.
//! assert!(matches!(
//!     plugin.handle_request(b"", ""),
//!     Err(host_harness::HarnessError::AllocationFailed { size: 0 })
//! ));
//! # Ok(())
//! # }
//! ```
//!
//! # What is emulated
//!
//! * **Imports** — `sdn` and `env` each provide `clock_now_ms () -> i64`,
//!   `random_bytes (i32, i32) -> i32` (-1 above 8192 bytes or for a range
//!   outside memory) and `log (i32, i32, i32)` (truncated at 4096 bytes,
//!   control characters turned into `?`, an out-of-range pointer ignored,
//!   levels ≤0 debug / 1 info / 2 warn / ≥3 error); `env` also carries the
//!   server's no-op Emscripten exception stubs. `wasi_snapshot_preview1` is
//!   Wazero's default configuration: no args, env or preopens, deterministic
//!   `random_get`, fake clocks (realtime from 2022-01-01T00:00:00Z and
//!   monotonic from 0, each read advancing 1 ms), stdout/stderr captured
//!   where the server discards them, and [`Plugin::wasi_calls`] lists every
//!   WASI call. Any other import, or a known one with another signature,
//!   fails the load.
//! * **Memory** — capped at 512 pages: `memory.grow` past it returns -1 in
//!   the guest; an initial memory above it fails the load.
//! * **Exports** — checked at load for the [`HostRevision`] (default
//!   [`HostRevision::Challenge`], whose requirements include the original's);
//!   `_start` is refused; `_initialize` is called once.
//! * **Calls** — the server's sequences and capacities (see [`Plugin::init`],
//!   [`Plugin::handle_request`] ...). Output buffers and `out_len` are
//!   filled with a poison pattern ([`limits::POISON_BYTE`]) before the call,
//!   so forgetting to write them fails loudly.
//! * **Deadline** — each operation runs on an instruction budget; an endless
//!   loop is [`HarnessError::Timeout`]. The real server has no such stop: its
//!   10 s context is not enforced by its runtime, so the plugin hangs forever.
//! * **`proc_exit`** — the server closes the instance; so does the harness
//!   ([`HarnessError::ProcExit`], then [`HarnessError::Closed`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod call_failure;
mod calls;
mod clock;
mod compile_cache;
mod error;
mod exports;
mod imports;
pub mod limits;
/// The conformance checker (the `sdn-pdk-check` crate): will the hosts load
/// this `.wasm`? A plugin's tests call [`check::check_file`] on the built
/// file, as `host-harness check` does.
pub use sdn_pdk_check as check;
mod log;
pub mod manifest;
mod memory;
mod metering;
pub mod module;
mod plugin;
mod preview1;
mod random;
mod state;
pub mod stream;

pub use calls::{ChallengeResponse, Response};
pub use clock::Clock;
pub use error::HarnessError;
pub use exports::HostRevision;
pub use imports::wasi::{FAKE_CLOCK_STEP_NS, FAKE_RANDOM_SEED, FAKE_REALTIME_START_NS};
pub use log::{LogLevel, LogRecord};
pub use metering::Metering;
pub use module::{Frame, HostKind, InvokeResult, Module, ModuleError, ModuleOptions};
pub use plugin::{Capacities, Plugin, PluginBuilder};
pub use random::RandomFallback;
