//! The `plugin_init` config blob, packed by the server:
//!
//! | bytes | field |
//! |---|---|
//! | 32 | P-256 private key (big-endian scalar) |
//! | 65 | P-256 public key, uncompressed SEC1 |
//! | 4 | secret length N, u32 LE |
//! | N | derivation secret |
//! | … | allowed domains, comma-separated, NUL-terminated |
//! | 8 | epoch period ms, u64 LE (0 = default) |
//! | 8 | max clock skew ms, u64 LE (0 = default) |
//! | 8 | lease ms, u64 LE (0 = default) |
//! | 4 | active key version, u32 LE (optional; missing or 0 = 1) |

use alloc::vec::Vec;
use core::fmt;
use core::num::NonZeroU64;

use zeroize::Zeroizing;

use crate::Status;
use crate::bytes::Reader;
use crate::crypto::PrivateKey;
use crate::domain::AllowedDomains;
use crate::packet::PUBLIC_KEY_LEN;

/// Epoch period used when the config says 0: one hour.
pub const DEFAULT_EPOCH_PERIOD_MS: u64 = 3_600_000;
/// Maximum clock skew used when the config says 0: five minutes.
pub const DEFAULT_MAX_SKEW_MS: u64 = 300_000;
/// Length of the optional key version field.
const VERSION_LEN: usize = 4;

/// A validated config, defaults applied. The private key and the derivation
/// secret are zeroized when it is dropped; `Debug` does not print them.
pub struct Config {
    private_key: PrivateKey,
    public_key: [u8; PUBLIC_KEY_LEN],
    secret: Zeroizing<Vec<u8>>,
    domains: AllowedDomains,
    epoch_period_ms: NonZeroU64,
    max_skew_ms: u64,
    lease_ms: u64,
    active_version: u16,
}

impl Config {
    /// Parses and validates the server's config blob.
    ///
    /// The checks run in ascending order of status: first the layout, then
    /// the keys, then the domains.
    ///
    /// # Errors
    /// * [`Status::Malformed`]: the blob is truncated, the secret is empty,
    ///   the domain list has no NUL, bytes follow the last field, or the
    ///   active key version does not fit the packets' u16.
    /// * [`Status::InvalidPublicKey`]: the private key is not a valid scalar
    ///   (0 or ≥ the group order), or the public key is not its uncompressed
    ///   encoding.
    /// * [`Status::DomainNotAllowed`]: no domain remains after trimming.
    /// * [`Status::Internal`]: memory for the secret or the domain list
    ///   cannot be had.
    pub fn parse(blob: &[u8]) -> Result<Self, Status> {
        let mut reader = Reader::new(blob);
        let private_key = reader.array::<32>()?;
        let public_key = reader.array::<PUBLIC_KEY_LEN>()?;
        let secret_len = usize::try_from(reader.u32_le()?).map_err(|_| Status::Malformed)?;
        let secret = reader.take(secret_len)?;
        if secret.is_empty() {
            return Err(Status::Malformed);
        }
        let rest = reader.rest();
        let nul = rest.iter().position(|&b| b == 0).ok_or(Status::Malformed)?;
        let (domains, tail) = rest.split_at_checked(nul).ok_or(Status::Malformed)?;
        let mut reader = Reader::new(tail);
        reader.take(1)?; // the NUL
        let epoch_period_ms = reader.u64_le()?;
        let max_skew_ms = reader.u64_le()?;
        let lease_ms = reader.u64_le()?;
        let active_version = match reader.rest().len() {
            0 => 0,
            VERSION_LEN => reader.u32_le()?,
            _ => return Err(Status::Malformed),
        };
        let active_version = match active_version {
            0 => 1,
            v => u16::try_from(v).map_err(|_| Status::Malformed)?,
        };

        let private_key = PrivateKey::from_bytes(private_key)?;
        if !private_key.is_public_key(public_key) {
            return Err(Status::InvalidPublicKey);
        }

        let domains = AllowedDomains::parse(domains)?;

        // The host sets the secret's length: a failed allocation is a
        // status, not a trap.
        let mut secret_copy = Zeroizing::new(Vec::new());
        secret_copy
            .try_reserve_exact(secret.len())
            .map_err(|_| Status::Internal)?;
        secret_copy.extend_from_slice(secret);

        let epoch_period_ms = NonZeroU64::new(epoch_period_ms)
            .or(NonZeroU64::new(DEFAULT_EPOCH_PERIOD_MS))
            .ok_or(Status::Internal)?;
        Ok(Self {
            private_key,
            public_key: *public_key,
            secret: secret_copy,
            domains,
            epoch_period_ms,
            max_skew_ms: if max_skew_ms == 0 {
                DEFAULT_MAX_SKEW_MS
            } else {
                max_skew_ms
            },
            lease_ms: if lease_ms == 0 {
                epoch_period_ms.get()
            } else {
                lease_ms
            },
            active_version,
        })
    }

