//! `cargo xtask check [PLUGIN.wasm ...]`: will the SDN server load this plugin?
//!
//! The rules come from `docs/host-abi.md` (the server's runtime is Wazero 1.7
//! behind a Go loader): the required exports with their exact signatures,
//! imports only from what the host provides, memory within the 512-page cap,
//! WebAssembly 2.0 features only, no `_start`. On top of those, each example
//! has a size budget ([`BUDGETS`]), and must carry a verified plugin manifest
//! (the `sds.manifest` section; the rules are in `check/manifest.rs`).
//!
//! With no argument every example is checked (and built first if its
//! `target/plugins/<name>.wasm` is missing). Any error makes the command fail.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use wasmparser::{ExternalKind, TypeRef, ValType, Validator, WasmFeatures};

mod manifest;

use crate::build_examples::{self, plugin_path};
use crate::module::{Module, kind_name, signature, type_ref_name};
use crate::{display_path, thousands};

/// Size budgets in bytes, by example package name: the only place they live.
/// A plugin over its budget fails `check`. Raise one deliberately, in the
/// commit that explains what the bytes bought.
pub const BUDGETS: &[(&str, u64)] = &[
    ("echo", 4 * 1024),        // 4 KiB
    ("key-broker", 48 * 1024), // 48 KiB
];

/// The server's memory cap, in 64 KiB pages (32 MiB).
pub const MAX_MEMORY_PAGES: u64 = 512;

/// The wasm features the server's runtime (Wazero 1.7) implements:
/// WebAssembly 2.0 — bulk memory, sign extension, multi-value, non-trapping
/// float-to-int, reference types, SIMD, mutable globals (plus wasmparser's
/// "floats" and "gc types" baseline flags, which every module needs).
pub const SERVER_FEATURES: WasmFeatures = WasmFeatures::WASM2;

/// Features beyond [`SERVER_FEATURES`] a module might use, with the names a
/// finding gives them.
const UNSUPPORTED_FEATURES: &[(&str, WasmFeatures)] = &[
    ("extended-const", WasmFeatures::EXTENDED_CONST),
    ("threads", WasmFeatures::THREADS),
    ("exception handling", WasmFeatures::EXCEPTIONS),
    ("legacy exception handling", WasmFeatures::LEGACY_EXCEPTIONS),
    ("tail calls", WasmFeatures::TAIL_CALL),
    ("memory64", WasmFeatures::MEMORY64),
    ("multi-memory", WasmFeatures::MULTI_MEMORY),
    ("relaxed SIMD", WasmFeatures::RELAXED_SIMD),
    ("function references", WasmFeatures::FUNCTION_REFERENCES),
    ("GC", WasmFeatures::GC),
    ("wide arithmetic", WasmFeatures::WIDE_ARITHMETIC),
    ("custom page sizes", WasmFeatures::CUSTOM_PAGE_SIZES),
];

use ValType::{I32, I64};

/// A wasm signature: parameters, results.
type Sig = (&'static [ValType], &'static [ValType]);

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

/// The host functions, registered under both `sdn` and `env`.
const HOST_IMPORTS: &[(&str, Sig)] = &[
    ("clock_now_ms", (&[], &[I64])),
    ("random_bytes", (&[I32, I32], &[I32])),
    ("log", (&[I32, I32, I32], &[])),
];

/// The module names the host functions are registered under.
const HOST_MODULES: &[&str] = &["sdn", "env"];

/// The WASI module the server instantiates (Wazero's full preview 1).
const WASI: &str = "wasi_snapshot_preview1";

/// Every `wasi_snapshot_preview1` function with its core signature
/// (`u64` timestamps, sizes, rights and cookies are `i64`; all else `i32`).
/// An import outside this table, or with another signature, fails the load.
const WASI_FUNCTIONS: &[(&str, Sig)] = &[
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

/// How bad a [`Finding`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Loads today, but is a trap for later (or for the later server).
    Warning,
    /// The server refuses the module, or it would misbehave there.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem with a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and why it matters, without the module's name:
    /// `imports wasi_snapshot_preview1.random_get — …`.
    pub message: String,
}

