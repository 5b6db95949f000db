//! Safe access to the three functions the SDN server offers a plugin.
//!
//! These are the only sources of time and randomness a plugin may use: the
//! server's WASI `clock_time_get` is a fake clock that starts at
//! 2022-01-01T00:00:00Z and its WASI `random_get` is a fixed-seed generator
//! (see the crate docs). The server's limits are enforced here and nowhere
//! else: randomness is drawn in chunks of at most [`RANDOM_CHUNK_MAX`] bytes
//! and log messages are cut to [`LOG_MESSAGE_MAX`] bytes.

use core::fmt;

use crate::sys;

/// The most bytes the server's `random_bytes` fills in one call (it fails above).
pub const RANDOM_CHUNK_MAX: usize = 8192;

/// The longest log message the server keeps (it truncates longer ones).
pub const LOG_MESSAGE_MAX: usize = 4096;

/// The current wall-clock time in milliseconds since the Unix epoch, from the
/// host's real clock (`sdn.clock_now_ms`).
///
/// ```
/// let now = sdn_pdk::host::clock_now_ms();
/// # let _ = now;
/// ```
#[inline(always)]
pub fn clock_now_ms() -> u64 {
    // The server returns an i64; a (broken) negative clock keeps its bits.
    sys::clock_now_ms() as u64
}

/// The host refused to hand out random bytes (`sdn.random_bytes` returned an error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RandomError {
    /// The status the host returned (the real server returns -1).
    pub host_status: i32,
}

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "host random source failed (status {})", self.host_status)
    }
}

impl core::error::Error for RandomError {}

/// Fills `buf` with bytes from the host's CSPRNG (`sdn.random_bytes`).
///
/// Any length is accepted: the request is split into chunks of at most
/// [`RANDOM_CHUNK_MAX`] bytes, the server's cap. On error the buffer's
/// content is unspecified.
///
/// ```
/// let mut nonce = [0u8; 16];
/// sdn_pdk::host::random_bytes(&mut nonce)?;
/// # Ok::<(), sdn_pdk::host::RandomError>(())
/// ```
#[inline(always)]
pub fn random_bytes(buf: &mut [u8]) -> Result<(), RandomError> {
    for chunk in buf.chunks_mut(RANDOM_CHUNK_MAX) {
        let host_status = sys::random_bytes(chunk);
        if host_status != 0 {
            return Err(RandomError { host_status });
        }
    }
    Ok(())
}

/// A log level as the server maps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(i32)]
pub enum LogLevel {
    /// Level 0.
    Debug = 0,
    /// Level 1.
    Info = 1,
    /// Level 2.
    Warn = 2,
    /// Level 3.
    Error = 3,
}

