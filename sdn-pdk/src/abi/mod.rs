#![cfg_attr(
    not(target_arch = "wasm32"),
    allow(
        dead_code,
        reason = "the allocator is exported on wasm32 only; natively only its tests use it"
    )
)]
//! Raw memory work at the host boundary: the blocks handed to the host
//! (`malloc`/`free` of the legacy ABI, `plugin_alloc`/`plugin_free` of the
//! module ABI), and turning the host's pointer+length pairs into slices.
//!
//! Invariant: together with `sys`, `private.rs` and `testing` this is one of
//! the few places of the crate allowed to hold `unsafe`; every block says why
//! it is sound.
//!
//! # Tracked blocks
//!
//! Both ABIs free without trustworthy sizes (the legacy `free(ptr)` has none;
//! the module ABI's `plugin_free(ptr, size)` comes from an untrusted host), so
//! every block handed out is recorded in one table ([`blocks::LiveBlocks`])
//! with its layout, and a block is released only when the table holds it: a
//! double, foreign or interior free is ignored and never reaches the
//! allocator (wit-bindgen's `cabi_realloc` gets the layout back from the host
//! for the same reason; here the table is the source of truth). `malloc(0)`
//! and `plugin_alloc(0)` hand out a real one-byte block, because the hosts
//! treat 0 as a failure.

pub mod blocks;
mod getrandom_backend;
pub mod range;

use core::alloc::Layout;
use core::mem::MaybeUninit;

use blocks::{Block, LiveBlocks};

/// The alignment of every block handed to a host: the module ABI's 16 (the
/// legacy ABI's 8 is implied).
pub const BLOCK_ALIGN: usize = 16;

/// The one table of live host blocks.
mod registry {
    use super::LiveBlocks;

    /// The table, behind a cell: wasm32 without atomics has one thread, and
    /// the hosts serialise calls into an instance.
    #[cfg(target_arch = "wasm32")]
    struct Registry(core::cell::UnsafeCell<LiveBlocks>);

    // SAFETY: wasm32 without the atomics feature has exactly one thread.
    #[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
    unsafe impl Sync for Registry {}

    #[cfg(target_arch = "wasm32")]
    static REGISTRY: Registry = Registry(core::cell::UnsafeCell::new(LiveBlocks::new()));

    /// Runs `f` on the table. `f` must not call back into this module
    /// (nothing in `abi` does: the table's own storage comes from the global
    /// allocator, never from a tracked block).
    #[cfg(target_arch = "wasm32")]
    pub(super) fn with<R>(f: impl FnOnce(&mut LiveBlocks) -> R) -> R {
        // SAFETY: one thread, and `with` is never re-entered (see above), so
        // this is the only reference to the table while `f` runs.
        f(unsafe { &mut *REGISTRY.0.get() })
    }

    /// Natively (tests, fuzz targets) the table is shared by threads.
    #[cfg(not(target_arch = "wasm32"))]
    static REGISTRY: std::sync::Mutex<LiveBlocks> = std::sync::Mutex::new(LiveBlocks::new());

    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn with<R>(f: impl FnOnce(&mut LiveBlocks) -> R) -> R {
        let mut table = REGISTRY
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut table)
    }
}

/// Allocates a host block of `size` bytes (0 is taken as 1) aligned to
/// [`BLOCK_ALIGN`] and records it; null on failure (never a trap).
pub fn allocate(size: usize) -> *mut u8 {
    allocate_aligned(size, BLOCK_ALIGN)
}

/// Allocates a host block of `size` bytes (0 is taken as 1) aligned to
/// `align` (a power of two; at least [`BLOCK_ALIGN`] is used) and records it;
/// null on failure, including a size the allocator cannot describe (the
/// module SDK's reference glue wraps there and hands out a small block).
pub fn allocate_aligned(size: usize, align: usize) -> *mut u8 {
    let size = size.max(1);
    let align = align.max(BLOCK_ALIGN);
    let Ok(layout) = Layout::from_size_align(size, align) else {
        return core::ptr::null_mut();
    };
    // SAFETY: `layout` has a non-zero size.
    let payload = unsafe { alloc::alloc::alloc(layout) };
    if payload.is_null() {
        return payload;
    }
    let block = Block {
        addr: payload as usize,
        size,
        align,
    };
    if registry::with(|table| table.insert(block)).is_err() {
        // SAFETY: allocated just above with `layout`, never handed out.
        unsafe { alloc::alloc::dealloc(payload, layout) };
        return core::ptr::null_mut();
    }
    payload
}

