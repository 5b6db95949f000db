//! The broker: a validated config and the SKB1 request flow.

use p256::AffinePoint;
use sdn_pdk::bytes::copy_prefix;

use crate::Status;
use crate::config::Config;
use crate::crypto::{self, ContentKey, WrapKey};
use crate::domain::RequestDomain;
use crate::packet::{
    ERROR_LEN, NONCE_LEN, PUBLIC_KEY_LEN, RESPONSE_LEN, Request, ResponseHeader, encode_error,
    encode_response,
};

/// What handling a request produced: the status the export returns and the
/// number of bytes written to the front of the output buffer (`out_len`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The status the export returns.
    pub status: Status,
    /// Bytes written to the output buffer: 88 on success, 8 for an error
    /// packet, 0 when nothing was written.
    pub len: usize,
}

impl Outcome {
    /// An outcome that wrote nothing: status 1 before init, status 7 when the
    /// output buffer is too small.
    #[must_use]
    pub const fn without_output(status: Status) -> Self {
        Self { status, len: 0 }
    }

    /// Writes the error packet for `status` to `out`, or nothing and
    /// [`Status::OutputTooSmall`] when it does not fit.
    pub fn error(status: Status, out: &mut [u8]) -> Self {
        match out.get_mut(..ERROR_LEN) {
            Some(dest) => {
                copy_prefix(dest, &encode_error(status));
                Self {
                    status,
                    len: ERROR_LEN,
                }
            }
            None => Self::without_output(Status::OutputTooSmall),
        }
    }
}

/// A request that passed every check (statuses 2 to 6).
struct Accepted<'a> {
    request: Request<'a>,
    client_key: AffinePoint,
    version: u16,
}

/// The key broker: an initialised plugin's whole state. The private key and
/// the derivation secret are zeroized when it is dropped (or replaced).
#[derive(Debug)]
pub struct Broker {
    config: Config,
}

impl Broker {
    /// Builds a broker from the server's `plugin_init` config blob; see
    /// [`Config::parse`] for the layout and the statuses.
    ///
    /// # Errors
    /// Status 2, 3 or 4 for the first problem found.
    pub fn from_config(blob: &[u8]) -> Result<Self, Status> {
        Config::parse(blob).map(|config| Self { config })
    }

    /// The validated config.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// The broker's public key, uncompressed SEC1 (what
    /// `plugin_get_public_key` returns).
    #[must_use]
    pub const fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        self.config.public_key()
    }

    /// Writes the public key to `out`; returns its length (65).
    ///
    /// # Errors
    /// [`Status::OutputTooSmall`] when `out` is shorter (nothing written).
    pub fn write_public_key(&self, out: &mut [u8]) -> Result<usize, Status> {
        let dest = out
            .get_mut(..PUBLIC_KEY_LEN)
            .ok_or(Status::OutputTooSmall)?;
        copy_prefix(dest, self.public_key());
        Ok(PUBLIC_KEY_LEN)
    }

    /// Writes the metadata blob (the allowed domains) to `out`; returns its
    /// length.
    ///
    /// # Errors
    /// See [`AllowedDomains::write_metadata`](crate::AllowedDomains::write_metadata).
    pub fn write_metadata(&self, out: &mut [u8]) -> Result<usize, Status> {
        self.config.domains().write_metadata(out)
    }

    /// The content key for a domain, a key version and an epoch.
    ///
    /// # Errors
    /// [`Status::Internal`] if the derivation fails (it cannot).
    pub fn content_key(
        &self,
        domain: &RequestDomain,
        version: u16,
        epoch: u64,
    ) -> Result<ContentKey, Status> {
        crypto::content_key(self.config.secret(), domain.as_bytes(), version, epoch)
    }

    /// The epoch a server time falls in: ⌊now / epoch period⌋.
    #[must_use]
    pub fn epoch(&self, now_ms: u64) -> u64 {
        // `u64 / NonZeroU64` cannot divide by zero.
        now_ms / self.config.epoch_period_ms()
    }

    /// Handles one SKB1 request and writes the response to the front of
    /// `out`.
    ///
    /// * `now_ms` is `sdn.clock_now_ms()`, read once for this request.
    /// * `draw_nonce` fills the 16-byte server nonce: the first random bytes
    ///   drawn in this call. It is called at most once, and only after every
    ///   check passed and `out` can hold the 88-byte response; its failure
    ///   gives status 8.
    ///
    /// Checks run in ascending order of status — 2 malformed, 3 invalid
    /// client key, 4 domain not allowed, 5 clock skew, 6 unknown key version
    /// — and the first failure decides. A failure writes the 8-byte error
    /// packet. When `out` cannot hold the response this call would send (88
    /// bytes, or 8 for an error) nothing is written and the status is 7.
    /// Never panics.
    pub fn handle<E>(
        &self,
        request: &[u8],
        now_ms: u64,
        draw_nonce: impl FnOnce(&mut [u8; NONCE_LEN]) -> Result<(), E>,
        out: &mut [u8],
    ) -> Outcome {
        let accepted = match self.accept(request, now_ms) {
            Ok(accepted) => accepted,
            Err(status) => return Outcome::error(status, out),
        };
        let Some(dest) = out.get_mut(..RESPONSE_LEN) else {
            return Outcome::without_output(Status::OutputTooSmall);
        };
        let mut server_nonce = [0; NONCE_LEN];
        if draw_nonce(&mut server_nonce).is_err() {
            return Outcome::error(Status::Internal, out);
        }
        match self.respond(&accepted, now_ms, server_nonce) {
            Ok(response) => {
                copy_prefix(dest, &response);
                Outcome {
                    status: Status::Ok,
                    len: RESPONSE_LEN,
                }
            }
            Err(status) => Outcome::error(status, out),
        }
    }

    /// Runs the checks of statuses 2 to 6 in order.
    fn accept<'a>(&self, bytes: &'a [u8], now_ms: u64) -> Result<Accepted<'a>, Status> {
        let request = Request::parse(bytes)?;
        let client_key = crypto::client_public_key(request.client_key)?;
        if !self.config.domains().allows(&request.domain) {
            return Err(Status::DomainNotAllowed);
        }
        if request.client_time_ms.abs_diff(now_ms) > self.config.max_skew_ms() {
            return Err(Status::ClockSkew);
        }
        let version = match request.version {
            0 => self.config.active_version(),
            v if v <= self.config.active_version() => v,
            _ => return Err(Status::UnknownKeyVersion),
        };
        Ok(Accepted {
            request,
            client_key,
            version,
        })
    }

    /// Builds the 88-byte response for an accepted request.
    fn respond(
        &self,
        accepted: &Accepted<'_>,
        now_ms: u64,
        server_nonce: [u8; NONCE_LEN],
    ) -> Result<[u8; RESPONSE_LEN], Status> {
        let domain = &accepted.request.domain;
        let epoch = self.epoch(now_ms);
        let header = ResponseHeader {
            version: accepted.version,
            server_nonce,
            epoch,
            not_after_ms: now_ms.saturating_add(self.config.lease_ms()),
        }
        .encode();
        let content_key = self.content_key(domain, accepted.version, epoch)?;
        let wrap_key = WrapKey::derive(
            self.config.private_key(),
            &accepted.client_key,
            accepted.request.client_nonce,
            &server_nonce,
            domain.as_bytes(),
        )?;
        let sealed = wrap_key.seal(&header, &content_key)?;
        Ok(encode_response(&header, &sealed))
    }
}
