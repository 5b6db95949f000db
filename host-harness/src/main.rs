//! `host-harness run PLUGIN.wasm ...`: load a plugin as the SDN server would,
//! init it, and print its public key, metadata, one response and its logs.
//! `host-harness serve PLUGIN.wasm ...`: serve it over HTTP as the server's
//! bridge does (src/serve.rs).
//! `host-harness stream PLUGIN.wasm --protocol ...`: one libp2p stream
//! exchange over stdin/stdout (src/stream_command.rs).
//! `host-harness invoke MODULE.wasm --method M ...`: one invoke of a module
//! (src/invoke_command.rs).
//! `host-harness inspect PLUGIN.wasm`: manifest, imports, exports as JSON
//! (src/inspect.rs).
//! `host-harness check PLUGIN.wasm [--budget BYTES]`: the conformance rules
//! (src/check_command.rs).
//!
//! `serve`, `stream` and `inspect` take a legacy plugin or a module
//! (src/artifact.rs tells them apart); `run` takes a legacy plugin, `invoke`
//! a module.
#![forbid(unsafe_code)]

#[macro_use]
mod stdout;

mod artifact;
mod check_command;
mod inspect;
mod invoke_command;
mod plugin_flags;
mod serve;
mod stream_command;

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use host_harness::Plugin;

use plugin_flags::{PluginArgs, PluginFlags};

const USAGE: &str = "\
usage: host-harness run PLUGIN.wasm [options]
       host-harness invoke MODULE.wasm --method M [--input PORT=FILE]... [options]
                                                  (see host-harness invoke --help)
       host-harness serve PLUGIN.wasm|MODULE.wasm [options]
                                                  (see host-harness serve --help)
       host-harness stream PLUGIN.wasm|MODULE.wasm --protocol P [options]
                                                  (see host-harness stream --help)
       host-harness inspect PLUGIN.wasm|MODULE.wasm
                                                  (see host-harness inspect --help)
       host-harness check PLUGIN.wasm|MODULE.wasm ... [--budget BYTES]
                                                  (see host-harness check --help)

