//! `cargo xtask check [PLUGIN.wasm ...]`: will the hosts load this plugin?
//!
//! A file is one of two kinds, told apart by its exports ([`Kind::of`]): a
//! **module** (the module ABI of `docs/module-abi.md`: `plugin_invoke_stream`
//! / `plugin_alloc`, a `$PLG` manifest; the newest server and the module
//! SDK's hosts load it) or a **legacy plugin** (the `plugin_*` ABI of
//! `docs/host-abi.md`, which the server's Wazero runtime loads). Each is
//! judged by its own rules:
//!
//! * legacy (`check/legacy.rs`, `check/manifest.rs`): the required exports
//!   with their exact signatures, imports only from what the host provides,
//!   memory within the 512-page cap, WebAssembly 2.0 features only, no
//!   `_start`, a verified `PMAN` manifest in `sds.manifest`;
//! * module (`check/module.rs`, `check/plg_rules.rs`): the invoke and
//!   manifest exports with their signatures, portable imports only, memory
//!   within the server's 4096-page cap, a `$PLG` manifest in `sds.manifest`
//!   and behind the accessor exports, byte-identical, that passes what the
//!   module SDK's validator requires, and no `PMAN` bytes anywhere.
//!
//! On top of those, each example has a size budget ([`BUDGETS`]).
//!
//! With no argument every example is checked, with the `-command` variant of
//! a crate that has a `command` feature (each built first if its
//! `target/plugins/<name>.wasm` is missing). Any error makes the command
//! fail.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use wasmparser::WasmFeatures;

mod legacy;
mod manifest;
mod module;
mod plg_rules;
mod plg_wiring;
mod sha256;
mod wasm;

use crate::build_examples::{self, Example, plugin_path};
use crate::module::Module;
use crate::{display_path, thousands};

/// Size budgets in bytes, by example package name: the only place they live.
/// A plugin over its budget fails `check`. Raise one deliberately, in the
/// commit that explains what the bytes bought.
pub const BUDGETS: &[(&str, u64)] = &[
    // 3.3 KB before the host was distrusted; the live-block table behind
    // `free` (~1.4 KB) and the validated host ranges (~0.6 KB) took it to
    // 5.3 KB.
    ("echo", 6 * 1024),        // 6 KiB
    ("key-broker", 48 * 1024), // 48 KiB
    // The module glue: the PIV verifier and encoder (flatbuffers), the
    // request rules, the live-block table. 42.3 KB measured.
    ("module-echo", 48 * 1024),
    ("module-echo-command", 48 * 1024),
    // SGP4 and the OEM builder (~29 KB), libm (~10 KB), flatbuffers, the
    // module glue and the hostcall JSON reader. 108 KB measured.
    ("sgp4-propagator", 112 * 1024),
    ("sgp4-propagator-command", 112 * 1024),
];

/// The legacy server's memory cap, in 64 KiB pages (32 MiB); a module's is
/// `sdn_pdk_schemas::hosts::server::MAX_MEMORY_PAGES` (4096, 256 MiB).
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
    /// The rules that judged it; `None` when it is not a core wasm module.
    pub kind: Option<Kind>,
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

    /// The summary line: `echo.wasm: 3,210 bytes (budget 4,096): ok`, with
    /// ` (module)` after the file name of a module.
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
        let kind = match self.kind {
            Some(Kind::Module) => " (module)",
            Some(Kind::Legacy) | None => "",
        };
        format!(
            "{}{kind}: {} bytes{budget}: {verdict}",
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

/// Which ABI a file follows, and so which rules judge it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The legacy `plugin_*` ABI (`docs/host-abi.md`).
    Legacy,
    /// The module ABI (`docs/module-abi.md`).
    Module,
}

impl Kind {
    /// The kind of `bytes`: a module when it exports `plugin_invoke_stream`
    /// or `plugin_alloc`, or when its `sds.manifest` section is a `$PLG` (a
    /// command-only module has neither export); otherwise legacy. `None` when
    /// `bytes` is not a core wasm module.
    pub fn of(bytes: &[u8]) -> Option<Kind> {
        let module = Module::parse(bytes).ok()?;
        Some(Kind::of_parsed(bytes, &module))
    }

    fn of_parsed(bytes: &[u8], module: &Module) -> Kind {
        if module::is_module(bytes, module) {
            Kind::Module
        } else {
            Kind::Legacy
        }
    }
}

/// Checks a file against everything its hosts require (size budgets
/// aside), by the rules of its [`Kind`].
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
    match Kind::of_parsed(bytes, &module) {
        Kind::Module => module::check(bytes, &module, &mut findings),
        Kind::Legacy => {
            legacy::check_exports(&module, &mut findings);
            legacy::check_imports(&module, &mut findings);
            let reported = wasm::check_memories(&module, MAX_MEMORY_PAGES, &mut findings);
            wasm::check_features(
                bytes,
                reported,
                "which the server's runtime (Wazero 1.7, WebAssembly 2.0) rejects",
                &mut findings,
            );
            manifest::check_manifest(bytes, &module, &mut findings);
        }
    }
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
        kind: Kind::of(bytes),
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

/// The plugin files built from `example`: `<package>.wasm` and, for a crate
/// with a `command` feature, `<package>-command.wasm` (what
/// `build-examples` writes), each with its file stem.
fn example_plugins(example: &Example) -> Vec<(String, PathBuf)> {
    let mut names = vec![example.package.clone()];
    if example.has_command_feature {
        names.push(format!(
            "{}-{}",
            example.package,
            build_examples::COMMAND_FEATURE
        ));
    }
    names
        .into_iter()
        .map(|name| {
            let path = plugin_path(&name);
            (name, path)
        })
        .collect()
}

/// Checks the plugins named by `args`: `.wasm` paths, or example names
/// (`echo`), or every example when `args` is empty (with its `-command`
/// variant, if any); an example not built yet is built first. Returns one
/// report per plugin; the caller decides what failing means (see
/// [`Report::passed`]).
pub fn run(args: &[PathBuf]) -> Result<Vec<Report>> {
    let (examples, files) = build_examples::examples_and_files(args)?;
    let missing: Vec<String> = examples
        .iter()
        .filter(|e| example_plugins(e).iter().any(|(_, path)| !path.is_file()))
        .map(|e| e.package.clone())
        .collect();
    if !missing.is_empty() {
        println!("xtask: not built yet: {}; building", missing.join(", "));
        build_examples::run_only(&missing)?;
    }
    let mut reports = Vec::new();
    for example in &examples {
        for (name, path) in example_plugins(example) {
            let mut report = check_file(&path)?;
            if report.budget.is_none() {
                report.findings.push(Finding::warning(format!(
                    "has no size budget; add `(\"{name}\", BYTES)` to BUDGETS in xtask/src/check.rs"
                )));
            }
            reports.push(report);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn example(package: &str, has_command_feature: bool) -> Example {
        Example {
            package: package.to_owned(),
            lib_name: package.replace('-', "_"),
            dir: PathBuf::from("examples").join(package),
            has_command_feature,
        }
    }

    #[test]
    fn an_example_with_a_command_feature_is_checked_twice() {
        let names = |e: &Example| -> Vec<(String, PathBuf)> { example_plugins(e) };
        assert_eq!(
            names(&example("echo", false)),
            vec![("echo".to_owned(), plugin_path("echo"))]
        );
        assert_eq!(
            names(&example("module-echo", true)),
            vec![
                ("module-echo".to_owned(), plugin_path("module-echo")),
                (
                    "module-echo-command".to_owned(),
                    plugin_path("module-echo-command")
                ),
            ]
        );
    }
}
