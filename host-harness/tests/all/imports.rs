//! The `sdn`/`env` host functions and the import check.

use host_harness::{Clock, HarnessError, LogLevel, LogRecord, Plugin, RandomFallback};

use crate::fixture::{IMPORTS, Wat};

/// The echo fixture plus direct hooks: `rb(ptr, len)` calls `random_bytes`,
/// `lg(level, ptr, len)` calls `log`, `now()` returns `clock_now_ms` (low 32 bits).
fn hooked() -> Plugin {
    Wat::echo()
        .with(|w| {
            w.extra = r#"
  (func (export "rb") (param i32 i32) (result i32) (call $random (local.get 0) (local.get 1)))
  (func (export "lg") (param i32 i32 i32) (call $log (local.get 0) (local.get 1) (local.get 2)))"#
                .to_owned();
        })
        .load()
        .unwrap()
}

fn load_err(wat: &Wat) -> HarnessError {
    wat.load().unwrap_err()
}

#[test]
fn unknown_module_fails_the_load() {
    let wat = Wat::echo().with(|w| w.imports.push_str(r#"(import "other" "f" (func))"#));
    assert_eq!(
        load_err(&wat),
        HarnessError::UnknownImport {
            module: "other".into(),
            name: "f".into()
        }
    );
}

#[test]
fn unknown_name_fails_the_load() {
    let wat = Wat::echo().with(|w| {
        w.imports
            .push_str(r#"(import "sdn" "sleep" (func (param i32)))"#)
    });
    assert!(matches!(load_err(&wat), HarnessError::UnknownImport { name, .. } if name == "sleep"));
}

#[test]
fn imported_memory_fails_the_load() {
    let wat = Wat::echo().with(|w| {
        w.imports.push_str(r#"(import "env" "memory" (memory 1))"#);
        w.memory = String::new();
        w.extra = r#"(export "memory" (memory 0))"#.to_owned();
    });
    assert!(matches!(
        load_err(&wat),
        HarnessError::ImportSignature { .. } | HarnessError::UnknownImport { .. }
    ));
}

#[test]
fn wrong_import_signature_fails_the_load() {
    let wat = Wat::echo().with(|w| {
        w.imports = IMPORTS.replace(
            r#"(func $clock (result i64))"#,
            r#"(func $clock (result i32))"#,
        );
        w.handle_request = w.handle_request.replace(
            "(i64.store (local.get $out) (call $clock))",
            "(i32.store (local.get $out) (call $clock))",
        );
    });
    match load_err(&wat) {
        HarnessError::ImportSignature {
            module,
            name,
            expected,
            found,
        } => {
            assert_eq!((module.as_str(), name.as_str()), ("sdn", "clock_now_ms"));
            assert_eq!(expected, "() -> i64");
            assert!(found.contains("-> i32"), "{found}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn env_is_the_same_host_module_and_has_emscripten_stubs() {
    let wat = Wat::echo().with(|w| {
        w.imports = IMPORTS.replace(r#""sdn""#, r#""env""#);
        w.imports
            .push_str(r#"(import "env" "invoke_vi" (func $invoke_vi (param i32 i32)))"#);
        w.imports
            .push_str(r#"(import "env" "invoke_j" (func $invoke_j (param i32) (result i64)))"#);
        w.extra = r#"(func (export "stubs") (result i32)
    (call $invoke_vi (i32.const 1) (i32.const 2))
    (i32.wrap_i64 (call $invoke_j (i32.const 3))))"#
            .to_owned();
    });
    let mut plugin = wat
        .load_with(Plugin::builder().clock(Clock::Fixed(5)))
        .unwrap();
    plugin.init(b"c").unwrap();
    assert_eq!(plugin.logs()[0].message, "ready");
    assert_eq!(
        plugin.handle_request(b"", "").unwrap().body[..8],
        5i64.to_le_bytes()
    );
    assert_eq!(plugin.call_i32("stubs", &[]).unwrap(), [0]);
    // The stubs exist only under `env`.
    let wat = Wat::echo().with(|w| {
        w.imports
            .push_str(r#"(import "sdn" "invoke_vi" (func (param i32 i32)))"#);
    });
    assert!(matches!(load_err(&wat), HarnessError::UnknownImport { .. }));
}

#[test]
fn clock_can_be_fixed_and_moved_both_ways() {
    let mut plugin = Wat::echo()
        .load_with(Plugin::builder().clock(Clock::Fixed(1_000)))
        .unwrap();
    let now = |p: &mut Plugin| {
        let body = p.handle_request(b"", "").unwrap().body;
        i64::from_le_bytes(body[..8].try_into().unwrap())
    };
    assert_eq!(now(&mut plugin), 1_000);
    plugin.advance_clock_ms(500);
    assert_eq!(now(&mut plugin), 1_500);
    plugin.set_clock_ms(200);
    assert_eq!(now(&mut plugin), 200);
    plugin.advance_clock_ms(-300);
    assert_eq!(now(&mut plugin), -100);
    plugin.set_clock(Clock::Real);
    // 2020-01-01 in ms: the real clock is later than that.
    assert!(now(&mut plugin) > 1_577_836_800_000);
}

#[test]
fn random_bytes_scripted_then_fallback() {
    let mut plugin = hooked();
    plugin.script_random(&[1, 2, 3]);
    assert_eq!(plugin.call_i32("rb", &[100, 5]).unwrap(), [0]);
    let bytes = plugin.read_memory(100, 5).unwrap();
    assert_eq!(bytes[..3], [1, 2, 3]);
    assert_eq!(plugin.scripted_random_remaining(), 0);

    plugin.fail_random(true);
    assert_eq!(plugin.call_i32("rb", &[100, 5]).unwrap(), [-1]);
    plugin.fail_random(false);
    assert_eq!(plugin.call_i32("rb", &[100, 5]).unwrap(), [0]);
}

#[test]
fn random_bytes_caps_and_bounds() {
    let mut plugin = hooked();
    let size = i32::try_from(plugin.memory_pages() * 65_536).unwrap();
    assert_eq!(plugin.call_i32("rb", &[4096, 8192]).unwrap(), [0]);
    assert_eq!(plugin.call_i32("rb", &[4096, 8193]).unwrap(), [-1]);
    assert_eq!(plugin.call_i32("rb", &[4096, -1]).unwrap(), [-1]);
    assert_eq!(plugin.call_i32("rb", &[size - 4, 8]).unwrap(), [-1]);
    assert_eq!(plugin.call_i32("rb", &[-8, 4]).unwrap(), [-1]);
    assert_eq!(plugin.call_i32("rb", &[size - 4, 4]).unwrap(), [0]);
    assert_eq!(plugin.call_i32("rb", &[size, 0]).unwrap(), [0]);
    // A failing call does not eat scripted bytes.
    plugin.script_random(&[9; 4]);
    assert_eq!(plugin.call_i32("rb", &[size, 4]).unwrap(), [-1]);
    assert_eq!(plugin.scripted_random_remaining(), 4);
}

#[test]
fn seeded_fallback_is_reproducible() {
    let key = || {
        let mut plugin = Wat::echo()
            .load_with(Plugin::builder().random_fallback(RandomFallback::Seeded(7)))
            .unwrap();
        plugin.public_key().unwrap()
    };
    let first = key();
    assert_eq!(first.len(), 32);
    assert_eq!(first, key());
}

fn log(plugin: &mut Plugin, level: i32, message: &[u8]) -> Vec<LogRecord> {
    plugin.clear_logs();
    let ptr = 8192u32;
    plugin.write_memory(ptr, message).unwrap();
    let len = i32::try_from(message.len()).unwrap();
    plugin
        .call_i32("lg", &[level, ptr.cast_signed(), len])
        .unwrap();
    plugin.take_logs()
}

#[test]
fn log_levels() {
    let mut plugin = hooked();
    for (raw, level) in [
        (i32::MIN, LogLevel::Debug),
        (-1, LogLevel::Debug),
        (0, LogLevel::Debug),
        (1, LogLevel::Info),
        (2, LogLevel::Warn),
        (3, LogLevel::Error),
        (99, LogLevel::Error),
    ] {
        assert_eq!(
            log(&mut plugin, raw, b"m"),
            [LogRecord {
                level,
                message: "m".into()
            }]
        );
    }
}

#[test]
fn log_sanitises_control_characters() {
    let mut plugin = hooked();
    let records = log(&mut plugin, 1, b"a\nb\tc\rd\x00e\x1f f\x7f");
    assert_eq!(records[0].message, "a?b?c?d?e? f\x7f");
    // Invalid UTF-8: one replacement character per byte, as Go's rune loop.
    let records = log(&mut plugin, 1, b"x\xe2\x82y");
    assert_eq!(records[0].message, "x\u{fffd}\u{fffd}y");
}

#[test]
fn log_truncates_at_4096_bytes() {
    let mut plugin = hooked();
    let long = vec![b'z'; 5000];
    let records = log(&mut plugin, 2, &long);
    assert_eq!(records[0].message.len(), 4096);
}

#[test]
fn log_ignores_out_of_range_pointers() {
    let mut plugin = hooked();
    let size = i32::try_from(plugin.memory_pages() * 65_536).unwrap();
    plugin.call_i32("lg", &[1, size - 2, 4]).unwrap();
    plugin.call_i32("lg", &[1, -1, 1]).unwrap();
    assert!(plugin.logs().is_empty());
    // Truncation comes first: 5000 bytes of which the first 4096 are in range are logged.
    plugin.call_i32("lg", &[1, size - 4096, 5000]).unwrap();
    assert_eq!(plugin.logs().len(), 1);
}
