//! `check`'s rules for a module manifest's contents: what the module SDK's
//! validator requires (`check/plg_rules.rs`) and what a manifest wires to its
//! methods (`check/plg_wiring.rs`). Each case breaks one rule of the good
//! fixture's `$PLG` (`support/mod.rs`) and must draw exactly its error.

mod support;

use sdn_pdk_schemas::plg::{self, PlgSpec, PortSpec, ProtocolSpec, TimerSpec, TypeSpec, surface};
use support::*;
use xtask::check::{self, Severity};

/// One manifest mistake: the edit and the one error it must draw.
struct Case {
    what: &'static str,
    edit: fn(&mut PlgSpec),
    error: &'static str,
}

fn first_port(spec: &mut PlgSpec) -> &mut PortSpec {
    &mut spec.methods[0].inputs[0]
}

fn first_type(spec: &mut PlgSpec) -> &mut TypeSpec {
    &mut first_port(spec).type_sets[0].allowed_types[0]
}

fn aligned_omm() -> TypeSpec {
    TypeSpec {
        wire_format: sdn_pdk_schemas::piv::wire_format::ALIGNED_BINARY,
        byte_length: 64,
        required_alignment: 8,
        ..omm()
    }
}

#[test]
fn each_manifest_rule_draws_its_own_error() {
    let cases = [
        Case {
            what: "empty pluginId",
            edit: |s| s.plugin_id.clear(),
            error: "the manifest has no pluginId — the module SDK's validator requires pluginId, \
                    name, version and a plugin family",
        },
        Case {
            what: "empty name",
            edit: |s| s.name.clear(),
            error: "the manifest has no name — the module SDK's validator requires pluginId, \
                    name, version and a plugin family",
        },
        Case {
            what: "empty version",
            edit: |s| s.version = " ".into(),
            error: "the manifest has no version — the module SDK's validator requires pluginId, \
                    name, version and a plugin family",
        },
        Case {
            what: "no family",
            edit: |s| s.plugin_type = None,
            error: "the manifest declares no plugin family (PLUGIN_TYPE) — the module SDK's \
                    validator requires one (e.g. analysis, infrastructure)",
        },
        Case {
            what: "unknown family",
            edit: |s| s.plugin_type = Some(99),
            error: "the manifest's plugin family (PLUGIN_TYPE) is 99, not one of the standard's \
                    22 plugin types",
        },
        Case {
            what: "capability outside the vocabulary",
            edit: |s| s.capabilities.push(capability("teleport")),
            error: "the manifest declares the capability `teleport`, which is not in the module \
                    SDK's vocabulary — no host grants it",
        },
        Case {
            what: "no methods",
            edit: |s| s.methods.clear(),
            error: "the manifest declares no methods — the module SDK's validator requires at \
                    least one",
        },
        Case {
            what: "empty methodId",
            edit: |s| s.methods[0].method_id.clear(),
            error: "the manifest's method #1 has no methodId",
        },
        Case {
            what: "duplicate method",
            edit: |s| s.methods.push(s.methods[0].clone()),
            error: "the manifest declares method `echo` more than once",
        },
        Case {
            what: "maxBatch 0",
            edit: |s| s.methods[0].max_batch = 0,
            error: "method `echo` has maxBatch 0 — the module SDK's validator requires at least 1",
        },
        Case {
            what: "unknown drain policy",
            edit: |s| s.methods[0].drain_policy = 7,
            error: "method `echo` has drain policy 7, not single-shot (0), drain-until-yield (1) \
                    or drain-to-empty (2)",
        },
        Case {
            what: "empty portId",
            edit: |s| s.methods[0].outputs[0].port_id.clear(),
            error: "method `echo`'s output port #1 has no portId",
        },
        Case {
            what: "two type sets",
            edit: |s| {
                let set = first_port(s).type_sets[0].clone();
                first_port(s).type_sets.push(set);
            },
            error: "method `echo`'s input port `request` declares 2 accepted type sets — the \
                    module SDK's validator requires exactly one",
        },
        Case {
            what: "no type set",
            edit: |s| first_port(s).type_sets.clear(),
            error: "method `echo`'s input port `request` declares 0 accepted type sets — the \
                    module SDK's validator requires exactly one",
        },
        Case {
            what: "no setId",
            edit: |s| first_port(s).type_sets[0].set_id = None,
            error: "method `echo`'s input port `request`'s accepted type set has no setId",
        },
        Case {
            what: "no allowed types",
            edit: |s| first_port(s).type_sets[0].allowed_types.clear(),
            error: "method `echo`'s input port `request`'s accepted type set allows no types — \
                    the module SDK's validator requires at least one",
        },
        Case {
            what: "acceptsAnyFlatbuffer",
            edit: |s| {
                *first_type(s) = TypeSpec {
                    accepts_any_flatbuffer: true,
                    ..TypeSpec::default()
                }
            },
            error: "method `echo`'s input port `request` accepts any FlatBuffer \
                    (acceptsAnyFlatbuffer) — the module SDK's validator requires one concrete \
                    schema identity per port",
        },
        Case {
            what: "no schema name",
            edit: |s| first_type(s).schema_name.clear(),
            error: "method `echo`'s input port `request` accepts a type without a schemaName — \
                    the module SDK's validator requires schemaName, fileIdentifier and \
                    rootTypeName",
        },
        Case {
            what: "no file identifier",
            edit: |s| first_type(s).file_identifier.clear(),
            error: "method `echo`'s input port `request` accepts OMM.fbs without a \
                    fileIdentifier — the module SDK's validator requires schemaName, \
                    fileIdentifier and rootTypeName",
        },
        Case {
            what: "no root type",
            edit: |s| first_type(s).root_type.clear(),
            error: "method `echo`'s input port `request` accepts OMM.fbs without a rootTypeName \
                    — the module SDK's validator requires schemaName, fileIdentifier and \
                    rootTypeName",
        },
        Case {
            what: "short file identifier",
            edit: |s| first_type(s).file_identifier = "OM".into(),
            error: "method `echo`'s input port `request` accepts OMM.fbs with file identifier \
                    \"OM\", not four printable ASCII characters",
        },
        Case {
            what: "unknown wire format",
            edit: |s| first_type(s).wire_format = 5,
            error: "method `echo`'s input port `request` accepts OMM.fbs in wire format 5, not \
                    flatbuffer (0) or aligned-binary (1)",
        },
        Case {
            what: "aligned alignment not a power of two",
            edit: |s| {
                let aligned = TypeSpec {
                    required_alignment: 12,
                    ..aligned_omm()
                };
                first_port(s).type_sets[0].allowed_types.push(aligned);
            },
            error: "method `echo`'s input port `request` accepts OMM.fbs as aligned-binary with \
                    requiredAlignment 12, not a power of two",
        },
        Case {
            what: "aligned without a canonical peer",
            edit: |s| *first_type(s) = aligned_omm(),
            error: "method `echo`'s input port `request` accepts an aligned-binary type without \
                    its canonical FlatBuffer peer — hosts that cannot share the arena have \
                    nothing to send",
        },
        Case {
            what: "two canonical types",
            edit: |s| {
                let other = TypeSpec {
                    schema_name: "OEM.fbs".into(),
                    file_identifier: "$OEM".into(),
                    root_type: "OEM".into(),
                    ..TypeSpec::default()
                };
                first_port(s).type_sets[0].allowed_types.push(other);
            },
            error: "method `echo`'s input port `request`'s accepted type set has 2 canonical and \
                    0 aligned-binary types — the module SDK's validator allows one of each (one \
                    schema identity)",
        },
        Case {
            what: "minStreams above maxStreams",
            edit: |s| first_port(s).min_streams = 2,
            error: "method `echo`'s input port `request` has minStreams 2 above maxStreams 1",
        },
        Case {
            what: "unknown invoke surface",
            edit: |s| s.invoke_surfaces.push(7),
            error: "the manifest declares invoke surface 7, not direct (0) or command (1)",
        },
        Case {
            what: "unknown runtime target",
            edit: |s| s.runtime_targets.push("mainframe".into()),
            error: "the manifest declares the runtime target `mainframe`, not one of node, \
                    browser, wasi, wasmedge, server, desktop, edge",
        },
        Case {
            what: "wasi without the command surface",
            edit: |s| s.runtime_targets.push("wasi".into()),
            error: "the manifest targets `wasi` but does not declare the `command` invoke \
                    surface — a standalone WASI run enters through `_start`",
        },
        Case {
            what: "browser with a capability it lacks",
            edit: |s| {
                s.runtime_targets.push("browser".into());
                s.capabilities.push(capability("pipe"));
            },
            error: "the manifest targets `browser` but declares the capability `pipe`, which the \
                    browser runtime does not have",
        },
    ];
    assert_cases(spec, &cases);
}

