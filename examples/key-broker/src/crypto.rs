//! The SKB1 derivations: the content key, the client key check, the ECDH
//! wrap key and the AES-256-GCM seal.
//!
//! ```text
//! content_key = HKDF-SHA256(IKM = secret, salt = "SKB1/content",
//!                           info = lower(domain) ‖ 0x00 ‖ version u16 LE ‖ epoch u64 LE, L = 32)
//! Z           = ECDH(broker private key, client public key)       (X coordinate, 32 bytes)
//! okm         = HKDF-SHA256(IKM = Z, salt = client nonce ‖ server nonce,
//!                           info = "SKB1/wrap" ‖ 0x00 ‖ lower(domain), L = 44)
//! wrap_key    = okm[0..32]    gcm_nonce = okm[32..44]
//! sealed      = AES-256-GCM(wrap_key, gcm_nonce, content_key, aad = response bytes 0..40)
//! ```
//!
//! # What is wiped
//!
//! Every secret this crate holds or derives is zeroized (zeroize's volatile
//! writes) when dropped: the private scalar ([`PrivateKey`], held once for
//! the broker's life and borrowed, never copied, by each request's ECDH),
//! the derivation secret, Z (`p256`'s `SharedSecret`), okm, the wrap key
//! and nonce, the content key and its plaintext copy in the seal.
//!
//! Not wiped, because they live inside `p256` where this crate cannot reach
//! them: the temporaries of the scalar multiplication in `diffie_hellman`
//! (the scalar's radix-16 digits, the projective product and its inversion
//! before `SharedSecret` takes the X coordinate) and of the scalar's
//! decoding at init. The stack is not scrubbed after a request, so those
//! bytes stay in linear memory until later calls overwrite them. The config
//! buffer the server passes to `plugin_init` is the host's memory: the
//! plugin only reads it.

use p256::ecdh::diffie_hellman;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::{AffinePoint, FieldBytes, NonZeroScalar, PublicKey, SecretKey};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::Status;
use crate::bytes::{self, concat};
use crate::gcm;
use crate::kdf::hkdf_sha256;
use crate::packet::{NONCE_LEN, PUBLIC_KEY_LEN, RESPONSE_HEADER_LEN, SEALED_LEN};

/// Length of a content key.
pub const CONTENT_KEY_LEN: usize = 32;
/// HKDF salt of the content key derivation.
pub const CONTENT_SALT: &[u8] = b"SKB1/content";
/// HKDF info prefix of the wrap key derivation.
pub const WRAP_LABEL: &[u8] = b"SKB1/wrap";

/// A content key; zeroized on drop.
pub type ContentKey = Zeroizing<[u8; CONTENT_KEY_LEN]>;

/// The SEC1 tag of an uncompressed point.
const UNCOMPRESSED_TAG: u8 = 0x04;

/// Derives the content key for a lower-cased `domain`, a key `version` and
/// an `epoch` from the derivation `secret`.
///
/// # Errors
/// [`Status::Internal`] if HKDF refuses the output length (it cannot: 32
/// bytes is well inside HKDF-SHA256's limit).
pub fn content_key(
    secret: &[u8],
    domain: &[u8],
    version: u16,
    epoch: u64,
) -> Result<ContentKey, Status> {
    let mut key = Zeroizing::new([0; CONTENT_KEY_LEN]);
    hkdf_sha256(
        CONTENT_SALT,
        secret,
        &[domain, &[0], &version.to_le_bytes(), &epoch.to_le_bytes()],
        key.as_mut_slice(),
    )?;
    Ok(key)
}

