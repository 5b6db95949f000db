//! The legacy manifest rules of `check`: the `sds.manifest` custom section
//! holds a `PluginManifest` FlatBuffer (`PMAN`) that passes the FlatBuffers
//! verifier, names the plugin, declares the host capabilities the module's
//! imports use, and, when the module also exports the manifest accessors,
//! equals what they return.
//!
//! The reading is shared with the module rules (`check/module.rs`, whose
//! `$PLG` sits in the same section behind the same accessors): [`parts`],
//! [`one_section`], [`resolve_accessors`] and [`compare_with_section`].
//!
//! xtask has no wasm runtime, so the accessors are evaluated statically: a
//! body that is exactly `i32.const X` is a constant, and the bytes at X are
//! read from the active data segments. Anything else is a warning that the
//! accessors could not be verified.

use sdn_pdk_schemas::capability;
use sdn_pdk_schemas::manifest::{self, CUSTOM_SECTION, EXPORT_POINTER, EXPORT_SIZE};
use wasmparser::{DataKind, ExternalKind, FunctionBody, Operator, Parser, Payload, ValType};

use crate::Finding;
use crate::legacy::HOST_MODULES;
use crate::parsed::Module;

/// Which capability each host import needs (in `sdn` or `env`).
const IMPORT_CAPABILITIES: &[(&str, u16)] = &[
    ("clock_now_ms", capability::CLOCK),
    ("random_bytes", capability::RANDOM),
    ("log", capability::LOGGING),
];

/// What the manifest rules need from the module beyond [`Module`].
#[derive(Default)]
pub(super) struct Parts<'a> {
    /// Every `sds.manifest` section's contents.
    pub(super) sections: Vec<&'a [u8]>,
    /// Defined function bodies, in index order.
    bodies: Vec<FunctionBody<'a>>,
    /// Active data segments of memory 0: constant offset (`None` when not a
    /// plain `i32.const`) and bytes.
    data: Vec<(Option<u32>, &'a [u8])>,
}

/// The `sds.manifest` sections, function bodies and data segments of `bytes`.
pub(super) fn parts(bytes: &[u8]) -> Result<Parts<'_>, wasmparser::BinaryReaderError> {
    let mut parts = Parts::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::CustomSection(section) if section.name() == CUSTOM_SECTION => {
                parts.sections.push(section.data());
            }
            Payload::CodeSectionEntry(body) => parts.bodies.push(body),
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    if let DataKind::Active {
                        memory_index: 0,
                        offset_expr,
                    } = data.kind
                    {
                        let mut ops = offset_expr.get_operators_reader();
                        let offset = match (ops.read(), ops.read()) {
                            (Ok(Operator::I32Const { value }), Ok(Operator::End)) => {
                                Some(value.cast_unsigned())
                            }
                            _ => None,
                        };
                        parts.data.push((offset, data.data));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(parts)
}

/// The manifest rules (see the module docs).
pub(super) fn check_manifest(bytes: &[u8], module: &Module, findings: &mut Vec<Finding>) {
    let parts = match parts(bytes) {
        Ok(parts) => parts,
        Err(e) => {
            findings.push(Finding::error(format!("is not a well-formed module: {e}")));
            return;
        }
    };
    let Some(section) = one_section(
        &parts,
        "every plugin carries its PluginManifest there (#[sdn_plugin] embeds it)",
        findings,
    ) else {
        return;
    };
    let read = match manifest::read(section) {
        Ok(read) => read,
        Err(sdn_pdk_schemas::Error::WrongIdentifier { expected }) => {
            findings.push(Finding::error(format!(
                "`{CUSTOM_SECTION}` is not a PluginManifest: its file identifier is {}, \
                 not {expected}",
                identifier(section)
            )));
            return;
        }
        Err(e) => {
            findings.push(Finding::error(format!(
                "`{CUSTOM_SECTION}` fails the FlatBuffers verifier: {e}"
            )));
            return;
        }
    };
    if read.plugin_id.is_empty() {
        findings.push(Finding::error(format!(
            "`{CUSTOM_SECTION}` has an empty plugin_id"
        )));
    }
    check_capabilities(module, &read, findings);
    match resolve_accessors(module, &parts, findings) {
        Accessors::Resolved { pointer, size } => {
            compare_with_section(&parts, section, pointer, size, findings);
        }
        Accessors::Absent | Accessors::Reported => {}
    }
}

