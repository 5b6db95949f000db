use sdn_pdk::{Error, Plugin};

struct Echo;

#[sdn_pdk::sdn_plugin]
impl Plugin for Echo {
    fn init(_: &[u8]) -> Result<Self, Error> {
        Ok(Echo)
    }
}

fn main() {}
