//! The `propagate` method through sdn-pdk's invoke glue (natively, with
//! the mock host answering `plugin.getConfig`): the same request checks,
//! frame order, config handling and error responses the wasm module gives.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test should panic"
)]

use sdn_pdk::testing::{InputFrame, ModuleInstance, set_hostcall_handler};
use sgp4_propagator::Propagator;
use sgp4_propagator::generated::oem;

const ISS: &[u8] = include_bytes!("data/omm-25544.fb");

fn omm(payload: &[u8]) -> InputFrame<'_> {
    InputFrame {
        port_id: "omm",
        payload,
        type_ref: None,
        frame_id: 0,
    }
}

/// Answers `plugin.getConfig` with `config` (an envelope like the server's).
fn serve_config(config: &'static str) {
    set_hostcall_handler(Some(Box::new(move |op, _payload| {
        assert_eq!(op, "plugin.getConfig");
        let meta = format!(r#"{{"ok":true,"result":{config}}}"#);
        (0, sdn_pdk_schemas::hostcall::encode(&meta, &[]))
    })));
}

fn states(oem_bytes: &[u8]) -> usize {
    let message = flatbuffers::root::<oem::OEM>(oem_bytes).unwrap();
    let blocks = message.EPHEMERIS_DATA_BLOCK().unwrap();
    assert_eq!(blocks.len(), 1);
    blocks.get(0).EPHEMERIS_DATA_LINES().unwrap().len()
}

#[test]
fn without_a_config_the_iss_gets_91_states() {
    set_hostcall_handler(None);
    let response = ModuleInstance::<Propagator>::new().invoke("propagate", &[omm(ISS)]);
    assert_eq!((response.status_code, response.error_code), (0, None));
    assert_eq!(response.outputs.len(), 1);
    let output = &response.outputs[0];
    assert_eq!(
        (
            output.port_id.as_str(),
            output.file_identifier.as_str(),
            output.root_type.as_str()
        ),
        ("ephemeris", "$OEM", "OEM")
    );
    assert_eq!(&output.payload[4..8], b"$OEM");
    assert_eq!(states(&output.payload), 91);
}

#[test]
fn the_deployment_config_sets_the_window_and_frames_keep_their_order() {
    serve_config(r#"{"stepSeconds": 30, "spanMinutes": 10, "other": [1, {"x": null}]}"#);
    let response =
        ModuleInstance::<Propagator>::new().invoke("propagate", &[omm(ISS), omm(ISS), omm(ISS)]);
    assert_eq!(response.status_code, 0, "{:?}", response.error_message);
    assert_eq!(response.outputs.len(), 3);
    for output in &response.outputs {
        assert_eq!(states(&output.payload), 21);
    }
    set_hostcall_handler(None);
}

#[test]
fn a_bad_config_is_a_clear_error() {
    serve_config(r#"{"stepSeconds": "sixty"}"#);
    let response = ModuleInstance::<Propagator>::new().invoke("propagate", &[omm(ISS)]);
    assert_eq!(
        (response.status_code, response.error_code.as_deref()),
        (400, Some("invalid-config"))
    );
    assert!(response.error_message.unwrap().contains("stepSeconds"));
    serve_config(r#"{"stepSeconds": 0}"#);
    let response = ModuleInstance::<Propagator>::new().invoke("propagate", &[omm(ISS)]);
    assert_eq!(response.error_code.as_deref(), Some("invalid-config"));
    set_hostcall_handler(None);
}

#[test]
fn bad_frames_are_error_responses_naming_the_frame_and_the_next_call_works() {
    set_hostcall_handler(None);
    let mut module = ModuleInstance::<Propagator>::new();
    let response = module.invoke("propagate", &[omm(ISS), omm(b"not an omm at all")]);
    assert_eq!(
        (response.status_code, response.error_code.as_deref()),
        (400, Some("invalid-omm"))
    );
    assert!(response.error_message.unwrap().starts_with("omm frame 1:"));
    assert!(
        response.outputs.is_empty(),
        "a failed call answers no outputs"
    );

    let too_many: Vec<InputFrame<'_>> = (0..33).map(|_| omm(ISS)).collect();
    let response = module.invoke("propagate", &too_many);
    assert_eq!(
        (response.status_code, response.error_code.as_deref()),
        (400, Some("too-many-frames"))
    );
    assert!(response.error_message.unwrap().contains("Input frame 32"));

    let response = module.invoke("propagate", &[]);
    assert_eq!(
        response.error_code.as_deref(),
        Some("missing-required-input")
    );

    let response = module.invoke("propagate", &[omm(ISS)]);
    assert_eq!(response.status_code, 0);
}
