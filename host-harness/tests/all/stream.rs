//! The server's libp2p stream handlers (`host_harness::stream`) and the
//! `host-harness stream` command: every rule with a small WAT plugin, then
//! the key broker's test vector wrapped in the envelopes.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use host_harness::stream::{MAX_MESSAGE, handle_key_broker_stream, handle_public_key_stream};
use host_harness::{Clock, Plugin};
use sdn_pdk_schemas::keybroker::{self, Response, STATUS_HOST_ERROR};
use serde_json::Value;

use crate::fixture::Wat;
use crate::support;

const VECTOR: &str = include_str!("../../../examples/key-broker/tests/data/key-broker-vector.json");

fn vector(field: &str) -> Vec<u8> {
    let v: Value = serde_json::from_str(VECTOR).unwrap();
    hex::decode(v[field].as_str().unwrap()).unwrap()
}

fn vector_now() -> i64 {
    let v: Value = serde_json::from_str(VECTOR).unwrap();
    v["clock_now_ms"].as_i64().unwrap()
}

/// The fixture echo plugin (answers `clock_now_ms` LE ‖ request, status 0)
/// at clock 0x0102.
fn echo() -> Plugin {
    Wat::echo()
        .load_with(Plugin::builder().clock(Clock::Fixed(0x0102)))
        .unwrap()
}

/// The decoded reply: status and packet.
fn reply(plugin: &mut Plugin, message: &[u8]) -> (u32, Option<Vec<u8>>) {
    let bytes = handle_key_broker_stream(plugin, message).expect("a reply");
    let Response { status, packet } = keybroker::decode_response(&bytes).unwrap();
    (status, packet.map(<[u8]>::to_vec))
}

fn some(bytes: &[u8]) -> Option<Vec<u8>> {
    Some(bytes.to_vec())
}

// ------------------------------------------------------------ the key broker rules

#[test]
fn a_request_gets_the_plugins_status_and_output() {
    let mut plugin = echo();
    let r = reply(&mut plugin, &keybroker::encode_request(b"abc"));
    assert_eq!(r, (0, some(b"\x02\x01\0\0\0\0\0\0abc")));
}

#[test]
fn the_host_is_empty_over_libp2p() {
    // The handler copies the NUL-terminated host into the output.
    let plugin_wat = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param $req i32) (param $len i32) (param $host i32)
      (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
    (i32.store8 (local.get $out) (i32.load8_u (local.get $host)))
    (i32.store (local.get $out_len) (i32.const 1))
    (i32.const 0))"#
            .to_owned();
    });
    let mut plugin = plugin_wat.load().unwrap();
    let r = reply(&mut plugin, &keybroker::encode_request(b"x"));
    assert_eq!(r, (0, some(b"\0")), "host = \"\" (just its NUL)");
}

#[test]
fn a_non_zero_status_keeps_its_body_and_an_empty_output_is_omitted() {
    let with_body = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param $req i32) (param $len i32) (param $host i32)
      (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
    (i32.store8 (local.get $out) (i32.const 0x45))
    (i32.store (local.get $out_len) (i32.const 1))
    (i32.const 3))"#
            .to_owned();
    });
    let mut plugin = with_body.load().unwrap();
    let r = reply(&mut plugin, &keybroker::encode_request(b"x"));
    assert_eq!(r, (3, some(b"E")));

    // Negative statuses travel as their u32 bits; no output = no packet.
    let negative = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param $req i32) (param $len i32) (param $host i32)
      (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
    (i32.store (local.get $out_len) (i32.const 0))
    (i32.const -2))"#
            .to_owned();
    });
    let mut plugin = negative.load().unwrap();
    let r = reply(&mut plugin, &keybroker::encode_request(b"x"));
    assert_eq!(r, (0xFFFF_FFFE, None));
}

