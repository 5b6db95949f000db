//! The global allocator of a plugin on wasm32: talc, growing linear memory
//! on demand.
//!
//! The server caps memory at 512 pages (32 MiB); past that `memory.grow`
//! fails, talc returns null, and the exported `malloc` returns 0 — a clean
//! failure, never a trap in this crate. (A failed allocation inside Rust
//! code, say `Vec::push`, still ends in `handle_alloc_error`, which traps
//! the call: plugins that take sizes from input should use `try_reserve`.)

#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
