//! `host-harness/test-plugins/std-plugin`: sdn-pdk with `std`, so wasi-libc
//! is linked beside sdn-pdk's allocator. Proves the exported malloc/free,
//! getrandom 0.3 and 0.4 routed to `sdn.random_bytes`, std formatting and
//! float maths, and a heap that does not grow under steady load.

use host_harness::{Clock, HarnessError, LogLevel, Plugin, RandomFallback, Response};

use crate::support;

fn std_plugin() -> Plugin {
    let path = support::test_plugin_path("std-plugin");
    Plugin::builder()
        .clock(Clock::Fixed(1_790_000_000_000))
        .random_fallback(RandomFallback::Seeded(1))
        .load_file(&path)
        .unwrap_or_else(|e| panic!("loading {}: {e}", path.display()))
}

#[test]
fn exported_malloc_and_free_work() {
    let mut plugin = std_plugin();
    let empty = plugin.malloc(0).expect("malloc(0) must not return 0");
    assert_ne!(empty, 0);
    plugin.free(empty).unwrap();
    let mut blocks = Vec::new();
    for (i, size) in [1u32, 16, 100, 4096, 70_000].into_iter().enumerate() {
        let ptr = plugin.malloc(size).unwrap();
        let fill = vec![i as u8 + 1; size as usize];
        plugin.write_memory(ptr, &fill).unwrap();
        blocks.push((ptr, fill));
    }
    // No two live blocks overlap: each still holds its own bytes.
    for (ptr, fill) in &blocks {
        assert_eq!(plugin.read_memory(*ptr, fill.len() as u32).unwrap(), *fill);
    }
    for (ptr, _) in blocks {
        plugin.free(ptr).unwrap();
    }
    // Freed memory is reused: allocating and freeing again does not grow.
    let pages = plugin.memory_pages();
    for _ in 0..100 {
        let ptr = plugin.malloc(70_000).unwrap();
        plugin.free(ptr).unwrap();
    }
    assert_eq!(plugin.memory_pages(), pages);
}

#[test]
fn getrandom_03_and_04_draw_from_sdn_random_bytes() {
    let mut plugin = std_plugin();
    plugin.init(b"").unwrap();
    let scripted: Vec<u8> = (0xC0..0xE0).collect();
    plugin.script_random(&scripted);
    // First 16 bytes through getrandom 0.3, the next 16 through 0.4.
    assert_eq!(plugin.public_key().unwrap(), scripted);
    assert_eq!(plugin.scripted_random_remaining(), 0);
    assert!(
        !plugin.wasi_calls().contains(&"random_get"),
        "WASI random_get is a fixed-seed source on the server: {:?}",
        plugin.wasi_calls()
    );
}

/// The server discards stderr, where std's default panic hook writes: the
/// message reaches `sdn.log` instead (sdn-pdk installs a hook at init), and
/// the trap fails only its call.
#[test]
fn a_panic_is_logged_through_sdn_log_and_fails_one_call() {
    let mut plugin = std_plugin();
    plugin.init(b"cfg").unwrap();
    plugin.clear_logs();
    assert!(matches!(
        plugin.handle_request(b"panic", ""),
        Err(HarnessError::Trap { .. })
    ));
    let logs = plugin.take_logs();
    let last = logs.last().expect("the panic was logged");
    assert_eq!(last.level, LogLevel::Error);
    assert!(
        last.message
            .starts_with("panic: std plugin: asked to panic (3 config bytes) at "),
        "{logs:?}"
    );
    assert_eq!(plugin.handle_request(b"1", "").unwrap().body, b"0.000000");
}

#[test]
fn metadata_is_formatted_from_the_config() {
    let mut plugin = std_plugin();
    plugin.init(b"hello, world").unwrap();
    assert_eq!(plugin.metadata().unwrap(), b"config=hello, world");
    plugin.init(b"").unwrap();
    assert_eq!(plugin.metadata().unwrap(), b"config=");
}

#[test]
fn requests_compute_the_natural_logarithm() {
    let mut plugin = std_plugin();
    plugin.init(b"ln").unwrap();
    assert_eq!(
        plugin.handle_request(b"2.718281828", "h.example").unwrap(),
        Response {
            status: 0,
            body: b"1.000000".to_vec()
        }
    );
    assert_eq!(plugin.handle_request(b"1", "").unwrap().body, b"0.000000");
    assert_eq!(
        plugin.handle_request(b"not a number", "").unwrap().status,
        2
    );
}

#[test]
fn a_thousand_requests_do_not_grow_memory() {
    let mut plugin = std_plugin();
    plugin.init(b"steady").unwrap();
    // One request first, so one-time allocations are made.
    plugin.handle_request(b"1", "").unwrap();
    let pages = plugin.memory_pages();
    for i in 1..=1000u32 {
        let x = f64::from(i);
        let response = plugin
            .handle_request(x.to_string().as_bytes(), "h.example")
            .unwrap();
        assert_eq!(response.status, 0);
        assert_eq!(response.body, format!("{:.6}", x.ln()).into_bytes());
    }
    assert_eq!(
        plugin.memory_pages(),
        pages,
        "memory grew over 1000 requests"
    );
}
