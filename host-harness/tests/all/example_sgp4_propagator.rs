//! examples/sgp4-propagator as the hosts run it: the ISS `$OMM` through the
//! server (deployment config from `plugin.getConfig`, `{}` when none) and
//! through the module SDK's harness (no config operation: the defaults),
//! the command-surface build over stdin/stdout, and bad input answered as
//! an error response after which the next call works.

use host_harness::{Frame, HostKind, Module, ModuleOptions};
use sdn_pdk_schemas::piv;
use sgp4_propagator::generated::oem;

use crate::support::{self, OMM_TYPE};

const ISS: &[u8] = include_bytes!("../../../examples/sgp4-propagator/tests/data/omm-25544.fb");

fn load(name: &str, options: ModuleOptions) -> Module {
    Module::load_file(support::example_path(name), &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn omm(payload: &[u8]) -> Frame<'_> {
    Frame {
        port: "omm",
        payload,
        type_ref: Some(OMM_TYPE),
    }
}

/// The OEM's states: (epoch, x, y, z) of each line.
fn states(bytes: &[u8]) -> Vec<(String, f64, f64, f64)> {
    let message = oem::root_as_oem(bytes).unwrap();
    let block = message.EPHEMERIS_DATA_BLOCK().unwrap().get(0);
    block
        .EPHEMERIS_DATA_LINES()
        .unwrap()
        .iter()
        .map(|line| {
            (
                line.EPOCH().unwrap_or_default().to_owned(),
                line.X(),
                line.Y(),
                line.Z(),
            )
        })
        .collect()
}

#[test]
fn the_iss_propagates_on_the_server_and_on_the_sdk_host_alike() {
    let mut server = load("sgp4-propagator", ModuleOptions::server());
    let mut sdk = load(
        "sgp4-propagator",
        ModuleOptions {
            host: HostKind::Sdk,
            ..ModuleOptions::default()
        },
    );
    let on_server = server.invoke("propagate", &[omm(ISS)]).unwrap();
    let on_sdk = sdk.invoke("propagate", &[omm(ISS)]).unwrap();
    for result in [&on_server, &on_sdk] {
        assert_eq!(result.status_code, 0, "{:?}", result.error_message);
        let output = result.output("ephemeris").unwrap();
        let type_ref = output.type_ref.as_ref().unwrap();
        assert_eq!(
            (
                type_ref.file_identifier.as_str(),
                type_ref.root_type.as_str()
            ),
            ("$OEM", "OEM")
        );
        let states = states(&output.payload);
        assert_eq!(states.len(), 91);
        assert!(
            states[0].0.starts_with("2024-01-01T00:00:00"),
            "{}",
            states[0].0
        );
        assert!(
            states[90].0.starts_with("2024-01-01T01:30:00"),
            "{}",
            states[90].0
        );
        let radius = (states[0].1.powi(2) + states[0].2.powi(2) + states[0].3.powi(2)).sqrt();
        assert!(
            (6_700.0..6_900.0).contains(&radius),
            "ISS radius {radius} km"
        );
    }
    assert_eq!(
        on_server.outputs[0].payload, on_sdk.outputs[0].payload,
        "same bytes on both hosts"
    );
}

#[test]
fn the_server_deployment_config_sets_the_window() {
    let options = ModuleOptions {
        config_json: Some(r#"{"stepSeconds": 120, "spanMinutes": 60}"#.into()),
        ..ModuleOptions::server()
    };
    let mut module = load("sgp4-propagator", options);
    // As a protocol or timer call: no type ref on the frame.
    let frame = Frame {
        type_ref: None,
        ..omm(ISS)
    };
    let result = module.invoke("propagate", &[frame, frame]).unwrap();
    assert_eq!(result.status_code, 0, "{:?}", result.error_message);
    assert_eq!(result.outputs.len(), 2);
    assert_eq!(states(&result.outputs[1].payload).len(), 31);
}

#[test]
fn bad_input_is_an_error_response_and_the_next_call_works() {
    let mut module = load("sgp4-propagator", ModuleOptions::server());
    let mut corrupt = ISS.to_vec();
    corrupt[4..8].copy_from_slice(b"$OEM");
    let result = module
        .invoke("propagate", &[omm(ISS), omm(&corrupt)])
        .unwrap();
    assert_eq!(
        (result.status_code, result.status),
        (400, piv::status::FAILED)
    );
    assert_eq!(result.error_code.as_deref(), Some("invalid-omm"));
    assert!(
        result
            .error_message
            .as_deref()
            .unwrap()
            .starts_with("omm frame 1:")
    );
    let frames: Vec<Frame<'_>> = (0..33).map(|_| omm(ISS)).collect();
    let result = module.invoke("propagate", &frames).unwrap();
    assert_eq!(result.error_code.as_deref(), Some("too-many-frames"));
    let result = module.invoke("propagate", &[omm(ISS)]).unwrap();
    assert_eq!(result.status_code, 0);
}

#[test]
fn the_command_build_answers_over_stdin_and_stdout() {
    let mut module = load(
        "sgp4-propagator-command",
        ModuleOptions {
            host: HostKind::Sdk,
            ..ModuleOptions::default()
        },
    );
    let request = piv::encode_request(
        "propagate",
        &[piv::FrameOut {
            port_id: "omm",
            payload: ISS,
            type_ref: Some(OMM_TYPE),
            frame_id: 0,
        }],
        7,
    );
    let run = module.run_command(&request).unwrap();
    assert_eq!(
        run.exit_code,
        0,
        "stderr: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let answer = piv::decode_response(&run.stdout).unwrap();
    assert_eq!((answer.status_code, answer.trace_id), (0, 7));
    assert_eq!(
        states(answer.arena_payload(&answer.outputs[0]).unwrap()).len(),
        91
    );
}
