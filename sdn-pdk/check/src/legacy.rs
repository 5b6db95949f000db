//! The legacy plugin ABI's export and import rules (`docs/host-abi.md`): the
//! SDN server's `wasiplugin` runtime (Wazero 1.7 behind a Go loader) calls
//! the `plugin_*` exports with these exact signatures and provides only `sdn`
//! / `env` (the functions of `sdn_pdk_schemas::hosts::legacy`) and WASI.

use sdn_pdk_schemas::hosts::{self, legacy};
use wasmparser::{ExternalKind, TypeRef, ValType};

use crate::parsed::{Module, kind_name, signature, type_ref_name};
use crate::{Finding, wasm};

use ValType::{I32, I64};

/// The module names the host functions are registered under.
pub(super) const HOST_MODULES: &[&str] = &[legacy::SDN, legacy::ENV];

/// The WASI module the server instantiates (Wazero's full preview 1).
const WASI: &str = hosts::wasi::MODULE;

/// A wasm signature: parameters, results.
pub(super) type Sig = (&'static [ValType], &'static [ValType]);

/// The exports the server requires, with the signatures it calls them with.
const REQUIRED_EXPORTS: &[(&str, Sig)] = &[
    ("malloc", (&[I32], &[I32])),
    ("free", (&[I32], &[])),
    ("plugin_init", (&[I32, I32], &[I32])),
    ("plugin_get_public_key", (&[I32, I32], &[I32])),
    ("plugin_get_metadata", (&[I32, I32], &[I32])),
    (
        "plugin_handle_request",
        (&[I32, I32, I32, I32, I32, I32], &[I32]),
    ),
];

/// Required by the server revision of March 2026 and later; older ones ignore it.
const REQUEST_CHALLENGE: (&str, Sig) = (
    "plugin_request_challenge",
    (&[I32, I32, I32, I32, I32], &[I32]),
);

/// Every `wasi_snapshot_preview1` function with its core signature
/// (`u64` timestamps, sizes, rights and cookies are `i64`; all else `i32`):
/// Wazero's and WasmEdge's full preview 1. An import outside this table, or
/// with another signature, fails the load.
pub(super) const WASI_FUNCTIONS: &[(&str, Sig)] = &[
    ("args_get", (&[I32, I32], &[I32])),
    ("args_sizes_get", (&[I32, I32], &[I32])),
    ("environ_get", (&[I32, I32], &[I32])),
    ("environ_sizes_get", (&[I32, I32], &[I32])),
    ("clock_res_get", (&[I32, I32], &[I32])),
    ("clock_time_get", (&[I32, I64, I32], &[I32])),
    ("fd_advise", (&[I32, I64, I64, I32], &[I32])),
    ("fd_allocate", (&[I32, I64, I64], &[I32])),
    ("fd_close", (&[I32], &[I32])),
    ("fd_datasync", (&[I32], &[I32])),
    ("fd_fdstat_get", (&[I32, I32], &[I32])),
    ("fd_fdstat_set_flags", (&[I32, I32], &[I32])),
    ("fd_fdstat_set_rights", (&[I32, I64, I64], &[I32])),
    ("fd_filestat_get", (&[I32, I32], &[I32])),
    ("fd_filestat_set_size", (&[I32, I64], &[I32])),
    ("fd_filestat_set_times", (&[I32, I64, I64, I32], &[I32])),
    ("fd_pread", (&[I32, I32, I32, I64, I32], &[I32])),
    ("fd_prestat_get", (&[I32, I32], &[I32])),
    ("fd_prestat_dir_name", (&[I32, I32, I32], &[I32])),
    ("fd_pwrite", (&[I32, I32, I32, I64, I32], &[I32])),
    ("fd_read", (&[I32, I32, I32, I32], &[I32])),
    ("fd_readdir", (&[I32, I32, I32, I64, I32], &[I32])),
    ("fd_renumber", (&[I32, I32], &[I32])),
    ("fd_seek", (&[I32, I64, I32, I32], &[I32])),
    ("fd_sync", (&[I32], &[I32])),
    ("fd_tell", (&[I32, I32], &[I32])),
    ("fd_write", (&[I32, I32, I32, I32], &[I32])),
    ("path_create_directory", (&[I32, I32, I32], &[I32])),
    ("path_filestat_get", (&[I32, I32, I32, I32, I32], &[I32])),
    (
        "path_filestat_set_times",
        (&[I32, I32, I32, I32, I64, I64, I32], &[I32]),
    ),
    ("path_link", (&[I32, I32, I32, I32, I32, I32, I32], &[I32])),
    (
        "path_open",
        (&[I32, I32, I32, I32, I32, I64, I64, I32, I32], &[I32]),
    ),
    ("path_readlink", (&[I32, I32, I32, I32, I32, I32], &[I32])),
    ("path_remove_directory", (&[I32, I32, I32], &[I32])),
    ("path_rename", (&[I32, I32, I32, I32, I32, I32], &[I32])),
    ("path_symlink", (&[I32, I32, I32, I32, I32], &[I32])),
    ("path_unlink_file", (&[I32, I32, I32], &[I32])),
    ("poll_oneoff", (&[I32, I32, I32, I32], &[I32])),
    ("proc_exit", (&[I32], &[])),
    ("proc_raise", (&[I32], &[I32])),
    ("sched_yield", (&[], &[I32])),
    ("random_get", (&[I32, I32], &[I32])),
    ("sock_accept", (&[I32, I32, I32], &[I32])),
    ("sock_recv", (&[I32, I32, I32, I32, I32, I32], &[I32])),
    ("sock_send", (&[I32, I32, I32, I32, I32], &[I32])),
    ("sock_shutdown", (&[I32, I32], &[I32])),
];

