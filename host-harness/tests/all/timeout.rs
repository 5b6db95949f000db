//! The per-operation instruction budget turning endless loops into `Timeout`.

use host_harness::{HarnessError, Plugin};

use crate::fixture::{Wat, assert_freed_in_reverse, reset_trace, trace};

#[test]
fn an_endless_loop_is_a_timeout_and_the_plugin_survives() {
    // Loops forever on a one-byte request, echoes otherwise.
    let mut plugin = Wat::echo()
        .with(|w| {
            w.handle_request = w.handle_request.replace(
                "(global.set $calls",
                "(if (i32.eq (local.get $len) (i32.const 1)) (then (loop $spin (br $spin))))\n    (global.set $calls",
            );
        })
        .load_with(Plugin::builder().fuel_per_call(2_000_000))
        .unwrap();
    assert_eq!(plugin.fuel_per_call(), 2_000_000);
    reset_trace(&mut plugin);
    assert_eq!(
        plugin.handle_request(b"x", ""),
        Err(HarnessError::Timeout {
            export: "plugin_handle_request".into()
        })
    );
    // The buffers are still freed, on a fresh budget.
    assert_freed_in_reverse(&trace(&mut plugin));
    assert_eq!(plugin.handle_request(b"xy", "").unwrap().status, 0);
}

#[test]
fn an_endless_initialize_is_a_timeout() {
    let wat = Wat::echo().with(|w| {
        w.extra = r#"(func (export "_initialize") (loop $spin (br $spin)))"#.to_owned();
    });
    assert!(matches!(
        wat.load_with(Plugin::builder().fuel_per_call(1_000_000))
            .unwrap_err(),
        HarnessError::Timeout { export } if export == "_initialize"
    ));
}
