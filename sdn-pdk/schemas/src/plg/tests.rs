use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use serde_json::Value;

use super::*;
use crate::Error;
use crate::generated::plg::sds as fb;
use crate::piv::wire_format;

/// A `$PLG` the module SDK's encoder wrote, and the manifest.json it wrote
/// it from.
const MANIFEST_FB: &[u8] = include_bytes!("../../tests/data/module-sdk/manifest.fb");
const MANIFEST_JSON: &str = include_str!("../../tests/data/module-sdk/manifest.json");

fn json() -> Value {
    serde_json::from_str(MANIFEST_JSON).unwrap()
}

fn s(v: &Value) -> String {
    v.as_str().unwrap().to_string()
}

fn opt_s(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn uint(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

/// What manifest.json says, as a spec: read from the JSON itself, with the
/// module SDK's defaults for what it leaves out (`allowedWireFormats`
/// derived from the types) and the entry functions / required schemas its
/// encoder derives.
fn spec_from_json(j: &Value) -> PlgSpec {
    let type_spec = |t: &Value| TypeSpec {
        schema_name: s(&t["schemaName"]),
        file_identifier: s(&t["fileIdentifier"]),
        root_type: s(&t["rootTypeName"]),
        schema_version: opt_s(&t["schemaVersion"]),
        schema_hash: hex(t["schemaHash"].as_str().unwrap()),
        wire_format: match t["wireFormat"].as_str().unwrap() {
            "flatbuffer" => wire_format::FLATBUFFER,
            _ => wire_format::ALIGNED_BINARY,
        },
        byte_length: t["byteLength"].as_u64().unwrap_or(0) as u32,
        required_alignment: t["requiredAlignment"].as_u64().unwrap_or(0) as u16,
        accepts_any_flatbuffer: false,
    };
    let port = |p: &Value| PortSpec {
        port_id: s(&p["portId"]),
        display_name: None,
        type_sets: p["acceptedTypeSets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|set| TypeSetSpec {
                set_id: opt_s(&set["setId"]),
                allowed_types: set["allowedTypes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(type_spec)
                    .collect(),
                allowed_wire_formats: vec![wire_format::FLATBUFFER, wire_format::ALIGNED_BINARY],
                description: None,
            })
            .collect(),
        min_streams: uint(&p["minStreams"]) as u16,
        max_streams: uint(&p["maxStreams"]) as u16,
        required: p["required"].as_bool().unwrap(),
        description: None,
    };
    let ports = |v: &Value| v.as_array().unwrap().iter().map(port).collect();
    PlgSpec {
        plugin_id: s(&j["pluginId"]),
        name: s(&j["name"]),
        version: s(&j["version"]),
        description: None,
        plugin_type: plugin_type(j["pluginFamily"].as_str().unwrap()),
        abi_version: 1,
        capabilities: j["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| CapabilitySpec {
                name: s(c),
                kind: capability_kind(c.as_str().unwrap()),
                required: true,
            })
            .collect(),
        methods: j["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| MethodSpec {
                method_id: s(&m["methodId"]),
                display_name: opt_s(&m["displayName"]),
                inputs: ports(&m["inputPorts"]),
                outputs: ports(&m["outputPorts"]),
                max_batch: uint(&m["maxBatch"]) as u32,
                drain_policy: drain_policy::value(m["drainPolicy"].as_str().unwrap()).unwrap(),
                description: None,
            })
            .collect(),
        invoke_surfaces: vec![],
        runtime_targets: vec![],
        timers: vec![],
        protocols: vec![],
        entry_functions: vec![EntryFunctionSpec {
            name: "propagate".into(),
            description: None,
            input_schemas: vec!["ATM.fbs".into()],
            output_schema: Some("GRV.fbs".into()),
        }],
        required_schemas: vec!["ATM.fbs".into(), "GRV.fbs".into()],
    }
}

#[test]
fn reads_what_manifest_json_says() {
    let read = read(MANIFEST_FB).unwrap();
    assert_eq!(read, spec_from_json(&json()));
    // Spot checks, independent of the JSON walk above.
    assert_eq!(read.plugin_type, Some(3));
    assert_eq!(read.capabilities[0].kind, Some(0));
    assert_eq!(read.methods[0].drain_policy, drain_policy::SINGLE_SHOT);
    assert_eq!(
        read.methods[0].inputs[0].type_sets[0].allowed_types[1].byte_length,
        8
    );
}

