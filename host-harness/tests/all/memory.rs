//! The 512-page memory cap.

use host_harness::HarnessError;
use host_harness::limits::MAX_MEMORY_PAGES;

use crate::fixture::Wat;

fn grower(initial: u32) -> Wat {
    Wat::echo().with(|w| {
        w.memory = format!(r#"(memory (export "memory") {initial})"#);
        w.extra = r#"(func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))"#
            .to_owned();
    })
}

#[test]
fn grow_past_the_cap_returns_minus_one_in_the_guest() {
    let mut plugin = grower(2).load().unwrap();
    assert_eq!(plugin.memory_pages(), 2);
    assert_eq!(plugin.call_i32("grow", &[510]).unwrap(), [2]);
    assert_eq!(plugin.memory_pages(), MAX_MEMORY_PAGES);
    assert_eq!(plugin.call_i32("grow", &[1]).unwrap(), [-1]);
    assert_eq!(plugin.memory_pages(), MAX_MEMORY_PAGES);
    // The plugin still works.
    plugin.init(b"c").unwrap();
}

#[test]
fn one_large_grow_fails_too() {
    let mut plugin = grower(1).load().unwrap();
    assert_eq!(plugin.call_i32("grow", &[512]).unwrap(), [-1]);
    assert_eq!(plugin.call_i32("grow", &[511]).unwrap(), [1]);
}

#[test]
fn initial_memory_above_the_cap_fails_the_load() {
    assert_eq!(
        grower(513).load().unwrap_err(),
        HarnessError::MemoryTooLarge { pages: 513 }
    );
    grower(512).load().unwrap();
}

#[test]
fn declared_maximum_above_the_cap_is_fine() {
    // Wazero caps the maximum instead of refusing the module.
    let wat = grower(1).with(|w| w.memory = r#"(memory (export "memory") 1 1000)"#.to_owned());
    let mut plugin = wat.load().unwrap();
    assert_eq!(plugin.call_i32("grow", &[600]).unwrap(), [-1]);
}
