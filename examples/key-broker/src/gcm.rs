//! AES-256-GCM encryption (NIST SP 800-38D) of one content key, written out
//! on top of the `aes` block cipher and the `ghash` universal hash.
//!
//! `aes-gcm` computes the same bytes, but it runs its counter mode through
//! `ctr`'s parallel-block path (a second, 64-bit-wide copy of the bitsliced
//! AES) and unwraps a `StreamCipherError`, whose `Debug` payload keeps
//! `core::fmt`'s printers in the wasm module. Sizes are fixed here — a
//! 96-bit nonce, a 32-byte plaintext, a 40-byte AAD — so nothing can fail.
//! The unit tests pin agreement with `aes-gcm`.

use aes::Aes256;
use aes::cipher::{BlockCipherEncrypt, KeyInit};
use ghash::GHash;
use ghash::universal_hash::UniversalHash;
use zeroize::Zeroizing;

use crate::bytes::concat;

/// AES-256 key length.
pub(crate) const KEY_LEN: usize = 32;
/// GCM nonce length (96 bits: the counter block is nonce ‖ counter).
pub(crate) const NONCE_LEN: usize = 12;
/// GCM tag length (128 bits).
pub(crate) const TAG_LEN: usize = 16;

/// AES's block.
type Block = aes::Block;

/// Encrypts `text` in place under `key` and `nonce` with `aad` as the
/// associated data; returns the tag. Key schedule, hash key and keystream
/// are zeroized when dropped.
pub(crate) fn seal<const TEXT: usize, const AAD: usize>(
    key: &[u8; KEY_LEN],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8; AAD],
    text: &mut [u8; TEXT],
) -> [u8; TAG_LEN] {
    let cipher = Aes256::new(key.into());
    // The hash key H = E(K, 0¹²⁸).
    let mut hash_key = Zeroizing::new(Block::default());
    cipher.encrypt_block(&mut hash_key);
    let mut ghash = GHash::new(&hash_key);

    // Counter 1 masks the tag; the text takes counters 2, 3, …
    let mut keystream = Zeroizing::new(Block::default());
    for (counter, chunk) in (2..=u32::MAX).zip(text.chunks_mut(16)) {
        *keystream = counter_block(nonce, counter);
        cipher.encrypt_block(&mut keystream);
        for (byte, key_byte) in chunk.iter_mut().zip(keystream.iter()) {
            *byte ^= key_byte;
        }
    }

    ghash.update_padded(aad);
    ghash.update_padded(text);
    ghash.update(&[lengths_block(AAD, TEXT)]);
    let mut tag = ghash.finalize();

    *keystream = counter_block(nonce, 1);
    cipher.encrypt_block(&mut keystream);
    for (byte, key_byte) in tag.iter_mut().zip(keystream.iter()) {
        *byte ^= key_byte;
    }
    tag.into()
}

/// The counter block nonce ‖ counter (u32 BE).
fn counter_block(nonce: &[u8; NONCE_LEN], counter: u32) -> Block {
    Block::from(concat::<16>(&[nonce, &counter.to_be_bytes()]))
}

/// GHASH's last block: the AAD's and the ciphertext's lengths in bits, u64
/// BE each. Lengths that overflow are not a concern: both are array sizes
/// of a few dozen bytes.
fn lengths_block(aad_len: usize, text_len: usize) -> Block {
    let bits = |len: usize| (len as u64).wrapping_mul(8).to_be_bytes();
    Block::from(concat::<16>(&[&bits(aad_len), &bits(text_len)]))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

    use super::seal;
    use aes_gcm::Aes256Gcm;
    use aes_gcm::aead::{Aead, KeyInit, Nonce, Payload};

    /// `seal`'s ciphertext ‖ tag next to `aes-gcm`'s.
    fn both<const TEXT: usize, const AAD: usize>(
        key: [u8; 32],
        nonce: [u8; 12],
        aad: [u8; AAD],
        text: [u8; TEXT],
    ) {
        let mut ours = text;
        let tag = seal(&key, &nonce, &aad, &mut ours);
        let theirs = Aes256Gcm::new(&key.into())
            .encrypt(
                &Nonce::<Aes256Gcm>::from(nonce),
                Payload {
                    msg: &text,
                    aad: &aad,
                },
            )
            .unwrap();
        assert_eq!(theirs[..TEXT], ours);
        assert_eq!(theirs[TEXT..], tag);
    }

    #[test]
    fn agrees_with_aes_gcm() {
        for seed in 0..8_u8 {
            let key = core::array::from_fn(|i| (i as u8).wrapping_mul(7) ^ seed);
            let nonce = core::array::from_fn(|i| (i as u8).wrapping_add(seed));
            both::<32, 40>(key, nonce, [seed; 40], [seed ^ 0x5A; 32]);
            both::<0, 0>(key, nonce, [], []);
            both::<17, 3>(key, nonce, [1, 2, 3], [seed; 17]);
            both::<64, 16>(key, nonce, [0xFF; 16], core::array::from_fn(|i| i as u8));
        }
    }

    /// NIST GCM test case 14 (AES-256, zero key, zero IV, one zero block).
    #[test]
    fn nist_test_case_14() {
        let mut text = [0; 16];
        let tag = seal(&[0; 32], &[0; 12], &[], &mut text);
        assert_eq!(hex::encode(text), "cea7403d4d606b6e074ec5d3baf39d18");
        assert_eq!(hex::encode(tag), "d0d1c8a799996bf0265b98b5d48ab919");
    }
}
