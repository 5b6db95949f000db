//! SKB1, the key broker's protocol, modelled from
//! `docs/key-broker-protocol.md` alone: a client (request building, response
//! opening, ephemeral keys) and the spec's verdict on any byte string.
//!
//! It shares no code with the plugin (`examples/key-broker`), so the tests
//! that check the plugin against it (the crate's own integration tests,
//! host-harness's tests, soak and benches) compare two independent
//! implementations. Native and test-only: it panics on impossible inputs.

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::inout::InOutBuf;
use aes_gcm::aead::{AeadInOut, KeyInit, Nonce, Tag};
use anyhow::{Result, bail, ensure};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{PublicKey, SecretKey};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The independent test vector (`examples/key-broker/tests/data`).
pub const VECTOR: &str = include_str!("../../tests/data/key-broker-vector.json");

/// Request length without the domain.
pub const FIXED_LEN: usize = 98;
/// Success response length.
pub const RESPONSE_LEN: usize = 88;

/// The vector, field by field.
pub struct Vector(Value);

impl Vector {
    /// Parses [`VECTOR`].
    pub fn load() -> Vector {
        Vector(serde_json::from_str(VECTOR).expect("the vector is JSON"))
    }

    /// A hex field.
    pub fn bytes(&self, field: &str) -> Vec<u8> {
        hex::decode(self.0[field].as_str().expect("a hex field")).expect("valid hex")
    }

    /// A number field.
    pub fn u64(&self, field: &str) -> u64 {
        self.0[field].as_u64().expect("a number field")
    }

    /// A text field.
    pub fn str(&self, field: &str) -> &str {
        self.0[field].as_str().expect("a text field")
    }

    /// A config blob in the server's format with the vector's key pair and
    /// derivation secret, and other `domains` (comma-separated), `timing`
    /// (epoch period, max skew, lease; zeros ask for the defaults) and
    /// active key version (`None` leaves the trailing field out).
    pub fn config_with(&self, domains: &str, timing: [u64; 3], version: Option<u32>) -> Vec<u8> {
        let secret = self.str("derivation_secret_ascii").as_bytes();
        let secret_len = u32::try_from(secret.len()).expect("a short secret");
        let mut blob = Vec::new();
        blob.extend_from_slice(&self.bytes("server_private_key")); // private scalar
        blob.extend_from_slice(&self.bytes("server_public_key")); //  public key
        blob.extend_from_slice(&secret_len.to_le_bytes()); //          secret length
        blob.extend_from_slice(secret); //                             secret
        blob.extend_from_slice(domains.as_bytes()); //                 domains
        blob.push(0); //                                               NUL
        for field in timing {
            blob.extend_from_slice(&field.to_le_bytes()); //           epoch, skew, lease
        }
        if let Some(version) = version {
            blob.extend_from_slice(&version.to_le_bytes()); //         active version
        }
        blob
    }
}

/// The 8-byte error packet for `status`.
pub fn error_packet(status: u8) -> Vec<u8> {
    vec![b'S', b'K', b'B', b'1', 0x03, status, 0, 0]
}

/// What a broker's config promises, as the spec states it.
pub struct Spec {
    /// The derivation secret.
    pub secret: Vec<u8>,
    /// The broker's public key, uncompressed SEC1.
    pub broker_key: [u8; 65],
    /// Allow-list entries, trimmed and lower-cased.
    pub domains: Vec<Vec<u8>>,
    /// Epoch period.
    pub epoch_ms: u64,
    /// Max clock skew.
    pub skew_ms: u64,
    /// Lease.
    pub lease_ms: u64,
    /// Active key version.
    pub active_version: u16,
}

impl Spec {
    /// The vector's config.
    pub fn vector() -> Spec {
        let vector = Vector::load();
        Spec {
            secret: vector.str("derivation_secret_ascii").as_bytes().to_vec(),
            broker_key: vector
                .bytes("server_public_key")
                .try_into()
                .expect("65 bytes"),
            domains: vector
                .str("allowed_domains_csv")
                .split(',')
                .map(|d| d.trim().to_ascii_lowercase().into_bytes())
                .filter(|d| !d.is_empty())
                .collect(),
            epoch_ms: vector.u64("epoch_period_ms"),
            skew_ms: vector.u64("max_skew_ms"),
            lease_ms: vector.u64("lease_ms"),
            active_version: u16::try_from(vector.u64("active_key_version")).expect("a u16 version"),
        }
    }

    /// Whether the allow-list admits a lower-cased domain.
    pub fn allows(&self, domain: &[u8]) -> bool {
        self.domains.iter().any(|entry| match entry.split_first() {
            Some((b'*', suffix)) if suffix.first() == Some(&b'.') => {
                domain.len() > suffix.len()
                    && domain.ends_with(suffix)
                    && domain[domain.len() - suffix.len() - 1] != b'.'
            }
            _ => entry[..] == *domain,
        })
    }