/// Releases the host block starting at `addr`, if it is live; false (and
/// nothing touched) for anything else: null, a static or stack address, an
/// interior pointer, a block released already.
pub fn release(addr: usize) -> bool {
    let Some(block) = registry::with(|table| table.remove(addr)) else {
        return false;
    };
    deallocate(block);
    true
}

/// Returns a block taken out of the table to the allocator.
fn deallocate(block: Block) {
    // The table only holds layouts `allocate_aligned` built.
    if let Ok(layout) = Layout::from_size_align(block.size, block.align) {
        // SAFETY: `block` was allocated with exactly this layout and has just
        // left the table, so it is live and released once.
        unsafe { alloc::alloc::dealloc(block.addr as *mut u8, layout) }
    }
}

/// The live host block starting at `addr`.
#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
pub fn live_block(addr: usize) -> Option<Block> {
    registry::with(|table| table.get(addr))
}

/// The live host block that holds all of `addr .. addr + len`.
#[cfg_attr(
    not(feature = "module"),
    allow(
        dead_code,
        reason = "the module ABI's glue uses it; legacy plugins only free"
    )
)]
pub fn block_containing(addr: usize, len: usize) -> Option<Block> {
    registry::with(|table| table.containing(addr, len))
}

#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
/// Resizes a live block, keeping the first `min(old, new)` bytes; null on
/// failure (the old block untouched) and for an address that is not a live
/// block (nothing touched).
pub fn reallocate(addr: usize, new_size: usize) -> *mut u8 {
    if addr == 0 {
        return allocate(new_size);
    }
    let Some(old) = live_block(addr) else {
        return core::ptr::null_mut();
    };
    let fresh = allocate_aligned(new_size, old.align);
    if !fresh.is_null() {
        // SAFETY: both blocks are live and distinct, and hold at least
        // `min(old.size, new_size)` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(old.addr as *const u8, fresh, old.size.min(new_size));
        }
        release(addr);
    }
    fresh
}

/// Copies as much of `src` as fits into `dst`; the number of bytes copied.
#[inline(always)]
pub fn copy_prefix(dst: &mut [u8], src: &[u8]) -> usize {
    let n = dst.len().min(src.len());
    // SAFETY: `n` bytes fit in both slices, which are distinct borrows.
    unsafe { core::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr(), n) };
    n
}

/// Writes `bytes` into `buffer` at `offset` (one `memory.copy`); bytes that
/// would not fit are not written.
pub fn write_bytes(buffer: &mut [MaybeUninit<u8>], offset: usize, bytes: &[u8]) {
    let Some(target) = buffer.get_mut(offset..) else {
        return;
    };
    let n = target.len().min(bytes.len());
    // SAFETY: `n` bytes fit in both `target` and `bytes`, which are distinct
    // borrows; writing initialised bytes into MaybeUninit storage is sound.
    unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), target.as_mut_ptr().cast::<u8>(), n) }
}

/// The first `len` bytes of an output buffer, which the caller has written.
///
/// # Safety
///
/// `buffer[..len]` has been initialised.
pub unsafe fn initialised_prefix(buffer: &[MaybeUninit<u8>], len: usize) -> &[u8] {
    let prefix = buffer.get(..len).unwrap_or_default();
    // SAFETY: per the contract these bytes are initialised; MaybeUninit<u8>
    // and u8 share layout.
    unsafe { core::slice::from_raw_parts(prefix.as_ptr().cast::<u8>(), prefix.len()) }
}

/// The C allocator the legacy server calls, on wasm32 only (natively it
/// would clash with the platform's libc). A module (feature `module`) has
/// `plugin_alloc`/`plugin_free` instead, generated by `#[sdn_module]`, and
/// keeps `malloc`/`free` only with `std`, where wasi-libc calls them.
#[cfg(all(target_arch = "wasm32", any(not(feature = "module"), feature = "std")))]
mod exports {
    use super::*;

