//! How a call into the guest failed, told apart once for both hosts: the
//! legacy plugin's [`HarnessError`](crate::HarnessError) and the module's
//! [`ModuleError`](crate::ModuleError) each map these three cases to their
//! own variants.

use wasmtime::Trap;

use crate::preview1::ProcExit;

/// A wasmtime call error, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallFailure {
    /// The guest called `proc_exit(code)`.
    ProcExit(i32),
    /// The call used up its fuel (the harness's stand-in for the hosts'
    /// wall-clock limits).
    OutOfFuel,
    /// Any other trap, or a host function's error: its message, with causes.
    Trap(String),
}

impl CallFailure {
    /// Classifies `err`, which a call into the guest returned.
    pub(crate) fn of(err: &wasmtime::Error) -> CallFailure {
        if let Some(ProcExit(code)) = err.downcast_ref::<ProcExit>() {
            return CallFailure::ProcExit(*code);
        }
        if let Some(Trap::OutOfFuel) = err.downcast_ref::<Trap>() {
            return CallFailure::OutOfFuel;
        }
        CallFailure::Trap(format!("{err:#}"))
    }

    /// Whether an instantiation error came from running guest code (the
    /// start function trapped or exited) rather than from linking.
    pub(crate) fn ran_guest_code(err: &wasmtime::Error) -> bool {
        err.downcast_ref::<Trap>().is_some() || err.downcast_ref::<ProcExit>().is_some()
    }
}
