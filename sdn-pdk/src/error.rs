//! The one error type of a plugin call, and its status code.

use core::fmt;
use core::num::NonZeroI32;

/// What `Error::custom(0)` becomes.
const MINUS_ONE: NonZeroI32 = match NonZeroI32::new(-1) {
    Some(code) => code,
    None => NonZeroI32::MIN,
};

/// Why a plugin call failed: a non-zero status code, which is what the
/// export returns.
///
/// The codes follow the C template: 1 = not initialised, 7 = output buffer
/// too small; any other non-zero code is the plugin's to define with
/// [`Error::custom`].
///
/// It is a newtype over the code rather than an enum with a payload on
/// purpose: `Result<(), Error>` is then a single `i32` in wasm, so every
/// fallible call in a plugin returns in a register. That keeps modules
/// small (the echo example is under 4 KiB).
///
/// ```
/// use sdn_pdk::Error;
///
/// assert_eq!(Error::NOT_INITIALISED.status(), 1);
/// assert_eq!(Error::OUTPUT_TOO_SMALL.status(), 7);
/// const DOMAIN_NOT_ALLOWED: Error = Error::custom(4);
/// assert_eq!(DOMAIN_NOT_ALLOWED.status(), 4);
/// assert_eq!(DOMAIN_NOT_ALLOWED.to_string(), "plugin error status 4");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Error(NonZeroI32);

impl Error {
    /// The plugin has not been initialised successfully (status 1).
    pub const NOT_INITIALISED: Error = Error::custom(1);
    /// The host's output buffer cannot hold the response (status 7). The
    /// export then reports `out_len = 0`.
    pub const OUTPUT_TOO_SMALL: Error = Error::custom(7);
    /// `sdn.random_bytes` failed (status 8).
    pub const HOST_RANDOM: Error = Error::custom(8);
    /// The host passed a null buffer with a non-zero length (status 9; the
    /// real server never does).
    pub const HOST_BUFFER: Error = Error::custom(9);
    /// The plugin does not implement this call (status 501).
    pub const UNSUPPORTED: Error = Error::custom(501);

    /// An error with a plugin-defined status; a `code` of 0 (which would
    /// mean success) becomes status -1.
    #[inline(always)]
    pub const fn custom(code: i32) -> Error {
        match NonZeroI32::new(code) {
            Some(code) => Error(code),
            None => Error(MINUS_ONE),
        }
    }

    /// The status code the export returns for this error (never 0).
    #[inline(always)]
    pub const fn status(self) -> i32 {
        self.0.get()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::NOT_INITIALISED => f.write_str("plugin not initialised"),
            Error::OUTPUT_TOO_SMALL => f.write_str("output buffer too small"),
            Error::HOST_RANDOM => f.write_str("host random source failed"),
            Error::HOST_BUFFER => f.write_str("host passed a null buffer"),
            Error::UNSUPPORTED => f.write_str("call not supported by this plugin"),
            Error(code) => write!(f, "plugin error status {code}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<crate::host::RandomError> for Error {
    fn from(_: crate::host::RandomError) -> Error {
        Error::HOST_RANDOM
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_zero_is_not_success() {
        assert_eq!(Error::custom(0).status(), -1);
        assert_eq!(Error::custom(42).status(), 42);
        assert_eq!(Error::custom(i32::MIN).status(), i32::MIN);
    }
}
