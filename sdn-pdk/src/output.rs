//! A bounded writer over the host's output buffer.

use core::fmt;
use core::mem::MaybeUninit;

use crate::{Error, abi};

/// The output buffer of one call: writes past its capacity fail with
/// [`Error::OUTPUT_TOO_SMALL`] and leave the output unchanged (all or nothing).
///
/// ```
/// use core::mem::MaybeUninit;
/// use sdn_pdk::{Error, Output};
///
/// let mut storage = [MaybeUninit::uninit(); 8];
/// let mut out = Output::new(&mut storage);
/// out.write(b"abc")?;
/// out.write_u32_le(7)?;
/// assert_eq!(out.as_bytes(), b"abc\x07\0\0\0");
/// assert_eq!(out.write(b"xy"), Err(Error::OUTPUT_TOO_SMALL));
/// assert_eq!(out.len(), 7);
/// # Ok::<(), Error>(())
/// ```
pub struct Output<'a> {
    buffer: &'a mut [MaybeUninit<u8>],
    len: usize,
}

impl<'a> Output<'a> {
    /// A writer over `buffer`, empty.
    #[inline(always)]
    pub fn new(buffer: &'a mut [MaybeUninit<u8>]) -> Output<'a> {
        Output { buffer, len: 0 }
    }

    /// The most bytes this output can hold (the host's capacity).
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.buffer.len()
    }

    /// Bytes written so far.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes that can still be written.
    #[inline(always)]
    pub fn remaining(&self) -> usize {
        self.buffer.len() - self.len
    }

    /// `Ok` when `total` bytes fit in the whole buffer, else
    /// [`Error::OUTPUT_TOO_SMALL`]: check before doing work whose result
    /// would not fit.
    #[inline(always)]
    pub fn ensure_capacity(&self, total: usize) -> Result<(), Error> {
        if total <= self.capacity() {
            Ok(())
        } else {
            Err(Error::OUTPUT_TOO_SMALL)
        }
    }

    /// Appends `bytes`, all or nothing.
    pub fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() > self.remaining() {
            return Err(Error::OUTPUT_TOO_SMALL);
        }
        abi::write_bytes(self.buffer, self.len, bytes);
        self.len += bytes.len();
        Ok(())
    }

    /// Appends one byte.
    #[inline(always)]
    pub fn write_u8(&mut self, value: u8) -> Result<(), Error> {
        self.write(&[value])
    }

    /// Appends a `u16`, little-endian.
    #[inline(always)]
    pub fn write_u16_le(&mut self, value: u16) -> Result<(), Error> {
        self.write(&value.to_le_bytes())
    }

    /// Appends a `u32`, little-endian.
    #[inline(always)]
    pub fn write_u32_le(&mut self, value: u32) -> Result<(), Error> {
        self.write(&value.to_le_bytes())
    }

    /// Appends a `u64`, little-endian.
    #[inline(always)]
    pub fn write_u64_le(&mut self, value: u64) -> Result<(), Error> {
        self.write(&value.to_le_bytes())
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `write` initialised every byte below `self.len`.
        unsafe { abi::initialised_prefix(self.buffer, self.len) }
    }

    /// Forgets everything written (the capacity stays).
    pub fn clear(&mut self) {
        self.len = 0;
    }
}

impl fmt::Write for Output<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write(s.as_bytes()).map_err(|_| fmt::Error)
    }
}

impl fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Output")
            .field("capacity", &self.capacity())
            .field("written", &self.as_bytes())
            .finish()
    }
}
