#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod capability;
mod error;
pub mod generated;
pub mod hostcall;
pub mod hosts;
#[cfg(feature = "std")]
mod json;
#[cfg(feature = "std")]
pub mod keybroker;
#[cfg(feature = "std")]
pub mod manifest;
pub mod piv;
#[cfg(feature = "std")]
pub mod plg;

pub use error::Error;
