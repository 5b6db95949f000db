//! Running out of memory is a clean failure:
//! `host-harness/test-plugins/hoarder` keeps chunks on request (with
//! `try_reserve`) until the 32 MiB cap. Its own failed allocation is its
//! status 12; a request too big for what is left fails in the host's
//! `malloc` (0 → `AllocationFailed`, the server's HTTP 500); nothing traps;
//! and after a "free everything" request it serves as before.

use host_harness::limits::MAX_MEMORY_PAGES;
use host_harness::{HarnessError, Plugin, Response};

use crate::support;

/// The hoarder's status for a failed allocation.
const OUT_OF_MEMORY: i32 = 12;

fn hoarder() -> Plugin {
    let path = support::test_plugin_path("hoarder");
    let mut plugin =
        Plugin::load_file(&path).unwrap_or_else(|e| panic!("loading {}: {e}", path.display()));
    plugin.init(b"").unwrap();
    plugin
}

/// The hoarder's report: bytes held (u64 LE), chunks held (u32 LE).
fn report(response: &Response) -> (u64, u32) {
    assert_eq!(response.body.len(), 12, "{response:?}");
    (
        u64::from_le_bytes(response.body[..8].try_into().unwrap()),
        u32::from_le_bytes(response.body[8..].try_into().unwrap()),
    )
}

fn hoard(size: u32) -> Vec<u8> {
    let mut body = vec![b'H'];
    body.extend_from_slice(&size.to_le_bytes());
    body
}

/// Hoards chunks of `size` until the plugin reports status 12; returns how
/// many it kept. Every request before that succeeds.
fn hoard_until_refused(plugin: &mut Plugin, size: u32) -> u32 {
    let limit = (MAX_MEMORY_PAGES * 65_536 / u64::from(size) + 2) as u32;
    for kept in 0..limit {
        let response = plugin
            .handle_request(&hoard(size), "")
            .unwrap_or_else(|e| panic!("hoarding chunk {kept} of {size} bytes: {e}"));
        if response.status == OUT_OF_MEMORY {
            assert!(response.body.is_empty(), "{response:?}");
            return kept;
        }
        assert_eq!(response.status, 0, "{response:?}");
    }
    panic!("{limit} chunks of {size} bytes were never refused");
}

/// A request of `len` bytes the hoarder only reports on.
fn big_status_request(len: usize) -> Vec<u8> {
    let mut body = vec![0; len];
    body[0] = b'S';
    body
}

#[test]
fn memory_exhaustion_is_a_status_then_a_host_malloc_failure_and_recovers() {
    let mut plugin = hoarder();
    let start_pages = plugin.memory_pages();
    let big = big_status_request(16_384);
    assert_eq!(plugin.handle_request(&big, "").unwrap().status, 0);

    // Halving chunk sizes fill the heap to the last crumbs.
    let mut kept = 0;
    let mut size = 1 << 20;
    while size >= 16 {
        kept += hoard_until_refused(&mut plugin, size);
        // The memory reached the cap with the first refusal.
        assert_eq!(
            plugin.memory_pages(),
            MAX_MEMORY_PAGES,
            "after {size}-byte chunks"
        );
        size /= 4;
    }
    let (held, chunks) = report(&plugin.handle_request(b"S", "").unwrap());
    assert_eq!(chunks, kept);
    println!(
        "hoarded {held} bytes in {chunks} chunks; memory {start_pages} → {} pages",
        plugin.memory_pages()
    );
    assert!(
        held > 30 << 20,
        "only {held} bytes could be had below the 32 MiB cap"
    );

    // The host's own malloc now fails for anything big: the server's 500 for
    // a 16 KiB request, and the harness's direct call.
    assert_eq!(
        plugin.handle_request(&big, ""),
        Err(HarnessError::AllocationFailed { size: 16_384 })
    );
    assert_eq!(
        plugin.malloc(1 << 20),
        Err(HarnessError::AllocationFailed { size: 1 << 20 })
    );
    // Requests of the usual shape still fit where the last ones were.
    assert_eq!(
        plugin.handle_request(&hoard(1 << 20), "").unwrap().status,
        OUT_OF_MEMORY
    );

    // Free everything: served as before, big requests included.
    let response = plugin.handle_request(b"F", "").unwrap();
    assert_eq!((response.status, report(&response)), (0, (0, 0)));
    assert_eq!(plugin.handle_request(&big, "").unwrap().status, 0);
    let ptr = plugin.malloc(1 << 20).unwrap();
    plugin.free(ptr).unwrap();
    // And the freed memory can be hoarded again: about as much as before.
    let again = hoard_until_refused(&mut plugin, 1 << 20);
    assert!(
        again >= 30,
        "only {again} MiB could be hoarded after freeing"
    );
    assert_eq!(plugin.handle_request(b"F", "").unwrap().status, 0);
}

#[test]
fn malformed_hoarder_requests_are_status_2() {
    let mut plugin = hoarder();
    for body in [&b""[..], b"H", b"H\x00\x00\x00\x00", b"Hxx", b"X"] {
        let response = plugin.handle_request(body, "").unwrap_or_else(|e| {
            // An empty body is malloc(0), which sdn-pdk serves.
            panic!("{body:?}: {e}")
        });
        assert_eq!(
            response,
            Response {
                status: 2,
                body: Vec::new()
            },
            "{body:?}"
        );
    }
}
