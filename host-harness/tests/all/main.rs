//! host-harness integration tests: one binary, one module per topic. Each
//! emulated server rule is proven with a small purpose-built WAT module.

mod calls;
mod cli;
mod exports;
mod fixture;
mod imports;
mod memory;
mod timeout;
mod wasi;
