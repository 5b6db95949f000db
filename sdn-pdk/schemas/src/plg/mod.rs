//! The module manifest: Space Data Standards `PLG`, file identifier `$PLG`
//! (module-abi.md, "The manifest"), in the numbering of module SDK v0.8.11
//! and its vectors (`schemas/PLG.fbs`).
//!
//! [`build`] writes one deterministically, the way the module SDK's encoder
//! does (same fields, same defaults left out, same derived
//! `ENTRY_FUNCTIONS` / `REQUIRED_SCHEMAS`); `#[sdn_module]` calls it at
//! compile time. [`read`] verifies and reads one; [`to_json`] prints it in
//! the module SDK's `manifest.json` vocabulary. The section and export names
//! are the PMAN manifest's: [`crate::manifest::CUSTOM_SECTION`],
//! [`crate::manifest::EXPORT_POINTER`], [`crate::manifest::EXPORT_SIZE`].
//!
//! What the module SDK's validator (`space-data-module check`) requires of a
//! manifest, and the constants below stand for: `pluginId`, `name`,
//! `version` and a family ([`PLUGIN_TYPES`]); capabilities from
//! [`CANONICAL_CAPABILITIES`]; at least one method, each with input and
//! output port arrays (possibly empty), `maxBatch >= 1` and a drain policy;
//! each port exactly one accepted type set whose types have a schema name,
//! file identifier and root type and are not `acceptsAnyFlatbuffer`, and
//! `minStreams <= maxStreams`; invoke surfaces from [`surface`], `direct`
//! needing [`DIRECT_EXPORTS`] and `command` needing [`COMMAND_EXPORT`];
//! runtime targets from [`RUNTIME_TARGETS`], `wasi` needing the `command`
//! surface and only [`WASI_TARGET_CAPABILITIES`] (and protocols on
//! `wasi-pipe` only), `browser` excluding
//! [`BROWSER_INCOMPATIBLE_CAPABILITIES`]; and no `PMAN` anywhere in the
//! module's bytes.
//!
//! ```
//! use sdn_pdk_schemas::plg;
//!
//! let spec = plg::PlgSpec {
//!     plugin_id: "com.example.echo".into(),
//!     name: "echo".into(),
//!     version: "0.1.0".into(),
//!     plugin_type: plg::plugin_type("analysis"),
//!     abi_version: 1,
//!     capabilities: vec![plg::CapabilitySpec { name: "clock".into(), kind: None, required: true }],
//!     ..Default::default()
//! };
//! let read = plg::read(&plg::build(&spec))?;
//! assert_eq!(read.capabilities[0].kind, Some(0));
//! # Ok::<(), sdn_pdk_schemas::Error>(())
//! ```

mod build;
mod json;
mod read;
mod vocabulary;

pub use build::build;
pub use json::to_json;
pub use read::read;
pub use vocabulary::{
    BROWSER_INCOMPATIBLE_CAPABILITIES, CANONICAL_CAPABILITIES, CAPABILITIES, COMMAND_EXPORT,
    DIRECT_EXPORTS, PLUGIN_TYPES, PROTOCOL_ROLES, PROTOCOL_TRANSPORT_KINDS, RUNTIME_TARGETS,
    SENSITIVE_CAPABILITIES, WASI_TARGET_CAPABILITIES, capability_kind, capability_name,
    drain_policy, plugin_type, plugin_type_name, surface, wire_format_name,
};

use alloc::string::String;
use alloc::vec::Vec;

/// `PLG`'s file identifier.
pub const IDENTIFIER: &str = "$PLG";

/// A `FlatBufferTypeRef` of an accepted type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeSpec {
    /// `SCHEMA_NAME`, e.g. `"OMM.fbs"`; not written when empty.
    pub schema_name: String,
    /// `FILE_IDENTIFIER`, e.g. `"$OMM"`; not written when empty.
    pub file_identifier: String,
    /// `ROOT_TYPE`, e.g. `"OMM"`; not written when empty.
    pub root_type: String,
    /// `SCHEMA_VERSION`.
    pub schema_version: Option<String>,
    /// `SCHEMA_HASH` (SHA-256 of the schema); not written when empty.
    pub schema_hash: Vec<u8>,
    /// `WIRE_FORMAT` ([`crate::piv::wire_format`]).
    pub wire_format: u8,
    /// `BYTE_LENGTH` of the aligned form (0: not written).
    pub byte_length: u32,
    /// `REQUIRED_ALIGNMENT` of the aligned form (0: not written).
    pub required_alignment: u16,
    /// `ACCEPTS_ANY_FLATBUFFER` (the validator refuses it on ports).
    pub accepts_any_flatbuffer: bool,
}

/// A `PLGAcceptedTypeSet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSetSpec {
    /// `SET_ID` (required by the schema: `None` is written as `""` and an
    /// empty one reads back as `None`).
    pub set_id: Option<String>,
    /// `ALLOWED_TYPES`.
    pub allowed_types: Vec<TypeSpec>,
    /// `ALLOWED_WIRE_FORMATS`; empty makes [`build`] derive it like the
    /// module SDK's encoder: each type's wire format once, in order, or
    /// `[flatbuffer]` when there are no types.
    pub allowed_wire_formats: Vec<u8>,
    /// `DESCRIPTION`.
    pub description: Option<String>,
}

