//! The module ABI's rules (`docs/module-abi.md`): what the newest SDN server
//! (`modulert`, WasmEdge) and the module SDK's harness (Node, browser)
//! require of a module's exports, imports, memory and embedded `$PLG`
//! manifest. The manifest's own contents are judged in `check/plg_rules.rs`
//! and `check/plg_wiring.rs`.
//! Every host number comes from `sdn_pdk_schemas::hosts`.

use sdn_pdk_schemas::hosts::{self, exports, legacy, manifest_identifiers, module_host, wasi};
use sdn_pdk_schemas::plg::{self, PlgSpec, surface};
use wasmparser::{ExternalKind, TypeRef};

use crate::legacy::{HOST_MODULES, WASI_FUNCTIONS};
use crate::manifest::{self, Accessors, Parts};
use crate::parsed::{Module, kind_name, signature, type_ref_name};
use crate::{Finding, plg_rules, plg_wiring, sha256, wasm};

use hosts::ValType::I32;

/// The three invoke exports (the `direct` surface) with the signatures the
/// hosts call them with.
const INVOKE_EXPORTS: &[(&str, hosts::Signature)] = &[
    (
        exports::PLUGIN_ALLOC,
        hosts::Signature {
            params: &[I32],
            results: &[I32],
        },
    ),
    (
        exports::PLUGIN_FREE,
        hosts::Signature {
            params: &[I32, I32],
            results: &[],
        },
    ),
    (
        exports::PLUGIN_INVOKE_STREAM,
        hosts::Signature {
            params: &[I32, I32, I32],
            results: &[I32],
        },
    ),
];

/// `_start`: a WASI command, `() -> ()`.
const START: (&str, hosts::Signature) = (
    exports::START,
    hosts::Signature {
        params: &[],
        results: &[],
    },
);

/// Legacy exports that show a module is meant for the legacy server too.
const LEGACY_HANDLER: &[&str] = &["plugin_handle_request", "plugin_init"];

/// Who rejects a feature beyond WebAssembly 2.0 (the end of the feature
/// rule's message).
const FEATURE_REFUSAL: &str = "beyond the WebAssembly 2.0 a portable module keeps to (the module \
                               hosts are WasmEdge and the browsers' engines)";

/// Whether `bytes` is a module: it exports `plugin_invoke_stream` or
/// `plugin_alloc`, or its one `sds.manifest` section is a `$PLG`.
pub(super) fn is_module(bytes: &[u8], module: &Module) -> bool {
    if module.export(exports::PLUGIN_INVOKE_STREAM).is_some()
        || module.export(exports::PLUGIN_ALLOC).is_some()
    {
        return true;
    }
    manifest::parts(bytes).is_ok_and(|parts| {
        parts.sections.len() == 1
            && parts.sections[0].get(4..8) == Some(manifest_identifiers::PLG.as_bytes())
    })
}

/// Every module rule, in this order: the embedded manifest, the exports,
/// the imports, memory and features, then the manifest's contents.
pub(super) fn check(bytes: &[u8], module: &Module, findings: &mut Vec<Finding>) {
    let spec = check_embedding(bytes, module, findings);
    check_exports(module, spec.as_ref(), findings);
    check_imports(module, findings);
    let reported = wasm::check_memories(module, hosts::server::MAX_MEMORY_PAGES, findings);
    wasm::check_features(bytes, reported, FEATURE_REFUSAL, findings);
    if let Some(spec) = spec {
        plg_rules::check(&spec, findings);
        plg_wiring::check(&spec, findings);
        check_sensitive(bytes, &spec, findings);
    }
}

