use core::fmt;

/// Why a buffer could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The buffer does not carry the expected file identifier (bytes 4..8),
    /// or is shorter than 8 bytes.
    WrongIdentifier {
        /// The identifier the reader expected, e.g. `"PMAN"`.
        expected: &'static str,
    },
    /// The FlatBuffers verifier rejected the buffer.
    Invalid(flatbuffers::InvalidFlatbuffer),
    /// The buffer is valid but lacks a field the reader needs, e.g. a `PIV`
    /// without its `REQUEST`.
    Missing {
        /// The field, as `TABLE.FIELD` (e.g. `"PIV.REQUEST"`).
        field: &'static str,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::WrongIdentifier { expected } => {
                write!(f, "not a `{expected}` FlatBuffer: wrong file identifier")
            }
            Self::Invalid(err) => write!(f, "invalid FlatBuffer: {err}"),
            Self::Missing { field } => write!(f, "the FlatBuffer has no `{field}`"),
        }
    }
}

impl core::error::Error for Error {
    /// The verifier's error (with `std`: `flatbuffers` implements the trait
    /// for it only there).
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            #[cfg(feature = "std")]
            Self::Invalid(err) => Some(err),
            _ => None,
        }
    }
}

impl From<flatbuffers::InvalidFlatbuffer> for Error {
    fn from(err: flatbuffers::InvalidFlatbuffer) -> Self {
        Self::Invalid(err)
    }
}

/// `Ok` when `bytes` carries `identifier` at bytes 4..8 (an unprefixed
/// buffer). Checked before the verifier, so the error names the real problem.
pub(crate) fn check_identifier(bytes: &[u8], identifier: &'static str) -> Result<(), Error> {
    if bytes.get(4..8) == Some(identifier.as_bytes()) {
        Ok(())
    } else {
        Err(Error::WrongIdentifier {
            expected: identifier,
        })
    }
}
