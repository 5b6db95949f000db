//! [`build`]: a `$PLG` written the way the module SDK's encoder writes one.
//!
//! The module SDK (`src/manifest/plgCodec.js`, `encodePlgManifest`) creates
//! every child (strings, vectors, tables) before its parent and adds a
//! table's fields in id order, leaving schema defaults out. This builder
//! makes the same calls in the same order, so for the same manifest it
//! writes the same bytes (a test holds it to the module SDK's vector).

use alloc::string::String;
use alloc::vec::Vec;

use flatbuffers::{FlatBufferBuilder, ForwardsUOffset, Vector, WIPOffset};

use super::{
    CapabilitySpec, EntryFunctionSpec, MethodSpec, PlgSpec, PortSpec, ProtocolSpec, TimerSpec,
    TypeSetSpec, TypeSpec, capability_kind,
};
use crate::generated::plg::sds as fb;
use crate::piv::wire_format;

type Fbb<'f> = FlatBufferBuilder<'f>;
type Offsets<'f, T> = WIPOffset<Vector<'f, ForwardsUOffset<T>>>;

/// Builds a finished `$PLG` buffer for `spec`, deterministically.
///
/// Writes `CAPABILITIES` (names) and `HOST_CAPABILITIES` (kinds, for the
/// capabilities that have one) and derives `ENTRY_FUNCTIONS` (one per
/// method: its id and description, each input port's first schema name,
/// the first output port's first schema name) and `REQUIRED_SCHEMAS` (those
/// names, each once) from the methods, ignoring `spec.entry_functions` and
/// `spec.required_schemas`. Leaves schema defaults out like the module SDK's
/// encoder (`MAX_BATCH` 1, `MIN_STREAMS`/`MAX_STREAMS` 1, `REQUIRED` true,
/// `ABI_VERSION` 1, …) and writes `ENCRYPTED` false. Port, type set and type
/// vectors are written even when empty (the validator wants the arrays);
/// the manifest's optional vectors are left out when empty. A `plugin_type`
/// of `Some` is always written, `Some(0)` (sensor) included.
///
/// # Panics
///
/// Only when the manifest would exceed the FlatBuffers limit of 2 GiB.
#[must_use]
pub fn build(spec: &PlgSpec) -> Vec<u8> {
    let mut fbb = Fbb::new();
    let plugin_id = fbb.create_string(&spec.plugin_id);
    let name = fbb.create_string(&spec.name);
    let version = fbb.create_string(&spec.version);
    let description = opt_string(&mut fbb, spec.description.as_deref());

    let entries = entry_functions(&spec.methods);
    let entry_functions: Vec<_> = entries
        .iter()
        .map(|e| entry_function(&mut fbb, e))
        .collect();
    let entry_functions = opt_vector(&mut fbb, &entry_functions);
    let required_schemas = string_vector(&mut fbb, &required_schemas(&entries));
    let capabilities: Vec<_> = spec
        .capabilities
        .iter()
        .map(|c| plugin_capability(&mut fbb, c))
        .collect();
    let capabilities = opt_vector(&mut fbb, &capabilities);
    let invoke_surfaces: Vec<_> = spec
        .invoke_surfaces
        .iter()
        .map(|&s| fb::invokeSurfaceKind(s))
        .collect();
    let invoke_surfaces =
        (!invoke_surfaces.is_empty()).then(|| fbb.create_vector(&invoke_surfaces));
    let methods: Vec<_> = spec.methods.iter().map(|m| method(&mut fbb, m)).collect();
    let methods = opt_vector(&mut fbb, &methods);
    let host_capabilities: Vec<_> = spec
        .capabilities
        .iter()
        .filter_map(|c| host_capability(&mut fbb, c))
        .collect();
    let host_capabilities = opt_vector(&mut fbb, &host_capabilities);
    let timers: Vec<_> = spec.timers.iter().map(|t| timer(&mut fbb, t)).collect();
    let timers = opt_vector(&mut fbb, &timers);
    let protocols: Vec<_> = spec
        .protocols
        .iter()
        .map(|p| protocol(&mut fbb, p))
        .collect();
    let protocols = opt_vector(&mut fbb, &protocols);
    let runtime_targets = string_vector(&mut fbb, &spec.runtime_targets);

    // The root's scalars are written by choice below (`plugin_type` even at
    // its default), so defaults are forced for this one table.
    fbb.force_defaults(true);
    let mut root = fb::PLGBuilder::new(&mut fbb);
    root.add_plugin_id(plugin_id);
    root.add_name(name);
    root.add_version(version);
    if let Some(description) = description {
        root.add_description(description);
    }
    if let Some(plugin_type) = spec.plugin_type {
        root.add_plugin_type(fb::pluginCategory(plugin_type));
    }
    if spec.abi_version != 1 {
        root.add_abi_version(spec.abi_version);
    }
    if let Some(v) = entry_functions {
        root.add_entry_functions(v);
    }
    if let Some(v) = required_schemas {
        root.add_required_schemas(v);
    }
    if let Some(v) = capabilities {
        root.add_capabilities(v);
    }
    root.add_encrypted(false);
    if let Some(v) = invoke_surfaces {
        root.add_invoke_surfaces(v);
    }
    if let Some(v) = methods {
        root.add_methods(v);
    }
    if let Some(v) = host_capabilities {
        root.add_host_capabilities(v);
    }
    if let Some(v) = timers {
        root.add_timers(v);
    }
    if let Some(v) = protocols {
        root.add_protocols(v);
    }
    if let Some(v) = runtime_targets {
        root.add_runtime_targets(v);
    }
    let root = root.finish();
    fbb.force_defaults(false);
    fb::finish_plg_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

/// The entry functions the module SDK derives from `methods`.
pub(super) fn entry_functions(methods: &[MethodSpec]) -> Vec<EntryFunctionSpec> {
    methods
        .iter()
        .map(|m| EntryFunctionSpec {
            name: m.method_id.clone(),
            description: m.description.clone(),
            input_schemas: m.inputs.iter().filter_map(first_schema_name).collect(),
            output_schema: m.outputs.first().and_then(first_schema_name),
        })
        .collect()
}

/// A port's schema name for the entry functions: the first named type of
/// its first type set that has one, else that set's id.
fn first_schema_name(port: &PortSpec) -> Option<String> {
    port.type_sets.iter().find_map(|set| {
        set.allowed_types
            .iter()
            .map(|t| &t.schema_name)
            .find(|name| !name.is_empty())
            .or(set.set_id.as_ref().filter(|id| !id.is_empty()))
            .cloned()
    })
}

/// Every schema name the entry functions use, each once, in order.
fn required_schemas(entries: &[EntryFunctionSpec]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for entry in entries {
        for name in entry.input_schemas.iter().chain(&entry.output_schema) {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// `s` as a string, `None` when absent or empty (the encoder skips those).
fn opt_string<'f>(fbb: &mut Fbb<'f>, s: Option<&str>) -> Option<WIPOffset<&'f str>> {
    s.filter(|s| !s.is_empty()).map(|s| fbb.create_string(s))
}

/// A vector of tables, `None` when there are none.
fn opt_vector<'f, T>(fbb: &mut Fbb<'f>, items: &[WIPOffset<T>]) -> Option<Offsets<'f, T>> {
    (!items.is_empty()).then(|| fbb.create_vector(items))
}

