//! Space Data **modules**: the ABI of today's hosts (the SDN server's
//! `modulert` on WasmEdge, the module SDK's Node and browser harnesses).
//!
//! A module is a set of methods. Each method has input and output ports,
//! and each port declares the FlatBuffer type it carries (schema name, file
//! identifier, root type). A host calls `plugin_invoke_stream` with a `$PIV`
//! request (the method id and input frames); the module answers a `$PIV`
//! response (a status, output frames). The module describes itself in a
//! `$PLG` manifest, embedded in the `sds.manifest` custom section and behind
//! the two manifest accessor exports.
//!
//! Build one with the `module` feature and [`sdn_module`] on an impl block
//! of a `Default` type; each method carries `#[method(...)]`:
//!
//! ```
//! use sdn_pdk::module::{sdn_module, Call, MethodError, Outputs};
//!
//! #[derive(Default)]
//! pub struct Echo;
//!
//! #[sdn_module(id = "org.example.echo", capabilities = [clock, random, logging])]
//! impl Echo {
//!     /// Answers each OMM unchanged.
//!     #[method(
//!         id = "echo",
//!         input(port = "request", schema = "OMM.fbs", file_identifier = "$OMM", root_type = "OMM"),
//!         output(port = "response", schema = "OMM.fbs", file_identifier = "$OMM", root_type = "OMM"),
//!     )]
//!     fn echo(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
//!         for frame in call.port("request") {
//!             out.push("response", frame.payload())?;
//!         }
//!         Ok(())
//!     }
//! }
//! ```
//!
//! The glue checks every request before a method runs (the rules of the
//! module ABI, answered with the reference glue's codes): an undeclared
//! method is `404 unknown-method`; a frame on an undeclared port
//! `400 unknown-input-port`; a frame whose type ref the port does not accept
//! `400 unsupported-input-type`; a required port without a frame
//! `400 missing-required-input`; more frames on a port than the method's
//! `max_batch` `400 too-many-frames`; a malformed envelope
//! `400 invalid-request`. A frame **without** a type ref is taken as the
//! port's declared type (the server sends such frames for libp2p protocols
//! and timers; the reference glue refuses them). A method's
//! [`MethodError`] becomes its status, code and message, and its outputs
//! are dropped.
//!
//! Time and randomness: in a module, `sdn_pdk::host::clock_now_ms` and
//! `sdn_pdk::host::random_bytes` use WASI (real on these hosts), and
//! [`hostcall`] reaches the host's own operations (`clock.now`,
//! `random.bytes`, `plugin.getConfig`, …). A portable module imports only
//! WASI and `space_data_module_host`.

pub mod call;
pub mod decl;
mod error;
pub mod hostcall;
pub mod invoke;
pub mod json;
mod outputs;

pub use call::{Call, Frame};
pub use error::MethodError;
pub use outputs::Outputs;
pub use sdn_pdk_schemas::piv::TypeRef;

/// The `flatbuffers` runtime the PIV codec uses, for generated code of a
/// module's own types ([`Frame::root`]).
pub use flatbuffers;

/// Generates a module's exports and `$PLG` manifest from an impl block.
///
/// On the impl of a type that implements `Default` (its one instance is
/// made on the first call and kept): `#[sdn_module(...)]` with the
/// module's identity, and `#[method(...)]` on each method, whose signature
/// is `fn(&mut self, &Call<'_>, &mut Outputs<'_>) -> Result<(), MethodError>`.
///
/// | `#[sdn_module]` argument | `$PLG` field | default |
/// |---|---|---|
/// | `id = "…"` | `PLUGIN_ID` | the package name |
/// | `name = "…"` | `NAME` | the package name |
/// | `version = "…"` | `VERSION` | the package version |
/// | `description = "…"` | `DESCRIPTION` | the package description, if any |
/// | `family = "…"` | `PLUGIN_TYPE` (`analysis`, `propagator`, `infrastructure`, …) | `analysis` |
/// | `capabilities = [clock, random, …]` | `CAPABILITIES` (names) and `HOST_CAPABILITIES` (kinds) | none |
/// | `runtime_targets = [server, node, …]` | `RUNTIME_TARGETS` | none |
/// | `timers = [timer(id = "…", method = "…", interval_ms = N)]` | `TIMERS` | none |
/// | `protocols = [protocol(id = "/x/1.0.0", method = "…")]` | `PROTOCOLS` | none |
///
/// | `#[method]` argument | meaning | default |
/// |---|---|---|
/// | `id = "…"` | the method id | the function's name |
/// | `max_batch = N` | most frames per input port per call | 1 |
/// | `drain_policy = "…"` | `single-shot`, `drain-until-yield`, `drain-to-empty` | `single-shot` |
/// | `input(port = "…", schema = "…", file_identifier = "…", root_type = "…", optional)` | an input port and its type | required |
/// | `output(port = "…", schema = "…", file_identifier = "…", root_type = "…")` | an output port and its type | |
///
/// The invoke surfaces are `direct` (the three invoke exports), plus
/// `command` (a `_start` that answers one request from stdin on stdout)
/// when sdn-pdk's `command` feature is on. `ENTRY_FUNCTIONS` and
/// `REQUIRED_SCHEMAS` are derived from the methods, as the module SDK's
/// encoder does. Mistakes are compile errors on the offending argument.
pub use sdn_pdk_macros::sdn_module;

/// What `#[sdn_module]` implements for a module type: its method table and
/// the dispatch from a method's index to its body. Implemented by the
/// macro; the invoke glue and the native test driver use it.
pub trait Module: Default + 'static {
    /// The methods, in declaration order.
    const METHODS: &'static [decl::MethodDecl];
    /// The `$PLG` manifest bytes (the same as the custom section's).
    const MANIFEST: &'static [u8];

    /// Runs method number `index` of [`Module::METHODS`].
    fn dispatch(
        &mut self,
        index: usize,
        call: &Call<'_>,
        out: &mut Outputs<'_>,
    ) -> Result<(), MethodError>;
}
