//! Loading a module the way each host does.

use std::path::Path;

use sdn_pdk_schemas::hosts::{exports, manifest_identifiers, server};
use sha2::{Digest, Sha256};
use wasmtime::{Engine, ExternType, Instance, Memory, Store, TypedFunc};

use crate::call_failure::CallFailure;
use crate::log::LogRecord;
use crate::metering::{self, Engines, Metering};
use crate::module::error::ModuleError;
use crate::module::ops::HostInfo;
use crate::module::options::{HostKind, ModuleOptions};
use crate::module::state::ModuleState;
use crate::module::{imports, manifest};

/// One loaded module instance, as a host holds it: state persists across
/// invokes (and so does every leaked byte); a trap or a timeout fails that
/// call only.
#[derive(Debug)]
pub struct Module {
    pub(crate) store: Store<ModuleState>,
    pub(crate) instance: Instance,
    pub(crate) memory: Option<Memory>,
    pub(crate) options: ModuleOptions,
    pub(crate) fuel_per_call: u64,
    pub(crate) manifest: Option<Vec<u8>>,
    pub(crate) capabilities: Vec<String>,
    pub(crate) sha256: [u8; 32],
    pub(crate) next_trace_id: u64,
}

/// The module hosts' engines (one per [`Metering`]): wasmtime's default
/// proposals (WasmEdge and the browsers take more than WebAssembly 2.0).
static ENGINES: Engines = Engines::new();

fn engine(metering: Metering) -> Result<Engine, ModuleError> {
    ENGINES
        .engine(metering, |_| {})
        .map_err(|e| engine_error(&e))
}

/// Compiles `wasm` for the module hosts' engine, reusing an earlier
/// compile of the same bytes.
fn compile(
    metering: Metering,
    engine: &Engine,
    wasm: &[u8],
) -> Result<wasmtime::Module, ModuleError> {
    ENGINES
        .compile(metering, engine, wasm)
        .map_err(|e| ModuleError::Compile {
            message: format!("{e:#}"),
        })
}

/// A wasmtime call error as the module host's error.
pub(crate) fn classify(export: &str, err: &wasmtime::Error) -> ModuleError {
    let export = export.to_owned();
    match CallFailure::of(err) {
        CallFailure::ProcExit(code) => ModuleError::ProcExit { code },
        CallFailure::OutOfFuel => ModuleError::Timeout { export },
        CallFailure::Trap(message) => ModuleError::Trap { export, message },
    }
}

fn engine_error(e: &wasmtime::Error) -> ModuleError {
    ModuleError::Engine {
        message: format!("{e:#}"),
    }
}

impl Module {
    /// Loads a module (binary or WAT text) the way `options.host` does:
    /// imports checked, instantiated, `_initialize` (else
    /// `__wasm_call_ctors`) run, the manifest read and, on the server, the
    /// sensitive-capability policy applied.
    ///
    /// # Errors
    ///
    /// The host's refusal as a [`ModuleError`]: [`UnknownImport`] (naming
    /// the import), [`MissingExport`] (`memory` on the server),
    /// [`MemoryTooLarge`], [`Manifest`] (missing, size 0, wrong
    /// identifier), [`CapabilityNotApproved`], a trap in the start
    /// function, ...
    ///
    /// [`UnknownImport`]: ModuleError::UnknownImport
    /// [`MissingExport`]: ModuleError::MissingExport
    /// [`MemoryTooLarge`]: ModuleError::MemoryTooLarge
    /// [`Manifest`]: ModuleError::Manifest
    /// [`CapabilityNotApproved`]: ModuleError::CapabilityNotApproved
    pub fn load(wasm: impl AsRef<[u8]>, options: &ModuleOptions) -> Result<Module, ModuleError> {
        let binary = crate::manifest::binary(wasm.as_ref()).map_err(|e| ModuleError::Compile {
            message: e.to_string(),
        })?;
        Module::load_binary(&binary, options)
    }

