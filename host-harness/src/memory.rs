//! Range-checked access to guest memory, shared by the imports and the calls.

use std::ops::Range;

use wasmtime::{Caller, Extern, Memory};

use sdn_pdk_schemas::hosts::exports::MEMORY;

/// The calling instance's exported `memory`, whatever the store (both hosts
/// export it under that name); `None` if it has none.
pub(crate) fn guest_memory<T>(caller: &mut Caller<'_, T>) -> Option<Memory> {
    caller.get_export(MEMORY).and_then(Extern::into_memory)
}

/// The byte range `ptr..ptr+len` if it lies inside a memory of `size` bytes
/// (Wazero's `Memory.Read`/`Write` rule: the end may equal the size).
pub(crate) fn range(size: usize, ptr: u32, len: u64) -> Option<Range<usize>> {
    let start = usize::try_from(ptr).ok()?;
    let len = usize::try_from(len).ok()?;
    let end = start.checked_add(len)?;
    (end <= size).then_some(start..end)
}

/// `&data[ptr..ptr+len]`, or `None` when out of range.
pub(crate) fn slice(data: &[u8], ptr: u32, len: u64) -> Option<&[u8]> {
    range(data.len(), ptr, len).map(|r| &data[r])
}

/// `&mut data[ptr..ptr+len]`, or `None` when out of range.
pub(crate) fn slice_mut(data: &mut [u8], ptr: u32, len: u64) -> Option<&mut [u8]> {
    range(data.len(), ptr, len).map(|r| &mut data[r])
}

/// Reads a u32 LE at `ptr`.
pub(crate) fn read_u32(data: &[u8], ptr: u32) -> Option<u32> {
    let bytes = slice(data, ptr, 4)?;
    Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// Writes `bytes` at `ptr`; `false` when out of range.
pub(crate) fn write(data: &mut [u8], ptr: u32, bytes: &[u8]) -> bool {
    match slice_mut(data, ptr, bytes.len() as u64) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_rules() {
        assert_eq!(range(10, 0, 10), Some(0..10));
        assert_eq!(range(10, 10, 0), Some(10..10));
        assert_eq!(range(10, 10, 1), None);
        assert_eq!(range(10, u32::MAX, 2), None);
        assert_eq!(range(10, 2, u64::MAX), None);
    }
}