    /// The broker's private key.
    #[must_use]
    pub const fn private_key(&self) -> &PrivateKey {
        &self.private_key
    }

    /// The broker's public key, uncompressed SEC1 (what
    /// `plugin_get_public_key` returns).
    #[must_use]
    pub const fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.public_key
    }

    /// The derivation secret.
    #[must_use]
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }

    /// The allowed domains.
    #[must_use]
    pub const fn domains(&self) -> &AllowedDomains {
        &self.domains
    }

    /// The epoch period in ms, default applied.
    #[must_use]
    pub const fn epoch_period_ms(&self) -> NonZeroU64 {
        self.epoch_period_ms
    }

    /// The maximum clock skew in ms, default applied.
    #[must_use]
    pub const fn max_skew_ms(&self) -> u64 {
        self.max_skew_ms
    }

    /// The lease in ms, default (the epoch period) applied.
    #[must_use]
    pub const fn lease_ms(&self) -> u64 {
        self.lease_ms
    }

    /// The active key version (≥ 1).
    #[must_use]
    pub const fn active_version(&self) -> u16 {
        self.active_version
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("public_key", &self.public_key)
            .field("secret_len", &self.secret.len())
            .field("domains", &self.domains)
            .field("epoch_period_ms", &self.epoch_period_ms)
            .field("max_skew_ms", &self.max_skew_ms)
            .field("lease_ms", &self.lease_ms)
            .field("active_version", &self.active_version)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{Config, DEFAULT_EPOCH_PERIOD_MS, DEFAULT_MAX_SKEW_MS};
    use crate::Status;
    use alloc::vec::Vec;
    use p256::SecretKey;
    use p256::elliptic_curve::sec1::ToSec1Point;

    const SCALAR: [u8; 32] = [0x42; 32];

    fn public_key(scalar: &[u8; 32]) -> Vec<u8> {
        let key = SecretKey::from_slice(scalar).unwrap();
        key.public_key().to_sec1_point(false).as_bytes().to_vec()
    }

    /// A config blob built field by field.
    fn blob(secret: &[u8], domains: &[u8], timing: [u64; 3], version: Option<u32>) -> Vec<u8> {
        let mut blob = Vec::new();
        blob.extend_from_slice(&SCALAR); //                            private scalar
        blob.extend_from_slice(&public_key(&SCALAR)); //               public key
        blob.extend_from_slice(&u32::try_from(secret.len()).unwrap().to_le_bytes()); // N
        blob.extend_from_slice(secret); //                             secret
        blob.extend_from_slice(domains); //                            domains ...
        blob.push(0); //                                               ... NUL
        for field in timing {
            blob.extend_from_slice(&field.to_le_bytes()); //           epoch, skew, lease
        }
        if let Some(version) = version {
            blob.extend_from_slice(&version.to_le_bytes()); //         active version
        }
        blob
    }

    #[test]
    fn fields_are_read_in_order() {
        let config = Config::parse(&blob(b"s3", b"A.b", [10, 20, 30], Some(4))).unwrap();
        assert_eq!(config.public_key()[..], public_key(&SCALAR)[..]);
        assert_eq!(config.secret(), b"s3");
        assert_eq!(config.domains().iter().collect::<Vec<_>>(), [b"a.b"]);
        assert_eq!(config.epoch_period_ms().get(), 10);
        assert_eq!(config.max_skew_ms(), 20);
        assert_eq!(config.lease_ms(), 30);
        assert_eq!(config.active_version(), 4);
    }

    #[test]
    fn zeros_and_a_missing_version_mean_defaults() {
        for version in [None, Some(0)] {
            let config = Config::parse(&blob(b"s", b"a", [0, 0, 0], version)).unwrap();
            assert_eq!(config.epoch_period_ms().get(), DEFAULT_EPOCH_PERIOD_MS);
            assert_eq!(config.max_skew_ms(), DEFAULT_MAX_SKEW_MS);
            assert_eq!(config.lease_ms(), DEFAULT_EPOCH_PERIOD_MS);
            assert_eq!(config.active_version(), 1);
        }
        // The default lease follows a configured epoch period.
        let config = Config::parse(&blob(b"s", b"a", [7_000, 0, 0], None)).unwrap();
        assert_eq!(config.lease_ms(), 7_000);
    }

    #[test]
    fn layout_problems_are_malformed() {
        let good = blob(b"s", b"a", [1, 2, 3], Some(1));
        let mut trailing = good.clone();
        trailing.push(0);
        let mut half_version = good.clone();
        half_version.truncate(good.len() - 2);
        let mut secret_too_long = good.clone();
        secret_too_long[97..101].copy_from_slice(&u32::MAX.to_le_bytes());
        for bad in [
            blob(b"", b"a", [1, 2, 3], Some(1)),
            blob(b"s", b"a", [1, 2, 3], Some(u32::from(u16::MAX) + 1)),
            trailing,
            half_version,
            secret_too_long,
        ] {
            assert_eq!(Config::parse(&bad).unwrap_err(), Status::Malformed);
        }
        // Without the NUL the domain list swallows the rest of the blob.
        // (Cut just before the NUL.)
        let no_nul = &good[..good.len() - 29];
        assert_eq!(no_nul.last(), Some(&b'a'));
        assert_eq!(Config::parse(no_nul).unwrap_err(), Status::Malformed);
        // The largest version that fits the packets is fine.
        let max = blob(b"s", b"a", [1, 2, 3], Some(u32::from(u16::MAX)));
        assert_eq!(Config::parse(&max).unwrap().active_version(), u16::MAX);
    }

    #[test]
    fn bad_keys_are_invalid_public_key() {
        let good = blob(b"s", b"a", [1, 2, 3], None);
        let mut zero_scalar = good.clone();
        zero_scalar[..32].fill(0);
        let mut order = good.clone(); // the group order n is not a valid scalar
        hex::decode_to_slice(
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
            &mut order[..32],
        )
        .unwrap();
        let mut other_key = good.clone();
        other_key[32..97].copy_from_slice(&public_key(&[0x43; 32]));
        let mut compressed = good.clone();
        compressed[32] = 0x02;
        for bad in [zero_scalar, order, other_key, compressed] {
            assert_eq!(Config::parse(&bad).unwrap_err(), Status::InvalidPublicKey);
        }
    }

    #[test]
    fn no_domain_left_is_domain_not_allowed() {
        let bad = blob(b"s", b" , ,", [1, 2, 3], None);
        assert_eq!(Config::parse(&bad).unwrap_err(), Status::DomainNotAllowed);
    }

    #[test]
    fn the_first_problem_in_status_order_decides() {
        // A bad key and no domains, but truncated: 2.
        let mut blob = blob(b"s", b"", [1, 2, 3], None);
        blob[..32].fill(0);
        assert_eq!(
            Config::parse(&blob[..blob.len() - 1]).unwrap_err(),
            Status::Malformed
        );
        // A bad key and no domains: 3.
        assert_eq!(Config::parse(&blob).unwrap_err(), Status::InvalidPublicKey);
    }

    #[test]
    fn debug_hides_the_secrets() {
        let config = Config::parse(&blob(b"hunter2", b"a", [1, 2, 3], None)).unwrap();
        let debug = alloc::format!("{config:?}");
        assert!(!debug.contains("hunter2"));
        assert!(debug.contains("secret_len: 7"));
    }
}
