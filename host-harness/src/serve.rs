//! `host-harness serve PLUGIN.wasm|MODULE.wasm ...`: an HTTP front for one
//! plugin or module instance, for trying it from a browser or `curl`.
//!
//! * A legacy plugin (`http.rs`): `POST /request` is the server's bridge
//!   generalised to any plugin (the body to `plugin_handle_request` with the
//!   request's `Host`, the output back), with `GET /public-key`,
//!   `GET /metadata` and `GET /manifest` beside it. The server itself
//!   mounts an HTTP bridge only for the key broker
//!   (`/orbpro-key-broker/v1/orbpro/{public-key,key}`, `docs/host-abi.md`,
//!   "How the server exposes a plugin"); `serve` adds that bridge's routes
//!   (`POST /key`, the JSON `GET /public-key` with the domains) and the
//!   browser client at `/` only when the plugin is the key broker: its
//!   manifest id is `key-broker`, or `--key-broker` says so.
//!   `key_broker.rs` packs its config from flags.
//! * A module (`module.rs`): `POST /invoke/{method}` takes a PIV request
//!   and answers the PIV response; `GET /manifest` is its `$PLG` as JSON.
//!   The server mounts no HTTP route for a module: these are the harness's.
//!
//! **A plugin's status on HTTP.** The server's bridge answers 200 with the
//! plugin's output whatever `plugin_handle_request` returned, and only
//! logs a non-zero status (at debug); `serve` does the same and prints the
//! status on stderr. A client learns of a failure only from the output, so
//! a plugin that must report one puts it there (the key broker answers an
//! SKB1 error packet). A call that fails outright (a trap, an allocation
//! failure, a bad `out_len`, the instruction budget) is a 500 with no
//! details; they go to stderr. A module's status travels inside the PIV
//! response (`STATUS_CODE`, `ERROR_CODE`, `ERROR_MESSAGE`), also under 200.

mod http;
mod key_broker;
mod module;

use std::io::Write as _;
use std::net::SocketAddr;

use anyhow::{Context, Result, anyhow, bail};
use key_broker::KeyBrokerFlags;

use crate::plugin_flags::{PluginArgs, PluginFlags};

/// `host-harness serve --help`.
pub(crate) const USAGE: &str = "\
usage: host-harness serve PLUGIN.wasm|MODULE.wasm [options]

Loads the plugin or module the way the SDN server does (a legacy plugin is
initialised with plugin_init) and serves it over HTTP, one instance, calls
serialised.

