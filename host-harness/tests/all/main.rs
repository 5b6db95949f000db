//! host-harness integration tests: one binary, one module per topic. Each
//! emulated server rule is proven with a small purpose-built WAT module.

mod calls;
mod cli;
mod cli_check;
mod example_echo;
mod example_key_broker;
mod example_module_echo;
mod example_sgp4_propagator;
mod exhaustion;
mod exports;
mod fixture;
mod hostile_host;
mod hostile_input;
mod hostile_pointers;
mod imports;
mod inspect;
mod memory;
mod module_host;
mod module_wiring;
mod serve_browser;
mod soak;
mod stream;
mod support;
mod test_plugin_std;
mod timeout;
mod traps;
mod wasi;
