//! The conformance checker of [sdn-pdk]: will the hosts load this `.wasm`?
//!
//! A file is one of two kinds, told apart by its exports ([`Kind::of`]): a
//! **module** (the Space Data module ABI: `plugin_invoke_stream` /
//! `plugin_alloc`, a `$PLG` manifest; the newest SDN server and the module
//! SDK's hosts load it) or a **legacy plugin** (the `plugin_*` ABI the
//! server's Wazero runtime loads). Each is judged by its own rules:
//!
//! * legacy: the required exports with their exact signatures, imports only
//!   from what the host provides (WASI `random_get` and `clock_time_get` are
//!   errors: fakes on the server), memory within the 512-page cap,
//!   WebAssembly 2.0 features only, no `_start`, a verified `PMAN` manifest
//!   in `sds.manifest`;
//! * module: the invoke and manifest exports with their signatures, portable
//!   imports only, memory within the server's 4096-page cap, a `$PLG`
//!   manifest in `sds.manifest` and behind the accessor exports,
//!   byte-identical, that passes what the module SDK's validator requires,
//!   and no `PMAN` bytes anywhere.
//!
//! On top of those, an optional size budget ([`Options::budget`]). A file
//! that is not a release `.wasm` at all (an `.rlib`, a native library, a
//! debug build) is told what to build instead.
//!
//! ```no_run
//! use sdn_pdk_check::{Options, check_file};
//!
//! let options = Options { budget: Some(16 * 1024), ..Options::default() };
//! let report = check_file("target/wasm32-wasip1/release/my_plugin.wasm".as_ref(), &options)?;
//! println!("{report}"); // one line per finding, then `my_plugin.wasm: 4,210 bytes (budget 16,384): ok`
//! assert!(report.passed(), "{report}");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! The same checker runs as `host-harness check` (the `cli` feature of
//! host-harness), as `host_harness::check` in a plugin's tests, and as
//! `cargo xtask check` in the sdn-pdk workspace.
//!
//! [sdn-pdk]: https://github.com/DigitalArsenal/sdn-pdk
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::fmt;
use std::fs;
use std::path::Path;

use wasmparser::WasmFeatures;

mod artifact;
mod legacy;
mod manifest;
mod module;
pub mod parsed;
mod plg_rules;
mod plg_wiring;
mod sha256;
mod wasm;

use parsed::Module;

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
    /// An error: the hosts refuse the file, or it would misbehave there.
    pub fn error(message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning: it loads today, but is a trap for later.
    pub fn warning(message: impl Into<String>) -> Finding {
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
    /// Its size budget, when it has one ([`Options::budget`]).
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

/// How a check is run: what the file may weigh.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// The file's size budget in bytes: over it is an error. `None`: no
    /// budget (the summary says so).
    pub budget: Option<u64>,
    /// Where the budget is set, named in the over-budget error so the reader
    /// knows what to change (`--budget`, `BUDGETS in xtask/src/check.rs`).
    pub budget_origin: Option<String>,
}

/// Checks a file against everything its hosts require (size budgets
/// aside), by the rules of its [`Kind`]. A file that is not a core wasm
/// module gets one error saying what it is and what to build instead.
pub fn check_module(bytes: &[u8]) -> Vec<Finding> {
    if let Some(wrong) = artifact::not_a_wasm_module(bytes) {
        return vec![Finding::error(wrong)];
    }
    let module = match Module::parse(bytes) {
        Ok(m) => m,
        Err(e) => {
            return vec![Finding::error(format!(
                "is not a wasm module the server can load: {e}"
            ))];
        }
    };
    let mut findings = Vec::new();
    if let Some(debug) = artifact::debug_build(&module) {
        findings.push(Finding::error(debug));
    }
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

/// Checks `bytes` as the plugin file called `file` (the name the report
/// shows), with the budget of `options`.
pub fn check_bytes(file: &str, bytes: &[u8], options: &Options) -> Report {
    let size = bytes.len() as u64;
    let mut findings = check_module(bytes);
    if let Some(budget) = options.budget
        && size > budget
    {
        let origin = options
            .budget_origin
            .as_ref()
            .map(|origin| format!(" ({origin})"))
            .unwrap_or_default();
        findings.push(Finding::error(format!(
            "is {} bytes, {} over its budget of {}{origin}",
            thousands(size),
            thousands(size - budget),
            thousands(budget)
        )));
    }
    Report {
        file: file.to_owned(),
        size,
        budget: options.budget,
        kind: Kind::of(bytes),
        findings,
    }
}

/// Checks the file at `path`; the report names it by its file name. Fails
/// only when the file cannot be read.
pub fn check_file(path: &Path, options: &Options) -> std::io::Result<Report> {
    let bytes = fs::read(path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("reading {}: {e}", path.display())))?;
    let file = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(check_bytes(&file, &bytes, options))
}

/// `n` with its digits grouped by commas: `4,096`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4096), "4,096");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
