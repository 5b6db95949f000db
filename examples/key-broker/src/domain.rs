//! Domains: the configured allow-list, the domain a request names, the match
//! between them and the metadata blob that lists the allow-list.

use alloc::vec::Vec;
use core::fmt;

use sdn_pdk::bytes::copy_prefix;

use crate::Status;
use crate::bytes;

/// The longest domain a request may name (a DNS name's limit).
pub const MAX_DOMAIN_LEN: usize = 253;

/// The domain a request names, validated and lower-cased.
///
/// Valid: 1..=[`MAX_DOMAIN_LEN`] bytes of ASCII letters, digits, `-`, `.` and
/// `:` (a `Host` header may carry a port). Held in a fixed array: no
/// allocation per request.
#[derive(Clone, Copy)]
pub struct RequestDomain {
    bytes: [u8; MAX_DOMAIN_LEN],
    len: usize,
}

impl RequestDomain {
    /// Validates `raw` and lower-cases it.
    ///
    /// # Errors
    /// [`Status::Malformed`] for an empty or too long domain or a byte
    /// outside the allowed characters.
    pub fn parse(raw: &[u8]) -> Result<Self, Status> {
        if raw.is_empty() || !raw.iter().copied().all(is_domain_byte) {
            return Err(Status::Malformed);
        }
        let mut bytes = [0; MAX_DOMAIN_LEN];
        let dest = bytes.get_mut(..raw.len()).ok_or(Status::Malformed)?;
        copy_prefix(dest, raw);
        dest.make_ascii_lowercase();
        Ok(Self {
            bytes,
            len: raw.len(),
        })
    }

    /// The lower-cased domain.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl fmt::Debug for RequestDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only ASCII bytes get in, so this is exact.
        f.debug_tuple("RequestDomain")
            .field(&self.as_bytes().escape_ascii())
            .finish()
    }
}

impl PartialEq for RequestDomain {
    fn eq(&self, other: &Self) -> bool {
        bytes::eq(self.as_bytes(), other.as_bytes())
    }
}

impl Eq for RequestDomain {}

/// Whether `byte` may appear in a requested domain.
const fn is_domain_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b':')
}

/// Whether one allow-list entry (already trimmed and lower-cased) admits a
/// lower-cased domain.
///
/// `example.com` admits exactly `example.com`. `*.example.com` admits any
/// name ending in `.example.com` with at least one label before it — not
/// `example.com` itself. There is no other wildcard.
#[must_use]
pub fn entry_matches(entry: &[u8], domain: &[u8]) -> bool {
    // (`split_first`, not `strip_prefix`: see `bytes::eq` on `memcmp`.)
    match entry.split_first() {
        // `suffix` keeps its leading dot: `.example.com`.
        Some((b'*', suffix)) if suffix.first() == Some(&b'.') => {
            // At least one label before the suffix: a non-empty prefix that
            // does not itself end in a dot (`..example.com` has none).
            let label_end = domain.len().checked_sub(suffix.len().saturating_add(1));
            let last_prefix_byte = label_end.and_then(|end| domain.get(end));
            matches!(last_prefix_byte, Some(byte) if *byte != b'.')
                && bytes::ends_with(domain, suffix)
        }
        _ => bytes::eq(entry, domain),
    }
}

/// The configured allow-list: entries trimmed, lower-cased, empties dropped,
/// in config order. Never empty.
#[derive(Clone)]
pub struct AllowedDomains {
    /// The entries joined by `,` (no entry can contain one).
    joined: Vec<u8>,
}

