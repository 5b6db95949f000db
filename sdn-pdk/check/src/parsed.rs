//! A parsed view of a core wasm module: just what the checker (and
//! `cargo xtask size`) need.
//!
//! Parsing goes through `wasmparser` with every feature enabled, so a module
//! that uses a feature the server rejects still parses and can be reported on;
//! the feature rules themselves are `check`'s job (with a strict validator).

use std::collections::HashMap;
use std::fmt::Write as _;

use wasmparser::{
    BinaryReaderError, CompositeInnerType, Encoding, ExternalKind, FuncType, KnownCustom,
    MemoryType, Name, Parser, Payload, TypeRef, ValType,
};

/// Why bytes are not a core wasm module [`Module::parse`] can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError(String);

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

impl From<BinaryReaderError> for ParseError {
    fn from(error: BinaryReaderError) -> ParseError {
        ParseError(format!("malformed wasm: {error}"))
    }
}

/// One import, owned.
pub struct Import {
    /// The import's module (`sdn`, `wasi_snapshot_preview1`).
    pub module: String,
    /// The imported name within it.
    pub name: String,
    /// What is imported (a function and its type index, a memory, ...).
    pub ty: TypeRef,
}

/// One export, owned.
pub struct Export {
    /// The exported name.
    pub name: String,
    /// Function, memory, global, table or tag.
    pub kind: ExternalKind,
    /// Its index in the index space of its kind.
    pub index: u32,
}

/// A core module's structure.
#[derive(Default)]
pub struct Module {
    /// Every type in the type section, `None` for non-function (GC) types.
    types: Vec<Option<FuncType>>,
    /// Type index of every function, imported ones first (the function index space).
    func_types: Vec<u32>,
    /// Every import, in order.
    pub imports: Vec<Import>,
    /// Every export, in order.
    pub exports: Vec<Export>,
    /// Memories defined (not imported) by the module.
    pub memories: Vec<MemoryType>,
    /// Number of imported functions: the index of the first defined function.
    pub imported_funcs: u32,
    /// Body size in bytes of every defined function, in index order.
    pub code_sizes: Vec<u64>,
    /// Names from the `name` custom section, by function index.
    pub func_names: HashMap<u32, String>,
    /// Every section: its display name and size in bytes (header included).
    pub sections: Vec<(String, u64)>,
}

impl Module {
    /// Parses a core module (not a component).
    pub fn parse(bytes: &[u8]) -> Result<Module, ParseError> {
        let mut m = Module::default();
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload?;
            if let Some((id, range)) = payload.as_section() {
                m.sections
                    .push((section_name(id, &payload), range.end - range.start));
            }
            match payload {
                Payload::Version { encoding, .. } if encoding != Encoding::Module => {
                    return Err(ParseError(
                        "is a component, not a core wasm module".to_owned(),
                    ));
                }
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group?.into_types() {
                            m.types.push(match sub.composite_type.inner {
                                CompositeInnerType::Func(f) => Some(f),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import?;
                        if let TypeRef::Func(ty) | TypeRef::FuncExact(ty) = import.ty {
                            m.func_types.push(ty);
                            m.imported_funcs += 1;
                        }
                        m.imports.push(Import {
                            module: import.module.to_owned(),
                            name: import.name.to_owned(),
                            ty: import.ty,
                        });
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        m.func_types.push(ty?);
                    }
                }
                Payload::MemorySection(reader) => {
                    for memory in reader {
                        m.memories.push(memory?);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export?;
                        m.exports.push(Export {
                            name: export.name.to_owned(),
                            kind: export.kind,
                            index: export.index,
                        });
                    }
                }
                Payload::CodeSectionEntry(body) => {
                    let range = body.range();
                    m.code_sizes.push(range.end - range.start);
                }
                Payload::CustomSection(reader) => {
                    if let KnownCustom::Name(names) = reader.as_known() {
                        // Names are a convenience: a malformed name section is ignored.
                        for name in names.into_iter().flatten() {
                            if let Name::Function(map) = name {
                                for naming in map.into_iter().flatten() {
                                    m.func_names.insert(naming.index, naming.name.to_owned());
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(m)
    }

    /// The signature of function `index`, if it has one.
    pub fn func_type(&self, index: u32) -> Option<&FuncType> {
        let ty = *self.func_types.get(usize::try_from(index).ok()?)?;
        self.types.get(usize::try_from(ty).ok()?)?.as_ref()
    }

    /// The signature of type `index`, if it is a function type.
    pub fn type_at(&self, index: u32) -> Option<&FuncType> {
        self.types.get(usize::try_from(index).ok()?)?.as_ref()
    }

    /// The export called `name`.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.exports.iter().find(|e| e.name == name)
    }
}

fn section_name(id: u8, payload: &Payload<'_>) -> String {
    let name = match (id, payload) {
        (0, Payload::CustomSection(c)) => return format!("custom \"{}\"", c.name()),
        (1, _) => "type",
        (2, _) => "import",
        (3, _) => "function",
        (4, _) => "table",
        (5, _) => "memory",
        (6, _) => "global",
        (7, _) => "export",
        (8, _) => "start",
        (9, _) => "element",
        (10, _) => "code",
        (11, _) => "data",
        (12, _) => "data count",
        (13, _) => "tag",
        _ => return format!("section {id}"),
    };
    name.to_owned()
}

/// Renders a signature as `(i32, i32) -> i32`, `(i32) -> ()`.
pub fn signature(params: &[ValType], results: &[ValType]) -> String {
    let mut s = String::from("(");
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{p}");
    }
    s.push_str(") -> ");
    match results {
        [] => s.push_str("()"),
        [one] => {
            let _ = write!(s, "{one}");
        }
        many => {
            s.push('(');
            for (i, r) in many.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "{r}");
            }
            s.push(')');
        }
    }
    s
}

/// A human name for an export or import kind.
pub fn kind_name(kind: ExternalKind) -> &'static str {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => "a function",
        ExternalKind::Table => "a table",
        ExternalKind::Memory => "a memory",
        ExternalKind::Global => "a global",
        ExternalKind::Tag => "a tag",
    }
}

/// A human name for an import's kind.
pub fn type_ref_name(ty: &TypeRef) -> &'static str {
    match ty {
        TypeRef::Func(_) | TypeRef::FuncExact(_) => "a function",
        TypeRef::Table(_) => "a table",
        TypeRef::Memory(_) => "a memory",
        TypeRef::Global(_) => "a global",
        TypeRef::Tag(_) => "a tag",
    }
}
