//! The module SDK validator's rules for what a `$PLG` wires to its methods:
//! `TIMERS` (the server turns them into cron calls) and `PROTOCOLS` (with
//! `AUTO_INSTALL`, libp2p stream handlers). Each must name a declared
//! method and ports, and declare the capability its host needs; a protocol
//! names its wire id, a known transport and role.

use sdn_pdk_schemas::plg::{self, MethodSpec, PlgSpec, ProtocolSpec, TimerSpec};

use crate::Finding;

/// The capability every timer needs.
const TIMERS: &str = "timers";
/// The capability a protocol that handles streams needs.
const PROTOCOL_HANDLE: &str = "protocol_handle";
/// The capability a protocol that dials needs.
const PROTOCOL_DIAL: &str = "protocol_dial";
/// The capability a libp2p protocol needs (the validator's rule).
const IPFS: &str = "ipfs";

/// The timer and protocol rules (see the module docs).
pub(super) fn check(spec: &PlgSpec, findings: &mut Vec<Finding>) {
    for (index, timer) in spec.timers.iter().enumerate() {
        check_timer(spec, index, timer, findings);
    }
    for (index, protocol) in spec.protocols.iter().enumerate() {
        check_protocol(spec, index, protocol, findings);
    }
}

/// A transport kind as the validator normalises it: lower case, `-` for
/// `_`, `websocket` → `ws`, `pipe` → `wasi-pipe`.
pub(super) fn transport_kind(raw: &str) -> String {
    let kind = raw.trim().to_ascii_lowercase().replace('_', "-");
    match kind.as_str() {
        "websocket" => "ws".to_owned(),
        "pipe" => "wasi-pipe".to_owned(),
        _ => kind,
    }
}

/// A role as the validator normalises it (`handler` → `handle`).
fn role(raw: &str) -> String {
    let role = raw.trim().to_ascii_lowercase().replace('_', "-");
    if role == "handler" {
        "handle".to_owned()
    } else {
        role
    }
}

fn declares(spec: &PlgSpec, capability: &str) -> bool {
    spec.capabilities.iter().any(|c| c.name == capability)
}

fn method<'a>(spec: &'a PlgSpec, id: &str) -> Option<&'a MethodSpec> {
    spec.methods.iter().find(|m| m.method_id == id)
}

/// The method it calls and the input port it feeds exist; `timers` declared.
fn check_timer(spec: &PlgSpec, index: usize, timer: &TimerSpec, findings: &mut Vec<Finding>) {
    let label = if timer.timer_id.trim().is_empty() {
        findings.push(Finding::error(format!(
            "the manifest's timer #{} has no timerId",
            index + 1
        )));
        format!("timer #{}", index + 1)
    } else {
        format!("timer `{}`", timer.timer_id)
    };
    check_target(
        spec,
        &label,
        &timer.method_id,
        timer.input_port_id.as_deref(),
        None,
        findings,
    );
    if !declares(spec, TIMERS) {
        findings.push(Finding::error(format!(
            "{label} needs the `{TIMERS}` capability, which the manifest does not declare"
        )));
    }
}

/// `method_id` is a declared method with input port `input` and output port
/// `output` (when given).
fn check_target(
    spec: &PlgSpec,
    label: &str,
    method_id: &str,
    input: Option<&str>,
    output: Option<&str>,
    findings: &mut Vec<Finding>,
) {
    let Some(method) = method(spec, method_id) else {
        findings.push(Finding::error(format!(
            "{label} calls method `{method_id}`, which the manifest does not declare"
        )));
        return;
    };
    for (direction, port, ports) in [
        ("input", input, &method.inputs),
        ("output", output, &method.outputs),
    ] {
        if let Some(port) = port
            && !ports.iter().any(|p| p.port_id == port)
        {
            findings.push(Finding::error(format!(
                "{label} names {direction} port `{port}`, which method `{method_id}` does not \
                 declare"
            )));
        }
    }
}

/// Method and ports exist; a wire id, a known transport and role; the
/// capabilities the role and transport need; no advertising a dialer.
fn check_protocol(
    spec: &PlgSpec,
    index: usize,
    protocol: &ProtocolSpec,
    findings: &mut Vec<Finding>,
) {
    let label = if protocol.protocol_id.trim().is_empty() {
        findings.push(Finding::error(format!(
            "the manifest's protocol #{} has no protocolId",
            index + 1
        )));
        format!("protocol #{}", index + 1)
    } else {
        format!("protocol `{}`", protocol.protocol_id)
    };
    check_target(
        spec,
        &label,
        &protocol.method_id,
        protocol.input_port_id.as_deref(),
        protocol.output_port_id.as_deref(),
        findings,
    );
    if protocol
        .wire_id
        .as_deref()
        .is_none_or(|w| w.trim().is_empty())
    {
        findings.push(Finding::error(format!(
            "{label} has no wireId — the module SDK's validator requires one"
        )));
    }
    let transport = protocol.transport_kind.as_deref().map(transport_kind);
    match transport.as_deref() {
        None | Some("") => findings.push(Finding::error(format!(
            "{label} has no transportKind — one of {}",
            plg::PROTOCOL_TRANSPORT_KINDS.join(", ")
        ))),
        Some(kind) if !plg::PROTOCOL_TRANSPORT_KINDS.contains(&kind) => {
            findings.push(Finding::error(format!(
                "{label} has transportKind `{kind}`, not one of {}",
                plg::PROTOCOL_TRANSPORT_KINDS.join(", ")
            )));
        }
        Some("libp2p") if !declares(spec, IPFS) => findings.push(Finding::error(format!(
            "{label} runs over libp2p, which needs the `{IPFS}` capability the manifest does \
             not declare"
        ))),
        Some("ws") if protocol.default_port == 443 && !protocol.require_secure_transport => {
            findings.push(Finding::warning(format!(
                "{label} uses port 443 without requireSecureTransport"
            )));
        }
        Some(_) => {}
    }
    let role = protocol.role.as_deref().map(role);
    let needs: &[&str] = match role.as_deref() {
        None | Some("") => {
            findings.push(Finding::error(format!(
                "{label} has no role — one of {}",
                plg::PROTOCOL_ROLES.join(", ")
            )));
            &[]
        }
        Some("handle") => &[PROTOCOL_HANDLE],
        Some("dial") => &[PROTOCOL_DIAL],
        Some("both") => &[PROTOCOL_HANDLE, PROTOCOL_DIAL],
        Some(other) => {
            findings.push(Finding::error(format!(
                "{label} has role `{other}`, not one of {}",
                plg::PROTOCOL_ROLES.join(", ")
            )));
            &[]
        }
    };
    if needs.is_empty() {
        if !declares(spec, PROTOCOL_HANDLE) && !declares(spec, PROTOCOL_DIAL) {
            findings.push(Finding::error(format!(
                "{label} needs the `{PROTOCOL_HANDLE}` or `{PROTOCOL_DIAL}` capability, which \
                 the manifest does not declare"
            )));
        }
    } else {
        for capability in needs.iter().filter(|c| !declares(spec, c)) {
            findings.push(Finding::error(format!(
                "{label} with role `{}` needs the `{capability}` capability, which the manifest \
                 does not declare",
                role.as_deref().unwrap_or_default()
            )));
        }
    }
    if protocol.advertise && role.as_deref() == Some("dial") {
        findings.push(Finding::error(format!(
            "{label} advertises but its role is `dial` — only a handler can be advertised"
        )));
    }
}