/// The one `sds.manifest` section; none or several are an error (`why`
/// ends the message for none: what the section is for).
pub(super) fn one_section<'a>(
    parts: &Parts<'a>,
    why: &str,
    findings: &mut Vec<Finding>,
) -> Option<&'a [u8]> {
    match parts.sections.as_slice() {
        [] => {
            findings.push(Finding::error(format!(
                "has no `{CUSTOM_SECTION}` custom section — {why}"
            )));
            None
        }
        [one] => Some(*one),
        many => {
            findings.push(Finding::error(format!(
                "has {} `{CUSTOM_SECTION}` custom sections — readers take one manifest",
                many.len()
            )));
            None
        }
    }
}

/// Bytes 4..8 for a message: `"PMAN"`, or `none` for a short buffer.
pub(super) fn identifier(bytes: &[u8]) -> String {
    bytes.get(4..8).map_or_else(
        || "missing (fewer than 8 bytes)".to_owned(),
        |id| format!("{:?}", String::from_utf8_lossy(id)),
    )
}

/// Each host import the module uses needs its capability declared.
fn check_capabilities(module: &Module, read: &manifest::Manifest, findings: &mut Vec<Finding>) {
    let mut reported = Vec::new();
    for import in &module.imports {
        if !HOST_MODULES.contains(&import.module.as_str()) {
            continue;
        }
        let Some(&(_, kind)) = IMPORT_CAPABILITIES
            .iter()
            .find(|(name, _)| *name == import.name)
        else {
            continue;
        };
        if read.declares(kind) || reported.contains(&kind) {
            continue;
        }
        reported.push(kind);
        let name = capability::name(kind).unwrap_or("?");
        findings.push(Finding::warning(format!(
            "imports {}.{} but the manifest does not declare the `{name}` capability — \
             add it to #[sdn_plugin(capabilities(...))]",
            import.module, import.name
        )));
    }
}

/// What [`resolve_accessors`] found.
pub(super) enum Accessors {
    /// Neither accessor is exported.
    Absent,
    /// Both are `() -> i32` functions returning these constants.
    Resolved {
        /// What `plugin_get_manifest_flatbuffer` returns.
        pointer: u32,
        /// What `plugin_get_manifest_flatbuffer_size` returns.
        size: u32,
    },
    /// Something is wrong or unverifiable, and a finding says what.
    Reported,
}

/// The accessor exports' constant results, if both are exported.
pub(super) fn resolve_accessors(
    module: &Module,
    parts: &Parts<'_>,
    findings: &mut Vec<Finding>,
) -> Accessors {
    let pointer = module.export(EXPORT_POINTER);
    let size = module.export(EXPORT_SIZE);
    let (pointer, size) = match (pointer, size) {
        (None, None) => return Accessors::Absent,
        (Some(p), Some(s)) => (p, s),
        (Some(_), None) | (None, Some(_)) => {
            let (has, lacks) = if pointer.is_some() {
                (EXPORT_POINTER, EXPORT_SIZE)
            } else {
                (EXPORT_SIZE, EXPORT_POINTER)
            };
            findings.push(Finding::error(format!(
                "exports {has} without {lacks} — export both manifest accessors or neither"
            )));
            return Accessors::Reported;
        }
    };
    let mut values = [0u32; 2];
    for (export, value) in [pointer, size].into_iter().zip(&mut values) {
        if !matches!(export.kind, ExternalKind::Func | ExternalKind::FuncExact)
            || module
                .func_type(export.index)
                .is_none_or(|t| !t.params().is_empty() || t.results() != [ValType::I32])
        {
            findings.push(Finding::error(format!(
                "exports {} but not as a function () -> i32",
                export.name
            )));
            return Accessors::Reported;
        }
        let body = export
            .index
            .checked_sub(module.imported_funcs)
            .and_then(|i| parts.bodies.get(usize::try_from(i).ok()?));
        match body.and_then(constant) {
            Some(v) => *value = v,
            None => {
                findings.push(could_not_verify(
                    &export.name,
                    "its body is not `i32.const X`",
                ));
                return Accessors::Reported;
            }
        }
    }
    let [pointer, size] = values;
    Accessors::Resolved { pointer, size }
}

