//! The module host's one error type.

use std::fmt;

/// Everything that can go wrong loading or calling a module.
///
/// Load errors mirror a host refusing the module; call errors mirror a host
/// failing the invoke. Match on the variants: the `Display` text is for
/// people (where a host's own wording is known, it is used).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModuleError {
    /// Neither valid WebAssembly nor WAT, or a feature the engine lacks.
    Compile {
        /// The compiler's explanation.
        message: String,
    },
    /// A module file could not be read.
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The wasmtime engine or linker could not be set up (a harness problem).
    Engine {
        /// wasmtime's explanation.
        message: String,
    },
    /// The module imports something the selected host does not provide.
    UnknownImport {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// The host that refuses it.
        host: crate::module::HostKind,
    },
    /// The module imports a host function with another signature.
    ImportSignature {
        /// Import module name.
        module: String,
        /// Import field name.
        name: String,
        /// The host's signature.
        expected: String,
        /// The module's.
        found: String,
    },
    /// A required export is missing (`memory` on the server, or an invoke export).
    MissingExport {
        /// The export.
        name: String,
    },
    /// An export exists with another type or signature.
    WrongSignature {
        /// The export.
        name: String,
        /// What the host calls it as.
        expected: String,
        /// What the module exports.
        found: String,
    },
    /// The initial memory is above the server's 4096-page cap.
    MemoryTooLarge {
        /// Pages asked for.
        pages: u64,
    },
    /// Instantiation failed.
    Instantiate {
        /// wasmtime's explanation.
        message: String,
    },
    /// The manifest is missing, empty, not readable or has a wrong identifier.
    Manifest {
        /// What is wrong.
        message: String,
    },
    /// The manifest declares sensitive capabilities and nobody approved the
    /// module's SHA-256 (the newest server's policy).
    CapabilityNotApproved {
        /// The sensitive capabilities declared, in manifest order.
        capabilities: Vec<String>,
        /// The module's SHA-256, lower-case hex.
        sha256: String,
    },
    /// A guest function trapped. The instance keeps serving.
    Trap {
        /// The export the host was calling.
        export: String,
        /// wasmtime's description.
        message: String,
    },
    /// The call used up its fuel (standing in for the server's 30 s limit).
    /// The instance keeps serving.
    Timeout {
        /// The export the host was calling.
        export: String,
    },
    /// The guest called WASI `proc_exit`; the instance is closed.
    ProcExit {
        /// The exit code.
        code: i32,
    },
    /// An earlier `proc_exit` closed the instance.
    Closed {
        /// Its code.
        code: i32,
    },
    /// `plugin_alloc` returned 0.
    AllocationFailed {
        /// The size asked for.
        size: u32,
    },
    /// `plugin_invoke_stream` wrote a response length of 0.
    EmptyResponse,
    /// `plugin_invoke_stream` returned a null pointer with a non-zero length
    /// (the module SDK's harness: a null pointer or a zero length).
    NullResponse {
        /// The length it wrote.
        len: u32,
    },
    /// The module SDK's harness refuses a request or response pointer that
    /// is not 8-aligned.
    Misaligned {
        /// `"request"` or `"response"`.
        what: &'static str,
        /// The pointer.
        ptr: u32,
    },
    /// A guest range lies outside its memory.
    OutOfBounds {
        /// The pointer.
        ptr: u32,
        /// The length.
        len: u64,
    },
    /// The response is not a PIV response.
    BadResponse {
        /// The decoder's explanation.
        message: String,
    },
    /// An option or argument the host would never accept.
    InvalidInput {
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Compile { message } => write!(f, "invalid module: {message}"),
            Self::Io { path, message } => write!(f, "cannot read {path}: {message}"),
            Self::Engine { message } => write!(f, "cannot set up wasmtime: {message}"),
            Self::UnknownImport { module, name, host } => write!(
                f,
                "module imports `{module}.{name}`, which the {host} host does not provide"
            ),
            Self::ImportSignature {
                module,
                name,
                expected,
                found,
            } => write!(
                f,
                "module imports `{module}.{name}` as {found}, but the host provides {expected}"
            ),
            Self::MissingExport { name } => write!(f, "module does not export `{name}`"),
            Self::WrongSignature {
                name,
                expected,
                found,
            } => write!(
                f,
                "export `{name}` is {found}, but the host calls it as {expected}"
            ),
            Self::MemoryTooLarge { pages } => write!(
                f,
                "module's initial memory is {pages} pages, above the server's cap of {} pages",
                sdn_pdk_schemas::hosts::server::MAX_MEMORY_PAGES
            ),
            Self::Instantiate { message } => write!(f, "instantiation failed: {message}"),
            Self::Manifest { message } => write!(f, "manifest: {message}"),
            Self::CapabilityNotApproved {
                capabilities,
                sha256,
            } => write!(
                f,
                "module declares sensitive capabilities [{}] but its SHA-256 {sha256} is not \
                 approved by the operator",
                capabilities.join(", ")
            ),
            Self::Trap { export, message } => write!(f, "`{export}` trapped: {message}"),
            Self::Timeout { export } => write!(
                f,
                "`{export}` ran out of fuel (the server stops a call after 30 s)"
            ),
            Self::ProcExit { code } => {
                write!(f, "module called proc_exit({code}): the instance is closed")
            }
            Self::Closed { code } => write!(f, "instance closed by an earlier proc_exit({code})"),
            Self::AllocationFailed { size } => write!(f, "plugin_alloc({size}) returned 0"),
            Self::EmptyResponse => f.write_str("plugin_invoke_stream returned an empty response"),
            Self::NullResponse { len } => write!(
                f,
                "plugin_invoke_stream returned a null response pointer (length {len})"
            ),
            Self::Misaligned { what, ptr } => write!(
                f,
                "{what} pointer ({ptr}) is not {}-byte aligned",
                sdn_pdk_schemas::hosts::alignment::INVOKE
            ),
            Self::OutOfBounds { ptr, len } => {
                write!(f, "guest range {ptr}+{len} is outside its memory")
            }
            Self::BadResponse { message } => write!(f, "invalid PIV response: {message}"),
            Self::InvalidInput { message } => write!(f, "invalid input: {message}"),
        }
    }
}

impl std::error::Error for ModuleError {}
