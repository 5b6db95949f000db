//! The SKB1 status codes: the one error type of the crate.

use core::fmt;

/// An SKB1 status, as returned by the plugin's exports and carried in error
/// packets. `Ok` is 0; every other variant is a failure.
///
/// The numbering is the protocol's (`docs/key-broker-protocol.md`); checks on
/// a request run in ascending order of status and the first failure decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// 0: success.
    Ok = 0,
    /// 1: a request arrived before a successful `plugin_init`.
    NotInitialised = 1,
    /// 2: malformed request or config blob (length, magic, type, flags,
    /// domain length or characters; truncated blob, empty secret, missing
    /// NUL, trailing bytes).
    Malformed = 2,
    /// 3: the client key is not an uncompressed point on P-256, or the
    /// config's key pair is invalid.
    InvalidPublicKey = 3,
    /// 4: the requested domain is not in the allowed list, or the config
    /// leaves no domain.
    DomainNotAllowed = 4,
    /// 5: the client's clock is further than the maximum skew from the
    /// server's.
    ClockSkew = 5,
    /// 6: the requested key version is above the active version.
    UnknownKeyVersion = 6,
    /// 7: the output buffer cannot hold the response; nothing was written.
    OutputTooSmall = 7,
    /// 8: internal error (the host's randomness failed).
    Internal = 8,
}

impl Status {
    /// The status as the byte carried in packets and returned by exports.
    #[must_use]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The status for a code, or `None` for a code the protocol does not
    /// define.
    #[must_use]
    pub const fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0 => Self::Ok,
            1 => Self::NotInitialised,
            2 => Self::Malformed,
            3 => Self::InvalidPublicKey,
            4 => Self::DomainNotAllowed,
            5 => Self::ClockSkew,
            6 => Self::UnknownKeyVersion,
            7 => Self::OutputTooSmall,
            8 => Self::Internal,
            _ => return None,
        })
    }

    /// Whether this is [`Status::Ok`].
    #[must_use]
    pub const fn is_ok(self) -> bool {
        matches!(self, Self::Ok)
    }
}

impl From<Status> for u8 {
    fn from(status: Status) -> u8 {
        status.code()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ok => "ok",
            Self::NotInitialised => "not initialised",
            Self::Malformed => "malformed request",
            Self::InvalidPublicKey => "invalid public key",
            Self::DomainNotAllowed => "domain not allowed",
            Self::ClockSkew => "client time outside the allowed clock skew",
            Self::UnknownKeyVersion => "unknown key version",
            Self::OutputTooSmall => "output buffer too small",
            Self::Internal => "internal error",
        })
    }
}

impl core::error::Error for Status {}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn codes_round_trip() {
        for code in 0..=8 {
            let status = Status::from_code(code);
            assert_eq!(status.map(Status::code), Some(code));
        }
        assert_eq!(Status::from_code(9), None);
        assert_eq!(Status::from_code(255), None);
    }

    #[test]
    fn codes_are_the_protocols() {
        assert_eq!(Status::Ok.code(), 0);
        assert_eq!(Status::NotInitialised.code(), 1);
        assert_eq!(Status::Malformed.code(), 2);
        assert_eq!(Status::InvalidPublicKey.code(), 3);
        assert_eq!(Status::DomainNotAllowed.code(), 4);
        assert_eq!(Status::ClockSkew.code(), 5);
        assert_eq!(Status::UnknownKeyVersion.code(), 6);
        assert_eq!(Status::OutputTooSmall.code(), 7);
        assert_eq!(Status::Internal.code(), 8);
        assert!(Status::Ok.is_ok());
        assert!(!Status::Internal.is_ok());
    }
}
