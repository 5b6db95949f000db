//! SKB1 packets: the request parser and the response and error encoders.
//! All integers are little-endian.

use crate::Status;
use crate::bytes::{Reader, concat};
use crate::domain::RequestDomain;

/// Every SKB1 packet starts with these four bytes.
pub const MAGIC: [u8; 4] = *b"SKB1";
/// Packet type of a key request.
pub const TYPE_REQUEST: u8 = 0x01;
/// Packet type of a successful key response.
pub const TYPE_RESPONSE: u8 = 0x02;
/// Packet type of an error response.
pub const TYPE_ERROR: u8 = 0x03;

/// Length of an uncompressed SEC1 P-256 point (`0x04‖X‖Y`).
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of the client's and the server's nonces.
pub const NONCE_LEN: usize = 16;
/// Length of a request without its domain (98 + D bytes in all).
pub const REQUEST_FIXED_LEN: usize = 98;
/// Length of the response header: the AAD of the sealed content key.
pub const RESPONSE_HEADER_LEN: usize = 40;
/// Length of the sealed content key: 32 bytes of ciphertext and a 16-byte tag.
pub const SEALED_LEN: usize = 48;
/// Length of a successful response.
pub const RESPONSE_LEN: usize = RESPONSE_HEADER_LEN + SEALED_LEN;
/// Length of an error response.
pub const ERROR_LEN: usize = 8;

/// A parsed key request. Parsing checks everything status 2 covers; the
/// client key is only sliced out here (its validation is status 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    /// Requested key version; 0 asks for the active version.
    pub version: u16,
    /// Client's ephemeral public key as sent (not validated yet).
    pub client_key: &'a [u8; PUBLIC_KEY_LEN],
    /// Client nonce, the first half of the wrap salt.
    pub client_nonce: &'a [u8; NONCE_LEN],
    /// Client time, ms since the Unix epoch.
    pub client_time_ms: u64,
    /// Requested domain, validated and lower-cased.
    pub domain: RequestDomain,
}

impl<'a> Request<'a> {
    /// Parses a request of exactly 98 + D bytes:
    ///
    /// | offset | size | field |
    /// |---|---|---|
    /// | 0 | 4 | magic `"SKB1"` |
    /// | 4 | 1 | type `0x01` |
    /// | 5 | 1 | flags, `0x00` |
    /// | 6 | 2 | key version, u16 |
    /// | 8 | 65 | client public key |
    /// | 73 | 16 | client nonce |
    /// | 89 | 8 | client time ms, u64 |
    /// | 97 | 1 | D, 1..=253 |
    /// | 98 | D | domain |
    ///
    /// # Errors
    /// [`Status::Malformed`] for a wrong length, magic, type or flags, or a
    /// domain of a bad length or with a bad character.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Status> {
        let mut reader = Reader::new(bytes);
        let magic = reader.array::<4>()?;
        let packet_type = reader.u8()?;
        let flags = reader.u8()?;
        if *magic != MAGIC || packet_type != TYPE_REQUEST || flags != 0 {
            return Err(Status::Malformed);
        }
        let version = reader.u16_le()?;
        let client_key = reader.array()?;
        let client_nonce = reader.array()?;
        let client_time_ms = reader.u64_le()?;
        let domain_len = reader.u8()?;
        let domain = reader.take(usize::from(domain_len))?;
        if !reader.rest().is_empty() {
            return Err(Status::Malformed);
        }
        Ok(Self {
            version,
            client_key,
            client_nonce,
            client_time_ms,
            domain: RequestDomain::parse(domain)?,
        })
    }
}

/// The first 40 bytes of a successful response; they are the AAD of the
/// sealed content key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseHeader {
    /// The key version used (≥ 1).
    pub version: u16,
    /// The server nonce: the first 16 random bytes drawn for the request.
    pub server_nonce: [u8; NONCE_LEN],
    /// ⌊server_now / epoch_period_ms⌋.
    pub epoch: u64,
    /// server_now + lease_ms (saturating).
    pub not_after_ms: u64,
}

impl ResponseHeader {
    /// Encodes the header:
    ///
    /// | offset | size | field |
    /// |---|---|---|
    /// | 0 | 4 | magic `"SKB1"` |
    /// | 4 | 1 | type `0x02` |
    /// | 5 | 1 | status `0` |
    /// | 6 | 2 | key version, u16 |
    /// | 8 | 16 | server nonce |
    /// | 24 | 8 | epoch, u64 |
    /// | 32 | 8 | not-after ms, u64 |
    #[must_use]
    pub fn encode(&self) -> [u8; RESPONSE_HEADER_LEN] {
        concat(&[
            &MAGIC,
            &[TYPE_RESPONSE, Status::Ok.code()],
            &self.version.to_le_bytes(),
            &self.server_nonce,
            &self.epoch.to_le_bytes(),
            &self.not_after_ms.to_le_bytes(),
        ])
    }
}

/// A successful response: the encoded header, then the sealed content key.
#[must_use]
pub fn encode_response(
    header: &[u8; RESPONSE_HEADER_LEN],
    sealed: &[u8; SEALED_LEN],
) -> [u8; RESPONSE_LEN] {
    concat(&[header, sealed])
}

