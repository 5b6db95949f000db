//! The per-plugin host state every import reads and writes (wasmtime's store data).

use wasmtime::ResourceLimiter;

use crate::clock::Clock;
use crate::imports::wasi::WasiState;
use crate::limits::{MAX_MEMORY_PAGES, PAGE_SIZE};
use crate::log::LogRecord;
use crate::random::{RandomFallback, RandomState};

/// What the host keeps for one plugin instance.
#[derive(Debug)]
pub(crate) struct HostState {
    pub(crate) clock: Clock,
    pub(crate) random: RandomState,
    pub(crate) logs: Vec<LogRecord>,
    pub(crate) wasi: WasiState,
}

impl HostState {
    pub(crate) fn new(clock: Clock, random: RandomFallback) -> Self {
        HostState {
            clock,
            random: RandomState::new(random),
            logs: Vec::new(),
            wasi: WasiState::new(),
        }
    }
}

/// The server's memory cap (Wazero's `WithMemoryLimitPages(512)`): refusing
/// a growth makes `memory.grow` return -1 in the guest, and refusing the
/// initial size fails instantiation.
impl ResourceLimiter for HostState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let cap = MAX_MEMORY_PAGES * PAGE_SIZE;
        Ok(u64::try_from(desired).is_ok_and(|d| d <= cap))
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // The server puts no limit on tables.
        Ok(true)
    }
}
