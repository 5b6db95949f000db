//! Loading a plugin, and the controls a test turns between calls.

use std::path::Path;
use wasmtime::{Engine, Instance, Memory, Module, Store, TypedFunc, Val, WasmFeatures};

use crate::call_failure::CallFailure;
use crate::clock::Clock;
use crate::error::HarnessError;
use crate::exports::{self, HostRevision};
use crate::imports;
use crate::limits;
use crate::log::LogRecord;
use crate::memory;
use crate::metering::{self, Engines, Metering};
use crate::random::RandomFallback;
use crate::state::HostState;

/// The output capacities (`out_cap`) the host passes. The defaults are the
/// server's; lower them to test a plugin's too-small paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacities {
    /// For `plugin_get_public_key` (server: 128).
    pub public_key: u32,
    /// For `plugin_get_metadata` (server: 4096).
    pub metadata: u32,
    /// For `plugin_handle_request` (server: 8192).
    pub response: u32,
    /// For `plugin_request_challenge` (server: 1024).
    pub challenge: u32,
}

impl Default for Capacities {
    fn default() -> Self {
        Capacities {
            public_key: limits::PUBLIC_KEY_CAPACITY,
            metadata: limits::METADATA_CAPACITY,
            response: limits::RESPONSE_CAPACITY,
            challenge: limits::CHALLENGE_CAPACITY,
        }
    }
}

/// Options for [`Plugin`]; start from [`Plugin::builder`].
#[derive(Debug, Clone, Default)]
pub struct PluginBuilder {
    revision: HostRevision,
    clock: Clock,
    random: RandomFallback,
    fuel_per_call: Option<u64>,
    metering: Metering,
    capacities: Capacities,
}

impl PluginBuilder {
    /// The host revision to emulate (default [`HostRevision::Challenge`]).
    pub fn revision(mut self, revision: HostRevision) -> Self {
        self.revision = revision;
        self
    }

    /// The clock `clock_now_ms` reads (default [`Clock::Real`]).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Where `random_bytes` takes bytes when no scripted bytes are queued
    /// (default [`RandomFallback::Os`]).
    pub fn random_fallback(mut self, fallback: RandomFallback) -> Self {
        self.random = fallback;
        self
    }

    /// The instruction budget (wasmtime fuel) of one host operation; running
    /// out is [`HarnessError::Timeout`]. Default
    /// [`DEFAULT_FUEL_PER_CALL`](crate::limits::DEFAULT_FUEL_PER_CALL).
    pub fn fuel_per_call(mut self, fuel: u64) -> Self {
        self.fuel_per_call = Some(fuel);
        self
    }

    /// How calls are bounded (default [`Metering::Fuel`]).
    /// [`Metering::Off`] runs the guest at full speed, as the server does,
    /// with no timeout: for benchmarks.
    pub fn metering(mut self, metering: Metering) -> Self {
        self.metering = metering;
        self
    }

    /// The output capacities (default: the server's).
    pub fn capacities(mut self, capacities: Capacities) -> Self {
        self.capacities = capacities;
        self
    }

    /// Loads a module from WebAssembly binary or WAT text, checks it as the
    /// server would, instantiates it and calls `_initialize` if exported.
    pub fn load(self, wasm: impl AsRef<[u8]>) -> Result<Plugin, HarnessError> {
        Plugin::load_with(self, wasm.as_ref())
    }

    /// [`load`](Self::load) from a file.
    pub fn load_file(self, path: impl AsRef<Path>) -> Result<Plugin, HarnessError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| HarnessError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        self.load(bytes)
    }
}

type HandleRequestFn = TypedFunc<(i32, i32, i32, i32, i32, i32), i32>;
type ChallengeFn = TypedFunc<(i32, i32, i32, i32, i32), i32>;

/// Typed handles to the required exports (signatures checked at load).
#[derive(Clone)]
pub(crate) struct Funcs {
    pub(crate) malloc: TypedFunc<i32, i32>,
    pub(crate) free: TypedFunc<i32, ()>,
    pub(crate) init: TypedFunc<(i32, i32), i32>,
    pub(crate) public_key: TypedFunc<(i32, i32), i32>,
    pub(crate) metadata: TypedFunc<(i32, i32), i32>,
    pub(crate) handle_request: HandleRequestFn,
    pub(crate) request_challenge: Option<ChallengeFn>,
}

impl std::fmt::Debug for Funcs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Funcs")
            .field("request_challenge", &self.request_challenge.is_some())
            .finish_non_exhaustive()
    }
}

