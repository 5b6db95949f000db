//! The module SDK's names and numbers (space-data-module-sdk v0.8.11:
//! `src/capabilities.js`, `src/runtime/constants.js`,
//! `src/manifest/plgCodec.js`, the generated `spacedatastandards/plg` enums
//! and the validator `src/compliance/pluginCompliance.js`), written down
//! once. Tests keep the numbered tables equal to the generated enums.

/// `PLG.PLUGIN_TYPE` (`pluginCategory`), the standard's numbering, by
/// lower-snake name, in value order.
pub const PLUGIN_TYPES: &[(&str, i8)] = &[
    ("sensor", 0),
    ("propagator", 1),
    ("renderer", 2),
    ("analysis", 3),
    ("data_source", 4),
    ("ew", 5),
    ("comms", 6),
    ("physics", 7),
    ("shader", 8),
    ("parser", 9),
    ("validator", 10),
    ("interpolator", 11),
    ("exporter", 12),
    ("foundation", 13),
    ("infrastructure", 14),
    ("licensing", 15),
    ("storefront", 16),
    ("publisher", 17),
    ("basilisk", 18),
    ("maneuver", 19),
    ("flow", 20),
    ("unspecified", 21),
];

/// The `PLUGIN_TYPE` value of `name` (lower snake, e.g. `"analysis"`; the
/// module SDK's spelling `"datasource"` is taken too).
#[must_use]
pub fn plugin_type(name: &str) -> Option<i8> {
    let name = if name == "datasource" {
        "data_source"
    } else {
        name
    };
    PLUGIN_TYPES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|&(_, value)| value)
}

/// The lower-snake name of plugin type `value`.
#[must_use]
pub fn plugin_type_name(value: i8) -> Option<&'static str> {
    PLUGIN_TYPES
        .iter()
        .find(|&&(_, known)| known == value)
        .map(|&(name, _)| name)
}

/// The capability names that have a `CapabilityKind` (`hostCapabilityKind`,
/// `PLGHostCapability.CAPABILITY`, the same numbering as PMAN's), as
/// manifests spell them, with that kind; in kind order. The module SDK's
/// encoder maps names to kinds with exactly this table.
pub const CAPABILITIES: &[(&str, u16)] = crate::capability::CAPABILITIES;

/// The `CapabilityKind` of capability `name` (e.g. `"protocol_handle"` → 6).
#[must_use]
pub fn capability_kind(name: &str) -> Option<u16> {
    crate::capability::kind(name)
}

/// The name of `CapabilityKind` `kind`.
#[must_use]
pub fn capability_name(kind: u16) -> Option<&'static str> {
    crate::capability::name(kind)
}

/// The module SDK's canonical capability vocabulary
/// (`RecommendedCapabilityIds`): a name outside it draws the validator's
/// `noncanonical-capability` warning. Two names have no `CapabilityKind`
/// (`p2p_read`, `gpu_compute`): they appear in `CAPABILITIES` only.
pub const CANONICAL_CAPABILITIES: &[&str] = &[
    "clock",
    "random",
    "logging",
    "timers",
    "schedule_cron",
    "http",
    "tls",
    "websocket",
    "mqtt",
    "tcp",
    "udp",
    "network",
    "filesystem",
    "pipe",
    "pubsub",
    "protocol_handle",
    "protocol_dial",
    "p2p_read",
    "database",
    "storage_adapter",
    "storage_query",
    "storage_write",
    "storage_ingest",
    "context_read",
    "context_write",
    "process_exec",
    "crypto_hash",
    "crypto_sign",
    "crypto_verify",
    "crypto_encrypt",
    "crypto_decrypt",
    "crypto_key_agreement",
    "crypto_kdf",
    "wallet_sign",
    "ipfs",
    "gpu_compute",
    "scene_access",
    "entity_access",
    "render_hooks",
];

/// Capabilities the newest server refuses to load without an
/// operator-approved SHA-256 of the module (module-abi.md); the others
/// (clock, random, logging, timers, protocol_handle, the crypto kinds, …)
/// load freely. The same list as [`crate::hosts::server::SENSITIVE_CAPABILITIES`].
pub const SENSITIVE_CAPABILITIES: &[&str] = crate::hosts::server::SENSITIVE_CAPABILITIES;

