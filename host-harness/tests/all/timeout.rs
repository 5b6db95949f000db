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

/// A request that runs 3,000,000 loop iterations, far past a 1,000,000
/// fuel budget, before it echoes.
fn busy_echo() -> Wat {
    Wat::echo().with(|w| {
        w.handle_request = w.handle_request.replace(
            "(global.set $calls",
            "(global.set $busy (i32.const 3000000))
    (loop $spin
      (global.set $busy (i32.sub (global.get $busy) (i32.const 1)))
      (br_if $spin (global.get $busy)))
    (global.set $calls",
        );
        w.extra = "(global $busy (mut i32) (i32.const 0))".to_owned();
    })
}

#[test]
fn unmetered_calls_have_no_budget_and_answer_as_metered_ones() {
    use host_harness::{Clock, Metering};

    let metered = busy_echo().load_with(Plugin::builder().fuel_per_call(1_000_000));
    let mut metered = metered.unwrap();
    assert!(matches!(
        metered.handle_request(b"abc", ""),
        Err(HarnessError::Timeout { .. })
    ));

    let builder = Plugin::builder()
        .clock(Clock::Fixed(1_790_000_000_000))
        .fuel_per_call(1_000_000);
    let mut unmetered = busy_echo()
        .load_with(builder.clone().metering(Metering::Off))
        .unwrap();
    let mut generous = busy_echo()
        .load_with(builder.fuel_per_call(1_000_000_000))
        .unwrap();
    for body in [&b""[..], b"abc", &[7; 300]] {
        assert_eq!(
            unmetered.handle_request(body, "h").unwrap(),
            generous.handle_request(body, "h").unwrap()
        );
    }
}
