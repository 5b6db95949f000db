//! How the harness bounds a guest call: wasmtime fuel (the default, a
//! deterministic stand-in for the servers' wall-clock limits) or nothing
//! at all, as on the real hosts, for measuring speed.
//!
//! Each setting has its own engine (fuel is an engine setting) and so its
//! own compiled modules: [`Engines`] keeps one per setting, each with its
//! compile cache, so a metered and an unmetered compile never mix.

use std::sync::OnceLock;

use wasmtime::{Config, Engine, Module, Store};

use crate::compile_cache::CompileCache;

/// How a loaded plugin or module's calls are bounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Metering {
    /// Every host operation gets an instruction budget (wasmtime fuel);
    /// running past it fails that call as a timeout, standing in for the
    /// server's per-call limit. Counting instructions slows the guest down.
    #[default]
    Fuel,
    /// No budget, as on the real hosts: the guest runs at full speed, and a
    /// call that never returns never returns. For benchmarks, where the
    /// guest is known to finish.
    Off,
}

impl Metering {
    /// Whether calls are counted.
    pub fn is_metered(self) -> bool {
        self == Metering::Fuel
    }
}

/// One engine per [`Metering`], each configured by the same function, and
/// the modules compiled for each.
pub(crate) struct Engines {
    metered: OnceLock<Engine>,
    unmetered: OnceLock<Engine>,
    metered_modules: CompileCache,
    unmetered_modules: CompileCache,
}

impl Engines {
    /// No engine made yet.
    pub(crate) const fn new() -> Engines {
        Engines {
            metered: OnceLock::new(),
            unmetered: OnceLock::new(),
            metered_modules: CompileCache::new(),
            unmetered_modules: CompileCache::new(),
        }
    }

    /// The engine for `metering`, made on first use from `configure`'s
    /// config (fuel set by `metering`).
    pub(crate) fn engine(
        &self,
        metering: Metering,
        configure: impl FnOnce(&mut Config),
    ) -> wasmtime::Result<Engine> {
        let slot = match metering {
            Metering::Fuel => &self.metered,
            Metering::Off => &self.unmetered,
        };
        if let Some(engine) = slot.get() {
            return Ok(engine.clone());
        }
        let mut config = Config::new();
        configure(&mut config);
        config.consume_fuel(metering.is_metered());
        let engine = Engine::new(&config)?;
        Ok(slot.get_or_init(|| engine).clone())
    }

    /// `wasm` compiled for the engine of `metering` (made by
    /// [`engine`](Self::engine)), reusing an earlier compile.
    pub(crate) fn compile(
        &self,
        metering: Metering,
        engine: &Engine,
        wasm: &[u8],
    ) -> wasmtime::Result<Module> {
        match metering {
            Metering::Fuel => self.metered_modules.get_or_compile(engine, wasm),
            Metering::Off => self.unmetered_modules.get_or_compile(engine, wasm),
        }
    }
}

/// Gives the next host operation its budget: `fuel` instructions when
/// metered, nothing to do when not.
pub(crate) fn refuel<T>(
    store: &mut Store<T>,
    metering: Metering,
    fuel: u64,
) -> wasmtime::Result<()> {
    if metering.is_metered() {
        store.set_fuel(fuel)?;
    }
    Ok(())
}
