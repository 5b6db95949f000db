//! The one error type: what went wrong ([`ErrorKind`]), the frame it went
//! wrong in, a kebab-case code for the PIV response's `ERROR_CODE` and a
//! `Display` message for its `ERROR_MESSAGE`. Messages print no floating
//! point numbers (that keeps float formatting out of the module).

use core::fmt;

/// Why a frame is not a usable `$OMM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OmmFault {
    /// The bytes do not carry the `$OMM` file identifier.
    WrongIdentifier,
    /// The FlatBuffer does not verify against the OMM schema.
    Unverifiable,
}

/// An OMM element that is missing or impossible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElementFault {
    /// `EPOCH` is absent.
    MissingEpoch,
    /// `EPOCH` is not `YYYY-MM-DDTHH:MM:SS[.f][Z]` in 1957..=2200.
    BadEpoch,
    /// `MEAN_MOTION` is missing, zero, negative or not finite.
    MeanMotion,
    /// `ECCENTRICITY` is outside [0, 1) or not finite.
    Eccentricity,
    /// `INCLINATION` is outside [0, 180] degrees or not finite.
    Inclination,
    /// An angle (named) or another element is not finite.
    NotFinite(&'static str),
    /// `MEAN_ELEMENT_THEORY` is not SGP4.
    Theory,
    /// `TIME_SYSTEM` is not UTC (SGP4 epochs are UTC).
    TimeSystem,
    /// SGP4 cannot start from these elements (its Brouwer mean motion or
    /// initial eccentricity is out of range).
    Sgp4Init,
}

/// How an orbit was found to decay inside the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecayFault {
    /// SGP4 itself failed (eccentricity or semi-latus rectum out of
    /// range) or gave a non-finite state.
    Sgp4,
    /// The state lies below the Earth's equatorial radius (WGS-72).
    BelowSurface,
}

/// A bad deployment config value (step or span).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The config is not a JSON object.
    NotAnObject,
    /// A key's value is not a number (`stepSeconds` or `spanMinutes`).
    NotANumber(&'static str),
    /// `stepSeconds` outside its bounds.
    Step,
    /// `spanMinutes` outside its bounds.
    Span,
    /// The window would hold more states than one OEM may carry.
    TooManyStates,
}

impl ConfigError {
    /// Always `"invalid-config"`.
    pub fn code(&self) -> &'static str {
        "invalid-config"
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::window::{
            MAX_SPAN_MINUTES, MAX_STATES, MAX_STEP_SECONDS, MIN_STEP_SECONDS_TEXT,
        };
        match self {
            ConfigError::NotAnObject => f.write_str("the config is not a JSON object"),
            ConfigError::NotANumber(key) => write!(f, "config key {key} must be a number"),
            ConfigError::Step => write!(
                f,
                "stepSeconds must be at least {MIN_STEP_SECONDS_TEXT} and at most {}",
                MAX_STEP_SECONDS as u64
            ),
            ConfigError::Span => write!(
                f,
                "spanMinutes must be at least 0 and at most {}",
                MAX_SPAN_MINUTES as u64
            ),
            ConfigError::TooManyStates => write!(
                f,
                "spanMinutes / stepSeconds gives more than {MAX_STATES} states; raise stepSeconds or lower spanMinutes"
            ),
        }
    }
}

/// What went wrong.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ErrorKind {
    /// A frame is not a verifiable `$OMM`: `invalid-omm`.
    InvalidOmm(OmmFault),
    /// Missing or impossible elements: `invalid-elements`.
    InvalidElements(ElementFault),
    /// The orbit decays inside the window: `orbit-decayed`.
    OrbitDecayed {
        /// How it was detected.
        fault: DecayFault,
        /// Minutes after the epoch of the first bad state.
        minutes: f64,
    },
    /// More frames than a call takes: `too-many-frames`.
    TooManyFrames {
        /// How many came.
        count: usize,
    },
    /// A bad deployment config: `invalid-config`.
    InvalidConfig(ConfigError),
}

/// An error of the `propagate` method, naming the frame (index in the
/// `omm` port's frames) when one frame is at fault.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropagateError {
    frame: Option<usize>,
    kind: ErrorKind,
}

impl PropagateError {
    /// An error about frame `index`.
    pub fn in_frame(index: usize, kind: ErrorKind) -> PropagateError {
        PropagateError {
            frame: Some(index),
            kind,
        }
    }

    /// An error about the call as a whole.
    pub fn call(kind: ErrorKind) -> PropagateError {
        PropagateError { frame: None, kind }
    }

    /// The frame at fault, if one is.
    pub fn frame(&self) -> Option<usize> {
        self.frame
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The kebab-case error code: `invalid-omm`, `invalid-elements`,
    /// `orbit-decayed`, `too-many-frames` or `invalid-config`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::InvalidOmm(_) => "invalid-omm",
            ErrorKind::InvalidElements(_) => "invalid-elements",
            ErrorKind::OrbitDecayed { .. } => "orbit-decayed",
            ErrorKind::TooManyFrames { .. } => "too-many-frames",
            ErrorKind::InvalidConfig(_) => "invalid-config",
        }
    }
}

impl From<ConfigError> for PropagateError {
    fn from(error: ConfigError) -> PropagateError {
        PropagateError::call(ErrorKind::InvalidConfig(error))
    }
}

impl fmt::Display for PropagateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(index) = self.frame {
            write!(f, "omm frame {index}: ")?;
        }
        match self.kind {
            ErrorKind::InvalidOmm(OmmFault::WrongIdentifier) => {
                f.write_str("not an $OMM FlatBuffer (file identifier is not $OMM)")
            }
            ErrorKind::InvalidOmm(OmmFault::Unverifiable) => {
                f.write_str("the $OMM FlatBuffer does not verify")
            }
            ErrorKind::InvalidElements(fault) => match fault {
                ElementFault::MissingEpoch => f.write_str("EPOCH is missing"),
                ElementFault::BadEpoch => f.write_str(
                    "EPOCH is not an ISO 8601 UTC time YYYY-MM-DDTHH:MM:SS[.fff] in 1957..2200",
                ),
                ElementFault::MeanMotion => {
                    f.write_str("MEAN_MOTION is missing or not a positive number of rev/day")
                }
                ElementFault::Eccentricity => f.write_str("ECCENTRICITY is outside [0, 1)"),
                ElementFault::Inclination => f.write_str("INCLINATION is outside [0, 180] degrees"),
                ElementFault::NotFinite(name) => write!(f, "{name} is not a finite number"),
                ElementFault::Theory => f.write_str("MEAN_ELEMENT_THEORY is not SGP4"),
                ElementFault::TimeSystem => f.write_str("TIME_SYSTEM is not UTC"),
                ElementFault::Sgp4Init => {
                    f.write_str("SGP4 cannot be initialised from these elements")
                }
            },
            ErrorKind::OrbitDecayed { fault, minutes } => {
                let whole = minutes as i64;
                match fault {
                    DecayFault::Sgp4 => write!(
                        f,
                        "the orbit decays inside the window: SGP4 fails {whole} minutes after epoch"
                    ),
                    DecayFault::BelowSurface => write!(
                        f,
                        "the orbit decays inside the window: below the Earth's surface {whole} minutes after epoch"
                    ),
                }
            }
            ErrorKind::TooManyFrames { count } => write!(
                f,
                "{count} omm frames; a call takes at most {}",
                crate::MAX_FRAMES
            ),
            ErrorKind::InvalidConfig(error) => write!(f, "invalid config: {error}"),
        }
    }
}

impl core::error::Error for PropagateError {}
impl core::error::Error for ConfigError {}