impl Finding {
    fn error(message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Error,
            message: message.into(),
        }
    }

    fn warning(message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

/// The result of checking one plugin file.
#[derive(Clone, Debug)]
pub struct Report {
    /// The file's name (`echo.wasm`).
    pub file: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its size budget, when it has one (see [`BUDGETS`]).
    pub budget: Option<u64>,
    /// Every finding, errors and warnings, in the order found.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The number of findings of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether the check passed: no errors (warnings allowed).
    pub fn passed(&self) -> bool {
        self.count(Severity::Error) == 0
    }

    /// The summary line: `echo.wasm: 3,210 bytes (budget 4,096): ok`.
    pub fn summary(&self) -> String {
        let budget = match self.budget {
            Some(b) => format!(" (budget {})", thousands(b)),
            None => " (no budget)".to_owned(),
        };
        let (errors, warnings) = (self.count(Severity::Error), self.count(Severity::Warning));
        let verdict = match (errors, warnings) {
            (0, 0) => "ok".to_owned(),
            (0, w) => format!("ok, {}", plural(w, "warning")),
            (e, 0) => format!("FAILED, {}", plural(e, "error")),
            (e, w) => format!("FAILED, {}, {}", plural(e, "error"), plural(w, "warning")),
        };
        format!(
            "{}: {} bytes{budget}: {verdict}",
            self.file,
            thousands(self.size)
        )
    }
}

impl fmt::Display for Report {
    /// One line per finding (`error: echo.wasm: …`), then the summary line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(
                f,
                "{}: {}: {}",
                finding.severity, self.file, finding.message
            )?;
        }
        write!(f, "{}", self.summary())
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The size budget of the example called `name` (a package name, `echo`).
pub fn budget(name: &str) -> Option<u64> {
    BUDGETS.iter().find(|(n, _)| *n == name).map(|&(_, b)| b)
}

/// Checks a module against everything the server requires (size budgets aside).
pub fn check_module(bytes: &[u8]) -> Vec<Finding> {
    let module = match Module::parse(bytes) {
        Ok(m) => m,
        Err(e) => {
            return vec![Finding::error(format!(
                "is not a wasm module the server can load: {e:#}"
            ))];
        }
    };
    let mut findings = Vec::new();
    check_exports(&module, &mut findings);
    check_imports(&module, &mut findings);
    let reported = check_memories(&module, &mut findings);
    check_features(bytes, reported, &mut findings);
    manifest::check_manifest(bytes, &module, &mut findings);
    findings
}

/// Checks `bytes` as the plugin file `file`, with `budget` if any.
pub fn check_bytes(file: &str, bytes: &[u8], budget: Option<u64>) -> Report {
    let size = bytes.len() as u64;
    let mut findings = check_module(bytes);
    if let Some(budget) = budget
        && size > budget
    {
        findings.push(Finding::error(format!(
            "is {} bytes, {} over its budget of {} (BUDGETS in xtask/src/check.rs)",
            thousands(size),
            thousands(size - budget),
            thousands(budget)
        )));
    }
    Report {
        file: file.to_owned(),
        size,
        budget,
        findings,
    }
}

/// Checks the plugin file at `path`; its budget is looked up by file stem
/// (`key-broker.wasm` → `key-broker`).
pub fn check_file(path: &Path) -> Result<Report> {
    let bytes = fs::read(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(check_bytes(&file, &bytes, budget(&stem)))
}

/// Checks the plugins named by `args`: `.wasm` paths, or example names
/// (`echo`), or every example when `args` is empty; an example not built yet
/// is built first. Returns one report per plugin; the caller decides what
/// failing means (see [`Report::passed`]).
pub fn run(args: &[PathBuf]) -> Result<Vec<Report>> {
    let (examples, files) = build_examples::examples_and_files(args)?;
    let missing: Vec<String> = examples
        .iter()
        .filter(|e| !plugin_path(&e.package).is_file())
        .map(|e| e.package.clone())
        .collect();
    if !missing.is_empty() {
        println!("xtask: not built yet: {}; building", missing.join(", "));
        build_examples::run_only(&missing)?;
    }
    let mut reports = Vec::new();
    for example in &examples {
        let mut report = check_file(&plugin_path(&example.package))?;
        if report.budget.is_none() {
            report.findings.push(Finding::warning(format!(
                "has no size budget; add `(\"{}\", BYTES)` to BUDGETS in xtask/src/check.rs",
                example.package
            )));
        }
        reports.push(report);
    }
    for file in &files {
        reports.push(check_file(file)?);
    }
    Ok(reports)
}

/// The command line: `check [PLUGIN.wasm | EXAMPLE ...]`; fails on any error.
pub fn cli(args: &[String]) -> Result<()> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        bail!("check: unknown option `{flag}` (usage: check [PLUGIN.wasm | EXAMPLE ...])");
    }
    let paths: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    let reports = run(&paths)?;
    for report in &reports {
        println!("{report}");
    }
    let failed: Vec<&str> = reports
        .iter()
        .filter(|r| !r.passed())
        .map(|r| r.file.as_str())
        .collect();
    if !failed.is_empty() {
        bail!("check failed for {}", failed.join(", "));
    }
    if paths.is_empty() {
        println!(
            "all {} examples pass ({})",
            reports.len(),
            display_path(&build_examples::plugins_dir())
        );
    }
    Ok(())
}