/// Required exports, `memory`, `plugin_request_challenge`, no `_start`.
pub(super) fn check_exports(module: &Module, findings: &mut Vec<Finding>) {
    for &(name, sig) in REQUIRED_EXPORTS {
        if let Some(finding) = export_problem(module, name, sig) {
            findings.push(finding);
        }
    }
    let (name, sig) = REQUEST_CHALLENGE;
    if module.export(name).is_none() {
        findings.push(Finding::warning(format!(
            "does not export {name} {} — the server revision of March 2026 and later refuses \
             a module without it; export it so the plugin loads on both",
            signature(sig.0, sig.1)
        )));
    } else if let Some(problem) = export_problem(module, name, sig) {
        findings.push(problem);
    }
    wasm::check_memory_export(module, findings);
    if module.export("_start").is_some() {
        findings.push(Finding::error(
            "exports `_start` — the server runs it at instantiation and its proc_exit closes \
             the instance; build a library (cdylib) plugin, not a command",
        ));
    }
}

/// What is wrong with export `name`, expected to be a function of `sig`.
fn export_problem(module: &Module, name: &str, sig: Sig) -> Option<Finding> {
    let expected = signature(sig.0, sig.1);
    let Some(export) = module.export(name) else {
        return Some(Finding::error(format!(
            "does not export {name} {expected} — the server refuses to load a plugin without it"
        )));
    };
    if !matches!(export.kind, ExternalKind::Func | ExternalKind::FuncExact) {
        return Some(Finding::error(format!(
            "exports {name} as {}, not a function {expected}",
            kind_name(export.kind)
        )));
    }
    let actual = module.func_type(export.index)?;
    if actual.params() != sig.0 || actual.results() != sig.1 {
        return Some(Finding::error(format!(
            "exports {name} as {}; the server calls it as {expected} and refuses the module",
            signature(actual.params(), actual.results())
        )));
    }
    None
}

/// Every import must be something the server provides, with its signature.
pub(super) fn check_imports(module: &Module, findings: &mut Vec<Finding>) {
    let mut other_wasi = Vec::new();
    for import in &module.imports {
        let full = format!("{}.{}", import.module, import.name);
        let host_module = HOST_MODULES.contains(&import.module.as_str());
        if !host_module && import.module != WASI {
            findings.push(Finding::error(format!(
                "imports {full} — the server provides only the modules sdn, env and {WASI}, \
                 so the load fails"
            )));
            continue;
        };
        let (TypeRef::Func(ty) | TypeRef::FuncExact(ty)) = import.ty else {
            findings.push(Finding::error(format!(
                "imports {full} as {} — the server provides only functions there",
                type_ref_name(&import.ty)
            )));
            continue;
        };
        let provided = if host_module {
            hosts::lookup(legacy::FUNCTIONS, &import.name).map(wasm::wasm_types)
        } else {
            WASI_FUNCTIONS
                .iter()
                .find(|(n, _)| *n == import.name)
                .map(|&(_, (params, results))| (params.to_vec(), results.to_vec()))
        };
        let Some((params, results)) = provided else {
            let what = if import.module == WASI {
                format!("{WASI} has no such function")
            } else {
                let names: Vec<&str> = legacy::FUNCTIONS.iter().map(|(n, _)| *n).collect();
                format!(
                    "the server's `{}` module has only {}",
                    import.module,
                    names.join(", ")
                )
            };
            findings.push(Finding::error(format!(
                "imports {full} — {what}, so the load fails"
            )));
            continue;
        };
        if let Some(actual) = module.type_at(ty)
            && (actual.params() != params.as_slice() || actual.results() != results.as_slice())
        {
            findings.push(Finding::error(format!(
                "imports {full} as {}; the server provides it as {}, so the load fails",
                signature(actual.params(), actual.results()),
                signature(&params, &results)
            )));
            continue;
        }
        if import.module != WASI {
            continue;
        }
        match import.name.as_str() {
            "random_get" => findings.push(Finding::error(format!(
                "imports {full} — the server's WASI random is a fixed-seed fake; use sdn.random_bytes"
            ))),
            "clock_time_get" => findings.push(Finding::error(format!(
                "imports {full} — the server's WASI clock is a fake (it starts at \
                 2022-01-01T00:00:00Z and moves 1 ms per read); use sdn.clock_now_ms"
            ))),
            "proc_exit" => findings.push(Finding::warning(format!(
                "imports {full} — calling it closes the instance until the server restarts"
            ))),
            name => other_wasi.push(name.to_owned()),
        }
    }
    if !other_wasi.is_empty() {
        findings.push(Finding::warning(format!(
            "imports WASI {} — the server's WASI has no args, environment or files and \
             discards stdout/stderr",
            other_wasi.join(", ")
        )));
    }
}