impl AllowedDomains {
    /// Parses the config's comma-separated list: each entry is trimmed of
    /// ASCII white space and lower-cased (ASCII only); empty entries are
    /// dropped.
    ///
    /// # Errors
    /// [`Status::DomainNotAllowed`] when no entry remains;
    /// [`Status::Internal`] when memory for the list cannot be had.
    pub fn parse(csv: &[u8]) -> Result<Self, Status> {
        let mut joined = Vec::new();
        // The one allocation: the entries never need more than `csv`.
        joined
            .try_reserve_exact(csv.len())
            .map_err(|_| Status::Internal)?;
        // (`extend_from_slice` only, no `push` or mapped `extend`: one
        // growth path in the wasm module instead of three.)
        for entry in csv.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
            if entry.is_empty() {
                continue;
            }
            if !joined.is_empty() {
                joined.extend_from_slice(b",");
            }
            joined.extend_from_slice(entry);
        }
        if joined.is_empty() {
            return Err(Status::DomainNotAllowed);
        }
        joined.make_ascii_lowercase();
        Ok(Self { joined })
    }

    /// The entries in config order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.joined.split(|&b| b == b',')
    }

    /// Whether any entry admits `domain` (see [`entry_matches`]).
    #[must_use]
    pub fn allows(&self, domain: &RequestDomain) -> bool {
        self.iter()
            .any(|entry| entry_matches(entry, domain.as_bytes()))
    }

    /// The size of the metadata blob [`write_metadata`](Self::write_metadata)
    /// writes, or `None` when it cannot be encoded (an entry longer than
    /// `u16::MAX` bytes).
    #[must_use]
    pub fn metadata_len(&self) -> Option<usize> {
        self.iter().try_fold(4_usize, |total, entry| {
            u16::try_from(entry.len()).ok()?;
            total.checked_add(2)?.checked_add(entry.len())
        })
    }

    /// Writes the metadata blob the server parses: the entry count (u32 LE),
    /// then each entry as its length (u16 LE) and bytes, in config order.
    /// Returns the number of bytes written.
    ///
    /// # Errors
    /// [`Status::OutputTooSmall`] when `out` cannot hold the blob (nothing is
    /// written); [`Status::Internal`] when an entry is too long to encode.
    pub fn write_metadata(&self, out: &mut [u8]) -> Result<usize, Status> {
        let len = self.metadata_len().ok_or(Status::Internal)?;
        let count = u32::try_from(self.iter().count()).map_err(|_| Status::Internal)?;
        let mut rest = out.get_mut(..len).ok_or(Status::OutputTooSmall)?;
        rest = put(rest, &count.to_le_bytes())?;
        for entry in self.iter() {
            let entry_len = u16::try_from(entry.len()).map_err(|_| Status::Internal)?;
            rest = put(rest, &entry_len.to_le_bytes())?;
            rest = put(rest, entry)?;
        }
        Ok(len)
    }
}

impl fmt::Debug for AllowedDomains {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(<[u8]>::escape_ascii))
            .finish()
    }
}