/// Each case applied to `base()` draws exactly its one error.
fn assert_cases(base: fn() -> PlgSpec, cases: &[Case]) {
    assert_eq!(
        messages(&check::check_module(&module(&base(), &[])), Severity::Error),
        Vec::<&str>::new(),
        "the base manifest must pass"
    );
    for case in cases {
        let mut spec = base();
        (case.edit)(&mut spec);
        let findings = check::check_module(&module(&spec, &[]));
        assert_eq!(
            messages(&findings, Severity::Error),
            vec![case.error],
            "{}: {findings:#?}",
            case.what
        );
    }
}

/// The `wasi` target with the command surface declared (and `_start`
/// exported), so each rule below is the only one broken.
fn wasi_command_spec() -> PlgSpec {
    let mut spec = spec();
    spec.invoke_surfaces.push(surface::COMMAND);
    spec.runtime_targets.push("wasi".into());
    spec
}

#[test]
fn wasi_allows_only_the_standalone_capabilities() {
    let mut spec = wasi_command_spec();
    spec.capabilities.push(capability("timers"));
    assert_eq!(
        only_error_of(&with_line(&spec, START)),
        "the manifest targets `wasi` but declares the capability `timers` — a standalone WASI \
         run has only logging, clock, random, filesystem, pipe"
    );
}

