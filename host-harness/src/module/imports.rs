//! The module hosts' import tables: checked against a module before
//! instantiation (so the error names the import) and defined in a linker.
//!
//! * [`HostKind::Server`]: all of WASI preview 1 (the 17 portable functions
//!   implemented, the rest answer `ENOSYS`), `space_data_module_host`, and
//!   `sdn`/`env` with `clock_now_ms`, `random_bytes`, `log`.
//! * [`HostKind::Sdk`]: the 17 portable WASI functions and
//!   `space_data_module_host`, nothing else.
//!
//! The tables are `sdn_pdk_schemas::hosts`'s; the rest of preview 1 and the
//! legacy caps are the legacy harness's (`crate::imports`, `crate::limits`).

use sdn_pdk_schemas::hosts::{self, Signature, legacy, module_host, wasi as wasi_names};
use wasmtime::{Caller, Engine, ExternType, FuncType, Linker, Module, ValType};

use crate::imports::{describe_extern, describe_func};
use crate::limits::{MAX_LOG_BYTES, MAX_RANDOM_BYTES};
use crate::log::{LogLevel, LogRecord, sanitize};
use crate::memory::{self, guest_memory};
use crate::module::error::ModuleError;
use crate::module::options::HostKind;
use crate::module::state::ModuleState;
use crate::module::{bridge, wasi};

pub(crate) fn val_type(t: hosts::ValType) -> ValType {
    match t {
        hosts::ValType::I32 => ValType::I32,
        hosts::ValType::I64 => ValType::I64,
    }
}

pub(crate) fn func_type(engine: &Engine, sig: Signature) -> FuncType {
    FuncType::new(
        engine,
        sig.params.iter().copied().map(val_type),
        sig.results.iter().copied().map(val_type),
    )
}

/// The host's type for `module.name`, if it provides that import.
fn lookup(engine: &Engine, kind: HostKind, module: &str, name: &str) -> Option<FuncType> {
    let from = |table| hosts::lookup(table, name).map(|sig| func_type(engine, sig));
    match (kind, module) {
        (_, module_host::IMPORT_MODULE) => from(module_host::FUNCTIONS),
        (_, wasi_names::MODULE) => from(wasi_names::PORTABLE_FUNCTIONS).or_else(|| match kind {
            // WasmEdge implements all of preview 1.
            HostKind::Server => crate::imports::wasi::FUNCTIONS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, sig)| sig.func_type(engine)),
            HostKind::Sdk => None,
        }),
        (HostKind::Server, legacy::SDN | legacy::ENV) => from(legacy::FUNCTIONS),
        _ => None,
    }
}

fn same(a: &FuncType, b: &FuncType) -> bool {
    let (ap, bp): (Vec<ValType>, Vec<ValType>) = (a.params().collect(), b.params().collect());
    let (ar, br): (Vec<ValType>, Vec<ValType>) = (a.results().collect(), b.results().collect());
    ap.len() == bp.len()
        && ar.len() == br.len()
        && ap.iter().zip(&bp).all(|(x, y)| ValType::eq(x, y))
        && ar.iter().zip(&br).all(|(x, y)| ValType::eq(x, y))
}

/// Fails for the first import the host does not provide (by name, or with
/// that signature), naming it.
pub(crate) fn check(engine: &Engine, kind: HostKind, module: &Module) -> Result<(), ModuleError> {
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        let expected =
            lookup(engine, kind, module_name, name).ok_or_else(|| ModuleError::UnknownImport {
                module: module_name.to_owned(),
                name: name.to_owned(),
                host: kind,
            })?;
        let found = import.ty();
        if !matches!(&found, ExternType::Func(f) if same(f, &expected)) {
            return Err(ModuleError::ImportSignature {
                module: module_name.to_owned(),
                name: name.to_owned(),
                expected: describe_func(&expected),
                found: describe_extern(&found),
            });
        }
    }
    Ok(())
}

/// A linker with everything `kind` provides.
pub(crate) fn linker(engine: &Engine, kind: HostKind) -> wasmtime::Result<Linker<ModuleState>> {
    let mut linker = Linker::new(engine);
    linker.allow_shadowing(true);
    if kind == HostKind::Server {
        wasi::define_enosys_rest(&mut linker, engine)?;
        for module in [legacy::SDN, legacy::ENV] {
            define_legacy(&mut linker, module)?;
        }
    }
    wasi::define(&mut linker)?;
    bridge::define(&mut linker)?;
    Ok(linker)
}

