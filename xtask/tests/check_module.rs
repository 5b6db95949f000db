//! `check`'s module rules (`docs/module-abi.md`) on exports, imports,
//! memory and the manifest's embedding, pinned on small WAT fixtures
//! (`support/mod.rs`): one good module, and one variant of it per mistake,
//! each breaking exactly one rule. The manifest's contents are
//! `check_plg.rs`'s.

mod support;

use sdn_pdk_schemas::plg::{self, surface};
use support::*;
use xtask::check::{self, Kind, Severity};

#[test]
fn a_good_module_passes_without_findings() {
    let bytes = module(&spec(), &[]);
    assert_eq!(Kind::of(&bytes), Some(Kind::Module));
    assert_eq!(check::check_module(&bytes), vec![]);
}

#[test]
fn a_good_command_module_passes_without_findings() {
    let mut spec = spec();
    spec.invoke_surfaces = vec![surface::DIRECT, surface::COMMAND];
    spec.runtime_targets.push("wasi".into());
    assert_eq!(check::check_module(&with_line(&spec, START)), vec![]);
}

#[test]
fn every_portable_import_is_accepted() {
    use sdn_pdk_schemas::hosts::{module_host, wasi};
    let mut lines = String::new();
    for (module, table) in [
        (wasi::MODULE, wasi::PORTABLE_FUNCTIONS),
        (module_host::IMPORT_MODULE, module_host::FUNCTIONS),
    ] {
        for (name, sig) in table {
            let types = |ts: &[sdn_pdk_schemas::hosts::ValType]| -> String {
                ts.iter()
                    .map(|t| match t {
                        sdn_pdk_schemas::hosts::ValType::I32 => " i32",
                        sdn_pdk_schemas::hosts::ValType::I64 => " i64",
                    })
                    .collect()
            };
            lines.push_str(&format!(
                "(import \"{module}\" \"{name}\" (func (param{}) (result{})))\n",
                types(sig.params),
                types(sig.results)
            ));
        }
    }
    let bytes = with_line(&spec(), &lines);
    assert_eq!(check::check_module(&bytes), vec![]);
}