/// A `[string]` of the non-empty `strings`, `None` when there are none.
fn string_vector<'f>(fbb: &mut Fbb<'f>, strings: &[String]) -> Option<Offsets<'f, &'f str>> {
    let offsets: Vec<_> = strings
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| fbb.create_string(s))
        .collect();
    opt_vector(fbb, &offsets)
}

fn entry_function<'f>(
    fbb: &mut Fbb<'f>,
    e: &EntryFunctionSpec,
) -> WIPOffset<fb::EntryFunction<'f>> {
    let name = fbb.create_string(&e.name);
    let description = opt_string(fbb, e.description.as_deref());
    let input_schemas = string_vector(fbb, &e.input_schemas);
    let output_schema = opt_string(fbb, e.output_schema.as_deref());
    let mut t = fb::EntryFunctionBuilder::new(fbb);
    t.add_name(name);
    if let Some(v) = description {
        t.add_description(v);
    }
    if let Some(v) = input_schemas {
        t.add_input_schemas(v);
    }
    if let Some(v) = output_schema {
        t.add_output_schema(v);
    }
    t.finish()
}

fn plugin_capability<'f>(
    fbb: &mut Fbb<'f>,
    c: &CapabilitySpec,
) -> WIPOffset<fb::PluginCapability<'f>> {
    let name = opt_string(fbb, Some(&c.name));
    let mut t = fb::PluginCapabilityBuilder::new(fbb);
    if let Some(v) = name {
        t.add_name(v);
    }
    t.add_required(c.required);
    t.finish()
}