/// `clock_now_ms`, `random_bytes` and `log` with the legacy server's caps.
fn define_legacy(linker: &mut Linker<ModuleState>, module: &str) -> wasmtime::Result<()> {
    linker.func_wrap(module, "clock_now_ms", |caller: Caller<'_, ModuleState>| {
        caller.data().clock.now_ms()
    })?;
    linker.func_wrap(
        module,
        "random_bytes",
        |mut caller: Caller<'_, ModuleState>, ptr: i32, len: i32| {
            let len = len.cast_unsigned();
            if len > MAX_RANDOM_BYTES {
                return -1;
            }
            let Some(mem) = guest_memory(&mut caller) else {
                return -1;
            };
            let (data, state) = mem.data_and_store_mut(&mut caller);
            let Some(dst) = memory::slice_mut(data, ptr.cast_unsigned(), u64::from(len)) else {
                return -1;
            };
            if state.random.fill(dst) { 0 } else { -1 }
        },
    )?;
    linker.func_wrap(
        module,
        "log",
        |mut caller: Caller<'_, ModuleState>, level: i32, ptr: i32, len: i32| {
            let len = len.cast_unsigned().min(MAX_LOG_BYTES);
            let Some(mem) = guest_memory(&mut caller) else {
                return;
            };
            let (data, state) = mem.data_and_store_mut(&mut caller);
            if let Some(bytes) = memory::slice(data, ptr.cast_unsigned(), u64::from(len)) {
                state.logs.push(LogRecord {
                    level: LogLevel::from_raw(level),
                    message: sanitize(bytes),
                });
            }
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::Extern;

    /// The portable WASI table agrees with the legacy harness's full
    /// preview-1 table (one model of WASI's signatures).
    #[test]
    fn portable_wasi_is_a_subset_of_preview_1() {
        let engine = Engine::default();
        for &(name, sig) in wasi_names::PORTABLE_FUNCTIONS {
            let full = crate::imports::wasi::FUNCTIONS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.func_type(&engine))
                .unwrap_or_else(|| panic!("{name} is not preview 1"));
            assert!(same(&full, &func_type(&engine, sig)), "{name}");
        }
        for &(name, sig) in legacy::FUNCTIONS {
            let old = crate::imports::sdn::FUNCTIONS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.func_type(&engine))
                .unwrap_or_else(|| panic!("{name} is not a legacy import"));
            assert!(same(&old, &func_type(&engine, sig)), "{name}");
        }
    }

    /// Every import the check accepts is defined in the linker with that type.
    #[test]
    fn linkers_define_what_the_check_accepts() {
        let engine = Engine::default();
        for kind in [HostKind::Server, HostKind::Sdk] {
            let linker = linker(&engine, kind).unwrap();
            let options = crate::module::ModuleOptions {
                host: kind,
                ..Default::default()
            };
            let info = crate::module::ops::HostInfo {
                runtime_target: String::new(),
                granted: Vec::new(),
                config: serde_json::Value::Null,
                node_public_key_hex: None,
                node_peer_id: None,
            };
            let mut store = wasmtime::Store::new(&engine, ModuleState::new(&options, info));
            let mut count = 0;
            let items: Vec<(String, String, Extern)> = linker
                .iter(&mut store)
                .map(|(m, n, e)| (m.to_owned(), n.to_owned(), e))
                .collect();
            for (module, name, item) in items {
                let Extern::Func(func) = item else {
                    panic!("{module}.{name} is not a function");
                };
                let expected = lookup(&engine, kind, &module, &name)
                    .unwrap_or_else(|| panic!("{kind}: {module}.{name} defined but refused"));
                assert!(same(&func.ty(&store), &expected), "{module}.{name}");
                count += 1;
            }
            let expected = match kind {
                HostKind::Server => 46 + 5 + 3 * 2,
                HostKind::Sdk => 17 + 5,
            };
            assert_eq!(count, expected, "{kind}");
        }
    }
}
