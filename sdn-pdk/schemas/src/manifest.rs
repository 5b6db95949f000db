//! The plugin manifest: `orbpro.manifest.PluginManifest`, file identifier
//! `PMAN`, wire-compatible with the space-data-module-sdk schema.
//!
//! A plugin carries it in the `sds.manifest` custom section (and, optionally,
//! behind the `plugin_get_manifest_flatbuffer` /
//! `plugin_get_manifest_flatbuffer_size` exports). [`build`] writes one —
//! `#[sdn_plugin]` calls it at compile time — and [`read`] verifies and reads
//! one back.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::capability;
use crate::error::{Error, check_identifier};
use crate::generated::plugin_manifest::orbpro::manifest as fb;
use crate::json;

/// The manifest's FlatBuffers file identifier.
pub const IDENTIFIER: &str = "PMAN";

/// The name of the wasm custom section that carries the manifest.
pub const CUSTOM_SECTION: &str = "sds.manifest";

/// The export returning a pointer to the manifest bytes (`() -> i32`).
pub const EXPORT_POINTER: &str = "plugin_get_manifest_flatbuffer";

/// The export returning the manifest's size in bytes (`() -> i32`).
pub const EXPORT_SIZE: &str = "plugin_get_manifest_flatbuffer_size";

/// The ABI version sdn-pdk plugins declare (`abi_version`).
pub const ABI_VERSION: u32 = 1;

/// `PluginFamily::ANALYSIS`, the schema's default family.
pub const DEFAULT_FAMILY: u8 = fb::PluginFamily::ANALYSIS.0;

/// Every plugin family the schema defines, by lower-case name, in value order.
pub const FAMILIES: &[(&str, u8)] = &[
    ("sensor", 0),
    ("propagator", 1),
    ("renderer", 2),
    ("analysis", 3),
    ("data_source", 4),
    ("comms", 5),
    ("shader", 6),
    ("sdf", 7),
    ("infrastructure", 8),
    ("flow", 9),
    ("bridge", 10),
];

/// The value of the family called `name` (lower case, e.g. `"analysis"`).
#[must_use]
pub fn family(name: &str) -> Option<u8> {
    FAMILIES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|&(_, value)| value)
}

/// The lower-case name of family `value`, `None` for one the schema does not
/// know.
#[must_use]
pub fn family_name(value: u8) -> Option<&'static str> {
    FAMILIES
        .iter()
        .find(|&&(_, known)| known == value)
        .map(|&(name, _)| name)
}

/// What [`build`] writes: the fields of `PluginManifest` sdn-pdk fills in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestSpec {
    /// `plugin_id` (required by the schema; [`read`]ers such as
    /// `cargo xtask check` reject an empty one).
    pub plugin_id: String,
    /// `name`; omitted from the buffer when empty.
    pub name: String,
    /// `version`; omitted from the buffer when empty.
    pub version: String,
    /// `plugin_family` (a `PluginFamily` value, see [`FAMILIES`]); `None`
    /// writes the schema default, [`DEFAULT_FAMILY`] (analysis).
    pub family: Option<u8>,
    /// Not written: `PluginManifest` has no description field. Kept so a
    /// caller can carry it (e.g. into metadata) without a second type.
    pub description: Option<String>,
    /// `capabilities`: `(kind, scope)` pairs (kinds in [`capability`]), each
    /// written as a `HostCapability` with `required = true`. Omitted when
    /// empty.
    pub capabilities: Vec<(u16, Option<String>)>,
}

/// Builds a finished `PluginManifest` buffer with file identifier `PMAN`.
///
/// Every scalar is written explicitly, defaults included (`abi_version = 1`,
/// `plugin_family`, each capability's `required = true`), so readers see
/// them in the bytes. The output is deterministic: the same spec gives the
/// same bytes.
#[must_use]
pub fn build(spec: &ManifestSpec) -> Vec<u8> {
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    fbb.force_defaults(true);
    let capabilities = if spec.capabilities.is_empty() {
        None
    } else {
        let tables: Vec<_> = spec
            .capabilities
            .iter()
            .map(|(kind, scope)| {
                let scope = scope.as_deref().map(|s| fbb.create_string(s));
                fb::HostCapability::create(
                    &mut fbb,
                    &fb::HostCapabilityArgs {
                        capability: fb::CapabilityKind(*kind),
                        scope,
                        required: true,
                        description: None,
                    },
                )
            })
            .collect();
        Some(fbb.create_vector(&tables))
    };
    let version = (!spec.version.is_empty()).then(|| fbb.create_string(&spec.version));
    let name = (!spec.name.is_empty()).then(|| fbb.create_string(&spec.name));
    let plugin_id = fbb.create_string(&spec.plugin_id);
    let root = fb::PluginManifest::create(
        &mut fbb,
        &fb::PluginManifestArgs {
            plugin_id: Some(plugin_id),
            name,
            version,
            plugin_family: fb::PluginFamily(spec.family.unwrap_or(DEFAULT_FAMILY)),
            capabilities,
            abi_version: ABI_VERSION,
            ..Default::default()
        },
    );
    fb::finish_plugin_manifest_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

/// One declared host capability, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capability {
    /// The `CapabilityKind` value (see [`capability::name`]).
    pub kind: u16,
    /// `scope`, when present.
    pub scope: Option<String>,
    /// `required` (the schema's default is `true`).
    pub required: bool,
    /// `description`, when present.
    pub description: Option<String>,
}

