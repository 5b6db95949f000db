#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(unsafe_code)]

pub mod capability;
mod error;
pub mod generated;
mod json;
pub mod keybroker;
pub mod manifest;

pub use error::Error;
