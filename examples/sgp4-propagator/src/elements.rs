//! A verified `$OMM` → the mean elements SGP4 starts from, validated.

use crate::error::{ElementFault, OmmFault};
use crate::generated::omm::{self, meanElementSource, timingStandard};
use crate::time::Epoch;

/// Verifier limits for one `$OMM` frame: generous for any real OMM (tens
/// of tables, a covariance, a few user parameters), tight enough that a
/// hostile frame cannot make verification expensive.
const VERIFIER: flatbuffers::VerifierOptions = flatbuffers::VerifierOptions {
    max_depth: 16,
    max_tables: 1_000,
    max_apparent_size: 1 << 24,
    ignore_missing_null_terminator: false,
};

/// The elements of one OMM, as SGP4 (TLE/OMM conventions) takes them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Elements<'a> {
    /// `OBJECT_NAME`, if present.
    pub object_name: Option<&'a str>,
    /// `OBJECT_ID` (international designator), if present.
    pub object_id: Option<&'a str>,
    /// `NORAD_CAT_ID` (0 when absent).
    pub norad_cat_id: u32,
    /// `EPOCH`.
    pub epoch: Epoch,
    /// `MEAN_MOTION`, rev/day (Kozai, as in a TLE).
    pub mean_motion: f64,
    /// `ECCENTRICITY`, in [0, 1).
    pub eccentricity: f64,
    /// `INCLINATION`, degrees in [0, 180].
    pub inclination: f64,
    /// `RA_OF_ASC_NODE`, degrees.
    pub ra_of_asc_node: f64,
    /// `ARG_OF_PERICENTER`, degrees.
    pub arg_of_pericenter: f64,
    /// `MEAN_ANOMALY`, degrees.
    pub mean_anomaly: f64,
    /// `BSTAR`, 1/earth radii.
    pub bstar: f64,
    /// `MEAN_MOTION_DOT`, rev/day². Checked, carried, and (as in every
    /// SGP4) not used by the propagation.
    pub mean_motion_dot: f64,
    /// `MEAN_MOTION_DDOT`, rev/day³. As [`Elements::mean_motion_dot`].
    pub mean_motion_ddot: f64,
}

impl<'a> Elements<'a> {
    /// Verifies `frame` as an `$OMM` and reads and checks its elements.
    pub fn from_omm(frame: &'a [u8]) -> Result<Elements<'a>, OmmOrElementFault> {
        // Compared by hand: flatbuffers' `buffer_has_identifier` panics on a
        // buffer shorter than eight bytes.
        if frame.get(4..8) != Some(omm::OMM_IDENTIFIER.as_bytes()) {
            return Err(OmmOrElementFault::Omm(OmmFault::WrongIdentifier));
        }
        let message = omm::root_as_omm_with_opts(&VERIFIER, frame)
            .map_err(|_| OmmOrElementFault::Omm(OmmFault::Unverifiable))?;
        Elements::from_message(&message).map_err(OmmOrElementFault::Elements)
    }

    /// Reads and checks the elements of a verified OMM table.
    pub fn from_message(m: &omm::OMM<'a>) -> Result<Elements<'a>, ElementFault> {
        if m.MEAN_ELEMENT_THEORY() != meanElementSource::SGP4 {
            return Err(ElementFault::Theory);
        }
        if m.TIME_SYSTEM() != timingStandard::UTC {
            return Err(ElementFault::TimeSystem);
        }
        let epoch = m.EPOCH().ok_or(ElementFault::MissingEpoch)?;
        let epoch = Epoch::parse(epoch).ok_or(ElementFault::BadEpoch)?;
        let elements = Elements {
            object_name: m.OBJECT_NAME(),
            object_id: m.OBJECT_ID(),
            norad_cat_id: m.NORAD_CAT_ID(),
            epoch,
            mean_motion: m.MEAN_MOTION(),
            eccentricity: m.ECCENTRICITY(),
            inclination: m.INCLINATION(),
            ra_of_asc_node: m.RA_OF_ASC_NODE(),
            arg_of_pericenter: m.ARG_OF_PERICENTER(),
            mean_anomaly: m.MEAN_ANOMALY(),
            bstar: m.BSTAR(),
            mean_motion_dot: m.MEAN_MOTION_DOT(),
            mean_motion_ddot: m.MEAN_MOTION_DDOT(),
        };
        elements.check()?;
        Ok(elements)
    }

    /// The checks every element set must pass before SGP4 sees it.
    pub fn check(&self) -> Result<(), ElementFault> {
        // Written so that NaN fails every range test.
        if !(self.mean_motion > 0.0 && self.mean_motion.is_finite()) {
            return Err(ElementFault::MeanMotion);
        }
        if !(0.0..1.0).contains(&self.eccentricity) {
            return Err(ElementFault::Eccentricity);
        }
        if !(0.0..=180.0).contains(&self.inclination) {
            return Err(ElementFault::Inclination);
        }
        for (name, value) in [
            ("RA_OF_ASC_NODE", self.ra_of_asc_node),
            ("ARG_OF_PERICENTER", self.arg_of_pericenter),
            ("MEAN_ANOMALY", self.mean_anomaly),
            ("BSTAR", self.bstar),
            ("MEAN_MOTION_DOT", self.mean_motion_dot),
            ("MEAN_MOTION_DDOT", self.mean_motion_ddot),
        ] {
            if !value.is_finite() {
                return Err(ElementFault::NotFinite(name));
            }
        }
        Ok(())
    }
}

/// [`Elements::from_omm`]'s error: the frame is not an OMM, or its
/// elements are bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OmmOrElementFault {
    /// Not a verifiable `$OMM`.
    Omm(OmmFault),
    /// Missing or impossible elements.
    Elements(ElementFault),
}