/// A verified manifest, read into owned values.
///
/// Only the fields sdn-pdk understands are read; the counts of the others
/// tell whether a richer writer filled them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `plugin_id` (present, possibly empty).
    pub plugin_id: String,
    /// `name`, when present.
    pub name: Option<String>,
    /// `version`, when present.
    pub version: Option<String>,
    /// `plugin_family` (see [`family_name`]).
    pub family: u8,
    /// `capabilities`, in order.
    pub capabilities: Vec<Capability>,
    /// `abi_version`.
    pub abi_version: u32,
    /// How many `methods` entries there are (not read further).
    pub methods: usize,
}

impl Manifest {
    /// Whether a capability of `kind` is declared.
    #[must_use]
    pub fn declares(&self, kind: u16) -> bool {
        self.capabilities.iter().any(|c| c.kind == kind)
    }

    /// The manifest as a JSON object (for `host-harness inspect`). Kinds and
    /// families appear by name, unknown ones by number.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"plugin_id\":");
        json::push_str(&mut out, &self.plugin_id);
        out.push_str(",\"name\":");
        json::push_opt_str(&mut out, self.name.as_deref());
        out.push_str(",\"version\":");
        json::push_opt_str(&mut out, self.version.as_deref());
        out.push_str(",\"plugin_family\":");
        match family_name(self.family) {
            Some(name) => json::push_str(&mut out, name),
            None => {
                let _ = write!(out, "{}", self.family);
            }
        }
        let _ = write!(out, ",\"abi_version\":{}", self.abi_version);
        out.push_str(",\"capabilities\":[");
        for (i, c) in self.capabilities.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"capability\":");
            match capability::name(c.kind) {
                Some(name) => json::push_str(&mut out, name),
                None => {
                    let _ = write!(out, "{}", c.kind);
                }
            }
            out.push_str(",\"scope\":");
            json::push_opt_str(&mut out, c.scope.as_deref());
            let _ = write!(out, ",\"required\":{}", c.required);
            out.push_str(",\"description\":");
            json::push_opt_str(&mut out, c.description.as_deref());
            out.push('}');
        }
        let _ = write!(out, "],\"methods\":{}}}", self.methods);
        out
    }
}