/// Copies `bytes` to the front of `out` and returns the rest of `out`.
fn put<'a>(out: &'a mut [u8], bytes: &[u8]) -> Result<&'a mut [u8], Status> {
    let (head, tail) = out
        .split_at_mut_checked(bytes.len())
        .ok_or(Status::Internal)?;
    copy_prefix(head, bytes);
    Ok(tail)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{AllowedDomains, MAX_DOMAIN_LEN, RequestDomain, entry_matches};
    use crate::Status;
    use alloc::vec::Vec;

    fn domain(raw: &str) -> RequestDomain {
        RequestDomain::parse(raw.as_bytes()).unwrap()
    }

    #[test]
    fn request_domains_are_validated_and_lower_cased() {
        assert_eq!(domain("App.OrbPro.Test").as_bytes(), b"app.orbpro.test");
        assert_eq!(domain("a-b.c:8080").as_bytes(), b"a-b.c:8080");
        assert_eq!(domain("X").as_bytes(), b"x");
        let longest = [b'a'; MAX_DOMAIN_LEN];
        assert_eq!(RequestDomain::parse(&longest).unwrap().as_bytes(), longest);
        for bad in [
            &b""[..],
            &[b'a'; MAX_DOMAIN_LEN + 1],
            b"exa mple.com",
            b"example.com\0",
            b"*.example.com",
            b"ex_ample.com",
            b"ex/ample.com",
            "ex\u{e4}mple.com".as_bytes(),
        ] {
            assert_eq!(RequestDomain::parse(bad), Err(Status::Malformed), "{bad:?}");
        }
    }

    #[test]
    fn exact_entries_match_exactly() {
        assert!(entry_matches(b"example.com", b"example.com"));
        assert!(!entry_matches(b"example.com", b"www.example.com"));
        assert!(!entry_matches(b"example.com", b"example.co"));
        assert!(!entry_matches(b"example.com", b"xexample.com"));
    }

    #[test]
    fn wildcards_need_a_label_before_the_suffix() {
        assert!(entry_matches(b"*.example.com", b"a.example.com"));
        assert!(entry_matches(b"*.example.com", b"a.b.example.com"));
        assert!(!entry_matches(b"*.example.com", b"example.com"));
        assert!(!entry_matches(b"*.example.com", b".example.com"));
        assert!(
            !entry_matches(b"*.example.com", b"..example.com"),
            "an empty label is no label"
        );
        assert!(
            !entry_matches(b"*.example.com", b"a..example.com"),
            "an empty label is no label"
        );
        assert!(!entry_matches(b"*.example.com", b"aexample.com"));
        assert!(!entry_matches(b"*.example.com", b"example.com.evil"));
        // No other wildcard form.
        assert!(!entry_matches(b"*example.com", b"aexample.com"));
        assert!(entry_matches(b"*example.com", b"*example.com"));
    }

    #[test]
    fn the_list_is_trimmed_lower_cased_and_compacted() {
        let list = AllowedDomains::parse(b" Example.COM ,, *.OrbPro.test,\t,x ").unwrap();
        let entries: Vec<&[u8]> = list.iter().collect();
        assert_eq!(entries, [&b"example.com"[..], b"*.orbpro.test", b"x"]);
        assert!(list.allows(&domain("EXAMPLE.com")));
        assert!(list.allows(&domain("app.orbpro.test")));
        assert!(!list.allows(&domain("orbpro.test")));
        assert!(!list.allows(&domain("y")));
    }

    #[test]
    fn an_empty_list_is_refused() {
        for csv in [&b""[..], b",", b" , ,\t", b"   "] {
            assert_eq!(
                AllowedDomains::parse(csv).err(),
                Some(Status::DomainNotAllowed),
                "{csv:?}"
            );
        }
    }

    #[test]
    fn metadata_layout() {
        let list = AllowedDomains::parse(b"Ab.c, *.d").unwrap();
        #[rustfmt::skip]
        let expected: &[u8] = &[
            2, 0, 0, 0,             // entry count, u32 LE
            4, 0,                   // first entry's length, u16 LE
            b'a', b'b', b'.', b'c', // first entry, lower-cased
            3, 0,                   // second entry's length, u16 LE
            b'*', b'.', b'd',       // second entry, trimmed
        ];
        assert_eq!(list.metadata_len(), Some(expected.len()));
        let mut out = [0xAA; 32];
        assert_eq!(list.write_metadata(&mut out), Ok(expected.len()));
        assert_eq!(&out[..expected.len()], expected);
        assert!(out[expected.len()..].iter().all(|&b| b == 0xAA));
    }

    #[test]
    fn metadata_that_does_not_fit_writes_nothing() {
        let list = AllowedDomains::parse(b"ab.c,*.d").unwrap();
        let mut exact = [0; 15];
        assert_eq!(list.write_metadata(&mut exact), Ok(15));
        let mut short = [0xAA; 14];
        assert_eq!(list.write_metadata(&mut short), Err(Status::OutputTooSmall));
        assert_eq!(short, [0xAA; 14]);
    }

    #[test]
    fn an_entry_too_long_for_metadata_is_an_internal_error() {
        let long = alloc::vec![b'a'; usize::from(u16::MAX) + 1];
        let list = AllowedDomains::parse(&long).unwrap();
        assert_eq!(list.metadata_len(), None);
        let mut out = alloc::vec![0; long.len() + 16];
        assert_eq!(list.write_metadata(&mut out), Err(Status::Internal));
    }
}