#[test]
fn a_trap_or_a_harness_error_is_status_all_ones_without_a_packet() {
    let trapping = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32 i32) (result i32)
    unreachable)"#
            .to_owned();
    });
    let mut plugin = trapping.load().unwrap();
    let r = reply(&mut plugin, &keybroker::encode_request(b"x"));
    assert_eq!(r, (STATUS_HOST_ERROR, None));

    // out_len never written: the poison is above the capacity.
    let silent = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32 i32) (result i32)
    (i32.const 0))"#
            .to_owned();
    });
    let mut plugin = silent.load().unwrap();
    let r = reply(&mut plugin, &keybroker::encode_request(b"x"));
    assert_eq!(r, (STATUS_HOST_ERROR, None));
}

#[test]
fn empty_oversized_misidentified_and_empty_packet_messages_get_no_reply() {
    let mut plugin = echo();
    assert_eq!(handle_key_broker_stream(&mut plugin, b""), None, "empty");

    // A request whose envelope is exactly MAX_MESSAGE bytes is served (the
    // echo cannot fit it: status 7, no output); one byte more is dropped.
    let overhead = keybroker::encode_request(b"").len();
    let mut packet = vec![7u8; MAX_MESSAGE - overhead];
    let mut message = keybroker::encode_request(&packet);
    while message.len() < MAX_MESSAGE {
        packet.push(7);
        message = keybroker::encode_request(&packet);
    }
    assert_eq!(message.len(), MAX_MESSAGE);
    let r = reply(&mut plugin, &message);
    assert_eq!(r, (7, None));
    let mut oversized = message.clone();
    oversized.push(0);
    assert_eq!(
        handle_key_broker_stream(&mut plugin, &oversized),
        None,
        "oversized"
    );

    let mut wrong_id = keybroker::encode_request(b"abc");
    wrong_id[4..8].copy_from_slice(b"OBKS");
    assert_eq!(handle_key_broker_stream(&mut plugin, &wrong_id), None);
    assert_eq!(
        handle_key_broker_stream(&mut plugin, &keybroker::encode_response(0, Some(b"abc"))),
        None,
        "a response is not a request"
    );
    assert_eq!(
        handle_key_broker_stream(&mut plugin, b"\x08\0\0\0OBKQ"),
        None
    );
    assert_eq!(
        handle_key_broker_stream(&mut plugin, &keybroker::encode_request(b"")),
        None,
        "empty packet"
    );
    assert_eq!(
        plugin.call_i32("calls", &[]).unwrap(),
        [1],
        "only the MAX_MESSAGE request reached the plugin"
    );
}

// ------------------------------------------------------------ public key

#[test]
fn public_key_stream_serves_plugin_get_public_key() {
    let mut plugin = echo();
    plugin.script_random(&[0x42; 32]);
    let reply = handle_public_key_stream(&mut plugin).unwrap();
    assert_eq!(keybroker::decode_public_key(&reply), Ok(&[0x42; 32][..]));
}

#[test]
fn a_failing_public_key_closes_the_stream_without_a_reply() {
    let failing = Wat::echo().with(|w| {
        w.public_key = r#"(func (export "plugin_get_public_key") (param i32 i32) (result i32)
    (i32.const -1))"#
            .to_owned();
    });
    let mut plugin = failing.load().unwrap();
    assert_eq!(handle_public_key_stream(&mut plugin), None);
}

// ------------------------------------------------------------ the key broker

#[test]
fn the_key_broker_vector_through_the_envelopes() {
    let mut plugin = support::load_example(
        "key-broker",
        Plugin::builder().clock(Clock::Fixed(vector_now())),
    );
    plugin.init(&vector("config")).unwrap();
    plugin.script_random(&vector("server_nonce_from_random_bytes"));
    let r = reply(&mut plugin, &keybroker::encode_request(&vector("request")));
    assert_eq!(r, (0, Some(vector("response"))));

    let key = handle_public_key_stream(&mut plugin).unwrap();
    assert_eq!(
        keybroker::decode_public_key(&key),
        Ok(vector("server_public_key").as_slice())
    );
}