impl LogLevel {
    /// The level the server gives a raw `sdn.log` level: ≤0 debug, 1 info,
    /// 2 warn, ≥3 error.
    pub const fn from_raw(level: i32) -> LogLevel {
        match level {
            i32::MIN..=0 => LogLevel::Debug,
            1 => LogLevel::Info,
            2 => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }
}

/// Sends `message` to the server's log at `level`.
///
/// Messages longer than [`LOG_MESSAGE_MAX`] bytes are cut at the last
/// character boundary within the cap. The server replaces every control
/// character below 0x20 with `?`, so a multi-line message arrives as one line
/// with `?` where the newlines were.
///
/// ```
/// use sdn_pdk::host::{log, LogLevel};
/// log(LogLevel::Info, "plugin ready");
/// ```
pub fn log(level: LogLevel, message: &str) {
    sys::log(
        level as i32,
        truncate_to_char_boundary(message, LOG_MESSAGE_MAX),
    );
}

/// Sends raw bytes to the server's log at `level` (cut at
/// [`LOG_MESSAGE_MAX`]); for messages that carry bytes from outside, such as
/// a client's `Host`, that need not be UTF-8.
#[inline(always)]
pub fn log_bytes(level: LogLevel, message: &[u8]) {
    sys::log(
        level as i32,
        message.get(..LOG_MESSAGE_MAX).unwrap_or(message),
    );
}

/// Formats and logs a message without allocating (a fixed 4096-byte buffer;
/// longer output is cut). The [`debug!`](crate::debug), [`info!`](crate::info),
/// [`warn!`](crate::warn) and [`error!`](crate::error) macros call this.
pub fn log_fmt(level: LogLevel, args: fmt::Arguments<'_>) {
    let mut buffer = LogBuffer::<LOG_MESSAGE_MAX>::new();
    // A `Display` impl may fail; whatever was written is still worth logging.
    let _ = fmt::write(&mut buffer, args);
    buffer.log(level);
}

/// Logs at debug level.
pub fn debug(message: &str) {
    log(LogLevel::Debug, message);
}

/// Logs at info level.
pub fn info(message: &str) {
    log(LogLevel::Info, message);
}

/// Logs at warn level.
pub fn warn(message: &str) {
    log(LogLevel::Warn, message);
}

/// Logs at error level.
pub fn error(message: &str) {
    log(LogLevel::Error, message);
}

fn truncate_to_char_boundary(message: &str, max: usize) -> &[u8] {
    if message.len() <= max {
        return message.as_bytes();
    }
    let mut end = max;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    message.as_bytes().get(..end).unwrap_or_default()
}

/// A fixed-size message buffer that never allocates and never formats
/// through `core::fmt` unless asked to: pushing text and integers costs a few
/// hundred bytes of wasm where `write!` costs several KiB. Bytes that do not
/// fit are dropped (text is cut at a character boundary).
///
/// ```
/// use sdn_pdk::host::{LogBuffer, LogLevel};
///
/// let mut line = LogBuffer::<32>::new();
/// line.push_str("served ");
/// line.push_u64(42);
/// line.push_str(" requests");
/// assert_eq!(line.as_bytes(), b"served 42 requests");
/// line.log(LogLevel::Debug);
/// ```
pub struct LogBuffer<const N: usize = LOG_MESSAGE_MAX> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> Default for LogBuffer<N> {
    fn default() -> LogBuffer<N> {
        LogBuffer::new()
    }
}

impl<const N: usize> LogBuffer<N> {
    /// An empty buffer.
    pub const fn new() -> LogBuffer<N> {
        LogBuffer {
            bytes: [0; N],
            len: 0,
        }
    }

    /// The bytes pushed so far.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    /// Appends raw bytes (as many as fit).
    // Out of line on purpose: a plugin calls it several times per message,
    // and inlined copies cost more bytes than the calls.
    #[inline(never)]
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        // No indexing that could panic: a panic path would drag core::fmt
        // into the plugin.
        let free = self.bytes.get_mut(self.len..).unwrap_or_default();
        self.len += crate::bytes::copy_prefix(free, bytes);
    }

    /// Appends text, cut at a character boundary if it does not fit.
    pub fn push_str(&mut self, text: &str) {
        self.push_bytes(truncate_to_char_boundary(text, N.saturating_sub(self.len)));
    }

    /// Appends an unsigned integer in decimal.
    pub fn push_u64(&mut self, mut value: u64) {
        let mut digits = [0u8; 20]; // u64::MAX has 20 digits
        let mut start = digits.len();
        while start > 0 {
            start -= 1;
            digits[start] = b'0' + (value % 10) as u8;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.push_bytes(digits.get(start..).unwrap_or_default());
    }

    /// Appends a signed integer in decimal.
    #[inline(always)]
    pub fn push_i64(&mut self, value: i64) {
        if value < 0 {
            self.push_bytes(b"-");
        }
        self.push_u64(value.unsigned_abs());
    }

    /// Sends the buffer to the server's log at `level`.
    #[inline(always)]
    pub fn log(&self, level: LogLevel) {
        log_bytes(level, self.as_bytes());
    }
}

impl<const N: usize> fmt::Write for LogBuffer<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s);
        Ok(())
    }
}

