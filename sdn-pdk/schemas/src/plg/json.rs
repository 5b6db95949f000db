//! [`to_json`]: a manifest in the module SDK's `manifest.json` vocabulary.

use alloc::string::String;
use core::fmt::{Display, Write as _};

use super::build::derived_wire_formats;
use super::{
    CapabilitySpec, MethodSpec, PlgSpec, PortSpec, ProtocolSpec, TimerSpec, TypeSetSpec, TypeSpec,
    capability_kind, drain_policy, plugin_type_name, surface, wire_format_name,
};
use crate::json::push_str;

/// The manifest as JSON text in the module SDK's `manifest.json`
/// vocabulary: `pluginId`, `name`, `version`, `description`, `pluginFamily`
/// (the type's name), `abiVersion` (when not 1), `capabilities` (names; an
/// object `{"capability", "required": false}` for an optional one),
/// `methods` (`methodId`, `displayName`, `inputPorts`/`outputPorts` with
/// `portId`, `acceptedTypeSets` [`setId`, `allowedTypes` {`schemaName`,
/// `fileIdentifier`, `schemaVersion`, `schemaHash` (hex), `rootTypeName`,
/// `wireFormat` `"flatbuffer"`/`"aligned-binary"`, `byteLength`,
/// `requiredAlignment`}], `minStreams`, `maxStreams`, `required`; `maxBatch`,
/// `drainPolicy` `"single-shot"`/…), `invokeSurfaces`, `runtimeTargets`,
/// `timers`, `protocols`. Absent and empty optional values are left out,
/// like the module SDK's own manifests; an enum value without a name is
/// written as its number. Derived fields (`ENTRY_FUNCTIONS`,
/// `REQUIRED_SCHEMAS`) are not written: they follow from the methods.
#[must_use]
pub fn to_json(spec: &PlgSpec) -> String {
    let mut out = String::new();
    let mut o = Obj::open(&mut out);
    o.str("pluginId", &spec.plugin_id);
    o.str("name", &spec.name);
    o.str("version", &spec.version);
    o.opt_str("description", spec.description.as_deref());
    if let Some(t) = spec.plugin_type {
        o.name_or_number("pluginFamily", plugin_type_name(t), t);
    }
    if spec.abi_version != 1 {
        o.num("abiVersion", spec.abi_version);
    }
    o.array("capabilities", &spec.capabilities, capability);
    o.array("methods", &spec.methods, method);
    if !spec.invoke_surfaces.is_empty() {
        o.array("invokeSurfaces", &spec.invoke_surfaces, |out, &s| {
            name_or_number(out, surface::name(s), s);
        });
    }
    if !spec.runtime_targets.is_empty() {
        o.array("runtimeTargets", &spec.runtime_targets, |out, t| {
            push_str(out, t)
        });
    }
    if !spec.timers.is_empty() {
        o.array("timers", &spec.timers, timer);
    }
    if !spec.protocols.is_empty() {
        o.array("protocols", &spec.protocols, protocol);
    }
    o.close();
    out
}

fn capability(out: &mut String, c: &CapabilitySpec) {
    // A bare name is a required capability of that name's kind.
    if c.required && c.kind.is_none_or(|k| capability_kind(&c.name) == Some(k)) {
        push_str(out, &c.name);
        return;
    }
    let mut o = Obj::open(out);
    o.str("capability", &c.name);
    if let Some(kind) = c.kind.filter(|&k| capability_kind(&c.name) != Some(k)) {
        o.num("kind", kind);
    }
    o.bool("required", c.required);
    o.close();
}

fn method(out: &mut String, m: &MethodSpec) {
    let mut o = Obj::open(out);
    o.str("methodId", &m.method_id);
    o.opt_str("displayName", m.display_name.as_deref());
    o.array("inputPorts", &m.inputs, port);
    o.array("outputPorts", &m.outputs, port);
    o.num("maxBatch", m.max_batch);
    o.name_or_number(
        "drainPolicy",
        drain_policy::name(m.drain_policy),
        m.drain_policy,
    );
    o.opt_str("description", m.description.as_deref());
    o.close();
}

fn port(out: &mut String, p: &PortSpec) {
    let mut o = Obj::open(out);
    o.str("portId", &p.port_id);
    o.opt_str("displayName", p.display_name.as_deref());
    o.array("acceptedTypeSets", &p.type_sets, type_set);
    o.num("minStreams", p.min_streams);
    o.num("maxStreams", p.max_streams);
    o.bool("required", p.required);
    o.opt_str("description", p.description.as_deref());
    o.close();
}

