//! The no-op Emscripten exception stubs the server's `env` module carries, so
//! that C++ plugins built with Emscripten's exception glue load. Each returns
//! zero (or nothing).

use wasmtime::{Engine, Linker, Val};

use super::Ty::{I32, I64};
use super::{ENV, Sig};
use crate::state::HostState;

const fn sig(params: &'static [super::Ty], results: &'static [super::Ty]) -> Sig {
    Sig { params, results }
}

/// The stubs, with the signatures the server registers.
pub(crate) const FUNCTIONS: &[(&str, Sig)] = &[
    ("invoke_vi", sig(&[I32, I32], &[])),
    ("__cxa_find_matching_catch_3", sig(&[I32], &[I32])),
    ("invoke_iii", sig(&[I32, I32, I32], &[I32])),
    ("__cxa_find_matching_catch_2", sig(&[], &[I32])),
    ("__resumeException", sig(&[I32], &[])),
    ("invoke_iiiiii", sig(&[I32; 6], &[I32])),
    ("invoke_viiiii", sig(&[I32; 6], &[])),
    ("invoke_iiiii", sig(&[I32; 5], &[I32])),
    ("invoke_j", sig(&[I32], &[I64])),
    ("invoke_iiii", sig(&[I32; 4], &[I32])),
    ("invoke_vijjj", sig(&[I32, I32, I64, I64, I64], &[])),
    ("invoke_viiii", sig(&[I32; 5], &[])),
    ("invoke_viii", sig(&[I32; 4], &[])),
    ("invoke_ii", sig(&[I32, I32], &[I32])),
    ("invoke_v", sig(&[I32], &[])),
    ("invoke_i", sig(&[I32], &[I32])),
    ("invoke_iiiiiiii", sig(&[I32; 8], &[I32])),
    ("invoke_vii", sig(&[I32; 3], &[])),
    ("invoke_viiiiii", sig(&[I32; 7], &[])),
    ("llvm_eh_typeid_for", sig(&[I32], &[I32])),
    ("__cxa_begin_catch", sig(&[I32], &[I32])),
    ("__cxa_end_catch", sig(&[], &[])),
    ("__throw_exception_with_stack_trace", sig(&[I32], &[])),
    ("invoke_iiiiiiiiii", sig(&[I32; 10], &[I32])),
];

pub(crate) fn define(linker: &mut Linker<HostState>, engine: &Engine) -> wasmtime::Result<()> {
    for &(name, sig) in FUNCTIONS {
        linker.func_new(
            ENV,
            name,
            sig.func_type(engine),
            move |_caller, _params, results| {
                for (result, ty) in results.iter_mut().zip(sig.results) {
                    *result = match ty {
                        I32 => Val::I32(0),
                        I64 => Val::I64(0),
                    };
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}
