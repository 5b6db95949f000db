//! What a test chooses when it loads a module.

use std::fmt;

use sdn_pdk_schemas::piv::TypeRef;

use crate::metering::Metering;
use crate::random::RandomFallback;

/// Which module host to emulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HostKind {
    /// The newest SDN server (`modulert` over WasmEdge): `memory` required,
    /// the manifest through the accessor exports (`$PLG` or `PMAN`, size 0 a
    /// load error), 4096 pages, a per-call limit, WASI (all of preview 1),
    /// `space_data_module_host` and the legacy `sdn`/`env` imports, the
    /// sensitive-capability policy, the server's hostcall error convention.
    #[default]
    Server,
    /// The module SDK's harness (Node, browser): only the 17 portable WASI
    /// functions and `space_data_module_host`, the manifest from the
    /// `sds.manifest` section first (`$PLG` only), request and response
    /// pointers 8-aligned, request and length word freed before the response
    /// is read, the JS bridge's error convention.
    Sdk,
}

impl fmt::Display for HostKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostKind::Server => "server",
            HostKind::Sdk => "module SDK",
        })
    }
}

/// How `space_data_module_host.call` reports an operation's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorConvention {
    /// The newest server: `call` returns 0 and `last_status_code` is 0, the
    /// error only in the envelope, as `{"error":{"message":…},"ok":false}`;
    /// 1 only when guest memory cannot be read or the payload not decoded.
    Server,
    /// The module SDK's JS bridge: `call` and `last_status_code` are 1, the
    /// error `{"name","message","code","operation","capability"}`.
    Js,
}

/// Options for [`Module::load`](crate::module::Module::load). Every field has
/// a default (`..Default::default()`): the server, real clock and
/// randomness, no config.
#[derive(Debug, Clone, Default)]
pub struct ModuleOptions {
    /// The host to emulate (default [`HostKind::Server`]).
    pub host: HostKind,
    /// Fixes every clock the module can read (hostcalls, WASI realtime and
    /// monotonic, `sdn.clock_now_ms`) at this many ms since the Unix epoch.
    /// `None`: the real clock.
    pub clock_ms: Option<i64>,
    /// Bytes handed out first by every random source of the host
    /// (`random.bytes`, WASI `random_get`, `sdn.random_bytes`), in call order;
    /// then [`random_fallback`](Self::random_fallback).
    pub random: Option<Vec<u8>>,
    /// Where random bytes come from once `random` is used up (default: the OS).
    pub random_fallback: RandomFallback,
    /// The deployment config `plugin.getConfig` answers (JSON; `{}` when
    /// `None`, as on the server). Invalid JSON is a load error.
    pub config_json: Option<String>,
    /// What `node.publicKey` answers (`None`: its error).
    pub node_public_key_hex: Option<String>,
    /// What `node.peerId` answers (`None`: its error).
    pub node_peer_id: Option<String>,
    /// The capabilities `host.listCapabilities`/`hasCapability` report
    /// granted (`None`: those the manifest declares).
    pub granted_capabilities: Option<Vec<String>>,
    /// SHA-256 digests (of the module's binary) the operator approved: a
    /// server module declaring a sensitive capability loads only if its
    /// digest is here.
    pub approved_sha256: Vec<[u8; 32]>,
    /// The hostcall error convention (`None`: the host's own).
    pub error_convention: Option<ErrorConvention>,
    /// What `host.runtimeTarget` answers (`None`: `"server"` / `"node"`).
    pub runtime_target: Option<String>,
    /// wasmtime fuel for one host operation (load, one invoke with its
    /// allocations). `None`: the server's cost limit, 4e9.
    pub fuel_per_call: Option<u64>,
    /// How calls are bounded (default [`Metering::Fuel`]): with
    /// [`Metering::Off`], no instruction budget, as on the real hosts, and
    /// [`fuel_per_call`](Self::fuel_per_call) is unused. For benchmarks.
    pub metering: Metering,
}

impl ModuleOptions {
    /// The server with everything else default.
    pub fn server() -> Self {
        ModuleOptions::default()
    }

    /// The module SDK's harness with everything else default.
    pub fn sdk() -> Self {
        ModuleOptions {
            host: HostKind::Sdk,
            ..ModuleOptions::default()
        }
    }

    /// The convention in force: the chosen one, else the host's.
    pub fn convention(&self) -> ErrorConvention {
        self.error_convention.unwrap_or(match self.host {
            HostKind::Server => ErrorConvention::Server,
            HostKind::Sdk => ErrorConvention::Js,
        })
    }
}

/// One input frame of an invoke.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// The input port, e.g. `"request"`.
    pub port: &'a str,
    /// The payload bytes (placed 8-aligned in the request's arena).
    pub payload: &'a [u8],
    /// The frame's type ref; `None` as the server sends frames from a libp2p
    /// protocol or a timer.
    pub type_ref: Option<TypeRef<'a>>,
}
