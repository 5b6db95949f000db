//! The key broker's `plugin_init` config, packed from flags exactly as the
//! server packs it (`docs/host-abi.md`, "The key broker's blobs"), so nobody
//! hand-packs the blob.

use anyhow::{Result, anyhow, bail};
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToSec1Point;

/// The key broker flags of `serve`; all unset means "not a key broker config".
#[derive(Debug, Default)]
pub(crate) struct KeyBrokerFlags {
    /// `--private-key-hex`: the big-endian scalar (default: a random one).
    pub(crate) private_key: Option<[u8; 32]>,
    /// `--secret`: the derivation secret.
    pub(crate) secret: Option<String>,
    /// `--domains`: the comma-separated allowed domains.
    pub(crate) domains: Option<String>,
    /// `--epoch-ms` (0 = the plugin's default).
    pub(crate) epoch_ms: Option<u64>,
    /// `--skew-ms` (0 = the plugin's default).
    pub(crate) skew_ms: Option<u64>,
    /// `--lease-ms` (0 = the plugin's default).
    pub(crate) lease_ms: Option<u64>,
    /// `--key-version` (default 1).
    pub(crate) key_version: Option<u32>,
}

impl KeyBrokerFlags {
    /// No key broker flag was given.
    pub(crate) fn is_empty(&self) -> bool {
        self.private_key.is_none()
            && self.secret.is_none()
            && self.domains.is_none()
            && self.epoch_ms.is_none()
            && self.skew_ms.is_none()
            && self.lease_ms.is_none()
            && self.key_version.is_none()
    }

    /// The config blob: private key (32), uncompressed public key (65),
    /// secret length (u32 LE) and secret, the domains NUL-terminated, epoch,
    /// skew and lease (u64 LE each), key version (u32 LE).
    pub(crate) fn pack(&self) -> Result<Vec<u8>> {
        let secret = self
            .secret
            .as_deref()
            .ok_or_else(|| anyhow!("the key broker flags need --secret"))?;
        let domains = self
            .domains
            .as_deref()
            .ok_or_else(|| anyhow!("the key broker flags need --domains"))?;
        if secret.is_empty() {
            bail!("--secret is empty");
        }
        if domains.contains('\0') {
            bail!("--domains contains a NUL byte");
        }
        let private_key = match self.private_key {
            Some(scalar) => SecretKey::from_slice(&scalar)
                .map_err(|_| anyhow!("--private-key-hex is not a valid P-256 scalar"))?,
            None => random_key()?,
        };
        let public_key = private_key.public_key().to_sec1_point(false);
        let secret_len = u32::try_from(secret.len()).map_err(|_| anyhow!("--secret too long"))?;

        let mut config = Vec::with_capacity(32 + 65 + 4 + secret.len() + domains.len() + 29);
        config.extend_from_slice(&private_key.to_bytes());
        config.extend_from_slice(public_key.as_bytes());
        config.extend_from_slice(&secret_len.to_le_bytes());
        config.extend_from_slice(secret.as_bytes());
        config.extend_from_slice(domains.as_bytes());
        config.push(0);
        config.extend_from_slice(&self.epoch_ms.unwrap_or(0).to_le_bytes());
        config.extend_from_slice(&self.skew_ms.unwrap_or(0).to_le_bytes());
        config.extend_from_slice(&self.lease_ms.unwrap_or(0).to_le_bytes());
        config.extend_from_slice(&self.key_version.unwrap_or(1).to_le_bytes());
        Ok(config)
    }
}

/// A fresh private key from the OS generator (a scalar of zero or above the
/// group order is drawn again; the odds of that are about 2^-32).
fn random_key() -> Result<SecretKey> {
    for _ in 0..16 {
        let mut scalar = [0u8; 32];
        getrandom::fill(&mut scalar).map_err(|e| anyhow!("no OS randomness: {e}"))?;
        if let Ok(key) = SecretKey::from_slice(&scalar) {
            return Ok(key);
        }
    }
    bail!("could not draw a valid P-256 scalar")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_hex(text: &str) -> Vec<u8> {
        crate::from_hex(text).unwrap()
    }

    /// The flags that give the config of the key broker's test vector.
    #[test]
    fn serve_packs_the_vector_config() {
        // Read at run time from the checkout: the published crate leaves
        // the examples out, and its build must not reach outside it.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/key-broker/tests/data/key-broker-vector.json"
        );
        let vector = std::fs::read_to_string(path).unwrap();
        let vector = vector.as_str();
        let field = |name: &str| {
            let start = vector.find(&format!("\"{name}\": ")).unwrap() + name.len() + 4;
            let rest = &vector[start..];
            let end = rest.find([',', '\n']).unwrap();
            rest[..end].trim_matches('"').to_owned()
        };
        let flags = KeyBrokerFlags {
            private_key: Some(from_hex(&field("server_private_key")).try_into().unwrap()),
            secret: Some(field("derivation_secret_ascii")),
            domains: Some("example.com, *.orbpro.test".to_owned()),
            epoch_ms: Some(field("epoch_period_ms").parse().unwrap()),
            skew_ms: Some(field("max_skew_ms").parse().unwrap()),
            lease_ms: Some(field("lease_ms").parse().unwrap()),
            key_version: Some(field("active_key_version").parse().unwrap()),
        };
        assert_eq!(flags.pack().unwrap(), from_hex(&field("config")));
    }

    #[test]
    fn serve_key_broker_defaults_and_refusals() {
        let flags = KeyBrokerFlags {
            secret: Some("s".to_owned()),
            domains: Some("a.com".to_owned()),
            ..KeyBrokerFlags::default()
        };
        let config = flags.pack().unwrap();
        // 32 + 65 + 4 + 1 + "a.com\0" + 3 × 8 + 4.
        assert_eq!(config.len(), 32 + 65 + 4 + 1 + 6 + 24 + 4);
        assert_eq!(config[32], 0x04);
        assert_eq!(config[config.len() - 4..], 1u32.to_le_bytes());
        // A random key each time.
        assert_ne!(flags.pack().unwrap()[..32], config[..32]);

        let no_secret = KeyBrokerFlags {
            domains: Some("a.com".to_owned()),
            ..KeyBrokerFlags::default()
        };
        assert!(no_secret.pack().is_err());
        let zero_key = KeyBrokerFlags {
            private_key: Some([0; 32]),
            ..flags
        };
        assert!(zero_key.pack().is_err());
    }
}
