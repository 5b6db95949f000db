//! [`read`]: a verified `$PLG` into a [`PlgSpec`].

use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use flatbuffers::{ForwardsUOffset, Vector};

use super::{
    CapabilitySpec, EntryFunctionSpec, IDENTIFIER, MethodSpec, PlgSpec, PortSpec, ProtocolSpec,
    TimerSpec, TypeSetSpec, TypeSpec, capability_kind, capability_name,
};
use crate::error::{Error, check_identifier};
use crate::generated::plg::sds as fb;

type Tables<'a, T> = Option<Vector<'a, ForwardsUOffset<T>>>;

/// Verifies `bytes` as a `PLG` (identifier `$PLG`, then the FlatBuffers
/// verifier with its default limits) and reads it, schema defaults applied
/// (a missing `MAX_BATCH` is 1, a missing `REQUIRED` of a port true, …).
///
/// Capabilities come from `CAPABILITIES` (names, `REQUIRED`); each one's
/// kind is the `HOST_CAPABILITIES` entry at the same index when both lists
/// are as long, else the kind of its name if `HOST_CAPABILITIES` declares
/// it. A manifest with `HOST_CAPABILITIES` only reads as those kinds, by
/// name. `plugin_type` is `None` when the field is absent.
///
/// # Errors
///
/// [`Error::WrongIdentifier`] unless bytes 4..8 are `$PLG`;
/// [`Error::Invalid`] when the verifier rejects the buffer (truncated,
/// out-of-range offsets, a required field missing, a string that is not
/// UTF-8, …).
pub fn read(bytes: &[u8]) -> Result<PlgSpec, Error> {
    check_identifier(bytes, IDENTIFIER)?;
    let root = fb::root_as_plg(bytes)?;
    let plugin_type =
        (root._tab.vtable().get(fb::PLG::VT_PLUGIN_TYPE) != 0).then(|| root.plugin_type().0);
    Ok(PlgSpec {
        plugin_id: root.plugin_id().to_owned(),
        name: root.name().to_owned(),
        version: root.version().to_owned(),
        description: owned(root.description()),
        plugin_type,
        abi_version: root.abi_version(),
        capabilities: capabilities(root.capabilities(), root.host_capabilities()),
        methods: tables(root.methods(), method),
        invoke_surfaces: root
            .invoke_surfaces()
            .map(|v| v.iter().map(|s| s.0).collect())
            .unwrap_or_default(),
        runtime_targets: strings(root.runtime_targets()),
        timers: tables(root.timers(), timer),
        protocols: tables(root.protocols(), protocol),
        entry_functions: tables(root.entry_functions(), entry_function),
        required_schemas: strings(root.required_schemas()),
    })
}

fn owned(s: Option<&str>) -> Option<String> {
    s.map(str::to_owned)
}

fn strings(v: Option<Vector<'_, ForwardsUOffset<&str>>>) -> Vec<String> {
    v.map(|v| v.iter().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn tables<'a, T: flatbuffers::Follow<'a, Inner = T> + 'a, U>(
    v: Tables<'a, T>,
    f: impl Fn(T) -> U,
) -> Vec<U> {
    v.map(|v| v.iter().map(f).collect()).unwrap_or_default()
}

fn capabilities<'a>(
    names: Tables<'a, fb::PluginCapability<'a>>,
    hosts: Tables<'a, fb::PLGHostCapability<'a>>,
) -> Vec<CapabilitySpec> {
    let kinds: Vec<(u16, bool)> = tables(hosts, |h| (h.capability().0, h.required()));
    let names: Vec<(String, bool)> = tables(names, |c| {
        (c.name().unwrap_or_default().to_owned(), c.required())
    });
    if names.is_empty() {
        return kinds
            .into_iter()
            .map(|(kind, required)| CapabilitySpec {
                name: capability_name(kind).map_or_else(|| kind.to_string(), str::to_owned),
                kind: Some(kind),
                required,
            })
            .collect();
    }
    let paired = names.len() == kinds.len();
    names
        .into_iter()
        .enumerate()
        .map(|(i, (name, required))| {
            let kind = if paired {
                Some(kinds[i].0)
            } else {
                capability_kind(&name).filter(|k| kinds.iter().any(|(have, _)| have == k))
            };
            CapabilitySpec {
                name,
                kind,
                required,
            }
        })
        .collect()
}

fn method(m: fb::PLGMethodManifest<'_>) -> MethodSpec {
    MethodSpec {
        method_id: m.method_id().to_owned(),
        display_name: owned(m.display_name()),
        inputs: tables(m.input_ports(), port),
        outputs: tables(m.output_ports(), port),
        max_batch: m.max_batch(),
        drain_policy: m.drain_policy().0,
        description: owned(m.description()),
    }
}

fn port(p: fb::PLGPortManifest<'_>) -> PortSpec {
    PortSpec {
        port_id: p.port_id().to_owned(),
        display_name: owned(p.display_name()),
        type_sets: tables(p.accepted_type_sets(), type_set),
        min_streams: p.min_streams(),
        max_streams: p.max_streams(),
        required: p.required(),
        description: owned(p.description()),
    }
}

fn type_set(s: fb::PLGAcceptedTypeSet<'_>) -> TypeSetSpec {
    TypeSetSpec {
        set_id: Some(s.set_id())
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        allowed_types: tables(s.allowed_types(), type_spec),
        allowed_wire_formats: s
            .allowed_wire_formats()
            .map(|v| v.iter().map(|f| f.0).collect())
            .unwrap_or_default(),
        description: owned(s.description()),
    }
}

fn type_spec(t: fb::FlatBufferTypeRef<'_>) -> TypeSpec {
    TypeSpec {
        schema_name: t.schema_name().unwrap_or_default().to_owned(),
        file_identifier: t.file_identifier().unwrap_or_default().to_owned(),
        root_type: t.root_type().unwrap_or_default().to_owned(),
        schema_version: owned(t.schema_version()),
        schema_hash: t
            .schema_hash()
            .map(|v| v.bytes().to_vec())
            .unwrap_or_default(),
        wire_format: t.wire_format().0,
        byte_length: t.byte_length(),
        required_alignment: t.required_alignment(),
        accepts_any_flatbuffer: t.accepts_any_flatbuffer(),
    }
}

fn timer(t: fb::PLGTimerSpec<'_>) -> TimerSpec {
    TimerSpec {
        timer_id: t.timer_id().to_owned(),
        method_id: t.method_id().to_owned(),
        input_port_id: owned(t.input_port_id()),
        default_interval_ms: t.default_interval_ms().cast_signed(),
        description: owned(t.description()),
    }
}

fn protocol(p: fb::PLGProtocolSpec<'_>) -> ProtocolSpec {
    ProtocolSpec {
        protocol_id: p.protocol_id().to_owned(),
        method_id: p.method_id().to_owned(),
        input_port_id: owned(p.input_port_id()),
        output_port_id: owned(p.output_port_id()),
        description: owned(p.description()),
        wire_id: owned(p.wire_id()),
        transport_kind: owned(p.transport_kind()),
        role: owned(p.role()),
        spec_uri: owned(p.spec_uri()),
        auto_install: p.auto_install(),
        advertise: p.advertise(),
        discovery_key: owned(p.discovery_key()),
        default_port: p.default_port(),
        require_secure_transport: p.require_secure_transport(),
    }
}

fn entry_function(e: fb::EntryFunction<'_>) -> EntryFunctionSpec {
    EntryFunctionSpec {
        name: e.name().to_owned(),
        description: owned(e.description()),
        input_schemas: strings(e.input_schemas()),
        output_schema: owned(e.output_schema()),
    }
}