/// The `size` bytes at `pointer` in the initial memory are `section`.
pub(super) fn compare_with_section(
    parts: &Parts<'_>,
    section: &[u8],
    pointer: u32,
    size: u32,
    findings: &mut Vec<Finding>,
) {
    if usize::try_from(size).ok() != Some(section.len()) {
        findings.push(Finding::error(format!(
            "{EXPORT_SIZE} returns {size} but the `{CUSTOM_SECTION}` section has {} bytes",
            section.len()
        )));
        return;
    }
    match memory_bytes(&parts.data, pointer, section.len()) {
        Some(bytes) if bytes == section => {}
        Some(_) => findings.push(Finding::error(format!(
            "{EXPORT_POINTER} points at {size} bytes (at {pointer:#x}) that differ from the \
             `{CUSTOM_SECTION}` section"
        ))),
        None => findings.push(could_not_verify(
            EXPORT_POINTER,
            "a data segment has a non-constant offset",
        )),
    }
}

/// The `size` bytes at `pointer` in the initial memory, when every data
/// segment has a constant offset (what the accessors return, statically).
pub(super) fn accessor_bytes(parts: &Parts<'_>, pointer: u32, size: u32) -> Option<Vec<u8>> {
    memory_bytes(&parts.data, pointer, usize::try_from(size).ok()?)
}

fn could_not_verify(export: &str, why: &str) -> Finding {
    Finding::warning(format!(
        "could not verify the manifest accessors statically ({export}: {why})"
    ))
}

/// `X` when the body is exactly `i32.const X` (no locals).
fn constant(body: &FunctionBody<'_>) -> Option<u32> {
    if body.get_locals_reader().ok()?.get_count() != 0 {
        return None;
    }
    let mut ops = body.get_operators_reader().ok()?;
    let value = match ops.read().ok()? {
        Operator::I32Const { value } => value.cast_unsigned(),
        _ => return None,
    };
    matches!(ops.read().ok()?, Operator::End).then_some(())?;
    ops.eof().then_some(value)
}

/// The initial memory's bytes `[at, at + len)`: zeros overlaid with every
/// active data segment in order. `None` when a segment's offset is not a
/// constant (its placement is unknown statically).
fn memory_bytes(data: &[(Option<u32>, &[u8])], at: u32, len: usize) -> Option<Vec<u8>> {
    let start = u64::from(at);
    let end = start + len as u64;
    let mut image = vec![0u8; len];
    for &(offset, bytes) in data {
        let seg_start = u64::from(offset?);
        let seg_end = seg_start + bytes.len() as u64;
        let (from, to) = (seg_start.max(start), seg_end.min(end));
        if from < to {
            let dst = usize::try_from(from - start).ok()?..usize::try_from(to - start).ok()?;
            let src =
                usize::try_from(from - seg_start).ok()?..usize::try_from(to - seg_start).ok()?;
            image[dst].copy_from_slice(&bytes[src]);
        }
    }
    Some(image)
}

#[cfg(test)]
mod tests {
    use crate::{Severity, check_module};
    use sdn_pdk_schemas::manifest::{ManifestSpec, build};

