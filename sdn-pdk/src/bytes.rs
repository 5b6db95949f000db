//! Byte helpers with no panic path.
//!
//! At `opt-level = "z"`, `copy_from_slice` and slice indexing stay out of
//! line with their panic branches, and a reachable panic drags `core::fmt`
//! (several KiB) into the module. These helpers cannot panic.

/// Copies as much of `src` as fits into `dst` (one `memory.copy`); returns
/// how many bytes were copied.
///
/// ```
/// let mut name = [0u8; 4];
/// assert_eq!(sdn_pdk::bytes::copy_prefix(&mut name, b"echo plugin"), 4);
/// assert_eq!(&name, b"echo");
/// ```
#[inline(always)]
pub fn copy_prefix(dst: &mut [u8], src: &[u8]) -> usize {
    crate::abi::copy_prefix(dst, src)
}