A legacy plugin:
  POST /request      the body (at most 16 KiB, else 413) to plugin_handle_request
                     with the request's Host; the output as application/octet-stream,
                     200 whatever the plugin's status (which goes to stderr, as the
                     server only logs it); 500 without details when the call fails
  GET  /public-key   {\"publicKey\": hex}
  GET  /metadata     plugin_get_metadata's bytes
  GET  /manifest     the sds.manifest (PMAN) as JSON; 404 without one
  GET  /             a list of these routes
and when it is the key broker (manifest id `key-broker`, or --key-broker):
  GET  /public-key   {\"publicKey\": hex, \"keyKind\": 2, \"domains\": [...]}
  POST /key          as POST /request (the server's key exchange route)
  GET  /             the key broker's browser client (index.html, app.js)

A module (it exports plugin_invoke_stream):
  POST /invoke/{method}  a PIV request for that method (at most 16 MiB); the PIV
                         response as application/octet-stream, its status inside;
                         400 for a body that is not a PIV request for {method}
  GET  /manifest         the $PLG as JSON (the module SDK's manifest.json vocabulary)
  GET  /                 a list of the routes and methods

Stops cleanly on Ctrl-C. Plugin logs and module stderr go to stderr.

options:
  --addr IP:PORT        where to listen (default: 127.0.0.1:8080; port 0 = any)
  --clock-ms N          fix every clock at N ms since the epoch (default: the real clock)
  --random-hex HEX      the first random bytes handed out (then the OS's)
  -h, --help            this text
legacy plugins:
  --config-hex HEX      plugin_init config as hex (default: empty)
  --config-file FILE    plugin_init config read from FILE
  --revision REV        host revision: original | challenge (default: challenge)
  --key-broker          serve the key broker's routes and page whatever the manifest says
modules:
  --host HOST           server | sdk (default: server)
  --config-json JSON    what plugin.getConfig answers (default: {})
  --approve-sha256 HEX  an operator-approved module SHA-256 (repeatable)

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

/// The key broker's manifest id (`examples/key-broker`).
pub(crate) const KEY_BROKER_ID: &str = "key-broker";

/// The parsed command line of `serve`.
#[derive(Debug)]
pub(crate) struct ServeArgs {
    /// The plugin, with its config set when one was given or packed from
    /// the key broker flags.
    plugin: PluginArgs,
    addr: SocketAddr,
    /// `--key-broker`.
    key_broker: bool,
    /// Some key broker config flag was given.
    broker_flags: bool,
}

/// Parses the arguments after `serve`; `None` asks for the help text.
pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<ServeArgs>> {
    let mut plugin = PluginFlags::default();
    let mut addr = None;
    let mut key_broker = false;
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
            "--key-broker" => key_broker = true,
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
    let broker_flags = !broker.is_empty();
    if broker_flags {
        if plugin.config.is_some() {
            bail!("give either --config-hex/--config-file or the key broker flags, not both");
        }
        plugin.config = Some(broker.pack()?);
    }
    let addr = match addr {
        Some(addr) => addr,
        None => DEFAULT_ADDR.parse().context("the default address")?,
    };
    Ok(Some(ServeArgs {
        plugin,
        addr,
        key_broker,
        broker_flags,
    }))
}

/// A decimal number flag.
fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T> {
    value
        .parse()
        .map_err(|_| anyhow!("{flag} `{value}` is not a number in range"))
}

/// The legacy plugin's manifest, from its `sds.manifest` section.
fn legacy_manifest(path: &str) -> Result<Option<sdn_pdk_schemas::manifest::Manifest>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    let Some(section) = host_harness::manifest::read_manifest(&bytes)? else {
        return Ok(None);
    };
    sdn_pdk_schemas::manifest::read(&section)
        .map(Some)
        .context("the sds.manifest section")
}

/// Loads the artifact (and inits a plugin), then serves until Ctrl-C (or SIGTERM).
pub(crate) fn run(args: ServeArgs) -> Result<()> {
    let path = &args.plugin.path;
    let router = if crate::artifact::file_is_module(path)? {
        if args.key_broker || args.broker_flags {
            bail!("the key broker flags are for a legacy plugin; {path} is a module");
        }
        module::router(args.plugin.load_module()?, path)?
    } else {
        let manifest = legacy_manifest(path)?;
        let id = manifest.as_ref().map(|m| m.plugin_id.clone());
        let key_broker = args.key_broker || id.as_deref() == Some(KEY_BROKER_ID);
        if args.broker_flags && !key_broker {
            bail!(
                "the key broker flags are for the key broker (manifest id `{KEY_BROKER_ID}`, \
                 or --key-broker); {path} is {}",
                id.map_or("without a manifest".to_owned(), |id| format!("`{id}`"))
            );
        }
        let mut plugin = args.plugin.load()?;
        let init = plugin
            .init(args.plugin.init_config())
            .context("plugin_init");
        http::report_host_side(&mut plugin);
        init?;
        http::router(
            plugin,
            http::Legacy {
                key_broker,
                path: path.clone(),
                manifest_json: manifest.map(|m| m.to_json()),
            },
        )
    };

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
        axum::serve(listener, router)
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
        assert!(!parsed.key_broker && !parsed.broker_flags);
        assert!(args(&["p.wasm", "--help"]).unwrap().is_none());
        let broker = args(&["p.wasm", "--key-broker", "--secret", "s", "--domains", "a"]);
        let broker = broker.unwrap().unwrap();
        assert!(broker.key_broker && broker.broker_flags);
        assert_eq!(broker.plugin.config.as_ref().map(|c| c[32]), Some(0x04));
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
            &["p.wasm", "--host", "nowhere"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }
}
