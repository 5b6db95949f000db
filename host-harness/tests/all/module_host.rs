//! The module host's rules (`host_harness::module`), each proven with a
//! small WAT module built by [`Mod`]: a tracing bump allocator, the manifest
//! accessors over the module SDK's `$PLG` vector, and a
//! `plugin_invoke_stream` each test replaces.
//!
//! Memory map: 256.. the manifest, 4096.. a canned response, 8192.. strings,
//! 28672 the last hostcall's `call` result and 28676 its
//! `last_status_code`, 32768 the trace count and 32784.. trace entries
//! (12 bytes: kind 1 = alloc / 2 = free, pointer, size), 65536.. the heap.

use host_harness::module::{ErrorConvention, Frame, HostKind, Module, ModuleError, ModuleOptions};
use sdn_pdk_schemas::hostcall;
use sdn_pdk_schemas::piv::{self, FrameOut, TypeRef};
use sdn_pdk_schemas::{capability, manifest};

/// A `$PLG` the module SDK's encoder wrote (declares `clock` only).
const PLG: &[u8] = include_bytes!("../data/module-sdk/manifest.fb");

const NOW: i64 = 1_735_689_600_000;

/// `\xx` escapes for a WAT data string.
fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// The pieces of a test module.
struct Mod {
    imports: String,
    memory: String,
    manifest: Vec<u8>,
    manifest_size: Option<String>,
    canned: Vec<u8>,
    invoke: String,
    extra: String,
    /// Added to every pointer `plugin_alloc` returns (0: 16-aligned).
    alloc_offset: u32,
}

/// Copies the canned response into a fresh block and returns it.
const CANNED: &str = r#"
    (local.set $p (call $alloc (global.get $canned_len)))
    (memory.copy (local.get $p) (i32.const 4096) (global.get $canned_len))
    (i32.store (local.get $out) (global.get $canned_len))
    (local.get $p)"#;

/// Request = u32 LE op length, op, payload: calls the op, records `call`'s
/// result and `last_status_code`, answers the response envelope.
const HOSTCALL: &str = r#"
    (local.set $n (i32.load (local.get $req)))
    (i32.store (i32.const 28672)
      (call $host_call
        (i32.add (local.get $req) (i32.const 4)) (local.get $n)
        (i32.add (i32.add (local.get $req) (i32.const 4)) (local.get $n))
        (i32.sub (i32.sub (local.get $req_len) (i32.const 4)) (local.get $n))))
    (i32.store (i32.const 28676) (call $host_last_status))
    (local.set $n (call $host_response_len))
    (local.set $p (call $alloc (local.get $n)))
    (drop (call $host_read_response (local.get $p) (local.get $n)))
    (i32.store (local.get $out) (local.get $n))
    (local.get $p)"#;

const HOST_IMPORTS: &str = r#"
  (import "space_data_module_host" "call" (func $host_call (param i32 i32 i32 i32) (result i32)))
  (import "space_data_module_host" "response_len" (func $host_response_len (result i32)))
  (import "space_data_module_host" "read_response" (func $host_read_response (param i32 i32) (result i32)))
  (import "space_data_module_host" "last_status_code" (func $host_last_status (result i32)))"#;

impl Mod {
    fn new() -> Self {
        Mod {
            imports: String::new(),
            memory: r#"(memory (export "memory") 4)"#.to_owned(),
            manifest: PLG.to_vec(),
            manifest_size: None,
            canned: b"canned response".to_vec(),
            invoke: CANNED.to_owned(),
            extra: String::new(),
            alloc_offset: 0,
        }
    }

    fn hostcall() -> Self {
        Mod {
            imports: HOST_IMPORTS.to_owned(),
            invoke: HOSTCALL.to_owned(),
            ..Mod::new()
        }
    }

