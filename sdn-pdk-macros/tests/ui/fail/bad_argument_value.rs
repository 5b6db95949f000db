use sdn_pdk::{Error, Output, Plugin, Request};

struct Echo;

#[sdn_pdk::sdn_plugin(id = "", version = 2)]
impl Plugin for Echo {
    fn init(_: &[u8]) -> Result<Self, Error> {
        Ok(Echo)
    }
    fn public_key(&self, _: &mut Output<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn metadata(&self, _: &mut Output<'_>) -> Result<(), Error> {
        Ok(())
    }
    fn handle_request(&mut self, _: &Request<'_>, _: &mut Output<'_>) -> Result<(), Error> {
        Ok(())
    }
}

fn main() {}