/// A `PLGPortManifest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    /// `PORT_ID`.
    pub port_id: String,
    /// `DISPLAY_NAME`.
    pub display_name: Option<String>,
    /// `ACCEPTED_TYPE_SETS` (the validator wants exactly one).
    pub type_sets: Vec<TypeSetSpec>,
    /// `MIN_STREAMS` (schema default 1).
    pub min_streams: u16,
    /// `MAX_STREAMS` (schema default 1).
    pub max_streams: u16,
    /// `REQUIRED` (schema default true).
    pub required: bool,
    /// `DESCRIPTION`.
    pub description: Option<String>,
}

/// A `PLGMethodManifest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodSpec {
    /// `METHOD_ID`.
    pub method_id: String,
    /// `DISPLAY_NAME`.
    pub display_name: Option<String>,
    /// `INPUT_PORTS`.
    pub inputs: Vec<PortSpec>,
    /// `OUTPUT_PORTS`.
    pub outputs: Vec<PortSpec>,
    /// `MAX_BATCH` (schema default 1).
    pub max_batch: u32,
    /// `DRAIN_POLICY` ([`drain_policy`]; schema default drain-until-yield).
    pub drain_policy: u8,
    /// `DESCRIPTION`.
    pub description: Option<String>,
}

/// A declared capability: written as a `PluginCapability` (name, what the
/// server reads) and, when it has a kind, a `PLGHostCapability` (what hosts
/// gate on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapabilitySpec {
    /// The name, e.g. `"clock"` ([`CANONICAL_CAPABILITIES`]).
    pub name: String,
    /// The `CapabilityKind`; `None` takes [`capability_kind`] of the name,
    /// and a name without a kind gets no `PLGHostCapability`.
    pub kind: Option<u16>,
    /// `REQUIRED`.
    pub required: bool,
}

/// A `PLGTimerSpec`: the host calls `method_id` every interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerSpec {
    /// `TIMER_ID`.
    pub timer_id: String,
    /// `METHOD_ID`.
    pub method_id: String,
    /// `INPUT_PORT_ID`.
    pub input_port_id: Option<String>,
    /// `DEFAULT_INTERVAL_MS` (a `ulong` on the wire, bit for bit).
    pub default_interval_ms: i64,
    /// `DESCRIPTION`.
    pub description: Option<String>,
}

/// A `PLGProtocolSpec`: a libp2p protocol the host routes to `method_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolSpec {
    /// `PROTOCOL_ID`, e.g. `"/example/echo/1.0.0"`.
    pub protocol_id: String,
    /// `METHOD_ID`.
    pub method_id: String,
    /// `INPUT_PORT_ID`.
    pub input_port_id: Option<String>,
    /// `OUTPUT_PORT_ID`.
    pub output_port_id: Option<String>,
    /// `DESCRIPTION`.
    pub description: Option<String>,
    /// `WIRE_ID`.
    pub wire_id: Option<String>,
    /// `TRANSPORT_KIND` ([`PROTOCOL_TRANSPORT_KINDS`]).
    pub transport_kind: Option<String>,
    /// `ROLE` ([`PROTOCOL_ROLES`]).
    pub role: Option<String>,
    /// `SPEC_URI`.
    pub spec_uri: Option<String>,
    /// `AUTO_INSTALL` (schema default true): the host installs a stream
    /// handler.
    pub auto_install: bool,
    /// `ADVERTISE`.
    pub advertise: bool,
    /// `DISCOVERY_KEY`.
    pub discovery_key: Option<String>,
    /// `DEFAULT_PORT`.
    pub default_port: u16,
    /// `REQUIRE_SECURE_TRANSPORT`.
    pub require_secure_transport: bool,
}

/// An `EntryFunction` (derived from the methods by [`build`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFunctionSpec {
    /// `NAME`: the method id.
    pub name: String,
    /// `DESCRIPTION`: the method's.
    pub description: Option<String>,
    /// `INPUT_SCHEMAS`: each input port's first schema name.
    pub input_schemas: Vec<String>,
    /// `OUTPUT_SCHEMA`: the first output port's first schema name.
    pub output_schema: Option<String>,
}

/// A manifest: what [`build`] writes and [`read`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlgSpec {
    /// `PLUGIN_ID`.
    pub plugin_id: String,
    /// `NAME`.
    pub name: String,
    /// `VERSION`.
    pub version: String,
    /// `DESCRIPTION`.
    pub description: Option<String>,
    /// `PLUGIN_TYPE` ([`PLUGIN_TYPES`]); `None` when absent.
    pub plugin_type: Option<i8>,
    /// `ABI_VERSION` (schema default 1).
    pub abi_version: u32,
    /// `CAPABILITIES` and `HOST_CAPABILITIES`.
    pub capabilities: Vec<CapabilitySpec>,
    /// `METHODS`.
    pub methods: Vec<MethodSpec>,
    /// `INVOKE_SURFACES` ([`surface`]).
    pub invoke_surfaces: Vec<u8>,
    /// `RUNTIME_TARGETS` ([`RUNTIME_TARGETS`]).
    pub runtime_targets: Vec<String>,
    /// `TIMERS`.
    pub timers: Vec<TimerSpec>,
    /// `PROTOCOLS`.
    pub protocols: Vec<ProtocolSpec>,
    /// `ENTRY_FUNCTIONS` as read ([`build`] derives them from the methods
    /// and ignores this).
    pub entry_functions: Vec<EntryFunctionSpec>,
    /// `REQUIRED_SCHEMAS` as read ([`build`] derives them and ignores this).
    pub required_schemas: Vec<String>,
}

#[cfg(test)]
mod tests;
