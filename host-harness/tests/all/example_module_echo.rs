//! examples/module-echo, the module SDK's reference echo in Rust, on both
//! module hosts: its `$PLG` is exactly what `#[sdn_module]` was given, the
//! same in the section and behind the exports, with no `PMAN` anywhere; it
//! answers the module SDK's own echo vector; every error row of the module
//! ABI's table gives its code; hostile pointers, bytes and frees never trap
//! it or break the next call; its command twin answers over stdin/stdout.

use host_harness::{Frame, HostKind, Module, ModuleOptions};
use sdn_pdk_schemas::piv::{self, TypeRef};
use sdn_pdk_schemas::plg;
use wasmparser::{Parser, Payload};

use crate::soak::driver::Rng;
use crate::support::{self, OMM_TYPE};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../sdn-pdk/schemas/tests/data/module-sdk"
);

fn vector(name: &str) -> Vec<u8> {
    support::read(std::path::Path::new(&format!("{VECTORS}/{name}")))
}

fn load(name: &str, host: HostKind) -> Module {
    let options = ModuleOptions {
        host,
        ..ModuleOptions::default()
    };
    Module::load_file(support::example_path(name), &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn echo(host: HostKind) -> Module {
    load("module-echo", host)
}

/// A stand-in `$OMM` payload (the vectors carry the same shape).
const PAYLOAD: &[u8] = b"\x10\0\0\0$OMM\x01\x02\x03\x04\x05\x06\x07\x08";

fn request(payload: &[u8]) -> Frame<'_> {
    Frame {
        port: "request",
        payload,
        type_ref: Some(OMM_TYPE),
    }
}

fn custom_section(wasm: &[u8], name: &str) -> Vec<Vec<u8>> {
    let mut found = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CustomSection(section) = payload.unwrap()
            && section.name() == name
        {
            found.push(section.data().to_vec());
        }
    }
    found
}

fn omm_port(port_id: &str) -> plg::PortSpec {
    plg::PortSpec {
        port_id: port_id.into(),
        display_name: None,
        type_sets: vec![plg::TypeSetSpec {
            set_id: Some(port_id.into()),
            allowed_types: vec![plg::TypeSpec {
                schema_name: "OMM.fbs".into(),
                file_identifier: "$OMM".into(),
                root_type: "OMM".into(),
                ..plg::TypeSpec::default()
            }],
            allowed_wire_formats: vec![0],
            description: None,
        }],
        min_streams: 1,
        max_streams: 1,
        required: true,
        description: None,
    }
}

#[test]
fn the_manifest_is_exactly_what_the_macro_was_given() {
    let module = echo(HostKind::Server);
    let read = plg::read(module.manifest().unwrap()).unwrap();
    let capability = |name: &str| plg::CapabilitySpec {
        name: name.into(),
        kind: plg::capability_kind(name),
        required: true,
    };
    let expected = plg::PlgSpec {
        plugin_id: "com.digitalarsenal.examples.invoke-echo".into(),
        name: "Invoke Echo".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        description: Some(
            "The module SDK's reference echo as a Space Data module in Rust: one method, its OMM payload back unchanged."
                .into(),
        ),
        plugin_type: plg::plugin_type("analysis"),
        abi_version: 1,
        capabilities: vec![capability("clock"), capability("random"), capability("logging")],
        methods: vec![plg::MethodSpec {
            method_id: "echo".into(),
            display_name: Some("Echo".into()),
            inputs: vec![omm_port("request")],
            outputs: vec![omm_port("response")],
            max_batch: 1,
            drain_policy: plg::drain_policy::SINGLE_SHOT,
            description: Some("Echoes each OMM request payload back on the response port.".into()),
        }],
        invoke_surfaces: vec![plg::surface::DIRECT],
        runtime_targets: vec![],
        timers: vec![],
        protocols: vec![],
        entry_functions: vec![plg::EntryFunctionSpec {
            name: "echo".into(),
            description: Some("Echoes each OMM request payload back on the response port.".into()),
            input_schemas: vec!["OMM.fbs".into()],
            output_schema: Some("OMM.fbs".into()),
        }],
        required_schemas: vec!["OMM.fbs".into()],
    };
    assert_eq!(read, expected);
}