    /// The status the spec gives `request` at server time `now`, with
    /// an output buffer that holds the response (checks 2 to 6 in
    /// order; 0 = success).
    pub fn expected_status(&self, request: &[u8], now: u64) -> u8 {
        let Some(domain) = well_formed(request) else {
            return 2;
        };
        let key: &[u8; 65] = request[8..73].try_into().expect("65 bytes");
        if !is_uncompressed_point(key) {
            return 3;
        }
        if !self.allows(&domain.to_ascii_lowercase()) {
            return 4;
        }
        let time = u64::from_le_bytes(request[89..97].try_into().expect("8 bytes"));
        if time.abs_diff(now) > self.skew_ms {
            return 5;
        }
        let version = u16::from_le_bytes([request[6], request[7]]);
        if version > self.active_version {
            return 6;
        }
        0
    }

    /// The content key this broker hands out (see [`content_key`]).
    pub fn content_key(&self, domain: &[u8], version: u16, epoch: u64) -> [u8; 32] {
        content_key(&self.secret, domain, version, epoch)
    }

    /// Checks a response (`status` and `body`) to `request` at server
    /// time `now` (output capacity large enough): the error packet of the
    /// expected status, or a success whose header is right and which
    /// opens, with the ECDH secret `shared` of the request's client key,
    /// to the right content key. `shared` returns `None` for a key the
    /// caller holds no private key for; a success for such a key is an
    /// error.
    pub fn check(
        &self,
        request: &[u8],
        now: u64,
        status: i32,
        body: &[u8],
        shared: impl FnOnce(&[u8; 65]) -> Option<[u8; 32]>,
    ) -> Result<()> {
        let expected = self.expected_status(request, now);
        ensure!(
            status == i32::from(expected),
            "status {status} where the spec says {expected} (body {body:02x?})"
        );
        if expected != 0 {
            ensure!(
                body == error_packet(expected),
                "status {expected} with body {body:02x?}"
            );
            return Ok(());
        }
        ensure!(
            body.len() == RESPONSE_LEN,
            "success of {} bytes",
            body.len()
        );
        let requested = u16::from_le_bytes([request[6], request[7]]);
        let version = if requested == 0 {
            self.active_version
        } else {
            requested
        };
        let epoch = now / self.epoch_ms;
        ensure!(&body[..6] == b"SKB1\x02\x00", "header {:02x?}", &body[..6]);
        ensure!(body[6..8] == version.to_le_bytes(), "version used");
        ensure!(body[24..32] == epoch.to_le_bytes(), "epoch");
        ensure!(
            body[32..40] == (now + self.lease_ms).to_le_bytes(),
            "not-after"
        );
        let key: &[u8; 65] = request[8..73].try_into().expect("65 bytes");
        let Some(shared) = shared(key) else {
            bail!("a success for a client key with no known private key");
        };
        let domain = &request[FIXED_LEN..];
        let client_nonce: &[u8; 16] = request[73..89].try_into().expect("16 bytes");
        let opened = open(&shared, client_nonce, domain, body)?;
        ensure!(
            opened == self.content_key(domain, version, epoch),
            "the sealed content key is not the derivation's"
        );
        Ok(())
    }
}

/// The domain of a request that passes every status-2 check.
fn well_formed(request: &[u8]) -> Option<&[u8]> {
    if request.len() < FIXED_LEN
        || &request[..4] != b"SKB1"
        || request[4] != 0x01
        || request[5] != 0x00
    {
        return None;
    }
    let len = usize::from(request[97]);
    if !(1..=253).contains(&len) || request.len() != FIXED_LEN + len {
        return None;
    }
    let domain = &request[FIXED_LEN..];
    domain
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b':'))
        .then_some(domain)
}

/// content_key = HKDF-SHA256(IKM = secret, salt = "SKB1/content",
/// info = lower(domain) ‖ 0 ‖ version u16 LE ‖ epoch u64 LE, L = 32).
pub fn content_key(secret: &[u8], domain: &[u8], version: u16, epoch: u64) -> [u8; 32] {
    let info = [
        &domain.to_ascii_lowercase()[..],
        &[0],
        &version.to_le_bytes(),
        &epoch.to_le_bytes(),
    ]
    .concat();
    let mut key = [0; 32];
    Hkdf::<Sha256>::new(Some(b"SKB1/content"), secret)
        .expand(&info, &mut key)
        .expect("32 bytes is a valid HKDF length");
    key
}

/// An uncompressed SEC1 encoding of a point on P-256 (not the identity).
pub fn is_uncompressed_point(key: &[u8; 65]) -> bool {
    key[0] == 0x04 && PublicKey::from_sec1_bytes(key).is_ok()
}

