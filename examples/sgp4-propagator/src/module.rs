//! The module wiring: the `propagate` method on sdn-pdk's module ABI. The
//! logic lives in the crate's other modules; this file only maps frames,
//! the deployment config and errors to the ABI.

use sdn_pdk::module::hostcall::{self, HostcallError};
use sdn_pdk::module::{Call, MethodError, Outputs, sdn_module};

use crate::{INPUT_PORT, OUTPUT_PORT, PropagateError, Window, propagate_frame};

/// The SGP4 propagator module (no state: each call reads the deployment
/// config, so a changed config applies to the next call).
#[derive(Default)]
pub struct Propagator;

#[sdn_module(
    id = "org.spacedatanetwork.sgp4-propagator",
    name = "SGP4 Propagator",
    family = "propagator",
    runtime_targets = [server, node, browser],
)]
impl Propagator {
    /// Propagates each OMM with SGP4 (WGS-72) from its epoch over the
    /// deployment's window and answers one OEM per OMM, in order (TEME, km,
    /// km/s).
    #[method(
        id = "propagate",
        display_name = "Propagate",
        max_batch = 32,
        input(
            port = "omm",
            schema = "OMM.fbs",
            file_identifier = "$OMM",
            root_type = "OMM"
        ),
        output(
            port = "ephemeris",
            schema = "OEM.fbs",
            file_identifier = "$OEM",
            root_type = "OEM"
        )
    )]
    fn propagate(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        let window = deployment_window()?;
        for (index, frame) in call.port(INPUT_PORT).enumerate() {
            let oem = propagate_frame(index, frame.payload(), &window).map_err(method_error)?;
            out.push(OUTPUT_PORT, &oem)?;
        }
        Ok(())
    }
}

/// The window from `plugin.getConfig`; the defaults on a host without the
/// operation (the module SDK's hosts) or without a config (the server
/// answers `{}`).
fn deployment_window() -> Result<Window, MethodError> {
    let window = match hostcall::config() {
        Ok(config) => Window::from_config(&config),
        Err(HostcallError::Host { .. } | HostcallError::NoResponse { .. }) => {
            Window::new(None, None)
        }
        Err(error @ HostcallError::Malformed { .. }) => {
            return Err(MethodError::internal("host-error", "")
                .with_message(alloc::string::ToString::to_string(&error)));
        }
    };
    window.map_err(|error| method_error(error.into()))
}

/// A propagation error as the response carries it: 400 with its code and
/// its message naming the frame.
fn method_error(error: PropagateError) -> MethodError {
    MethodError::invalid_input(error.code(), "")
        .with_message(alloc::string::ToString::to_string(&error))
}
