//! `cargo xtask <command> [args]`: see `cargo xtask help`.
//!
//! This file only dispatches. A new command is one file in `src/` with its
//! `run` (the library function) and `cli` (argument handling), a `pub mod`
//! line in `lib.rs`, and one line in [`COMMANDS`].
#![forbid(unsafe_code)]

use std::process::ExitCode;

use anyhow::Result;
use xtask::{build_examples, check, ci, flatc, new, size, test};

/// One command: its name, its arguments, a line of help, and its entry point.
struct Command {
    name: &'static str,
    args: &'static str,
    about: &'static str,
    cli: fn(&[String]) -> Result<()>,
}

const COMMANDS: &[Command] = &[
    Command {
        name: "test",
        args: "[CARGO TEST ARGS ...]",
        about: "the README's test command: install or find what the tests need (the wasm32-wasip1 \
                target, flatc 25.12.19, Chromium), then `cargo test --workspace`",
        cli: test::cli,
    },
    Command {
        name: "build-examples",
        args: "[EXAMPLE ...]",
        about: "build the example plugins for wasm32-wasip1 into target/plugins/<name>.wasm",
        cli: build_examples::cli,
    },
    Command {
        name: "check",
        args: "[PLUGIN.wasm | EXAMPLE ...]",
        about: "check plugins against the server's ABI, wasm features and size budgets \
                (default: every example, built if missing)",
        cli: check::cli,
    },
    Command {
        name: "size",
        args: "[PLUGIN.wasm | EXAMPLE ...]",
        about: "print plugin sizes and their largest functions (default: every example)",
        cli: size::cli,
    },
    Command {
        name: "new",
        args: "NAME [--module] [--path DIR] [--sdk-path PATH]",
        about: "write a new plugin crate, or a module crate with --module (builds, tests and \
                checks as generated), into DIR (default ../NAME beside the checkout); sdn-pdk \
                by version, or from the checkout at PATH",
        cli: new::cli,
    },
    Command {
        name: "new-plugin-cost",
        args: "[--module] [--keep]",
        about: "time a new plugin's cold first `cargo test` (fresh target dir) and size its target/",
        cli: xtask::new_plugin_cost::cli,
    },
    Command {
        name: "package-check",
        args: "[--keep]",
        about: "cargo publish --dry-run of sdn-pdk-schemas, sdn-pdk-macros, sdn-pdk and \
                host-harness, then a new plugin and module built and tested offline against \
                their .crate files in a local registry",
        cli: xtask::package_check::cli,
    },
    Command {
        name: "flatc",
        args: "[--check]",
        about: "regenerate sdn-pdk/schemas/src/generated from its .fbs files with flatc 25.12.19 \
                (--check: fail if they differ)",
        cli: flatc::cli,
    },
    Command {
        name: "bench",
        args: "[--runs N] [FILTER]",
        about: "run host-harness's benchmarks (N times: each ratio's range), then print their ratios and the plugin sizes",
        cli: xtask::bench::cli,
    },
    Command {
        name: "soak",
        args: "[--echo N] [--key-broker M] [--seed S] [--key-pool K]",
        about: "flood the examples with checked requests in release (default 1,000,000 echo, \
                100,000 key broker); fails on any wrong response or memory growth",
        cli: xtask::soak::cli,
    },
    Command {
        name: "fuzz",
        args: "[--seconds N] [TARGET ...]",
        about: "run each cargo-fuzz target in fuzz/ for N seconds (default 60; \
                needs nightly and cargo-fuzz)",
        cli: xtask::fuzz::cli,
    },
    Command {
        name: "ci",
        args: "",
        about: "run every check CI runs besides `cargo test --workspace` \
                (fmt, clippy host + wasm, docs, no_std build, build-examples, check)",
        cli: ci::cli,
    },
    Command {
        name: "help",
        args: "",
        about: "print this help",
        cli: help,
    },
];

fn help(_args: &[String]) -> Result<()> {
    println!("{}", usage());
    Ok(())
}

fn usage() -> String {
    let mut text = String::from("usage: cargo xtask <command> [args]\n\ncommands:\n");
    let width = COMMANDS
        .iter()
        .map(|c| c.name.len() + 1 + c.args.len())
        .max()
        .unwrap_or(0);
    for c in COMMANDS {
        let head = format!("{} {}", c.name, c.args);
        text.push_str(&format!("  {head:<width$}  {}\n", c.about));
    }
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, rest)) = args.split_first() else {
        eprint!("{}", usage());
        return ExitCode::FAILURE;
    };
    let name = match name.as_str() {
        "-h" | "--help" => "help",
        other => other,
    };
    let Some(command) = COMMANDS.iter().find(|c| c.name == name) else {
        eprintln!("error: unknown command `{name}`\n");
        eprint!("{}", usage());
        return ExitCode::FAILURE;
    };
    match (command.cli)(rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
