//! `host-harness inspect PLUGIN.wasm|MODULE.wasm`: the manifest, imports,
//! exports and size of a legacy plugin or a module, as JSON.

use anyhow::{Context as _, Result, anyhow, bail};
use host_harness::module::{Module, ModuleOptions};
use host_harness::{HostRevision, Plugin, manifest};
use sdn_pdk_schemas::hosts::manifest_identifiers;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use wasmparser::{CompositeInnerType, ExternalKind, FuncType, Parser, Payload, TypeRef};

use crate::plugin_flags;

pub const USAGE: &str = "\
usage: host-harness inspect PLUGIN.wasm|MODULE.wasm [--revision REV]

Prints, as JSON, the kind (\"plugin\" or \"module\"), the manifest, its
imports and exports with their signatures, and its size in bytes.

The manifest of a legacy plugin is its `sds.manifest` custom section, a
PluginManifest FlatBuffer (PMAN) verified and read; null when there is none.
A module (it exports plugin_invoke_stream, or its section is a $PLG) has a
$PLG, printed in the module SDK's manifest.json vocabulary. When the
artifact exports plugin_get_manifest_flatbuffer and
plugin_get_manifest_flatbuffer_size, it is loaded (a module on the server,
its own digest approved) and they are called: their bytes must equal the
section's, or inspect fails.

options:
  --revision REV        host revision to load a legacy plugin with:
                        original | challenge (default: challenge)
  -h, --help            this text";

/// The parsed command line of `inspect`.
#[derive(Debug)]
pub struct InspectArgs {
    plugin: String,
    revision: HostRevision,
}

/// `None` for `--help`.
pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<InspectArgs>> {
    let mut plugin = None;
    let mut revision = HostRevision::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--revision" => {
                let value = args
                    .next()
                    .ok_or_else(|| anyhow!("--revision needs a value"))?;
                revision = plugin_flags::revision(&value)?;
            }
            flag if flag.starts_with('-') => bail!("unknown option `{flag}` (try --help)"),
            path => plugin_flags::set_plugin_path(&mut plugin, path)?,
        }
    }
    Ok(Some(InspectArgs {
        plugin: plugin.ok_or_else(|| anyhow!("no plugin given (try --help)"))?,
        revision,
    }))
}

pub fn run(args: &InspectArgs) -> Result<()> {
    let bytes =
        std::fs::read(&args.plugin).with_context(|| format!("cannot read {}", args.plugin))?;
    let report = inspect(&bytes, args.revision).with_context(|| args.plugin.clone())?;
    out!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}

fn inspect(bytes: &[u8], revision: HostRevision) -> Result<Value> {
    let wasm = wat::parse_bytes(bytes).map_err(|e| anyhow!("invalid module: {e}"))?;
    let (imports, exports) = interface(&wasm)?;
    let section = manifest::read_manifest(&wasm)?;
    let plg_section = section
        .as_deref()
        .and_then(|s| s.get(4..8))
        .is_some_and(|id| id == manifest_identifiers::PLG.as_bytes());
    if plg_section || crate::artifact::is_module(&wasm)? {
        return inspect_module(&wasm, section, imports, exports);
    }
    let has_accessors = exports.iter().any(|e| {
        let name = e["name"].as_str();
        name == Some(sdn_pdk_schemas::manifest::EXPORT_POINTER)
            || name == Some(sdn_pdk_schemas::manifest::EXPORT_SIZE)
    });
    let (bytes_of_manifest, source) = if has_accessors {
        let mut plugin = Plugin::builder()
            .revision(revision)
            .load(&wasm)
            .context("cannot load the plugin to call its manifest accessors")?;
        let checked = manifest::checked_manifest(&wasm, &mut plugin)?;
        (checked, "sds.manifest section = accessor exports")
    } else {
        (manifest::read_manifest(&wasm)?, "sds.manifest section")
    };
    let manifest_json = match &bytes_of_manifest {
        Some(m) => {
            let read = sdn_pdk_schemas::manifest::read(m).context("the sds.manifest section")?;
            serde_json::from_str(&read.to_json()).context("manifest JSON")?
        }
        None => Value::Null,
    };
    Ok(json!({
        "kind": "plugin",
        "size": wasm.len(),
        "manifest": manifest_json,
        "manifest_source": if bytes_of_manifest.is_some() { Value::from(source) } else { Value::Null },
        "manifest_size": bytes_of_manifest.as_ref().map(Vec::len),
        "imports": imports,
        "exports": exports,
    }))
}