    /// [`load`](Self::load) from a file.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Io`] when the file cannot be read, else as `load`.
    pub fn load_file(
        path: impl AsRef<Path>,
        options: &ModuleOptions,
    ) -> Result<Module, ModuleError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| ModuleError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Module::load(bytes, options)
    }

    fn load_binary(wasm: &[u8], options: &ModuleOptions) -> Result<Module, ModuleError> {
        let kind = options.host;
        let engine = engine(options.metering)?;
        let module = compile(options.metering, &engine, wasm)?;
        imports::check(&engine, kind, &module)?;
        check_memory_export(&module, kind)?;

        let config = match &options.config_json {
            None => serde_json::json!({}),
            Some(text) => serde_json::from_str(text).map_err(|e| ModuleError::InvalidInput {
                message: format!("config_json is not JSON: {e}"),
            })?,
        };
        let info = HostInfo {
            runtime_target: options.runtime_target.clone().unwrap_or_else(|| {
                match kind {
                    HostKind::Server => server::RUNTIME_TARGET,
                    HostKind::Sdk => sdn_pdk_schemas::hosts::sdk::RUNTIME_TARGET_NODE,
                }
                .to_owned()
            }),
            granted: Vec::new(),
            config,
            node_public_key_hex: options.node_public_key_hex.clone(),
            node_peer_id: options.node_peer_id.clone(),
        };
        let linker = imports::linker(&engine, kind).map_err(|e| engine_error(&e))?;
        let mut store = Store::new(&engine, ModuleState::new(options, info));
        store.limiter(|state| &mut state.limits);
        let fuel_per_call = options.fuel_per_call.unwrap_or(server::COST_LIMIT_PER_CALL);
        metering::refuel(&mut store, options.metering, fuel_per_call)
            .map_err(|e| engine_error(&e))?;
        let instance = linker.instantiate(&mut store, &module).map_err(|e| {
            if CallFailure::ran_guest_code(&e) {
                classify("(start function)", &e)
            } else {
                ModuleError::Instantiate {
                    message: format!("{e:#}"),
                }
            }
        })?;
        let memory = instance.get_memory(&mut store, exports::MEMORY);

        let mut loaded = Module {
            store,
            instance,
            memory,
            options: options.clone(),
            fuel_per_call,
            manifest: None,
            capabilities: Vec::new(),
            sha256: Sha256::digest(wasm).into(),
            next_trace_id: 1,
        };
        loaded.start()?;
        loaded.manifest = loaded.read_manifest(wasm)?;
        if let Some(bytes) = &loaded.manifest {
            loaded.capabilities = manifest::capabilities(bytes)?;
        }
        if kind == HostKind::Server {
            loaded.apply_capability_policy()?;
        }
        let mut granted = options
            .granted_capabilities
            .clone()
            .unwrap_or_else(|| loaded.capabilities.clone());
        granted.sort();
        granted.dedup();
        loaded.store.data_mut().info.granted = granted;
        Ok(loaded)
    }

    /// `_initialize` if exported, else `__wasm_call_ctors`; a failure fails
    /// the load.
    fn start(&mut self) -> Result<(), ModuleError> {
        for name in [exports::INITIALIZE, exports::WASM_CALL_CTORS] {
            if self.instance.get_export(&mut self.store, name).is_some() {
                let func: TypedFunc<(), ()> = self.typed(name)?;
                self.begin()?;
                return func
                    .call(&mut self.store, ())
                    .map_err(|e| classify(name, &e));
            }
        }
        Ok(())
    }

    fn read_manifest(&mut self, wasm: &[u8]) -> Result<Option<Vec<u8>>, ModuleError> {
        match self.options.host {
            HostKind::Server => {
                let bytes = self
                    .exported_manifest()?
                    .ok_or_else(|| ModuleError::Manifest {
                        message: format!(
                            "the server reads the manifest through `{}` and `{}`; the module \
                         exports neither",
                            exports::MANIFEST_POINTER,
                            exports::MANIFEST_SIZE
                        ),
                    })?;
                manifest::check_identifier(
                    &bytes,
                    &[manifest_identifiers::PLG, manifest_identifiers::PMAN],
                )?;
                Ok(Some(bytes))
            }
            HostKind::Sdk => {
                let bytes = match manifest::section(wasm)? {
                    Some(bytes) => Some(bytes),
                    None => self.exported_manifest()?,
                };
                if let Some(bytes) = &bytes {
                    manifest::check_identifier(bytes, &[manifest_identifiers::PLG])?;
                }
                Ok(bytes)
            }
        }
    }

    /// The bytes behind the accessor exports, `None` when neither is exported.
    fn exported_manifest(&mut self) -> Result<Option<Vec<u8>>, ModuleError> {
        let has = |m: &mut Module, name| m.instance.get_export(&mut m.store, name).is_some();
        match (
            has(self, exports::MANIFEST_POINTER),
            has(self, exports::MANIFEST_SIZE),
        ) {
            (false, false) => return Ok(None),
            (true, true) => {}
            (pointer, _) => {
                let name = if pointer {
                    exports::MANIFEST_SIZE
                } else {
                    exports::MANIFEST_POINTER
                };
                return Err(ModuleError::MissingExport {
                    name: name.to_owned(),
                });
            }
        }
        let pointer: TypedFunc<(), i32> = self.typed(exports::MANIFEST_POINTER)?;
        let size: TypedFunc<(), i32> = self.typed(exports::MANIFEST_SIZE)?;
        self.begin()?;
        let pointer = pointer
            .call(&mut self.store, ())
            .map_err(|e| classify(exports::MANIFEST_POINTER, &e))?;
        let size = size
            .call(&mut self.store, ())
            .map_err(|e| classify(exports::MANIFEST_SIZE, &e))?;
        if size <= 0 {
            return Err(ModuleError::Manifest {
                message: format!("`{}` returned {size}", exports::MANIFEST_SIZE),
            });
        }
        self.read_memory(pointer.cast_unsigned(), size.cast_unsigned())
            .map(Some)
    }

    /// The newest server's policy: a sensitive capability needs an approved
    /// SHA-256.
    fn apply_capability_policy(&self) -> Result<(), ModuleError> {
        let sensitive: Vec<String> = self
            .capabilities
            .iter()
            .filter(|c| server::is_sensitive(c))
            .cloned()
            .collect();
        if sensitive.is_empty() || self.options.approved_sha256.contains(&self.sha256) {
            return Ok(());
        }
        Err(ModuleError::CapabilityNotApproved {
            capabilities: sensitive,
            sha256: self.sha256_hex(),
        })
    }

    // ----- shared helpers for the calls -----

    /// Starts one host operation: refuses a closed instance, fresh fuel.
    pub(crate) fn begin(&mut self) -> Result<(), ModuleError> {
        if let Some(code) = self.store.data().exit_code {
            return Err(ModuleError::Closed { code });
        }
        metering::refuel(&mut self.store, self.options.metering, self.fuel_per_call)
            .map_err(|e| engine_error(&e))
    }

    pub(crate) fn typed<P, R>(&mut self, name: &str) -> Result<TypedFunc<P, R>, ModuleError>
    where
        P: wasmtime::WasmParams,
        R: wasmtime::WasmResults,
    {
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| ModuleError::MissingExport {
                name: name.to_owned(),
            })?;
        func.typed::<P, R>(&self.store)
            .map_err(|e| ModuleError::WrongSignature {
                name: name.to_owned(),
                expected: "the host's signature".to_owned(),
                found: format!("{e:#}"),
            })
    }

    pub(crate) fn memory(&self) -> Result<Memory, ModuleError> {
        self.memory.ok_or_else(|| ModuleError::MissingExport {
            name: exports::MEMORY.to_owned(),
        })
    }

    // ----- public accessors and controls -----

    /// Copies `len` bytes out of guest memory.
    ///
    /// # Errors
    ///
    /// [`ModuleError::OutOfBounds`], or [`ModuleError::MissingExport`]
    /// without a memory.
    pub fn read_memory(&self, ptr: u32, len: u32) -> Result<Vec<u8>, ModuleError> {
        let memory = self.memory()?;
        crate::memory::slice(memory.data(&self.store), ptr, u64::from(len))
            .map(<[u8]>::to_vec)
            .ok_or(ModuleError::OutOfBounds {
                ptr,
                len: u64::from(len),
            })
    }

    /// Copies `bytes` into guest memory at `ptr`.
    ///
    /// # Errors
    ///
    /// As [`read_memory`](Self::read_memory).
    pub fn write_memory(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), ModuleError> {
        let memory = self.memory()?;
        if crate::memory::write(memory.data_mut(&mut self.store), ptr, bytes) {
            Ok(())
        } else {
            Err(ModuleError::OutOfBounds {
                ptr,
                len: bytes.len() as u64,
            })
        }
    }

    /// The guest memory's size in 64 KiB pages (0 without a memory).
    pub fn memory_pages(&self) -> u64 {
        self.memory.map_or(0, |m| m.size(&self.store))
    }

    /// The emulated host.
    pub fn host(&self) -> HostKind {
        self.options.host
    }

    /// The options the module was loaded with.
    pub fn options(&self) -> &ModuleOptions {
        &self.options
    }

    /// The manifest bytes the host read (`None`: the module SDK host found none).
    pub fn manifest(&self) -> Option<&[u8]> {
        self.manifest.as_deref()
    }

    /// The capability names the manifest declares, in manifest order.
    pub fn declared_capabilities(&self) -> &[String] {
        &self.capabilities
    }

    /// The SHA-256 of the module's binary (what an operator approves).
    pub fn sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// [`sha256`](Self::sha256) in lower-case hex.
    pub fn sha256_hex(&self) -> String {
        self.sha256.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Fixes every clock at `ms` since the Unix epoch for the following calls.
    pub fn set_clock_ms(&mut self, ms: i64) {
        self.store.data_mut().clock = crate::clock::Clock::Fixed(ms);
    }

    /// Queues bytes for the host's random sources to hand out first.
    pub fn script_random(&mut self, bytes: &[u8]) {
        self.store.data_mut().random.script(bytes);
    }

    /// While `true`, every random source fails (`random.bytes` answers an
    /// error, `random_get` `EIO`, `sdn.random_bytes` -1).
    pub fn fail_random(&mut self, failing: bool) {
        self.store.data_mut().random.set_failing(failing);
    }

    /// The fuel of one host operation.
    pub fn fuel_per_call(&self) -> u64 {
        self.fuel_per_call
    }

    /// Changes the fuel of the following operations.
    pub fn set_fuel_per_call(&mut self, fuel: u64) {
        self.fuel_per_call = fuel;
    }

    /// Every hostcall operation the module called, in order.
    pub fn hostcalls(&self) -> &[String] {
        &self.store.data().bridge.calls
    }

    /// The hostcall response envelope the module would read now.
    pub fn last_hostcall_response(&self) -> &[u8] {
        self.store.data().bridge.response()
    }

    /// What `last_status_code` would return now.
    pub fn last_hostcall_status(&self) -> i32 {
        self.store.data().bridge.last_status()
    }

    /// What the module logged through the legacy `sdn.log` / `env.log`.
    pub fn logs(&self) -> &[LogRecord] {
        &self.store.data().logs
    }

    /// What the module wrote to WASI stdout.
    pub fn stdout(&self) -> &[u8] {
        &self.store.data().stdout
    }

    /// What the module wrote to WASI stderr.
    pub fn stderr(&self) -> &[u8] {
        &self.store.data().stderr
    }

    /// Forgets what the module wrote to stdout and stderr and logged so far,
    /// so that a long-running host reports each call's output once.
    pub fn clear_output(&mut self) {
        let state = self.store.data_mut();
        state.stdout.clear();
        state.stderr.clear();
        state.logs.clear();
    }

    /// The code of the `proc_exit` that closed the instance, if one did.
    pub fn exit_code(&self) -> Option<i32> {
        self.store.data().exit_code
    }
}

/// The server requires an exported memory, at most 4096 pages initially.
fn check_memory_export(module: &wasmtime::Module, kind: HostKind) -> Result<(), ModuleError> {
    match module.get_export(exports::MEMORY) {
        Some(ExternType::Memory(mem)) => {
            if kind == HostKind::Server && mem.minimum() > server::MAX_MEMORY_PAGES {
                return Err(ModuleError::MemoryTooLarge {
                    pages: mem.minimum(),
                });
            }
            Ok(())
        }
        Some(other) => Err(ModuleError::WrongSignature {
            name: exports::MEMORY.to_owned(),
            expected: "a memory".to_owned(),
            found: crate::imports::describe_extern(&other),
        }),
        None if kind == HostKind::Server => Err(ModuleError::MissingExport {
            name: exports::MEMORY.to_owned(),
        }),
        None => Ok(()),
    }
}
