//! `cargo xtask check [PLUGIN.wasm ...]`: will the hosts load this plugin?
//!
//! The rules are the `sdn-pdk-check` crate's (`sdn-pdk/check/`), which
//! `host-harness check` and a plugin's own tests run too; this module adds
//! the examples and their size budgets.
//!
//! A file is one of two kinds, told apart by its exports ([`Kind::of`]): a
//! **module** (the module ABI of `docs/module-abi.md`: `plugin_invoke_stream`
//! / `plugin_alloc`, a `$PLG` manifest; the newest server and the module
//! SDK's hosts load it) or a **legacy plugin** (the `plugin_*` ABI of
//! `docs/host-abi.md`, which the server's Wazero runtime loads). Each is
//! judged by its own rules:
//!
//! * legacy (`sdn-pdk/check/src/legacy.rs`, `manifest.rs`): the required exports
//!   with their exact signatures, imports only from what the host provides,
//!   memory within the 512-page cap, WebAssembly 2.0 features only, no
//!   `_start`, a verified `PMAN` manifest in `sds.manifest`;
//! * module (`sdn-pdk/check/src/module.rs`, `plg_rules.rs`): the invoke and
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

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
pub use sdn_pdk_check::{
    Finding, Kind, MAX_MEMORY_PAGES, Options, Report, SERVER_FEATURES, Severity, check_module,
};

use crate::build_examples::{self, Example, plugin_path};
use crate::display_path;

/// Where the examples' budgets live, as an over-budget error names it.
const BUDGET_ORIGIN: &str = "BUDGETS in xtask/src/check.rs";

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

/// The size budget of the example called `name` (a package name, `echo`).
pub fn budget(name: &str) -> Option<u64> {
    BUDGETS.iter().find(|(n, _)| *n == name).map(|&(_, b)| b)
}

/// Checks `bytes` as the plugin file `file`, with `budget` if any (named
/// as [`BUDGETS`] in an over-budget error).
pub fn check_bytes(file: &str, bytes: &[u8], budget: Option<u64>) -> Report {
    let options = Options {
        budget,
        budget_origin: Some(BUDGET_ORIGIN.to_owned()),
    };
    sdn_pdk_check::check_bytes(file, bytes, &options)
}

/// Checks the plugin file at `path`; its budget is looked up by file stem
/// (`key-broker.wasm` → `key-broker`).
pub fn check_file(path: &Path) -> Result<Report> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
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
