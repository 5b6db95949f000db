//! The module SDK's reference echo (`examples/invoke-echo`), as a Space
//! Data module written with sdn-pdk: one method, `echo`, whose `request`
//! port takes one `$OMM` and whose `response` port answers it unchanged.
//!
//! Built with `cargo xtask build-examples` into
//! `target/plugins/module-echo.wasm` (direct surface) and
//! `target/plugins/module-echo-command.wasm` (direct + command).

#![no_std]
#![forbid(unsafe_code)]

use sdn_pdk::module::{Call, MethodError, Outputs, sdn_module};

/// The echo module: no state.
#[derive(Default)]
pub struct Echo;

#[sdn_module(
    id = "com.digitalarsenal.examples.invoke-echo",
    name = "Invoke Echo",
    family = "analysis",
    capabilities = [clock, random, logging],
)]
impl Echo {
    /// Echoes each OMM request payload back on the response port.
    #[method(
        id = "echo",
        display_name = "Echo",
        input(
            port = "request",
            schema = "OMM.fbs",
            file_identifier = "$OMM",
            root_type = "OMM"
        ),
        output(
            port = "response",
            schema = "OMM.fbs",
            file_identifier = "$OMM",
            root_type = "OMM"
        )
    )]
    fn echo(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        for frame in call.port("request") {
            out.push("response", frame.payload())?;
        }
        Ok(())
    }
}