    fn wat(&self) -> String {
        assert!(self.canned.len() <= 4096 && self.manifest.len() <= 3800);
        let size = self
            .manifest_size
            .clone()
            .unwrap_or_else(|| self.manifest.len().to_string());
        format!(
            r#"(module
  {imports}
  {memory}
  (global $heap (mut i32) (i32.const 65536))
  (global $canned_len i32 (i32.const {canned_len}))
  (data (i32.const 256) "{manifest}")
  (data (i32.const 4096) "{canned}")
  (func $trace (param $kind i32) (param $ptr i32) (param $size i32)
    (local $at i32)
    (local.set $at (i32.add (i32.const 32784) (i32.mul (i32.load (i32.const 32768)) (i32.const 12))))
    (i32.store (local.get $at) (local.get $kind))
    (i32.store offset=4 (local.get $at) (local.get $ptr))
    (i32.store offset=8 (local.get $at) (local.get $size))
    (i32.store (i32.const 32768) (i32.add (i32.load (i32.const 32768)) (i32.const 1))))
  (func $alloc (export "plugin_alloc") (param $size i32) (result i32)
    (local $p i32)
    (if (i32.eqz (local.get $size)) (then (local.set $size (i32.const 1))))
    (local.set $p (global.get $heap))
    (global.set $heap
      (i32.and (i32.add (i32.add (local.get $p) (local.get $size)) (i32.const 15)) (i32.const -16)))
    (local.set $p (i32.add (local.get $p) (i32.const {alloc_offset})))
    (global.set $heap (i32.add (global.get $heap) (i32.const 16)))
    (call $trace (i32.const 1) (local.get $p) (local.get $size))
    (local.get $p))
  (func (export "plugin_free") (param $ptr i32) (param $size i32)
    (call $trace (i32.const 2) (local.get $ptr) (local.get $size)))
  (func (export "plugin_get_manifest_flatbuffer") (result i32) (i32.const 256))
  (func (export "plugin_get_manifest_flatbuffer_size") (result i32) (i32.const {size}))
  (func (export "plugin_invoke_stream") (param $req i32) (param $req_len i32) (param $out i32) (result i32)
    (local $p i32) (local $n i32)
    {invoke})
  {extra})"#,
            imports = self.imports,
            memory = self.memory,
            canned_len = self.canned.len(),
            manifest = escape(&self.manifest),
            canned = escape(&self.canned),
            invoke = self.invoke,
            extra = self.extra,
            alloc_offset = self.alloc_offset,
        )
    }

    fn load(&self, options: &ModuleOptions) -> Result<Module, ModuleError> {
        Module::load(self.wat(), options)
    }
}

/// One entry of the module's allocator trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Alloc { ptr: u32, size: u32 },
    Free { ptr: u32, size: u32 },
}

fn u32_at(module: &Module, ptr: u32) -> u32 {
    let bytes = module.read_memory(ptr, 4).unwrap();
    u32::from_le_bytes(bytes.try_into().unwrap())
}

fn trace(module: &Module) -> Vec<Event> {
    let count = u32_at(module, 32768);
    (0..count)
        .map(|i| {
            let at = 32784 + i * 12;
            let (kind, ptr, size) = (
                u32_at(module, at),
                u32_at(module, at + 4),
                u32_at(module, at + 8),
            );
            match kind {
                1 => Event::Alloc { ptr, size },
                2 => Event::Free { ptr, size },
                other => panic!("trace kind {other}"),
            }
        })
        .collect()
}

fn reset_trace(module: &mut Module) {
    module.write_memory(32768, &[0; 4]).unwrap();
}

fn server() -> ModuleOptions {
    ModuleOptions {
        clock_ms: Some(NOW),
        ..ModuleOptions::server()
    }
}

fn sdk() -> ModuleOptions {
    ModuleOptions {
        clock_ms: Some(NOW),
        ..ModuleOptions::sdk()
    }
}

