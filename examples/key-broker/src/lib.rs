#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
// Nothing on a request path may panic: keep the panicking shortcuts out of
// the library (tests opt back in per module).
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

// The derivation secret's length is set by the host: it lives in a `Vec`.
extern crate alloc;
// Native builds (tests, the host-side cdylib) take their panic handler and
// allocator from std; on wasm32 sdn-pdk provides both (talc and a handler
// that logs and traps), as in sdn-pdk itself.
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

mod broker;
mod bytes;
pub mod config;
pub mod crypto;
pub mod domain;
mod gcm;
mod kdf;
pub mod packet;
mod plugin;
mod status;

pub use broker::{Broker, Outcome};
pub use config::Config;
pub use domain::{AllowedDomains, RequestDomain};
pub use plugin::KeyBroker;
pub use status::Status;