/// [`inspect`] of a module: its `$PLG`, checked against the accessors when
/// it exports them.
fn inspect_module(
    wasm: &[u8],
    section: Option<Vec<u8>>,
    imports: Vec<Value>,
    exports: Vec<Value>,
) -> Result<Value> {
    let has_accessors = exports.iter().any(|e| {
        let name = e["name"].as_str();
        name == Some(sdn_pdk_schemas::manifest::EXPORT_POINTER)
            || name == Some(sdn_pdk_schemas::manifest::EXPORT_SIZE)
    });
    let (bytes, source) = if has_accessors {
        // The server reads the accessors; approve the module's own digest so
        // that a sensitive capability does not stop the inspection.
        let options = ModuleOptions {
            approved_sha256: vec![Sha256::digest(wasm).into()],
            ..ModuleOptions::server()
        };
        let module = Module::load(wasm, &options)
            .context("cannot load the module to call its manifest accessors")?;
        let exported = module.manifest().map(<[u8]>::to_vec);
        match (&section, exported) {
            (Some(section), Some(exported)) if *section != exported => bail!(
                "the accessor exports return {} bytes that differ from the {}-byte \
                 sds.manifest section",
                exported.len(),
                section.len()
            ),
            (Some(section), Some(_)) => {
                (section.clone(), "sds.manifest section = accessor exports")
            }
            (None, Some(exported)) => (exported, "accessor exports"),
            (_, None) => bail!("the module has accessor exports but no manifest"),
        }
    } else {
        let section = section.ok_or_else(|| anyhow!("the module has no manifest"))?;
        (section, "sds.manifest section")
    };
    if bytes.get(4..8) != Some(manifest_identifiers::PLG.as_bytes()) {
        bail!("the module's manifest is not a $PLG");
    }
    let spec = sdn_pdk_schemas::plg::read(&bytes).context("the $PLG manifest")?;
    let manifest_json: Value =
        serde_json::from_str(&sdn_pdk_schemas::plg::to_json(&spec)).context("manifest JSON")?;
    Ok(json!({
        "kind": "module",
        "size": wasm.len(),
        "sha256": crate::hex(&Sha256::digest(wasm)),
        "manifest": manifest_json,
        "manifest_source": source,
        "manifest_size": bytes.len(),
        "imports": imports,
        "exports": exports,
    }))
}

/// The imports (module, name, kind, signature) and exports (name, kind,
/// signature) of a binary module.
fn interface(wasm: &[u8]) -> Result<(Vec<Value>, Vec<Value>)> {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let signature = |types: &[Option<FuncType>], ty: u32| -> Value {
        match types.get(ty as usize) {
            Some(Some(f)) => Value::from(render(f)),
            _ => Value::Null,
        }
    };
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.context("malformed wasm")? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        types.push(match sub.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    let (kind, sig) = match import.ty {
                        TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                            func_types.push(ty);
                            ("func", signature(&types, ty))
                        }
                        TypeRef::Table(_) => ("table", Value::Null),
                        TypeRef::Memory(_) => ("memory", Value::Null),
                        TypeRef::Global(_) => ("global", Value::Null),
                        TypeRef::Tag(_) => ("tag", Value::Null),
                    };
                    imports.push(json!({
                        "module": import.module,
                        "name": import.name,
                        "kind": kind,
                        "signature": sig,
                    }));
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    func_types.push(ty?);
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let (kind, sig) = match export.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => (
                            "func",
                            func_types
                                .get(export.index as usize)
                                .map_or(Value::Null, |&ty| signature(&types, ty)),
                        ),
                        ExternalKind::Table => ("table", Value::Null),
                        ExternalKind::Memory => ("memory", Value::Null),
                        ExternalKind::Global => ("global", Value::Null),
                        ExternalKind::Tag => ("tag", Value::Null),
                    };
                    exports.push(json!({ "name": export.name, "kind": kind, "signature": sig }));
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

/// `(i32, i32) -> i32`, `(i32) -> ()`.
fn render(f: &FuncType) -> String {
    let list = |types: &[wasmparser::ValType]| {
        types
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match f.results() {
        [one] => format!("({}) -> {one}", list(f.params())),
        results => format!("({}) -> ({})", list(f.params()), list(results)),
    }
}
