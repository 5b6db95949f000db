//! What the module SDK's validator (`space-data-module check`, v0.8.11)
//! requires of a `$PLG` manifest, as `docs/module-abi.md` lists it:
//! `pluginId`, `name`, `version` and a plugin family; capabilities from its
//! vocabulary; at least one method, each with `maxBatch >= 1` and a known
//! drain policy; each port exactly one accepted type set whose types name a
//! schema, file identifier and root type (no `acceptsAnyFlatbuffer`), and
//! `minStreams <= maxStreams`; invoke surfaces from {direct, command};
//! runtime targets from the canonical list, `wasi` needing the `command`
//! surface and only the standalone-WASI capabilities. The surfaces' exports
//! are the export rules' (`check/module.rs`), timers and protocols
//! `check/plg_wiring.rs`'s.
//!
//! Two rules are stricter than the validator, which only warns
//! (`noncanonical-capability`, `noncanonical-runtime-target`): a capability
//! outside the vocabulary is an error (no host grants a name it does not
//! know), and so is an unknown runtime target (the contract lists the
//! targets; a name outside it is a typo or a host nobody models).
//!
//! A `$PLG` always carries port arrays, `minStreams`/`maxStreams` and
//! `required` (absent fields read as the schema's defaults), so those
//! "must be set" rules of the JSON validator cannot fail here.

use sdn_pdk_schemas::piv::wire_format;
use sdn_pdk_schemas::plg::{self, PlgSpec, PortSpec, TypeSpec, drain_policy, surface};

use crate::Finding;
use crate::plg_wiring::transport_kind;

/// The runtime target that needs the `command` surface.
const WASI_TARGET: &str = "wasi";
/// The runtime target with [`plg::BROWSER_INCOMPATIBLE_CAPABILITIES`].
const BROWSER_TARGET: &str = "browser";
/// The one protocol transport a standalone WASI run has.
const WASI_TRANSPORT: &str = "wasi-pipe";

/// Every manifest rule (see the module docs).
pub(super) fn check(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    check_identity(spec, findings);
    check_capabilities(spec, findings);
    check_methods(spec, findings);
    check_surfaces(spec, findings);
    check_runtime_targets(spec, findings);
}

/// `pluginId`, `name`, `version`, and a plugin family the standard knows.
fn check_identity(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    for (field, value) in [
        ("pluginId", &spec.plugin_id),
        ("name", &spec.name),
        ("version", &spec.version),
    ] {
        if value.trim().is_empty() {
            findings.push(Finding::error(format!(
                "the manifest has no {field} — the module SDK's validator requires pluginId, \
                 name, version and a plugin family"
            )));
        }
    }
    match spec.plugin_type {
        None => findings.push(Finding::error(
            "the manifest declares no plugin family (PLUGIN_TYPE) — the module SDK's validator \
             requires one (e.g. analysis, infrastructure)",
        )),
        Some(value) if plg::plugin_type_name(value).is_none() => {
            findings.push(Finding::error(format!(
                "the manifest's plugin family (PLUGIN_TYPE) is {value}, not one of the \
                 standard's {} plugin types",
                plg::PLUGIN_TYPES.len()
            )));
        }
        Some(_) => {}
    }
}

/// Capabilities from the vocabulary, each once.
fn check_capabilities(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    let mut seen: Vec<&str> = Vec::new();
    for capability in &spec.capabilities {
        let name = capability.name.as_str();
        if seen.contains(&name) {
            findings.push(Finding::warning(format!(
                "the manifest declares the capability `{name}` more than once"
            )));
            continue;
        }
        seen.push(name);
        if !plg::CANONICAL_CAPABILITIES.contains(&name) {
            findings.push(Finding::error(format!(
                "the manifest declares the capability `{name}`, which is not in the module \
                 SDK's vocabulary — no host grants it"
            )));
        }
    }
}

