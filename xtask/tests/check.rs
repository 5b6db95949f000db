//! `check`'s rules, pinned on small WAT fixtures: one good plugin, and one
//! variant of it per mistake.

use xtask::check::{self, Finding, Severity};

/// A module the server accepts without a warning.
const GOOD: &str = r#"
(module
  (import "sdn" "clock_now_ms" (func (result i64)))
  (import "env" "random_bytes" (func (param i32 i32) (result i32)))
  (import "sdn" "log" (func (param i32 i32 i32)))
  (memory (export "memory") 17)
  (global $g i32 (i32.const 1024))
  (func (export "malloc") (param i32) (result i32) i32.const 0)
  (func (export "free") (param i32))
  (func (export "plugin_init") (param i32 i32) (result i32) i32.const 0)
  (func (export "plugin_get_public_key") (param i32 i32) (result i32) i32.const 0)
  (func (export "plugin_get_metadata") (param i32 i32) (result i32) i32.const 0)
  (func (export "plugin_handle_request") (param i32 i32 i32 i32 i32 i32) (result i32) i32.const 0)
  (func (export "plugin_request_challenge") (param i32 i32 i32 i32 i32) (result i32) i32.const 0)
)
"#;

/// `GOOD` with each `(from, to)` replacement applied (each `from` must occur).
fn variant(edits: &[(&str, &str)]) -> Vec<u8> {
    let mut text = GOOD.to_owned();
    for (from, to) in edits {
        assert!(text.contains(from), "fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    wat::parse_str(with_manifest(&text)).expect("fixture WAT")
}

/// `text` with an `sds.manifest` section declaring the capabilities `GOOD`'s
/// imports need (the manifest rules have their own tests in
/// `src/check/manifest.rs`).
fn with_manifest(text: &str) -> String {
    use sdn_pdk_schemas::{capability, manifest};
    let bytes = manifest::build(&manifest::ManifestSpec {
        plugin_id: "com.example.good".into(),
        capabilities: [capability::CLOCK, capability::RANDOM, capability::LOGGING]
            .map(|kind| (kind, None))
            .to_vec(),
        ..manifest::ManifestSpec::default()
    });
    let literal: String = bytes.iter().map(|b| format!("\\{b:02x}")).collect();
    let section = format!("(@custom \"sds.manifest\" \"{literal}\")");
    text.replacen("(module", &format!("(module\n  {section}"), 1)
}

/// `GOOD` with one more line inside the module.
fn with_line(line: &str) -> Vec<u8> {
    variant(&[("(memory (export", &format!("{line}\n  (memory (export"))])
}

fn errors(findings: &[Finding]) -> Vec<&str> {
    messages(findings, Severity::Error)
}

fn warnings(findings: &[Finding]) -> Vec<&str> {
    messages(findings, Severity::Warning)
}

fn messages(findings: &[Finding], severity: Severity) -> Vec<&str> {
    findings
        .iter()
        .filter(|f| f.severity == severity)
        .map(|f| f.message.as_str())
        .collect()
}

/// The one error in `findings` (failing if there is not exactly one).
fn only_error(findings: &[Finding]) -> &str {
    let errors = errors(findings);
    assert_eq!(errors.len(), 1, "expected one error, got {findings:#?}");
    errors[0]
}

#[test]
fn a_good_module_passes_without_findings() {
    let bytes = variant(&[]);
    assert_eq!(check::Kind::of(&bytes), Some(check::Kind::Legacy));
    let findings = check::check_module(&bytes);
    assert_eq!(findings, vec![]);
}

#[test]
fn wasi_random_get_is_an_error() {
    let bytes = with_line(
        r#"(import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))"#,
    );
    let findings = check::check_module(&bytes);
    assert_eq!(
        only_error(&findings),
        "imports wasi_snapshot_preview1.random_get — the server's WASI random is a \
         fixed-seed fake; use sdn.random_bytes"
    );
    assert_eq!(warnings(&findings), Vec::<&str>::new());
}

#[test]
fn findings_print_as_one_line_each_with_the_file_name() {
    let bytes = with_line(
        r#"(import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))"#,
    );
    let report = check::check_bytes("echo.wasm", &bytes, check::budget("echo"));
    let printed = report.to_string();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 2, "{printed}");
    assert_eq!(
        lines[0],
        "error: echo.wasm: imports wasi_snapshot_preview1.random_get — the server's WASI \
         random is a fixed-seed fake; use sdn.random_bytes"
    );
    assert_eq!(
        lines[1],
        format!(
            "echo.wasm: {} bytes (budget 6,144): FAILED, 1 error",
            bytes.len()
        )
    );
    assert!(!report.passed());
}

#[test]
fn wasi_clock_time_get_is_an_error() {
    let bytes = with_line(
        r#"(import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))"#,
    );
    let error = only_error(&check::check_module(&bytes)).to_owned();
    assert!(
        error.starts_with(
            "imports wasi_snapshot_preview1.clock_time_get — the server's WASI clock is a fake"
        ),
        "{error}"
    );
    assert!(error.ends_with("use sdn.clock_now_ms"), "{error}");
}

#[test]
fn other_wasi_imports_are_listed_in_one_warning() {
    let bytes = variant(&[(
        "(memory (export",
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func (param i32 i32) (result i32)))
  (memory (export"#,
    )]);
    let findings = check::check_module(&bytes);
    assert_eq!(errors(&findings), Vec::<&str>::new());
    assert_eq!(
        warnings(&findings),
        vec![
            "imports WASI fd_write, environ_get — the server's WASI has no args, environment \
             or files and discards stdout/stderr"
        ]
    );
}

#[test]
fn proc_exit_gets_its_own_warning() {
    let bytes = with_line(r#"(import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))"#);
    let findings = check::check_module(&bytes);
    assert_eq!(
        warnings(&findings),
        vec![
            "imports wasi_snapshot_preview1.proc_exit — calling it closes the instance until \
             the server restarts"
        ]
    );
}

#[test]
fn a_wasi_import_with_the_wrong_signature_is_an_error() {
    let bytes = with_line(
        r#"(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32)))"#,
    );
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "imports wasi_snapshot_preview1.fd_write as (i32, i32, i32) -> i32; the server \
         provides it as (i32, i32, i32, i32) -> i32, so the load fails"
    );
}

#[test]
fn a_missing_export_is_an_error() {
    let bytes = variant(&[(
        r#"(func (export "plugin_init") (param i32 i32) (result i32) i32.const 0)"#,
        "",
    )]);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "does not export plugin_init (i32, i32) -> i32 — the server refuses to load a plugin \
         without it"
    );
}

