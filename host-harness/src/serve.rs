//! `host-harness serve PLUGIN.wasm ...`: the server's HTTP bridge in front of
//! one plugin instance, for trying a plugin from a browser or `curl`.
//!
//! The routes follow `docs/host-abi.md` ("How the server exposes a plugin");
//! `http.rs` holds them, `key_broker.rs` packs the key broker's config from
//! flags. The command is the parsing and the runtime around them.

mod http;
mod key_broker;

use std::io::Write as _;
use std::net::SocketAddr;

use anyhow::{Context, Result, anyhow, bail};
use key_broker::KeyBrokerFlags;

use crate::plugin_flags::{PluginArgs, PluginFlags};

/// `host-harness serve --help`.
pub(crate) const USAGE: &str = "\
usage: host-harness serve PLUGIN.wasm [options]

Loads PLUGIN.wasm the way the SDN server does, calls plugin_init, and serves
it over HTTP as the server's bridge does (one instance, calls serialised):

  GET  /public-key   {\"publicKey\": hex, \"keyKind\": 2, \"domains\": [...]}
  POST /key          the body (at most 16 KiB) to plugin_handle_request with
                     the request's Host; the output as application/octet-stream
  GET  /             the key broker's browser client (index.html, app.js)

Stops cleanly on Ctrl-C. Plugin logs go to stderr.

options:
  --addr IP:PORT        where to listen (default: 127.0.0.1:8080; port 0 = any)
  --config-hex HEX      plugin_init config as hex (default: empty)
  --config-file FILE    plugin_init config read from FILE
  --clock-ms N          fix sdn.clock_now_ms at N (default: the real clock)
  --revision REV        host revision: original | challenge (default: challenge)
  -h, --help            this text

key broker config (packed as the server does; instead of --config-*):
  --secret TEXT         derivation secret (required)
  --domains LIST        allowed domains, comma-separated, e.g. \"a.com,*.b.com\" (required)
  --private-key-hex HEX P-256 private key, 32 bytes big-endian (default: a fresh
                        random key); the public key is derived from it
  --epoch-ms N          epoch period in ms (default: 0, the plugin's default)
  --skew-ms N           max client clock skew in ms (default: 0, the plugin's default)
  --lease-ms N          lease in ms (default: 0, the plugin's default)
  --key-version N       active key version (default: 1)";

/// Where `serve` listens unless told otherwise.
const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// The parsed command line of `serve`.
#[derive(Debug)]
pub(crate) struct ServeArgs {
    /// The plugin, with its config always set: given, packed from the key
    /// broker flags, or empty.
    plugin: PluginArgs,
    addr: SocketAddr,
}

/// Parses the arguments after `serve`; `None` asks for the help text.
pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<ServeArgs>> {
    let mut plugin = PluginFlags::default();
    let mut addr = None;
    let mut broker = KeyBrokerFlags::default();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| anyhow!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--addr" => {
                let v = value(&arg)?;
                addr = Some(
                    v.parse()
                        .with_context(|| format!("--addr `{v}` is not IP:PORT"))?,
                );
            }
            "--secret" => broker.secret = Some(value(&arg)?),
            "--domains" => broker.domains = Some(value(&arg)?),
            "--private-key-hex" => {
                let v = value(&arg)?;
                let key = super::from_hex(&v)
                    .context("--private-key-hex: not hex")?
                    .try_into()
                    .map_err(|_| anyhow!("--private-key-hex: not 32 bytes"))?;
                broker.private_key = Some(key);
            }
            "--epoch-ms" => broker.epoch_ms = Some(number(&arg, &value(&arg)?)?),
            "--skew-ms" => broker.skew_ms = Some(number(&arg, &value(&arg)?)?),
            "--lease-ms" => broker.lease_ms = Some(number(&arg, &value(&arg)?)?),
            "--key-version" => broker.key_version = Some(number(&arg, &value(&arg)?)?),
            other => {
                if !plugin.take(other, &mut args)? {
                    bail!("unknown option `{other}` (try serve --help)");
                }
            }
        }
    }
    let mut plugin = plugin.finish("serve --help")?;
    let config = match (plugin.config.take(), broker.is_empty()) {
        (Some(_), false) => {
            bail!("give either --config-hex/--config-file or the key broker flags, not both")
        }
        (Some(config), true) => config,
        (None, false) => broker.pack()?,
        (None, true) => Vec::new(),
    };
    plugin.config = Some(config);
    let addr = match addr {
        Some(addr) => addr,
        None => DEFAULT_ADDR.parse().context("the default address")?,
    };
    Ok(Some(ServeArgs { plugin, addr }))
}

/// A decimal number flag.
fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| anyhow!("{flag} `{value}` is not a number in range"))
}

/// Loads and inits the plugin, then serves until Ctrl-C (or SIGTERM).
pub(crate) fn run(args: ServeArgs) -> Result<()> {
    let mut plugin = args.plugin.load()?;
    let init = plugin
        .init(args.plugin.init_config())
        .context("plugin_init");
    http::report_host_side(&mut plugin);
    init?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = listener.local_addr().context("the bound address")?;
        // Tests and scripts read this line to learn the port.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "serving {} on http://{addr}/", args.plugin.path)?;
        stdout.flush()?;
        drop(stdout);
        axum::serve(listener, http::router(plugin))
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("the HTTP server failed")?;
        eprintln!("host-harness: shut down");
        Ok(())
    })
}

/// Resolves on Ctrl-C, or on SIGTERM where there is one.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("host-harness: cannot watch for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(e) => {
                eprintln!("host-harness: cannot watch for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<ServeArgs>> {
        parse(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn serve_defaults() {
        let parsed = args(&["p.wasm"]).unwrap().unwrap();
        assert_eq!(parsed.plugin.path, "p.wasm");
        assert!(parsed.plugin.init_config().is_empty());
        assert_eq!(parsed.addr.to_string(), DEFAULT_ADDR);
        assert!(args(&["p.wasm", "--help"]).unwrap().is_none());
    }

    #[test]
    fn serve_refuses_two_configs_and_bad_values() {
        for bad in [
            &["p.wasm", "--config-hex", "00", "--secret", "s"][..],
            &["p.wasm", "--secret", "s"],
            &["p.wasm", "--domains", "a.com"],
            &[
                "p.wasm",
                "--secret",
                "s",
                "--domains",
                "a",
                "--epoch-ms",
                "-1",
            ],
            &["p.wasm", "--private-key-hex", "0011"],
            &["p.wasm", "--addr", "localhost"],
            &["--addr", "127.0.0.1:0"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }
}
