//! The host side of the import table: what the server provides, checked
//! against a module before instantiation and defined in a wasmtime `Linker`.
//!
//! Invariant: adding a host import touches three places — `sdn-pdk`'s `sys`,
//! its `host` wrapper, and the table in [`sdn`] here.

pub(crate) mod emscripten;
pub(crate) mod sdn;
pub(crate) mod wasi;

use std::fmt;

use wasmtime::{Engine, ExternType, FuncType, Linker, Module, ValType};

use crate::error::HarnessError;
use crate::state::HostState;

/// Import module names the server registers.
pub(crate) const SDN: &str = "sdn";
/// The second name of the `sdn` functions; also carries Emscripten stubs.
pub(crate) const ENV: &str = "env";
/// WASI preview 1.
pub(crate) const WASI: &str = "wasi_snapshot_preview1";

/// A value type of a host signature (the server's imports use only these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    I32,
    I64,
}

impl Ty {
    fn val_type(self) -> ValType {
        match self {
            Ty::I32 => ValType::I32,
            Ty::I64 => ValType::I64,
        }
    }

    fn matches(self, ty: &ValType) -> bool {
        matches!(
            (self, ty),
            (Ty::I32, ValType::I32) | (Ty::I64, ValType::I64)
        )
    }
}

/// A function signature of the host's import table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sig {
    pub(crate) params: &'static [Ty],
    pub(crate) results: &'static [Ty],
}

impl Sig {
    pub(crate) fn func_type(self, engine: &Engine) -> FuncType {
        FuncType::new(
            engine,
            self.params.iter().map(|t| t.val_type()),
            self.results.iter().map(|t| t.val_type()),
        )
    }

    pub(crate) fn matches(self, ty: &FuncType) -> bool {
        let params: Vec<ValType> = ty.params().collect();
        let results: Vec<ValType> = ty.results().collect();
        params.len() == self.params.len()
            && results.len() == self.results.len()
            && self.params.iter().zip(&params).all(|(a, b)| a.matches(b))
            && self.results.iter().zip(&results).all(|(a, b)| a.matches(b))
    }
}

impl fmt::Display for Sig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |t: &Ty| match t {
            Ty::I32 => "i32",
            Ty::I64 => "i64",
        };
        write_signature(
            f,
            self.params.iter().map(name),
            self.results.iter().map(name),
        )
    }
}

fn write_signature<'a>(
    f: &mut fmt::Formatter<'_>,
    params: impl Iterator<Item = &'a str>,
    results: impl Iterator<Item = &'a str>,
) -> fmt::Result {
    let params: Vec<&str> = params.collect();
    let results: Vec<&str> = results.collect();
    write!(f, "({})", params.join(", "))?;
    match results.as_slice() {
        [] => Ok(()),
        [one] => write!(f, " -> {one}"),
        many => write!(f, " -> ({})", many.join(", ")),
    }
}

/// `(i32, f64) -> i32`-style text for any function type.
pub(crate) fn describe_func(ty: &FuncType) -> String {
    struct Shown<'a>(&'a FuncType);
    impl fmt::Display for Shown<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let params: Vec<String> = self.0.params().map(|t| t.to_string()).collect();
            let results: Vec<String> = self.0.results().map(|t| t.to_string()).collect();
            write_signature(
                f,
                params.iter().map(String::as_str),
                results.iter().map(String::as_str),
            )
        }
    }
    Shown(ty).to_string()
}

/// A short description of any extern type, for error messages.
pub(crate) fn describe_extern(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => format!("a function {}", describe_func(f)),
        ExternType::Memory(_) => "a memory".to_owned(),
        ExternType::Table(_) => "a table".to_owned(),
        ExternType::Global(_) => "a global".to_owned(),
        ExternType::Tag(_) => "a tag".to_owned(),
    }
}

/// The server's signature for `module.name`, if it provides that import.
fn lookup(module: &str, name: &str) -> Option<Sig> {
    let find = |table: &[(&str, Sig)]| table.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
    match module {
        SDN => find(sdn::FUNCTIONS),
        ENV => find(sdn::FUNCTIONS).or_else(|| find(emscripten::FUNCTIONS)),
        WASI => find(wasi::FUNCTIONS),
        _ => None,
    }
}

/// Fails like the server's instantiation does for an import it does not
/// provide (any non-function import, any unknown name) or provides with
/// another signature.
pub(crate) fn check(module: &Module) -> Result<(), HarnessError> {
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        let unknown = || HarnessError::UnknownImport {
            module: module_name.to_owned(),
            name: name.to_owned(),
        };
        let sig = lookup(module_name, name).ok_or_else(unknown)?;
        let found = import.ty();
        let matches = match &found {
            ExternType::Func(f) => sig.matches(f),
            _ => false,
        };
        if !matches {
            return Err(HarnessError::ImportSignature {
                module: module_name.to_owned(),
                name: name.to_owned(),
                expected: sig.to_string(),
                found: describe_extern(&found),
            });
        }
    }
    Ok(())
}

/// A linker with everything the server provides.
pub(crate) fn linker(engine: &Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    // Generic stubs first, then the real implementations over them.
    linker.allow_shadowing(true);
    emscripten::define(&mut linker, engine)?;
    wasi::define(&mut linker, engine)?;
    sdn::define(&mut linker, SDN)?;
    sdn::define(&mut linker, ENV)?;
    Ok(linker)
}

#[cfg(test)]
mod tests {
    use wasmtime::Store;

    use super::*;
    use crate::clock::Clock;
    use crate::random::RandomFallback;

    /// Every entry of the import tables is defined in the linker with exactly
    /// the signature the load check promises.
    #[test]
    fn linker_matches_the_tables() {
        let engine = Engine::default();
        let linker = linker(&engine).unwrap();
        let mut store = Store::new(&engine, HostState::new(Clock::Real, RandomFallback::Os));
        let tables: [(&str, &[(&str, Sig)]); 4] = [
            (SDN, sdn::FUNCTIONS),
            (ENV, sdn::FUNCTIONS),
            (ENV, emscripten::FUNCTIONS),
            (WASI, wasi::FUNCTIONS),
        ];
        for (module, table) in tables {
            for &(name, sig) in table {
                let func = linker
                    .get(&mut store, module, name)
                    .ok()
                    .and_then(wasmtime::Extern::into_func)
                    .unwrap_or_else(|| panic!("{module}.{name} missing"));
                assert!(sig.matches(&func.ty(&store)), "{module}.{name}");
                assert_eq!(
                    lookup(module, name).map(|s| s.to_string()),
                    Some(sig.to_string())
                );
            }
        }
        assert_eq!(wasi::FUNCTIONS.len(), 46);
    }
}
