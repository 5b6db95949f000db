//! What a module declares about its methods, as `#[sdn_module]` writes it:
//! static tables the invoke glue checks every request against, built from
//! the same arguments as the `$PLG` manifest, so the two cannot disagree.

/// One FlatBuffer type a port accepts or emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeDecl {
    /// The schema file, e.g. `"OMM.fbs"`.
    pub schema_name: &'static str,
    /// The 4-character file identifier, e.g. `"$OMM"`.
    pub file_identifier: &'static str,
    /// The root table, e.g. `"OMM"`.
    pub root_type: &'static str,
    /// The schema version; empty when not declared (then any version matches).
    pub schema_version: &'static str,
    /// `FLATBUFFER` (0) or `ALIGNED_BINARY` (1).
    pub wire_format: u8,
    /// The fixed record size of an aligned-binary type (0: variable).
    pub byte_length: u32,
    /// The alignment an aligned-binary payload needs.
    pub required_alignment: u16,
}

impl TypeDecl {
    /// A FlatBuffer type by schema name, file identifier and root type.
    pub const fn flatbuffer(
        schema_name: &'static str,
        file_identifier: &'static str,
        root_type: &'static str,
    ) -> TypeDecl {
        TypeDecl {
            schema_name,
            file_identifier,
            root_type,
            schema_version: "",
            wire_format: 0,
            byte_length: 0,
            required_alignment: 0,
        }
    }

    /// The type as a PIV type reference.
    pub fn type_ref(&self) -> super::TypeRef<'static> {
        super::TypeRef {
            schema_name: self.schema_name,
            file_identifier: self.file_identifier,
            schema_version: self.schema_version,
            root_type: self.root_type,
            wire_format: self.wire_format,
            byte_length: self.byte_length,
            required_alignment: self.required_alignment,
            ..super::TypeRef::default()
        }
    }
}

/// One input or output port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortDecl {
    /// The port id frames name.
    pub id: &'static str,
    /// Whether a request must carry a frame on it (inputs only).
    pub required: bool,
    /// The types of its one accepted type set; the first is the declared
    /// type given to a frame that carries no type ref, and the type ref of
    /// every output frame.
    pub types: &'static [TypeDecl],
}

impl PortDecl {
    /// The port's declared (first) type.
    pub fn declared_type(&self) -> Option<&'static TypeDecl> {
        self.types.first()
    }
}

/// One method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MethodDecl {
    /// The method id requests name.
    pub id: &'static str,
    /// The most frames one request may carry on any one input port.
    pub max_batch: u32,
    /// Its input ports.
    pub inputs: &'static [PortDecl],
    /// Its output ports.
    pub outputs: &'static [PortDecl],
}

impl MethodDecl {
    /// The input port called `id`.
    pub fn input(&self, id: &str) -> Option<&'static PortDecl> {
        self.inputs.iter().find(|port| port.id == id)
    }

    /// The index of the output port called `id`.
    pub fn output_index(&self, id: &str) -> Option<usize> {
        self.outputs.iter().position(|port| port.id == id)
    }
}