// ------------------------------------------------------------ the command

fn stream_command(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .arg("stream")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The command may stop reading early (public-key reads nothing, an
    // oversized message is read only one byte past the limit).
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

fn key_broker_args() -> Vec<String> {
    let plugin = support::example_path("key-broker");
    vec![
        plugin.to_str().unwrap().to_owned(),
        "--protocol".into(),
        "key-broker".into(),
        "--config-hex".into(),
        hex::encode(vector("config")),
        "--clock-ms".into(),
        vector_now().to_string(),
        "--random-hex".into(),
        hex::encode(vector("server_nonce_from_random_bytes")),
    ]
}

fn run_key_broker(message: &[u8]) -> Output {
    let args = key_broker_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = stream_command(&args, message);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn command_answers_the_vector_request_with_the_vector_response() {
    let out = run_key_broker(&keybroker::encode_request(&vector("request")));
    let r = keybroker::decode_response(&out.stdout).unwrap();
    assert_eq!(r.status, 0);
    assert_eq!(r.packet, Some(vector("response").as_slice()));
}

#[test]
fn command_writes_nothing_where_the_server_closes_without_a_reply() {
    let mut wrong_id = keybroker::encode_request(&vector("request"));
    wrong_id[4..8].copy_from_slice(b"XXXX");
    let oversized = keybroker::encode_request(&vec![1u8; MAX_MESSAGE]);
    for (what, message) in [
        ("wrong identifier", wrong_id),
        ("empty packet", keybroker::encode_request(b"")),
        ("oversized", oversized),
        ("empty message", Vec::new()),
    ] {
        let out = run_key_broker(&message);
        assert!(out.stdout.is_empty(), "{what}: {:?}", out.stdout);
    }
}

#[test]
fn command_serves_the_public_key() {
    let plugin = support::example_path("key-broker");
    let config = hex::encode(vector("config"));
    let out = stream_command(
        &[
            plugin.to_str().unwrap(),
            "--protocol",
            "public-key",
            "--config-hex",
            &config,
        ],
        b"",
    );
    assert!(out.status.success());
    assert_eq!(
        keybroker::decode_public_key(&out.stdout),
        Ok(vector("server_public_key").as_slice())
    );
}

#[test]
fn command_bad_arguments_and_modules_give_one_line_and_a_failure() {
    let dir = std::env::temp_dir().join(format!("host-harness-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let echo = dir.join("echo.wat");
    std::fs::write(&echo, Wat::echo().text()).unwrap();
    let no_init = dir.join("no-init.wat");
    std::fs::write(
        &no_init,
        Wat::echo().with(|w| w.init = String::new()).text(),
    )
    .unwrap();
    let failing_init = dir.join("failing-init.wat");
    std::fs::write(
        &failing_init,
        Wat::echo()
            .with(|w| {
                w.init =
                    r#"(func (export "plugin_init") (param i32 i32) (result i32) (i32.const 5))"#
                        .to_owned();
            })
            .text(),
    )
    .unwrap();
    let echo = echo.to_str().unwrap();
    for args in [
        &[echo][..],
        &[echo, "--protocol", "gossip"],
        &[echo, "--protocol"],
        &["--protocol", "key-broker"],
        &[echo, "--protocol", "key-broker", "--random-hex", "xyz"],
        &[echo, "--protocol", "key-broker", "--clock-ms", "soon"],
        &["/nonexistent.wasm", "--protocol", "key-broker"],
        &[no_init.to_str().unwrap(), "--protocol", "key-broker"],
        &[failing_init.to_str().unwrap(), "--protocol", "public-key"],
    ] {
        let out = stream_command(args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn command_help() {
    let out = stream_command(&["--help"], b"");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("usage: host-harness stream"));
}