fn type_set(out: &mut String, s: &TypeSetSpec) {
    let mut o = Obj::open(out);
    o.opt_str("setId", s.set_id.as_deref());
    o.array("allowedTypes", &s.allowed_types, type_spec);
    // Written only when it says more than the types do.
    if !s.allowed_wire_formats.is_empty()
        && s.allowed_wire_formats != derived_wire_formats(&s.allowed_types)
    {
        o.array("allowedWireFormats", &s.allowed_wire_formats, |out, &f| {
            name_or_number(out, wire_format_name(f), f);
        });
    }
    o.opt_str("description", s.description.as_deref());
    o.close();
}

fn type_spec(out: &mut String, t: &TypeSpec) {
    let mut o = Obj::open(out);
    o.str("schemaName", &t.schema_name);
    o.str("fileIdentifier", &t.file_identifier);
    o.opt_str("schemaVersion", t.schema_version.as_deref());
    if !t.schema_hash.is_empty() {
        let mut hex = String::with_capacity(t.schema_hash.len() * 2);
        for byte in &t.schema_hash {
            let _ = write!(hex, "{byte:02x}");
        }
        o.str("schemaHash", &hex);
    }
    o.str("rootTypeName", &t.root_type);
    o.name_or_number("wireFormat", wire_format_name(t.wire_format), t.wire_format);
    if t.byte_length > 0 {
        o.num("byteLength", t.byte_length);
    }
    if t.required_alignment > 0 {
        o.num("requiredAlignment", t.required_alignment);
    }
    if t.accepts_any_flatbuffer {
        o.bool("acceptsAnyFlatbuffer", true);
    }
    o.close();
}

fn timer(out: &mut String, t: &TimerSpec) {
    let mut o = Obj::open(out);
    o.str("timerId", &t.timer_id);
    o.str("methodId", &t.method_id);
    o.opt_str("inputPortId", t.input_port_id.as_deref());
    o.num("defaultIntervalMs", t.default_interval_ms);
    o.opt_str("description", t.description.as_deref());
    o.close();
}

fn protocol(out: &mut String, p: &ProtocolSpec) {
    let mut o = Obj::open(out);
    o.str("protocolId", &p.protocol_id);
    o.str("methodId", &p.method_id);
    o.opt_str("inputPortId", p.input_port_id.as_deref());
    o.opt_str("outputPortId", p.output_port_id.as_deref());
    o.opt_str("description", p.description.as_deref());
    o.opt_str("wireId", p.wire_id.as_deref());
    o.opt_str("transportKind", p.transport_kind.as_deref());
    o.opt_str("role", p.role.as_deref());
    o.opt_str("specUri", p.spec_uri.as_deref());
    o.bool("autoInstall", p.auto_install);
    o.bool("advertise", p.advertise);
    o.opt_str("discoveryKey", p.discovery_key.as_deref());
    o.num("defaultPort", p.default_port);
    o.bool("requireSecureTransport", p.require_secure_transport);
    o.close();
}

/// `name` as a JSON string, or `value` as a number when it has none.
fn name_or_number(out: &mut String, name: Option<&str>, value: impl Display) {
    match name {
        Some(name) => push_str(out, name),
        None => {
            let _ = write!(out, "{value}");
        }
    }
}

/// A JSON object being written: `{`, then `"key":value` pairs.
struct Obj<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Obj<'o> {
    fn open(out: &'o mut String) -> Self {
        out.push('{');
        Self { out, first: true }
    }

    fn key(&mut self, key: &str) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        push_str(self.out, key);
        self.out.push(':');
        self.out
    }

    fn str(&mut self, key: &str, value: &str) {
        push_str(self.key(key), value);
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.str(key, value);
        }
    }

    fn num(&mut self, key: &str, value: impl Display) {
        let _ = write!(self.key(key), "{value}");
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.num(key, value);
    }

    fn name_or_number(&mut self, key: &str, name: Option<&str>, value: impl Display) {
        name_or_number(self.key(key), name, value);
    }

    fn array<T>(&mut self, key: &str, items: &[T], mut write: impl FnMut(&mut String, &T)) {
        let out = self.key(key);
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write(out, item);
        }
        out.push(']');
    }

    fn close(self) {
        self.out.push('}');
    }
}
