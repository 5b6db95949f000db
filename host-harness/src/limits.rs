//! The server's fixed numbers, in one place.
//!
//! Every constant here is read from the Go runtime
//! (`sdn-server/internal/wasiplugin/runtime.go`); see `docs/host-abi.md`.

/// Size of one WebAssembly page in bytes.
pub const PAGE_SIZE: u64 = 65_536;

/// The memory cap: 512 pages (32 MiB). `memory.grow` past it returns -1 inside
/// the guest, and a module whose initial memory is larger fails to load.
pub const MAX_MEMORY_PAGES: u64 = 512;

/// `out_cap` the host passes to `plugin_get_public_key`.
pub const PUBLIC_KEY_CAPACITY: u32 = 128;

/// `out_cap` the host passes to `plugin_get_metadata`.
pub const METADATA_CAPACITY: u32 = 4096;

/// `out_cap` the host passes to `plugin_handle_request`.
pub const RESPONSE_CAPACITY: u32 = 8192;

/// `out_cap` the later host passes to `plugin_request_challenge`.
pub const CHALLENGE_CAPACITY: u32 = 1024;

/// The largest `len` `random_bytes` accepts; above it the call returns -1.
pub const MAX_RANDOM_BYTES: u32 = 8192;

/// `log` messages are truncated to this many bytes.
pub const MAX_LOG_BYTES: u32 = 4096;

/// The longest HTTP `Host` the server passes (a DNS name is at most 253 bytes).
pub const MAX_HOST_LEN: usize = 253;

/// The byte every buffer the harness mallocs for output is filled with before
/// the call. The server leaves such buffers as the allocator hands them; the
/// harness makes "whatever was there" loud instead of usually zero.
pub const POISON_BYTE: u8 = 0xA5;

/// What a poisoned `out_len` decodes to (u32 LE of four [`POISON_BYTE`]s):
/// far above every capacity, so a plugin that forgets to write `out_len` gets
/// [`HarnessError::BadLength`](crate::HarnessError::BadLength).
pub const POISON_U32: u32 = u32::from_le_bytes([POISON_BYTE; 4]);

/// The default instruction budget (wasmtime fuel) of one host operation, such
/// as one `handle_request` with its mallocs and frees. Roughly a second of
/// guest execution; the real server has no such limit (see
/// [`HarnessError::Timeout`](crate::HarnessError::Timeout)).
pub const DEFAULT_FUEL_PER_CALL: u64 = 1_000_000_000;

// The poison must never pass for a valid length.
const _: () = assert!(POISON_U32 > RESPONSE_CAPACITY);
