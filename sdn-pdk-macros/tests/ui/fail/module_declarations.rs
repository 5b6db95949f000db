//! Every mistake in a module's declarations, reported at once, each on the
//! offending argument.
use sdn_pdk::module::{sdn_module, Call, MethodError, Outputs};

#[derive(Default)]
struct Broken;

#[sdn_module(capabilities = [clock, time], family = "toaster", runtime_targets = [mars])]
impl Broken {
    #[method(
        max_batch = 0,
        drain_policy = "sometimes",
        input(port = "request", schema = "OMM.fbs", root_type = "OMM"),
        output(port = "response", schema = "OMM.fbs", file_identifier = "OMM", root_type = "OMM"),
    )]
    fn echo(&mut self, _: &Call<'_>, _: &mut Outputs<'_>) -> Result<(), MethodError> {
        Ok(())
    }
}

fn main() {}