/// The canonical runtime targets (`RuntimeTarget`); another name draws the
/// validator's `noncanonical-runtime-target` warning.
pub const RUNTIME_TARGETS: &[&str] = &[
    "node", "browser", "wasi", "wasmedge", "server", "desktop", "edge",
];

/// The only capabilities a module targeting `wasi` may declare
/// (`StandaloneWasiCapabilityIds`); such a module must also declare the
/// `command` invoke surface.
pub const WASI_TARGET_CAPABILITIES: &[&str] = &["logging", "clock", "random", "filesystem", "pipe"];

/// Capabilities a module targeting `browser` may not declare (the
/// validator's `capability-runtime-conflict`).
pub const BROWSER_INCOMPATIBLE_CAPABILITIES: &[&str] = &[
    "pipe",
    "network",
    "tcp",
    "udp",
    "mqtt",
    "tls",
    "database",
    "storage_write",
    "protocol_dial",
    "protocol_handle",
    "process_exec",
    "wallet_sign",
    "ipfs",
    "scene_access",
    "entity_access",
    "render_hooks",
];

/// `PLG.INVOKE_SURFACES` values (`invokeSurfaceKind`).
pub mod surface {
    /// The invoke exports (`plugin_invoke_stream`, `plugin_alloc`,
    /// `plugin_free`).
    pub const DIRECT: u8 = 0;
    /// WASI `_start`: one PIV request on stdin, the response on stdout.
    pub const COMMAND: u8 = 1;

    /// The manifest name of surface `value` (`"direct"`, `"command"`).
    #[must_use]
    pub fn name(value: u8) -> Option<&'static str> {
        match value {
            DIRECT => Some("direct"),
            COMMAND => Some("command"),
            _ => None,
        }
    }

    /// The surface called `name`.
    #[must_use]
    pub fn value(name: &str) -> Option<u8> {
        match name {
            "direct" => Some(DIRECT),
            "command" => Some(COMMAND),
            _ => None,
        }
    }
}

/// `PLGMethodManifest.DRAIN_POLICY` values (`drainBehavior`).
pub mod drain_policy {
    /// One call per invoke.
    pub const SINGLE_SHOT: u8 = 0;
    /// Drain until the method yields (the schema default).
    pub const DRAIN_UNTIL_YIELD: u8 = 1;
    /// Drain until no frames are left.
    pub const DRAIN_TO_EMPTY: u8 = 2;

    /// The manifest name of policy `value` (`"single-shot"`, …).
    #[must_use]
    pub fn name(value: u8) -> Option<&'static str> {
        match value {
            SINGLE_SHOT => Some("single-shot"),
            DRAIN_UNTIL_YIELD => Some("drain-until-yield"),
            DRAIN_TO_EMPTY => Some("drain-to-empty"),
            _ => None,
        }
    }

    /// The policy called `name`.
    #[must_use]
    pub fn value(name: &str) -> Option<u8> {
        [SINGLE_SHOT, DRAIN_UNTIL_YIELD, DRAIN_TO_EMPTY]
            .into_iter()
            .find(|&v| self::name(v) == Some(name))
    }
}

/// The manifest name of payload wire format `value` (`"flatbuffer"`,
/// `"aligned-binary"`).
#[must_use]
pub fn wire_format_name(value: u8) -> Option<&'static str> {
    match value {
        crate::piv::wire_format::FLATBUFFER => Some("flatbuffer"),
        crate::piv::wire_format::ALIGNED_BINARY => Some("aligned-binary"),
        _ => None,
    }
}

/// Protocol transport kinds (`ProtocolTransportKind`); a `wasi` module may
/// only use `wasi-pipe`.
pub const PROTOCOL_TRANSPORT_KINDS: &[&str] = &["libp2p", "http", "ws", "wasi-pipe"];

/// Protocol roles (`ProtocolRole`).
pub const PROTOCOL_ROLES: &[&str] = &["handle", "dial", "both"];

/// The exports the `direct` surface requires.
pub const DIRECT_EXPORTS: &[&str] = &[
    crate::hosts::exports::PLUGIN_INVOKE_STREAM,
    crate::hosts::exports::PLUGIN_ALLOC,
    crate::hosts::exports::PLUGIN_FREE,
];

/// The export the `command` surface requires.
pub const COMMAND_EXPORT: &str = crate::hosts::exports::START;