/// Decodes a client's ephemeral key: only an uncompressed SEC1 point on
/// P-256 is accepted — not the identity encoding, not a compressed point, not
/// coordinates off the curve or outside the field.
///
/// Only the uncompressed form is decoded (the coordinates go straight to
/// [`AffineCoordinates::from_coordinates`], which checks the curve
/// equation): the general SEC1 decoder would also link point decompression
/// (a field square root) and `sec1`'s error formatting, several KiB of wasm
/// for encodings the protocol refuses anyway.
///
/// # Errors
/// [`Status::InvalidPublicKey`] for anything else.
pub fn client_public_key(bytes: &[u8; PUBLIC_KEY_LEN]) -> Result<AffinePoint, Status> {
    let (x, y) = coordinates(bytes).ok_or(Status::InvalidPublicKey)?;
    // A point that satisfies the curve equation is never the identity (which
    // has no affine coordinates), so no `PublicKey::from_affine` check on
    // top — it would link a projective comparison for nothing.
    AffinePoint::from_coordinates(x, y)
        .into_option()
        .ok_or(Status::InvalidPublicKey)
}

/// The broker's P-256 private key: the scalar, held once and wiped (with
/// zeroize's volatile writes) when dropped. Requests borrow it; nothing in
/// this crate copies it.
pub struct PrivateKey {
    scalar: Zeroizing<NonZeroScalar>,
}

impl PrivateKey {
    /// Decodes a big-endian scalar.
    ///
    /// # Errors
    /// [`Status::InvalidPublicKey`] for 0 or a value ≥ the group order.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, Status> {
        // `SecretKey` wipes its own copy when it goes out of scope here.
        let key = SecretKey::from_bytes(bytes.into()).map_err(|_| Status::InvalidPublicKey)?;
        Ok(Self {
            scalar: Zeroizing::new(key.to_nonzero_scalar()),
        })
    }

    /// The scalar, borrowed.
    #[must_use]
    pub fn scalar(&self) -> &NonZeroScalar {
        &self.scalar
    }

    /// Whether `public_key` (uncompressed SEC1) is this key's public key:
    /// the coordinates of `scalar · G`, compared byte for byte. Public
    /// values only, so not constant-time.
    #[must_use]
    pub fn is_public_key(&self, public_key: &[u8; PUBLIC_KEY_LEN]) -> bool {
        let derived = PublicKey::from_secret_scalar(self.scalar());
        let derived = derived.as_affine();
        coordinates(public_key)
            .is_some_and(|(x, y)| bytes::eq(&derived.x(), x) && bytes::eq(&derived.y(), y))
    }
}

impl Zeroize for PrivateKey {
    /// Wipes the scalar (it then holds 1, keeping the type's invariant).
    fn zeroize(&mut self) {
        self.scalar.zeroize();
    }
}

impl ZeroizeOnDrop for PrivateKey {}

/// The X and Y coordinates of an uncompressed SEC1 point (`0x04‖X‖Y`), or
/// `None` for another tag.
fn coordinates(bytes: &[u8; PUBLIC_KEY_LEN]) -> Option<(&FieldBytes, &FieldBytes)> {
    let (tag, rest) = bytes.split_first()?;
    if *tag != UNCOMPRESSED_TAG {
        return None;
    }
    let (x, y) = rest.split_first_chunk::<32>()?;
    let y: &[u8; 32] = y.try_into().ok()?;
    Some((x.into(), y.into()))
}

/// The AES-256-GCM key and nonce that wrap one content key for one client.
/// Zeroized on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct WrapKey {
    key: [u8; gcm::KEY_LEN],
    nonce: [u8; gcm::NONCE_LEN],
}

impl WrapKey {
    /// Derives the wrap key from the broker's private key, the client's
    /// public key, both nonces and the lower-cased domain.
    ///
    /// # Errors
    /// [`Status::Internal`] if HKDF refuses the output length (it cannot).
    pub fn derive(
        private_key: &PrivateKey,
        client_key: &AffinePoint,
        client_nonce: &[u8; NONCE_LEN],
        server_nonce: &[u8; NONCE_LEN],
        domain: &[u8],
    ) -> Result<Self, Status> {
        // The scalar is borrowed, not copied; `SharedSecret` zeroizes Z
        // when dropped.
        let shared = diffie_hellman(private_key.scalar(), client_key);
        let salt: [u8; 2 * NONCE_LEN] = concat(&[client_nonce, server_nonce]);

        let mut okm = Zeroizing::new([0_u8; gcm::KEY_LEN + gcm::NONCE_LEN]);
        hkdf_sha256(
            &salt,
            shared.raw_secret_bytes(),
            &[WRAP_LABEL, &[0], domain],
            okm.as_mut_slice(),
        )?;
        let (key, nonce) = okm
            .split_first_chunk::<{ gcm::KEY_LEN }>()
            .ok_or(Status::Internal)?;
        Ok(Self {
            key: *key,
            nonce: nonce.try_into().map_err(|_| Status::Internal)?,
        })
    }