/// `build` makes the module SDK encoder's calls in its order, so the same
/// manifest comes out byte for byte.
#[test]
fn build_reproduces_the_module_sdk_vector_byte_for_byte() {
    let spec = read(MANIFEST_FB).unwrap();
    assert_eq!(build(&spec), MANIFEST_FB);
    assert_eq!(build(&spec_from_json(&json())), MANIFEST_FB);
}

#[test]
fn build_of_the_vector_spec_reads_back_equal() {
    let spec = read(MANIFEST_FB).unwrap();
    assert_eq!(read(&build(&spec)).unwrap(), spec);
}

#[test]
fn to_json_is_manifest_json() {
    let mut expected = json();
    // Not a PLG field: the module SDK's encoder drops it.
    expected
        .as_object_mut()
        .unwrap()
        .remove("externalInterfaces");
    let text = to_json(&read(MANIFEST_FB).unwrap());
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, expected, "{text}");
}

fn type_spec(name: &str, wire: u8) -> TypeSpec {
    TypeSpec {
        schema_name: alloc::format!("{name}.fbs"),
        file_identifier: alloc::format!("${name}"),
        root_type: name.into(),
        schema_version: Some("1.0.0".into()),
        schema_hash: vec![0xab; 32],
        wire_format: wire,
        byte_length: if wire == 1 { 16 } else { 0 },
        required_alignment: if wire == 1 { 8 } else { 0 },
        accepts_any_flatbuffer: false,
    }
}

fn port(id: &str, name: &str, required: bool) -> PortSpec {
    PortSpec {
        port_id: id.into(),
        display_name: Some(alloc::format!("The {id} port")),
        type_sets: vec![TypeSetSpec {
            set_id: Some(alloc::format!("{id}-types")),
            allowed_types: vec![type_spec(name, 0), type_spec(name, 1)],
            allowed_wire_formats: vec![0, 1],
            description: Some("canonical and aligned".into()),
        }],
        min_streams: 0,
        max_streams: 4,
        required,
        description: None,
    }
}

/// A spec with every field `build` writes set to a non-default value.
fn rich_spec() -> PlgSpec {
    let methods = vec![
        MethodSpec {
            method_id: "propagate".into(),
            display_name: Some("Propagate".into()),
            inputs: vec![port("request", "OMM", true), port("config", "CFG", false)],
            outputs: vec![port("response", "OEM", true)],
            max_batch: 16,
            drain_policy: drain_policy::DRAIN_TO_EMPTY,
            description: Some("SGP4".into()),
        },
        MethodSpec {
            method_id: "tick".into(),
            display_name: None,
            inputs: vec![],
            outputs: vec![],
            max_batch: 1,
            drain_policy: drain_policy::DRAIN_UNTIL_YIELD,
            description: None,
        },
    ];
    PlgSpec {
        plugin_id: "com.example.sgp4".into(),
        name: "SGP4".into(),
        version: "2.0.0".into(),
        description: Some("Propagates \"TLEs\"\n".into()),
        plugin_type: Some(0),
        abi_version: 2,
        capabilities: vec![
            CapabilitySpec {
                name: "clock".into(),
                kind: Some(0),
                required: true,
            },
            CapabilitySpec {
                name: "protocol_handle".into(),
                kind: Some(6),
                required: false,
            },
        ],
        entry_functions: entry_functions(&methods),
        required_schemas: vec!["OMM.fbs".into(), "CFG.fbs".into(), "OEM.fbs".into()],
        methods,
        invoke_surfaces: vec![surface::DIRECT, surface::COMMAND],
        runtime_targets: vec!["server".into(), "wasmedge".into()],
        timers: vec![TimerSpec {
            timer_id: "every-minute".into(),
            method_id: "tick".into(),
            input_port_id: Some("request".into()),
            default_interval_ms: 60_000,
            description: Some("cron".into()),
        }],
        protocols: vec![ProtocolSpec {
            protocol_id: "/example/sgp4/1.0.0".into(),
            method_id: "propagate".into(),
            input_port_id: Some("request".into()),
            output_port_id: Some("response".into()),
            description: Some("over libp2p".into()),
            wire_id: Some("sgp4".into()),
            transport_kind: Some("libp2p".into()),
            role: Some("handle".into()),
            spec_uri: Some("https://example.com/sgp4".into()),
            auto_install: false,
            advertise: true,
            discovery_key: Some("sgp4".into()),
            default_port: 4001,
            require_secure_transport: true,
        }],
    }
}

