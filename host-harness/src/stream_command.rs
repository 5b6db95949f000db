//! `host-harness stream PLUGIN.wasm --protocol key-broker|public-key ...`:
//! one libp2p stream exchange over standard input and output
//! (the handlers are the library's [`host_harness::stream`]).

use std::io::{Read as _, Write as _};

use anyhow::{Context as _, Result, anyhow, bail};
use host_harness::stream;

use crate::plugin_flags::{PluginArgs, PluginFlags};

pub const USAGE: &str = "\
usage: host-harness stream PLUGIN.wasm --protocol key-broker|public-key [options]

Plays one exchange of the SDN server's libp2p stream handlers, with standard
input and output as the stream (there is no network transport here; the real
one is libp2p). Loads PLUGIN.wasm, calls plugin_init with the config, then:

  key-broker   reads one KeyBrokerRequest (OBKQ) from standard input to its
               end, calls plugin_handle_request(packet, host = \"\") and writes
               the KeyBrokerResponse (OBKS) to standard output
  public-key   reads nothing and writes a PublicKeyResponse (OBPK) with
               plugin_get_public_key's bytes

Where the server would close the stream without a reply (an empty message or
one above 16 KiB, a wrong file identifier, an empty packet, a failing
plugin_get_public_key), nothing is written. Either way the exit status is 0;
a bad module, argument or plugin_init failure is an error.

options:
  --protocol P          key-broker | public-key (required)
  --config-hex HEX      plugin_init config as hex (default: empty)
  --config-file FILE    plugin_init config read from FILE
  --clock-ms N          fix sdn.clock_now_ms at N (default: the real clock)
  --random-hex HEX      the first bytes sdn.random_bytes hands out (then the OS's)
  --revision REV        host revision: original | challenge (default: challenge)
  -h, --help            this text";

/// Which stream.
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
    protocol: Protocol,
    random: Vec<u8>,
}

/// `None` for `--help`.
pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<StreamArgs>> {
    let mut plugin = PluginFlags::default();
    let mut protocol = None;
    let mut random = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| anyhow!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--protocol" => {
                protocol = Some(match value(&arg)?.as_str() {
                    "key-broker" => Protocol::KeyBroker,
                    "public-key" => Protocol::PublicKey,
                    other => bail!("unknown protocol `{other}` (key-broker | public-key)"),
                });
            }
            "--random-hex" => random = crate::input(&arg, &value(&arg)?)?,
            other => {
                if !plugin.take(other, &mut args)? {
                    bail!("unknown option `{other}` (try --help)");
                }
            }
        }
    }
    Ok(Some(StreamArgs {
        plugin: plugin.finish("--help")?,
        protocol: protocol
            .ok_or_else(|| anyhow!("--protocol is required (key-broker | public-key)"))?,
        random,
    }))
}

pub fn run(args: &StreamArgs) -> Result<()> {
    let mut plugin = args.plugin.load()?;
    plugin.script_random(&args.random);
    plugin
        .init(args.plugin.init_config())
        .context("plugin_init")?;
    let reply = match args.protocol {
        Protocol::KeyBroker => {
            // As the server: read at most one byte past the limit.
            let mut message = Vec::new();
            std::io::stdin()
                .take(stream::MAX_MESSAGE as u64 + 1)
                .read_to_end(&mut message)
                .context("reading standard input")?;
            stream::handle_key_broker_stream(&mut plugin, &message)
        }
        Protocol::PublicKey => stream::handle_public_key_stream(&mut plugin),
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