/// One loaded plugin instance, as the server holds it: state persists across
/// calls, and so does every leaked byte.
///
/// The high-level calls (`init`, `public_key`, ...) live in `calls.rs`.
#[derive(Debug)]
pub struct Plugin {
    pub(crate) store: Store<HostState>,
    pub(crate) instance: Instance,
    pub(crate) memory: Memory,
    pub(crate) funcs: Funcs,
    pub(crate) revision: HostRevision,
    pub(crate) capacities: Capacities,
    pub(crate) fuel_per_call: u64,
    pub(crate) metering: Metering,
}

/// The server's engines (one per [`Metering`]) and their compiled modules.
static ENGINES: Engines = Engines::new();

/// The engine for `metering`: configured like the server's runtime
/// (WebAssembly 2.0 only).
fn engine(metering: Metering) -> Result<Engine, HarnessError> {
    ENGINES
        .engine(metering, |config| {
            // Wazero 1.7 implements WebAssembly 2.0 and nothing newer.
            config.wasm_features(
                WasmFeatures::TAIL_CALL
                    | WasmFeatures::EXTENDED_CONST
                    | WasmFeatures::MEMORY64
                    | WasmFeatures::MULTI_MEMORY
                    | WasmFeatures::RELAXED_SIMD
                    | WasmFeatures::FUNCTION_REFERENCES
                    | WasmFeatures::GC
                    | WasmFeatures::THREADS
                    | WasmFeatures::EXCEPTIONS
                    | WasmFeatures::WIDE_ARITHMETIC
                    | WasmFeatures::CUSTOM_PAGE_SIZES,
                false,
            );
        })
        .map_err(|e| HarnessError::Engine {
            message: format!("{e:#}"),
        })
}

/// Compiles `wasm` for the server's engine, reusing an earlier compile of
/// the same bytes.
fn compile(metering: Metering, engine: &Engine, wasm: &[u8]) -> Result<Module, HarnessError> {
    ENGINES
        .compile(metering, engine, wasm)
        .map_err(|e| HarnessError::Compile {
            message: format!("{e:#}"),
        })
}

/// Turns a wasmtime call error into the harness's error.
pub(crate) fn classify(export: &str, err: &wasmtime::Error) -> HarnessError {
    let export = export.to_owned();
    match CallFailure::of(err) {
        CallFailure::ProcExit(code) => HarnessError::ProcExit { code },
        CallFailure::OutOfFuel => HarnessError::Timeout { export },
        CallFailure::Trap(message) => HarnessError::Trap { export, message },
    }
}

impl Plugin {
    /// Loads with the default options (see [`PluginBuilder`]).
    pub fn load(wasm: impl AsRef<[u8]>) -> Result<Plugin, HarnessError> {
        PluginBuilder::default().load(wasm)
    }

