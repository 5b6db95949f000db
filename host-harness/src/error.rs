//! The harness's one error type.

use std::fmt;

use crate::exports::HostRevision;

/// Everything that can go wrong loading or calling a plugin.
///
/// Load errors mirror the server refusing the module; call errors mirror the
/// server failing the call (an HTTP 500 or a failed start). Match on the
/// variants: the `Display` text is for people.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HarnessError {
    /// The bytes are neither a valid WebAssembly module nor WAT text, or use a
    /// feature the server's runtime (WebAssembly 2.0) lacks.
    Compile {
        /// The compiler's explanation.
        message: String,
    },
    /// A plugin file could not be read.
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The wasmtime engine could not be set up (a host problem, not the plugin's).
    Engine {
        /// wasmtime's explanation.
        message: String,
    },
    /// The module exports `_start`: a command, not a reactor.
    StartExport,
    /// The module imports something the server does not provide.
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
    },
    /// The module imports a host function with a signature other than the server's.
    ImportSignature {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// The server's signature, e.g. `(i32, i32) -> i32`.
        expected: String,
        /// The module's.
        found: String,
    },
    /// The module's initial memory is above the 512-page cap.
    MemoryTooLarge {
        /// The initial size the module asks for, in pages.
        pages: u64,
    },
    /// Required exports are missing.
    MissingExports {
        /// The missing names, in the order the harness checks them.
        names: Vec<&'static str>,
        /// The host revision that requires them.
        revision: HostRevision,
    },
    /// A required export exists with another type or signature.
    WrongSignature {
        /// The export.
        name: &'static str,
        /// The signature the host calls it with.
        expected: String,
        /// What the module exports.
        found: String,
    },
    /// Instantiation failed (for example a start function trapped).
    Instantiate {
        /// wasmtime's explanation.
        message: String,
    },
    /// A guest function trapped (`unreachable`, out-of-bounds access, stack
    /// overflow...). The server turns this into an HTTP 500 or a failed start;
    /// the instance stays as the trap left it.
    Trap {
        /// The export the host was calling.
        export: String,
        /// wasmtime's description of the trap.
        message: String,
    },
    /// The call used up its instruction budget: the guest was very likely in
    /// an endless loop. **The real server would hang forever here** (it
    /// gives each call a 10 s context but its runtime does not stop on it);
    /// the harness stops so the test fails instead.
    Timeout {
        /// The export the host was calling.
        export: String,
    },
    /// The guest called WASI `proc_exit`. The server's runtime closes the
    /// instance: every later call fails until the server restarts. The harness
    /// closes the plugin the same way (later calls return
    /// [`HarnessError::Closed`]).
    ProcExit {
        /// The exit code the guest passed.
        code: i32,
    },
    /// The instance was closed by an earlier `proc_exit`.
    Closed {
        /// The exit code of that `proc_exit`.
        code: i32,
    },
    /// `malloc` returned 0 (also for `malloc(0)`, which the host does call).
    AllocationFailed {
        /// The size asked for.
        size: u32,
    },
    /// A pointer and length from the guest fall outside its memory.
    OutOfBounds {
        /// The pointer.
        ptr: u32,
        /// The length.
        len: u64,
    },
    /// A returned length or `out_len` is above the output capacity (a poisoned
    /// `out_len` the plugin never wrote lands here), or a returned length is
    /// negative where a length is expected.
    BadLength {
        /// The length the plugin reported.
        len: i64,
        /// The capacity the host gave it.
        capacity: u32,
    },
    /// A call returned a non-zero status where the host treats that as a
    /// failure (`plugin_init`), or a negative length (`plugin_get_public_key`,
    /// `plugin_get_metadata`).
    Status(i32),
    /// An argument the server would never pass (a host name over 253 bytes,
    /// an empty challenge request, ...).
    InvalidInput {
        /// What is wrong.
        message: String,
    },
    /// The call does not exist under the selected host revision.
    Unsupported {
        /// The call.
        call: &'static str,
        /// The selected revision.
        revision: HostRevision,
    },
    /// A raw call named an export that does not exist or is not a function of
    /// `i32`s.
    NoSuchExport {
        /// The name asked for.
        name: String,
    },
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarnessError::Compile { message } => write!(f, "invalid module: {message}"),
            HarnessError::Io { path, message } => write!(f, "cannot read {path}: {message}"),
            HarnessError::Engine { message } => write!(f, "cannot set up wasmtime: {message}"),
            HarnessError::StartExport => f.write_str(
                "module exports `_start`: the server would run it at instantiation and its \
                 proc_exit closes the instance; build a reactor (cdylib) instead",
            ),
            HarnessError::UnknownImport { module, name } => {
                write!(
                    f,
                    "module imports `{module}.{name}`, which the server does not provide"
                )
            }
            HarnessError::ImportSignature {
                module,
                name,
                expected,
                found,
            } => write!(
                f,
                "module imports `{module}.{name}` as {found}, but the server provides {expected}"
            ),
            HarnessError::MemoryTooLarge { pages } => write!(
                f,
                "module's initial memory is {pages} pages, above the server's cap of {} pages",
                crate::limits::MAX_MEMORY_PAGES
            ),
            HarnessError::MissingExports { names, revision } => {
                write!(f, "module lacks required export(s) ")?;
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "`{name}`")?;
                }
                write!(f, " (required by the {revision} host)")
            }
            HarnessError::WrongSignature {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "export `{name}` is {found}, but the host calls it as {expected}"
                )
            }
            HarnessError::Instantiate { message } => write!(f, "instantiation failed: {message}"),
            HarnessError::Trap { export, message } => write!(f, "`{export}` trapped: {message}"),
            HarnessError::Timeout { export } => write!(
                f,
                "`{export}` ran out of its instruction budget (endless loop?); \
                 the real server would hang here forever"
            ),
            HarnessError::ProcExit { code } => write!(
                f,
                "plugin called proc_exit({code}): the server closes the instance until it restarts"
            ),
            HarnessError::Closed { code } => {
                write!(f, "instance closed by an earlier proc_exit({code})")
            }
            HarnessError::AllocationFailed { size } => write!(f, "malloc({size}) returned 0"),
            HarnessError::OutOfBounds { ptr, len } => {
                write!(f, "guest range {ptr}+{len} is outside its memory")
            }
            HarnessError::BadLength { len, capacity } => {
                write!(f, "plugin reported length {len}, outside 0..={capacity}")
            }
            HarnessError::Status(status) => write!(f, "plugin returned error status {status}"),
            HarnessError::InvalidInput { message } => write!(f, "invalid input: {message}"),
            HarnessError::Unsupported { call, revision } => {
                write!(f, "`{call}` does not exist on the {revision} host")
            }
            HarnessError::NoSuchExport { name } => {
                write!(
                    f,
                    "no exported function `{name}` taking and returning only i32"
                )
            }
        }
    }
}

impl std::error::Error for HarnessError {}
