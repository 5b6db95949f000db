//! `host-harness check PLUGIN.wasm ... [--budget BYTES]`: will the hosts load
//! it? The conformance rules of `sdn-pdk-check` (`host_harness::check`), run
//! from anywhere, a plugin crate's own directory above all.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use host_harness::check::{self, Options};

pub const USAGE: &str = "\
usage: host-harness check PLUGIN.wasm|MODULE.wasm ... [--budget BYTES]

Checks each file against what its hosts require: a legacy plugin against
the SDN server's Wazero runtime (the plugin_* exports and signatures, the
sdn imports, no WASI randomness or clocks, 512 pages of memory,
WebAssembly 2.0, a PMAN manifest), a module against the server's module
runtime and the module SDK's hosts (the invoke exports, portable imports,
4096 pages, a $PLG manifest in the section and behind the accessors, the
SDK validator's rules). Prints one line per finding and a summary line per
file; exits 1 when any file has an error. An .rlib, a native library or a
debug build is told which build to make instead.

options:
  --budget BYTES        fail a file bigger than BYTES
  -h, --help            this text";

/// The parsed command line of `check`.
#[derive(Debug)]
pub struct CheckArgs {
    files: Vec<PathBuf>,
    budget: Option<u64>,
}

/// `None` for `--help`.
pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<CheckArgs>> {
    let mut files = Vec::new();
    let mut budget = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--budget" => {
                let value = args
                    .next()
                    .ok_or_else(|| anyhow!("--budget needs a number of bytes"))?;
                let bytes = value
                    .replace('_', "")
                    .parse::<u64>()
                    .map_err(|_| anyhow!("--budget: `{value}` is not a number of bytes"))?;
                budget = Some(bytes);
            }
            flag if flag.starts_with('-') => bail!("unknown option `{flag}` (try --help)"),
            path => files.push(PathBuf::from(path)),
        }
    }
    if files.is_empty() {
        bail!("no file given (try --help)");
    }
    Ok(Some(CheckArgs { files, budget }))
}

/// Checks every file; fails naming those with an error.
pub fn run(args: &CheckArgs) -> Result<()> {
    let options = Options {
        budget: args.budget,
        budget_origin: Some("--budget".to_owned()),
    };
    let mut failed = Vec::new();
    for file in &args.files {
        let report = check::check_file(file, &options)?;
        out!("{report}");
        if !report.passed() {
            failed.push(report.file);
        }
    }
    if !failed.is_empty() {
        bail!("check failed for {}", failed.join(", "));
    }
    Ok(())
}