/// A protocol the validator accepts (given `protocol_handle`).
fn protocol(kind: &str) -> ProtocolSpec {
    ProtocolSpec {
        protocol_id: "/example/echo/1.0.0".into(),
        method_id: "echo".into(),
        input_port_id: Some("request".into()),
        output_port_id: Some("response".into()),
        description: None,
        wire_id: Some("echo".into()),
        transport_kind: Some(kind.into()),
        role: Some("handle".into()),
        spec_uri: None,
        auto_install: true,
        advertise: true,
        discovery_key: None,
        default_port: 0,
        require_secure_transport: false,
    }
}

#[test]
fn wasi_allows_only_pipe_protocols() {
    let transport_errors = |spec: &PlgSpec| -> Vec<String> {
        check::check_module(&with_line(spec, START))
            .into_iter()
            .filter(|f| f.severity == Severity::Error && f.message.contains("uses transport"))
            .map(|f| f.message)
            .collect()
    };
    let mut spec = wasi_command_spec();
    spec.protocols.push(protocol("wasi-pipe"));
    spec.protocols.push(protocol("PIPE"));
    assert_eq!(transport_errors(&spec), Vec::<String>::new());
    spec.protocols.push(protocol("ws"));
    assert_eq!(
        transport_errors(&spec),
        vec![
            "the manifest targets `wasi` but protocol `/example/echo/1.0.0` uses transport `ws` \
             — a standalone WASI run has only wasi-pipe"
        ]
    );
}