/// Logs a formatted message at debug level, without allocating.
///
/// ```
/// sdn_pdk::debug!("{} bytes", 42);
/// ```
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => {
        $crate::host::log_fmt($crate::host::LogLevel::Debug, ::core::format_args!($($arg)*))
    };
}

/// Logs a formatted message at info level, without allocating.
///
/// ```
/// sdn_pdk::info!("ready: {}", "echo");
/// ```
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => {
        $crate::host::log_fmt($crate::host::LogLevel::Info, ::core::format_args!($($arg)*))
    };
}

/// Logs a formatted message at warn level, without allocating.
///
/// ```
/// sdn_pdk::warn!("clock skew {} ms", 12);
/// ```
#[macro_export]
macro_rules! warn {
    ($($arg:tt)*) => {
        $crate::host::log_fmt($crate::host::LogLevel::Warn, ::core::format_args!($($arg)*))
    };
}

/// Logs a formatted message at error level, without allocating.
///
/// ```
/// sdn_pdk::error!("bad config: {}", "truncated");
/// ```
#[macro_export]
macro_rules! error {
    ($($arg:tt)*) => {
        $crate::host::log_fmt($crate::host::LogLevel::Error, ::core::format_args!($($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::mock;

    #[test]
    fn random_requests_are_split_at_the_server_cap() {
        mock::reset();
        let mut buf = [0u8; RANDOM_CHUNK_MAX * 2 + 5];
        random_bytes(&mut buf).unwrap();
        assert_eq!(
            mock::random_call_lengths(),
            [RANDOM_CHUNK_MAX, RANDOM_CHUNK_MAX, 5]
        );
    }

    #[test]
    fn a_failing_host_is_reported() {
        mock::reset();
        mock::fail_random(true);
        let mut buf = [0u8; 4];
        assert_eq!(random_bytes(&mut buf), Err(RandomError { host_status: -1 }));
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        mock::reset();
        let message = "é".repeat(LOG_MESSAGE_MAX); // 2 bytes each
        log(LogLevel::Warn, &message);
        crate::warn!("{}", message);
        let logs = mock::take_logs();
        assert_eq!(logs.len(), 2);
        for record in logs {
            assert_eq!(record.level, LogLevel::Warn);
            assert_eq!(record.message.len(), LOG_MESSAGE_MAX);
            assert!(record.message.chars().all(|c| c == 'é'));
        }
    }

    #[test]
    fn log_buffers_format_integers_and_drop_what_does_not_fit() {
        let mut line = LogBuffer::<12>::new();
        line.push_i64(-1_790_000);
        line.push_str(" é");
        assert_eq!(line.as_bytes(), "-1790000 é".as_bytes());
        line.push_str("éé"); // one byte left: no half character
        assert_eq!(line.as_bytes(), "-1790000 é".as_bytes());
        line.push_bytes(b"xyz");
        assert_eq!(line.as_bytes(), "-1790000 éx".as_bytes());
        let mut zero = LogBuffer::<4>::new();
        zero.push_u64(0);
        assert_eq!(zero.as_bytes(), b"0");
        let mut max = LogBuffer::<64>::new();
        max.push_u64(u64::MAX);
        max.push_i64(i64::MIN);
        assert_eq!(max.as_bytes(), b"18446744073709551615-9223372036854775808");
    }

    #[test]
    fn raw_levels_map_like_the_server() {
        assert_eq!(LogLevel::from_raw(-5), LogLevel::Debug);
        assert_eq!(LogLevel::from_raw(0), LogLevel::Debug);
        assert_eq!(LogLevel::from_raw(1), LogLevel::Info);
        assert_eq!(LogLevel::from_raw(2), LogLevel::Warn);
        assert_eq!(LogLevel::from_raw(3), LogLevel::Error);
        assert_eq!(LogLevel::from_raw(99), LogLevel::Error);
    }
}