/// The `$PLG` in `sds.manifest` and behind the accessor exports,
/// byte-identical, read with `plg::read`; no `PMAN` bytes anywhere. Returns
/// the manifest when it could be read.
fn check_embedding(bytes: &[u8], module: &Module, findings: &mut Vec<Finding>) -> Option<PlgSpec> {
    let pman = manifest_identifiers::PMAN.as_bytes();
    if let Some(at) = bytes.windows(pman.len()).position(|w| w == pman) {
        findings.push(Finding::error(format!(
            "contains the bytes `PMAN` (at offset {at:#x}) — the module SDK's validator rejects \
             any module carrying them (the legacy manifest's identifier); a module's manifest \
             is a `$PLG` only"
        )));
    }
    let parts: Parts<'_> = match manifest::parts(bytes) {
        Ok(parts) => parts,
        Err(e) => {
            findings.push(Finding::error(format!("is not a well-formed module: {e}")));
            return None;
        }
    };
    let section = manifest::one_section(
        &parts,
        "a module carries its `$PLG` manifest there and behind the manifest accessor exports \
         (the module SDK's harness reads the section first)",
        findings,
    );
    // Without the section, the manifest behind the accessors is still read
    // (it is all the server sees).
    let mut from_accessors = None;
    match manifest::resolve_accessors(module, &parts, findings) {
        Accessors::Absent => findings.push(Finding::error(format!(
            "does not export {} () -> i32 and {} () -> i32 — the server reads a module's \
             manifest only through them",
            exports::MANIFEST_POINTER,
            exports::MANIFEST_SIZE
        ))),
        Accessors::Resolved { size: 0, .. } => findings.push(Finding::error(format!(
            "{} returns 0 — the server refuses a module whose manifest is empty",
            exports::MANIFEST_SIZE
        ))),
        Accessors::Resolved { pointer, size } => match section {
            Some(section) => {
                manifest::compare_with_section(&parts, section, pointer, size, findings);
            }
            None => from_accessors = manifest::accessor_bytes(&parts, pointer, size),
        },
        Accessors::Reported => {}
    }
    let (section, place) = match (section, from_accessors.as_deref()) {
        (Some(section), _) => (section, format!("`{}`", exports::MANIFEST_SECTION)),
        (None, Some(bytes)) => (
            bytes,
            format!("the manifest behind {}", exports::MANIFEST_POINTER),
        ),
        (None, None) => return None,
    };
    if section.get(4..8) != Some(plg::IDENTIFIER.as_bytes()) {
        let what = if section.get(4..8) == Some(pman) {
            "holds a legacy PluginManifest (PMAN)".to_owned()
        } else {
            format!("has file identifier {}", manifest::identifier(section))
        };
        findings.push(Finding::error(format!(
            "{place} {what}, not a `$PLG` module manifest — the module hosts read only `$PLG`"
        )));
        return None;
    }
    match plg::read(section) {
        Ok(spec) => Some(spec),
        Err(e) => {
            findings.push(Finding::error(format!(
                "{place} fails the `$PLG` FlatBuffers verifier: {e}"
            )));
            None
        }
    }
}

/// The invoke exports and `_start`, with their signatures, as the
/// manifest's invoke surfaces require (the accessors are checked with the
/// manifest, `memory` by the shared rule).
fn check_exports(module: &Module, spec: Option<&PlgSpec>, findings: &mut Vec<Finding>) {
    wasm::check_memory_export(module, findings);
    let surfaces = spec.map_or(&[][..], |s| s.invoke_surfaces.as_slice());
    let direct = surfaces.contains(&surface::DIRECT);
    let command = surfaces.contains(&surface::COMMAND);
    for &(name, sig) in INVOKE_EXPORTS {
        if module.export(name).is_some() {
            check_signature(module, name, sig, findings);
            continue;
        }
        let expected = format!("{name} {}", wasm::render(sig));
        findings.push(if direct {
            Finding::error(format!(
                "does not export {expected} — the manifest declares the `direct` invoke \
                 surface, which calls it"
            ))
        } else if command {
            Finding::warning(format!(
                "does not export {expected} — the module runs only as a WASI command; the \
                 server invokes modules through the `direct` surface"
            ))
        } else {
            Finding::error(format!(
                "does not export {expected} — the module hosts invoke a module through it"
            ))
        });
    }
    let (name, sig) = START;
    if module.export(name).is_some()
        && let Some(legacy) = LEGACY_HANDLER.iter().find(|n| module.export(n).is_some())
    {
        findings.push(Finding::error(format!(
            "exports `{name}` and the legacy {legacy} — the legacy server, which loads this \
             file as a plugin, runs `_start` at load and its proc_exit closes the instance; \
             build the command surface as its own file (the `-command` variant)"
        )));
    }
    match (module.export(name).is_some(), command) {
        (true, true) => check_signature(module, name, sig, findings),
        (true, false) if spec.is_some() => findings.push(Finding::error(format!(
            "exports `{name}` but the manifest does not declare the `command` invoke surface — \
             `_start` is that surface's entry and nothing else (a host that runs it at load \
             loses the instance)"
        ))),
        (false, true) => findings.push(Finding::error(format!(
            "does not export `{name}` {} — the manifest declares the `command` invoke surface, \
             which runs it",
            wasm::render(sig)
        ))),
        _ => {}
    }
}

/// Export `name` is a function of `sig`.
fn check_signature(
    module: &Module,
    name: &str,
    sig: hosts::Signature,
    findings: &mut Vec<Finding>,
) {
    let Some(export) = module.export(name) else {
        return;
    };
    let expected = wasm::render(sig);
    if !matches!(export.kind, ExternalKind::Func | ExternalKind::FuncExact) {
        findings.push(Finding::error(format!(
            "exports {name} as {}, not a function {expected}",
            kind_name(export.kind)
        )));
        return;
    }
    if let Some(actual) = module.func_type(export.index)
        && !wasm::matches(actual, sig)
    {
        findings.push(Finding::error(format!(
            "exports {name} as {}; the module hosts call it as {expected} and refuse the module",
            signature(actual.params(), actual.results())
        )));
    }
}

