//! The module host: host-harness as the hosts that load **modules** (the
//! Space Data module ABI, `docs/module-abi.md`): the newest SDN server
//! ([`HostKind::Server`]) and the module SDK's harness ([`HostKind::Sdk`]).
//!
//! ```
//! use host_harness::module::{Frame, HostKind, Module, ModuleOptions};
//!
//! # fn main() -> Result<(), host_harness::module::ModuleError> {
//! // A module whose only method reads the clock through a hostcall would be
//! // loaded like this; here, the smallest module the SDK host accepts.
//! let wat = r#"(module (memory (export "memory") 1))"#;
//! let options = ModuleOptions {
//!     host: HostKind::Sdk,
//!     clock_ms: Some(1_735_689_600_000),
//!     config_json: Some(r#"{"mode":"test"}"#.into()),
//!     ..Default::default()
//! };
//! let mut module = Module::load(wat, &options)?;
//! assert!(module.manifest().is_none());
//! // No invoke exports: the host cannot call it.
//! let frame = Frame { port: "request", payload: b"x", type_ref: None };
//! assert!(module.invoke("echo", &[frame]).is_err());
//! # Ok(())
//! # }
//! ```
//!
//! Code map: [`options`] (what a test chooses), `load` (the load rules and
//! [`Module`]'s controls), `invoke` (the call sequences and raw entries),
//! `imports` (the import tables of each host), `wasi` (WASI with real or
//! scripted clocks and randomness), `bridge` (`space_data_module_host` and
//! its two error conventions), `ops` (the hostcall operations), `manifest`
//! (where each host reads the manifest; the declared capabilities; the
//! decoded `$PLG`), `protocols` (the `PROTOCOLS` the server installs as
//! stream handlers, one exchange over bytes), `timers` (the `TIMERS` the
//! server fires, on demand).
//!
//! Invariant: the numbers of the hosts (import tables, caps, export names,
//! sensitive capabilities) come from `sdn_pdk_schemas::hosts`; the hostcall
//! envelope is `sdn_pdk_schemas::hostcall`, the invoke envelope
//! `sdn_pdk_schemas::piv` — the guest uses the same three.

mod bridge;
mod error;
mod imports;
mod invoke;
mod load;
mod manifest;
mod ops;
pub mod options;
mod protocols;
mod state;
mod timers;
mod wasi;

pub use error::ModuleError;
pub use invoke::{CommandOutput, InvokeResult, Output, OwnedTypeRef};
pub use load::Module;
pub use options::{ErrorConvention, Frame, HostKind, ModuleOptions};
pub use protocols::{CloseReason, StreamOutcome, stream_id};
pub use timers::{SCHEDULED_BUDGET_FACTOR, TIMER_PAYLOAD};