fn entry_functions(methods: &[MethodSpec]) -> Vec<EntryFunctionSpec> {
    super::build::entry_functions(methods)
}

#[test]
fn a_rich_spec_round_trips() {
    let spec = rich_spec();
    let bytes = build(&spec);
    assert_eq!(&bytes[4..8], b"$PLG");
    assert_eq!(read(&bytes).unwrap(), spec);
    assert_eq!(build(&spec), bytes, "deterministic");
    assert_eq!(
        spec.entry_functions[0],
        EntryFunctionSpec {
            name: "propagate".into(),
            description: Some("SGP4".into()),
            input_schemas: vec!["OMM.fbs".into(), "CFG.fbs".into()],
            output_schema: Some("OEM.fbs".into()),
        }
    );
    assert_eq!(spec.entry_functions[1].input_schemas, Vec::<String>::new());
}

#[test]
fn build_ignores_given_entry_functions_and_derives_them() {
    let mut spec = rich_spec();
    spec.entry_functions.clear();
    spec.required_schemas = vec!["junk".into()];
    let read = read(&build(&spec)).unwrap();
    assert_eq!(read.entry_functions, rich_spec().entry_functions);
    assert_eq!(read.required_schemas, rich_spec().required_schemas);
}

#[test]
fn defaults_are_left_out_and_read_back() {
    let spec = PlgSpec {
        plugin_id: "p".into(),
        name: "n".into(),
        version: "v".into(),
        abi_version: 1,
        methods: vec![MethodSpec {
            method_id: "m".into(),
            display_name: None,
            inputs: vec![PortSpec {
                port_id: "in".into(),
                display_name: None,
                type_sets: vec![],
                min_streams: 1,
                max_streams: 1,
                required: true,
                description: None,
            }],
            outputs: vec![],
            max_batch: 1,
            drain_policy: drain_policy::DRAIN_UNTIL_YIELD,
            description: None,
        }],
        ..PlgSpec::default()
    };
    let bytes = build(&spec);
    let root = fb::root_as_plg(&bytes).unwrap();
    let vt = |t: &flatbuffers::Table<'_>, slot| t.vtable().get(slot);
    assert_eq!(vt(&root._tab, fb::PLG::VT_ABI_VERSION), 0);
    assert_eq!(vt(&root._tab, fb::PLG::VT_PLUGIN_TYPE), 0);
    assert_ne!(vt(&root._tab, fb::PLG::VT_ENCRYPTED), 0);
    assert!(!root.encrypted());
    let method = root.methods().unwrap().get(0);
    assert_eq!(vt(&method._tab, fb::PLGMethodManifest::VT_MAX_BATCH), 0);
    assert_eq!(vt(&method._tab, fb::PLGMethodManifest::VT_DRAIN_POLICY), 0);
    // Empty port arrays are still written: the validator wants them.
    assert_eq!(method.output_ports().map(|v| v.len()), Some(0));
    let port = method.input_ports().unwrap().get(0);
    for slot in [
        fb::PLGPortManifest::VT_MIN_STREAMS,
        fb::PLGPortManifest::VT_MAX_STREAMS,
        fb::PLGPortManifest::VT_REQUIRED,
    ] {
        assert_eq!(vt(&port._tab, slot), 0);
    }
    assert_eq!(
        read(&bytes).unwrap(),
        PlgSpec {
            entry_functions: vec![EntryFunctionSpec {
                name: "m".into(),
                description: None,
                input_schemas: vec![],
                output_schema: None,
            }],
            ..spec
        }
    );
}

#[test]
fn capabilities_without_a_kind_get_no_host_capability() {
    let spec = PlgSpec {
        plugin_id: "p".into(),
        name: "n".into(),
        version: "v".into(),
        capabilities: ["gpu_compute", "random", "p2p_read"]
            .iter()
            .map(|n| CapabilitySpec {
                name: (*n).into(),
                kind: None,
                required: true,
            })
            .collect(),
        ..PlgSpec::default()
    };
    let bytes = build(&spec);
    let root = fb::root_as_plg(&bytes).unwrap();
    let hosts = root.host_capabilities().unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts.get(0).capability(), fb::hostCapabilityKind::RANDOM);
    let kinds: Vec<_> = read(&bytes)
        .unwrap()
        .capabilities
        .iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(kinds, [None, Some(1), None]);
}