#[test]
fn a_module_is_told_from_a_legacy_plugin_by_its_exports_or_its_plg() {
    // plugin_alloc alone makes it a module (and the missing exports errors).
    let only_alloc = module(
        &spec(),
        &[(
            r#"(func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0)"#,
            "",
        )],
    );
    assert_eq!(Kind::of(&only_alloc), Some(Kind::Module));
    // A command-only module has neither export; its $PLG section tells.
    let mut command = spec();
    command.invoke_surfaces = vec![surface::COMMAND];
    let bytes = module(
        &command,
        &[
            (
                r#"(func (export "plugin_alloc") (param i32) (result i32) i32.const 0)"#,
                START,
            ),
            (
                r#"(func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0)"#,
                "",
            ),
            (r#"(func (export "plugin_free") (param i32 i32))"#, ""),
        ],
    );
    assert_eq!(Kind::of(&bytes), Some(Kind::Module));
    let findings = check::check_module(&bytes);
    assert_eq!(messages(&findings, Severity::Error), Vec::<&str>::new());
    assert_eq!(
        messages(&findings, Severity::Warning),
        vec![
            "does not export plugin_alloc (i32) -> i32 — the module runs only as a WASI \
             command; the server invokes modules through the `direct` surface",
            "does not export plugin_free (i32, i32) -> () — the module runs only as a WASI \
             command; the server invokes modules through the `direct` surface",
            "does not export plugin_invoke_stream (i32, i32, i32) -> i32 — the module runs \
             only as a WASI command; the server invokes modules through the `direct` surface",
        ]
    );
    assert_eq!(Kind::of(b"nope"), None);
}

// ---- exports ----

#[test]
fn a_missing_memory_export_is_an_error() {
    let bytes = module(
        &spec(),
        &[(r#"(memory (export "memory") 17)"#, "(memory 17)")],
    );
    assert_eq!(
        only_error_of(&bytes),
        "does not export its memory as `memory` — the server refuses to load it"
    );
}

#[test]
fn a_wrong_invoke_export_signature_is_an_error() {
    let bytes = module(
        &spec(),
        &[(
            r#"(func (export "plugin_alloc") (param i32) (result i32) i32.const 0)"#,
            r#"(func (export "plugin_alloc") (param i32) (result i64) i64.const 0)"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "exports plugin_alloc as (i32) -> i64; the module hosts call it as (i32) -> i32 and \
         refuse the module"
    );
    let bytes = module(
        &spec(),
        &[(
            r#"(func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0)"#,
            r#"(global (export "plugin_invoke_stream") i32 (i32.const 0))"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "exports plugin_invoke_stream as a global, not a function (i32, i32, i32) -> i32"
    );
}

#[test]
fn an_invoke_export_missing_under_the_direct_surface_is_an_error() {
    let bytes = module(
        &spec(),
        &[(r#"(func (export "plugin_free") (param i32 i32))"#, "")],
    );
    assert_eq!(
        only_error_of(&bytes),
        "does not export plugin_free (i32, i32) -> () — the manifest declares the `direct` \
         invoke surface, which calls it"
    );
}

#[test]
fn an_invoke_export_missing_without_declared_surfaces_is_an_error() {
    let mut spec = spec();
    spec.invoke_surfaces.clear();
    let bytes = module(
        &spec,
        &[(
            r#"(func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0)"#,
            "",
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "does not export plugin_invoke_stream (i32, i32, i32) -> i32 — the module hosts invoke \
         a module through it"
    );
}

#[test]
fn start_without_the_command_surface_is_an_error() {
    assert_eq!(
        only_error_of(&with_line(&spec(), START)),
        "exports `_start` but the manifest does not declare the `command` invoke surface — \
         `_start` is that surface's entry and nothing else (a host that runs it at load loses \
         the instance)"
    );
}

#[test]
fn the_command_surface_without_start_is_an_error() {
    let mut spec = spec();
    spec.invoke_surfaces.push(surface::COMMAND);
    assert_eq!(
        only_error_of(&module(&spec, &[])),
        "does not export `_start` () -> () — the manifest declares the `command` invoke \
         surface, which runs it"
    );
}

#[test]
fn start_in_a_module_also_meant_for_the_legacy_server_is_an_error() {
    let mut command = spec();
    command.invoke_surfaces.push(surface::COMMAND);
    let bytes = with_line(
        &command,
        &format!(
            "{START}\n  (func (export \"plugin_handle_request\") (param i32 i32 i32 i32 i32 i32) \
             (result i32) i32.const 0)"
        ),
    );
    assert_eq!(
        only_error_of(&bytes),
        "exports `_start` and the legacy plugin_handle_request — the legacy server, which \
         loads this file as a plugin, runs `_start` at load and its proc_exit closes the \
         instance; build the command surface as its own file (the `-command` variant)"
    );
    // Without `_start`, a dual-ABI file is fine by the module rules.
    let dual = with_line(
        &spec(),
        "(func (export \"plugin_handle_request\") (param i32 i32 i32 i32 i32 i32) (result i32) \
         i32.const 0)",
    );
    assert_eq!(check::check_module(&dual), vec![]);
}

#[test]
fn a_wrong_start_signature_is_an_error() {
    let mut spec = spec();
    spec.invoke_surfaces.push(surface::COMMAND);
    assert_eq!(
        only_error_of(&with_line(
            &spec,
            r#"(func (export "_start") (result i32) i32.const 0)"#
        )),
        "exports _start as () -> i32; the module hosts call it as () -> () and refuse the module"
    );
}

// ---- the manifest's embedding ----

#[test]
fn missing_accessors_are_an_error() {
    let bytes = module(
        &spec(),
        &[
            (
                r#"(func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const 2048)"#,
                "",
            ),
            (
                r#"(func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {len})"#,
                "",
            ),
        ],
    );
    assert_eq!(
        only_error_of(&bytes),
        "does not export plugin_get_manifest_flatbuffer () -> i32 and \
         plugin_get_manifest_flatbuffer_size () -> i32 — the server reads a module's manifest \
         only through them"
    );
}

#[test]
fn an_accessor_with_the_wrong_signature_is_an_error() {
    let bytes = module(
        &spec(),
        &[(
            r#"(func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {len})"#,
            r#"(func (export "plugin_get_manifest_flatbuffer_size") (result i64) i64.const {len})"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "exports plugin_get_manifest_flatbuffer_size but not as a function () -> i32"
    );
}

#[test]
fn a_zero_manifest_size_is_an_error() {
    let bytes = module(
        &spec(),
        &[(
            r#"(result i32) i32.const {len})"#,
            r#"(result i32) i32.const 0)"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "plugin_get_manifest_flatbuffer_size returns 0 — the server refuses a module whose \
         manifest is empty"
    );
}

#[test]
fn accessors_that_differ_from_the_section_are_an_error() {
    let manifest = plg::build(&spec());
    let mut other = spec();
    other.version = "1.0.1".into();
    let other = plg::build(&other);
    assert_eq!(other.len(), manifest.len());
    let bytes = module_with(&[&manifest], &other, &[]);
    assert_eq!(
        only_error_of(&bytes),
        format!(
            "plugin_get_manifest_flatbuffer points at {} bytes (at 0x800) that differ from the \
             `sds.manifest` section",
            manifest.len()
        )
    );
}

#[test]
fn a_missing_section_is_an_error() {
    let manifest = plg::build(&spec());
    assert_eq!(
        only_error_of(&module_with(&[], &manifest, &[])),
        "has no `sds.manifest` custom section — a module carries its `$PLG` manifest there and \
         behind the manifest accessor exports (the module SDK's harness reads the section first)"
    );
}

#[test]
fn without_the_section_the_manifest_behind_the_accessors_is_still_judged() {
    let mut spec = spec();
    spec.methods.clear();
    let manifest = plg::build(&spec);
    let findings = check::check_module(&module_with(&[], &manifest, &[]));
    assert_eq!(
        messages(&findings, Severity::Error),
        vec![
            "has no `sds.manifest` custom section — a module carries its `$PLG` manifest there \
             and behind the manifest accessor exports (the module SDK's harness reads the \
             section first)",
            "the manifest declares no methods — the module SDK's validator requires at least one",
        ]
    );
    let mut corrupt = manifest.clone();
    corrupt[4..8].copy_from_slice(b"$XYZ");
    let findings = check::check_module(&module_with(&[], &corrupt, &[]));
    assert_eq!(
        messages(&findings, Severity::Error)[1],
        "the manifest behind plugin_get_manifest_flatbuffer has file identifier \"$XYZ\", not \
         a `$PLG` module manifest — the module hosts read only `$PLG`"
    );
}

#[test]
fn two_sections_are_an_error() {
    let manifest = plg::build(&spec());
    assert_eq!(
        only_error_of(&module_with(&[&manifest, &manifest], &manifest, &[])),
        "has 2 `sds.manifest` custom sections — readers take one manifest"
    );
}

#[test]
fn a_manifest_that_is_not_a_plg_is_an_error() {
    let mut manifest = plg::build(&spec());
    manifest[4..8].copy_from_slice(b"$XYZ");
    assert_eq!(
        only_error_of(&module_with(&[&manifest], &manifest, &[])),
        "`sds.manifest` has file identifier \"$XYZ\", not a `$PLG` module manifest — the module \
         hosts read only `$PLG`"
    );
}

#[test]
fn a_plg_the_verifier_rejects_is_an_error() {
    let mut manifest = plg::build(&spec());
    manifest[0] = 0xF0; // the root offset now points past the end
    let error = only_error_of(&module_with(&[&manifest], &manifest, &[]));
    assert!(
        error.starts_with("`sds.manifest` fails the `$PLG` FlatBuffers verifier: "),
        "{error}"
    );
}

#[test]
fn pman_bytes_anywhere_are_an_error() {
    let bytes = with_line(&spec(), r#"(data (i32.const 64) "a legacy PMAN")"#);
    let at = bytes.windows(4).position(|w| w == b"PMAN").unwrap();
    assert_eq!(
        only_error_of(&bytes),
        format!(
            "contains the bytes `PMAN` (at offset {at:#x}) — the module SDK's validator rejects \
             any module carrying them (the legacy manifest's identifier); a module's manifest is \
             a `$PLG` only"
        )
    );
}

#[test]
fn a_legacy_manifest_in_a_module_names_both_problems() {
    let pman = sdn_pdk_schemas::manifest::build(&sdn_pdk_schemas::manifest::ManifestSpec {
        plugin_id: "com.example.fixture".into(),
        ..Default::default()
    });
    let findings = check::check_module(&module_with(&[&pman], &pman, &[]));
    let errors = messages(&findings, Severity::Error);
    assert_eq!(errors.len(), 2, "{findings:#?}");
    assert!(errors[0].starts_with("contains the bytes `PMAN` (at offset "));
    assert_eq!(
        errors[1],
        "`sds.manifest` holds a legacy PluginManifest (PMAN), not a `$PLG` module manifest — \
         the module hosts read only `$PLG`"
    );
}

// ---- imports ----

#[test]
fn a_wasi_function_beyond_the_portable_17_loads_only_on_the_server() {
    let bytes = with_line(
        &spec(),
        r#"(import "wasi_snapshot_preview1" "poll_oneoff" (func (param i32 i32 i32 i32) (result i32)))"#,
    );
    assert_eq!(
        only_error_of(&bytes),
        "imports wasi_snapshot_preview1.poll_oneoff — the module SDK's WASI shim has only the \
         17 portable functions and refuses it at instantiation: it loads on the server, not on \
         the SDK hosts"
    );
}

#[test]
fn a_legacy_host_function_loads_only_on_the_server() {
    let bytes = with_line(
        &spec(),
        r#"(import "sdn" "clock_now_ms" (func (result i64)))"#,
    );
    assert_eq!(
        only_error_of(&bytes),
        "imports sdn.clock_now_ms, a legacy host function — the module SDK's harness provides \
         only wasi_snapshot_preview1 and space_data_module_host and refuses it at \
         instantiation: it loads on the server, not on the SDK hosts (use the \
         `space_data_module_host` hostcalls)"
    );
}

#[test]
fn an_unknown_env_function_loads_nowhere() {
    assert_eq!(
        only_error_of(&with_line(&spec(), r#"(import "env" "abort" (func))"#)),
        "imports env.abort — the server's `env` has only clock_now_ms, random_bytes, log and the \
         module SDK's harness has no `env`, so no module host loads it (wasm-ld imports a symbol \
         the link left undefined from `env`: link what defines it)"
    );
}

#[test]
fn an_unknown_wasi_function_loads_nowhere() {
    assert_eq!(
        only_error_of(&with_line(
            &spec(),
            r#"(import "wasi_snapshot_preview1" "teleport" (func))"#
        )),
        "imports wasi_snapshot_preview1.teleport — wasi_snapshot_preview1 has no such function, \
         so no module host loads it"
    );
}

#[test]
fn an_unknown_hostcall_function_is_an_error() {
    assert_eq!(
        only_error_of(&with_line(
            &spec(),
            r#"(import "space_data_module_host" "call_async" (func))"#
        )),
        "imports space_data_module_host.call_async — `space_data_module_host` has only call, \
         response_len, read_response, last_status_code, clear_response, so the load fails"
    );
}

#[test]
fn a_wrong_import_signature_is_an_error() {
    let bytes = module(
        &spec(),
        &[(
            r#"(import "space_data_module_host" "call" (func (param i32 i32 i32 i32) (result i32)))"#,
            r#"(import "space_data_module_host" "call" (func (param i32 i32) (result i32)))"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "imports space_data_module_host.call as (i32, i32) -> i32; the module hosts provide it \
         as (i32, i32, i32, i32) -> i32, so the load fails"
    );
    let bytes = module(
        &spec(),
        &[(
            r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))"#,
            r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32)))"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "imports wasi_snapshot_preview1.fd_write as (i32, i32, i32) -> i32; the module hosts \
         provide it as (i32, i32, i32, i32) -> i32, so the load fails"
    );
}

#[test]
fn an_unknown_import_module_is_an_error() {
    let bytes = with_line(
        &spec(),
        r#"(import "wasi:random/random@0.2.0" "get-random-u64" (func (result i64)))"#,
    );
    assert_eq!(
        only_error_of(&bytes),
        "imports wasi:random/random@0.2.0.get-random-u64 — no module host provides \
         `wasi:random/random@0.2.0` (the module SDK's harness has only wasi_snapshot_preview1 \
         and space_data_module_host, the server also sdn and env), so the load fails"
    );
}

#[test]
fn an_imported_memory_is_an_error() {
    let bytes = module(
        &spec(),
        &[(
            r#"(memory (export "memory") 17)"#,
            r#"(import "env" "memory" (memory 17))
  (export "memory" (memory 0))"#,
        )],
    );
    assert_eq!(
        only_error_of(&bytes),
        "imports env.memory as a memory — the module hosts provide only functions there"
    );
}

// ---- memory and features ----

#[test]
fn memory_is_capped_at_the_servers_4096_pages() {
    let at_cap = module(
        &spec(),
        &[(
            r#"(memory (export "memory") 17)"#,
            r#"(memory (export "memory") 4096 4096)"#,
        )],
    );
    assert_eq!(check::check_module(&at_cap), vec![]);
    let over = module(
        &spec(),
        &[(
            r#"(memory (export "memory") 17)"#,
            r#"(memory (export "memory") 4097)"#,
        )],
    );
    assert_eq!(
        only_error_of(&over),
        "declares an initial memory of 4097 pages; the server caps memory at 4096 pages \
         (256 MiB) and refuses the module"
    );
    let max = module(
        &spec(),
        &[(
            r#"(memory (export "memory") 17)"#,
            r#"(memory (export "memory") 17 5000)"#,
        )],
    );
    assert_eq!(
        only_error_of(&max),
        "declares a maximum memory of 5000 pages; the server caps memory at 4096 pages \
         (256 MiB) and refuses the module"
    );
}

#[test]
fn a_feature_beyond_webassembly_2_is_an_error() {
    let bytes = with_line(
        &spec(),
        "(func $loop (param i32) (result i32) local.get 0 return_call $loop)",
    );
    let error = only_error_of(&bytes);
    assert!(
        error.starts_with(
            "uses the tail calls feature, beyond the WebAssembly 2.0 a portable module keeps to"
        ),
        "{error}"
    );
}

// ---- the sensitive-capability warning ----

#[test]
fn a_sensitive_capability_is_a_warning_with_the_modules_sha256() {
    let mut spec = spec();
    spec.capabilities.push(capability("http"));
    let bytes = module(&spec, &[]);
    let report = check::check_bytes("m.wasm", &bytes, None);
    assert!(report.passed(), "{report}");
    assert_eq!(report.kind, Some(Kind::Module));
    let summary = report.summary();
    let size: String = summary
        .strip_prefix("m.wasm (module): ")
        .and_then(|rest| rest.strip_suffix(" bytes (no budget): ok, 1 warning"))
        .unwrap_or_else(|| panic!("{summary}"))
        .replace(',', "");
    assert_eq!(size, bytes.len().to_string());
    let warnings = messages(&report.findings, Severity::Warning);
    assert_eq!(warnings.len(), 1, "{report}");
    assert_sha256_warning(warnings[0], "capability http", &bytes);

    spec.capabilities.push(capability("ipfs"));
    let bytes = module(&spec, &[]);
    let findings = check::check_module(&bytes);
    let warnings = messages(&findings, Severity::Warning);
    assert_eq!(warnings.len(), 1, "{findings:#?}");
    assert_sha256_warning(warnings[0], "capabilities http, ipfs", &bytes);
}

/// `warning` names `what` and ends with the SHA-256 of `bytes`, compared
/// with `sha256sum`'s when the machine has it (an independent digest).
fn assert_sha256_warning(warning: &str, what: &str, bytes: &[u8]) {
    let prefix = format!(
        "declares the sensitive {what} — the newest server loads the module only once an \
         operator approves its SHA-256, "
    );
    let digest = warning
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{warning}"));
    assert_eq!(digest.len(), 64, "{warning}");
    assert!(
        digest
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    if let Some(expected) = sha256sum(bytes) {
        assert_eq!(digest, expected);
    }
}

fn sha256sum(bytes: &[u8]) -> Option<String> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(bytes).ok()?;
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8(out.stdout).ok()?.get(..64)?.to_owned())
}

#[test]
fn a_module_report_uses_the_budget_table() {
    let bytes = module(&spec(), &[]);
    let size = bytes.len() as u64;
    assert!(check::check_bytes("module-echo.wasm", &bytes, Some(size)).passed());
    let report = check::check_bytes("module-echo.wasm", &bytes, Some(size - 1));
    let error = only_error(&report.findings);
    assert!(
        error.starts_with("is ")
            && error.contains(" bytes, 1 over its budget of ")
            && error.ends_with(" (BUDGETS in xtask/src/check.rs)"),
        "{error}"
    );
}
