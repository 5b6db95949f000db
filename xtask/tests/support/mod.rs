//! The module fixtures of `check_module.rs` and `check_plg.rs`: a portable
//! module carrying a `$PLG` from `plg::build` in its `sds.manifest` section
//! and behind its accessor exports, and the helpers that vary it.
#![allow(dead_code)] // each test crate uses its own part

use sdn_pdk_schemas::plg::{
    self, CapabilitySpec, MethodSpec, PlgSpec, PortSpec, TypeSetSpec, TypeSpec, drain_policy,
    surface,
};
use xtask::check::{self, Finding, Severity};

/// A portable module: two portable imports, the invoke exports, the
/// manifest accessors. `{section}` becomes the `sds.manifest` section(s),
/// `{data}` the manifest bytes at 2048 and `{len}` their length.
pub const GOOD: &str = r#"
(module
  {section}
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "space_data_module_host" "call" (func (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 17)
  (data (i32.const 2048) {data})
  (func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const 2048)
  (func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {len})
  (func (export "plugin_alloc") (param i32) (result i32) i32.const 0)
  (func (export "plugin_free") (param i32 i32))
  (func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0)
)
"#;

/// The `_start` export, added by the command-surface fixtures.
pub const START: &str = r#"(func (export "_start"))"#;

pub fn omm() -> TypeSpec {
    TypeSpec {
        schema_name: "OMM.fbs".into(),
        file_identifier: "$OMM".into(),
        root_type: "OMM".into(),
        ..TypeSpec::default()
    }
}

pub fn port(id: &str) -> PortSpec {
    PortSpec {
        port_id: id.into(),
        display_name: None,
        type_sets: vec![TypeSetSpec {
            set_id: Some("omm".into()),
            allowed_types: vec![omm()],
            allowed_wire_formats: Vec::new(),
            description: None,
        }],
        min_streams: 1,
        max_streams: 1,
        required: true,
        description: None,
    }
}

pub fn capability(name: &str) -> CapabilitySpec {
    CapabilitySpec {
        name: name.into(),
        kind: None,
        required: true,
    }
}

/// A manifest the module SDK's validator accepts.
pub fn spec() -> PlgSpec {
    PlgSpec {
        plugin_id: "com.example.fixture".into(),
        name: "fixture".into(),
        version: "1.0.0".into(),
        plugin_type: plg::plugin_type("analysis"),
        abi_version: 1,
        capabilities: vec![capability("clock")],
        methods: vec![MethodSpec {
            method_id: "echo".into(),
            display_name: None,
            inputs: vec![port("request")],
            outputs: vec![port("response")],
            max_batch: 1,
            drain_policy: drain_policy::DRAIN_UNTIL_YIELD,
            description: None,
        }],
        invoke_surfaces: vec![surface::DIRECT],
        runtime_targets: vec!["node".into(), "server".into()],
        ..PlgSpec::default()
    }
}

/// `bytes` as a WAT string literal.
pub fn literal(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `GOOD` with `sections` as its `sds.manifest` sections, `data` behind the
/// accessors, and each `(from, to)` edit applied (each `from` must occur).
pub fn module_with(sections: &[&[u8]], data: &[u8], edits: &[(&str, &str)]) -> Vec<u8> {
    let mut text = GOOD.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    let section: Vec<String> = sections
        .iter()
        .map(|s| format!("(@custom \"sds.manifest\" {})", literal(s)))
        .collect();
    let text = text
        .replace("{section}", &section.join("\n  "))
        .replace("{data}", &literal(data))
        .replace("{len}", &data.len().to_string());
    wat::parse_str(&text).expect("fixture WAT")
}

/// `GOOD` carrying `spec`'s `$PLG` in both places, with `edits`.
pub fn module(spec: &PlgSpec, edits: &[(&str, &str)]) -> Vec<u8> {
    let manifest = plg::build(spec);
    module_with(&[&manifest], &manifest, edits)
}

/// `GOOD` with one more line inside the module, and `spec`'s manifest.
pub fn with_line(spec: &PlgSpec, line: &str) -> Vec<u8> {
    module(
        spec,
        &[("(memory (export", &format!("{line}\n  (memory (export"))],
    )
}

pub fn messages(findings: &[Finding], severity: Severity) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.message.as_str())
        .collect()
}

/// The one error in `findings` (failing if there is not exactly one).
pub fn only_error(findings: &[Finding]) -> &str {
    let errors = messages(findings, Severity::Error);
    assert_eq!(errors.len(), 1, "expected one error, got {findings:#?}");
    errors[0]
}

pub fn only_error_of(bytes: &[u8]) -> String {
    only_error(&check::check_module(bytes)).to_owned()
}