    /// A plugin that imports the clock and `log` (through `env`), with the
    /// required exports and nothing else; `{manifest}` and `{extra}` are
    /// filled in per test.
    const PLUGIN: &str = r#"
(module
  (import "sdn" "clock_now_ms" (func (result i64)))
  (import "env" "log" (func (param i32 i32 i32)))
  (memory (export "memory") 17)
  (func (export "malloc") (param i32) (result i32) i32.const 0)
  (func (export "free") (param i32))
  (func (export "plugin_init") (param i32 i32) (result i32) i32.const 0)
  (func (export "plugin_get_public_key") (param i32 i32) (result i32) i32.const 0)
  (func (export "plugin_get_metadata") (param i32 i32) (result i32) i32.const 0)
  (func (export "plugin_handle_request") (param i32 i32 i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "plugin_request_challenge") (param i32 i32 i32 i32 i32) (result i32) i32.const 0)
  {extra}
  {manifest}
)
"#;

    fn spec(capabilities: &[u16]) -> ManifestSpec {
        ManifestSpec {
            plugin_id: "com.example.fixture".into(),
            name: "fixture".into(),
            version: "1.0.0".into(),
            capabilities: capabilities.iter().map(|&k| (k, None)).collect(),
            ..ManifestSpec::default()
        }
    }

    /// `bytes` as a WAT string literal.
    fn literal(bytes: &[u8]) -> String {
        let mut s = String::from("\"");
        for b in bytes {
            s.push_str(&format!("\\{b:02x}"));
        }
        s.push('"');
        s
    }

    fn custom(bytes: &[u8]) -> String {
        format!("(@custom \"sds.manifest\" {})", literal(bytes))
    }

    /// Accessor exports returning `pointer` and `size`, with `data` at
    /// `pointer` in memory.
    fn accessors(pointer: u32, size: usize, data: &[u8]) -> String {
        format!(
            r#"(data (i32.const {pointer}) {})
  (func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const {pointer})
  (func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {size})"#,
            literal(data)
        )
    }

    fn module(manifest: &str, extra: &str) -> Vec<u8> {
        let text = PLUGIN
            .replace("{manifest}", manifest)
            .replace("{extra}", extra);
        wat::parse_str(&text).expect("fixture WAT")
    }

    fn findings(bytes: &[u8]) -> Vec<(Severity, String)> {
        check_module(bytes)
            .into_iter()
            .map(|f| (f.severity, f.message))
            .collect()
    }

    const CLOCK_AND_LOGGING: &[u16] = &[
        sdn_pdk_schemas::capability::CLOCK,
        sdn_pdk_schemas::capability::LOGGING,
    ];

    #[test]
    fn a_good_manifest_passes() {
        let bytes = module(&custom(&build(&spec(CLOCK_AND_LOGGING))), "");
        assert_eq!(findings(&bytes), vec![]);
    }

