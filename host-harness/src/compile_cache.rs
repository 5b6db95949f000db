//! Compiled modules reused within a process: a test suite loads the same
//! plugin or module many times, and compiling is by far the slowest part
//! of a load. A `Module` is immutable; every load still gets a fresh store
//! and instance. One cache per engine: `metering::Engines` pairs
//! each engine (the legacy server's and the module hosts', metered or not)
//! with its own.

use std::sync::Mutex;

use wasmtime::{Engine, Module};

/// Distinct modules kept per cache; past this the cache starts over.
const CACHE_LIMIT: usize = 64;

/// The modules compiled from given bytes for one engine.
pub(crate) struct CompileCache(Mutex<Vec<(Vec<u8>, Module)>>);

impl CompileCache {
    /// An empty cache.
    pub(crate) const fn new() -> CompileCache {
        CompileCache(Mutex::new(Vec::new()))
    }

    /// The module compiled from `wasm`, compiled now if it is not cached.
    pub(crate) fn get_or_compile(&self, engine: &Engine, wasm: &[u8]) -> wasmtime::Result<Module> {
        let mut cache = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, module)) = cache.iter().find(|(bytes, _)| bytes == wasm) {
            return Ok(module.clone());
        }
        let module = Module::new(engine, wasm)?;
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.push((wasm.to_vec(), module.clone()));
        Ok(module)
    }
}