/// Required exports, `memory`, `plugin_request_challenge`, no `_start`.
fn check_exports(module: &Module, findings: &mut Vec<Finding>) {
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
    match module.export("memory") {
        None => findings.push(Finding::error(
            "does not export its memory as `memory` — the server refuses to load it",
        )),
        Some(e) if e.kind != ExternalKind::Memory => findings.push(Finding::error(format!(
            "exports `memory` as {}, not a memory — the server refuses to load it",
            kind_name(e.kind)
        ))),
        Some(_) => {}
    }
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
fn check_imports(module: &Module, findings: &mut Vec<Finding>) {
    let mut other_wasi = Vec::new();
    for import in &module.imports {
        let full = format!("{}.{}", import.module, import.name);
        let provided: &[(&str, Sig)] = if HOST_MODULES.contains(&import.module.as_str()) {
            HOST_IMPORTS
        } else if import.module == WASI {
            WASI_FUNCTIONS
        } else {
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
        let Some(&(_, sig)) = provided.iter().find(|(n, _)| *n == import.name) else {
            let what = if import.module == WASI {
                format!("{WASI} has no such function")
            } else {
                let names: Vec<&str> = HOST_IMPORTS.iter().map(|(n, _)| *n).collect();
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
            && (actual.params() != sig.0 || actual.results() != sig.1)
        {
            findings.push(Finding::error(format!(
                "imports {full} as {}; the server provides it as {}, so the load fails",
                signature(actual.params(), actual.results()),
                signature(sig.0, sig.1)
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

/// Memory within the server's cap, 32-bit, unshared. Returns the features
/// already reported here, so the feature check does not repeat them.
fn check_memories(module: &Module, findings: &mut Vec<Finding>) -> WasmFeatures {
    let mut reported = WasmFeatures::empty();
    for memory in &module.memories {
        if memory.memory64 {
            reported |= WasmFeatures::MEMORY64;
            findings.push(Finding::error(
                "declares a 64-bit memory (memory64) — the server's runtime supports only 32-bit memories",
            ));
        }
        if memory.shared {
            reported |= WasmFeatures::THREADS;
            findings.push(Finding::error(
                "declares a shared memory (threads) — the server's runtime does not support it",
            ));
        }
        if memory.initial > MAX_MEMORY_PAGES {
            findings.push(Finding::error(format!(
                "declares an initial memory of {} pages; the server caps memory at \
                 {MAX_MEMORY_PAGES} pages (32 MiB) and refuses the module",
                memory.initial
            )));
        }
        if let Some(max) = memory.maximum
            && max > MAX_MEMORY_PAGES
        {
            findings.push(Finding::error(format!(
                "declares a maximum memory of {max} pages; the server caps memory at \
                 {MAX_MEMORY_PAGES} pages (32 MiB) and refuses the module"
            )));
        }
    }
    reported
}

/// Validates with the server's feature set; on failure, names the features
/// the module needs beyond it (those whose removal breaks an otherwise
/// passing validation), except those in `reported`.
fn check_features(bytes: &[u8], reported: WasmFeatures, findings: &mut Vec<Finding>) {
    let Err(strict) = Validator::new_with_features(SERVER_FEATURES).validate_all(bytes) else {
        return;
    };
    let mut known = SERVER_FEATURES;
    for &(_, feature) in UNSUPPORTED_FEATURES {
        known |= feature;
    }
    if let Err(e) = Validator::new_with_features(known).validate_all(bytes) {
        findings.push(Finding::error(format!("is not a valid wasm module: {e}")));
        return;
    }
    let needed: Vec<&str> = UNSUPPORTED_FEATURES
        .iter()
        .filter(|&&(_, feature)| {
            Validator::new_with_features(known.difference(feature))
                .validate_all(bytes)
                .is_err()
        })
        .filter(|&&(_, feature)| !reported.contains(feature))
        .map(|&(name, _)| name)
        .collect();
    if needed.is_empty() && !reported.is_empty() {
        return;
    }
    let what = if needed.is_empty() {
        "features beyond WebAssembly 2.0".to_owned()
    } else {
        format!(
            "the {} feature{}",
            needed.join(", "),
            if needed.len() == 1 { "" } else { "s" }
        )
    };
    findings.push(Finding::error(format!(
        "uses {what}, which the server's runtime (Wazero 1.7, WebAssembly 2.0) rejects ({strict}); \
         build with `cargo xtask build-examples` so .cargo/config.toml's wasm feature flags apply"
    )));
}
