#![cfg_attr(
    not(target_arch = "wasm32"),
    allow(
        dead_code,
        reason = "the allocator is exported on wasm32 only; natively only its tests use it"
    )
)]
//! Raw memory work at the host boundary: the exported `malloc`/`free`, and
//! turning the host's pointer+length pairs into slices.
//!
//! Invariant: together with `sys.rs`, `private.rs` and `testing.rs` this is
//! one of the few files of the crate allowed to hold `unsafe`; every block
//! says why it is sound.
//!
//! # The allocation header
//!
//! The server calls `free(ptr)` without a size, so every block handed out by
//! [`allocate`] starts with an 8-byte header holding the payload size and the
//! alignment; the payload follows at an 8-aligned address. `malloc(0)` hands
//! out a real (header-only) block, because the server treats 0 as a failure.

use core::alloc::Layout;
use core::mem::MaybeUninit;

/// Bytes in front of every payload (the size and the alignment, one `usize`
/// each: 8 on wasm32); also the minimum payload alignment.
pub const HEADER_SIZE: usize = 2 * core::mem::size_of::<usize>();

/// Allocates `size` bytes aligned to [`HEADER_SIZE`] (8 on wasm32) from the global allocator; null on
/// failure (never a trap).
pub fn allocate(size: usize) -> *mut u8 {
    allocate_aligned(size, HEADER_SIZE)
}

/// Allocates `size` bytes aligned to `align` (a power of two; at least
/// [`HEADER_SIZE`] is used); null on failure.
pub fn allocate_aligned(size: usize, align: usize) -> *mut u8 {
    let align = align.max(HEADER_SIZE);
    let Some((layout, offset)) = block_layout(size, align) else {
        return core::ptr::null_mut();
    };
    // SAFETY: `layout` has a non-zero size (it includes the header).
    let base = unsafe { alloc::alloc::alloc(layout) };
    if base.is_null() {
        return base;
    }
    // SAFETY: `offset >= HEADER_SIZE` and `offset + size == layout.size()`,
    // so the payload and its header lie inside the block just allocated.
    unsafe {
        let payload = base.add(offset);
        write_header(payload, size, align);
        payload
    }
}

/// Returns a block from [`allocate`]/[`allocate_aligned`] to the allocator.
/// A null pointer is ignored.
///
/// # Safety
///
/// `payload` is null or a live pointer returned by this module's allocation
/// functions, not freed since.
pub unsafe fn release(payload: *mut u8) {
    if payload.is_null() {
        return;
    }
    // SAFETY: per the contract, `payload` came from `allocate_aligned`, which
    // wrote the header in front of it after `block_layout` accepted exactly
    // this size and alignment: the layout is valid and the block starts
    // `align` bytes before the payload.
    unsafe {
        let (size, align) = read_header(payload);
        let layout = Layout::from_size_align_unchecked(size + align, align);
        alloc::alloc::dealloc(payload.sub(align), layout);
    }
}

#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
/// The payload size recorded for a live block.
///
/// # Safety
///
/// As for [`release`], and `payload` is not null.
pub unsafe fn allocation_size(payload: *const u8) -> usize {
    // SAFETY: forwarded contract.
    unsafe { read_header(payload).0 }
}

#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
/// Resizes a block, keeping the first `min(old, new)` bytes; null on failure,
/// in which case the old block is untouched.
///
/// # Safety
///
/// As for [`release`].
pub unsafe fn reallocate(payload: *mut u8, new_size: usize) -> *mut u8 {
    if payload.is_null() {
        return allocate(new_size);
    }
    // SAFETY: per the contract the header is valid.
    let (old_size, align) = unsafe { read_header(payload) };
    let fresh = allocate_aligned(new_size, align);
    if !fresh.is_null() {
        // SAFETY: both blocks are live, distinct, and at least
        // `min(old_size, new_size)` bytes long.
        unsafe {
            core::ptr::copy_nonoverlapping(payload, fresh, old_size.min(new_size));
            release(payload);
        }
    }
    fresh
}

/// The block layout for a payload and the payload's offset in the block.
fn block_layout(size: usize, align: usize) -> Option<(Layout, usize)> {
    // The header sits in the `align` bytes before the payload.
    let offset = align;
    let total = size.checked_add(offset)?;
    if !align.is_power_of_two() || total > isize::MAX as usize - (align - 1) {
        return None;
    }
    // SAFETY: `align` is a power of two and `total`, rounded up to `align`,
    // does not overflow isize: Layout's two conditions.
    let layout = unsafe { Layout::from_size_align_unchecked(total, align) };
    Some((layout, offset))
}

