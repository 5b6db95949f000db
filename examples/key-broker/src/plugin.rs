//! The plugin type: thin glue between [`Broker`] and the host.
//!
//! Everything here is wiring: the clock is read once per request, the server
//! nonce is the first 16 bytes drawn from `sdn.random_bytes` in the call,
//! and the broker's outcome becomes the export's status and body.

use sdn_pdk::{Error, Output, Plugin, Request, host, sdn_plugin};

use crate::packet::RESPONSE_LEN;
use crate::{Broker, Status};

/// The largest metadata the server accepts (`plugin_get_metadata`'s capacity).
const METADATA_MAX: usize = 4096;

/// The key broker plugin: one [`Broker`] built from the server's config.
///
/// A failed `plugin_init` keeps the broker that was there (the default
/// [`Plugin::reinit`] only replaces it on success); a replaced broker wipes
/// its secrets when dropped.
pub struct KeyBroker {
    broker: Broker,
}

impl KeyBroker {
    /// The broker behind the plugin.
    pub fn broker(&self) -> &Broker {
        &self.broker
    }
}

/// The export status for a broker status (its code, 0 = success).
fn result(status: Status) -> Result<(), Error> {
    match status {
        Status::Ok => Ok(()),
        other => Err(error(other)),
    }
}

/// A failing broker status as the export's error (same code).
fn error(status: Status) -> Error {
    Error::custom(i32::from(status.code()))
}

#[sdn_plugin(
    family = "infrastructure",
    capabilities = [clock, random, logging, crypto_key_agreement, crypto_kdf, crypto_encrypt],
    manifest_exports,
)]
impl Plugin for KeyBroker {
    fn init(config: &[u8]) -> Result<Self, Error> {
        let broker = Broker::from_config(config).map_err(error)?;
        host::info("key broker ready");
        Ok(KeyBroker { broker })
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(self.broker.public_key())
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        let mut blob = [0u8; METADATA_MAX];
        let limit = out.capacity().min(METADATA_MAX);
        let room = blob.get_mut(..limit).unwrap_or_default();
        let len = self
            .broker
            .write_metadata(room)
            .map_err(|_| Error::OUTPUT_TOO_SMALL)?;
        out.write(blob.get(..len).unwrap_or_default())
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        let now_ms = host::clock_now_ms();
        let mut response = [0u8; RESPONSE_LEN];
        let room = out.capacity().min(RESPONSE_LEN);
        let outcome = self.broker.handle(
            request.body(),
            now_ms,
            |nonce| host::random_bytes(nonce),
            response.get_mut(..room).unwrap_or_default(),
        );
        out.write(response.get(..outcome.len).unwrap_or_default())?;
        result(outcome.status)
    }
}