#[test]
fn section_and_exports_carry_the_same_plg_and_no_pman() {
    for (name, surfaces) in [
        ("module-echo", vec![plg::surface::DIRECT]),
        (
            "module-echo-command",
            vec![plg::surface::DIRECT, plg::surface::COMMAND],
        ),
    ] {
        let wasm = support::read(&support::example_path(name));
        let sections = custom_section(&wasm, sdn_pdk_schemas::hosts::exports::MANIFEST_SECTION);
        assert_eq!(sections.len(), 1, "{name}: one sds.manifest section");
        let module = load(name, HostKind::Server);
        assert_eq!(
            module.manifest().unwrap(),
            &sections[0][..],
            "{name}: section == exports"
        );
        assert_eq!(&sections[0][4..8], b"$PLG");
        assert_eq!(
            plg::read(&sections[0]).unwrap().invoke_surfaces,
            surfaces,
            "{name}"
        );
        assert!(
            !wasm.windows(4).any(|w| w == b"PMAN"),
            "{name} contains PMAN"
        );
    }
}

#[test]
fn answers_the_module_sdk_echo_vector_on_both_hosts() {
    let expected_bytes = vector("echo.response.piv");
    let expected = piv::decode_response(&expected_bytes).unwrap();
    for host in [HostKind::Server, HostKind::Sdk] {
        let mut module = echo(host);
        let raw = module.invoke_raw(&vector("echo.request.piv")).unwrap();
        let answer = piv::decode_response(&raw).unwrap();
        assert_eq!(
            (answer.status_code, answer.status),
            (expected.status_code, expected.status)
        );
        assert_eq!(answer.error_code, expected.error_code);
        assert_eq!(answer.trace_id, expected.trace_id);
        assert_eq!(answer.outputs.len(), expected.outputs.len());
        for (got, want) in answer.outputs.iter().zip(&expected.outputs) {
            assert_eq!(got.port_id, want.port_id);
            assert_eq!(got.type_ref, want.type_ref, "{host:?}");
            assert_eq!(got.alignment, want.alignment);
            assert_eq!(answer.arena_payload(got), expected.arena_payload(want));
        }
    }
}

#[test]
fn every_error_row_gives_its_code() {
    let mut module = echo(HostKind::Server);
    let other_type = TypeRef {
        file_identifier: "$OEM",
        schema_name: "OEM.fbs",
        root_type: "OEM",
        ..OMM_TYPE
    };
    let cases: Vec<(&str, Vec<Frame<'_>>, i32, i32, &str)> = vec![
        (
            "nope",
            vec![request(PAYLOAD)],
            404,
            piv::status::NOT_FOUND,
            "unknown-method",
        ),
        (
            "echo",
            vec![
                request(PAYLOAD),
                Frame {
                    port: "extra",
                    ..request(PAYLOAD)
                },
            ],
            400,
            piv::status::FAILED,
            "unknown-input-port",
        ),
        (
            "echo",
            vec![Frame {
                type_ref: Some(other_type),
                ..request(PAYLOAD)
            }],
            400,
            piv::status::FAILED,
            "unsupported-input-type",
        ),
        (
            "echo",
            vec![],
            400,
            piv::status::FAILED,
            "missing-required-input",
        ),
        (
            "echo",
            vec![request(PAYLOAD), request(PAYLOAD)],
            400,
            piv::status::FAILED,
            "too-many-frames",
        ),
    ];
    for (method, frames, status_code, status, code) in cases {
        let result = module.invoke(method, &frames).unwrap();
        assert_eq!(
            (
                result.status_code,
                result.status,
                result.error_code.as_deref()
            ),
            (status_code, status, Some(code)),
            "{code}: {:?}",
            result.error_message
        );
        assert!(result.outputs.is_empty());
    }
    // A frame without a type ref (as the server sends from a protocol or a
    // timer) is the port's declared type, answered with the declared type ref.
    let result = module
        .invoke(
            "echo",
            &[Frame {
                type_ref: None,
                ..request(PAYLOAD)
            }],
        )
        .unwrap();
    assert_eq!(result.status_code, 0);
    let output = result.response().unwrap();
    assert_eq!(output.payload, PAYLOAD);
    assert_eq!(output.type_ref.as_ref().unwrap().file_identifier, "$OMM");
    assert_eq!(output.alignment, 8);
}

/// The next well-formed request still gets the echo.
fn assert_serves(module: &mut Module) {
    let result = module.invoke("echo", &[request(PAYLOAD)]).unwrap();
    assert_eq!(result.status_code, 0);
    assert_eq!(result.response().unwrap().payload, PAYLOAD);
}

fn error_code(module: &Module, response: u32, len: u32) -> Option<String> {
    let bytes = module.read_memory(response, len).unwrap();
    piv::decode_response(&bytes)
        .unwrap()
        .error_code
        .map(str::to_owned)
}