/// The good manifest with a timer and a protocol wired to `echo`.
fn wired_spec() -> PlgSpec {
    let mut spec = spec();
    spec.capabilities.push(capability("timers"));
    spec.capabilities.push(capability("protocol_handle"));
    spec.timers.push(TimerSpec {
        timer_id: "tick".into(),
        method_id: "echo".into(),
        input_port_id: Some("request".into()),
        default_interval_ms: 60_000,
        description: None,
    });
    spec.protocols.push(protocol("ws"));
    spec
}

fn first_protocol(spec: &mut PlgSpec) -> &mut ProtocolSpec {
    &mut spec.protocols[0]
}

fn drop_capability(spec: &mut PlgSpec, name: &str) {
    spec.capabilities.retain(|c| c.name != name);
}

#[test]
fn each_timer_and_protocol_rule_draws_its_own_error() {
    let cases = [
        Case {
            what: "timer without an id",
            edit: |s| s.timers[0].timer_id.clear(),
            error: "the manifest's timer #1 has no timerId",
        },
        Case {
            what: "timer calling an unknown method",
            edit: |s| s.timers[0].method_id = "nope".into(),
            error: "timer `tick` calls method `nope`, which the manifest does not declare",
        },
        Case {
            what: "timer feeding an unknown port",
            edit: |s| s.timers[0].input_port_id = Some("response".into()),
            error: "timer `tick` names input port `response`, which method `echo` does not \
                    declare",
        },
        Case {
            what: "timer without the timers capability",
            edit: |s| drop_capability(s, "timers"),
            error: "timer `tick` needs the `timers` capability, which the manifest does not \
                    declare",
        },
        Case {
            what: "protocol without an id",
            edit: |s| first_protocol(s).protocol_id.clear(),
            error: "the manifest's protocol #1 has no protocolId",
        },
        Case {
            what: "protocol routed to an unknown method",
            edit: |s| first_protocol(s).method_id = "nope".into(),
            error: "protocol `/example/echo/1.0.0` calls method `nope`, which the manifest does \
                    not declare",
        },
        Case {
            what: "protocol naming an unknown output port",
            edit: |s| first_protocol(s).output_port_id = Some("state".into()),
            error: "protocol `/example/echo/1.0.0` names output port `state`, which method \
                    `echo` does not declare",
        },
        Case {
            what: "protocol without a wire id",
            edit: |s| first_protocol(s).wire_id = None,
            error: "protocol `/example/echo/1.0.0` has no wireId — the module SDK's validator \
                    requires one",
        },
        Case {
            what: "protocol without a transport",
            edit: |s| first_protocol(s).transport_kind = None,
            error: "protocol `/example/echo/1.0.0` has no transportKind — one of libp2p, http, \
                    ws, wasi-pipe",
        },
        Case {
            what: "protocol with an unknown transport",
            edit: |s| first_protocol(s).transport_kind = Some("carrier-pigeon".into()),
            error: "protocol `/example/echo/1.0.0` has transportKind `carrier-pigeon`, not one \
                    of libp2p, http, ws, wasi-pipe",
        },
        Case {
            what: "libp2p without ipfs",
            edit: |s| first_protocol(s).transport_kind = Some("libp2p".into()),
            error: "protocol `/example/echo/1.0.0` runs over libp2p, which needs the `ipfs` \
                    capability the manifest does not declare",
        },
        Case {
            what: "protocol without a role",
            edit: |s| first_protocol(s).role = None,
            error: "protocol `/example/echo/1.0.0` has no role — one of handle, dial, both",
        },
        Case {
            what: "protocol with an unknown role",
            edit: |s| first_protocol(s).role = Some("lurk".into()),
            error: "protocol `/example/echo/1.0.0` has role `lurk`, not one of handle, dial, \
                    both",
        },
        Case {
            what: "a handler without protocol_handle",
            edit: |s| {
                drop_capability(s, "protocol_handle");
                s.capabilities.push(capability("protocol_dial"));
            },
            error: "protocol `/example/echo/1.0.0` with role `handle` needs the \
                    `protocol_handle` capability, which the manifest does not declare",
        },
        Case {
            what: "both roles without protocol_dial",
            edit: |s| first_protocol(s).role = Some("both".into()),
            error: "protocol `/example/echo/1.0.0` with role `both` needs the `protocol_dial` \
                    capability, which the manifest does not declare",
        },
        Case {
            what: "the `handler` and `websocket` spellings, normalised",
            edit: |s| {
                drop_capability(s, "protocol_handle");
                first_protocol(s).role = Some("handler".into());
                first_protocol(s).transport_kind = Some("websocket".into());
            },
            error: "protocol `/example/echo/1.0.0` with role `handle` needs the \
                    `protocol_handle` capability, which the manifest does not declare",
        },
        Case {
            what: "an advertised dialer",
            edit: |s| {
                s.capabilities.push(capability("protocol_dial"));
                first_protocol(s).role = Some("dial".into());
            },
            error: "protocol `/example/echo/1.0.0` advertises but its role is `dial` — only a \
                    handler can be advertised",
        },
    ];
    assert_cases(wired_spec, &cases);
}

