//! The hostcall binary envelope of `space_data_module_host` (both
//! directions: a call's parameters and its response).
//!
//! Layout, all integers u32 little-endian:
//!
//! ```text
//! meta_len | meta (JSON, UTF-8) | segment_count | (segment_len | segment bytes)*
//! ```
//!
//! A binary value inside the meta is written `{"$bin": i}`, `i` the index of
//! its segment. The codec does not parse the JSON: the host side uses a JSON
//! library, the guest its own small reader.
//!
//! ```
//! use sdn_pdk_schemas::hostcall;
//!
//! let bytes = hostcall::encode(r#"{"value":{"$bin":0}}"#, &[b"abc"]);
//! let envelope = hostcall::decode(&bytes)?;
//! assert_eq!(envelope.meta, r#"{"value":{"$bin":0}}"#);
//! assert_eq!(envelope.segments, [&b"abc"[..]]);
//! # Ok::<(), hostcall::Error>(())
//! ```

use alloc::vec::Vec;
use core::fmt;

/// The key of a binary reference in the meta: `{"$bin": i}`.
pub const BIN_KEY: &str = "$bin";

/// A decoded envelope, borrowing from the buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The meta JSON text (valid UTF-8, not parsed).
    pub meta: &'a str,
    /// The segments, in order; `{"$bin": i}` is `segments[i]`.
    pub segments: Vec<&'a [u8]>,
}

/// Why bytes are not an envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// The buffer ends before the part named here.
    Truncated {
        /// `"meta length"`, `"meta"`, `"segment count"`, `"segment length"`
        /// or `"segment"`.
        part: &'static str,
    },
    /// The meta is not UTF-8.
    MetaNotUtf8,
    /// Bytes follow the last segment.
    TrailingBytes {
        /// How many.
        count: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Truncated { part } => {
                write!(f, "hostcall envelope is truncated: no room for the {part}")
            }
            Self::MetaNotUtf8 => f.write_str("hostcall envelope meta is not UTF-8"),
            Self::TrailingBytes { count } => {
                write!(
                    f,
                    "hostcall envelope has {count} bytes after its last segment"
                )
            }
        }
    }
}

impl core::error::Error for Error {}

/// The encoded size of an envelope with this meta and these segments.
#[must_use]
pub fn encoded_len(meta_json: &str, segments: &[&[u8]]) -> usize {
    segments
        .iter()
        .fold(8 + meta_json.len(), |n, s| n + 4 + s.len())
}

/// Encodes an envelope.
///
/// # Panics
///
/// When the meta, the segment count or a segment is 4 GiB or longer (not
/// representable in the u32 length fields; impossible on wasm32).
#[must_use]
pub fn encode(meta_json: &str, segments: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(encoded_len(meta_json, segments));
    push_len(&mut out, meta_json.len());
    out.extend_from_slice(meta_json.as_bytes());
    push_len(&mut out, segments.len());
    for segment in segments {
        push_len(&mut out, segment.len());
        out.extend_from_slice(segment);
    }
    out
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    #[allow(
        clippy::expect_used,
        reason = "documented panic: a length field is u32 by definition"
    )]
    let len = u32::try_from(len).expect("hostcall envelope part of 4 GiB or more");
    out.extend_from_slice(&len.to_le_bytes());
}

/// A cursor over the buffer; every read is bounds-checked.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize, part: &'static str) -> Result<&'a [u8], Error> {
        if self.rest.len() < len {
            return Err(Error::Truncated { part });
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        Ok(head)
    }

    fn u32(&mut self, part: &'static str) -> Result<usize, Error> {
        let bytes = self.take(4, part)?;
        let word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        // usize is at least 32 bits on every target this crate supports.
        usize::try_from(word).map_err(|_| Error::Truncated { part })
    }
}

