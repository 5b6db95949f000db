//! A small echo-like plugin in WAT with a tracing bump allocator; each test
//! replaces the one piece it is about.
//!
//! Memory map: 16.. trace entries (12 bytes each: kind 1 = malloc, 2 = free;
//! argument; result), 4096.. the bump heap. `malloc(0)` returns a fresh
//! non-zero pointer, as a plugin must.

use host_harness::{HarnessError, Plugin, PluginBuilder};

/// One trace entry of the fixture's allocator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alloc {
    /// `malloc(size) -> ptr`.
    Malloc { size: u32, ptr: u32 },
    /// `free(ptr)`.
    Free { ptr: u32 },
}

pub struct Wat {
    pub imports: String,
    pub memory: String,
    pub malloc: String,
    pub free: String,
    pub init: String,
    pub public_key: String,
    pub metadata: String,
    pub handle_request: String,
    pub challenge: Option<String>,
    pub extra: String,
}

pub const IMPORTS: &str = r#"
  (import "sdn" "clock_now_ms" (func $clock (result i64)))
  (import "sdn" "random_bytes" (func $random (param i32 i32) (result i32)))
  (import "sdn" "log" (func $log (param i32 i32 i32)))"#;

const TRACE: &str = r#"
  (global $next (mut i32) (i32.const 4096))
  (global $trace (mut i32) (i32.const 0))
  (global $calls (mut i32) (i32.const 0))
  (func $record (param $kind i32) (param $arg i32) (param $ret i32)
    (local $at i32)
    (local.set $at (i32.add (i32.const 16) (i32.mul (global.get $trace) (i32.const 12))))
    (if (i32.lt_u (global.get $trace) (i32.const 300))
      (then
        (i32.store (local.get $at) (local.get $kind))
        (i32.store offset=4 (local.get $at) (local.get $arg))
        (i32.store offset=8 (local.get $at) (local.get $ret))
        (global.set $trace (i32.add (global.get $trace) (i32.const 1))))))
  (func (export "trace_len") (result i32) (global.get $trace))
  (func (export "trace_reset") (global.set $trace (i32.const 0)))
  (func (export "calls") (result i32) (global.get $calls))"#;

impl Wat {
    /// The echo plugin of the C template, simplified: init logs "ready",
    /// the public key is 32 `random_bytes`, metadata is "meta", a request is
    /// answered with `clock_now_ms()` (u64 LE) then the request (status 7 and
    /// `out_len` 0 when it does not fit), and a challenge is echoed.
    pub fn echo() -> Self {
        Wat {
            imports: IMPORTS.to_owned(),
            memory: r#"(memory (export "memory") 2)"#.to_owned(),
            malloc: r#"(func (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $next))
    (global.set $next (i32.add (local.get $p)
      (i32.and (i32.add (local.get $n) (i32.const 8)) (i32.const -8))))
    (call $record (i32.const 1) (local.get $n) (local.get $p))
    (local.get $p))"#
                .to_owned(),
            free: r#"(func (export "free") (param $p i32)
    (call $record (i32.const 2) (local.get $p) (i32.const 0)))"#
                .to_owned(),
            init: r#"(data (i32.const 1024) "ready")
  (func (export "plugin_init") (param i32 i32) (result i32)
    (call $log (i32.const 1) (i32.const 1024) (i32.const 5))
    (i32.const 0))"#
                .to_owned(),
            public_key: r#"(func (export "plugin_get_public_key") (param $out i32) (param $cap i32) (result i32)
    (if (i32.lt_s (local.get $cap) (i32.const 32)) (then (return (i32.const -1))))
    (if (call $random (local.get $out) (i32.const 32)) (then (return (i32.const -2))))
    (i32.const 32))"#
                .to_owned(),
            metadata: r#"(func (export "plugin_get_metadata") (param $out i32) (param $cap i32) (result i32)
    (i32.store (local.get $out) (i32.const 0x6174656d))
    (i32.const 4))"#
                .to_owned(),
            handle_request: r#"(func (export "plugin_handle_request")
      (param $req i32) (param $len i32) (param $host i32)
      (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.lt_s (local.get $cap) (i32.add (local.get $len) (i32.const 8)))
      (then
        (i32.store (local.get $out_len) (i32.const 0))
        (return (i32.const 7))))
    (i64.store (local.get $out) (call $clock))
    (memory.copy (i32.add (local.get $out) (i32.const 8)) (local.get $req) (local.get $len))
    (i32.store (local.get $out_len) (i32.add (local.get $len) (i32.const 8)))
    (i32.const 0))"#
                .to_owned(),
            challenge: Some(
                r#"(func (export "plugin_request_challenge")
      (param $req i32) (param $len i32) (param $out i32) (param $cap i32) (param $out_len i32)
      (result i32)
    (memory.copy (local.get $out) (local.get $req) (local.get $len))
    (i32.store (local.get $out_len) (local.get $len))
    (i32.const 0))"#
                    .to_owned(),
            ),
            extra: String::new(),
        }
    }

    pub fn with(mut self, edit: impl FnOnce(&mut Self)) -> Self {
        edit(&mut self);
        self
    }

    pub fn text(&self) -> String {
        format!(
            "(module {}\n  {}\n{}\n  {}\n  {}\n  {}\n  {}\n  {}\n  {}\n  {}\n  {})",
            self.imports,
            self.memory,
            TRACE,
            self.malloc,
            self.free,
            self.init,
            self.public_key,
            self.metadata,
            self.handle_request,
            self.challenge.as_deref().unwrap_or(""),
            self.extra,
        )
    }

    pub fn load_with(&self, builder: PluginBuilder) -> Result<Plugin, HarnessError> {
        builder.load(self.text())
    }

    pub fn load(&self) -> Result<Plugin, HarnessError> {
        Plugin::load(self.text())
    }
}

/// The fixture's allocator trace.
pub fn trace(plugin: &mut Plugin) -> Vec<Alloc> {
    let len = plugin.call_i32("trace_len", &[]).unwrap()[0];
    let bytes = plugin.read_memory(16, len.cast_unsigned() * 12).unwrap();
    bytes
        .chunks(12)
        .map(|e| {
            let word = |i: usize| u32::from_le_bytes([e[i], e[i + 1], e[i + 2], e[i + 3]]);
            match word(0) {
                1 => Alloc::Malloc {
                    size: word(4),
                    ptr: word(8),
                },
                _ => Alloc::Free { ptr: word(4) },
            }
        })
        .collect()
}

pub fn reset_trace(plugin: &mut Plugin) {
    plugin.call_i32("trace_reset", &[]).unwrap();
}

/// The malloc'd pointers are freed exactly once each, in reverse order.
pub fn assert_freed_in_reverse(events: &[Alloc]) {
    let mallocs: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Alloc::Malloc { ptr, .. } => Some(*ptr),
            Alloc::Free { .. } => None,
        })
        .collect();
    let frees: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            Alloc::Free { ptr } => Some(*ptr),
            Alloc::Malloc { .. } => None,
        })
        .collect();
    let mut expected = mallocs.clone();
    expected.reverse();
    assert_eq!(frees, expected, "trace: {events:?}");
}
