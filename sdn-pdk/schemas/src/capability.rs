//! Host capability kinds (`orbpro.manifest.CapabilityKind`, a `u16` on the
//! wire) and their names.
//!
//! The names are the schema's enum names in lower case (`"clock"`,
//! `"crypto_key_agreement"`); they are what `#[sdn_plugin(capabilities(...))]`
//! accepts and what `host-harness inspect` prints. A test keeps this table
//! equal to the generated enum.

/// `CapabilityKind::CLOCK`.
pub const CLOCK: u16 = 0;
/// `CapabilityKind::RANDOM`.
pub const RANDOM: u16 = 1;
/// `CapabilityKind::LOGGING`.
pub const LOGGING: u16 = 2;
/// `CapabilityKind::TIMERS`.
pub const TIMERS: u16 = 3;
/// `CapabilityKind::PUBSUB`.
pub const PUBSUB: u16 = 4;
/// `CapabilityKind::PROTOCOL_DIAL`.
pub const PROTOCOL_DIAL: u16 = 5;
/// `CapabilityKind::PROTOCOL_HANDLE`.
pub const PROTOCOL_HANDLE: u16 = 6;
/// `CapabilityKind::STORAGE_QUERY`.
pub const STORAGE_QUERY: u16 = 7;
/// `CapabilityKind::SCENE_ACCESS`.
pub const SCENE_ACCESS: u16 = 8;
/// `CapabilityKind::ENTITY_ACCESS`.
pub const ENTITY_ACCESS: u16 = 9;
/// `CapabilityKind::RENDER_HOOKS`.
pub const RENDER_HOOKS: u16 = 10;
/// `CapabilityKind::HTTP`.
pub const HTTP: u16 = 11;
/// `CapabilityKind::FILESYSTEM`.
pub const FILESYSTEM: u16 = 12;
/// `CapabilityKind::PIPE`.
pub const PIPE: u16 = 13;
/// `CapabilityKind::NETWORK`.
pub const NETWORK: u16 = 14;
/// `CapabilityKind::DATABASE`.
pub const DATABASE: u16 = 15;
/// `CapabilityKind::STORAGE_ADAPTER`.
pub const STORAGE_ADAPTER: u16 = 16;
/// `CapabilityKind::STORAGE_WRITE`.
pub const STORAGE_WRITE: u16 = 17;
/// `CapabilityKind::WALLET_SIGN`.
pub const WALLET_SIGN: u16 = 18;
/// `CapabilityKind::IPFS`.
pub const IPFS: u16 = 19;
/// `CapabilityKind::TLS`.
pub const TLS: u16 = 20;
/// `CapabilityKind::MQTT`.
pub const MQTT: u16 = 21;
/// `CapabilityKind::WEBSOCKET`.
pub const WEBSOCKET: u16 = 22;
/// `CapabilityKind::TCP`.
pub const TCP: u16 = 23;
/// `CapabilityKind::UDP`.
pub const UDP: u16 = 24;
/// `CapabilityKind::PROCESS_EXEC`.
pub const PROCESS_EXEC: u16 = 25;
/// `CapabilityKind::CONTEXT_READ`.
pub const CONTEXT_READ: u16 = 26;
/// `CapabilityKind::CONTEXT_WRITE`.
pub const CONTEXT_WRITE: u16 = 27;
/// `CapabilityKind::CRYPTO_HASH`.
pub const CRYPTO_HASH: u16 = 28;
/// `CapabilityKind::CRYPTO_SIGN`.
pub const CRYPTO_SIGN: u16 = 29;
/// `CapabilityKind::CRYPTO_VERIFY`.
pub const CRYPTO_VERIFY: u16 = 30;
/// `CapabilityKind::CRYPTO_ENCRYPT`.
pub const CRYPTO_ENCRYPT: u16 = 31;
/// `CapabilityKind::CRYPTO_DECRYPT`.
pub const CRYPTO_DECRYPT: u16 = 32;
/// `CapabilityKind::CRYPTO_KEY_AGREEMENT`.
pub const CRYPTO_KEY_AGREEMENT: u16 = 33;
/// `CapabilityKind::CRYPTO_KDF`.
pub const CRYPTO_KDF: u16 = 34;
/// `CapabilityKind::SCHEDULE_CRON`.
pub const SCHEDULE_CRON: u16 = 35;
/// `CapabilityKind::STORAGE_INGEST`.
pub const STORAGE_INGEST: u16 = 36;

