//! The envelopes of the server's libp2p streams (namespace
//! `orbpro.keybroker`):
//!
//! * `/orbpro/key-broker/1.0.0`: the client sends a `KeyBrokerRequest`
//!   (`OBKQ`), the server answers with a `KeyBrokerResponse` (`OBKS`);
//! * `/orbpro/public-key/1.0.0`: the server sends a `PublicKeyResponse`
//!   (`OBPK`).
//!
//! Every `decode_*` checks the file identifier first, then runs the
//! FlatBuffers verifier.

use alloc::vec::Vec;

use crate::error::{Error, check_identifier};
use crate::generated::key_broker_request::orbpro::keybroker as req;
use crate::generated::key_broker_response::orbpro::keybroker as resp;
use crate::generated::public_key_response::orbpro::keybroker as pk;

/// `KeyBrokerRequest`'s file identifier.
pub const REQUEST_IDENTIFIER: &str = "OBKQ";
/// `KeyBrokerResponse`'s file identifier.
pub const RESPONSE_IDENTIFIER: &str = "OBKS";
/// `PublicKeyResponse`'s file identifier.
pub const PUBLIC_KEY_IDENTIFIER: &str = "OBPK";

/// The key broker stream's protocol id.
pub const KEY_BROKER_PROTOCOL: &str = "/orbpro/key-broker/1.0.0";
/// The public key stream's protocol id.
pub const PUBLIC_KEY_PROTOCOL: &str = "/orbpro/public-key/1.0.0";

/// The status the server replies with when the plugin call itself failed
/// (a trap, a host error): `-1` as `u32`.
pub const STATUS_HOST_ERROR: u32 = u32::MAX;

/// Wraps a raw key broker packet in a `KeyBrokerRequest` (`OBKQ`).
#[must_use]
pub fn encode_request(packet: &[u8]) -> Vec<u8> {
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    let packet = fbb.create_vector(packet);
    let root = req::KeyBrokerRequest::create(
        &mut fbb,
        &req::KeyBrokerRequestArgs {
            packet: Some(packet),
        },
    );
    req::finish_key_broker_request_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

/// The packet inside a `KeyBrokerRequest`, borrowed from `bytes` (possibly
/// empty: the server then closes the stream without a reply).
///
/// # Errors
///
/// [`Error::WrongIdentifier`] unless the identifier is `OBKQ`;
/// [`Error::Invalid`] when the verifier rejects the buffer (including a
/// missing `packet`, which the schema requires).
pub fn decode_request(bytes: &[u8]) -> Result<&[u8], Error> {
    check_identifier(bytes, REQUEST_IDENTIFIER)?;
    Ok(req::root_as_key_broker_request(bytes)?.packet().bytes())
}

/// A decoded `KeyBrokerResponse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response<'a> {
    /// The plugin's status (`plugin_handle_request`'s result as `u32`), or
    /// [`STATUS_HOST_ERROR`].
    pub status: u32,
    /// The plugin's output; `None` when the server omitted it (empty).
    pub packet: Option<&'a [u8]>,
}

/// Builds a `KeyBrokerResponse` (`OBKS`); `packet` is omitted when `None`
/// or empty, as the server does.
#[must_use]
pub fn encode_response(status: u32, packet: Option<&[u8]>) -> Vec<u8> {
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    let packet = packet
        .filter(|p| !p.is_empty())
        .map(|p| fbb.create_vector(p));
    let root =
        resp::KeyBrokerResponse::create(&mut fbb, &resp::KeyBrokerResponseArgs { status, packet });
    resp::finish_key_broker_response_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

/// Reads a `KeyBrokerResponse`.
///
/// # Errors
///
/// [`Error::WrongIdentifier`] unless the identifier is `OBKS`;
/// [`Error::Invalid`] when the verifier rejects the buffer.
pub fn decode_response(bytes: &[u8]) -> Result<Response<'_>, Error> {
    check_identifier(bytes, RESPONSE_IDENTIFIER)?;
    let root = resp::root_as_key_broker_response(bytes)?;
    Ok(Response {
        status: root.status(),
        packet: root.packet().map(|p| p.bytes()),
    })
}

/// Wraps the bytes of `plugin_get_public_key` in a `PublicKeyResponse`
/// (`OBPK`).
#[must_use]
pub fn encode_public_key(public_key: &[u8]) -> Vec<u8> {
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    let public_key = fbb.create_vector(public_key);
    let root = pk::PublicKeyResponse::create(
        &mut fbb,
        &pk::PublicKeyResponseArgs {
            public_key: Some(public_key),
        },
    );
    pk::finish_public_key_response_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

/// The public key inside a `PublicKeyResponse`, borrowed from `bytes`.
///
/// # Errors
///
/// [`Error::WrongIdentifier`] unless the identifier is `OBPK`;
/// [`Error::Invalid`] when the verifier rejects the buffer.
pub fn decode_public_key(bytes: &[u8]) -> Result<&[u8], Error> {
    check_identifier(bytes, PUBLIC_KEY_IDENTIFIER)?;
    Ok(pk::root_as_public_key_response(bytes)?.public_key().bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trip() {
        let bytes = encode_request(b"SKB1 packet");
        assert_eq!(&bytes[4..8], b"OBKQ");
        assert_eq!(decode_request(&bytes), Ok(&b"SKB1 packet"[..]));
        assert_eq!(decode_request(&encode_request(b"")), Ok(&b""[..]));
    }

    #[test]
    fn response_round_trip() {
        let bytes = encode_response(7, Some(b"body"));
        assert_eq!(&bytes[4..8], b"OBKS");
        assert_eq!(
            decode_response(&bytes),
            Ok(Response {
                status: 7,
                packet: Some(&b"body"[..])
            })
        );
        for empty in [None, Some(&b""[..])] {
            let bytes = encode_response(STATUS_HOST_ERROR, empty);
            let r = decode_response(&bytes).unwrap();
            assert_eq!(
                r,
                Response {
                    status: u32::MAX,
                    packet: None
                }
            );
        }
    }

    #[test]
    fn public_key_round_trip() {
        let key = [4u8; 65];
        let bytes = encode_public_key(&key);
        assert_eq!(&bytes[4..8], b"OBPK");
        assert_eq!(decode_public_key(&bytes), Ok(&key[..]));
    }

    #[test]
    fn identifiers_are_checked() {
        let request = encode_request(b"x");
        let response = encode_response(0, Some(b"x"));
        let key = encode_public_key(b"x");
        assert_eq!(
            decode_request(&response),
            Err(Error::WrongIdentifier { expected: "OBKQ" })
        );
        assert_eq!(
            decode_response(&key),
            Err(Error::WrongIdentifier { expected: "OBKS" })
        );
        assert_eq!(
            decode_public_key(&request),
            Err(Error::WrongIdentifier { expected: "OBPK" })
        );
        assert!(decode_request(b"").is_err());
    }

    #[test]
    fn a_request_without_its_required_packet_is_invalid() {
        // Root offset 12, identifier, vtable (4 bytes, no fields), table with
        // its soffset back to the vtable.
        let bytes = [
            12, 0, 0, 0, // root table at 12
            b'O', b'B', b'K', b'Q', // file identifier
            4, 0, 4, 0, // vtable: 4 bytes, table 4 bytes, no fields
            4, 0, 0, 0, // table: soffset to the vtable (12 - 4 = 8)
        ];
        // soffset is table_pos - vtable_pos = 12 - 8 = 4.
        assert!(matches!(decode_request(&bytes), Err(Error::Invalid(_))));
    }
}