/// An error response: `"SKB1"`, type `0x03`, the status, key version 0.
#[must_use]
pub fn encode_error(status: Status) -> [u8; ERROR_LEN] {
    concat(&[&MAGIC, &[TYPE_ERROR, status.code()], &0_u16.to_le_bytes()])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{
        ERROR_LEN, REQUEST_FIXED_LEN, RESPONSE_LEN, Request, ResponseHeader, encode_error,
        encode_response,
    };
    use crate::Status;
    use alloc::vec::Vec;

    /// A well-formed request for `Ab.c`, built field by field.
    fn request_fixture() -> Vec<u8> {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"SKB1"); //                magic
        bytes.push(0x01); //                                type: key request
        bytes.push(0x00); //                                flags
        bytes.extend_from_slice(&[0x02, 0x01]); //          key version 0x0102, u16 LE
        bytes.push(0x04); //                                client key: SEC1 tag ...
        bytes.extend_from_slice(&[0x11; 64]); //            ... then X and Y
        bytes.extend_from_slice(&[0x22; 16]); //            client nonce
        bytes.extend_from_slice(&0x0102_0304_0506_0708_u64.to_le_bytes()); // client time
        bytes.push(4); //                                   D
        bytes.extend_from_slice(b"Ab.c"); //                domain
        bytes
    }

    #[test]
    fn request_layout() {
        let bytes = request_fixture();
        assert_eq!(bytes.len(), REQUEST_FIXED_LEN + 4);
        let request = Request::parse(&bytes).unwrap();
        assert_eq!(request.version, 0x0102);
        assert_eq!(request.client_key[0], 0x04);
        assert_eq!(request.client_key[1..], [0x11; 64]);
        assert_eq!(request.client_nonce, &[0x22; 16]);
        assert_eq!(request.client_time_ms, 0x0102_0304_0506_0708);
        assert_eq!(request.domain.as_bytes(), b"ab.c");
    }

    #[test]
    fn malformed_requests() {
        let good = request_fixture();
        let mut cases: Vec<Vec<u8>> = Vec::new();
        // Every truncation, and one trailing byte.
        cases.extend((0..good.len()).map(|len| good[..len].to_vec()));
        cases.push([&good[..], &[0]].concat());
        // Magic, type and flags.
        for (offset, value) in [(0, b'X'), (3, b'2'), (4, 0x02), (4, 0x03), (5, 0x01)] {
            let mut bad = good.clone();
            bad[offset] = value;
            cases.push(bad);
        }
        // D that disagrees with the length, D = 0, D above 253.
        for d in [3, 5, 0] {
            let mut bad = good.clone();
            bad[97] = d;
            cases.push(bad);
        }
        let mut long = good[..REQUEST_FIXED_LEN].to_vec();
        long[97] = 254;
        long.extend_from_slice(&[b'a'; 254]);
        cases.push(long);
        // A bad domain character.
        let mut bad = good.clone();
        bad[REQUEST_FIXED_LEN + 1] = b'_';
        cases.push(bad);

        for case in &cases {
            assert_eq!(Request::parse(case), Err(Status::Malformed), "{case:?}");
        }
    }

    #[test]
    fn the_longest_domain_parses() {
        let mut bytes = request_fixture()[..REQUEST_FIXED_LEN].to_vec();
        bytes[97] = 253;
        bytes.extend_from_slice(&[b'a'; 253]);
        assert_eq!(
            Request::parse(&bytes).unwrap().domain.as_bytes(),
            [b'a'; 253]
        );
    }

    #[test]
    fn response_layout() {
        let header = ResponseHeader {
            version: 0x0102,
            server_nonce: [0x33; 16],
            epoch: 0x1112_1314_1516_1718,
            not_after_ms: 0x2122_2324_2526_2728,
        }
        .encode();
        let response = encode_response(&header, &[0x44; 48]);
        assert_eq!(response.len(), RESPONSE_LEN);
        assert_eq!(&response[0..4], b"SKB1"); //                 magic
        assert_eq!(response[4], 0x02); //                        type: key response
        assert_eq!(response[5], 0x00); //                        status 0
        assert_eq!(response[6..8], [0x02, 0x01]); //             key version, u16 LE
        assert_eq!(response[8..24], [0x33; 16]); //              server nonce
        assert_eq!(
            response[24..32],
            [0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11] //  epoch, u64 LE
        );
        assert_eq!(
            response[32..40],
            [0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21] //  not-after, u64 LE
        );
        assert_eq!(response[40..88], [0x44; 48]); //             ciphertext + tag
        assert_eq!(response[..40], header);
    }

    #[test]
    fn error_layout() {
        let packet = encode_error(Status::ClockSkew);
        assert_eq!(packet.len(), ERROR_LEN);
        #[rustfmt::skip]
        let expected = [
            b'S', b'K', b'B', b'1', // magic
            0x03,                   // type: error
            5,                      // status
            0, 0,                   // key version 0, u16 LE
        ];
        assert_eq!(packet, expected);
    }
}