    /// Seals `content_key` under this wrap key with `header` (response bytes
    /// 0..40) as the associated data: 32 bytes of ciphertext, then the tag.
    ///
    /// # Errors
    /// None today (the sizes are fixed); the `Result` keeps the door open
    /// for a cipher that can refuse.
    pub fn seal(
        &self,
        header: &[u8; RESPONSE_HEADER_LEN],
        content_key: &[u8; CONTENT_KEY_LEN],
    ) -> Result<[u8; SEALED_LEN], Status> {
        // The buffer holds the plaintext key until it is encrypted in
        // place: `Zeroizing` wipes the copy.
        let mut text = Zeroizing::new(*content_key);
        let tag = gcm::seal(&self.key, &self.nonce, header, &mut text);
        Ok(concat(&[text.as_slice(), &tag]))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{PrivateKey, client_public_key, content_key};
    use crate::Status;
    use zeroize::{Zeroize, ZeroizeOnDrop};

    #[test]
    fn the_private_key_is_wiped() {
        fn wiped_on_drop<T: ZeroizeOnDrop>(_: &T) {}
        let mut key = PrivateKey::from_bytes(&[0x42; 32]).unwrap();
        wiped_on_drop(&key);
        assert_eq!(key.scalar().to_bytes().as_slice(), [0x42; 32]);
        key.zeroize();
        let mut one = [0; 32];
        one[31] = 1;
        assert_eq!(
            key.scalar().to_bytes().as_slice(),
            one,
            "wiped to 1, never left as it was"
        );
        assert!(PrivateKey::from_bytes(&[0; 32]).is_err());
        assert!(
            PrivateKey::from_bytes(&[0xFF; 32]).is_err(),
            "above the group order"
        );
    }

    #[test]
    fn content_keys_separate_every_input() {
        let base = content_key(b"secret", b"a.b", 1, 7).unwrap();
        assert_ne!(*base, *content_key(b"secreT", b"a.b", 1, 7).unwrap());
        assert_ne!(*base, *content_key(b"secret", b"a.c", 1, 7).unwrap());
        assert_ne!(*base, *content_key(b"secret", b"a.b", 2, 7).unwrap());
        assert_ne!(*base, *content_key(b"secret", b"a.b", 1, 8).unwrap());
        assert_eq!(*base, *content_key(b"secret", b"a.b", 1, 7).unwrap());
    }

    #[test]
    fn client_keys_must_be_uncompressed_points_on_the_curve() {
        // The P-256 generator.
        let mut g = [0; 65];
        g[0] = 0x04;
        hex::decode_to_slice(
            "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
            &mut g[1..33],
        )
        .unwrap();
        hex::decode_to_slice(
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
            &mut g[33..],
        )
        .unwrap();
        assert!(client_public_key(&g).is_ok());

        let mut off_curve = g;
        off_curve[64] ^= 1;
        let mut compressed = g;
        compressed[0] = 0x03; // G's Y is odd
        let mut hybrid = g;
        hybrid[0] = 0x07;
        let mut identity = [0; 65];
        identity[0] = 0x00;
        let mut zero_point = [0; 65];
        zero_point[0] = 0x04;
        // X = p (outside the field), Y copied from G.
        let mut x_is_p = g;
        hex::decode_to_slice(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
            &mut x_is_p[1..33],
        )
        .unwrap();
        for bad in [off_curve, compressed, hybrid, identity, zero_point, x_is_p] {
            assert_eq!(client_public_key(&bad), Err(Status::InvalidPublicKey));
        }
    }
}
