//! The manifest as a module carries it (`host_harness::manifest`) and the
//! `host-harness inspect` command.

use std::path::PathBuf;
use std::process::{Command, Output};

use host_harness::manifest::{checked_manifest, read_manifest};
use host_harness::{HarnessError, Plugin};
use sdn_pdk_schemas::{capability, manifest};
use serde_json::Value;

use crate::fixture::Wat;
use crate::support;

fn spec() -> manifest::ManifestSpec {
    manifest::ManifestSpec {
        plugin_id: "com.example.fixture".into(),
        name: "fixture".into(),
        version: "1.2.3".into(),
        capabilities: vec![(capability::CLOCK, None), (capability::LOGGING, None)],
        ..manifest::ManifestSpec::default()
    }
}

/// `bytes` as a WAT string literal.
fn literal(bytes: &[u8]) -> String {
    let escaped: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    format!("\"{escaped}\"")
}

/// The fixture echo plugin with `section` as its `sds.manifest` (if any) and
/// accessor exports returning `exported` (if any) from address 0x8000.
fn plugin(section: Option<&[u8]>, exported: Option<&[u8]>) -> Wat {
    Wat::echo().with(|w| {
        if let Some(section) = section {
            w.extra.push_str(&format!(
                "(@custom \"sds.manifest\" {})\n",
                literal(section)
            ));
        }
        if let Some(exported) = exported {
            w.extra.push_str(&format!(
                r#"(data (i32.const 0x8000) {})
  (func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const 0x8000)
  (func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {})
"#,
                literal(exported),
                exported.len()
            ));
        }
    })
}

// ------------------------------------------------------------ the library

#[test]
fn read_manifest_finds_the_custom_section() {
    let bytes = manifest::build(&spec());
    let wat = plugin(Some(&bytes), None).text();
    assert_eq!(read_manifest(wat.as_bytes()), Ok(Some(bytes.clone())));
    let binary = wat::parse_str(&wat).unwrap();
    assert_eq!(read_manifest(&binary), Ok(Some(bytes)));
    assert_eq!(read_manifest(Wat::echo().text().as_bytes()), Ok(None));
    assert!(matches!(
        read_manifest(b"\0asm\x01\0\0\0\x99"),
        Err(HarnessError::Compile { .. })
    ));
}

#[test]
fn two_manifest_sections_are_an_error() {
    let bytes = manifest::build(&spec());
    let wat = plugin(Some(&bytes), None).with(|w| {
        w.extra
            .push_str(&format!("(@custom \"sds.manifest\" {})", literal(&bytes)))
    });
    assert!(matches!(
        read_manifest(wat.text().as_bytes()),
        Err(HarnessError::InvalidInput { .. })
    ));
}

#[test]
fn exported_manifest_calls_both_accessors() {
    let bytes = manifest::build(&spec());
    let mut with = plugin(None, Some(&bytes)).load().unwrap();
    assert_eq!(with.exported_manifest(), Ok(Some(bytes)));
    let mut without = Wat::echo().load().unwrap();
    assert_eq!(without.exported_manifest(), Ok(None));
    let only_one = Wat::echo().with(|w| {
        w.extra =
            r#"(func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const 8)"#.into();
    });
    assert!(matches!(
        only_one.load().unwrap().exported_manifest(),
        Err(HarnessError::InvalidInput { message }) if message.contains("plugin_get_manifest_flatbuffer_size")
    ));
}

#[test]
fn checked_manifest_wants_the_section_and_the_exports_to_agree() {
    let bytes = manifest::build(&spec());
    let check = |wat: &Wat| {
        let text = wat.text();
        let mut plugin = Plugin::load(&text).unwrap();
        checked_manifest(text.as_bytes(), &mut plugin)
    };
    assert_eq!(check(&plugin(Some(&bytes), None)), Ok(Some(bytes.clone())));
    assert_eq!(
        check(&plugin(Some(&bytes), Some(&bytes))),
        Ok(Some(bytes.clone()))
    );
    assert_eq!(check(&plugin(None, None)), Ok(None));
    let mut other = bytes.clone();
    other[20] ^= 0xff;
    for (what, wat) in [
        ("different bytes", plugin(Some(&bytes), Some(&other))),
        (
            "shorter",
            plugin(Some(&bytes), Some(&bytes[..bytes.len() - 1])),
        ),
        ("exports without a section", plugin(None, Some(&bytes))),
    ] {
        assert!(
            matches!(check(&wat), Err(HarnessError::InvalidInput { .. })),
            "{what}"
        );
    }
}

// ------------------------------------------------------------ the command

fn inspect(path: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["inspect", path])
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn one_line_failure(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

fn fixture_file(name: &str, wat: &Wat) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("host-harness-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.wat"));
    std::fs::write(&path, wat.text()).unwrap();
    path
}

#[test]
fn inspect_prints_the_key_brokers_manifest_exports_imports_and_size() {
    let path = support::example_path("key-broker");
    let report = json(&inspect(path.to_str().unwrap()));
    let manifest = &report["manifest"];
    assert_eq!(manifest["plugin_id"], "key-broker");
    assert_eq!(manifest["abi_version"], 1);
    let capabilities: Vec<&str> = manifest["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["capability"].as_str().unwrap())
        .collect();
    for needed in ["clock", "random", "logging"] {
        assert!(capabilities.contains(&needed), "{capabilities:?}");
    }
    // The key broker exports the accessors: they were called and agreed.
    assert_eq!(
        report["manifest_source"],
        "sds.manifest section = accessor exports"
    );
    assert_eq!(
        report["size"].as_u64(),
        Some(std::fs::metadata(&path).unwrap().len())
    );
    let exports = report["exports"].as_array().unwrap();
    assert!(exports.iter().any(|e| e["name"] == "plugin_handle_request"
        && e["signature"] == "(i32, i32, i32, i32, i32, i32) -> i32"));
    let imports = report["imports"].as_array().unwrap();
    assert!(
        imports
            .iter()
            .any(|i| i["module"] == "sdn" && i["name"] == "clock_now_ms")
    );
}

#[test]
fn inspect_without_a_manifest_prints_null() {
    let path = fixture_file("none", &Wat::echo());
    let report = json(&inspect(path.to_str().unwrap()));
    assert_eq!(report["manifest"], Value::Null);
    assert_eq!(report["manifest_source"], Value::Null);
    assert_eq!(report["imports"].as_array().unwrap().len(), 3);
}

#[test]
fn inspect_fails_on_disagreeing_accessors_and_bad_manifests() {
    let bytes = manifest::build(&spec());
    let mut other = bytes.clone();
    other[20] ^= 0xff;
    let disagree = fixture_file("disagree", &plugin(Some(&bytes), Some(&other)));
    let stderr = one_line_failure(&inspect(disagree.to_str().unwrap()));
    assert!(stderr.contains("differ"), "{stderr}");

    let mut wrong_id = bytes.clone();
    wrong_id[4..8].copy_from_slice(b"OBKQ");
    let wrong = fixture_file("wrong-id", &plugin(Some(&wrong_id), None));
    let stderr = one_line_failure(&inspect(wrong.to_str().unwrap()));
    assert!(stderr.contains("PMAN"), "{stderr}");

    one_line_failure(&inspect("/nonexistent.wasm"));
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["inspect"])
        .output()
        .unwrap();
    one_line_failure(&out);
}