/// Verifies `bytes` as a `PluginManifest` (identifier `PMAN`, then the
/// FlatBuffers verifier with its default limits) and reads it.
///
/// # Errors
///
/// [`Error::WrongIdentifier`] when bytes 4..8 are not `PMAN`,
/// [`Error::Invalid`] when the verifier rejects the buffer (out-of-range
/// offsets, a missing `plugin_id`, a string that is not UTF-8, …).
pub fn read(bytes: &[u8]) -> Result<Manifest, Error> {
    check_identifier(bytes, IDENTIFIER)?;
    let root = fb::root_as_plugin_manifest(bytes)?;
    let owned = |s: Option<&str>| s.map(str::to_owned);
    let capabilities = root
        .capabilities()
        .map(|v| {
            v.iter()
                .map(|c| Capability {
                    kind: c.capability().0,
                    scope: owned(c.scope()),
                    required: c.required(),
                    description: owned(c.description()),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Manifest {
        plugin_id: root.plugin_id().to_owned(),
        name: owned(root.name()),
        version: owned(root.version()),
        family: root.plugin_family().0,
        capabilities,
        abi_version: root.abi_version(),
        methods: root.methods().map_or(0, |m| m.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn spec() -> ManifestSpec {
        ManifestSpec {
            plugin_id: "com.example.key-broker".into(),
            name: "key-broker".into(),
            version: "0.1.0".into(),
            family: Some(family("infrastructure").unwrap()),
            description: Some("ignored".into()),
            capabilities: vec![
                (capability::CLOCK, None),
                (capability::RANDOM, None),
                (capability::CRYPTO_KEY_AGREEMENT, Some("p-256".into())),
            ],
        }
    }

    #[test]
    fn build_then_read() {
        let bytes = build(&spec());
        assert_eq!(&bytes[4..8], b"PMAN");
        let m = read(&bytes).unwrap();
        assert_eq!(m.plugin_id, "com.example.key-broker");
        assert_eq!(m.name.as_deref(), Some("key-broker"));
        assert_eq!(m.version.as_deref(), Some("0.1.0"));
        assert_eq!(m.family, 8);
        assert_eq!(m.abi_version, 1);
        assert_eq!(m.methods, 0);
        assert_eq!(
            m.capabilities,
            vec![
                Capability {
                    kind: 0,
                    scope: None,
                    required: true,
                    description: None
                },
                Capability {
                    kind: 1,
                    scope: None,
                    required: true,
                    description: None
                },
                Capability {
                    kind: 33,
                    scope: Some("p-256".into()),
                    required: true,
                    description: None
                },
            ]
        );
        assert!(m.declares(capability::CLOCK) && !m.declares(capability::LOGGING));
    }

    #[test]
    fn build_is_deterministic() {
        assert_eq!(build(&spec()), build(&spec()));
    }

    #[test]
    fn defaults_are_in_the_bytes() {
        // abi_version (slot 10) and plugin_family (slot 3) are present in the
        // vtable even though they equal the schema defaults.
        let bytes = build(&ManifestSpec {
            plugin_id: "p".into(),
            ..ManifestSpec::default()
        });
        let root = fb::root_as_plugin_manifest(&bytes).unwrap();
        assert!(root._tab.vtable().get(fb::PluginManifest::VT_ABI_VERSION) != 0);
        assert!(root._tab.vtable().get(fb::PluginManifest::VT_PLUGIN_FAMILY) != 0);
        let m = read(&bytes).unwrap();
        assert_eq!((m.family, m.abi_version), (DEFAULT_FAMILY, 1));
        assert_eq!((m.name, m.version), (None, None));
        assert!(m.capabilities.is_empty());
    }

    #[test]
    fn field_slots_match_the_upstream_schema() {
        // PluginManifest field ids in space-data-module-sdk's schema:
        // vtable offset = 4 + 2 * id.
        assert_eq!(fb::PluginManifest::VT_PLUGIN_ID, 4);
        assert_eq!(fb::PluginManifest::VT_NAME, 6);
        assert_eq!(fb::PluginManifest::VT_VERSION, 8);
        assert_eq!(fb::PluginManifest::VT_PLUGIN_FAMILY, 10);
        assert_eq!(fb::PluginManifest::VT_METHODS, 12);
        assert_eq!(fb::PluginManifest::VT_CAPABILITIES, 14);
        assert_eq!(fb::PluginManifest::VT_ABI_VERSION, 24);
        assert_eq!(fb::HostCapability::VT_CAPABILITY, 4);
        assert_eq!(fb::HostCapability::VT_SCOPE, 6);
        assert_eq!(fb::HostCapability::VT_REQUIRED, 8);
        assert_eq!(fb::HostCapability::VT_DESCRIPTION, 10);
    }

    #[test]
    fn family_table_matches_the_generated_enum() {
        assert_eq!(FAMILIES.len(), fb::PluginFamily::ENUM_VALUES.len());
        for (&(name, value), generated) in FAMILIES.iter().zip(fb::PluginFamily::ENUM_VALUES) {
            assert_eq!(value, generated.0);
            let generated_name = generated.variant_name().map(str::to_ascii_lowercase);
            assert_eq!(Some(name), generated_name.as_deref());
        }
        assert_eq!(family_name(DEFAULT_FAMILY), Some("analysis"));
        assert_eq!(family("bridge"), Some(10));
        assert_eq!(family_name(11), None);
    }

    #[test]
    fn read_rejects_wrong_identifier_and_garbage() {
        let mut bytes = build(&spec());
        bytes[4..8].copy_from_slice(b"XXXX");
        assert_eq!(
            read(&bytes),
            Err(Error::WrongIdentifier { expected: "PMAN" })
        );
        assert_eq!(
            read(b"PMA"),
            Err(Error::WrongIdentifier { expected: "PMAN" })
        );
        let mut bad = vec![0xff, 0xff, 0xff, 0x7f];
        bad.extend_from_slice(b"PMAN");
        assert!(matches!(read(&bad), Err(Error::Invalid(_))));
        let truncated = &build(&spec())[..20];
        assert!(matches!(read(truncated), Err(Error::Invalid(_))));
    }

    #[test]
    fn to_json_names_kinds_and_families() {
        let m = read(&build(&spec())).unwrap();
        assert_eq!(
            m.to_json(),
            concat!(
                r#"{"plugin_id":"com.example.key-broker","name":"key-broker","version":"0.1.0","#,
                r#""plugin_family":"infrastructure","abi_version":1,"capabilities":["#,
                r#"{"capability":"clock","scope":null,"required":true,"description":null},"#,
                r#"{"capability":"random","scope":null,"required":true,"description":null},"#,
                r#"{"capability":"crypto_key_agreement","scope":"p-256","required":true,"description":null}"#,
                r#"],"methods":0}"#
            )
        );
        let unknown = read(&build(&ManifestSpec {
            plugin_id: "p".into(),
            family: Some(200),
            capabilities: vec![(999, None)],
            ..ManifestSpec::default()
        }))
        .unwrap();
        assert!(unknown.to_json().contains(r#""plugin_family":200"#));
        assert!(unknown.to_json().contains(r#"{"capability":999,"#));
    }
}
