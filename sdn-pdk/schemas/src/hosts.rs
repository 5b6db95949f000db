//! The numbers of the two module hosts, defined once: the newest SDN server
//! (`sdn-server/internal/modulert` over WasmEdge) and the module SDK's
//! harness (Node and browser). The guest glue, host-harness's module host and
//! the checker read them from here (`docs/module-abi.md` is the contract).
//!
//! A **portable module** imports only [`wasi::PORTABLE_FUNCTIONS`] and
//! [`module_host::FUNCTIONS`]: it loads on both hosts.

/// A value type of an import signature (the module hosts use only these).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`.
    I32,
    /// `i64`.
    I64,
}

/// An import's function signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// Parameter types, in order.
    pub params: &'static [ValType],
    /// Result types, in order.
    pub results: &'static [ValType],
}

const fn sig(params: &'static [ValType], results: &'static [ValType]) -> Signature {
    Signature { params, results }
}

use ValType::{I32, I64};

/// The signature of `name` in `table`, `None` when the table lacks it.
#[must_use]
pub fn lookup(table: &[(&str, Signature)], name: &str) -> Option<Signature> {
    table.iter().find(|(n, _)| *n == name).map(|&(_, s)| s)
}

/// `space_data_module_host`: the hostcall bridge both hosts provide.
///
/// `call(op_ptr, op_len, payload_ptr, payload_len)` runs operation `op`
/// (UTF-8, e.g. `clock.now`) with a [`crate::hostcall`] envelope as its
/// parameters (empty = none) and keeps the response envelope;
/// `response_len` and `read_response(dst, dst_len)` (bytes copied, truncated
/// to `dst_len`) fetch it, `last_status_code` is the last call's status and
/// `clear_response` resets the response to `{"ok":true,"result":null}`.
pub mod module_host {
    use super::{I32, Signature, sig};

    /// The import module name.
    pub const IMPORT_MODULE: &str = "space_data_module_host";
    /// `call(op_ptr, op_len, payload_ptr, payload_len) -> status`.
    pub const CALL: &str = "call";
    /// `response_len() -> len`.
    pub const RESPONSE_LEN: &str = "response_len";
    /// `read_response(dst_ptr, dst_len) -> copied`.
    pub const READ_RESPONSE: &str = "read_response";
    /// `last_status_code() -> status`.
    pub const LAST_STATUS_CODE: &str = "last_status_code";
    /// `clear_response() -> 0`.
    pub const CLEAR_RESPONSE: &str = "clear_response";

    /// The five functions with their signatures.
    pub const FUNCTIONS: &[(&str, Signature)] = &[
        (CALL, sig(&[I32; 4], &[I32])),
        (RESPONSE_LEN, sig(&[], &[I32])),
        (READ_RESPONSE, sig(&[I32; 2], &[I32])),
        (LAST_STATUS_CODE, sig(&[], &[I32])),
        (CLEAR_RESPONSE, sig(&[], &[I32])),
    ];

    /// What `call` and `last_status_code` report for success.
    pub const STATUS_OK: i32 = 0;
    /// What they report for an error (the module SDK's bridge: any error; the
    /// server's: only an unreadable guest range or an undecodable payload).
    pub const STATUS_ERROR: i32 = 1;

    /// The response before any call and after `clear_response`.
    pub const EMPTY_RESPONSE_META: &str = r#"{"ok":true,"result":null}"#;
}

/// The hostcall operation names.
pub mod operations {
    /// Milliseconds since the Unix epoch.
    pub const CLOCK_NOW: &str = "clock.now";
    /// The server: also ms since the epoch; the module SDK: `performance.now()`.
    pub const CLOCK_MONOTONIC_NOW: &str = "clock.monotonicNow";
    /// The time as an ISO 8601 / RFC 3339 string in UTC.
    pub const CLOCK_NOW_ISO: &str = "clock.nowIso";
    /// `{"length": n}` → `{"$bin": i}`.
    pub const RANDOM_BYTES: &str = "random.bytes";
    /// `"server"`, `"node"`, `"browser"`, ...
    pub const HOST_RUNTIME_TARGET: &str = "host.runtimeTarget";
    /// The capabilities granted to the module.
    pub const HOST_LIST_CAPABILITIES: &str = "host.listCapabilities";
    /// `{"capability": name}` → bool.
    pub const HOST_HAS_CAPABILITY: &str = "host.hasCapability";
    /// The operations the host serves.
    pub const HOST_LIST_OPERATIONS: &str = "host.listOperations";
    /// The server only: the deployment's config object (`{}` when none).
    pub const PLUGIN_GET_CONFIG: &str = "plugin.getConfig";
    /// The server only: the node's public key (hex).
    pub const NODE_PUBLIC_KEY: &str = "node.publicKey";
    /// The server only: the node's libp2p peer id.
    pub const NODE_PEER_ID: &str = "node.peerId";
    /// The module SDK hosts: `{"value": {"$bin": i}}` → `{"$bin": j}`.
    pub const CRYPTO_SHA256: &str = "crypto.sha256";

