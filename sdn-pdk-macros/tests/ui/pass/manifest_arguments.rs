//! Every manifest argument, as a plugin author writes them.
use sdn_pdk::{Error, Output, Plugin, Request, sdn_plugin};

struct Broker;

#[sdn_plugin(
    id = "org.example.broker",
    name = "Example broker",
    version = "2.1.0",
    family = "infrastructure",
    capabilities = [clock, random, logging, crypto_key_agreement, "crypto_kdf"],
    manifest_exports,
)]
impl Plugin for Broker {
    fn init(_: &[u8]) -> Result<Self, Error> {
        Ok(Broker)
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
