//! The SDN plugin template's echo, in Rust: the same outputs, statuses and
//! log lines as `examples/echo_plugin.c` for every input.
//!
//! * `plugin_init(cfg)`: a config of 1..=63 bytes becomes the plugin's name
//!   (up to its first NUL, as C's `strlen` reads it); any other config keeps
//!   the name it had (`"echo"` at first). Logs `echo plugin ready` at info.
//! * `plugin_get_public_key`: 32 fresh bytes from `sdn.random_bytes`; -1
//!   when the buffer is under 32 bytes or the host's randomness fails.
//! * `plugin_get_metadata`: the name's length (u32 LE), then the name.
//! * `plugin_handle_request`: `clock_now_ms()` as u64 LE, then the request
//!   body; status 7 with nothing written when that does not fit. Logs
//!   `echo: N bytes from HOST at NOW` at debug.

#![no_std]
#![forbid(unsafe_code)]

use sdn_pdk::bytes::copy_prefix;
use sdn_pdk::host::{self, LogBuffer, LogLevel};
use sdn_pdk::{Error, Output, Plugin, Request, sdn_plugin};

/// The C template keeps the name in `char g_name[64]`, NUL included.
const NAME_CAPACITY: usize = 64;
/// The name before any config names the plugin.
const DEFAULT_NAME_LEN: usize = 4;
const DEFAULT_NAME: [u8; NAME_CAPACITY] = {
    let mut name = [0; NAME_CAPACITY];
    let echo = b"echo";
    let mut i = 0;
    while i < DEFAULT_NAME_LEN {
        name[i] = echo[i];
        i += 1;
    }
    name
};
/// The public key is a random 32-byte "identity".
const PUBLIC_KEY_LEN: usize = 32;
/// The response starts with the clock as a u64.
const TIMESTAMP_LEN: usize = 8;
/// `snprintf` into `char log_buf[128]` keeps at most 127 characters.
const LOG_LINE_MAX: usize = 127;

/// The echo plugin's state: its name.
pub struct Echo {
    name: [u8; NAME_CAPACITY],
    name_len: usize,
}

impl Echo {
    /// The plugin's name, as metadata reports it.
    pub fn name(&self) -> &[u8] {
        self.name.get(..self.name_len).unwrap_or_default()
    }

    /// Takes `config` as the new name when the C template would (1..=63
    /// bytes), keeping the bytes before the first NUL.
    fn configure(&mut self, config: &[u8]) {
        if config.is_empty() || config.len() >= NAME_CAPACITY {
            return;
        }
        // C's strlen: the name ends at the first NUL.
        let name_len = config.iter().position(|&b| b == 0).unwrap_or(config.len());
        // No indexing: no panic path (and no core::fmt) in the plugin.
        self.name_len = copy_prefix(&mut self.name, config.get(..name_len).unwrap_or_default());
    }
}

#[sdn_plugin(capabilities = [clock, random, logging])]
impl Plugin for Echo {
    fn init(config: &[u8]) -> Result<Self, Error> {
        let mut echo = Echo {
            name: DEFAULT_NAME,
            name_len: DEFAULT_NAME_LEN,
        };
        echo.reinit(config)?;
        Ok(echo)
    }

    fn reinit(&mut self, config: &[u8]) -> Result<(), Error> {
        self.configure(config);
        host::log_bytes(LogLevel::Info, b"echo plugin ready");
        Ok(())
    }

    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.ensure_capacity(PUBLIC_KEY_LEN)?;
        let mut identity = [0u8; PUBLIC_KEY_LEN];
        host::random_bytes(&mut identity)?;
        out.write(&identity)
    }

    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error> {
        out.ensure_capacity(4 + self.name_len)?;
        out.write_u32_le(self.name_len as u32)?;
        out.write(self.name())
    }

    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
        let body = request.body();
        out.ensure_capacity(TIMESTAMP_LEN.saturating_add(body.len()))?;
        let now = host::clock_now_ms();
        out.write_u64_le(now)?;
        out.write(body)?;
        log_echo(body.len(), request.host_bytes(), now as i64);
        Ok(())
    }
}

/// `snprintf(log_buf, 128, "echo: %zu bytes from %s at %lld", …)`, logged
/// at debug: the line is cut at 127 bytes as `snprintf` cuts it. Built
/// without `core::fmt`, which would triple the module's size.
fn log_echo(len: usize, host: &[u8], now: i64) {
    let mut line = LogBuffer::<LOG_LINE_MAX>::new();
    line.push_bytes(b"echo: ");
    line.push_u64(len as u64);
    line.push_bytes(b" bytes from ");
    // The host may carry any bytes; the server logs bytes, and so do we.
    line.push_bytes(host);
    line.push_bytes(b" at ");
    line.push_i64(now);
    line.log(LogLevel::Debug);
}

#[cfg(test)]
mod tests;
