//! A trap fails one call, never the instance:
//! `host-harness/test-plugins/panicker` panics on request (sdn-pdk's panic
//! handler logs, then traps); the same instance then serves the next
//! requests with its state as the trap left it, and a thousand trap/serve
//! cycles do not grow its memory.

use host_harness::{HarnessError, LogLevel, Plugin, Response};

use crate::support;

fn panicker() -> Plugin {
    let path = support::test_plugin_path("panicker");
    let mut plugin =
        Plugin::load_file(&path).unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
    plugin.init(b"").unwrap();
    plugin
}

/// What the panicker answers to `body` after `served` answers and `panics`
/// panics.
fn served(served: u32, panics: u32, body: &[u8]) -> Response {
    let mut expected = served.to_le_bytes().to_vec();
    expected.extend_from_slice(&panics.to_le_bytes());
    expected.extend_from_slice(body);
    Response {
        status: 0,
        body: expected,
    }
}

fn assert_trap(result: Result<Response, HarnessError>) {
    match result {
        Err(HarnessError::Trap { export, .. }) => assert_eq!(export, "plugin_handle_request"),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn a_panic_traps_one_call_and_the_instance_serves_on() {
    let mut plugin = panicker();
    assert_eq!(
        plugin.handle_request(b"one", "").unwrap(),
        served(0, 0, b"one")
    );
    assert_trap(plugin.handle_request(b"panic", ""));
    // Served again, and the count the trapped call made is kept.
    assert_eq!(
        plugin.handle_request(b"two", "").unwrap(),
        served(1, 1, b"two")
    );
    // A core-library panic (a bounds check) the same way.
    assert_trap(plugin.handle_request(b"index", ""));
    assert_eq!(
        plugin.handle_request(b"three", "").unwrap(),
        served(2, 2, b"three")
    );
    // The other exports are untouched.
    assert_eq!(plugin.public_key().unwrap(), b"PNIC");
    assert_eq!(plugin.metadata().unwrap(), b"panicker");
    // The harness's direct allocator calls still work.
    let ptr = plugin.malloc(100).unwrap();
    plugin.free(ptr).unwrap();
}

/// sdn-pdk's `no_std` panic handler logs the message at error level, then
/// traps. (This also pins that each test plugin is built on its own: built
/// beside `std-plugin` in one cargo invocation, sdn-pdk's `std` feature
/// would be unified into this plugin and replace the handler.)
#[test]
fn the_panic_message_is_logged_before_the_trap() {
    let mut plugin = panicker();
    crate::support::Interface::of(&support::read(&support::test_plugin_path("panicker")))
        .assert_imports_only_sdn();
    assert_trap(plugin.handle_request(b"panic", ""));
    let logs = plugin.take_logs();
    let last = logs.last().expect("the panic was logged");
    assert_eq!(last.level, LogLevel::Error);
    assert!(
        last.message
            .starts_with("panic: panicker: requested panic at "),
        "{last:?}"
    );
}

/// A formatted message (here the core library's bounds check) is logged
/// with its arguments, not as a placeholder.
#[test]
fn a_formatted_panic_message_is_logged_in_full() {
    let mut plugin = panicker();
    assert_trap(plugin.handle_request(b"index", ""));
    let logs = plugin.take_logs();
    let last = logs.last().expect("the panic was logged");
    assert_eq!(last.level, LogLevel::Error);
    assert!(
        last.message
            .starts_with("panic: index out of bounds: the len is 4 but the index is 5 at "),
        "{last:?}"
    );
}

#[test]
fn a_thousand_trap_serve_cycles_do_not_grow_memory() {
    const CYCLES: u32 = 1_000;
    let mut plugin = panicker();
    let body = vec![0x42; 4096];
    let mut pages_after_warmup = 0;
    for i in 0..CYCLES {
        let trigger: &[u8] = if i % 2 == 0 { b"panic" } else { b"index" };
        assert_trap(plugin.handle_request(trigger, "trap.example"));
        assert_eq!(
            plugin.handle_request(&body, "trap.example").unwrap(),
            served(i, i + 1, &body),
            "cycle {i}"
        );
        if i == CYCLES / 10 {
            pages_after_warmup = plugin.memory_pages();
        }
        plugin.clear_logs();
    }
    assert_eq!(plugin.memory_pages(), pages_after_warmup, "memory grew");
    println!("{CYCLES} trap/serve cycles: {pages_after_warmup} pages throughout");
}
