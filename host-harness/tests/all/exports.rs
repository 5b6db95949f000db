//! The load-time export checks, `_initialize`, `_start` and wasm features.

use host_harness::{HarnessError, HostRevision, Plugin};

use crate::fixture::Wat;

#[test]
fn missing_exports_are_named() {
    let wat = Wat::echo().with(|w| {
        w.init = String::new();
        w.free = r#"(func (export "release") (param i32))"#.to_owned();
    });
    assert_eq!(
        wat.load().unwrap_err(),
        HarnessError::MissingExports {
            names: vec!["free", "plugin_init"],
            revision: HostRevision::Challenge
        }
    );
    let message = wat.load().unwrap_err().to_string();
    assert!(message.contains("`plugin_init`"), "{message}");
}

#[test]
fn missing_memory_export() {
    let wat = Wat::echo().with(|w| w.memory = "(memory 1)".to_owned());
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::MissingExports { names, .. } if names == ["memory"]
    ));
}

#[test]
fn challenge_export_is_required_only_by_the_later_host() {
    let wat = Wat::echo().with(|w| w.challenge = None);
    assert_eq!(
        wat.load().unwrap_err(),
        HarnessError::MissingExports {
            names: vec!["plugin_request_challenge"],
            revision: HostRevision::Challenge
        }
    );
    let mut plugin = wat
        .load_with(Plugin::builder().revision(HostRevision::Original))
        .unwrap();
    assert_eq!(plugin.revision(), HostRevision::Original);
    plugin.init(b"c").unwrap();
}

#[test]
fn wrong_signature_is_named() {
    let wat = Wat::echo().with(|w| {
        w.init =
            r#"(func (export "plugin_init") (param i32) (result i32) (i32.const 0))"#.to_owned();
    });
    match wat.load().unwrap_err() {
        HarnessError::WrongSignature {
            name,
            expected,
            found,
        } => {
            assert_eq!(name, "plugin_init");
            assert_eq!(expected, "a function (i32, i32) -> i32");
            assert_eq!(found, "a function (i32) -> i32");
        }
        other => panic!("{other:?}"),
    }
    let wat = Wat::echo().with(|w| {
        w.free = r#"(func (export "free") (param i32) (result i32) (i32.const 0))"#.to_owned();
    });
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::WrongSignature { name: "free", .. }
    ));
    let wat = Wat::echo().with(|w| {
        w.challenge =
            Some(r#"(global (export "plugin_request_challenge") i32 (i32.const 0))"#.to_owned());
    });
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::WrongSignature { name: "plugin_request_challenge", found, .. } if found == "a global"
    ));
}

#[test]
fn start_export_is_refused() {
    let wat = Wat::echo().with(|w| w.extra = r#"(func (export "_start"))"#.to_owned());
    let err = wat.load().unwrap_err();
    assert_eq!(err, HarnessError::StartExport);
    assert!(err.to_string().contains("proc_exit"));
}

#[test]
fn initialize_is_called_once() {
    let wat = Wat::echo().with(|w| {
        w.extra = r#"
  (global $inits (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
  (func (export "inits") (result i32) (global.get $inits))"#
            .to_owned();
    });
    let mut plugin = wat.load().unwrap();
    plugin.init(b"c").unwrap();
    plugin.handle_request(b"r", "").unwrap();
    assert_eq!(plugin.call_i32("inits", &[]).unwrap(), [1]);
}

#[test]
fn initialize_with_a_signature_fails() {
    let wat =
        Wat::echo().with(|w| w.extra = r#"(func (export "_initialize") (param i32))"#.to_owned());
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::WrongSignature {
            name: "_initialize",
            ..
        }
    ));
}

#[test]
fn a_trapping_initialize_fails_the_load() {
    let wat =
        Wat::echo().with(|w| w.extra = r#"(func (export "_initialize") (unreachable))"#.to_owned());
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::Trap { export, .. } if export == "_initialize"
    ));
}

#[test]
fn extended_const_is_not_supported() {
    // rustc's default wasm features allow extended-const; the server's runtime does not.
    let wat = Wat::echo().with(|w| {
        w.extra = "(global i32 (i32.add (i32.const 1) (i32.const 2)))".to_owned();
    });
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::Compile { .. }
    ));
}

#[test]
fn tail_calls_are_not_supported() {
    let wat = Wat::echo().with(|w| {
        w.extra = "(func $t (result i32) (return_call $t))".to_owned();
    });
    assert!(matches!(
        wat.load().unwrap_err(),
        HarnessError::Compile { .. }
    ));
}

#[test]
fn garbage_is_a_compile_error() {
    assert!(matches!(
        Plugin::load(b"\0asm\x01\0\0\0garbage").unwrap_err(),
        HarnessError::Compile { .. }
    ));
    assert!(matches!(
        Plugin::load_file("/nonexistent/plugin.wasm").unwrap_err(),
        HarnessError::Io { .. }
    ));
}