/// At least one method; each with a unique id, `maxBatch >= 1`, a known
/// drain policy and valid ports.
fn check_methods(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    if spec.methods.is_empty() {
        findings.push(Finding::error(
            "the manifest declares no methods — the module SDK's validator requires at least one",
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for (index, method) in spec.methods.iter().enumerate() {
        let id = method.method_id.as_str();
        let label = if id.trim().is_empty() {
            findings.push(Finding::error(format!(
                "the manifest's method #{} has no methodId",
                index + 1
            )));
            format!("method #{}", index + 1)
        } else {
            if seen.contains(&id) {
                findings.push(Finding::error(format!(
                    "the manifest declares method `{id}` more than once"
                )));
            }
            seen.push(id);
            format!("method `{id}`")
        };
        if method.max_batch == 0 {
            findings.push(Finding::error(format!(
                "{label} has maxBatch 0 — the module SDK's validator requires at least 1"
            )));
        }
        if drain_policy::name(method.drain_policy).is_none() {
            findings.push(Finding::error(format!(
                "{label} has drain policy {}, not single-shot (0), drain-until-yield (1) or \
                 drain-to-empty (2)",
                method.drain_policy
            )));
        }
        for (direction, ports) in [("input", &method.inputs), ("output", &method.outputs)] {
            for (i, port) in ports.iter().enumerate() {
                let port_label = if port.port_id.trim().is_empty() {
                    findings.push(Finding::error(format!(
                        "{label}'s {direction} port #{} has no portId",
                        i + 1
                    )));
                    format!("{label}'s {direction} port #{}", i + 1)
                } else {
                    format!("{label}'s {direction} port `{}`", port.port_id)
                };
                check_port(&port_label, port, findings);
            }
        }
    }
}

/// Exactly one accepted type set, with a set id and concrete types;
/// `minStreams <= maxStreams`.
fn check_port(label: &str, port: &PortSpec, findings: &mut Vec<Finding>) {
    if port.min_streams > port.max_streams {
        findings.push(Finding::error(format!(
            "{label} has minStreams {} above maxStreams {}",
            port.min_streams, port.max_streams
        )));
    }
    let set = match port.type_sets.as_slice() {
        [one] => one,
        sets => {
            findings.push(Finding::error(format!(
                "{label} declares {} accepted type sets — the module SDK's validator requires \
                 exactly one",
                sets.len()
            )));
            return;
        }
    };
    if set.set_id.as_deref().is_none_or(|id| id.trim().is_empty()) {
        findings.push(Finding::error(format!(
            "{label}'s accepted type set has no setId"
        )));
    }
    if set.allowed_types.is_empty() {
        findings.push(Finding::error(format!(
            "{label}'s accepted type set allows no types — the module SDK's validator \
             requires at least one"
        )));
    }
    for ty in &set.allowed_types {
        check_type(label, ty, findings);
    }
    let count = |format: u8| {
        set.allowed_types
            .iter()
            .filter(|t| t.wire_format == format && !t.accepts_any_flatbuffer)
            .count()
    };
    let (canonical, aligned) = (
        count(wire_format::FLATBUFFER),
        count(wire_format::ALIGNED_BINARY),
    );
    if canonical == 0 && aligned > 0 {
        findings.push(Finding::error(format!(
            "{label} accepts an aligned-binary type without its canonical FlatBuffer peer — \
             hosts that cannot share the arena have nothing to send"
        )));
    }
    if canonical > 1 || aligned > 1 {
        findings.push(Finding::error(format!(
            "{label}'s accepted type set has {canonical} canonical and {aligned} aligned-binary \
             types — the module SDK's validator allows one of each (one schema identity)"
        )));
    }
}

/// A concrete schema identity: schema name, a 4-character file identifier,
/// root type; a known wire format; no wildcard.
fn check_type(label: &str, ty: &TypeSpec, findings: &mut Vec<Finding>) {
    if ty.accepts_any_flatbuffer {
        findings.push(Finding::error(format!(
            "{label} accepts any FlatBuffer (acceptsAnyFlatbuffer) — the module SDK's validator \
             requires one concrete schema identity per port"
        )));
        return;
    }
    let schema = if ty.schema_name.is_empty() {
        "a type"
    } else {
        ty.schema_name.as_str()
    };
    for (field, value) in [
        ("schemaName", &ty.schema_name),
        ("fileIdentifier", &ty.file_identifier),
        ("rootTypeName", &ty.root_type),
    ] {
        if value.trim().is_empty() {
            findings.push(Finding::error(format!(
                "{label} accepts {schema} without a {field} — the module SDK's validator \
                 requires schemaName, fileIdentifier and rootTypeName"
            )));
        }
    }
    let id = &ty.file_identifier;
    if !id.is_empty() && (id.len() != 4 || !id.bytes().all(|b| (0x20..=0x7e).contains(&b))) {
        findings.push(Finding::error(format!(
            "{label} accepts {schema} with file identifier {id:?}, not four printable ASCII \
             characters"
        )));
    }
    match ty.wire_format {
        wire_format::FLATBUFFER => {}
        wire_format::ALIGNED_BINARY => {
            if !ty.required_alignment.is_power_of_two() {
                findings.push(Finding::error(format!(
                    "{label} accepts {schema} as aligned-binary with requiredAlignment {}, not \
                     a power of two",
                    ty.required_alignment
                )));
            }
        }
        other => findings.push(Finding::error(format!(
            "{label} accepts {schema} in wire format {other}, not flatbuffer (0) or \
             aligned-binary (1)"
        ))),
    }
}

/// Invoke surfaces from {direct, command}, each once.
fn check_surfaces(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    let mut seen = Vec::new();
    for &value in &spec.invoke_surfaces {
        match surface::name(value) {
            None => findings.push(Finding::error(format!(
                "the manifest declares invoke surface {value}, not direct (0) or command (1)"
            ))),
            Some(name) if seen.contains(&value) => findings.push(Finding::warning(format!(
                "the manifest declares the `{name}` invoke surface more than once"
            ))),
            Some(_) => seen.push(value),
        }
    }
}

/// Runtime targets from the canonical list; `wasi` needs the `command`
/// surface, only the standalone-WASI capabilities and `wasi-pipe`
/// protocols; `browser` excludes what the browser lacks.
fn check_runtime_targets(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    let mut seen: Vec<&str> = Vec::new();
    for target in &spec.runtime_targets {
        let target = target.as_str();
        if seen.contains(&target) {
            findings.push(Finding::warning(format!(
                "the manifest declares the runtime target `{target}` more than once"
            )));
            continue;
        }
        seen.push(target);
        if !plg::RUNTIME_TARGETS.contains(&target) {
            findings.push(Finding::error(format!(
                "the manifest declares the runtime target `{target}`, not one of {}",
                plg::RUNTIME_TARGETS.join(", ")
            )));
        }
    }
    if seen.contains(&WASI_TARGET) {
        if !spec.invoke_surfaces.contains(&surface::COMMAND) {
            findings.push(Finding::error(
                "the manifest targets `wasi` but does not declare the `command` invoke surface — \
                 a standalone WASI run enters through `_start`",
            ));
        }
        for capability in &spec.capabilities {
            if !plg::WASI_TARGET_CAPABILITIES.contains(&capability.name.as_str()) {
                findings.push(Finding::error(format!(
                    "the manifest targets `wasi` but declares the capability `{}` — a \
                     standalone WASI run has only {}",
                    capability.name,
                    plg::WASI_TARGET_CAPABILITIES.join(", ")
                )));
            }
        }
        for protocol in &spec.protocols {
            if let Some(kind) = protocol.transport_kind.as_deref()
                && transport_kind(kind) != WASI_TRANSPORT
            {
                findings.push(Finding::error(format!(
                    "the manifest targets `wasi` but protocol `{}` uses transport `{kind}` — a \
                     standalone WASI run has only {WASI_TRANSPORT}",
                    protocol.protocol_id
                )));
            }
        }
    }
    if seen.contains(&BROWSER_TARGET) {
        for capability in &spec.capabilities {
            if plg::BROWSER_INCOMPATIBLE_CAPABILITIES.contains(&capability.name.as_str()) {
                findings.push(Finding::error(format!(
                    "the manifest targets `browser` but declares the capability `{}`, which \
                     the browser runtime does not have",
                    capability.name
                )));
            }
        }
    }
}
