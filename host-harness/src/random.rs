//! The bytes `sdn.random_bytes` hands out, and the deterministic generator
//! behind WASI `random_get`.

use std::collections::VecDeque;

/// Where `random_bytes` takes bytes once the scripted queue is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RandomFallback {
    /// The operating system's CSPRNG, as on the server (the default).
    #[default]
    Os,
    /// A deterministic generator with this seed: reproducible test runs.
    /// Not cryptographic.
    Seeded(u64),
}

/// SplitMix64: tiny, deterministic, good enough for test data.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

/// The state behind `random_bytes`: a scripted queue, a failure switch and
/// the fallback source.
#[derive(Debug)]
pub(crate) struct RandomState {
    scripted: VecDeque<u8>,
    failing: bool,
    fallback: Fallback,
}

#[derive(Debug)]
enum Fallback {
    Os,
    Seeded(SplitMix64),
}

impl RandomState {
    pub(crate) fn new(fallback: RandomFallback) -> Self {
        RandomState {
            scripted: VecDeque::new(),
            failing: false,
            fallback: match fallback {
                RandomFallback::Os => Fallback::Os,
                RandomFallback::Seeded(seed) => Fallback::Seeded(SplitMix64::new(seed)),
            },
        }
    }

    pub(crate) fn script(&mut self, bytes: &[u8]) {
        self.scripted.extend(bytes);
    }

    pub(crate) fn scripted_remaining(&self) -> usize {
        self.scripted.len()
    }

    pub(crate) fn set_failing(&mut self, failing: bool) {
        self.failing = failing;
    }

    /// Fills `buf`, scripted bytes first. `false` = the call must fail (-1).
    pub(crate) fn fill(&mut self, buf: &mut [u8]) -> bool {
        if self.failing {
            return false;
        }
        let scripted = buf.len().min(self.scripted.len());
        for (dst, src) in buf.iter_mut().zip(self.scripted.drain(..scripted)) {
            *dst = src;
        }
        let rest = &mut buf[scripted..];
        if rest.is_empty() {
            return true;
        }
        match &mut self.fallback {
            Fallback::Seeded(rng) => {
                rng.fill(rest);
                true
            }
            // The server returns -1 when crypto/rand fails; so do we.
            Fallback::Os => getrandom::fill(rest).is_ok(),
        }
    }
}
