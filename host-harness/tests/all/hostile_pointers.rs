//! The host is not trusted with pointers either: a double, interior or
//! foreign `free`, an output buffer that overlaps the request, ranges past
//! the end of memory, null and negative buffers. Each call answers a status
//! (9, `HOST_BUFFER`, with `out_len` 0, for the request calls), nothing
//! traps, the heap stays sound, and the next request is served exactly.

use host_harness::{Clock, Plugin};

use crate::support;

const NOW: i64 = 1_790_000_000_000;
const HOST_BUFFER: i32 = 9;

fn echo() -> Plugin {
    let mut plugin = support::load_example("echo", Plugin::builder().clock(Clock::Fixed(NOW)));
    plugin.init(b"").unwrap();
    plugin
}

/// The echo answers `body` as the spec says (the timestamp, then the body).
fn assert_serves(plugin: &mut Plugin) {
    let response = plugin.handle_request(b"still here", "example.com").unwrap();
    assert_eq!(response.status, 0);
    assert!(
        response.body.ends_with(b"still here"),
        "{:?}",
        response.body
    );
}

/// Calls `plugin_handle_request` with raw pointers; (status, out_len).
fn raw_request(plugin: &mut Plugin, req: u32, req_len: i32, out: u32, cap: i32) -> (i32, u32) {
    let host = plugin.malloc(16).unwrap();
    plugin.write_memory(host, b"example.com\0").unwrap();
    let out_len = plugin.malloc(4).unwrap();
    plugin.write_memory(out_len, &[0xAA; 4]).unwrap();
    let status = plugin
        .call_i32(
            "plugin_handle_request",
            &[
                req as i32,
                req_len,
                host as i32,
                out as i32,
                cap,
                out_len as i32,
            ],
        )
        .unwrap()[0];
    let len = u32::from_le_bytes(plugin.read_memory(out_len, 4).unwrap().try_into().unwrap());
    plugin.free(host).unwrap();
    plugin.free(out_len).unwrap();
    (status, len)
}

#[test]
fn a_double_free_is_ignored_and_logged_once() {
    let mut plugin = echo();
    let block = plugin.malloc(64).unwrap();
    plugin.free(block).unwrap();
    plugin.clear_logs();
    for _ in 0..3 {
        plugin.free(block).unwrap();
    }
    let warnings: Vec<_> = plugin
        .take_logs()
        .into_iter()
        .filter(|record| record.message.contains("not a live block"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    // Two live blocks are never the same block (a double free that reached
    // the allocator would hand one address out twice).
    let (a, b) = (plugin.malloc(64).unwrap(), plugin.malloc(64).unwrap());
    assert_ne!(a, b);
    assert_serves(&mut plugin);
}

#[test]
fn interior_and_foreign_frees_leave_the_block_alone() {
    let mut plugin = echo();
    let block = plugin.malloc(64).unwrap();
    plugin.write_memory(block, &[7; 64]).unwrap();
    for foreign in [block + 16, block + 1, 8, 1024, u32::MAX - 3] {
        plugin.free(foreign).unwrap();
    }
    // The block is still live and untouched: the next allocation is elsewhere.
    let other = plugin.malloc(64).unwrap();
    assert!(
        other + 64 <= block || other >= block + 64,
        "{other} inside {block}"
    );
    assert_eq!(plugin.read_memory(block, 64).unwrap(), vec![7; 64]);
    plugin.free(block).unwrap();
    assert_serves(&mut plugin);
}

#[test]
fn an_output_overlapping_the_request_is_refused() {
    let mut plugin = echo();
    let buffer = plugin.malloc(8192).unwrap();
    plugin.write_memory(buffer, b"overlap").unwrap();
    // `req == out` once gave corrupted output; so does any shared byte.
    for out in [buffer, buffer + 3] {
        assert_eq!(
            raw_request(&mut plugin, buffer, 7, out, 4096),
            (HOST_BUFFER, 0)
        );
    }
    assert_eq!(
        plugin.read_memory(buffer, 7).unwrap(),
        b"overlap",
        "request untouched"
    );
    let out = plugin.malloc(64).unwrap();
    assert_eq!(
        raw_request(&mut plugin, buffer, 7, out, 64).0,
        0,
        "disjoint buffers work"
    );
    assert_serves(&mut plugin);
}

#[test]
fn ranges_past_the_end_of_memory_answer_a_status() {
    let mut plugin = echo();
    let end = u32::try_from(plugin.memory_pages() * 65_536).unwrap();
    let out = plugin.malloc(64).unwrap();
    let req = plugin.malloc(16).unwrap();
    // A request running past the end, and one starting there.
    assert_eq!(
        raw_request(&mut plugin, end - 8, 64, out, 64),
        (HOST_BUFFER, 0)
    );
    assert_eq!(raw_request(&mut plugin, end, 1, out, 64), (HOST_BUFFER, 0));
    // An output capacity the memory cannot hold.
    assert_eq!(
        raw_request(&mut plugin, req, 4, out, i32::MAX),
        (HOST_BUFFER, 0)
    );
    assert_serves(&mut plugin);
}

#[test]
fn null_and_negative_buffers_answer_host_buffer() {
    let mut plugin = echo();
    let req = plugin.malloc(16).unwrap();
    let out = plugin.malloc(64).unwrap();
    assert_eq!(
        raw_request(&mut plugin, req, 4, 0, 64),
        (HOST_BUFFER, 0),
        "null output"
    );
    assert_eq!(
        raw_request(&mut plugin, req, 4, out, -1),
        (HOST_BUFFER, 0),
        "negative capacity"
    );
    assert_eq!(
        raw_request(&mut plugin, req, -4, out, 64),
        (HOST_BUFFER, 0),
        "negative length"
    );
    assert_eq!(
        raw_request(&mut plugin, 0, 4, out, 64),
        (HOST_BUFFER, 0),
        "null request"
    );
    assert_serves(&mut plugin);
}