    /// Loads a file with the default options.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Plugin, HarnessError> {
        PluginBuilder::default().load_file(path)
    }

    /// Options for loading.
    pub fn builder() -> PluginBuilder {
        PluginBuilder::default()
    }

    fn load_with(options: PluginBuilder, wasm: &[u8]) -> Result<Plugin, HarnessError> {
        let engine = engine(options.metering)?;
        let module = compile(options.metering, &engine, wasm)?;
        // The server refuses these at instantiation; the harness checks first
        // so the error names the culprit.
        exports::check(&module, options.revision)?;
        imports::check(&module)?;

        let linker = imports::linker(&engine).map_err(|e| HarnessError::Engine {
            message: format!("{e:#}"),
        })?;
        let mut store = Store::new(&engine, HostState::new(options.clock, options.random));
        store.limiter(|state| state);
        let fuel_per_call = options
            .fuel_per_call
            .unwrap_or(limits::DEFAULT_FUEL_PER_CALL);
        set_fuel(&mut store, options.metering, fuel_per_call)?;
        let instance = linker.instantiate(&mut store, &module).map_err(|e| {
            if CallFailure::ran_guest_code(&e) {
                classify("(start function)", &e)
            } else {
                HarnessError::Instantiate {
                    message: format!("{e:#}"),
                }
            }
        })?;

        let memory = instance
            .get_memory(&mut store, exports::MEMORY)
            .ok_or_else(|| HarnessError::MissingExports {
                names: vec![exports::MEMORY],
                revision: options.revision,
            })?;
        let funcs = Funcs {
            malloc: typed(&instance, &mut store, exports::MALLOC)?,
            free: typed(&instance, &mut store, exports::FREE)?,
            init: typed(&instance, &mut store, exports::PLUGIN_INIT)?,
            public_key: typed(&instance, &mut store, exports::PLUGIN_GET_PUBLIC_KEY)?,
            metadata: typed(&instance, &mut store, exports::PLUGIN_GET_METADATA)?,
            handle_request: typed(&instance, &mut store, exports::PLUGIN_HANDLE_REQUEST)?,
            request_challenge: match options.revision {
                HostRevision::Original => None,
                HostRevision::Challenge => Some(typed(
                    &instance,
                    &mut store,
                    exports::PLUGIN_REQUEST_CHALLENGE,
                )?),
            },
        };

        // A WASI reactor's constructor: called once, and a failure fails the load.
        if instance
            .get_export(&mut store, exports::INITIALIZE)
            .is_some()
        {
            let initialize: TypedFunc<(), ()> = typed(&instance, &mut store, exports::INITIALIZE)?;
            set_fuel(&mut store, options.metering, fuel_per_call)?;
            initialize
                .call(&mut store, ())
                .map_err(|e| classify(exports::INITIALIZE, &e))?;
        }

        Ok(Plugin {
            store,
            instance,
            memory,
            funcs,
            revision: options.revision,
            capacities: options.capacities,
            fuel_per_call,
            metering: options.metering,
        })
    }

    // ----- guest calls -----

    /// Starts one host operation: a fresh instruction budget.
    pub(crate) fn begin(&mut self) -> Result<(), HarnessError> {
        if let Some(code) = self.store.data().wasi.exit_code {
            return Err(HarnessError::Closed { code });
        }
        set_fuel(&mut self.store, self.metering, self.fuel_per_call)
    }

    /// Calls a typed export, mapping traps, timeouts and `proc_exit`.
    pub(crate) fn call<P, R>(
        &mut self,
        export: &'static str,
        func: TypedFunc<P, R>,
        args: P,
    ) -> Result<R, HarnessError>
    where
        P: wasmtime::WasmParams,
        R: wasmtime::WasmResults,
    {
        if let Some(code) = self.store.data().wasi.exit_code {
            return Err(HarnessError::Closed { code });
        }
        func.call(&mut self.store, args)
            .map_err(|e| classify(export, &e))
    }

    // ----- low-level access -----

    /// Calls the guest's `malloc(size)` directly (a fresh budget); 0 is
    /// [`HarnessError::AllocationFailed`].
    pub fn malloc(&mut self, size: u32) -> Result<u32, HarnessError> {
        self.begin()?;
        let ptr = self
            .call(
                exports::MALLOC,
                self.funcs.malloc.clone(),
                size.cast_signed(),
            )?
            .cast_unsigned();
        if ptr == 0 {
            return Err(HarnessError::AllocationFailed { size });
        }
        Ok(ptr)
    }

    /// Calls the guest's `free(ptr)` directly (a fresh budget).
    pub fn free(&mut self, ptr: u32) -> Result<(), HarnessError> {
        self.begin()?;
        self.call(exports::FREE, self.funcs.free.clone(), ptr.cast_signed())
    }

    /// Calls any exported function whose parameters and results are all
    /// `i32` (a fresh budget), e.g. a test hook of the plugin.
    pub fn call_i32(&mut self, name: &str, args: &[i32]) -> Result<Vec<i32>, HarnessError> {
        let no_such = || HarnessError::NoSuchExport {
            name: name.to_owned(),
        };
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(no_such)?;
        let ty = func.ty(&self.store);
        if ty.params().len() != args.len()
            || !ty.params().all(|t| t.is_i32())
            || !ty.results().all(|t| t.is_i32())
        {
            return Err(no_such());
        }
        let params: Vec<Val> = args.iter().map(|&a| Val::I32(a)).collect();
        let mut results = vec![Val::I32(0); ty.results().len()];
        self.begin()?;
        func.call(&mut self.store, &params, &mut results)
            .map_err(|e| classify(name, &e))?;
        Ok(results.iter().map(|v| v.unwrap_i32()).collect())
    }

    /// Copies `len` bytes out of guest memory.
    pub fn read_memory(&self, ptr: u32, len: u32) -> Result<Vec<u8>, HarnessError> {
        memory::slice(self.memory.data(&self.store), ptr, u64::from(len))
            .map(<[u8]>::to_vec)
            .ok_or(HarnessError::OutOfBounds {
                ptr,
                len: u64::from(len),
            })
    }

    /// Copies `bytes` into guest memory at `ptr`.
    pub fn write_memory(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), HarnessError> {
        if memory::write(self.memory.data_mut(&mut self.store), ptr, bytes) {
            Ok(())
        } else {
            Err(HarnessError::OutOfBounds {
                ptr,
                len: bytes.len() as u64,
            })
        }
    }

    /// The guest memory's current size in 64 KiB pages (cap: 512).
    pub fn memory_pages(&self) -> u64 {
        self.memory.size(&self.store)
    }

    // ----- controls -----

    /// The emulated host revision.
    pub fn revision(&self) -> HostRevision {
        self.revision
    }

    /// The output capacities in use.
    pub fn capacities(&self) -> Capacities {
        self.capacities
    }

    /// Changes the output capacities for the following calls.
    pub fn set_capacities(&mut self, capacities: Capacities) {
        self.capacities = capacities;
    }

    /// The instruction budget of one host operation.
    pub fn fuel_per_call(&self) -> u64 {
        self.fuel_per_call
    }

    /// Changes the instruction budget of the following operations.
    pub fn set_fuel_per_call(&mut self, fuel: u64) {
        self.fuel_per_call = fuel;
    }

    /// The clock `clock_now_ms` reads.
    pub fn clock(&self) -> Clock {
        self.store.data().clock
    }

    /// Replaces the clock.
    pub fn set_clock(&mut self, clock: Clock) {
        self.store.data_mut().clock = clock;
    }

    /// Fixes the clock at `ms` since the Unix epoch (earlier or later than before).
    pub fn set_clock_ms(&mut self, ms: i64) {
        self.set_clock(Clock::Fixed(ms));
    }

    /// Moves the clock by `delta_ms` (negative = backwards); see [`Clock::advanced`].
    pub fn advance_clock_ms(&mut self, delta_ms: i64) {
        let clock = self.clock().advanced(delta_ms);
        self.set_clock(clock);
    }

    /// Queues bytes for `random_bytes` to hand out before its fallback source.
    pub fn script_random(&mut self, bytes: &[u8]) {
        self.store.data_mut().random.script(bytes);
    }

    /// How many scripted random bytes are still queued.
    pub fn scripted_random_remaining(&self) -> usize {
        self.store.data().random.scripted_remaining()
    }

    /// While `true`, every `random_bytes` call returns -1.
    pub fn fail_random(&mut self, failing: bool) {
        self.store.data_mut().random.set_failing(failing);
    }

    /// Everything the plugin logged so far, oldest first.
    pub fn logs(&self) -> &[LogRecord] {
        &self.store.data().logs
    }

    /// Takes the logs, leaving none.
    pub fn take_logs(&mut self) -> Vec<LogRecord> {
        std::mem::take(&mut self.store.data_mut().logs)
    }

    /// Forgets the logs.
    pub fn clear_logs(&mut self) {
        self.store.data_mut().logs.clear();
    }

    /// The WASI functions the plugin called, in order (including those made
    /// by `_initialize`). A plugin for the SDN server should make none that
    /// matter: WASI randomness and clocks are fakes there.
    pub fn wasi_calls(&self) -> &[&'static str] {
        &self.store.data().wasi.calls
    }

    /// How many times the plugin called the WASI function `name`.
    pub fn wasi_call_count(&self, name: &str) -> usize {
        self.wasi_calls().iter().filter(|&&n| n == name).count()
    }

    /// Forgets the recorded WASI calls.
    pub fn clear_wasi_calls(&mut self) {
        self.store.data_mut().wasi.calls.clear();
    }

    /// What the plugin wrote to WASI stdout (the server discards it).
    pub fn stdout(&self) -> &[u8] {
        &self.store.data().wasi.stdout
    }

    /// What the plugin wrote to WASI stderr (the server discards it).
    pub fn stderr(&self) -> &[u8] {
        &self.store.data().wasi.stderr
    }

    /// The code of the `proc_exit` that closed the instance, if one did.
    pub fn exit_code(&self) -> Option<i32> {
        self.store.data().wasi.exit_code
    }
}

fn set_fuel(
    store: &mut Store<HostState>,
    metering: Metering,
    fuel: u64,
) -> Result<(), HarnessError> {
    metering::refuel(store, metering, fuel).map_err(|e| HarnessError::Engine {
        message: format!("{e:#}"),
    })
}

fn typed<P, R>(
    instance: &Instance,
    store: &mut Store<HostState>,
    name: &'static str,
) -> Result<TypedFunc<P, R>, HarnessError>
where
    P: wasmtime::WasmParams,
    R: wasmtime::WasmResults,
{
    instance
        .get_typed_func::<P, R>(store, name)
        .map_err(|e| HarnessError::WrongSignature {
            name,
            expected: "the host's signature".to_owned(),
            found: format!("{e:#}"),
        })
}