    /// `malloc(size) -> ptr`: 16-aligned, never 0 for `malloc(0)`, 0 on failure.
    #[unsafe(no_mangle)]
    pub extern "C" fn malloc(size: usize) -> *mut u8 {
        allocate(size)
    }

    /// `free(ptr)`: releases a live block from `malloc` (or, with `std`,
    /// `calloc`/`realloc`/`aligned_alloc`/`posix_memalign`); anything else
    /// is ignored, and the first such call is logged.
    #[unsafe(no_mangle)]
    pub extern "C" fn free(ptr: *mut u8) {
        free_from_host(ptr as usize);
    }

    /// With `std`, wasi-libc brings its own allocator in the same archive
    /// member as `malloc`; defining the whole family here keeps that member
    /// out of the link, so there is one heap and no duplicate symbol.
    #[cfg(feature = "std")]
    mod libc_family {
        use super::*;

        /// `calloc(n, size)`: zeroed; 0 on overflow or failure.
        #[unsafe(no_mangle)]
        pub extern "C" fn calloc(count: usize, size: usize) -> *mut u8 {
            let Some(total) = count.checked_mul(size) else {
                return core::ptr::null_mut();
            };
            let payload = allocate(total);
            if !payload.is_null() {
                // SAFETY: `payload` is a fresh block of at least `total` bytes.
                unsafe { core::ptr::write_bytes(payload, 0, total) };
            }
            payload
        }

        /// `realloc(ptr, size)`: null for a pointer that is not a live block.
        #[unsafe(no_mangle)]
        pub extern "C" fn realloc(ptr: *mut u8, size: usize) -> *mut u8 {
            reallocate(ptr as usize, size)
        }

        /// `aligned_alloc(align, size)`.
        #[unsafe(no_mangle)]
        pub extern "C" fn aligned_alloc(align: usize, size: usize) -> *mut u8 {
            if !align.is_power_of_two() {
                return core::ptr::null_mut();
            }
            allocate_aligned(size, align)
        }

        /// `posix_memalign(out, align, size)`: 0, or ENOMEM (48) / EINVAL (28).
        ///
        /// # Safety
        ///
        /// `out` is a writable pointer slot.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn posix_memalign(
            out: *mut *mut u8,
            align: usize,
            size: usize,
        ) -> i32 {
            if !align.is_power_of_two() || !align.is_multiple_of(core::mem::size_of::<usize>()) {
                return 28;
            }
            let payload = allocate_aligned(size, align);
            if payload.is_null() {
                return 48;
            }
            // SAFETY: the caller hands a writable slot.
            unsafe { out.write(payload) };
            0
        }

        /// `malloc_usable_size(ptr)`: 0 for a pointer that is not a live block.
        #[unsafe(no_mangle)]
        pub extern "C" fn malloc_usable_size(ptr: *const u8) -> usize {
            live_block(ptr as usize).map_or(0, |block| block.size)
        }

        /// musl's internal name for `malloc`.
        #[unsafe(no_mangle)]
        pub extern "C" fn __libc_malloc(size: usize) -> *mut u8 {
            allocate(size)
        }

        /// musl's internal name for `calloc`.
        #[unsafe(no_mangle)]
        pub extern "C" fn __libc_calloc(count: usize, size: usize) -> *mut u8 {
            calloc(count, size)
        }

        /// musl's internal name for `free`.
        #[unsafe(no_mangle)]
        pub extern "C" fn __libc_free(ptr: *mut u8) {
            release(ptr as usize);
        }
    }
}

/// `free`/`plugin_free` from the host: releases a live block, ignores
/// anything else (null silently; any other address logged once per
/// instance, so a misbehaving host is visible without flooding the log).
pub fn free_from_host(addr: usize) {
    if addr == 0 || release(addr) {
        return;
    }
    report_bad_free();
}

/// Logs the first free of an address that is not a live block.
fn report_bad_free() {
    use core::sync::atomic::{AtomicBool, Ordering};
    static REPORTED: AtomicBool = AtomicBool::new(false);
    if !REPORTED.swap(true, Ordering::Relaxed) {
        crate::host::warn("sdn-pdk: ignored a free of an address that is not a live block");
    }
}