/// The `PLGHostCapability` of `c`, `None` when it has no kind.
fn host_capability<'f>(
    fbb: &mut Fbb<'f>,
    c: &CapabilitySpec,
) -> Option<WIPOffset<fb::PLGHostCapability<'f>>> {
    let kind = c.kind.or_else(|| capability_kind(&c.name))?;
    let mut t = fb::PLGHostCapabilityBuilder::new(fbb);
    t.add_capability(fb::hostCapabilityKind(kind));
    t.add_required(c.required);
    Some(t.finish())
}

fn method<'f>(fbb: &mut Fbb<'f>, m: &MethodSpec) -> WIPOffset<fb::PLGMethodManifest<'f>> {
    let inputs: Vec<_> = m.inputs.iter().map(|p| port(fbb, p)).collect();
    let outputs: Vec<_> = m.outputs.iter().map(|p| port(fbb, p)).collect();
    let inputs = fbb.create_vector(&inputs);
    let outputs = fbb.create_vector(&outputs);
    let method_id = fbb.create_string(&m.method_id);
    let display_name = opt_string(fbb, m.display_name.as_deref());
    let description = opt_string(fbb, m.description.as_deref());
    let mut t = fb::PLGMethodManifestBuilder::new(fbb);
    t.add_method_id(method_id);
    if let Some(v) = display_name {
        t.add_display_name(v);
    }
    t.add_input_ports(inputs);
    t.add_output_ports(outputs);
    t.add_max_batch(m.max_batch);
    t.add_drain_policy(fb::drainBehavior(m.drain_policy));
    if let Some(v) = description {
        t.add_description(v);
    }
    t.finish()
}

fn port<'f>(fbb: &mut Fbb<'f>, p: &PortSpec) -> WIPOffset<fb::PLGPortManifest<'f>> {
    let sets: Vec<_> = p.type_sets.iter().map(|s| type_set(fbb, s)).collect();
    let sets = fbb.create_vector(&sets);
    let port_id = fbb.create_string(&p.port_id);
    let display_name = opt_string(fbb, p.display_name.as_deref());
    let description = opt_string(fbb, p.description.as_deref());
    let mut t = fb::PLGPortManifestBuilder::new(fbb);
    t.add_port_id(port_id);
    if let Some(v) = display_name {
        t.add_display_name(v);
    }
    t.add_accepted_type_sets(sets);
    t.add_min_streams(p.min_streams);
    t.add_max_streams(p.max_streams);
    t.add_required(p.required);
    if let Some(v) = description {
        t.add_description(v);
    }
    t.finish()
}

/// The wire formats a type set's `ALLOWED_WIRE_FORMATS` gets when the spec
/// leaves it empty: each type's once, in order; `[flatbuffer]` without types.
pub(super) fn derived_wire_formats(types: &[TypeSpec]) -> Vec<u8> {
    let mut formats = Vec::new();
    for t in types {
        if !formats.contains(&t.wire_format) {
            formats.push(t.wire_format);
        }
    }
    if formats.is_empty() {
        formats.push(wire_format::FLATBUFFER);
    }
    formats
}

fn type_set<'f>(fbb: &mut Fbb<'f>, s: &TypeSetSpec) -> WIPOffset<fb::PLGAcceptedTypeSet<'f>> {
    let types: Vec<_> = s.allowed_types.iter().map(|t| type_ref(fbb, t)).collect();
    let types = fbb.create_vector(&types);
    let formats = if s.allowed_wire_formats.is_empty() {
        derived_wire_formats(&s.allowed_types)
    } else {
        s.allowed_wire_formats.clone()
    };
    let formats: Vec<_> = formats.into_iter().map(fb::payloadWireFormat).collect();
    let formats = fbb.create_vector(&formats);
    let set_id = fbb.create_string(s.set_id.as_deref().unwrap_or(""));
    let description = opt_string(fbb, s.description.as_deref());
    let mut t = fb::PLGAcceptedTypeSetBuilder::new(fbb);
    t.add_set_id(set_id);
    t.add_allowed_types(types);
    t.add_allowed_wire_formats(formats);
    if let Some(v) = description {
        t.add_description(v);
    }
    t.finish()
}

