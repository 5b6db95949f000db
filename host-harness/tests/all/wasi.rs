//! `wasi_snapshot_preview1` as the server configures it.

use host_harness::{FAKE_CLOCK_STEP_NS, FAKE_REALTIME_START_NS, HarnessError, Plugin};

use crate::fixture::Wat;

/// The echo fixture with WASI imports and hooks that call them.
fn wasi_plugin() -> Plugin {
    Wat::echo()
        .with(|w| {
            w.imports.push_str(
                r#"
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))"#,
            );
            w.extra = r#"
  (func (export "random_get") (param i32 i32) (result i32)
    (call $random_get (local.get 0) (local.get 1)))
  (func (export "clock_time_get") (param i32 i32) (result i32)
    (call $clock_time_get (local.get 0) (i64.const 0) (local.get 1)))
  (func (export "clock_res_get") (param i32 i32) (result i32)
    (call $clock_res_get (local.get 0) (local.get 1)))
  (func (export "fd_write") (param i32 i32 i32 i32) (result i32)
    (call $fd_write (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "args_sizes_get") (param i32 i32) (result i32)
    (call $args_sizes_get (local.get 0) (local.get 1)))
  (func (export "environ_sizes_get") (param i32 i32) (result i32)
    (call $environ_sizes_get (local.get 0) (local.get 1)))
  (func (export "fd_prestat_get") (param i32 i32) (result i32)
    (call $fd_prestat_get (local.get 0) (local.get 1)))
  (func (export "path_open") (result i32)
    (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
  (func (export "proc_exit") (param i32) (call $proc_exit (local.get 0)))"#
                .to_owned();
        })
        .load()
        .unwrap()
}

fn u64_at(plugin: &Plugin, ptr: u32) -> u64 {
    u64::from_le_bytes(plugin.read_memory(ptr, 8).unwrap().try_into().unwrap())
}

#[test]
fn random_get_is_deterministic_and_reported() {
    let bytes = || {
        let mut plugin = wasi_plugin();
        assert_eq!(plugin.call_i32("random_get", &[200, 32]).unwrap(), [0]);
        assert_eq!(plugin.wasi_calls(), ["random_get"]);
        plugin.read_memory(200, 32).unwrap()
    };
    let first = bytes();
    assert_ne!(first, [0; 32]);
    // The same bytes on every start, as the server's fixed-seed source.
    assert_eq!(first, bytes());
    let mut plugin = wasi_plugin();
    assert_eq!(plugin.call_i32("random_get", &[-4, 32]).unwrap(), [21]);
}

#[test]
fn fake_clocks() {
    let mut plugin = wasi_plugin();
    assert_eq!(plugin.call_i32("clock_time_get", &[0, 200]).unwrap(), [0]);
    assert_eq!(u64_at(&plugin, 200), FAKE_REALTIME_START_NS);
    plugin.call_i32("clock_time_get", &[0, 200]).unwrap();
    assert_eq!(
        u64_at(&plugin, 200),
        FAKE_REALTIME_START_NS + FAKE_CLOCK_STEP_NS
    );
    // 2022-01-01T00:00:00Z.
    assert_eq!(FAKE_REALTIME_START_NS / 1_000_000_000, 1_640_995_200);

    plugin.call_i32("clock_time_get", &[1, 200]).unwrap();
    assert_eq!(u64_at(&plugin, 200), 0);
    plugin.call_i32("clock_time_get", &[1, 200]).unwrap();
    assert_eq!(u64_at(&plugin, 200), FAKE_CLOCK_STEP_NS);

    assert_eq!(plugin.call_i32("clock_res_get", &[1, 200]).unwrap(), [0]);
    assert!(u64_at(&plugin, 200) > 0);
    // Unsupported clock: EINVAL.
    assert_eq!(plugin.call_i32("clock_time_get", &[2, 200]).unwrap(), [28]);
    assert_eq!(plugin.wasi_call_count("clock_time_get"), 5);
    assert_eq!(plugin.wasi_call_count("clock_res_get"), 1);
}

#[test]
fn stdout_and_stderr_are_captured() {
    let mut plugin = wasi_plugin();
    // iovec at 300: (ptr 400, len 5); "hello" at 400.
    let mut iov = Vec::new();
    iov.extend_from_slice(&400u32.to_le_bytes());
    iov.extend_from_slice(&5u32.to_le_bytes());
    plugin.write_memory(300, &iov).unwrap();
    plugin.write_memory(400, b"hello").unwrap();
    assert_eq!(plugin.call_i32("fd_write", &[1, 300, 1, 500]).unwrap(), [0]);
    assert_eq!(plugin.read_memory(500, 4).unwrap(), 5u32.to_le_bytes());
    assert_eq!(plugin.call_i32("fd_write", &[2, 300, 1, 500]).unwrap(), [0]);
    assert_eq!(plugin.stdout(), b"hello");
    assert_eq!(plugin.stderr(), b"hello");
    // No other descriptor exists.
    assert_eq!(plugin.call_i32("fd_write", &[3, 300, 1, 500]).unwrap(), [8]);
}

#[test]
fn no_args_no_env_no_preopens() {
    let mut plugin = wasi_plugin();
    plugin.write_memory(200, &[0xff; 8]).unwrap();
    assert_eq!(plugin.call_i32("args_sizes_get", &[200, 204]).unwrap(), [0]);
    assert_eq!(plugin.read_memory(200, 8).unwrap(), [0; 8]);
    plugin.write_memory(200, &[0xff; 8]).unwrap();
    assert_eq!(
        plugin.call_i32("environ_sizes_get", &[200, 204]).unwrap(),
        [0]
    );
    assert_eq!(plugin.read_memory(200, 8).unwrap(), [0; 8]);
    assert_eq!(plugin.call_i32("fd_prestat_get", &[3, 200]).unwrap(), [8]);
}

#[test]
fn other_wasi_functions_link_and_answer_enosys() {
    let mut plugin = wasi_plugin();
    assert_eq!(plugin.call_i32("path_open", &[]).unwrap(), [52]);
    assert_eq!(plugin.wasi_calls(), ["path_open"]);
    plugin.clear_wasi_calls();
    assert!(plugin.wasi_calls().is_empty());
}

#[test]
fn proc_exit_closes_the_instance() {
    let mut plugin = wasi_plugin();
    assert_eq!(
        plugin.call_i32("proc_exit", &[3]),
        Err(HarnessError::ProcExit { code: 3 })
    );
    assert_eq!(plugin.exit_code(), Some(3));
    assert_eq!(plugin.init(b"c"), Err(HarnessError::Closed { code: 3 }));
    assert_eq!(
        plugin.handle_request(b"x", ""),
        Err(HarnessError::Closed { code: 3 })
    );
}

#[test]
fn unknown_or_mistyped_wasi_imports_fail_the_load() {
    let wat = Wat::echo().with(|w| {
        w.imports
            .push_str(r#"(import "wasi_snapshot_preview1" "not_a_function" (func))"#);
    });
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::UnknownImport { module, .. } if module == "wasi_snapshot_preview1"
    ));
    let wat = Wat::echo().with(|w| {
        w.imports.push_str(
            r#"(import "wasi_snapshot_preview1" "random_get" (func (param i32 i64) (result i32)))"#,
        );
    });
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::ImportSignature { name, .. } if name == "random_get"
    ));
}

#[test]
fn wasi_calls_during_initialize_are_reported() {
    let wat = Wat::echo().with(|w| {
        w.imports.push_str(
            r#"(import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))"#,
        );
        w.extra = r#"(func (export "_initialize")
    (drop (call $random_get (i32.const 200) (i32.const 8))))"#
            .to_owned();
    });
    let plugin = wat.load().unwrap();
    assert_eq!(plugin.wasi_call_count("random_get"), 1);
}
