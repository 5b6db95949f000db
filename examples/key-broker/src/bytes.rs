//! A non-panicking little-endian reader over a byte slice.

use sdn_pdk::bytes::copy_prefix;

use crate::Status;

/// Reads fields front to back; every read that runs past the end is
/// [`Status::Malformed`].
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// The bytes not read yet.
    pub(crate) const fn rest(&self) -> &'a [u8] {
        self.rest
    }

    /// The next `len` bytes.
    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], Status> {
        let (head, tail) = self.rest.split_at_checked(len).ok_or(Status::Malformed)?;
        self.rest = tail;
        Ok(head)
    }

    /// The next `N` bytes as an array reference.
    pub(crate) fn array<const N: usize>(&mut self) -> Result<&'a [u8; N], Status> {
        self.take(N)?.try_into().map_err(|_| Status::Malformed)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Status> {
        let [byte] = *self.array::<1>()?;
        Ok(byte)
    }

    pub(crate) fn u16_le(&mut self) -> Result<u16, Status> {
        Ok(u16::from_le_bytes(*self.array()?))
    }

    pub(crate) fn u32_le(&mut self) -> Result<u32, Status> {
        Ok(u32::from_le_bytes(*self.array()?))
    }

    pub(crate) fn u64_le(&mut self) -> Result<u64, Status> {
        Ok(u64::from_le_bytes(*self.array()?))
    }
}

/// Concatenates `parts` into an array, one `memory.copy` per part. The
/// callers' lengths add up to `N` (their layout tests pin that); were they
/// not to, the copy would stop short or leave zeros rather than panic.
pub(crate) fn concat<const N: usize>(parts: &[&[u8]]) -> [u8; N] {
    let mut out = [0; N];
    let mut rest = out.as_mut_slice();
    for part in parts {
        let copied = copy_prefix(rest, part);
        // `copied` ≤ `rest.len()`: the range always exists.
        rest = rest.get_mut(copied..).unwrap_or_default();
    }
    out
}

/// Byte-slice equality as a plain loop.
///
/// `==` on `[u8]` lowers to a call to `memcmp`, which a `no_std` build for
/// `wasm32-wasip1` does not define (wasi-libc does, but is not linked): the
/// module would import `env.memcmp`, and the server refuses imports it does
/// not provide. The loop compiles to itself. Not constant-time; only public
/// bytes are compared with it.
pub(crate) fn eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// Whether `bytes` ends with `suffix` (see [`eq`] for why not `ends_with`).
pub(crate) fn ends_with(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes
        .len()
        .checked_sub(suffix.len())
        .and_then(|start| bytes.get(start..))
        .is_some_and(|tail| eq(tail, suffix))
}

#[cfg(test)]
mod tests {
    use super::{Reader, concat, ends_with, eq};

    #[test]
    fn concat_fills_in_order_and_never_overruns() {
        assert_eq!(concat::<5>(&[b"ab", b"", b"cde"]), *b"abcde");
        assert_eq!(concat::<4>(&[b"ab"]), *b"ab\0\0");
        assert_eq!(concat::<3>(&[b"ab", b"cd"]), *b"abc");
    }

    #[test]
    fn equality_and_suffixes() {
        assert!(eq(b"", b""));
        assert!(eq(b"abc", b"abc"));
        assert!(!eq(b"abc", b"abd"));
        assert!(!eq(b"abc", b"ab"));
        assert!(ends_with(b"abc", b"bc"));
        assert!(ends_with(b"abc", b"abc"));
        assert!(ends_with(b"abc", b""));
        assert!(!ends_with(b"abc", b"xabc"));
        assert!(!ends_with(b"abc", b"bd"));
    }
    use crate::Status;

    #[test]
    fn reads_little_endian_and_stops_at_the_end() {
        let mut reader = Reader::new(&[1, 2, 0, 3, 0, 0, 0, 9]);
        assert_eq!(reader.u8(), Ok(1));
        assert_eq!(reader.u16_le(), Ok(2));
        assert_eq!(reader.u32_le(), Ok(3));
        assert_eq!(reader.u64_le(), Err(Status::Malformed));
        // A failed read consumes nothing.
        assert_eq!(reader.rest(), &[9]);
        assert_eq!(reader.take(2), Err(Status::Malformed));
        assert_eq!(reader.take(1), Ok(&[9][..]));
        assert_eq!(reader.rest(), &[] as &[u8]);
    }
}
