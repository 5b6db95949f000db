use sdn_pdk::{Error, Output, Plugin, Request};

struct Echo<T>(T);

#[sdn_pdk::sdn_plugin]
impl<T: 'static> Plugin for Echo<T> {
    fn init(_: &[u8]) -> Result<Self, Error> {
        Err(Error::UNSUPPORTED)
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
