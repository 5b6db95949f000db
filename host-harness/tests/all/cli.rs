//! The `host-harness run` command.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::fixture::Wat;

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(args)
        .output()
        .unwrap()
}

/// Writes a fixture (WAT text is accepted where a .wasm is expected) to a
/// file unique to this test.
fn plugin_file(name: &str, wat: &Wat) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("host-harness-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.wat"));
    std::fs::write(&path, wat.text()).unwrap();
    path
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn run_prints_key_metadata_response_and_logs() {
    let path = plugin_file("echo", &Wat::echo());
    let out = harness(&[
        "run",
        path.to_str().unwrap(),
        "--config-hex",
        "6162",
        "--request-hex",
        "0102ff",
        "--host",
        "h.example",
        "--clock-ms",
        "258",
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("public key: "), "{stdout}");
    assert!(stdout.contains("metadata: 6d657461"), "{stdout}");
    assert!(stdout.contains("status: 0"), "{stdout}");
    // clock 258 = 0x102 as u64 LE, then the request.
    assert!(
        stdout.contains("response: 02010000000000000102ff"),
        "{stdout}"
    );
    assert!(stdout.contains("log [info] ready"), "{stdout}");
}

#[test]
fn bad_arguments_give_one_line_and_a_failure() {
    for args in [
        &["run"][..],
        &["frobnicate"],
        &["run", "x.wasm", "--config-hex", "zz"],
        &["run", "x.wasm", "--clock-ms"],
        &["run", "x.wasm", "--config-hex", "00", "--config-file", "f"],
        &["run", "/nonexistent/x.wasm"],
    ] {
        let out = harness(args);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_bad_module_gives_one_line_and_a_failure() {
    let path = plugin_file("no-init", &Wat::echo().with(|w| w.init = String::new()));
    let out = harness(&["run", path.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("plugin_init"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn help() {
    let out = harness(&["--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("usage: host-harness run"));
}

#[test]
fn run_scripts_random_and_shows_what_the_plugin_wrote_to_stderr() {
    let path = plugin_file(
        "stderr",
        &Wat::echo().with(|w| {
            w.imports.push_str(
                r#"
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))"#,
            );
            w.init = r#"(data (i32.const 1024) "ready")
  (data (i32.const 1100) "oops\nagain\n")
  (func (export "plugin_init") (param i32 i32) (result i32)
    (i32.store (i32.const 1200) (i32.const 1100))
    (i32.store (i32.const 1204) (i32.const 11))
    (drop (call $fd_write (i32.const 2) (i32.const 1200) (i32.const 1) (i32.const 1208)))
    (call $log (i32.const 1) (i32.const 1024) (i32.const 5))
    (i32.const 0))"#
                .to_owned();
        }),
    );
    let key = "ab".repeat(32);
    let out = harness(&["run", path.to_str().unwrap(), "--random-hex", &key]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    // The public key is the plugin's 32 random bytes: the scripted ones.
    assert!(stdout.contains(&format!("public key: {key}\n")), "{stdout}");
    assert!(stdout.contains("stderr: oops\nstderr: again\n"), "{stdout}");
    assert!(stdout.contains("wasi call fd_write x1"), "{stdout}");
}

#[test]
fn run_refuses_module_flags_and_invoke_refuses_legacy_plugins() {
    let plugin = plugin_file("legacy", &Wat::echo());
    let plugin = plugin.to_str().unwrap();
    for (args, needle) in [
        (
            vec!["run", plugin, "--config-json", "{}"],
            "--config-json is for modules",
        ),
        (
            vec!["invoke", plugin, "--method", "echo"],
            "is a legacy plugin (no plugin_invoke_stream)",
        ),
    ] {
        let out = harness(&args);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

// ------------------------------------------------------------ modules

fn module_echo() -> String {
    crate::support::example_path("module-echo")
        .to_str()
        .unwrap()
        .to_owned()
}

fn omm() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sgp4-propagator/tests/data/omm-25544.fb"
    )
    .to_owned()
}

#[test]
fn invoke_prints_status_and_each_output_in_hex() {
    let omm_bytes = std::fs::read(omm()).unwrap();
    for host in ["server", "sdk"] {
        let out = harness(&[
            "invoke",
            &module_echo(),
            "--method",
            "echo",
            "--input",
            &format!("request={}:OMM.fbs:$OMM:OMM", omm()),
            "--host",
            host,
            "--clock-ms",
            "1790000000000",
        ]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{host}: {stdout}\n{}",
            text(&out.stderr)
        );
        assert!(
            stdout.starts_with("status: 0 (ok)\nerror code: none\noutputs: 1\n"),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "output 0: port response, type OMM.fbs $OMM OMM, {} bytes\n  hex: {}\n",
                omm_bytes.len(),
                hex::encode(&omm_bytes)
            )),
            "{stdout}"
        );
    }
}

#[test]
fn invoke_writes_outputs_to_files_with_out_dir() {
    let dir = std::env::temp_dir().join(format!("host-harness-cli-{}-out", std::process::id()));
    let out = harness(&[
        "invoke",
        &module_echo(),
        "--method",
        "echo",
        "--input",
        // No type ref: taken as the port's type, as the server's frames are.
        &format!("request={}", omm()),
        "--out-dir",
        dir.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    let file = dir.join("0-response.bin");
    assert!(
        stdout.contains(&format!("  file: {}\n", file.display())),
        "{stdout}"
    );
    assert_eq!(std::fs::read(&file).unwrap(), std::fs::read(omm()).unwrap());
}

#[test]
fn invoke_of_a_failing_method_prints_the_error_then_exits_1() {
    let out = harness(&[
        "invoke",
        &module_echo(),
        "--method",
        "echo",
        "--input",
        &format!("elsewhere={}", omm()),
    ]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stdout.starts_with("status: 400 (failed)\nerror code: unknown-input-port\n"),
        "{stdout}"
    );
    assert!(stdout.contains("outputs: 0"), "{stdout}");
    assert_eq!(
        stderr.trim_end(),
        "host-harness: method `echo` answered status 400 (unknown-input-port)"
    );
    let out = harness(&["invoke", &module_echo(), "--method", "nope"]);
    assert!(text(&out.stdout).starts_with("status: 404 (not found)\nerror code: unknown-method\n"));
}

#[test]
fn invoke_bad_arguments_give_one_line() {
    let echo = module_echo();
    for args in [
        &["invoke"][..],
        &["invoke", &echo],
        &["invoke", &echo, "--method", "echo", "--input", "request"],
        &[
            "invoke",
            &echo,
            "--method",
            "echo",
            "--input",
            "request=/nonexistent",
        ],
        &["invoke", &echo, "--method", "echo", "--host", "browser"],
        &["invoke", &echo, "--method", "echo", "--config-json", "{"],
        &[
            "invoke",
            &echo,
            "--method",
            "echo",
            "--approve-sha256",
            "00",
        ],
        &["invoke", &echo, "--method", "echo", "--bogus"],
        &["invoke", "/nonexistent/m.wasm", "--method", "echo"],
    ] {
        let out = harness(args);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = harness(&["invoke", "--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("--approve-sha256"));
}

#[test]
fn invoke_refuses_an_unapproved_sensitive_module_on_the_server_until_approved() {
    let path = plugin_file("sensitive", &Wat::echo()).with_file_name("sensitive-module.wat");
    // A module declaring `http` (sensitive): a $PLG behind the accessors.
    let spec = sdn_pdk_schemas::plg::PlgSpec {
        plugin_id: "com.example.sensitive".into(),
        name: "sensitive".into(),
        version: "1.0.0".into(),
        abi_version: 1,
        capabilities: vec![sdn_pdk_schemas::plg::CapabilitySpec {
            name: "http".into(),
            kind: None,
            required: true,
        }],
        ..Default::default()
    };
    let plg = sdn_pdk_schemas::plg::build(&spec);
    let literal: String = plg.iter().map(|b| format!("\\{b:02x}")).collect();
    let wat = format!(
        r#"(module (memory (export "memory") 1)
  (data (i32.const 0x8000) "{literal}")
  (func (export "plugin_get_manifest_flatbuffer") (result i32) i32.const 0x8000)
  (func (export "plugin_get_manifest_flatbuffer_size") (result i32) i32.const {})
  (func (export "plugin_alloc") (param i32) (result i32) i32.const 0)
  (func (export "plugin_free") (param i32 i32))
  (func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0))"#,
        plg.len()
    );
    std::fs::write(&path, &wat).unwrap();
    let path = path.to_str().unwrap();
    let out = harness(&["invoke", path, "--method", "m"]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("http"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    // Approved (the digest of the binary the harness compiled), it loads;
    // this module's allocator then fails the invoke itself.
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
        wat::parse_str(&wat).unwrap(),
    ));
    let out = harness(&["invoke", path, "--method", "m", "--approve-sha256", &digest]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("invoking `m`"), "{stderr}");
    assert!(!stderr.contains("approved"), "{stderr}");
}

#[test]
fn inspect_prints_a_modules_plg_as_json() {
    let out = harness(&["inspect", &module_echo()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["kind"], "module");
    assert_eq!(
        report["manifest_source"],
        "sds.manifest section = accessor exports"
    );
    let manifest = &report["manifest"];
    assert_eq!(
        manifest["pluginId"],
        "com.digitalarsenal.examples.invoke-echo"
    );
    assert_eq!(manifest["methods"][0]["methodId"], "echo");
    assert_eq!(
        manifest["methods"][0]["inputPorts"][0]["acceptedTypeSets"][0]["allowedTypes"][0]["fileIdentifier"],
        "$OMM"
    );
    let bytes = std::fs::read(module_echo()).unwrap();
    assert_eq!(
        report["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
    // The JSON is plg::to_json of the section.
    let section = host_harness::manifest::read_manifest(&bytes)
        .unwrap()
        .unwrap();
    let expected: serde_json::Value = serde_json::from_str(&sdn_pdk_schemas::plg::to_json(
        &sdn_pdk_schemas::plg::read(&section).unwrap(),
    ))
    .unwrap();
    assert_eq!(*manifest, expected);
    // A legacy plugin says so.
    let legacy = harness(&[
        "inspect",
        plugin_file("kind", &Wat::echo()).to_str().unwrap(),
    ]);
    let report: serde_json::Value = serde_json::from_slice(&legacy.stdout).unwrap();
    assert_eq!(report["kind"], "plugin");
}

fn stream(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // A command that refuses before reading closes its stdin: ignore that.
    let _ = input.write_all(stdin);
    drop(input);
    child.wait_with_output().unwrap()
}

#[test]
fn stream_plays_one_exchange_of_a_modules_protocol() {
    let wired = crate::support::test_plugin_path("wired-module");
    let wired = wired.to_str().unwrap();
    let out = stream(&["stream", wired, "--protocol", "/x/1.0.0"], b"hello");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(out.stdout, b"hello");
    // No reply: nothing on stdout, the reason on stderr, exit 0.
    let out = stream(&["stream", wired, "--protocol", "/x/fail/1.0.0"], b"hello");
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no reply: the method failed: status 418, teapot"),
        "{stderr}"
    );
    let out = stream(
        &["stream", wired, "--protocol", "/x/1.0.0"],
        &[1; 16 * 1024 + 1],
    );
    assert!(out.status.success() && out.stdout.is_empty());
    // An unknown or not installed protocol, or a legacy protocol name, is an error.
    for protocol in ["/x/manual/1.0.0", "key-broker"] {
        let out = stream(&["stream", wired, "--protocol", protocol], b"x");
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{protocol}");
        assert!(stderr.contains("installs no protocol"), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    // `host-harness run ... | head -0`: the read end of stdout is closed
    // before the command writes (it first compiles the plugin), so every
    // write meets a broken pipe. `println!` would panic there.
    let path = plugin_file("echo-closed-stdout", &Wat::echo());
    let mut child = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["run", path.to_str().unwrap(), "--request-hex", "0102"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "", "nothing to say: the reader wanted no more");
}