/// A hostcall-module request: u32 LE op length, op, payload.
fn hostcall_request(op: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = (op.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(op.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// Runs one hostcall; the response envelope, `call`'s result, the status.
fn hostcall(module: &mut Module, op: &str, payload: &[u8]) -> (Vec<u8>, u32, u32) {
    let response = module.invoke_raw(&hostcall_request(op, payload)).unwrap();
    (response, u32_at(module, 28672), u32_at(module, 28676))
}

fn meta(envelope: &[u8]) -> String {
    hostcall::decode(envelope).unwrap().meta.to_owned()
}

/// `hex` of a `hostcall-wire.json` vector, as the module SDK's encoder wrote it.
fn wire_vector(name: &str) -> Vec<u8> {
    let text = include_str!("../../../sdn-pdk/schemas/tests/data/module-sdk/hostcall-wire.json");
    let json: serde_json::Value = serde_json::from_str(text).unwrap();
    hex::decode(json[name]["hex"].as_str().unwrap()).unwrap()
}

// ----- load rules -----

#[test]
fn a_portable_module_loads_on_both_hosts() {
    for options in [server(), sdk()] {
        let module = Mod::hostcall().load(&options).unwrap();
        assert_eq!(module.manifest(), Some(PLG));
        assert_eq!(module.declared_capabilities(), ["clock"]);
        assert_eq!(module.memory_pages(), 4);
    }
}

#[test]
fn the_server_requires_an_exported_memory() {
    let no_memory = Mod {
        memory: "(memory 4)".to_owned(),
        ..Mod::new()
    };
    assert_eq!(
        no_memory.load(&server()).unwrap_err(),
        ModuleError::MissingExport {
            name: "memory".to_owned()
        }
    );
}

#[test]
fn manifest_size_zero_fails_the_server_load() {
    let empty = Mod {
        manifest_size: Some("0".to_owned()),
        ..Mod::new()
    };
    let err = empty.load(&server()).unwrap_err();
    assert!(
        matches!(&err, ModuleError::Manifest { message } if message.contains("returned 0")),
        "{err}"
    );
}

#[test]
fn the_server_needs_the_accessors_the_sdk_host_does_not() {
    let wat = r#"(module (memory (export "memory") 1))"#;
    let err = Module::load(wat, &server()).unwrap_err();
    assert!(matches!(err, ModuleError::Manifest { .. }), "{err}");
    let module = Module::load(wat, &sdk()).unwrap();
    assert_eq!(module.manifest(), None);
}

#[test]
fn pman_is_accepted_by_the_server_and_refused_by_the_sdk_host() {
    let pman = manifest::build(&manifest::ManifestSpec {
        plugin_id: "com.example.legacy".into(),
        name: "legacy".into(),
        version: "0.1.0".into(),
        capabilities: vec![(capability::CLOCK, None), (capability::LOGGING, None)],
        ..Default::default()
    });
    let module = Mod {
        manifest: pman,
        ..Mod::new()
    };
    let loaded = module.load(&server()).unwrap();
    assert_eq!(loaded.declared_capabilities(), ["clock", "logging"]);
    let err = module.load(&sdk()).unwrap_err();
    assert!(
        matches!(&err, ModuleError::Manifest { message } if message.contains("\"PMAN\"") && message.contains("$PLG")),
        "{err}"
    );
}

#[test]
fn a_manifest_with_another_identifier_fails_both_loads() {
    let mut bytes = PLG.to_vec();
    bytes[4..8].copy_from_slice(b"XXXX");
    let module = Mod {
        manifest: bytes,
        ..Mod::new()
    };
    for options in [server(), sdk()] {
        assert!(matches!(
            module.load(&options),
            Err(ModuleError::Manifest { .. })
        ));
    }
}

#[test]
fn the_sdk_host_refuses_legacy_imports_naming_them() {
    let module = Mod {
        imports: r#"(import "sdn" "clock_now_ms" (func (result i64)))"#.to_owned(),
        ..Mod::new()
    };
    let err = module.load(&sdk()).unwrap_err();
    assert_eq!(
        err,
        ModuleError::UnknownImport {
            module: "sdn".to_owned(),
            name: "clock_now_ms".to_owned(),
            host: HostKind::Sdk,
        }
    );
    assert!(err.to_string().contains("`sdn.clock_now_ms`"), "{err}");
    module.load(&server()).unwrap();
}

#[test]
fn only_the_17_portable_wasi_functions_load_on_the_sdk_host() {
    let pread = Mod {
        imports: r#"(import "wasi_snapshot_preview1" "fd_pread" (func (param i32 i32 i32 i64 i32) (result i32)))"#
            .to_owned(),
        ..Mod::new()
    };
    assert!(matches!(
        pread.load(&sdk()),
        Err(ModuleError::UnknownImport { ref name, .. }) if name == "fd_pread"
    ));
    pread.load(&server()).unwrap();

    let random_get = Mod {
        imports:
            r#"(import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32)))"#
                .to_owned(),
        ..Mod::new()
    };
    random_get.load(&sdk()).unwrap();

    let wrong = Mod {
        imports: r#"(import "space_data_module_host" "call" (func (param i32) (result i32)))"#
            .to_owned(),
        ..Mod::new()
    };
    for options in [server(), sdk()] {
        assert!(matches!(
            wrong.load(&options),
            Err(ModuleError::ImportSignature { ref name, .. }) if name == "call"
        ));
    }
}

#[test]
fn the_server_caps_memory_at_4096_pages() {
    let huge = Mod {
        memory: r#"(memory (export "memory") 4097)"#.to_owned(),
        ..Mod::new()
    };
    assert_eq!(
        huge.load(&server()).unwrap_err(),
        ModuleError::MemoryTooLarge { pages: 4097 }
    );
    let growing = Mod {
        extra: r#"(func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))"#
            .to_owned(),
        ..Mod::new()
    };
    let mut module = growing.load(&server()).unwrap();
    assert_eq!(module.call_i32("grow", &[4093]).unwrap(), [-1]);
    assert_eq!(module.call_i32("grow", &[4092]).unwrap(), [4]);
    assert_eq!(module.memory_pages(), 4096);
    assert_eq!(module.call_i32("grow", &[1]).unwrap(), [-1]);
}

#[test]
fn initialize_runs_at_load_else_wasm_call_ctors() {
    for (export, other) in [
        ("_initialize", "__wasm_call_ctors"),
        ("__wasm_call_ctors", "none"),
    ] {
        let module = Mod {
            extra: format!(
                r#"(func (export "{export}") (i32.store (i32.const 28000) (i32.const 1)))
                   (func (export "{other}") (i32.store (i32.const 28000) (i32.const 2)))"#
            ),
            ..Mod::new()
        };
        let loaded = module.load(&server()).unwrap();
        assert_eq!(u32_at(&loaded, 28000), 1, "{export}");
    }
}

// ----- the call sequences -----

#[test]
fn the_server_frees_response_then_length_word_then_request() {
    let mut module = Mod::new().load(&server()).unwrap();
    reset_trace(&mut module);
    let request = b"0123456789";
    assert_eq!(module.invoke_raw(request).unwrap(), b"canned response");
    let events = trace(&module);
    let [
        Event::Alloc { ptr: req, size: 10 },
        Event::Alloc { ptr: word, size: 4 },
        Event::Alloc {
            ptr: resp,
            size: 15,
        },
        Event::Free { ptr: f1, size: 15 },
        Event::Free { ptr: f2, size: 4 },
        Event::Free { ptr: f3, size: 10 },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!((f1, f2, f3), (resp, word, req));
    assert_eq!(module.read_memory(*req, 10).unwrap(), request);
}

#[test]
fn the_sdk_host_frees_request_and_length_word_before_the_response() {
    let mut module = Mod::new().load(&sdk()).unwrap();
    reset_trace(&mut module);
    module.invoke_raw(b"0123456789").unwrap();
    let events = trace(&module);
    let [
        Event::Alloc { ptr: req, size: 10 },
        Event::Alloc { ptr: word, size: 4 },
        Event::Alloc {
            ptr: resp,
            size: 15,
        },
        Event::Free { ptr: f1, size: 10 },
        Event::Free { ptr: f2, size: 4 },
        Event::Free { ptr: f3, size: 15 },
    ] = events.as_slice()
    else {
        panic!("{events:?}");
    };
    assert_eq!((f1, f2, f3), (req, word, resp));
}

#[test]
fn invoke_encodes_a_piv_request_and_decodes_the_response() {
    let type_ref = TypeRef {
        schema_name: "OMM.fbs",
        file_identifier: "$OMM",
        root_type: "OMM",
        ..TypeRef::default()
    };
    let canned = piv::encode_response_frames(
        0,
        piv::status::OK,
        None,
        None,
        &[FrameOut {
            port_id: "response",
            payload: b"hello",
            type_ref: Some(type_ref),
            frame_id: 1,
        }],
        1,
    );
    let mut module = Mod {
        canned,
        ..Mod::new()
    }
    .load(&server())
    .unwrap();
    reset_trace(&mut module);
    let result = module
        .invoke(
            "echo",
            &[Frame {
                port: "request",
                payload: b"omm bytes",
                type_ref: None,
            }],
        )
        .unwrap();
    assert_eq!(result.status_code, 0);
    assert_eq!(result.status, piv::status::OK);
    assert_eq!(result.trace_id, 1);
    let response = result.response().unwrap();
    assert_eq!(response.port, "response");
    assert_eq!(response.payload, b"hello");
    assert_eq!(response.type_ref.as_ref().unwrap().file_identifier, "$OMM");
    assert_eq!(response.type_ref.as_ref().unwrap().as_type_ref(), type_ref);

    // What the module was handed: a `$PIV` request for `echo`.
    let Event::Alloc { ptr, size } = trace(&module)[0] else {
        panic!()
    };
    let bytes = module.read_memory(ptr, size).unwrap();
    let request = piv::decode_request(&bytes).unwrap();
    assert_eq!(request.method_id, "echo");
    assert_eq!(request.trace_id, 1);
    assert_eq!(request.inputs.len(), 1);
    assert_eq!(request.inputs[0].port_id, "request");
    assert_eq!(request.inputs[0].type_ref, None);
    assert_eq!(
        request.arena_payload(&request.inputs[0]),
        Some(&b"omm bytes"[..])
    );

    // A response that is not a PIV is an error.
    let mut other = Mod::new().load(&server()).unwrap();
    assert!(matches!(
        other.invoke("echo", &[]),
        Err(ModuleError::BadResponse { .. })
    ));
}

#[test]
fn empty_and_null_responses_are_errors() {
    let empty = Mod {
        invoke: "(i32.store (local.get $out) (i32.const 0)) (i32.const 65536)".to_owned(),
        ..Mod::new()
    };
    let mut module = empty.load(&server()).unwrap();
    let err = module.invoke_raw(b"x").unwrap_err();
    assert_eq!(err, ModuleError::EmptyResponse);
    assert!(err.to_string().contains("returned an empty response"));

    let null = Mod {
        invoke: "(i32.store (local.get $out) (i32.const 5)) (i32.const 0)".to_owned(),
        ..Mod::new()
    };
    for options in [server(), sdk()] {
        let mut module = null.load(&options).unwrap();
        assert_eq!(
            module.invoke_raw(b"x").unwrap_err(),
            ModuleError::NullResponse { len: 5 }
        );
    }
}

#[test]
fn the_sdk_host_refuses_a_misaligned_response_the_server_takes_it() {
    let misaligned = Mod {
        invoke: r#"
    (local.set $p (i32.add (call $alloc (i32.const 32)) (i32.const 4)))
    (memory.copy (local.get $p) (i32.const 4096) (global.get $canned_len))
    (i32.store (local.get $out) (global.get $canned_len))
    (local.get $p)"#
            .to_owned(),
        ..Mod::new()
    };
    let mut module = misaligned.load(&sdk()).unwrap();
    let err = module.invoke_raw(b"x").unwrap_err();
    assert!(
        matches!(err, ModuleError::Misaligned { what: "response", ptr } if ptr % 8 == 4),
        "{err}"
    );
    let mut module = misaligned.load(&server()).unwrap();
    assert_eq!(module.invoke_raw(b"x").unwrap(), b"canned response");
}

#[test]
fn raw_entries_reach_the_exports_with_any_arguments() {
    let recording = Mod {
        invoke: r#"
    (i32.store (i32.const 28000) (local.get $req))
    (i32.store (i32.const 28004) (local.get $req_len))
    (i32.store (i32.const 28008) (local.get $out))
    (i32.const 0)"#
            .to_owned(),
        ..Mod::new()
    };
    let mut module = recording.load(&sdk()).unwrap();
    assert_eq!(module.invoke_stream_raw(65541, 7, 0xffff_fff0).unwrap(), 0);
    assert_eq!(u32_at(&module, 28000), 65541);
    assert_eq!(u32_at(&module, 28004), 7);
    assert_eq!(u32_at(&module, 28008), 0xffff_fff0);

    reset_trace(&mut module);
    let ptr = module.call_export_alloc(0).unwrap();
    module.call_export_free(ptr, 1).unwrap();
    module.call_export_free(ptr, 1).unwrap();
    assert_eq!(
        trace(&module),
        [
            Event::Alloc { ptr, size: 1 },
            Event::Free { ptr, size: 1 },
            Event::Free { ptr, size: 1 },
        ]
    );
}

#[test]
fn running_out_of_fuel_or_trapping_fails_one_call_only() {
    let moody = Mod {
        invoke: format!(
            r#"
    (if (i32.eq (i32.load8_u (local.get $req)) (i32.const 1))
      (then (loop $forever (br $forever))))
    (if (i32.eq (i32.load8_u (local.get $req)) (i32.const 2))
      (then unreachable))
    {CANNED}"#
        ),
        ..Mod::new()
    };
    let options = ModuleOptions {
        fuel_per_call: Some(5_000_000),
        ..server()
    };
    let mut module = moody.load(&options).unwrap();
    assert_eq!(
        module.invoke_raw(&[1]).unwrap_err(),
        ModuleError::Timeout {
            export: "plugin_invoke_stream".to_owned()
        }
    );
    assert_eq!(module.invoke_raw(&[0]).unwrap(), b"canned response");
    assert!(matches!(
        module.invoke_raw(&[2]).unwrap_err(),
        ModuleError::Trap { ref export, .. } if export == "plugin_invoke_stream"
    ));
    assert_eq!(module.invoke_raw(&[0]).unwrap(), b"canned response");
}

#[test]
fn unmetered_modules_have_no_budget_and_answer_as_metered_ones() {
    use host_harness::Metering;

    // Three million loop turns: more than a 1,000,000 budget allows.
    let busy = Mod {
        invoke: format!(
            r#"
    (global.set $busy (i32.const 3000000))
    (loop $spin
      (global.set $busy (i32.sub (global.get $busy) (i32.const 1)))
      (br_if $spin (global.get $busy)))
    {CANNED}"#
        ),
        extra: "(global $busy (mut i32) (i32.const 0))".to_owned(),
        ..Mod::new()
    };
    let tight = ModuleOptions {
        fuel_per_call: Some(1_000_000),
        ..server()
    };
    let mut metered = busy.load(&tight).unwrap();
    assert!(matches!(
        metered.invoke_raw(&[0]).unwrap_err(),
        ModuleError::Timeout { .. }
    ));
    let mut unmetered = busy
        .load(&ModuleOptions {
            metering: Metering::Off,
            ..tight
        })
        .unwrap();
    let mut generous = busy
        .load(&ModuleOptions {
            fuel_per_call: Some(1_000_000_000),
            ..server()
        })
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            unmetered.invoke_raw(&[0]).unwrap(),
            generous.invoke_raw(&[0]).unwrap()
        );
    }
    assert_eq!(unmetered.invoke_raw(&[0]).unwrap(), b"canned response");
}

// ----- the hostcall bridge -----

#[test]
fn clock_now_answers_the_reference_envelope() {
    for options in [server(), sdk()] {
        let mut module = Mod::hostcall().load(&options).unwrap();
        let request = wire_vector("request.clock.now");
        let (response, call, status) = hostcall(&mut module, "clock.now", &request);
        // Byte for byte what the module SDK's encoder writes for this result.
        assert_eq!(response, wire_vector("response.ok.number"));
        assert_eq!((call, status), (0, 0));
        assert_eq!(module.hostcalls(), ["clock.now"]);
        // An empty payload means no parameters.
        let (response, _, _) = hostcall(&mut module, "clock.now", b"");
        assert_eq!(meta(&response), r#"{"ok":true,"result":1735689600000}"#);
    }
}

#[test]
fn clock_iso_strings_follow_each_host() {
    let mut module = Mod::hostcall().load(&server()).unwrap();
    let (response, _, _) = hostcall(&mut module, "clock.nowIso", b"");
    assert_eq!(
        meta(&response),
        r#"{"ok":true,"result":"2025-01-01T00:00:00Z"}"#
    );
    let mut module = Mod::hostcall().load(&sdk()).unwrap();
    let (response, _, _) = hostcall(&mut module, "clock.nowIso", b"");
    assert_eq!(
        meta(&response),
        r#"{"ok":true,"result":"2025-01-01T00:00:00.000Z"}"#
    );
}

#[test]
fn random_bytes_are_scripted_defaulted_and_capped_on_the_server() {
    let script: Vec<u8> = (0..=255).cycle().take(9000).collect();
    let options = ModuleOptions {
        random: Some(script.clone()),
        ..server()
    };
    let mut module = Mod::hostcall().load(&options).unwrap();
    let (response, _, _) = hostcall(
        &mut module,
        "random.bytes",
        &wire_vector("request.random.bytes"),
    );
    let envelope = hostcall::decode(&response).unwrap();
    assert_eq!(envelope.meta, r#"{"ok":true,"result":{"$bin":0}}"#);
    assert_eq!(envelope.segments, [&script[..16]]);

    let (response, _, _) = hostcall(&mut module, "random.bytes", b"");
    assert_eq!(
        hostcall::decode(&response).unwrap().segments[0],
        &script[16..48]
    );
    let big = hostcall::encode(r#"{"length":100000}"#, &[]);
    let (response, _, _) = hostcall(&mut module, "random.bytes", &big);
    assert_eq!(hostcall::decode(&response).unwrap().segments[0].len(), 8192);
}

#[test]
fn unknown_operations_follow_the_error_convention() {
    // The server: `call` returns 0, the error only in the envelope.
    let mut module = Mod::hostcall().load(&server()).unwrap();
    let (response, call, status) = hostcall(&mut module, "x.y", b"");
    assert_eq!((call, status), (0, 0));
    assert_eq!(
        meta(&response),
        r#"{"error":{"message":"operation \"x.y\" not supported"},"ok":false}"#
    );

    // The module SDK: 1, and byte for byte the reference bridge's error.
    let mut module = Mod::hostcall().load(&sdk()).unwrap();
    let (response, call, status) = hostcall(&mut module, "x.y", b"");
    assert_eq!((call, status), (1, 1));
    assert_eq!(response, wire_vector("response.error"));

    // The convention is selectable independently of the host.
    let options = ModuleOptions {
        error_convention: Some(ErrorConvention::Js),
        ..server()
    };
    let mut module = Mod::hostcall().load(&options).unwrap();
    let (response, call, _) = hostcall(&mut module, "x.y", b"");
    assert_eq!(call, 1);
    assert!(meta(&response).contains(r#""operation":"x.y""#));
}

#[test]
fn an_undecodable_payload_is_status_1_on_the_server() {
    let mut module = Mod::hostcall().load(&server()).unwrap();
    let (response, call, status) = hostcall(&mut module, "clock.now", &[9, 0, 0]);
    assert_eq!((call, status), (1, 1));
    assert!(meta(&response).starts_with(r#"{"error":{"message":"#));
    // ... and the next call is clean again.
    let (_, call, status) = hostcall(&mut module, "clock.now", b"");
    assert_eq!((call, status), (0, 0));
}

#[test]
fn server_operations_config_node_and_host() {
    let options = ModuleOptions {
        config_json: Some(r#"{"interval_ms":600000}"#.to_owned()),
        node_peer_id: Some("12D3KooWTest".to_owned()),
        ..server()
    };
    let mut module = Mod::hostcall().load(&options).unwrap();
    let mut ask = |op: &str, payload: &[u8]| meta(&hostcall(&mut module, op, payload).0);
    assert_eq!(
        ask("plugin.getConfig", b""),
        r#"{"ok":true,"result":{"interval_ms":600000}}"#
    );
    assert_eq!(
        ask("node.peerId", b""),
        r#"{"ok":true,"result":"12D3KooWTest"}"#
    );
    assert_eq!(
        ask("node.publicKey", b""),
        r#"{"error":{"message":"node public key not available"},"ok":false}"#
    );
    assert_eq!(
        ask("host.runtimeTarget", b""),
        r#"{"ok":true,"result":"server"}"#
    );
    assert_eq!(
        ask("host.listCapabilities", b""),
        r#"{"ok":true,"result":["clock"]}"#
    );
    let has = hostcall::encode(r#"{"capability":"clock"}"#, &[]);
    assert_eq!(
        ask("host.hasCapability", &has),
        r#"{"ok":true,"result":true}"#
    );
    let ops = ask("host.listOperations", b"");
    assert!(
        ops.contains(r#""plugin.getConfig""#) && !ops.contains("crypto.sha256"),
        "{ops}"
    );

    let mut module = Mod::hostcall().load(&server()).unwrap();
    let (response, _, _) = hostcall(&mut module, "plugin.getConfig", b"");
    assert_eq!(meta(&response), r#"{"ok":true,"result":{}}"#);

    let bad = ModuleOptions {
        config_json: Some("{".to_owned()),
        ..server()
    };
    assert!(matches!(
        Mod::hostcall().load(&bad),
        Err(ModuleError::InvalidInput { .. })
    ));
}

#[test]
fn the_sdk_host_hashes_with_crypto_sha256() {
    let mut module = Mod::hostcall().load(&sdk()).unwrap();
    let (response, call, _) = hostcall(
        &mut module,
        "crypto.sha256",
        &wire_vector("request.crypto.sha256"),
    );
    assert_eq!(call, 0);
    let envelope = hostcall::decode(&response).unwrap();
    assert_eq!(envelope.meta, r#"{"ok":true,"result":{"$bin":0}}"#);
    assert_eq!(
        hex::encode(envelope.segments[0]),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let (response, _, _) = hostcall(&mut module, "host.runtimeTarget", b"");
    assert_eq!(meta(&response), r#"{"ok":true,"result":"node"}"#);
    // Not a server operation there.
    let mut module = Mod::hostcall().load(&server()).unwrap();
    let (response, _, _) = hostcall(
        &mut module,
        "crypto.sha256",
        &wire_vector("request.crypto.sha256"),
    );
    assert!(meta(&response).contains("not supported"));
}

// ----- the capability policy -----

#[test]
fn a_sensitive_capability_needs_an_approved_sha256_on_the_server() {
    let pman = manifest::build(&manifest::ManifestSpec {
        plugin_id: "com.example.fetcher".into(),
        name: "fetcher".into(),
        version: "0.1.0".into(),
        capabilities: vec![(capability::CLOCK, None), (capability::HTTP, None)],
        ..Default::default()
    });
    let module = Mod {
        manifest: pman,
        ..Mod::new()
    };
    let err = module.load(&server()).unwrap_err();
    let ModuleError::CapabilityNotApproved {
        capabilities,
        sha256,
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(capabilities, &["http"]);
    assert!(err.to_string().contains("not approved"), "{err}");

    let digest: [u8; 32] = hex::decode(sha256).unwrap().try_into().unwrap();
    let approved = ModuleOptions {
        approved_sha256: vec![digest],
        ..server()
    };
    let loaded = module.load(&approved).unwrap();
    assert_eq!(loaded.sha256(), digest);
    assert_eq!(loaded.declared_capabilities(), ["clock", "http"]);

    // Another module's approval does not count.
    let other = ModuleOptions {
        approved_sha256: vec![[0; 32]],
        ..server()
    };
    assert!(matches!(
        module.load(&other),
        Err(ModuleError::CapabilityNotApproved { .. })
    ));
    // `clock` loads freely (the $PLG vector declares only it).
    Mod::new().load(&server()).unwrap();
}

// ----- WASI and the legacy imports -----

#[test]
fn wasi_and_legacy_clocks_and_randomness_follow_the_script() {
    let module = Mod {
        imports: r#"
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "sdn" "clock_now_ms" (func $sdn_clock (result i64)))"#
            .to_owned(),
        extra: r#"
  (func (export "wasi_now") (param $id i32) (result i32)
    (call $clock (local.get $id) (i64.const 1) (i32.const 28000)))
  (func (export "wasi_random") (param $len i32) (result i32)
    (call $random (i32.const 28100) (local.get $len)))
  (func (export "sdn_now_low") (result i32) (i32.wrap_i64 (call $sdn_clock)))"#
            .to_owned(),
        ..Mod::new()
    };
    let options = ModuleOptions {
        random: Some(vec![7, 8, 9]),
        ..server()
    };
    let mut loaded = module.load(&options).unwrap();
    for id in [0, 1] {
        assert_eq!(loaded.call_i32("wasi_now", &[id]).unwrap(), [0]);
        let ns = u64::from_le_bytes(loaded.read_memory(28000, 8).unwrap().try_into().unwrap());
        assert_eq!(ns, NOW as u64 * 1_000_000, "clock {id}");
    }
    assert_eq!(loaded.call_i32("wasi_now", &[9]).unwrap(), [28]);
    assert_eq!(loaded.call_i32("wasi_random", &[3]).unwrap(), [0]);
    assert_eq!(loaded.read_memory(28100, 3).unwrap(), [7, 8, 9]);
    assert_eq!(loaded.call_i32("sdn_now_low", &[]).unwrap(), [NOW as i32]);
    loaded.set_clock_ms(5);
    assert_eq!(loaded.call_i32("sdn_now_low", &[]).unwrap(), [5]);

    // Unscripted: the real wall clock, within this test's run.
    let mut real = module.load(&ModuleOptions::server()).unwrap();
    real.call_i32("wasi_now", &[0]).unwrap();
    let ns = u64::from_le_bytes(real.read_memory(28000, 8).unwrap().try_into().unwrap());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    assert!(now.abs_diff(ns) < 60_000_000_000, "{ns} vs {now}");
}

#[test]
fn proc_exit_closes_the_instance() {
    let exiting = Mod {
        imports: r#"(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))"#
            .to_owned(),
        invoke: "(call $exit (i32.const 3)) (i32.const 0)".to_owned(),
        ..Mod::new()
    };
    for options in [server(), sdk()] {
        let mut module = exiting.load(&options).unwrap();
        assert_eq!(
            module.invoke_raw(b"x").unwrap_err(),
            ModuleError::ProcExit { code: 3 }
        );
        assert_eq!(module.exit_code(), Some(3));
        assert_eq!(
            module.invoke_raw(b"x").unwrap_err(),
            ModuleError::Closed { code: 3 }
        );
    }
}

#[test]
fn sdk_random_bytes_needs_a_length_within_the_response_limit() {
    let options = ModuleOptions {
        random: Some(vec![1, 2, 3, 4]),
        ..sdk()
    };
    let mut module = Mod::hostcall().load(&options).unwrap();
    let (response, call, _) = hostcall(&mut module, "random.bytes", b"");
    assert_eq!(call, 1);
    assert!(meta(&response).contains("non-negative integer"));
    let (response, call, _) = hostcall(
        &mut module,
        "random.bytes",
        &hostcall::encode(r#"{"length":100000000}"#, &[]),
    );
    assert_eq!(call, 1);
    assert!(meta(&response).contains("byte limit"));
    let (response, call, _) = hostcall(
        &mut module,
        "random.bytes",
        &hostcall::encode(r#"{"length":4}"#, &[]),
    );
    assert_eq!(call, 0);
    assert_eq!(
        hostcall::decode(&response).unwrap().segments,
        [&[1, 2, 3, 4][..]]
    );
}

#[test]
fn the_sdk_host_refuses_a_misaligned_request_the_server_takes_it() {
    let misaligned = Mod {
        alloc_offset: 4,
        ..Mod::new()
    };
    let mut module = misaligned.load(&sdk()).unwrap();
    let err = module.invoke_raw(b"x").unwrap_err();
    assert!(
        matches!(err, ModuleError::Misaligned { what: "request", ptr } if ptr % 8 == 4),
        "{err}"
    );
    let mut module = misaligned.load(&server()).unwrap();
    assert_eq!(module.invoke_raw(b"x").unwrap(), b"canned response");
}