    #[test]
    fn a_missing_manifest_is_an_error() {
        assert_eq!(
            findings(&module("", "")),
            vec![(
                Severity::Error,
                "has no `sds.manifest` custom section — every plugin carries its \
                 PluginManifest there (#[sdn_plugin] embeds it)"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn two_manifests_are_an_error() {
        let one = custom(&build(&spec(CLOCK_AND_LOGGING)));
        let found = findings(&module(&format!("{one}\n{one}"), ""));
        assert_eq!(
            found,
            vec![(
                Severity::Error,
                "has 2 `sds.manifest` custom sections — readers take one manifest".to_owned()
            )]
        );
    }

    #[test]
    fn a_wrong_identifier_is_an_error() {
        let mut manifest = build(&spec(CLOCK_AND_LOGGING));
        manifest[4..8].copy_from_slice(b"OBKQ");
        assert_eq!(
            findings(&module(&custom(&manifest), "")),
            vec![(
                Severity::Error,
                "`sds.manifest` is not a PluginManifest: its file identifier is \"OBKQ\", \
                 not PMAN"
                    .to_owned()
            )]
        );
        let found = findings(&module(&custom(b"PMAN"), ""));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].1.contains("missing (fewer than 8 bytes)"),
            "{found:?}"
        );
    }

    #[test]
    fn a_manifest_the_verifier_rejects_is_an_error() {
        let mut manifest = build(&spec(CLOCK_AND_LOGGING));
        manifest[0] = 0xF0; // the root offset now points past the end
        let found = findings(&module(&custom(&manifest), ""));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Error);
        assert!(
            found[0]
                .1
                .starts_with("`sds.manifest` fails the FlatBuffers verifier: "),
            "{found:?}"
        );
    }

    #[test]
    fn an_empty_plugin_id_is_an_error() {
        let mut spec = spec(CLOCK_AND_LOGGING);
        spec.plugin_id.clear();
        assert_eq!(
            findings(&module(&custom(&build(&spec)), "")),
            vec![(
                Severity::Error,
                "`sds.manifest` has an empty plugin_id".to_owned()
            )]
        );
    }

    #[test]
    fn an_undeclared_capability_is_a_warning() {
        let bytes = module(
            &custom(&build(&spec(&[sdn_pdk_schemas::capability::CLOCK]))),
            "",
        );
        assert_eq!(
            findings(&bytes),
            vec![(
                Severity::Warning,
                "imports env.log but the manifest does not declare the `logging` capability — \
                 add it to #[sdn_plugin(capabilities(...))]"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn accessors_that_agree_pass() {
        let manifest = build(&spec(CLOCK_AND_LOGGING));
        let bytes = module(
            &custom(&manifest),
            &accessors(2048, manifest.len(), &manifest),
        );
        assert_eq!(findings(&bytes), vec![]);
    }

    #[test]
    fn accessors_that_disagree_are_an_error() {
        let manifest = build(&spec(CLOCK_AND_LOGGING));
        let mut other = manifest.clone();
        let last = other.len() - 1;
        other[last] ^= 1;
        let bytes = module(&custom(&manifest), &accessors(2048, other.len(), &other));
        assert_eq!(
            findings(&bytes),
            vec![(
                Severity::Error,
                format!(
                    "plugin_get_manifest_flatbuffer points at {} bytes (at 0x800) that differ \
                     from the `sds.manifest` section",
                    manifest.len()
                )
            )]
        );

        let bytes = module(
            &custom(&manifest),
            &accessors(2048, manifest.len() - 4, &manifest),
        );
        assert_eq!(
            findings(&bytes),
            vec![(
                Severity::Error,
                format!(
                    "plugin_get_manifest_flatbuffer_size returns {} but the `sds.manifest` \
                     section has {} bytes",
                    manifest.len() - 4,
                    manifest.len()
                )
            )]
        );
    }

    #[test]
    fn one_accessor_without_the_other_is_an_error() {
        let manifest = build(&spec(CLOCK_AND_LOGGING));
        let bytes = module(
            &custom(&manifest),
            r#"(func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const 8)"#,
        );
        assert_eq!(
            findings(&bytes),
            vec![(
                Severity::Error,
                "exports plugin_get_manifest_flatbuffer without \
                 plugin_get_manifest_flatbuffer_size — export both manifest accessors or neither"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn accessors_that_compute_are_a_warning() {
        let manifest = build(&spec(CLOCK_AND_LOGGING));
        let extra = format!(
            r#"(func (export "plugin_get_manifest_flatbuffer") (result i32)
      (i32.add (i32.const 2000) (i32.const 48)))
  (func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {})"#,
            manifest.len()
        );
        assert_eq!(
            findings(&module(&custom(&manifest), &extra)),
            vec![(
                Severity::Warning,
                "could not verify the manifest accessors statically \
                 (plugin_get_manifest_flatbuffer: its body is not `i32.const X`)"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn segments_overlay_zeroed_memory_in_order() {
        let data: &[(Option<u32>, &[u8])] = &[(Some(10), b"abcdef"), (Some(12), b"XY")];
        assert_eq!(
            super::memory_bytes(data, 8, 10),
            Some(b"\0\0abXYef\0\0".to_vec())
        );
        assert_eq!(super::memory_bytes(&[(None, b"a")], 0, 1), None);
    }
}
