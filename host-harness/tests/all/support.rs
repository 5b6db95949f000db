//! The real plugins these tests load: the examples (`target/plugins/`) and
//! the harness's test plugins (`target/test-plugins/`), built through the
//! xtask library once per test process, so `cargo test` works on a fresh
//! clone with no earlier step. Later calls return the cached paths; a failed
//! build fails every test that needs it with the build's error.
//!
//! Also here: what a module imports and exports (read with wasmparser), and
//! the rule that every example has a test module in this binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use host_harness::{Plugin, PluginBuilder};
use wasmparser::{ExternalKind, Parser, Payload};
use xtask::build_examples::{self, BuiltPlugin};

type Built = Result<BTreeMap<String, PathBuf>, String>;

fn paths(built: anyhow::Result<Vec<BuiltPlugin>>) -> Built {
    built
        .map(|plugins| plugins.into_iter().map(|p| (p.name, p.path)).collect())
        .map_err(|e| format!("{e:#}"))
}

fn find(built: &'static Built, what: &str, name: &str) -> PathBuf {
    match built {
        Ok(plugins) => plugins
            .get(name)
            .unwrap_or_else(|| panic!("no {what} called `{name}` was built: {plugins:?}"))
            .clone(),
        Err(e) => panic!("building the {what}s failed: {e}"),
    }
}

/// `target/plugins/<name>.wasm`, built (all examples at once) on first use.
pub fn example_path(name: &str) -> PathBuf {
    static EXAMPLES: OnceLock<Built> = OnceLock::new();
    let built = EXAMPLES.get_or_init(|| paths(build_examples::run()));
    let path = find(built, "example", name);
    assert_eq!(path, build_examples::plugin_path(name));
    path
}

/// `target/test-plugins/<package>.wasm`, built (all of them) on first use.
pub fn test_plugin_path(package: &str) -> PathBuf {
    static TEST_PLUGINS: OnceLock<Built> = OnceLock::new();
    let built = TEST_PLUGINS.get_or_init(|| paths(build_examples::build_test_plugins()));
    find(built, "test plugin", package)
}

/// The `$OMM` type ref (schema `OMM.fbs`, root `OMM`) the module examples'
/// ports declare.
pub const OMM_TYPE: sdn_pdk_schemas::piv::TypeRef<'static> = sdn_pdk_schemas::piv::TypeRef {
    schema_name: "OMM.fbs",
    file_identifier: "$OMM",
    schema_version: "",
    root_type: "OMM",
    schema_hash: &[],
    accepts_any_flatbuffer: false,
    wire_format: 0,
    fixed_string_length: 0,
    byte_length: 0,
    required_alignment: 0,
};

/// The bytes of a built plugin.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Loads an example with the given options.
pub fn load_example(name: &str, builder: PluginBuilder) -> Plugin {
    let path = example_path(name);
    builder
        .load_file(&path)
        .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
}

/// What a module imports (`module.name`) and exports (name, kind).
#[derive(Debug, Default)]
pub struct Interface {
    pub imports: Vec<(String, String)>,
    pub exports: Vec<(String, ExternalKind)>,
}

impl Interface {
    pub fn of(bytes: &[u8]) -> Interface {
        let mut interface = Interface::default();
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.expect("a well-formed module") {
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.expect("a well-formed import");
                        interface
                            .imports
                            .push((import.module.to_owned(), import.name.to_owned()));
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.expect("a well-formed export");
                        interface
                            .exports
                            .push((export.name.to_owned(), export.kind));
                    }
                }
                _ => {}
            }
        }
        interface
    }

    /// The export names, sorted.
    pub fn export_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.exports.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// Asserts that every import is from the server's `sdn` module: no WASI
    /// (whose randomness and clocks are fakes on the server), no `env`.
    pub fn assert_imports_only_sdn(&self) {
        assert!(
            self.imports.iter().all(|(module, _)| module == "sdn"),
            "imports outside `sdn`: {:?}",
            self.imports
        );
        for (_, name) in &self.imports {
            assert!(
                ["clock_now_ms", "random_bytes", "log"].contains(&name.as_str()),
                "unknown sdn import `{name}`"
            );
        }
    }
}

/// The export set every example must have, exactly: the memory, the
/// allocator and the five `plugin_*` calls (plus a tolerated `_initialize`).
pub fn assert_plugin_exports(interface: &Interface) {
    assert_plugin_exports_with(interface, &[]);
}

/// [`assert_plugin_exports`] plus the `extra` exports a plugin opted into
/// (such as the two manifest accessors).
pub fn assert_plugin_exports_with(interface: &Interface, extra: &[&str]) {
    let mut names = interface.export_names();
    names.retain(|&n| n != "_initialize");
    let mut expected = vec![
        "free",
        "malloc",
        "memory",
        "plugin_get_metadata",
        "plugin_get_public_key",
        "plugin_handle_request",
        "plugin_init",
        "plugin_request_challenge",
    ];
    expected.extend_from_slice(extra);
    expected.sort_unstable();
    assert_eq!(names, expected);
    for (name, kind) in &interface.exports {
        let expected = if name == "memory" {
            ExternalKind::Memory
        } else {
            ExternalKind::Func
        };
        assert_eq!(*kind, expected, "export `{name}`");
    }
}

/// A test of a real plugin belongs to its example: one module per example,
/// `tests/all/example_<lib name>.rs`, listed in `main.rs`.
#[test]
fn every_example_has_a_harness_test_module() {
    let examples = build_examples::examples().expect("listing examples/");
    assert!(!examples.is_empty(), "no examples found");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("all");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("reading tests/all/main.rs");
    let mut missing = Vec::new();
    for example in &examples {
        let module = format!("example_{}", example.lib_name);
        let declared = main.lines().any(|l| l.trim() == format!("mod {module};"));
        if !dir.join(format!("{module}.rs")).is_file() || !declared {
            missing.push(format!(
                "examples/{} needs host-harness/tests/all/{module}.rs and `mod {module};` in main.rs",
                example.package
            ));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