/// # Safety
///
/// `payload - HEADER_SIZE .. payload` is writable.
unsafe fn write_header(payload: *mut u8, size: usize, align: usize) {
    // SAFETY: the caller guarantees the header bytes before `payload` are
    // ours, and `payload` is HEADER_SIZE-aligned, so the header is aligned.
    unsafe {
        payload
            .sub(HEADER_SIZE)
            .cast::<[usize; 2]>()
            .write([size, align])
    }
}

/// # Safety
///
/// `payload` was returned by `allocate_aligned` and is live.
unsafe fn read_header(payload: *const u8) -> (usize, usize) {
    // SAFETY: `allocate_aligned` wrote the header just before `payload`.
    let [size, align] = unsafe { payload.sub(HEADER_SIZE).cast::<[usize; 2]>().read() };
    (size, align)
}

/// The host's `(ptr, len)` as a byte slice: empty for a zero length, `None`
/// for a negative length or a null pointer with a length.
///
/// # Safety
///
/// A non-null `ptr` starts `len` initialised bytes of linear memory that
/// nothing mutates for `'a` (the server's buffers always do).
#[inline(always)]
pub unsafe fn host_bytes<'a>(ptr: *const u8, len: i32) -> Option<&'a [u8]> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(&[]);
    }
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null, and per the contract inside memory, initialised and
    // unaliased by writers for `'a`. u8 has alignment 1.
    Some(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// The host's output buffer `(ptr, capacity)`: `None` for a null pointer or
/// a negative capacity.
///
/// # Safety
///
/// A non-null `ptr` starts `capacity` bytes of linear memory that nothing
/// else reads or writes for `'a`.
#[inline(always)]
pub unsafe fn host_buffer<'a>(ptr: *mut u8, capacity: i32) -> Option<&'a mut [MaybeUninit<u8>]> {
    let capacity = usize::try_from(capacity).ok()?;
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-null, and per the contract inside memory and exclusively ours for `'a` per the
    // contract; `MaybeUninit<u8>` makes no claim about the bytes.
    Some(unsafe { core::slice::from_raw_parts_mut(ptr.cast::<MaybeUninit<u8>>(), capacity) })
}

/// Reads a NUL-terminated string of at most `max` bytes (the NUL not
/// counted) starting at `ptr`. A null pointer reads as empty; a string with
/// no NUL within `max` bytes is cut at `max`, so a missing terminator never
/// sends the scan far.
///
/// # Safety
///
/// The bytes from `ptr` up to its NUL, or `max` bytes, whichever comes
/// first, are initialised and not written for `'a`.
#[inline(always)]
pub unsafe fn host_c_str<'a>(ptr: *const u8, max: usize) -> &'a [u8] {
    if ptr.is_null() {
        return &[];
    }
    let mut len = 0;
    // SAFETY: every byte read is below `max` and before the first NUL, so
    // initialised per the contract.
    unsafe {
        while len < max && *ptr.add(len) != 0 {
            len += 1;
        }
        core::slice::from_raw_parts(ptr, len)
    }
}

/// Writes the host's `out_len` cell as a u32 little-endian; false when the
/// pointer is null (nothing written).
///
/// # Safety
///
/// A non-null `ptr` starts 4 writable bytes not otherwise borrowed.
#[inline(always)]
pub unsafe fn write_out_len(ptr: *mut u8, value: u32) -> bool {
    if ptr.is_null() {
        return false;
    }
    // SAFETY: 4 writable bytes per the contract; an unaligned write because
    // the host may place the cell anywhere.
    unsafe { ptr.cast::<[u8; 4]>().write_unaligned(value.to_le_bytes()) };
    true
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

/// The C allocator the server calls, on wasm32 only (natively it would clash
/// with the platform's libc).
#[cfg(target_arch = "wasm32")]
mod exports {
    use super::*;

    /// `malloc(size) -> ptr`: 8-aligned, never 0 for `malloc(0)`, 0 on failure.
    #[unsafe(no_mangle)]
    pub extern "C" fn malloc(size: usize) -> *mut u8 {
        allocate(size)
    }

    /// `free(ptr)`: the size is read back from the block's header.
    ///
    /// # Safety
    ///
    /// `ptr` is null or came from this module's `malloc` (or, with `std`,
    /// `calloc`/`realloc`/`aligned_alloc`/`posix_memalign`).
    #[unsafe(no_mangle)]
    pub unsafe extern "C" fn free(ptr: *mut u8) {
        // SAFETY: forwarded contract.
        unsafe { release(ptr) }
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
                // SAFETY: `payload` is a fresh block of `total` bytes.
                unsafe { core::ptr::write_bytes(payload, 0, total) };
            }
            payload
        }

        /// `realloc(ptr, size)`.
        ///
        /// # Safety
        ///
        /// As for `free`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn realloc(ptr: *mut u8, size: usize) -> *mut u8 {
            // SAFETY: forwarded contract.
            unsafe { reallocate(ptr, size) }
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

        /// `malloc_usable_size(ptr)`.
        ///
        /// # Safety
        ///
        /// As for `free`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn malloc_usable_size(ptr: *const u8) -> usize {
            if ptr.is_null() {
                return 0;
            }
            // SAFETY: forwarded contract.
            unsafe { allocation_size(ptr) }
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
        ///
        /// # Safety
        ///
        /// As for `free`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn __libc_free(ptr: *mut u8) {
            // SAFETY: forwarded contract.
            unsafe { release(ptr) }
        }
    }
}