/// Every capability kind the schema defines, by name, in kind order.
pub const CAPABILITIES: &[(&str, u16)] = &[
    ("clock", CLOCK),
    ("random", RANDOM),
    ("logging", LOGGING),
    ("timers", TIMERS),
    ("pubsub", PUBSUB),
    ("protocol_dial", PROTOCOL_DIAL),
    ("protocol_handle", PROTOCOL_HANDLE),
    ("storage_query", STORAGE_QUERY),
    ("scene_access", SCENE_ACCESS),
    ("entity_access", ENTITY_ACCESS),
    ("render_hooks", RENDER_HOOKS),
    ("http", HTTP),
    ("filesystem", FILESYSTEM),
    ("pipe", PIPE),
    ("network", NETWORK),
    ("database", DATABASE),
    ("storage_adapter", STORAGE_ADAPTER),
    ("storage_write", STORAGE_WRITE),
    ("wallet_sign", WALLET_SIGN),
    ("ipfs", IPFS),
    ("tls", TLS),
    ("mqtt", MQTT),
    ("websocket", WEBSOCKET),
    ("tcp", TCP),
    ("udp", UDP),
    ("process_exec", PROCESS_EXEC),
    ("context_read", CONTEXT_READ),
    ("context_write", CONTEXT_WRITE),
    ("crypto_hash", CRYPTO_HASH),
    ("crypto_sign", CRYPTO_SIGN),
    ("crypto_verify", CRYPTO_VERIFY),
    ("crypto_encrypt", CRYPTO_ENCRYPT),
    ("crypto_decrypt", CRYPTO_DECRYPT),
    ("crypto_key_agreement", CRYPTO_KEY_AGREEMENT),
    ("crypto_kdf", CRYPTO_KDF),
    ("schedule_cron", SCHEDULE_CRON),
    ("storage_ingest", STORAGE_INGEST),
];

/// The kind of the capability called `name` (lower case, e.g. `"clock"`).
#[must_use]
pub fn kind(name: &str) -> Option<u16> {
    CAPABILITIES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|&(_, kind)| kind)
}

/// The lower-case name of capability `kind`, `None` for a kind this schema
/// does not know (a newer writer's).
#[must_use]
pub fn name(kind: u16) -> Option<&'static str> {
    CAPABILITIES
        .iter()
        .find(|&&(_, known)| known == kind)
        .map(|&(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::plugin_manifest::orbpro::manifest::CapabilityKind;

    #[test]
    fn table_matches_the_generated_enum() {
        assert_eq!(CAPABILITIES.len(), CapabilityKind::ENUM_VALUES.len());
        for (&(name, kind), generated) in CAPABILITIES.iter().zip(CapabilityKind::ENUM_VALUES) {
            assert_eq!(kind, generated.0);
            let generated_name = generated.variant_name().map(str::to_ascii_lowercase);
            assert_eq!(Some(name), generated_name.as_deref());
        }
    }

    #[test]
    fn names_and_kinds_round_trip() {
        assert_eq!(kind("clock"), Some(0));
        assert_eq!(kind("random"), Some(1));
        assert_eq!(kind("logging"), Some(2));
        assert_eq!(kind("crypto_key_agreement"), Some(33));
        assert_eq!(kind("crypto_kdf"), Some(34));
        assert_eq!(kind("storage_ingest"), Some(36));
        assert_eq!(kind("CLOCK"), None);
        assert_eq!(kind("teleport"), None);
        assert_eq!(name(CRYPTO_ENCRYPT), Some("crypto_encrypt"));
        assert_eq!(name(37), None);
    }
}