    /// What the server's `host.listOperations` answers, in its order.
    pub const SERVER: &[&str] = &[
        CLOCK_NOW,
        CLOCK_NOW_ISO,
        CLOCK_MONOTONIC_NOW,
        RANDOM_BYTES,
        HOST_RUNTIME_TARGET,
        HOST_LIST_CAPABILITIES,
        HOST_HAS_CAPABILITY,
        HOST_LIST_OPERATIONS,
        NODE_PUBLIC_KEY,
        NODE_PEER_ID,
        PLUGIN_GET_CONFIG,
    ];
}

/// `wasi_snapshot_preview1`.
pub mod wasi {
    use super::{I32, I64, Signature, sig};

    /// The import module name.
    pub const MODULE: &str = "wasi_snapshot_preview1";

    /// The 17 functions the module SDK's WASI shim provides (the server's
    /// WasmEdge provides all of preview 1, these included): the only WASI a
    /// portable module may import.
    pub const PORTABLE_FUNCTIONS: &[(&str, Signature)] = &[
        ("args_get", sig(&[I32, I32], &[I32])),
        ("args_sizes_get", sig(&[I32, I32], &[I32])),
        ("environ_get", sig(&[I32, I32], &[I32])),
        ("environ_sizes_get", sig(&[I32, I32], &[I32])),
        ("clock_time_get", sig(&[I32, I64, I32], &[I32])),
        ("fd_close", sig(&[I32], &[I32])),
        ("fd_fdstat_get", sig(&[I32, I32], &[I32])),
        ("fd_fdstat_set_flags", sig(&[I32, I32], &[I32])),
        ("fd_prestat_get", sig(&[I32, I32], &[I32])),
        ("fd_prestat_dir_name", sig(&[I32, I32, I32], &[I32])),
        ("fd_read", sig(&[I32, I32, I32, I32], &[I32])),
        ("fd_seek", sig(&[I32, I64, I32, I32], &[I32])),
        ("fd_write", sig(&[I32, I32, I32, I32], &[I32])),
        (
            "path_open",
            sig(&[I32, I32, I32, I32, I32, I64, I64, I32, I32], &[I32]),
        ),
        ("proc_exit", sig(&[I32], &[])),
        ("random_get", sig(&[I32, I32], &[I32])),
        ("sched_yield", sig(&[], &[I32])),
    ];
}

/// The legacy imports the newest server still registers for modules.
pub mod legacy {
    use super::{I32, I64, Signature, sig};

    /// The legacy host module.
    pub const SDN: &str = "sdn";
    /// Its second name (the legacy server also puts Emscripten stubs there).
    pub const ENV: &str = "env";

    /// `clock_now_ms`, `random_bytes` and `log`, under both names.
    pub const FUNCTIONS: &[(&str, Signature)] = &[
        ("clock_now_ms", sig(&[], &[I64])),
        ("random_bytes", sig(&[I32, I32], &[I32])),
        ("log", sig(&[I32, I32, I32], &[])),
    ];
}

/// The exports a module host looks for.
pub mod exports {
    /// The linear memory (required by the server).
    pub const MEMORY: &str = "memory";
    /// `(size: u32) -> u32`, 16-byte aligned, 0 = failure.
    pub const PLUGIN_ALLOC: &str = "plugin_alloc";
    /// `(ptr: u32, size: u32)`; ignores what `plugin_alloc` did not hand out.
    pub const PLUGIN_FREE: &str = "plugin_free";
    /// `(req: u32, req_len: u32, resp_len_out: u32) -> u32`.
    pub const PLUGIN_INVOKE_STREAM: &str = "plugin_invoke_stream";
    /// The WASI command entry (the `command` surface only).
    pub const START: &str = "_start";
    /// A WASI reactor's constructor, called once at load.
    pub const INITIALIZE: &str = "_initialize";
    /// Called at load instead when `_initialize` is not exported.
    pub const WASM_CALL_CTORS: &str = "__wasm_call_ctors";
    /// `() -> i32`: a pointer to the manifest bytes.
    pub const MANIFEST_POINTER: &str = "plugin_get_manifest_flatbuffer";
    /// `() -> i32`: their length (0 is a load error on the server).
    pub const MANIFEST_SIZE: &str = "plugin_get_manifest_flatbuffer_size";
    /// The custom section that carries the manifest too.
    pub const MANIFEST_SECTION: &str = "sds.manifest";
}