/// Decodes an envelope; never panics, whatever the bytes.
///
/// # Errors
///
/// [`Error::Truncated`] when a length points past the end,
/// [`Error::MetaNotUtf8`], [`Error::TrailingBytes`] when bytes follow the
/// last segment.
pub fn decode(bytes: &[u8]) -> Result<Envelope<'_>, Error> {
    let mut reader = Reader { rest: bytes };
    let meta_len = reader.u32("meta length")?;
    let meta = reader.take(meta_len, "meta")?;
    let meta = core::str::from_utf8(meta).map_err(|_| Error::MetaNotUtf8)?;
    let count = reader.u32("segment count")?;
    // Each segment takes at least 4 bytes: never reserve more than fits.
    let mut segments = Vec::with_capacity(count.min(reader.rest.len() / 4));
    for _ in 0..count {
        let len = reader.u32("segment length")?;
        segments.push(reader.take(len, "segment")?);
    }
    if !reader.rest.is_empty() {
        return Err(Error::TrailingBytes {
            count: reader.rest.len(),
        });
    }
    Ok(Envelope { meta, segments })
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    /// The module SDK's own envelopes (`hostcall-wire.json`, written by its
    /// reference encoder), with each one's meta as `JSON.stringify` wrote it.
    const VECTORS: &str = include_str!("../tests/data/module-sdk/hostcall-wire.json");

    fn unhex(hex: &str) -> Vec<u8> {
        assert!(hex.len().is_multiple_of(2), "odd hex");
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The string value after `"key": "` starting at `from`.
    fn string_after<'a>(text: &'a str, from: usize, key: &str) -> (&'a str, usize) {
        let needle = alloc::format!("\"{key}\": \"");
        let start = text[from..].find(&needle).unwrap() + from + needle.len();
        let end = text[start..].find('"').unwrap() + start;
        (&text[start..end], end)
    }

    /// The bytes and the segments of the vector called `name`.
    fn vector(name: &str) -> (Vec<u8>, Vec<Vec<u8>>) {
        let at = VECTORS.find(&alloc::format!("\"{name}\": {{")).unwrap();
        let (hex, after) = string_after(VECTORS, at, "hex");
        let needle = "\"segments\": [";
        let open = VECTORS[after..].find(needle).unwrap() + after + needle.len();
        let close = VECTORS[open..].find(']').unwrap() + open;
        let segments = VECTORS[open..close]
            .split('"')
            .skip(1)
            .step_by(2)
            .map(unhex)
            .collect();
        (unhex(hex), segments)
    }

    #[test]
    fn module_sdk_vectors_decode_and_re_encode_byte_for_byte() {
        let cases = [
            ("request.clock.now", "{}"),
            ("request.random.bytes", r#"{"length":16}"#),
            ("request.crypto.sha256", r#"{"value":{"$bin":0}}"#),
            (
                "response.ok.number",
                r#"{"ok":true,"result":1735689600000}"#,
            ),
            ("response.ok.bytes", r#"{"ok":true,"result":{"$bin":0}}"#),
            (
                "response.error",
                r#"{"ok":false,"error":{"name":"Error","message":"Operation \"x.y\" is not available in the synchronous hostcall ABI.","code":null,"operation":"x.y","capability":null}}"#,
            ),
        ];
        assert_eq!(VECTORS.matches("\"hex\"").count(), cases.len());
        for (name, meta) in cases {
            let (bytes, segments) = vector(name);
            let envelope = decode(&bytes).unwrap();
            assert_eq!(envelope.meta, meta, "{name}");
            let expected: Vec<&[u8]> = segments.iter().map(Vec::as_slice).collect();
            assert_eq!(envelope.segments, expected, "{name}");
            assert_eq!(encode(meta, &expected), bytes, "{name}");
            assert_eq!(encoded_len(meta, &expected), bytes.len(), "{name}");
        }
        let (bytes, _) = vector("request.crypto.sha256");
        assert_eq!(decode(&bytes).unwrap().segments, [&b"abc"[..]]);
    }

    #[test]
    fn empty_and_layout() {
        assert_eq!(encode("", &[]), [0; 8]);
        let bytes = encode("{}", &[b"", b"xy"]);
        assert_eq!(
            bytes,
            [
                2, 0, 0, 0, b'{', b'}', 2, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, b'x', b'y'
            ]
        );
        let envelope = decode(&bytes).unwrap();
        assert_eq!(envelope.segments, [&b""[..], &b"xy"[..]]);
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = encode(r#"{"a":1}"#, &[b"abc", b"defg"]);
        for len in 0..bytes.len() {
            assert!(
                matches!(decode(&bytes[..len]), Err(Error::Truncated { .. })),
                "{len}"
            );
        }
        assert!(decode(&bytes).is_ok());
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        // Lengths near u32::MAX.
        assert_eq!(
            decode(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]),
            Err(Error::Truncated { part: "meta" })
        );
        // A huge segment count with nothing behind it reserves nothing big.
        assert_eq!(
            decode(&[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
            Err(Error::Truncated {
                part: "segment length"
            })
        );
        assert_eq!(
            decode(&[0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1]),
            Err(Error::Truncated { part: "segment" })
        );
        assert_eq!(
            decode(&[1, 0, 0, 0, 0xff, 0, 0, 0, 0]),
            Err(Error::MetaNotUtf8)
        );
        let mut bytes = encode("{}", &[]);
        bytes.push(0);
        assert_eq!(decode(&bytes), Err(Error::TrailingBytes { count: 1 }));
        // Every single-byte corruption of a valid envelope decodes or errs.
        let good = encode(r#"{"v":{"$bin":0}}"#, &[b"abc"]);
        for i in 0..good.len() {
            for b in [0x00, 0x7f, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[i] = b;
                let _ = decode(&bad);
            }
        }
        assert_eq!(
            alloc::string::ToString::to_string(&Error::Truncated { part: "meta" }),
            "hostcall envelope is truncated: no room for the meta"
        );
    }
}