#[test]
fn a_protocol_without_any_protocol_capability_names_both() {
    let mut spec = wired_spec();
    drop_capability(&mut spec, "protocol_handle");
    first_protocol(&mut spec).role = Some("lurk".into());
    let findings = check::check_module(&module(&spec, &[]));
    assert_eq!(
        messages(&findings, Severity::Error),
        vec![
            "protocol `/example/echo/1.0.0` has role `lurk`, not one of handle, dial, both",
            "protocol `/example/echo/1.0.0` needs the `protocol_handle` or `protocol_dial` \
             capability, which the manifest does not declare",
        ]
    );
}

#[test]
fn a_websocket_on_443_without_secure_transport_is_a_warning() {
    let mut spec = wired_spec();
    first_protocol(&mut spec).default_port = 443;
    let findings = check::check_module(&module(&spec, &[]));
    assert_eq!(messages(&findings, Severity::Error), Vec::<&str>::new());
    assert_eq!(
        messages(&findings, Severity::Warning),
        vec!["protocol `/example/echo/1.0.0` uses port 443 without requireSecureTransport"]
    );
    first_protocol(&mut spec).require_secure_transport = true;
    assert_eq!(check::check_module(&module(&spec, &[])), vec![]);
}

#[test]
fn repeated_declarations_are_warnings() {
    let mut spec = spec();
    spec.capabilities.push(capability("clock"));
    spec.invoke_surfaces.push(surface::DIRECT);
    spec.runtime_targets.push("node".into());
    let findings = check::check_module(&module(&spec, &[]));
    assert_eq!(messages(&findings, Severity::Error), Vec::<&str>::new());
    assert_eq!(
        messages(&findings, Severity::Warning),
        vec![
            "the manifest declares the capability `clock` more than once",
            "the manifest declares the `direct` invoke surface more than once",
            "the manifest declares the runtime target `node` more than once",
        ]
    );
}

/// The module SDK's own `$PLG` (its encoder wrote `tests/data/module-sdk/
/// manifest.fb` from its conformance vectors; copied from the SDK's
/// repository, v0.8.11): its validator accepts it, and so must `check`.
#[test]
fn the_module_sdks_own_manifest_passes() {
    let vector = include_bytes!("data/module-sdk/manifest.fb");
    let read = plg::read(vector).expect("the vector reads");
    assert_eq!(
        read.plugin_id,
        "com.digitalarsenal.examples.single-file-vector"
    );
    let bytes = module_with(&[vector], vector, &[]);
    assert_eq!(check::check_module(&bytes), vec![]);
}