/// Manifest file identifiers (bytes 4..8 of the FlatBuffer).
pub mod manifest_identifiers {
    /// The module manifest, `PLG`.
    pub const PLG: &str = "$PLG";
    /// The legacy manifest, `PluginManifest` (the server still accepts it;
    /// the module SDK's validator refuses any module containing these bytes).
    pub const PMAN: &str = "PMAN";
}

/// Alignment rules of the invoke ABI.
pub mod alignment {
    /// `plugin_alloc` blocks are aligned to this.
    pub const ALLOC: u32 = 16;
    /// The module SDK's harness refuses request and response pointers that
    /// are not aligned to this; arena payloads are aligned to it too.
    pub const INVOKE: u32 = 8;
}

/// The newest SDN server's numbers.
pub mod server {
    /// The memory cap in 64 KiB pages (256 MiB).
    pub const MAX_MEMORY_PAGES: u64 = 4096;
    /// The wall-clock limit of one call, in milliseconds.
    pub const CALL_TIMEOUT_MS: u64 = 30_000;
    /// WasmEdge's cost limit of one call (roughly one per instruction).
    pub const COST_LIMIT_PER_CALL: u64 = 4_000_000_000;
    /// The largest libp2p stream message handed to a protocol handler.
    pub const STREAM_MESSAGE_MAX_BYTES: usize = 16 * 1024;
    /// `random.bytes` with a missing or non-positive `length` gives this many.
    pub const RANDOM_BYTES_DEFAULT: usize = 32;
    /// `random.bytes` truncates longer requests to this many.
    pub const RANDOM_BYTES_MAX: usize = 8192;
    /// What `host.runtimeTarget` answers.
    pub const RUNTIME_TARGET: &str = "server";
    /// The output port the server reads (else the first output).
    pub const RESPONSE_PORT: &str = "response";
    /// The input port of frames from a libp2p protocol or a timer (no type ref).
    pub const REQUEST_PORT: &str = "request";

    /// Capabilities that make the server refuse a module unless an operator
    /// approved its SHA-256 (the names of [`crate::capability`]).
    pub const SENSITIVE_CAPABILITIES: &[&str] = &[
        "wallet_sign",
        "http",
        "process_exec",
        "storage_write",
        "storage_ingest",
        "protocol_dial",
        "storage_query",
        "storage_adapter",
        "ipfs",
        "pubsub",
    ];

    /// Whether the server gates `capability` (a lower-case name) on approval.
    #[must_use]
    pub fn is_sensitive(capability: &str) -> bool {
        SENSITIVE_CAPABILITIES.contains(&capability)
    }
}

/// The module SDK harness's numbers.
pub mod sdk {
    /// What the Node host's `host.runtimeTarget` answers.
    pub const RUNTIME_TARGET_NODE: &str = "node";
    /// What the browser host's answers.
    pub const RUNTIME_TARGET_BROWSER: &str = "browser";
    /// The bridge refuses request payloads above this (16 MiB).
    pub const MAX_HOSTCALL_REQUEST_BYTES: usize = 16 * 1024 * 1024;
    /// The bridge refuses to keep responses above this (64 MiB).
    pub const MAX_HOSTCALL_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_capabilities_are_known_names() {
        assert_eq!(server::SENSITIVE_CAPABILITIES.len(), 10);
        for name in server::SENSITIVE_CAPABILITIES {
            assert!(crate::capability::kind(name).is_some(), "{name}");
        }
        assert!(server::is_sensitive("http"));
        assert!(!server::is_sensitive("clock"));
        assert!(!server::is_sensitive("protocol_handle"));
        assert!(!server::is_sensitive("crypto_hash"));
    }

    #[test]
    fn tables_have_unique_names() {
        let tables: [&[(&str, Signature)]; 3] = [
            module_host::FUNCTIONS,
            wasi::PORTABLE_FUNCTIONS,
            legacy::FUNCTIONS,
        ];
        for table in tables {
            for (i, (name, _)) in table.iter().enumerate() {
                assert!(table[..i].iter().all(|(n, _)| n != name), "{name}");
            }
        }
        assert_eq!(module_host::FUNCTIONS.len(), 5);
        assert_eq!(wasi::PORTABLE_FUNCTIONS.len(), 17);
        assert_eq!(
            lookup(wasi::PORTABLE_FUNCTIONS, "clock_time_get"),
            Some(sig(&[I32, I64, I32], &[I32]))
        );
        assert_eq!(lookup(module_host::FUNCTIONS, "nope"), None);
    }

    #[test]
    fn server_operations_include_the_common_ones() {
        for op in [
            operations::CLOCK_NOW,
            operations::RANDOM_BYTES,
            operations::PLUGIN_GET_CONFIG,
        ] {
            assert!(operations::SERVER.contains(&op));
        }
        assert!(!operations::SERVER.contains(&operations::CRYPTO_SHA256));
    }
}