/// Opens a success response with the ECDH secret `shared`: HKDF with
/// salt client nonce ‖ server nonce, AES-256-GCM with the header as AAD.
pub fn open(
    shared: &[u8; 32],
    client_nonce: &[u8; 16],
    domain: &[u8],
    response: &[u8],
) -> Result<[u8; 32]> {
    ensure!(response.len() == RESPONSE_LEN, "not a success response");
    let salt = [&client_nonce[..], &response[8..24]].concat();
    let info = [&b"SKB1/wrap"[..], &[0], &domain.to_ascii_lowercase()].concat();
    let mut okm = [0; 44];
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(&info, &mut okm)
        .expect("44 bytes is a valid HKDF length");
    let cipher = Aes256Gcm::new_from_slice(&okm[..32]).expect("a 32-byte key");
    let nonce = Nonce::<Aes256Gcm>::try_from(&okm[32..]).expect("a 12-byte nonce");
    let tag = Tag::<Aes256Gcm>::try_from(&response[72..]).expect("a 16-byte tag");
    let mut key = [0; 32];
    key.copy_from_slice(&response[40..72]);
    if cipher
        .decrypt_inout_detached(&nonce, &response[..40], InOutBuf::from(&mut key[..]), &tag)
        .is_err()
    {
        bail!("the response does not open with the client's key");
    }
    Ok(key)
}

/// An ephemeral client key and its ECDH secret with the broker.
#[derive(Clone)]
pub struct ClientKey {
    /// Uncompressed SEC1 public key.
    pub public: [u8; 65],
    /// ECDH(client private key, broker public key): 32 bytes.
    pub shared: [u8; 32],
}

impl ClientKey {
    /// From a private key and the broker's public key.
    pub fn new(secret: &SecretKey, broker_key: &[u8; 65]) -> ClientKey {
        let broker = PublicKey::from_sec1_bytes(broker_key).expect("the broker's key");
        let shared = secret.diffie_hellman(&broker);
        ClientKey {
            public: secret
                .public_key()
                .to_sec1_point(false)
                .as_bytes()
                .try_into()
                .expect("65 bytes"),
            shared: (*shared.raw_secret_bytes()).into(),
        }
    }

    /// The `i`th key of the seeded pool: scalar SHA-256(label ‖ seed ‖ i),
    /// skipping the (astronomically rare) digests that are no scalar.
    pub fn pool(seed: u64, size: usize, broker_key: &[u8; 65]) -> Vec<ClientKey> {
        (0u64..)
            .filter_map(|i| {
                let digest = Sha256::new()
                    .chain_update(b"sdn-pdk soak key")
                    .chain_update(seed.to_le_bytes())
                    .chain_update(i.to_le_bytes())
                    .finalize();
                SecretKey::from_slice(&digest).ok()
            })
            .take(size)
            .map(|secret| ClientKey::new(&secret, broker_key))
            .collect()
    }
}

/// An SKB1 key request, field by field.
pub fn request(
    key: &[u8; 65],
    nonce: &[u8; 16],
    time: u64,
    version: u16,
    domain: &[u8],
) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(FIXED_LEN + domain.len());
    bytes.extend_from_slice(b"SKB1"); //                magic
    bytes.push(0x01); //                                type
    bytes.push(0x00); //                                flags
    bytes.extend_from_slice(&version.to_le_bytes()); // key version
    bytes.extend_from_slice(key); //                    client key
    bytes.extend_from_slice(nonce); //                  client nonce
    bytes.extend_from_slice(&time.to_le_bytes()); //    client time
    bytes.push(domain.len() as u8); //                  D (callers may lie)
    bytes.extend_from_slice(domain); //                 domain
    bytes
}

#[cfg(test)]
mod tests {
    use super::{ClientKey, Spec, Vector, content_key, open};
    use p256::SecretKey;

    #[test]
    fn the_model_reproduces_the_vector() {
        let vector = Vector::load();
        let spec = Spec::vector();
        let timing = [spec.epoch_ms, spec.skew_ms, spec.lease_ms];
        let domains = vector.str("allowed_domains_csv");
        let config = vector.config_with(domains, timing, Some(u32::from(spec.active_version)));
        assert_eq!(config, vector.bytes("config"));

        let request = vector.bytes("request");
        let now = vector.u64("clock_now_ms");
        assert_eq!(spec.expected_status(&request, now), 0);
        let client = SecretKey::from_slice(&vector.bytes("client_private_key")).unwrap();
        let client = ClientKey::new(&client, &spec.broker_key);
        assert_eq!(request[8..73], client.public);
        let response = vector.bytes("response");
        let nonce: [u8; 16] = request[73..89].try_into().unwrap();
        let domain = &request[super::FIXED_LEN..];
        let opened = open(&client.shared, &nonce, domain, &response).unwrap();
        assert_eq!(opened[..], vector.bytes("content_key"));
        let epoch = vector.u64("epoch");
        assert_eq!(opened, content_key(&spec.secret, domain, 1, epoch));
        let shared = Some(client.shared);
        spec.check(&request, now, 0, &response, |_| shared).unwrap();
    }
}
