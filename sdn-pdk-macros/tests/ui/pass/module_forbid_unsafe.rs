//! A module crate that forbids unsafe code and shadows `Result` and `Ok`.
#![forbid(unsafe_code)]

use sdn_pdk::module::{sdn_module, Call, MethodError, Outputs};

#[allow(dead_code)]
type Result = ();
#[allow(dead_code)]
struct Ok;

#[derive(Default)]
struct Quiet {
    calls: u64,
}

#[sdn_module(
    id = "org.example.quiet",
    capabilities = [clock],
    runtime_targets = [server, node],
    timers = [timer(id = "tick", method = "count", interval_ms = 1000)],
    protocols = [protocol(id = "/example/quiet/1.0.0", method = "count")],
)]
impl Quiet {
    /// Counts its calls.
    #[method(
        max_batch = 4,
        drain_policy = "drain-to-empty",
        input(port = "request", schema = "T.fbs", file_identifier = "TTTT", root_type = "T", optional),
        output(port = "response", schema = "T.fbs", file_identifier = "TTTT", root_type = "T"),
    )]
    fn count(&mut self, _call: &Call<'_>, out: &mut Outputs<'_>) -> core::result::Result<(), MethodError> {
        self.calls += 1;
        out.push("response", &self.calls.to_le_bytes())
    }

    /// Not a method: no `#[method]`.
    #[allow(dead_code)]
    fn helper(&self) -> u64 {
        self.calls
    }
}

fn main() {
    use sdn_pdk::module::Module;
    assert_eq!(Quiet::METHODS[0].id, "count");
    assert_eq!(Quiet::METHODS[0].max_batch, 4);
}
