//! Native test support: a mock host per test thread, and a driver that runs
//! a plugin through the same glue code as the wasm exports.
//!
//! Available off wasm32 with the `testing` feature, which only
//! dev-dependencies should turn on: without it `sdn_pdk::host` is the
//! operating system's randomness and clock. Each test thread has its own
//! mock host, so tests run in parallel without seeing each other's clock,
//! random bytes or logs.
//!
//! ```
//! use sdn_pdk::testing::{self, Instance};
//! use sdn_pdk::{Error, Output, Plugin, Request};
//!
//! struct Clock;
//! impl Plugin for Clock {
//!     fn init(_: &[u8]) -> Result<Self, Error> { Ok(Clock) }
//!     fn public_key(&self, _: &mut Output<'_>) -> Result<(), Error> { Err(Error::UNSUPPORTED) }
//!     fn metadata(&self, _: &mut Output<'_>) -> Result<(), Error> { Ok(()) }
//!     fn handle_request(&mut self, _: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
//!         out.write_u64_le(sdn_pdk::host::clock_now_ms())
//!     }
//! }
//!
//! testing::set_clock_ms(1_000);
//! let mut plugin = Instance::<Clock>::new();
//! assert_eq!(plugin.handle(b"", "").status, 1); // not initialised yet
//! assert_eq!(plugin.init(b""), 0);
//! let response = plugin.handle(b"", "example.com");
//! assert_eq!((response.status, response.body), (0, 1_000u64.to_le_bytes().to_vec()));
//! ```

mod driver;
pub(crate) mod mock;
#[cfg(feature = "module")]
mod module;

pub use driver::{Capacities, Instance, POISON, Response};
#[cfg(feature = "module")]
pub use mock::{HostcallHandler, set_hostcall_handler};
pub use mock::{
    LogRecord, advance_clock_ms, fail_random, logs, random_call_lengths, reset, script_random,
    seed_random, set_clock_ms, take_logs, use_real_clock,
};
#[cfg(feature = "module")]
pub use module::{InputFrame, InvokeResponse, ModuleInstance, OutputFrame};
