//! A test plugin built with sdn-pdk's `std` feature.
//!
//! * `init` takes any config and stores it in a `String` (std's heap use).
//! * `public_key` is 16 bytes from `getrandom` 0.3 then 16 from 0.4: both
//!   must come from `sdn.random_bytes`, never WASI's fixed-seed `random_get`.
//! * `metadata` is the config, formatted through `std::format!`.
//! * `handle_request` parses the body as a decimal `f64` and answers its
//!   natural logarithm, as text: libm's `log` must not collide with the
//!   `sdn.log` import. The body `panic` panics instead, with a formatted
//!   message naming the config's length: the server discards stderr, so the
//!   message must reach `sdn.log` (sdn-pdk's panic hook).

#![forbid(unsafe_code)]

use sdn_pdk::{Error, Output, Plugin, Request, sdn_plugin};

/// The test plugin's state.
pub struct StdPlugin {
    config: String,
}

#[sdn_plugin]
impl Plugin for StdPlugin {
    fn init(config: &[u8]) -> Result<Self, Error> {
        let config = String::from_utf8_lossy(config).into_owned();
        sdn_pdk::info!("std plugin ready: {config}");
        Ok(StdPlugin { config })
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        let mut key = [0u8; 32];
        let (first, second) = key.split_at_mut(16);
        getrandom03::fill(first).map_err(|_| Error::HOST_RANDOM)?;
        getrandom04::fill(second).map_err(|_| Error::HOST_RANDOM)?;
        out.write(&key)
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.write(format!("config={}", self.config).as_bytes())
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        if request.body() == b"panic" {
            panic!(
                "std plugin: asked to panic ({} config bytes)",
                self.config.len()
            );
        }
        let text = std::str::from_utf8(request.body()).map_err(|_| Error::custom(2))?;
        let value: f64 = text.trim().parse().map_err(|_| Error::custom(2))?;
        out.write(format!("{:.6}", value.ln()).as_bytes())
    }
}
