//! SGP4 with the WGS-72 constants in AFSPC mode (the reference
//! implementation's `opsmode 'a'`): states in TEME, km and km/s, with decay
//! detection.

use alloc::vec::Vec;

use crate::elements::Elements;
use crate::error::{DecayFault, ElementFault};
use crate::window::Window;

/// Degrees to radians.
const DEGREES: f64 = core::f64::consts::PI / 180.0;

/// One state vector in TEME.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct State {
    /// Nanoseconds after the element epoch.
    pub offset_nanos: i64,
    /// Position, km.
    pub position: [f64; 3],
    /// Velocity, km/s.
    pub velocity: [f64; 3],
}

/// Why [`propagate`] stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PropagationFault {
    /// SGP4 could not be initialised from the elements.
    Init(ElementFault),
    /// The orbit decays at `minutes` after the epoch.
    Decayed {
        /// How it was detected.
        fault: DecayFault,
        /// Minutes after the epoch.
        minutes: f64,
    },
}

/// The SGP4 (WGS-72, AFSPC) states of `elements` at every time of
/// `window`, in order. An SGP4 failure, a non-finite state or a state
/// below the Earth's equatorial radius anywhere in the window is a decay.
pub fn propagate(elements: &Elements<'_>, window: &Window) -> Result<Vec<State>, PropagationFault> {
    let geopotential = sgp4::WGS72;
    let orbit = sgp4::Orbit::from_kozai_elements(
        &geopotential,
        elements.inclination * DEGREES,
        elements.ra_of_asc_node * DEGREES,
        elements.eccentricity,
        elements.arg_of_pericenter * DEGREES,
        elements.mean_anomaly * DEGREES,
        // rev/day to rad/min
        elements.mean_motion * (core::f64::consts::PI / 720.0),
    )
    .map_err(|_| PropagationFault::Init(ElementFault::Sgp4Init))?;
    let constants = sgp4::Constants::new(
        geopotential,
        sgp4::afspc_epoch_to_sidereal_time,
        elements.epoch.afspc_years_since_j2000(),
        elements.bstar,
        orbit,
    )
    .map_err(|_| PropagationFault::Init(ElementFault::Sgp4Init))?;
    // Times only grow, so a resonant orbit's integrator state carries over
    // from one state to the next (as the reference implementation does).
    let mut resonance = constants.initial_state();
    let mut states = Vec::with_capacity(window.states());
    for k in 0..window.states() {
        let minutes = window.offset_minutes(k);
        let prediction = constants
            .propagate_from_state(sgp4::MinutesSinceEpoch(minutes), resonance.as_mut(), true)
            .map_err(|_| PropagationFault::Decayed {
                fault: DecayFault::Sgp4,
                minutes,
            })?;
        let [x, y, z] = prediction.position;
        let all_finite = prediction
            .position
            .iter()
            .chain(&prediction.velocity)
            .all(|v| v.is_finite());
        if !all_finite {
            return Err(PropagationFault::Decayed {
                fault: DecayFault::Sgp4,
                minutes,
            });
        }
        // Compared squared: no square root needed.
        if x * x + y * y + z * z < geopotential.ae * geopotential.ae {
            return Err(PropagationFault::Decayed {
                fault: DecayFault::BelowSurface,
                minutes,
            });
        }
        states.push(State {
            offset_nanos: window.offset_nanos(k),
            position: prediction.position,
            velocity: prediction.velocity,
        });
    }
    Ok(states)
}