run: loads the legacy PLUGIN.wasm the way the SDN server does, calls
plugin_init, then prints the public key, the metadata, and the status and
response (hex) of one plugin_handle_request, followed by everything the
plugin logged, what it wrote to stdout and stderr (which the server
discards) and the WASI functions it called (which get fake clocks and fixed
\"random\" bytes on the server).

options:
  --config-hex HEX      plugin_init config as hex (default: empty)
  --config-file FILE    plugin_init config read from FILE
  --request-hex HEX     request body as hex (default: empty)
  --request-file FILE   request body read from FILE
  --host NAME           HTTP Host passed to the plugin (default: empty, as over libp2p)
  --clock-ms N          fix sdn.clock_now_ms at N (default: the real clock)
  --random-hex HEX      the first bytes sdn.random_bytes hands out (then the OS's)
  --revision REV        host revision: original | challenge (default: challenge)
  -h, --help            this text";

/// The parsed command line of `run`.
#[derive(Debug)]
struct RunArgs {
    plugin: PluginArgs,
    request: Vec<u8>,
    host: String,
}

enum Command {
    Help,
    Run(RunArgs),
    ServeHelp,
    Serve(serve::ServeArgs),
    StreamHelp,
    Stream(stream_command::StreamArgs),
    InspectHelp,
    Inspect(inspect::InspectArgs),
    InvokeHelp,
    Invoke(invoke_command::InvokeArgs),
    CheckHelp,
    Check(check_command::CheckArgs),
}

fn main() -> ExitCode {
    match parse(std::env::args().skip(1)).and_then(|command| match command {
        Command::Help => {
            out!("{USAGE}");
            Ok(())
        }
        Command::Run(args) => run(&args),
        Command::ServeHelp => {
            out!("{}", serve::USAGE);
            Ok(())
        }
        Command::Serve(args) => serve::run(args),
        Command::StreamHelp => {
            out!("{}", stream_command::USAGE);
            Ok(())
        }
        Command::Stream(args) => stream_command::run(&args),
        Command::InspectHelp => {
            out!("{}", inspect::USAGE);
            Ok(())
        }
        Command::Inspect(args) => inspect::run(&args),
        Command::InvokeHelp => {
            out!("{}", invoke_command::USAGE);
            Ok(())
        }
        Command::Invoke(args) => invoke_command::run(&args),
        Command::CheckHelp => {
            out!("{}", check_command::USAGE);
            Ok(())
        }
        Command::Check(args) => check_command::run(&args),
    }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("host-harness: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Command> {
    match args.next().as_deref() {
        None | Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some("run") => {}
        Some("serve") => {
            return Ok(serve::parse(args)?.map_or(Command::ServeHelp, Command::Serve));
        }
        Some("stream") => {
            return Ok(stream_command::parse(args)?.map_or(Command::StreamHelp, Command::Stream));
        }
        Some("inspect") => {
            return Ok(inspect::parse(args)?.map_or(Command::InspectHelp, Command::Inspect));
        }
        Some("invoke") => {
            return Ok(invoke_command::parse(args)?.map_or(Command::InvokeHelp, Command::Invoke));
        }
        Some("check") => {
            return Ok(check_command::parse(args)?.map_or(Command::CheckHelp, Command::Check));
        }
        Some(other) => bail!("unknown command `{other}` (try --help)"),
    }
    let mut plugin = PluginFlags::default();
    let mut request = None;
    let mut host = String::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| anyhow!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--request-hex" | "--request-file" => {
                if request.is_some() {
                    bail!("give the request once (--request-hex or --request-file)");
                }
                request = Some(input(&arg, &value(&arg)?)?);
            }
            "--host" => host = value(&arg)?,
            other => {
                if !plugin.take(other, &mut args)? {
                    bail!("unknown option `{other}` (try --help)");
                }
            }
        }
    }
    Ok(Command::Run(RunArgs {
        plugin: plugin.finish("--help")?,
        request: request.unwrap_or_default(),
        host,
    }))
}

/// The bytes of a `--*-hex` or `--*-file` argument.
fn input(flag: &str, value: &str) -> Result<Vec<u8>> {
    if flag.ends_with("-file") {
        std::fs::read(value).with_context(|| format!("cannot read {value}"))
    } else {
        from_hex(value).with_context(|| format!("{flag}: not hex"))
    }
}

fn from_hex(text: &str) -> Result<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        bail!("odd number of digits");
    }
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair)?;
            Ok(u8::from_str_radix(pair, 16)?)
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a guest wrote to WASI stdout or stderr, one `NAME: line` per line
/// (invalid UTF-8 shown as U+FFFD); nothing when it wrote nothing.
fn print_stream(name: &str, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    for line in String::from_utf8_lossy(bytes).lines() {
        out!("{name}: {line}");
    }
}

fn run(args: &RunArgs) -> Result<()> {
    let mut plugin = args.plugin.load()?;
    let result = report(&mut plugin, args);
    for record in plugin.take_logs() {
        out!("log [{}] {}", record.level, record.message);
    }
    print_stream("stdout", plugin.stdout());
    print_stream("stderr", plugin.stderr());
    // WASI randomness and clocks are fakes on the server: show any use.
    let mut counted: Vec<(&str, usize)> = Vec::new();
    for &name in plugin.wasi_calls() {
        match counted.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => *count += 1,
            None => counted.push((name, 1)),
        }
    }
    for (name, count) in counted {
        out!("wasi call {name} x{count}");
    }
    result
}

fn report(plugin: &mut Plugin, args: &RunArgs) -> Result<()> {
    plugin
        .init(args.plugin.init_config())
        .context("plugin_init")?;
    let key = plugin.public_key().context("plugin_get_public_key")?;
    out!("public key: {}", hex(&key));
    let metadata = plugin.metadata().context("plugin_get_metadata")?;
    out!("metadata: {}", hex(&metadata));
    let response = plugin
        .handle_request(&args.request, &args.host)
        .context("plugin_handle_request")?;
    out!("status: {}", response.status);
    out!("response: {}", hex(&response.body));
    Ok(())
}
