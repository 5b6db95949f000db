//! Timing with the harness's own bookkeeping left out: criterion's
//! `iter_custom` with the work timed in batches and the cleanup (dropping
//! the log records the harness keeps) between them.

use std::time::{Duration, Instant};

/// Calls per timed batch; the cleanup runs after each batch, untimed.
const BATCH: u64 = 256;

/// Times `iters` calls of `call`, in batches of [`BATCH`], running
/// `between` after each batch outside the timing.
pub fn batched(iters: u64, mut call: impl FnMut(), mut between: impl FnMut()) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let batch = left.min(BATCH);
        let start = Instant::now();
        for _ in 0..batch {
            call();
        }
        elapsed += start.elapsed();
        between();
        left -= batch;
    }
    elapsed
}
