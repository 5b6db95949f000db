//! One validated type for every pointer and length a host passes.
//!
//! Invariant: no byte behind a host pointer is read or written before a
//! [`HostRange`] for it exists: the range is inside linear memory (checked
//! against `memory.size`, so a range past the end answers a status instead
//! of trapping) and, where the call has several buffers, disjoint from the
//! others (an output that overlaps the request would corrupt it).

/// Why a host range is unusable; every one answers the `HOST_BUFFER` status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeError {
    /// A negative length or capacity.
    NegativeLength,
    /// A null pointer for a buffer that must exist.
    Null,
    /// The range runs past the end of linear memory (or wraps).
    OutOfBounds,
    /// The range overlaps another buffer of the same call.
    Overlaps,
}

/// A host buffer: `len` bytes from `addr`, inside linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostRange {
    addr: usize,
    len: usize,
}

/// The bytes of linear memory: `memory.size` pages on wasm32. Natively
/// (tests) there is no such bound: every range is "inside".
#[inline(always)]
pub fn memory_end() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size::<0>().saturating_mul(65_536)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        usize::MAX
    }
}

impl HostRange {
    /// The empty range (a call without that buffer).
    pub const EMPTY: HostRange = HostRange { addr: 0, len: 0 };

    /// A range the host passed as `(ptr, len)`. A zero length is always
    /// valid (an empty range, null allowed); a non-zero one must be non-null
    /// and end inside memory.
    pub fn new(ptr: *const u8, len: i32) -> Result<HostRange, RangeError> {
        let len = usize::try_from(len).map_err(|_| RangeError::NegativeLength)?;
        HostRange::with_len(ptr, len, false)
    }

    /// A buffer that must exist even when empty (an output buffer, the
    /// `out_len` cell): null is refused whatever the length.
    pub fn required(ptr: *const u8, len: i32) -> Result<HostRange, RangeError> {
        let len = usize::try_from(len).map_err(|_| RangeError::NegativeLength)?;
        HostRange::with_len(ptr, len, true)
    }

    fn with_len(ptr: *const u8, len: usize, required: bool) -> Result<HostRange, RangeError> {
        let addr = ptr as usize;
        if addr == 0 && (required || len > 0) {
            return Err(RangeError::Null);
        }
        let end = addr.checked_add(len).ok_or(RangeError::OutOfBounds)?;
        if len > 0 && end > memory_end() {
            return Err(RangeError::OutOfBounds);
        }
        Ok(HostRange { addr, len })
    }

    /// The NUL-terminated string at `ptr`: at most `max` bytes (the NUL not
    /// counted), never past the end of memory. Null reads as empty.
    ///
    /// # Safety
    ///
    /// Memory from `ptr` to the end of linear memory is initialised and not
    /// written during the call (wasm memory always is initialised; the
    /// server's string is not written).
    pub unsafe fn c_string(ptr: *const u8, max: usize) -> HostRange {
        let addr = ptr as usize;
        if addr == 0 {
            return HostRange { addr: 0, len: 0 };
        }
        let limit = max.min(memory_end().saturating_sub(addr));
        let mut len = 0;
        // SAFETY: every byte read is below `limit`, inside memory, per the
        // contract initialised.
        while len < limit && unsafe { *ptr.add(len) } != 0 {
            len += 1;
        }
        HostRange { addr, len }
    }

    /// Fails with [`RangeError::Overlaps`] when the two ranges share a byte.
    pub fn disjoint_from(self, other: HostRange) -> Result<HostRange, RangeError> {
        let overlap = self.len > 0
            && other.len > 0
            && self.addr < other.addr + other.len
            && other.addr < self.addr + self.len;
        if overlap {
            Err(RangeError::Overlaps)
        } else {
            Ok(self)
        }
    }

    /// The range as bytes.
    ///
    /// # Safety
    ///
    /// The bytes are initialised and not written for `'a` (the host's input
    /// buffers are, for the call).
    pub unsafe fn bytes<'a>(self) -> &'a [u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: non-null, inside memory (checked at construction), and
        // per the contract initialised and unaliased by writers.
        unsafe { core::slice::from_raw_parts(self.addr as *const u8, self.len) }
    }

    /// The range as an output buffer.
    ///
    /// # Safety
    ///
    /// Nothing else reads or writes the range for `'a` (the host's output
    /// buffer is the plugin's for the call, and was checked disjoint from
    /// the call's other buffers).
    pub unsafe fn buffer<'a>(self) -> &'a mut [core::mem::MaybeUninit<u8>] {
        if self.len == 0 {
            return &mut [];
        }
        // SAFETY: non-null, inside memory, exclusively ours per the
        // contract; `MaybeUninit<u8>` makes no claim about the bytes.
        unsafe {
            core::slice::from_raw_parts_mut(self.addr as *mut core::mem::MaybeUninit<u8>, self.len)
        }
    }

    /// Writes `value` as 4 little-endian bytes at the range's start.
    ///
    /// # Safety
    ///
    /// As for [`HostRange::buffer`]; the range is at least 4 bytes.
    pub unsafe fn write_u32_le(self, value: u32) {
        if self.len < 4 {
            return;
        }
        // SAFETY: 4 writable bytes per the contract; unaligned, because the
        // host may place the cell anywhere.
        unsafe { (self.addr as *mut [u8; 4]).write_unaligned(value.to_le_bytes()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(addr: usize) -> *const u8 {
        addr as *const u8
    }

    #[test]
    fn lengths_and_nulls_are_checked() {
        assert_eq!(HostRange::new(at(0), 0).map(|range| range.len), Ok(0));
        assert_eq!(HostRange::new(at(0), 3), Err(RangeError::Null));
        assert_eq!(HostRange::new(at(64), -1), Err(RangeError::NegativeLength));
        assert_eq!(HostRange::required(at(0), 0), Err(RangeError::Null));
        assert_eq!(
            HostRange::new(at(usize::MAX - 1), 4),
            Err(RangeError::OutOfBounds)
        );
        assert_eq!(HostRange::new(at(64), 8).map(|range| range.addr), Ok(64));
    }

    #[test]
    fn overlapping_buffers_are_refused() {
        let request = HostRange::new(at(100), 10).unwrap();
        let same = HostRange::new(at(100), 10).unwrap();
        let inside = HostRange::new(at(105), 1).unwrap();
        let after = HostRange::new(at(110), 10).unwrap();
        let empty = HostRange::new(at(100), 0).unwrap();
        assert_eq!(same.disjoint_from(request), Err(RangeError::Overlaps));
        assert_eq!(inside.disjoint_from(request), Err(RangeError::Overlaps));
        assert_eq!(after.disjoint_from(request), Ok(after));
        assert_eq!(empty.disjoint_from(request), Ok(empty));
    }

    #[test]
    fn strings_stop_at_the_nul_or_the_cap() {
        // SAFETY: both strings are NUL-terminated static data.
        unsafe {
            assert_eq!(
                HostRange::c_string(c"host".as_ptr().cast(), 253).bytes(),
                b"host"
            );
            assert_eq!(
                HostRange::c_string(c"hostname".as_ptr().cast(), 4).bytes(),
                b"host"
            );
            assert_eq!(HostRange::c_string(core::ptr::null(), 4), HostRange::EMPTY);
        }
    }
}