#[test]
fn host_capabilities_alone_read_as_names() {
    // A manifest with HOST_CAPABILITIES but no CAPABILITIES.
    let mut fbb = flatbuffers::FlatBufferBuilder::new();
    let host = fb::PLGHostCapability::create(
        &mut fbb,
        &fb::PLGHostCapabilityArgs {
            capability: fb::hostCapabilityKind::CRYPTO_KDF,
            scope: None,
            required: false,
            description: None,
        },
    );
    let hosts = fbb.create_vector(&[host]);
    let id = fbb.create_string("p");
    let root = fb::PLG::create(
        &mut fbb,
        &fb::PLGArgs {
            plugin_id: Some(id),
            name: Some(id),
            version: Some(id),
            host_capabilities: Some(hosts),
            ..Default::default()
        },
    );
    fb::finish_plg_buffer(&mut fbb, root);
    let read = read(fbb.finished_data()).unwrap();
    assert_eq!(
        read.capabilities,
        vec![CapabilitySpec {
            name: "crypto_kdf".into(),
            kind: Some(34),
            required: false,
        }]
    );
    assert_eq!(read.plugin_type, None);
}

#[test]
fn to_json_of_a_rich_spec_parses_back() {
    let text = to_json(&read(&build(&rich_spec())).unwrap());
    let j: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(j["description"], "Propagates \"TLEs\"\n");
    assert_eq!(j["pluginFamily"], "sensor");
    assert_eq!(j["abiVersion"], 2);
    assert_eq!(j["capabilities"][0], "clock");
    assert_eq!(j["capabilities"][1]["capability"], "protocol_handle");
    assert_eq!(j["capabilities"][1]["required"], false);
    assert_eq!(j["methods"][0]["drainPolicy"], "drain-to-empty");
    assert_eq!(j["methods"][0]["inputPorts"][1]["required"], false);
    let ty = &j["methods"][0]["inputPorts"][0]["acceptedTypeSets"][0]["allowedTypes"][1];
    assert_eq!(ty["wireFormat"], "aligned-binary");
    assert_eq!(ty["schemaHash"], "ab".repeat(32));
    assert_eq!(ty["byteLength"], 16);
    assert_eq!(j["methods"][1]["inputPorts"], Value::Array(vec![]));
    assert_eq!(
        j["invokeSurfaces"],
        serde_json::json!(["direct", "command"])
    );
    assert_eq!(
        j["runtimeTargets"],
        serde_json::json!(["server", "wasmedge"])
    );
    assert_eq!(j["timers"][0]["defaultIntervalMs"], 60_000);
    assert_eq!(j["protocols"][0]["defaultPort"], 4001);
    assert_eq!(j["protocols"][0]["autoInstall"], false);
}

#[test]
fn read_rejects_wrong_identifier_truncation_and_garbage() {
    let expected = Err(Error::WrongIdentifier { expected: "$PLG" });
    assert_eq!(read(b"$PL"), expected);
    assert_eq!(read(&crate::piv::encode_request("m", &[], 0)), expected);
    // The vector ends with the last string's terminator and padding.
    let content = MANIFEST_FB.iter().rposition(|&b| b != 0).unwrap() + 2;
    for len in 0..content {
        assert!(read(&MANIFEST_FB[..len]).is_err(), "{len} bytes");
    }
    for i in 8..MANIFEST_FB.len() {
        let mut bytes = MANIFEST_FB.to_vec();
        bytes[i] ^= 0xff;
        let _ = read(&bytes);
    }
}