/// `memcmp` and `bcmp` for `no_std` plugins (feature `mem`): without
/// wasi-libc nothing defines them, and rustc lowers slice comparisons to
/// them, which would become `env.memcmp` imports the server cannot satisfy.
/// Off by default because rustc exports every `#[no_mangle]` function of a
/// `cdylib`, so the two names join the module's exports.
#[cfg(all(target_arch = "wasm32", not(feature = "std"), feature = "mem"))]
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

/// The custom backend of `getrandom` 0.3 and 0.4 (both look up this one
/// symbol when built with `--cfg getrandom_backend="custom"`): bytes come
/// from `sdn.random_bytes`, never from WASI's fixed-seed `random_get`.
#[cfg(all(target_arch = "wasm32", feature = "getrandom"))]
mod getrandom_backend {
    /// # Safety
    ///
    /// `dest .. dest + len` is writable (getrandom's contract).
    #[unsafe(no_mangle)]
    unsafe extern "Rust" fn __getrandom_v03_custom(
        dest: *mut u8,
        len: usize,
    ) -> Result<(), getrandom::Error> {
        if len == 0 {
            return Ok(());
        }
        // SAFETY: getrandom hands a writable buffer of `len` bytes; writing
        // through `&mut [u8]` initialises every byte we expose.
        let buf = unsafe {
            core::ptr::write_bytes(dest, 0, len);
            core::slice::from_raw_parts_mut(dest, len)
        };
        crate::host::random_bytes(buf).map_err(|_| getrandom::Error::new_custom(1))
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
        // SAFETY: both are live blocks from `allocate`.
        unsafe {
            release(a);
            release(b);
        }
    }

    #[test]
    fn blocks_are_aligned_and_remember_their_size() {
        for size in [1usize, 7, 8, 100, 8192, 70_000] {
            let p = allocate(size);
            assert_eq!(p as usize % 8, 0);
            // SAFETY: live block from `allocate`.
            unsafe {
                assert_eq!(allocation_size(p), size);
                core::ptr::write_bytes(p, 0xAB, size);
                release(p);
            }
        }
        let p = allocate_aligned(10, 64);
        assert_eq!(p as usize % 64, 0);
        // SAFETY: live block.
        unsafe { release(p) };
    }

    #[test]
    fn impossible_sizes_fail_instead_of_trapping() {
        assert!(allocate(usize::MAX).is_null());
        assert!(allocate(usize::MAX - 4).is_null());
    }

    #[test]
    fn reallocation_keeps_the_prefix() {
        let p = allocate(4);
        // SAFETY: live blocks throughout.
        unsafe {
            p.cast::<[u8; 4]>().write([1, 2, 3, 4]);
            let q = reallocate(p, 100);
            assert_eq!(*q.cast::<[u8; 4]>(), [1, 2, 3, 4]);
            assert_eq!(allocation_size(q), 100);
            release(q);
        }
    }

    #[test]
    fn host_ranges_are_checked() {
        // SAFETY: no range below is dereferenced except the valid one.
        unsafe {
            assert_eq!(host_bytes(core::ptr::null(), 0), Some(&[][..]));
            assert_eq!(host_bytes(core::ptr::null(), 3), None);
            assert_eq!(host_bytes(b"abc".as_ptr(), -1), None);
            assert_eq!(host_bytes(b"abc".as_ptr(), 3), Some(&b"abc"[..]));
            assert!(host_buffer(core::ptr::null_mut(), 8).is_none());
            assert_eq!(host_c_str(c"host".as_ptr().cast(), 253), b"host");
            assert_eq!(host_c_str(c"hostname".as_ptr().cast(), 4), b"host");
            assert_eq!(host_c_str(core::ptr::null(), 4), b"");
        }
    }
}
