//! The server's two libp2p stream handlers, as functions over bytes.
//!
//! The SDN server exposes a key broker plugin on two libp2p protocols
//! (`sdn-server/internal/wasiplugin`'s stream bridge):
//!
//! * `/orbpro/key-broker/1.0.0`: the client writes one `KeyBrokerRequest`
//!   FlatBuffer (`OBKQ`) and closes its side; the server calls
//!   `plugin_handle_request(packet, host = "")` and writes one
//!   `KeyBrokerResponse` (`OBKS`), or closes the stream without a reply.
//! * `/orbpro/public-key/1.0.0`: the server writes one `PublicKeyResponse`
//!   (`OBPK`) with `plugin_get_public_key`'s bytes, reading nothing.
//!
//! The harness has **no network transport of its own**: these functions take
//! the bytes a stream would carry and return the bytes the server would
//! write back (`None` = the stream is closed without a reply). The real
//! transport is libp2p; putting these handlers behind it is a later step.
//! `host-harness stream` runs them over standard input and output.

use sdn_pdk_schemas::keybroker;

use crate::plugin::Plugin;

/// The largest message the server reads from a stream (16 KiB, the HTTP
/// bridge's limit too). A longer one is dropped without a reply.
pub const MAX_MESSAGE: usize = 16 * 1024;

/// `/orbpro/key-broker/1.0.0`: the server's reply to one request `message`
/// (everything the client wrote before closing its side), or `None` where the
/// server closes the stream without replying.
///
/// The server's rules, in its order:
/// * an empty message, or one above [`MAX_MESSAGE`] bytes → no reply;
/// * a message whose file identifier is not `OBKQ`, or whose `packet` is
///   absent or empty → no reply. (The harness also runs the FlatBuffers
///   verifier and drops what it rejects; the Go server reads the buffer
///   unverified, so a malformed one may crash its handler instead.)
/// * otherwise `plugin_handle_request(packet, "")`: the reply is a
///   `KeyBrokerResponse` with the plugin's status as `u32` and its output,
///   the packet omitted when the output is empty (a non-zero status still
///   carries the output);
/// * when the call fails (a trap, an allocation failure, a bad `out_len`,
///   any [`HarnessError`](crate::HarnessError)) → `status = 0xFFFFFFFF`
///   and no packet.
pub fn handle_key_broker_stream(plugin: &mut Plugin, message: &[u8]) -> Option<Vec<u8>> {
    if message.is_empty() || message.len() > MAX_MESSAGE {
        return None;
    }
    let packet = keybroker::decode_request(message).ok()?;
    if packet.is_empty() {
        return None;
    }
    Some(match plugin.handle_request(packet, "") {
        Ok(response) => {
            keybroker::encode_response(response.status.cast_unsigned(), Some(&response.body))
        }
        Err(_) => keybroker::encode_response(keybroker::STATUS_HOST_ERROR, None),
    })
}

/// `/orbpro/public-key/1.0.0`: a `PublicKeyResponse` with the bytes of
/// `plugin_get_public_key`, or `None` when that call fails (a negative
/// return, a length above 128, a trap): the server then closes the stream
/// without writing anything.
pub fn handle_public_key_stream(plugin: &mut Plugin) -> Option<Vec<u8>> {
    let key = plugin.public_key().ok()?;
    Some(keybroker::encode_public_key(&key))
}
