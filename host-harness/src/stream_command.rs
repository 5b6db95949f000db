//! `host-harness stream PLUGIN.wasm|MODULE.wasm --protocol P ...`: one
//! libp2p stream exchange over standard input and output (the handlers are
//! the library's [`host_harness::stream`] for a legacy plugin and
//! [`host_harness::Module::handle_protocol_stream`] for a module).

use std::io::{Read as _, Write as _};

use anyhow::{Context as _, Result, anyhow, bail};
use host_harness::module::StreamOutcome;
use host_harness::stream;

use crate::plugin_flags::{Loaded, PluginArgs, PluginFlags};

pub const USAGE: &str = "\
usage: host-harness stream PLUGIN.wasm --protocol key-broker|public-key [options]
       host-harness stream MODULE.wasm --protocol ID [options]

Plays one exchange of the SDN server's libp2p stream handlers, with standard
input and output as the stream (there is no network transport here; the real
one is libp2p).

A legacy plugin: loads PLUGIN.wasm, calls plugin_init with the config, then

  key-broker   reads one KeyBrokerRequest (OBKQ) from standard input to its
               end, calls plugin_handle_request(packet, host = \"\") and writes
               the KeyBrokerResponse (OBKS) to standard output
  public-key   reads nothing and writes a PublicKeyResponse (OBPK) with
               plugin_get_public_key's bytes

Where the server would close the stream without a reply (an empty message or
one above 16 KiB, a wrong file identifier, an empty packet, a failing
plugin_get_public_key), nothing is written.

A module (it exports plugin_invoke_stream): ID is one of the protocols its
$PLG auto-installs (its wire id, else its protocol id). Reads the message
from standard input to its end and invokes the protocol's method as the
server does (one frame on port request, no type ref), then writes the
payload of output `response` (else the first output). Where the server would
close the stream without a reply (an empty message or one above 16 KiB, a
failed invoke, a non-zero status or an error code, no or an empty output),
nothing is written and the reason goes to standard error.

Either way the exit status is 0; a bad module, argument, unknown protocol or
plugin_init failure is an error.

options:
  --protocol P          the stream (required)
  --clock-ms N          fix every clock at N ms since the epoch (default: the real clock)
  --random-hex HEX      the first random bytes handed out (then the OS's)
legacy plugins:
  --config-hex HEX      plugin_init config as hex (default: empty)
  --config-file FILE    plugin_init config read from FILE
  --revision REV        host revision: original | challenge (default: challenge)
modules:
  --host HOST           server | sdk (default: server)
  --config-json JSON    what plugin.getConfig answers (default: {})
  --approve-sha256 HEX  an operator-approved module SHA-256 (repeatable)
  -h, --help            this text";

/// Which legacy stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `/orbpro/key-broker/1.0.0`.
    KeyBroker,
    /// `/orbpro/public-key/1.0.0`.
    PublicKey,
}

/// The parsed command line of `stream`.
#[derive(Debug)]
pub struct StreamArgs {
    plugin: PluginArgs,
    protocol: String,
}

/// `None` for `--help`.
pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<StreamArgs>> {
    let mut plugin = PluginFlags::default();
    let mut protocol = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--protocol" => {
                protocol = Some(
                    args.next()
                        .ok_or_else(|| anyhow!("--protocol needs a value"))?,
                );
            }
            other => {
                if !plugin.take(other, &mut args)? {
                    bail!("unknown option `{other}` (try stream --help)");
                }
            }
        }
    }
    Ok(Some(StreamArgs {
        plugin: plugin.finish("stream --help")?,
        protocol: protocol.ok_or_else(|| anyhow!("--protocol is required (try stream --help)"))?,
    }))
}

/// A legacy plugin's `--protocol`.
fn legacy_protocol(name: &str) -> Result<Protocol> {
    match name {
        "key-broker" => Ok(Protocol::KeyBroker),
        "public-key" => Ok(Protocol::PublicKey),
        other => bail!("unknown protocol `{other}` for a legacy plugin (key-broker | public-key)"),
    }
}

/// All of standard input, as the server reads a stream: at most one byte
/// past the limit.
fn read_message() -> Result<Vec<u8>> {
    let mut message = Vec::new();
    std::io::stdin()
        .take(stream::MAX_MESSAGE as u64 + 1)
        .read_to_end(&mut message)
        .context("reading standard input")?;
    Ok(message)
}

pub fn run(args: &StreamArgs) -> Result<()> {
    let reply = match args.plugin.open()? {
        Loaded::Plugin(mut plugin) => {
            let protocol = legacy_protocol(&args.protocol)?;
            plugin
                .init(args.plugin.init_config())
                .context("plugin_init")?;
            match protocol {
                Protocol::KeyBroker => {
                    stream::handle_key_broker_stream(&mut plugin, &read_message()?)
                }
                Protocol::PublicKey => stream::handle_public_key_stream(&mut plugin),
            }
        }
        Loaded::Module(mut module) => {
            // Refuse an unknown protocol before reading anything.
            module.handle_protocol_stream(&args.protocol, b"")?;
            match module.handle_protocol_stream(&args.protocol, &read_message()?)? {
                StreamOutcome::Reply(bytes) => Some(bytes),
                StreamOutcome::Closed(reason) => {
                    eprintln!("host-harness: no reply: {reason}");
                    None
                }
            }
        }
    };
    if let Some(reply) = reply {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&reply)
            .context("writing standard output")?;
        stdout.flush().context("writing standard output")?;
    }
    Ok(())
}
