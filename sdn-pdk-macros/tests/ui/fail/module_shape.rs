//! A module is an inherent impl of a named type, with at least one method
//! that takes `&mut self`, a `&Call` and a `&mut Outputs`.
use sdn_pdk::module::{sdn_module, Call, MethodError, Outputs};

#[derive(Default)]
struct NoSelf;

#[sdn_module(id = "org.example.no-self")]
impl NoSelf {
    #[method(
        input(port = "request", schema = "T.fbs", file_identifier = "TTTT", root_type = "T"),
        unknown = 1,
    )]
    fn echo(_: &Call<'_>, _: &mut Outputs<'_>) -> Result<(), MethodError> {
        Ok(())
    }
}

#[derive(Default)]
struct Empty;

#[sdn_module(id = "org.example.empty")]
impl Empty {}

fn main() {}