/// `memcmp` and `bcmp` for `no_std` plugins (feature `mem`) and modules:
/// without wasi-libc nothing defines them, and rustc lowers slice
/// comparisons to them, which would become `env.memcmp` imports that the
/// legacy server and the module SDK's hosts cannot satisfy. Off by default
/// for legacy plugins because rustc exports every `#[no_mangle]` function of
/// a `cdylib`, so the two names join the exports the server checks; always
/// on for modules (whose glue compares method and port ids), where extra
/// exports are harmless.
#[cfg(all(
    target_arch = "wasm32",
    not(feature = "std"),
    any(feature = "mem", feature = "module")
))]
mod mem {
    /// # Safety
    ///
    /// `a` and `b` point to `n` readable bytes.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        let mut i = 0;
        while i < n {
            // SAFETY: `i < n`, within both ranges per the contract.
            let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
            i += 1;
        }
        0
    }

    /// # Safety
    ///
    /// As for `memcmp`.
    #[unsafe(no_mangle)]
    unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: forwarded contract.
        unsafe { memcmp(a, b, n) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_byte_allocations_are_real_blocks() {
        let a = allocate(0);
        let b = allocate(0);
        assert!(!a.is_null() && !b.is_null());
        assert_ne!(a, b);
        assert_eq!(live_block(a as usize).map(|block| block.size), Some(1));
        assert!(release(a as usize));
        assert!(release(b as usize));
    }

    #[test]
    fn blocks_are_aligned_and_remember_their_size() {
        for size in [1usize, 7, 8, 100, 8192, 70_000] {
            let p = allocate(size);
            assert_eq!(p as usize % BLOCK_ALIGN, 0);
            assert_eq!(live_block(p as usize).map(|block| block.size), Some(size));
            // SAFETY: `p` is a live block of `size` bytes.
            unsafe { core::ptr::write_bytes(p, 0xAB, size) };
            assert!(release(p as usize));
        }
        let p = allocate_aligned(10, 64);
        assert_eq!(p as usize % 64, 0);
        assert!(release(p as usize));
    }

    #[test]
    fn impossible_sizes_fail_instead_of_trapping() {
        assert!(allocate(usize::MAX).is_null());
        assert!(allocate(usize::MAX - 4).is_null());
        assert!(allocate(isize::MAX as usize).is_null());
    }

    #[test]
    fn bad_frees_are_ignored_and_leave_the_heap_usable() {
        let p = allocate(64);
        let interior = p as usize + 16;
        static STATIC: u8 = 0;
        let static_addr = core::ptr::addr_of!(STATIC) as usize;
        assert!(!release(interior), "interior pointer");
        assert!(!release(static_addr), "static address");
        assert!(release(p as usize));
        assert!(!release(p as usize), "double free");
        free_from_host(p as usize);
        free_from_host(0);
        let q = allocate(64);
        assert!(!q.is_null());
        assert!(release(q as usize));
    }

    #[test]
    fn block_ranges_are_checked() {
        let p = allocate(32) as usize;
        assert_eq!(block_containing(p, 32).map(|block| block.addr), Some(p));
        assert_eq!(block_containing(p + 8, 8).map(|block| block.addr), Some(p));
        assert!(block_containing(p + 8, 32).is_none());
        assert!(release(p));
        assert!(block_containing(p, 1).is_none());
    }

    #[test]
    fn reallocation_keeps_the_prefix() {
        let p = allocate(4);
        // SAFETY: `p` is a live block of 4 bytes.
        unsafe { p.cast::<[u8; 4]>().write([1, 2, 3, 4]) };
        let q = reallocate(p as usize, 100);
        // SAFETY: `q` is a live block of 100 bytes.
        assert_eq!(unsafe { *q.cast::<[u8; 4]>() }, [1, 2, 3, 4]);
        assert_eq!(live_block(q as usize).map(|block| block.size), Some(100));
        assert!(
            live_block(p as usize).is_none(),
            "the old block is released"
        );
        assert!(
            reallocate(p as usize, 8).is_null(),
            "a dead block is not resized"
        );
        assert!(release(q as usize));
    }
}