#[test]
fn vocabulary_matches_the_generated_enums() {
    assert_eq!(PLUGIN_TYPES.len(), fb::pluginCategory::ENUM_VALUES.len());
    for (&(name, value), generated) in PLUGIN_TYPES.iter().zip(fb::pluginCategory::ENUM_VALUES) {
        assert_eq!(value, generated.0);
        let variant = generated.variant_name().unwrap().to_ascii_lowercase();
        assert_eq!(name.replace('_', ""), variant);
    }
    assert_eq!(
        (plugin_type("analysis"), plugin_type("infrastructure")),
        (Some(3), Some(14))
    );
    assert_eq!(plugin_type("datasource"), Some(4));
    assert_eq!(plugin_type_name(21), Some("unspecified"));
    assert_eq!(
        CAPABILITIES.len(),
        fb::hostCapabilityKind::ENUM_VALUES.len()
    );
    for (&(name, kind), generated) in CAPABILITIES.iter().zip(fb::hostCapabilityKind::ENUM_VALUES) {
        assert_eq!(kind, generated.0);
        assert_eq!(
            Some(name.to_ascii_uppercase().as_str()),
            generated.variant_name()
        );
    }
    for name in SENSITIVE_CAPABILITIES
        .iter()
        .chain(WASI_TARGET_CAPABILITIES)
    {
        assert!(
            CANONICAL_CAPABILITIES.contains(name) && capability_kind(name).is_some(),
            "{name}"
        );
    }
    for name in BROWSER_INCOMPATIBLE_CAPABILITIES {
        assert!(CANONICAL_CAPABILITIES.contains(name), "{name}");
    }
    assert_eq!(capability_kind("protocol_handle"), Some(6));
    assert_eq!(capability_kind("p2p_read"), None);
    assert_eq!(
        (surface::name(1), surface::value("direct")),
        (Some("command"), Some(0))
    );
    assert_eq!(drain_policy::value("drain-until-yield"), Some(1));
    assert_eq!(
        fb::drainBehavior::DRAIN_TO_EMPTY.0,
        drain_policy::DRAIN_TO_EMPTY
    );
    assert_eq!(fb::invokeSurfaceKind::COMMAND.0, surface::COMMAND);
}

#[test]
fn field_slots_are_the_documented_ids() {
    // vtable slot = 4 + 2 * id; the ids module-abi.md lists.
    let slot = |id: u16| 4 + 2 * id;
    assert_eq!(fb::PLG::VT_PLUGIN_ID, slot(0));
    assert_eq!(fb::PLG::VT_DESCRIPTION, slot(3));
    assert_eq!(fb::PLG::VT_PLUGIN_TYPE, slot(5));
    assert_eq!(fb::PLG::VT_ABI_VERSION, slot(14));
    assert_eq!(fb::PLG::VT_ENTRY_FUNCTIONS, slot(20));
    assert_eq!(fb::PLG::VT_REQUIRED_SCHEMAS, slot(21));
    assert_eq!(fb::PLG::VT_CAPABILITIES, slot(23));
    assert_eq!(fb::PLG::VT_ENCRYPTED, slot(26));
    assert_eq!(fb::PLG::VT_INVOKE_SURFACES, slot(43));
    assert_eq!(fb::PLG::VT_METHODS, slot(44));
    assert_eq!(fb::PLG::VT_HOST_CAPABILITIES, slot(45));
    assert_eq!(fb::PLG::VT_TIMERS, slot(46));
    assert_eq!(fb::PLG::VT_PROTOCOLS, slot(47));
    assert_eq!(fb::PLG::VT_SCHEMAS_USED, slot(48));
    assert_eq!(fb::PLG::VT_RUNTIME_TARGETS, slot(50));
    assert_eq!(fb::PLG::VT_FLOW_TRIGGER_BINDINGS, slot(55));
    assert_eq!(fb::PLGMethodManifest::VT_DESCRIPTION, slot(6));
    assert_eq!(fb::PLGPortManifest::VT_REQUIRED, slot(5));
    assert_eq!(fb::PLGAcceptedTypeSet::VT_DESCRIPTION, slot(3));
    assert_eq!(fb::PLGHostCapability::VT_DESCRIPTION, slot(3));
    assert_eq!(fb::PLGTimerSpec::VT_DEFAULT_INTERVAL_MS, slot(3));
    assert_eq!(fb::PLGProtocolSpec::VT_REQUIRE_SECURE_TRANSPORT, slot(13));
    assert_eq!(fb::PluginCapability::VT_REQUIRED, slot(2));
    assert_eq!(fb::EntryFunction::VT_OUTPUT_SCHEMA, slot(3));
    assert_eq!(fb::FlatBufferTypeRef::VT_REQUIRED_ALIGNMENT, slot(9));
}
