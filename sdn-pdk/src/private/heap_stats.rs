//! Feature `heap-stats` (on wasm32, with `allocator`): the global allocator
//! is talc wrapped in a counter of live allocated bytes, and the plugin
//! exports `sdn_pdk_heap_live_bytes() -> i32`, the sum of the sizes of every
//! block allocated and not yet freed (the exported `malloc`'s blocks
//! included, header and all, since they come from this allocator too).
//!
//! For leak tests only (the soak builds the examples with it into a
//! target directory of its own): a shipped plugin never has the feature
//! (host-harness's soak tests assert `target/plugins/` has no such export).
//! Page counts hide a
//! leak smaller than the allocator's free space; this count does not.
//!
//! Wired from `lib.rs` (with `#[path]`, keeping the unsafe impl under
//! `private/`) in place of `allocator.rs`.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering};

/// talc plus the live-bytes counter.
struct Counting {
    inner: talc::wasm::WasmDynamicTalc,
    live: AtomicUsize,
}

#[global_allocator]
static ALLOCATOR: Counting = Counting {
    inner: talc::wasm::new_wasm_dynamic_allocator(),
    live: AtomicUsize::new(0),
};

impl Counting {
    fn grew(&self, bytes: usize) {
        self.live.fetch_add(bytes, Ordering::Relaxed);
    }

    fn shrank(&self, bytes: usize) {
        self.live.fetch_sub(bytes, Ordering::Relaxed);
    }
}

// SAFETY: every method forwards to talc's `GlobalAlloc` with the caller's
// arguments unchanged and returns talc's answer, so talc's guarantees are
// this allocator's; the counter is bookkeeping beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract (a non-zero-sized layout).
        let ptr = unsafe { self.inner.alloc(layout) };
        if !ptr.is_null() {
            self.grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let ptr = unsafe { self.inner.alloc_zeroed(layout) };
        if !ptr.is_null() {
            self.grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract (`ptr` is a live block of `layout`).
        unsafe { self.inner.dealloc(ptr, layout) };
        self.shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        let new = unsafe { self.inner.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            self.shrank(layout.size());
            self.grew(new_size);
        }
        new
    }
}

/// `sdn_pdk_heap_live_bytes() -> i32`: the live allocated bytes now
/// (`i32::MAX` if ever more; the server caps memory at 32 MiB). An `i32`,
/// like every other export of the ABI, so any host (`Plugin::call_i32` in
/// host-harness) reads it without an `i64` path.
#[unsafe(no_mangle)]
pub extern "C" fn sdn_pdk_heap_live_bytes() -> i32 {
    i32::try_from(ALLOCATOR.live.load(Ordering::Relaxed)).unwrap_or(i32::MAX)
}