/// A portable module imports only the 17 WASI functions of
/// [`wasi::PORTABLE_FUNCTIONS`] and [`module_host::FUNCTIONS`]; anything else
/// is refused by the module SDK's harness at instantiation, and whatever the
/// server lacks too is refused everywhere.
fn check_imports(module: &Module, findings: &mut Vec<Finding>) {
    for import in &module.imports {
        let full = format!("{}.{}", import.module, import.name);
        let name = import.name.as_str();
        let table = match import.module.as_str() {
            wasi::MODULE => wasi::PORTABLE_FUNCTIONS,
            module_host::IMPORT_MODULE => module_host::FUNCTIONS,
            m if HOST_MODULES.contains(&m) => legacy::FUNCTIONS,
            other => {
                findings.push(Finding::error(format!(
                    "imports {full} — no module host provides `{other}` (the module SDK's \
                     harness has only {} and {}, the server also sdn and env), so the load fails",
                    wasi::MODULE,
                    module_host::IMPORT_MODULE
                )));
                continue;
            }
        };
        let (TypeRef::Func(ty) | TypeRef::FuncExact(ty)) = import.ty else {
            findings.push(Finding::error(format!(
                "imports {full} as {} — the module hosts provide only functions there",
                type_ref_name(&import.ty)
            )));
            continue;
        };
        let Some(sig) = hosts::lookup(table, name) else {
            findings.push(Finding::error(unknown_import(&full, &import.module, name)));
            continue;
        };
        if let Some(actual) = module.type_at(ty)
            && !wasm::matches(actual, sig)
        {
            findings.push(Finding::error(format!(
                "imports {full} as {}; the module hosts provide it as {}, so the load fails",
                signature(actual.params(), actual.results()),
                wasm::render(sig)
            )));
            continue;
        }
        if HOST_MODULES.contains(&import.module.as_str()) {
            findings.push(Finding::error(format!(
                "imports {full}, a legacy host function — the module SDK's harness provides \
                 only {} and {} and refuses it at instantiation: it loads on the server, not on \
                 the SDK hosts (use the `{}` hostcalls)",
                wasi::MODULE,
                module_host::IMPORT_MODULE,
                module_host::IMPORT_MODULE
            )));
        }
    }
}

/// The message for an import the hosts' table for its module lacks.
fn unknown_import(full: &str, module: &str, name: &str) -> String {
    let names = |table: &[(&str, hosts::Signature)]| -> String {
        table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    };
    if module == wasi::MODULE {
        if WASI_FUNCTIONS.iter().any(|(n, _)| *n == name) {
            format!(
                "imports {full} — the module SDK's WASI shim has only the {} portable \
                 functions and refuses it at instantiation: it loads on the server, not on the \
                 SDK hosts",
                wasi::PORTABLE_FUNCTIONS.len()
            )
        } else {
            format!("imports {full} — {module} has no such function, so no module host loads it")
        }
    } else if module == module_host::IMPORT_MODULE {
        format!(
            "imports {full} — `{module}` has only {}, so the load fails",
            names(module_host::FUNCTIONS)
        )
    } else {
        format!(
            "imports {full} — the server's `{module}` has only {} and the module SDK's harness \
             has no `{module}`, so no module host loads it (wasm-ld imports a symbol the link \
             left undefined from `env`: link what defines it)",
            names(legacy::FUNCTIONS)
        )
    }
}

/// A sensitive capability loads on the newest server only once an operator
/// approved the module's SHA-256: one warning naming them and the digest.
fn check_sensitive(bytes: &[u8], spec: &PlgSpec, findings: &mut Vec<Finding>) {
    let mut sensitive: Vec<&str> = Vec::new();
    for capability in &spec.capabilities {
        let name = capability.name.as_str();
        if plg::SENSITIVE_CAPABILITIES.contains(&name) && !sensitive.contains(&name) {
            sensitive.push(name);
        }
    }
    if sensitive.is_empty() {
        return;
    }
    let what = if sensitive.len() == 1 {
        "capability"
    } else {
        "capabilities"
    };
    findings.push(Finding::warning(format!(
        "declares the sensitive {what} {} — the newest server loads the module only once an \
         operator approves its SHA-256, {}",
        sensitive.join(", "),
        sha256::hex_digest(bytes)
    )));
}