#[test]
fn a_missing_memory_export_is_an_error() {
    let bytes = variant(&[(r#"(memory (export "memory") 17)"#, "(memory 17)")]);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "does not export its memory as `memory` — the server refuses to load it"
    );
}

#[test]
fn a_wrong_export_signature_is_an_error() {
    let bytes = variant(&[(
        r#"(func (export "malloc") (param i32) (result i32) i32.const 0)"#,
        r#"(func (export "malloc") (param i32) (result i64) i64.const 0)"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "exports malloc as (i32) -> i64; the server calls it as (i32) -> i32 and refuses the module"
    );
}

#[test]
fn a_missing_request_challenge_is_only_a_warning() {
    let bytes = variant(&[(
        r#"(func (export "plugin_request_challenge") (param i32 i32 i32 i32 i32) (result i32) i32.const 0)"#,
        "",
    )]);
    let report = check::check_bytes("echo.wasm", &bytes, None);
    assert!(report.passed(), "{report}");
    assert_eq!(
        warnings(&report.findings),
        vec![
            "does not export plugin_request_challenge (i32, i32, i32, i32, i32) -> i32 — the \
             server revision of March 2026 and later refuses a module without it; export it \
             so the plugin loads on both"
        ]
    );
    assert!(
        report.summary().ends_with(": ok, 1 warning"),
        "{}",
        report.summary()
    );
}

#[test]
fn a_wrong_request_challenge_signature_is_an_error() {
    let bytes = variant(&[(
        r#"(func (export "plugin_request_challenge") (param i32 i32 i32 i32 i32) (result i32) i32.const 0)"#,
        r#"(func (export "plugin_request_challenge") (param i32 i32 i32 i32) (result i32) i32.const 0)"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "exports plugin_request_challenge as (i32, i32, i32, i32) -> i32; the server calls it \
         as (i32, i32, i32, i32, i32) -> i32 and refuses the module"
    );
}

#[test]
fn an_initial_memory_over_512_pages_is_an_error() {
    let bytes = variant(&[(
        r#"(memory (export "memory") 17)"#,
        r#"(memory (export "memory") 513)"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "declares an initial memory of 513 pages; the server caps memory at 512 pages (32 MiB) \
         and refuses the module"
    );
}

#[test]
fn exactly_512_pages_is_fine_but_a_larger_maximum_is_not() {
    let at_cap = variant(&[(
        r#"(memory (export "memory") 17)"#,
        r#"(memory (export "memory") 512 512)"#,
    )]);
    assert_eq!(check::check_module(&at_cap), vec![]);
    let over = variant(&[(
        r#"(memory (export "memory") 17)"#,
        r#"(memory (export "memory") 17 1000)"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&over)),
        "declares a maximum memory of 1000 pages; the server caps memory at 512 pages (32 MiB) \
         and refuses the module"
    );
}

#[test]
fn shared_and_64_bit_memories_are_errors_reported_once() {
    let shared = variant(&[(
        r#"(memory (export "memory") 17)"#,
        r#"(memory (export "memory") 17 20 shared)"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&shared)),
        "declares a shared memory (threads) — the server's runtime does not support it"
    );
    let wide = variant(&[(
        r#"(memory (export "memory") 17)"#,
        r#"(memory (export "memory") i64 17)"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&wide)),
        "declares a 64-bit memory (memory64) — the server's runtime supports only 32-bit memories"
    );
}

#[test]
fn an_extended_const_global_names_the_feature() {
    let bytes = variant(&[(
        "(global $g i32 (i32.const 1024))",
        "(global $g i32 (i32.add (i32.const 1024) (i32.const 16)))",
    )]);
    let error = only_error(&check::check_module(&bytes)).to_owned();
    assert!(
        error.starts_with(
            "uses the extended-const feature, which the server's runtime (Wazero 1.7, \
             WebAssembly 2.0) rejects ("
        ),
        "{error}"
    );
}

#[test]
fn a_tail_call_names_the_feature() {
    let bytes = with_line("(func $loop (param i32) (result i32) local.get 0 return_call $loop)");
    let error = only_error(&check::check_module(&bytes)).to_owned();
    assert!(error.starts_with("uses the tail calls feature"), "{error}");
}

#[test]
fn webassembly_2_features_are_accepted() {
    // SIMD, bulk memory, sign extension, saturating conversions, multi-value, reference types.
    let bytes = with_line(
        "(func (param i32) (result i32 i32)
           (drop (i32x4.extract_lane 0 (i32x4.splat (local.get 0))))
           (memory.fill (i32.const 0) (i32.const 0) (i32.const 8))
           (drop (i32.trunc_sat_f32_s (f32.const 1.5)))
           (drop (ref.is_null (ref.null func)))
           (i32.extend8_s (local.get 0))
           (local.get 0))",
    );
    assert_eq!(check::check_module(&bytes), vec![]);
}

#[test]
fn a_start_export_is_an_error() {
    let bytes = with_line(r#"(func (export "_start"))"#);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "exports `_start` — the server runs it at instantiation and its proc_exit closes the \
         instance; build a library (cdylib) plugin, not a command"
    );
}

#[test]
fn an_unknown_import_module_is_an_error() {
    let bytes =
        with_line(r#"(import "wasi:random/random@0.2.0" "get-random-u64" (func (result i64)))"#);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "imports wasi:random/random@0.2.0.get-random-u64 — the server provides only the modules \
         sdn, env and wasi_snapshot_preview1, so the load fails"
    );
}

#[test]
fn an_unknown_host_function_is_an_error() {
    let bytes = with_line(r#"(import "env" "abort" (func))"#);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "imports env.abort — the server's `env` module has only clock_now_ms, random_bytes, log, \
         so the load fails"
    );
}

#[test]
fn a_host_function_with_the_wrong_signature_is_an_error() {
    let bytes = variant(&[(
        r#"(import "sdn" "log" (func (param i32 i32 i32)))"#,
        r#"(import "sdn" "log" (func (param i32 i32)))"#,
    )]);
    assert_eq!(
        only_error(&check::check_module(&bytes)),
        "imports sdn.log as (i32, i32) -> (); the server provides it as (i32, i32, i32) -> (), \
         so the load fails"
    );
}

#[test]
fn an_imported_memory_is_an_error() {
    let bytes = variant(&[(
        r#"(memory (export "memory") 17)"#,
        r#"(import "env" "memory" (memory 17))
  (export "memory" (memory 0))"#,
    )]);
    let error = only_error(&check::check_module(&bytes)).to_owned();
    assert_eq!(
        error,
        "imports env.memory as a memory — the server provides only functions there"
    );
}

#[test]
fn a_plugin_over_its_budget_fails() {
    let bytes = variant(&[]);
    let size = bytes.len() as u64;
    assert!(check::check_bytes("x.wasm", &bytes, Some(size)).passed());
    let over = check::check_bytes("x.wasm", &bytes, Some(size - 10));
    assert_eq!(
        only_error(&over.findings),
        format!(
            "is {size} bytes, 10 over its budget of {} (BUDGETS in xtask/src/check.rs)",
            size - 10
        )
    );
}

#[test]
fn the_budgets_are_kept_in_one_table() {
    assert_eq!(check::budget("echo"), Some(6144));
    assert_eq!(check::budget("key-broker"), Some(49152));
    assert_eq!(check::budget("module-echo"), Some(49152));
    assert_eq!(check::budget("sgp4-propagator-command"), Some(114_688));
    assert_eq!(check::budget("unknown"), None);
}

#[test]
fn bytes_that_are_not_wasm_are_an_error() {
    let findings = check::check_module(b"\0asm\x01\0\0\0\x99");
    assert!(only_error(&findings).starts_with("is not a wasm module the server can load"));
    let findings = check::check_module(b"hello");
    assert!(only_error(&findings).starts_with("is not a wasm binary"));
}

#[test]
fn check_file_takes_the_budget_from_the_file_name() {
    let dir = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key-broker.wasm");
    std::fs::write(&path, variant(&[])).unwrap();
    let report = check::check_file(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(report.file, "key-broker.wasm");
    assert_eq!(report.budget, Some(49152));
    assert!(report.passed());
}