fn type_ref<'f>(fbb: &mut Fbb<'f>, s: &TypeSpec) -> WIPOffset<fb::FlatBufferTypeRef<'f>> {
    let schema_name = opt_string(fbb, Some(&s.schema_name));
    let file_identifier = opt_string(fbb, Some(&s.file_identifier));
    let schema_version = opt_string(fbb, s.schema_version.as_deref());
    let root_type = opt_string(fbb, Some(&s.root_type));
    let schema_hash = (!s.schema_hash.is_empty()).then(|| fbb.create_vector(&s.schema_hash));
    let mut t = fb::FlatBufferTypeRefBuilder::new(fbb);
    if let Some(v) = schema_name {
        t.add_schema_name(v);
    }
    if let Some(v) = file_identifier {
        t.add_file_identifier(v);
    }
    if let Some(v) = schema_version {
        t.add_schema_version(v);
    }
    if let Some(v) = root_type {
        t.add_root_type(v);
    }
    if let Some(v) = schema_hash {
        t.add_schema_hash(v);
    }
    t.add_accepts_any_flatbuffer(s.accepts_any_flatbuffer);
    t.add_wire_format(fb::payloadWireFormat(s.wire_format));
    t.add_byte_length(s.byte_length);
    t.add_required_alignment(s.required_alignment);
    t.finish()
}

fn timer<'f>(fbb: &mut Fbb<'f>, s: &TimerSpec) -> WIPOffset<fb::PLGTimerSpec<'f>> {
    let timer_id = fbb.create_string(&s.timer_id);
    let method_id = fbb.create_string(&s.method_id);
    let input_port_id = opt_string(fbb, s.input_port_id.as_deref());
    let description = opt_string(fbb, s.description.as_deref());
    let mut t = fb::PLGTimerSpecBuilder::new(fbb);
    t.add_timer_id(timer_id);
    t.add_method_id(method_id);
    if let Some(v) = input_port_id {
        t.add_input_port_id(v);
    }
    t.add_default_interval_ms(s.default_interval_ms.cast_unsigned());
    if let Some(v) = description {
        t.add_description(v);
    }
    t.finish()
}

fn protocol<'f>(fbb: &mut Fbb<'f>, s: &ProtocolSpec) -> WIPOffset<fb::PLGProtocolSpec<'f>> {
    let input_port_id = opt_string(fbb, s.input_port_id.as_deref());
    let output_port_id = opt_string(fbb, s.output_port_id.as_deref());
    let description = opt_string(fbb, s.description.as_deref());
    let wire_id = opt_string(fbb, s.wire_id.as_deref());
    let transport_kind = opt_string(fbb, s.transport_kind.as_deref());
    let role = opt_string(fbb, s.role.as_deref());
    let spec_uri = opt_string(fbb, s.spec_uri.as_deref());
    let discovery_key = opt_string(fbb, s.discovery_key.as_deref());
    let protocol_id = fbb.create_string(&s.protocol_id);
    let method_id = fbb.create_string(&s.method_id);
    let mut t = fb::PLGProtocolSpecBuilder::new(fbb);
    t.add_protocol_id(protocol_id);
    t.add_method_id(method_id);
    if let Some(v) = input_port_id {
        t.add_input_port_id(v);
    }
    if let Some(v) = output_port_id {
        t.add_output_port_id(v);
    }
    if let Some(v) = description {
        t.add_description(v);
    }
    if let Some(v) = wire_id {
        t.add_wire_id(v);
    }
    if let Some(v) = transport_kind {
        t.add_transport_kind(v);
    }
    if let Some(v) = role {
        t.add_role(v);
    }
    if let Some(v) = spec_uri {
        t.add_spec_uri(v);
    }
    t.add_auto_install(s.auto_install);
    t.add_advertise(s.advertise);
    if let Some(v) = discovery_key {
        t.add_discovery_key(v);
    }
    t.add_default_port(s.default_port);
    t.add_require_secure_transport(s.require_secure_transport);
    t.finish()
}
