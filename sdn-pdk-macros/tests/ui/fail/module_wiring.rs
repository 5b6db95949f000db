//! Timers and protocols name a declared method and one of its input ports.
use sdn_pdk::module::{sdn_module, Call, MethodError, Outputs};

#[derive(Default)]
struct Wired;

#[sdn_module(
    id = "org.example.wired",
    timers = [timer(id = "tick", method = "tock")],
    protocols = [protocol(id = "/x/1.0.0", method = "echo", input = "nope")],
)]
impl Wired {
    #[method(
        input(port = "request", schema = "T.fbs", file_identifier = "TTTT", root_type = "T"),
        output(port = "response", schema = "T.fbs", file_identifier = "TTTT", root_type = "T"),
    )]
    fn echo(&mut self, _: &Call<'_>, _: &mut Outputs<'_>) -> Result<(), MethodError> {
        Ok(())
    }
}

fn main() {}
