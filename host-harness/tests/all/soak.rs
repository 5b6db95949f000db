//! The soak, reduced to about 1/50 of `cargo xtask soak` so it runs in
//! `cargo test`: the same driver (`examples/soak/driver.rs`, included here),
//! every response checked against the spec, no live-heap growth (to the
//! byte, through the `heap-stats` builds) and no page growth after the
//! first 10% of the requests. Speeds are printed, never asserted. The
//! leaker test plugin proves the heap check fails on a 16-byte leak.

#[path = "../../examples/soak/driver.rs"]
pub mod driver;
#[path = "../../examples/soak/instrumented.rs"]
pub mod instrumented;

use crate::support;

/// 1/50 of the full run's 1,000,000.
const ECHO_REQUESTS: u64 = 20_000;
/// 1/50 of the full run's 100,000.
const KEY_BROKER_REQUESTS: u64 = 2_000;
/// A smaller key pool than the full run's 1024: generating keys is host
/// time, and debug builds are slow at it.
const KEY_POOL: usize = 64;

#[test]
fn echo_soak_matches_the_spec_without_memory_growth() {
    let report = driver::soak_echo(
        &instrumented::build("echo").unwrap_or_else(|e| panic!("{e:#}")),
        ECHO_REQUESTS,
        driver::DEFAULT_SEED,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    println!("{report}");
    report.check_count(ECHO_REQUESTS).unwrap();
    assert_eq!(report.statuses.get(&0), Some(&ECHO_REQUESTS));
    report.check_no_growth().unwrap();
}

#[test]
fn key_broker_soak_matches_the_spec_without_memory_growth() {
    let report = driver::soak_key_broker(
        &instrumented::build("key-broker").unwrap_or_else(|e| panic!("{e:#}")),
        KEY_BROKER_REQUESTS,
        driver::DEFAULT_SEED,
        KEY_POOL,
    )
    .unwrap_or_else(|e| panic!("{e:#}"));
    println!("{report}");
    report.check_count(KEY_BROKER_REQUESTS).unwrap();
    // Every status of the protocol came up, each checked.
    for status in 0..=8 {
        assert!(
            report.statuses.get(&status).copied().unwrap_or(0) > 0,
            "no response with status {status}: {:?}",
            report.statuses
        );
    }
    // The never-initialised instance that answers status 1 is watched too.
    assert!(report.second_instance.is_some(), "{report}");
    report.check_no_growth().unwrap();
}

#[test]
fn the_count_and_memory_checks_fail_on_a_short_count_or_a_growing_instance() {
    let report = driver::Report {
        plugin: "echo",
        requests: 9,
        plugin_time: std::time::Duration::from_millis(1),
        elapsed: std::time::Duration::from_millis(2),
        memory: driver::Memory {
            pages_after_warmup: 18,
            pages_at_end: 18,
            heap_after_warmup: 100,
            heap_peak_after_warmup: 100,
            heap_at_end: 100,
        },
        second_instance: None,
        statuses: [(0, 9)].into_iter().collect(),
    };
    report.check_count(9).unwrap();
    assert!(report.check_count(10).is_err());
    let mismatched = driver::Report {
        statuses: [(0, 8)].into_iter().collect(),
        ..report
    };
    assert!(mismatched.check_count(9).is_err());

    // Growth in a second instance fails the memory check, naming it.
    report.check_no_growth().unwrap();
    let leaky_second = driver::Report {
        second_instance: Some(driver::Memory {
            heap_at_end: 116,
            ..report.memory
        }),
        ..report
    };
    let error = leaky_second.check_no_growth().unwrap_err().to_string();
    assert!(error.contains("second instance"), "{error}");
}

#[test]
fn the_heap_check_reports_a_16_byte_leak_per_request() {
    const REQUESTS: u64 = 1_000;
    let report = driver::soak_unchecked(&support::test_plugin_path("leaker"), "leaker", REQUESTS)
        .unwrap_or_else(|e| panic!("{e:#}"));
    println!("{report}");
    report.check_count(REQUESTS).unwrap();
    // 16 bytes for every request after the 100 of the warm-up, all within
    // the same pages: only the byte count sees it.
    assert_eq!(
        report.memory.heap_at_end - report.memory.heap_after_warmup,
        16 * (REQUESTS - REQUESTS / 10)
    );
    assert_eq!(report.memory.pages_at_end, report.memory.pages_after_warmup);
    let error = report.check_no_growth().unwrap_err().to_string();
    assert!(error.contains("live heap grew"), "{error}");
}

#[test]
fn the_shipped_examples_have_no_heap_stats_export() {
    for name in ["echo", "key-broker"] {
        let mut plugin = host_harness::Plugin::load_file(support::example_path(name)).unwrap();
        assert!(
            driver::heap_live_bytes(&mut plugin).is_err(),
            "target/plugins/{name}.wasm exports {}",
            driver::HEAP_LIVE_BYTES
        );
    }
}
