//! The per-instance host state every module-host import reads and writes
//! (wasmtime's store data).

use std::time::Instant;

use wasmtime::{StoreLimits, StoreLimitsBuilder};

use crate::clock::Clock;
use crate::log::LogRecord;
use crate::module::bridge::Bridge;
use crate::module::ops::HostInfo;
use crate::module::options::{HostKind, ModuleOptions};
use crate::random::RandomState;

/// What the host keeps for one module instance.
#[derive(Debug)]
pub(crate) struct ModuleState {
    pub(crate) kind: HostKind,
    pub(crate) clock: Clock,
    /// Origin of the real monotonic clock.
    pub(crate) started: Instant,
    pub(crate) random: RandomState,
    pub(crate) bridge: Bridge,
    pub(crate) info: HostInfo,
    pub(crate) logs: Vec<LogRecord>,
    /// What `fd_read` of stdin hands out (the command surface's request),
    /// from `stdin_read` on.
    pub(crate) stdin: Vec<u8>,
    pub(crate) stdin_read: usize,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
    pub(crate) exit_code: Option<i32>,
    pub(crate) limits: StoreLimits,
}

impl ModuleState {
    pub(crate) fn new(options: &ModuleOptions, info: HostInfo) -> Self {
        let mut random = RandomState::new(options.random_fallback);
        if let Some(bytes) = &options.random {
            random.script(bytes);
        }
        let limits = match options.host {
            HostKind::Server => {
                let pages = sdn_pdk_schemas::hosts::server::MAX_MEMORY_PAGES;
                let bytes = pages.saturating_mul(crate::limits::PAGE_SIZE);
                StoreLimitsBuilder::new()
                    .memory_size(usize::try_from(bytes).unwrap_or(usize::MAX))
                    .build()
            }
            // The module SDK's hosts use the module's own limits.
            HostKind::Sdk => StoreLimits::default(),
        };
        ModuleState {
            kind: options.host,
            clock: options.clock_ms.map_or(Clock::Real, Clock::Fixed),
            started: Instant::now(),
            random,
            bridge: Bridge::new(options.convention()),
            info,
            logs: Vec::new(),
            stdin: Vec::new(),
            stdin_read: 0,
            stdout: Vec::new(),
            stderr: Vec::new(),
            exit_code: None,
            limits,
        }
    }

    /// Nanoseconds of the monotonic clock: the fixed clock when scripted,
    /// else the time since load.
    pub(crate) fn monotonic_ns(&self) -> u64 {
        match self.clock {
            Clock::Fixed(ms) => ms_to_ns(ms),
            Clock::Real => u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX),
        }
    }

    /// Nanoseconds since the Unix epoch of the wall clock.
    pub(crate) fn realtime_ns(&self) -> u64 {
        ms_to_ns(self.clock.now_ms())
    }
}

fn ms_to_ns(ms: i64) -> u64 {
    u64::try_from(ms).unwrap_or(0).saturating_mul(1_000_000)
}
