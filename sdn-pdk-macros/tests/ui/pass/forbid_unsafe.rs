//! A plugin crate that forbids unsafe code and shadows `Result` and `Ok`.
#![forbid(unsafe_code)]

use sdn_pdk::{sdn_plugin, Error, Output, Plugin, Request};

#[allow(dead_code)]
type Result = ();
#[allow(dead_code)]
struct Ok;

struct Quiet;

#[sdn_plugin]
impl Plugin for Quiet {
    fn init(_config: &[u8]) -> core::result::Result<Self, Error> {
        core::result::Result::Ok(Quiet)
    }

    fn public_key(&self, out: &mut Output<'_>) -> core::result::Result<(), Error> {
        out.write(&[1; 32])
    }

    fn metadata(&self, out: &mut Output<'_>) -> core::result::Result<(), Error> {
        out.write(b"quiet")
    }

    fn handle_request(
        &mut self,
        _request: &Request<'_>,
        _out: &mut Output<'_>,
    ) -> core::result::Result<(), Error> {
        core::result::Result::Ok(())
    }
}

fn main() {}
