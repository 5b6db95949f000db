//! Records of `sdn.log` calls, sanitised as the server sanitises them.

use std::fmt;

/// The level a `log` call maps to: `level ≤ 0` debug, `1` info, `2` warn,
/// `≥ 3` error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// `level ≤ 0`.
    Debug,
    /// `level == 1`.
    Info,
    /// `level == 2`.
    Warn,
    /// `level ≥ 3`.
    Error,
}

impl LogLevel {
    /// The server's mapping of the raw `level` argument.
    pub fn from_raw(level: i32) -> LogLevel {
        match level {
            i32::MIN..=0 => LogLevel::Debug,
            1 => LogLevel::Info,
            2 => LogLevel::Warn,
            _ => LogLevel::Error,
        }
    }
}

impl fmt::Display for LogLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        })
    }
}

/// One message a plugin logged, as the server would have logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// The mapped level.
    pub level: LogLevel,
    /// The message after truncation to 4096 bytes and sanitising.
    pub message: String,
}

/// The server's sanitising: the (already truncated) bytes are read as UTF-8
/// the way Go's `strings.Map` reads them (each byte of an invalid sequence
/// becomes one U+FFFD), and every character below 0x20 becomes `?`.
pub(crate) fn sanitize(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.extend(
            chunk
                .valid()
                .chars()
                .map(|c| if c < '\u{20}' { '?' } else { c }),
        );
        out.extend(chunk.invalid().iter().map(|_| char::REPLACEMENT_CHARACTER));
    }
    out
}
