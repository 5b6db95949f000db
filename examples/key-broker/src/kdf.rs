//! HKDF-SHA256 (RFC 5869), written out on top of `hmac`.
//!
//! The `hkdf` crate computes the same bytes, but its extract step ends in
//! `expect("PRK size is correct")` and its expand loop in
//! `expect("should convert")`: unreachable panics whose `Debug` payloads
//! keep `core::fmt`'s struct and tuple printers in the wasm module. Here
//! every step either cannot fail or becomes [`Status::Internal`]. The unit
//! tests pin RFC 5869's vectors and agreement with `hkdf`.

use hmac::{Hmac, KeyInit, Mac};
use sdn_pdk::bytes::copy_prefix;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::Status;

type HmacSha256 = Hmac<Sha256>;

/// SHA-256's output length: one HKDF-SHA256 block.
const HASH_LEN: usize = 32;
/// RFC 5869 §2.3: L ≤ 255 · HashLen.
const MAX_OKM_LEN: usize = 255 * HASH_LEN;

/// Fills `okm` with HKDF-SHA256(IKM = `ikm`, salt = `salt`, info = the
/// concatenation of `info`, L = `okm.len()`).
///
/// The pseudorandom key and every block of output are zeroized when
/// dropped; the HMAC states zeroize themselves (`hmac`'s `zeroize`
/// feature).
///
/// # Errors
/// [`Status::Internal`] when `okm` is longer than 255 blocks.
pub(crate) fn hkdf_sha256(
    salt: &[u8],
    ikm: &[u8],
    info: &[&[u8]],
    okm: &mut [u8],
) -> Result<(), Status> {
    if okm.len() > MAX_OKM_LEN {
        return Err(Status::Internal);
    }
    // Extract: PRK = HMAC(salt, IKM).
    let mut extract = HmacSha256::new_from_slice(salt).map_err(|_| Status::Internal)?;
    extract.update(ikm);
    let prk = Zeroizing::new(<[u8; HASH_LEN]>::from(extract.finalize().into_bytes()));
    // Expand: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), T(0) empty.
    let expand = HmacSha256::new_from_slice(prk.as_slice()).map_err(|_| Status::Internal)?;
    let mut block = Zeroizing::new([0; HASH_LEN]);
    for (counter, chunk) in (1..=u8::MAX).zip(okm.chunks_mut(HASH_LEN)) {
        let mut mac = expand.clone();
        if counter > 1 {
            mac.update(block.as_slice());
        }
        for part in info {
            mac.update(part);
        }
        mac.update(&[counter]);
        *block = mac.finalize().into_bytes().into();
        copy_prefix(chunk, block.as_slice());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::{MAX_OKM_LEN, hkdf_sha256};
    use crate::Status;
    use alloc::vec;
    use alloc::vec::Vec;

    fn unhex(text: &str) -> Vec<u8> {
        hex::decode(text).unwrap()
    }

    #[test]
    fn rfc5869_test_case_1() {
        let mut okm = [0; 42];
        hkdf_sha256(
            &unhex("000102030405060708090a0b0c"),
            &[0x0b; 22],
            &[&unhex("f0f1f2f3f4f5"), &unhex("f6f7f8f9")], // info, in two parts
            &mut okm,
        )
        .unwrap();
        assert_eq!(
            okm[..],
            unhex(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf\
                 34007208d5b887185865"
            )
        );
    }

    #[test]
    fn rfc5869_test_case_3_empty_salt_and_info() {
        let mut okm = [0; 42];
        hkdf_sha256(&[], &[0x0b; 22], &[], &mut okm).unwrap();
        assert_eq!(
            okm[..],
            unhex(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d\
                 9d201395faa4b61a96c8"
            )
        );
    }

    #[test]
    fn agrees_with_the_hkdf_crate() {
        let salt = [0x5a; 32];
        let info: [&[u8]; 3] = [b"SKB1/wrap", &[0], b"example.com"];
        for len in [0, 1, 31, 32, 33, 44, 64, 65, 200] {
            for ikm in [&b""[..], b"secret", &[0xA5; 100]] {
                let mut ours = vec![0; len];
                hkdf_sha256(&salt, ikm, &info, &mut ours).unwrap();
                let mut theirs = vec![0; len];
                hkdf::Hkdf::<sha2::Sha256>::new(Some(&salt), ikm)
                    .expand_multi_info(&info, &mut theirs)
                    .unwrap();
                assert_eq!(ours, theirs, "len {len}");
            }
        }
    }

    #[test]
    fn the_output_length_is_capped() {
        let mut okm = vec![0; MAX_OKM_LEN];
        assert_eq!(hkdf_sha256(b"s", b"k", &[], &mut okm), Ok(()));
        okm.push(0);
        assert_eq!(
            hkdf_sha256(b"s", b"k", &[], &mut okm),
            Err(Status::Internal)
        );
    }
}