#[test]
fn misaligned_foreign_and_out_of_bounds_requests_are_error_responses() {
    let mut module = echo(HostKind::Server);
    let request = vector("echo.request.piv");
    let len = u32::try_from(request.len()).unwrap();
    let block = module.call_export_alloc(len + 16).unwrap();
    module.write_memory(block + 4, &request).unwrap();
    let cell = module.call_export_alloc(4).unwrap();
    let end = u32::try_from(module.memory_pages() * 65_536).unwrap();
    let cases = [
        (block + 4, len, "misaligned-request"),
        (8, len, "invalid-request-pointer"), // not a block the module handed out
        (end - 8, len, "invalid-request-pointer"), // past the end of memory
        (block + 8, len + 16, "invalid-request-pointer"), // runs past its block
    ];
    for (req, req_len, code) in cases {
        module.write_memory(cell, &[0xAA; 4]).unwrap();
        let response = module.invoke_stream_raw(req, req_len, cell).unwrap();
        let written = u32::from_le_bytes(module.read_memory(cell, 4).unwrap().try_into().unwrap());
        assert_ne!(response, 0, "{code}");
        assert_eq!(
            error_code(&module, response, written).as_deref(),
            Some(code)
        );
        module.call_export_free(response, written).unwrap();
    }
    // An unusable length cell: no response at all.
    assert_eq!(module.invoke_stream_raw(block, len, end - 2).unwrap(), 0);
    assert_eq!(module.invoke_stream_raw(block, len, 16).unwrap(), 0);
    assert_serves(&mut module);
}

#[test]
fn double_and_foreign_frees_never_corrupt_the_heap() {
    let mut module = echo(HostKind::Server);
    let block = module.call_export_alloc(64).unwrap();
    assert_eq!(block % 16, 0, "plugin_alloc is 16-aligned");
    module.call_export_free(block, 64).unwrap();
    module.call_export_free(block, 64).unwrap();
    module.call_export_free(block + 16, 8).unwrap();
    module.call_export_free(12, 4).unwrap();
    let (a, b) = (
        module.call_export_alloc(64).unwrap(),
        module.call_export_alloc(64).unwrap(),
    );
    assert_ne!(a, b);
    assert_ne!(
        module.call_export_alloc(0).unwrap(),
        0,
        "size 0 is taken as 1"
    );
    assert_eq!(
        module.call_export_alloc(u32::MAX).unwrap(),
        0,
        "no wrapped small block"
    );
    assert_serves(&mut module);
}

#[test]
fn truncated_and_random_bytes_are_error_responses_and_the_next_call_works() {
    let mut module = echo(HostKind::Server);
    let request = vector("echo.request.piv");
    for cut in 0..request.len() {
        let raw = module.invoke_raw(&request[..cut]).unwrap();
        let answer = piv::decode_response(&raw).unwrap();
        // Cutting only the encoder's tail padding leaves a valid request.
        let expected = if piv::decode_request(&request[..cut]).is_ok() {
            None
        } else {
            Some("invalid-request")
        };
        assert_eq!(answer.error_code, expected, "cut at {cut}");
    }
    let mut rng = Rng::new(0x5eed);
    let mut garbage = Vec::new();
    for round in 0..100_000u32 {
        let len = (rng.next_u64() % 600) as usize;
        garbage.clear();
        garbage.extend((0..len).map(|_| rng.next_u64() as u8));
        if round % 2 == 1 && garbage.len() >= 8 {
            garbage[4..8].copy_from_slice(b"$PIV"); // past the identifier check
        }
        let raw = module.invoke_raw(&garbage).unwrap();
        let answer = piv::decode_response(&raw).unwrap();
        assert_ne!(answer.status_code, 0, "round {round}");
    }
    assert_serves(&mut module);
}

#[test]
fn the_command_twin_answers_over_stdin_and_stdout() {
    let expected_bytes = vector("echo.response.piv");
    let expected = piv::decode_response(&expected_bytes).unwrap();
    let mut module = load("module-echo-command", HostKind::Sdk);
    let run = module.run_command(&vector("echo.request.piv")).unwrap();
    assert_eq!(
        run.exit_code,
        0,
        "stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let answer = piv::decode_response(&run.stdout).unwrap();
    assert_eq!(answer.status_code, 0);
    assert_eq!(
        answer.arena_payload(&answer.outputs[0]),
        expected.arena_payload(&expected.outputs[0])
    );

    // A failing request: the error response on stdout, exit code 1.
    let mut module = load("module-echo-command", HostKind::Sdk);
    let run = module.run_command(b"not a PIV request").unwrap();
    assert_eq!(run.exit_code, 1);
    assert_eq!(
        piv::decode_response(&run.stdout).unwrap().error_code,
        Some("invalid-request")
    );
}
