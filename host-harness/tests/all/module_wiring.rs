//! A module's `PROTOCOLS` and `TIMERS` as the newest server wires them
//! (`Module::handle_protocol_stream`, `Module::fire_timer`), on the
//! `wired-module` test module: one method per rule.

use host_harness::module::{CloseReason, Module, ModuleError, ModuleOptions, StreamOutcome};
use sdn_pdk_schemas::hosts::server;
use sdn_pdk_schemas::plg;

use crate::support;

fn wired(options: &ModuleOptions) -> Module {
    let path = support::test_plugin_path("wired-module");
    Module::load_file(&path, options).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn server() -> Module {
    wired(&ModuleOptions::server())
}

#[test]
fn the_installed_protocols_are_the_auto_install_ones_in_order() {
    let module = server();
    let ids: Vec<String> = module
        .installed_protocols()
        .unwrap()
        .into_iter()
        .map(|p| p.protocol_id)
        .collect();
    assert_eq!(
        ids,
        [
            "/x/1.0.0",
            "/x/first/1.0.0",
            "/x/fail/1.0.0",
            "/x/silent/1.0.0",
            "/x/other-port/1.0.0"
        ]
    );
    let timers: Vec<(String, String, i64)> = module
        .timers()
        .unwrap()
        .into_iter()
        .map(|t| (t.timer_id, t.method_id, t.default_interval_ms))
        .collect();
    assert_eq!(
        timers,
        [
            ("tick".into(), "tick".into(), 1000),
            ("echo-tick".into(), "echo".into(), 60000),
            ("bad-tick".into(), "fail".into(), 5000),
        ]
    );
}

#[test]
fn a_protocol_answers_the_response_port_not_the_first_output() {
    let mut module = server();
    // echo writes "echo" on `log` first, then the message on `response`.
    let outcome = module.handle_protocol_stream("/x/1.0.0", b"hello").unwrap();
    assert_eq!(outcome, StreamOutcome::Reply(b"hello".to_vec()));
    assert_eq!(outcome.reply(), Some(&b"hello"[..]));
}

#[test]
fn without_a_response_port_the_first_output_is_answered() {
    let mut module = server();
    let outcome = module
        .handle_protocol_stream("/x/first/1.0.0", b"x")
        .unwrap();
    assert_eq!(outcome, StreamOutcome::Reply(b"a".to_vec()));
}

#[test]
fn a_protocol_message_of_16_kib_is_taken_and_one_byte_more_is_dropped() {
    let mut module = server();
    let max = vec![7u8; server::STREAM_MESSAGE_MAX_BYTES];
    assert_eq!(
        module.handle_protocol_stream("/x/1.0.0", &max).unwrap(),
        StreamOutcome::Reply(max.clone())
    );
    let over = vec![7u8; server::STREAM_MESSAGE_MAX_BYTES + 1];
    assert_eq!(
        module.handle_protocol_stream("/x/1.0.0", &over).unwrap(),
        StreamOutcome::Closed(CloseReason::TooLong {
            len: server::STREAM_MESSAGE_MAX_BYTES + 1
        })
    );
    assert_eq!(
        module.handle_protocol_stream("/x/1.0.0", b"").unwrap(),
        StreamOutcome::Closed(CloseReason::EmptyMessage)
    );
}

#[test]
fn a_failing_method_closes_the_stream_without_a_reply() {
    let mut module = server();
    let StreamOutcome::Closed(CloseReason::Failed(result)) = module
        .handle_protocol_stream("/x/fail/1.0.0", b"x")
        .unwrap()
    else {
        panic!("expected a failure");
    };
    assert_eq!(result.status_code, 418);
    assert_eq!(result.error_code.as_deref(), Some("teapot"));
    // The instance goes on serving.
    assert!(
        module
            .handle_protocol_stream("/x/1.0.0", b"again")
            .unwrap()
            .reply()
            .is_some()
    );
}

#[test]
fn no_output_or_an_empty_one_is_no_reply() {
    let mut module = server();
    assert!(matches!(
        module
            .handle_protocol_stream("/x/silent/1.0.0", b"x")
            .unwrap(),
        StreamOutcome::Closed(CloseReason::NoOutput(_))
    ));
    assert!(matches!(
        module
            .handle_protocol_stream("/x/silent/1.0.0", b"empty")
            .unwrap(),
        StreamOutcome::Closed(CloseReason::EmptyOutput(_))
    ));
}

#[test]
fn the_server_sends_on_request_whatever_input_port_the_protocol_names() {
    let mut module = server();
    let StreamOutcome::Closed(CloseReason::Failed(result)) = module
        .handle_protocol_stream("/x/other-port/1.0.0", b"x")
        .unwrap()
    else {
        panic!("expected a failure");
    };
    assert_eq!(result.status_code, 400);
    assert_eq!(result.error_code.as_deref(), Some("unknown-input-port"));
}

#[test]
fn a_protocol_that_is_not_installed_has_no_handler() {
    let mut module = server();
    for id in ["/x/manual/1.0.0", "/nothing/1.0.0"] {
        let err = module.handle_protocol_stream(id, b"x").unwrap_err();
        assert!(matches!(err, ModuleError::InvalidInput { .. }), "{err}");
        assert!(err.to_string().contains("/x/1.0.0"), "{err}");
    }
}

#[test]
fn the_protocol_frame_has_no_type_ref_and_the_sdk_host_runs_it_too() {
    // The glue takes an untyped frame as the port's type: the reply proves
    // the frame got through; on the module SDK's host as well.
    let mut module = wired(&ModuleOptions::sdk());
    assert_eq!(
        module.handle_protocol_stream("/x/1.0.0", b"sdk").unwrap(),
        StreamOutcome::Reply(b"sdk".to_vec())
    );
}

#[test]
fn a_timer_calls_its_method_with_one_empty_frame() {
    let mut module = server();
    let first = module.fire_timer("tick").unwrap();
    assert_eq!(first.status_code, 0, "{first:?}");
    assert_eq!(first.response().unwrap().payload, b"tick 1 0");
    let second = module.fire_timer("tick").unwrap();
    assert_eq!(second.response().unwrap().payload, b"tick 2 0");
    // A timer on echo: the empty frame comes back on `response`.
    let echo = module.fire_timer("echo-tick").unwrap();
    assert_eq!(echo.output("response").unwrap().payload, b"");
    assert_eq!(echo.output("log").unwrap().payload, b"echo");
}

#[test]
fn a_failing_timer_is_a_result_with_its_status_and_an_unknown_one_an_error() {
    let mut module = server();
    let result = module.fire_timer("bad-tick").unwrap();
    assert_eq!(result.status_code, 418);
    assert_eq!(result.error_code.as_deref(), Some("teapot"));
    let err = module.fire_timer("tock").unwrap_err();
    assert!(
        err.to_string().contains("tick, echo-tick, bad-tick"),
        "{err}"
    );
}

#[test]
fn a_timer_runs_on_the_scheduled_budget() {
    let mut module = server();
    let interactive = |module: &mut Module, fuel: u64| {
        module.set_fuel_per_call(fuel);
        module.handle_protocol_stream("/x/1.0.0", b"x").unwrap()
    };
    // The largest power of two that is too little fuel for one exchange.
    let mut fuel = 1_000;
    assert!(matches!(
        interactive(&mut module, fuel),
        StreamOutcome::Closed(CloseReason::InvokeFailed(ModuleError::Timeout { .. }))
    ));
    while interactive(&mut module, fuel * 2).reply().is_none() {
        fuel *= 2;
        assert!(fuel < 1 << 40, "echo never succeeds");
    }
    module.set_fuel_per_call(fuel);
    // It is enough for a timer, which gets twenty such budgets ...
    let result = module.fire_timer("echo-tick").unwrap();
    assert_eq!(result.status_code, 0);
    // ... and only for that call.
    assert_eq!(module.fuel_per_call(), fuel);
    assert!(interactive(&mut module, fuel).reply().is_none());
}

#[test]
fn the_decoded_manifest_is_the_plg() {
    let module = server();
    let spec = module.plg().unwrap().unwrap();
    assert_eq!(spec.plugin_id, "org.sdn-pdk.test.wired-module");
    assert_eq!(
        plg::read(module.manifest().unwrap()).unwrap(),
        spec,
        "plg() reads what manifest() holds"
    );
}
