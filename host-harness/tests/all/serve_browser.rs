//! `host-harness serve`: the server's HTTP bridge, checked with a plain
//! HTTP/1.1 client, and the key broker's browser client
//! (`host-harness/src/serve/web/`) driven end to end in headless Chromium.
//!
//! The browser tests need Debian's Chromium (`apt-get install -y chromium`);
//! without it they fail saying so. `CHROMIUM=/path/to/chromium` overrides the
//! default `/usr/bin/chromium`.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::fixture::Wat;
use crate::support::example_path;

/// The key broker test vector's server key and secret
/// (`examples/key-broker/tests/data/key-broker-vector.json`).
const PRIVATE_KEY: &str = "b7c84fbd4f2c33d3c70f7fd90786308e64424809cfc851bc52fd6e8127a5d01b";
const PUBLIC_KEY: &str = "046a7fb64da9aba43017600ec09ec8ccd9eab7bf2a918188c7a8bd4aadc17d4da3ccf58aa42a130e482f96b8821a1437bb82c86238baaca57e5aed8729fef2a780";
const SECRET: &str = "correct horse battery staple";
const EPOCH_MS: u64 = 3_600_000;
const LEASE_MS: u64 = 600_000;

/// A scratch directory unique to this test process and `name`.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("host-harness-serve-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A running `host-harness serve` on a free loopback port; killed on drop.
struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/`.
    url: String,
    /// `127.0.0.1:PORT`.
    addr: String,
    stderr: PathBuf,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts `serve PLUGIN ARGS --addr 127.0.0.1:0` and waits for the line
    /// that names the bound address.
    fn start(name: &str, plugin: &Path, args: &[&str]) -> Server {
        let stderr = scratch(name).join("stderr.txt");
        let mut child = Command::new(env!("CARGO_BIN_EXE_host-harness"))
            .arg("serve")
            .arg(plugin)
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "serve did not start: {line:?}\n{}",
                std::fs::read_to_string(&stderr).unwrap_or_default()
            );
        };
        let url = url.to_owned();
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        Server {
            child,
            url,
            addr,
            stderr,
            _stdout: stdout,
        }
    }

    /// Starts the key broker with the vector's key and secret.
    fn key_broker(name: &str, domains: &str, extra: &[&str]) -> Server {
        let epoch = EPOCH_MS.to_string();
        let lease = LEASE_MS.to_string();
        let mut args = vec![
            "--private-key-hex",
            PRIVATE_KEY,
            "--secret",
            SECRET,
            "--domains",
            domains,
            "--epoch-ms",
            &epoch,
            "--lease-ms",
            &lease,
        ];
        args.extend_from_slice(extra);
        Server::start(name, &example_path("key-broker"), &args)
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Waits for the process to end by itself (at most `limit`).
    fn wait(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ----- a plain HTTP/1.1 client -----

#[derive(Debug)]
struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl HttpResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `head` (the request line and headers, without the blank line) plus
/// `Connection: close`, then `body`, and reads one answer: its head, then
/// `Content-Length` bytes (or up to the close). A server may answer before it
/// has read the body (a 413), so a failed write is not the end.
fn exchange(addr: &str, head: &str, body: &[u8]) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut request = format!("{head}\r\nConnection: close\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    let _ = stream.write_all(&request);
    let mut raw = Vec::new();
    let mut chunk = [0; 4096];
    let split = loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break split;
        }
        let n = stream.read(&mut chunk).unwrap();
        assert!(
            n > 0,
            "no header end in {:?}",
            String::from_utf8_lossy(&raw)
        );
        raw.extend_from_slice(&chunk[..n]);
    };
    let mut response = parse_head(std::str::from_utf8(&raw[..split]).unwrap());
    response.body = raw[split + 4..].to_vec();
    match response
        .header("content-length")
        .map(|n| n.parse::<usize>().unwrap())
    {
        Some(len) => {
            while response.body.len() < len {
                let n = stream.read(&mut chunk).unwrap();
                assert!(n > 0, "body cut short: {response:?}");
                response.body.extend_from_slice(&chunk[..n]);
            }
        }
        None => {
            stream.read_to_end(&mut response.body).unwrap();
        }
    }
    response
}

/// The status and headers; the body is filled in by the caller.
fn parse_head(head: &str) -> HttpResponse {
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    HttpResponse {
        status,
        headers,
        body: Vec::new(),
    }
}

fn get(server: &Server, path: &str) -> HttpResponse {
    exchange(
        &server.addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {}", server.addr),
        b"",
    )
}

fn post(server: &Server, path: &str, host: &str, body: &[u8]) -> HttpResponse {
    exchange(
        &server.addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}",
            body.len()
        ),
        body,
    )
}

fn from_hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

// ----- the HTTP rules, no browser -----

#[test]
fn serve_public_key_is_the_servers_json() {
    let server = Server::key_broker("public-key", "Example.com, *.orbpro.test", &[]);
    let response = get(&server, "/public-key");
    assert_eq!(response.status, 200, "{}", response.text());
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{response:?}"
    );
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "publicKey": PUBLIC_KEY,
            "keyKind": 2,
            // The plugin's metadata: trimmed and lower-cased.
            "domains": ["example.com", "*.orbpro.test"],
        })
    );
}

#[test]
fn serve_key_answers_with_the_plugin_output_and_no_store() {
    // The test vector's request, at the vector's clock: a real key response.
    let vector: serde_json::Value = serde_json::from_str(include_str!(
        "../../../examples/key-broker/tests/data/key-broker-vector.json"
    ))
    .unwrap();
    let field = |name: &str| vector[name].to_string().trim_matches('"').to_owned();
    let server = Server::key_broker(
        "key",
        "example.com, *.orbpro.test",
        &["--skew-ms", "300000", "--clock-ms", &field("clock_now_ms")],
    );
    let request = from_hex(&field("request"));
    let response = post(&server, "/key", "app.orbpro.test", &request);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    let body = &response.body;
    assert_eq!(body.len(), 88, "{body:?}");
    assert_eq!(&body[..8], b"SKB1\x02\x00\x01\x00");
    let epoch: u64 = field("epoch").parse().unwrap();
    assert_eq!(body[24..32], epoch.to_le_bytes());

    // An error packet comes back the same way, with the plugin's status
    // inside: the server returns the output whatever the status.
    let response = post(&server, "/key", "app.orbpro.test", b"not skb1");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.body, b"SKB1\x03\x02\x00\x00");
}

#[test]
fn serve_wrong_methods_get_405_and_big_bodies_413() {
    let server = Server::key_broker("methods", "example.com", &[]);
    assert_eq!(get(&server, "/key").status, 405);
    assert_eq!(post(&server, "/public-key", "h", b"x").status, 405);
    assert_eq!(post(&server, "/", "h", b"x").status, 405);
    assert_eq!(get(&server, "/nothing-here").status, 404);

    // 16 KiB is accepted (and is a malformed request to the broker) ...
    let response = post(&server, "/key", "example.com", &[0; 16 * 1024]);
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"SKB1\x03\x02\x00\x00");
    // ... one byte more is refused (on its Content-Length).
    let response = post(&server, "/key", "example.com", &[0; 16 * 1024 + 1]);
    assert_eq!(response.status, 413);
    // A chunked body without a length is cut off at the limit too.
    let mut chunked = Vec::new();
    for _ in 0..5 {
        chunked.extend_from_slice(format!("{:x}\r\n", 4096).as_bytes());
        chunked.extend_from_slice(&[0; 4096]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let response = exchange(
        &server.addr,
        "POST /key HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked",
        &chunked,
    );
    assert_eq!(response.status, 413);
}

#[test]
fn serve_page_is_compiled_in() {
    let server = Server::key_broker("page", "example.com", &[]);
    for (path, kind, needle) in [
        ("/", "text/html", "app.js"),
        ("/index.html", "text/html", "id=\"fingerprint\""),
        ("/app.js", "text/javascript", "SKB1/wrap"),
    ] {
        let response = get(&server, path);
        assert_eq!(response.status, 200, "{path}");
        assert!(
            response.header("content-type").unwrap().starts_with(kind),
            "{path}: {response:?}"
        );
        assert!(response.text().contains(needle), "{path}");
    }
}

#[test]
fn serve_plugin_errors_are_500_without_internals() {
    let dir = scratch("trap");
    let path = dir.join("trap.wat");
    let wat = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param i32 i32 i32 i32 i32 i32) (result i32)
    unreachable)"#
            .to_owned();
    });
    std::fs::write(&path, wat.text()).unwrap();
    let server = Server::start("trap", &path, &[]);
    let response = post(&server, "/request", "h.example", b"boom");
    assert_eq!(response.status, 500);
    let text = response.text().to_lowercase();
    for secret in ["unreachable", "trap", "wasm", "plugin_handle_request"] {
        assert!(!text.contains(secret), "{text}");
    }
    // The details go to the operator, and the instance goes on serving.
    assert!(server.stderr().contains("plugin_handle_request"));
    let response = get(&server, "/public-key");
    assert_eq!(response.status, 200, "{}", response.text());
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(json.as_object().unwrap().len(), 1, "{json}");
    assert_eq!(json["publicKey"].as_str().unwrap().len(), 64);
}

// ----- any legacy plugin, and modules -----

#[test]
fn serve_any_legacy_plugin_through_the_generic_bridge() {
    let dir = scratch("generic");
    let path = dir.join("echo.wat");
    // The fixture echo: status 7 when the output does not fit, which the
    // client never sees: 200 and the (empty) output, the status on stderr.
    let wat = Wat::echo().with(|w| {
        w.handle_request = r#"(func (export "plugin_handle_request")
      (param $req i32) (param $len i32) (param $host i32)
      (param $out i32) (param $cap i32) (param $out_len i32) (result i32)
    (memory.copy (local.get $out) (local.get $req) (local.get $len))
    (i32.store (local.get $out_len) (local.get $len))
    (i32.const 7))"#
            .to_owned();
    });
    std::fs::write(&path, wat.text()).unwrap();
    let server = Server::start(
        "generic",
        &path,
        &["--clock-ms", "258", "--random-hex", &"cd".repeat(32)],
    );
    let response = post(&server, "/request", "h.example", b"ping");
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(response.header("cache-control"), Some("no-store"));
    assert_eq!(response.body, b"ping");
    assert!(
        server.stderr().contains("plugin status 7"),
        "{}",
        server.stderr()
    );

    let response = get(&server, "/public-key");
    let json: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(json, serde_json::json!({ "publicKey": "cd".repeat(32) }));
    let response = get(&server, "/metadata");
    assert_eq!(response.body, b"meta");
    // No manifest, and none of the key broker's routes.
    assert_eq!(get(&server, "/manifest").status, 404);
    assert_eq!(post(&server, "/key", "h", b"x").status, 404);
    assert_eq!(get(&server, "/app.js").status, 404);
    let index = get(&server, "/");
    assert!(index.text().contains("POST /request"), "{}", index.text());
    assert_eq!(
        post(&server, "/request", "h", &[0; 16 * 1024 + 1]).status,
        413
    );
}

#[test]
fn serve_key_broker_routes_follow_the_manifest_or_the_flag() {
    // The key broker by its manifest id: both the broker's and the generic routes.
    let server = Server::key_broker("by-id", "example.com", &[]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&get(&server, "/manifest").body).unwrap();
    assert_eq!(manifest["plugin_id"], "key-broker");
    assert_eq!(
        post(&server, "/request", "example.com", b"x").body,
        b"SKB1\x03\x02\x00\x00"
    );
    drop(server);
    // Any plugin with --key-broker.
    let path = scratch("flag").join("echo.wat");
    std::fs::write(&path, Wat::echo().text()).unwrap();
    let server = Server::start("flag", &path, &["--key-broker"]);
    let page = get(&server, "/");
    assert!(page.text().contains("app.js"), "{}", page.text());
    // Its metadata ("meta") is not the broker's layout: a 500.
    assert_eq!(get(&server, "/public-key").status, 500);
    drop(server);
    // The broker's config flags without the broker are refused.
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .arg("serve")
        .arg(&path)
        .args(["--secret", "s", "--domains", "a.com"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("the key broker flags are for the key broker"),
        "{stderr}"
    );
}

#[test]
fn serve_a_module_invoke_and_manifest() {
    let path = crate::support::example_path("module-echo");
    let server = Server::start("module", &path, &["--host", "sdk"]);
    let request = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../sdn-pdk/schemas/tests/data/module-sdk/echo.request.piv"
    ))
    .unwrap();
    let response = post(&server, "/invoke/echo", "h", &request);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
    // The bytes the library's invoke gives for the same request.
    let options = host_harness::ModuleOptions {
        host: host_harness::HostKind::Sdk,
        ..Default::default()
    };
    let mut module = host_harness::Module::load_file(&path, &options).unwrap();
    assert_eq!(response.body, module.invoke_raw(&request).unwrap());
    let answer = sdn_pdk_schemas::piv::decode_response(&response.body).unwrap();
    assert_eq!(answer.status_code, 0);

    // A failure travels inside the PIV response, under 200.
    let unknown = sdn_pdk_schemas::piv::encode_request("nope", &[], 9);
    let response = post(&server, "/invoke/nope", "h", &unknown);
    assert_eq!(response.status, 200);
    let answer = sdn_pdk_schemas::piv::decode_response(&response.body).unwrap();
    assert_eq!(
        (answer.status_code, answer.error_code),
        (404, Some("unknown-method"))
    );
    // Not a PIV request, or one for another method: 400.
    assert_eq!(post(&server, "/invoke/echo", "h", b"junk").status, 400);
    assert_eq!(post(&server, "/invoke/other", "h", &request).status, 400);
    assert_eq!(get(&server, "/invoke/echo").status, 405);

    let manifest = get(&server, "/manifest");
    assert_eq!(manifest.status, 200);
    let json: serde_json::Value = serde_json::from_slice(&manifest.body).unwrap();
    let expected: serde_json::Value = serde_json::from_str(&sdn_pdk_schemas::plg::to_json(
        &module.plg().unwrap().unwrap(),
    ))
    .unwrap();
    assert_eq!(json, expected);
    assert!(
        get(&server, "/")
            .text()
            .contains("echo (request) -> (response)")
    );
    assert_eq!(get(&server, "/public-key").status, 404);
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let mut server = Server::key_broker("ctrl-c", "example.com", &[]);
    assert_eq!(get(&server, "/public-key").status, 200);
    let pid = server.child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let status = server.wait(Duration::from_secs(20)).expect("still running");
    assert!(status.success(), "{status:?}: {}", server.stderr());
    assert!(server.stderr().contains("shut down"), "{}", server.stderr());
}

#[test]
fn serve_bad_arguments_give_one_line() {
    for args in [
        &["serve"][..],
        &["serve", "x.wasm", "--secret", "s"],
        &["serve", "x.wasm", "--addr", "nowhere"],
        &["serve", "/nonexistent/x.wasm"],
        &["serve", "x.wasm", "--host", "browser"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_host-harness"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--private-key-hex"));
}

// ----- the browser client in headless Chromium -----

/// Debian's Chromium, or `$CHROMIUM`; a clear failure when it is missing.
fn chromium() -> PathBuf {
    let path =
        std::env::var_os("CHROMIUM").map_or_else(|| "/usr/bin/chromium".into(), PathBuf::from);
    assert!(
        path.is_file(),
        "{} not found: the key broker browser tests drive headless Chromium. \
         Install it with `apt-get install -y chromium` (or set CHROMIUM=/path/to/chromium)",
        path.display()
    );
    path
}

/// The page's DOM once its script finished (`data-state` done or error).
fn browse(name: &str, url: &str) -> String {
    let chromium = chromium();
    let mut last = String::new();
    // Virtual time normally covers the fetches; a very slow machine may need
    // another go.
    for attempt in 0..3 {
        let profile = scratch(name).join(format!("profile-{attempt}"));
        let out_path = scratch(name).join(format!("dom-{attempt}.html"));
        let mut child = Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--virtual-time-budget=10000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(["--dump-dom", url])
            .stdin(Stdio::null())
            .stdout(File::create(&out_path).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(90);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        last = std::fs::read_to_string(&out_path).unwrap_or_default();
        if last.contains("data-state=\"done\"") || last.contains("data-state=\"error\"") {
            return last;
        }
    }
    panic!("the page never finished:\n{last}");
}

/// The text of the element with `id` in a dumped DOM.
fn text_of(dom: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} in\n{dom}"));
    let rest = &dom[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    rest[start..start + end].trim().to_owned()
}

/// SKB1's content key (the soak driver's spec model, shared by every test).
fn content_key(secret: &[u8], domain: &str, version: u16, epoch: u64) -> [u8; 32] {
    skb1::content_key(secret, domain.as_bytes(), version, epoch)
}

/// The page's fingerprint: hex of the first 8 bytes of SHA-256(content key).
fn fingerprint(key: &[u8]) -> String {
    hex(&Sha256::digest(key)[..8])
}

#[test]
fn serve_content_key_derivation_matches_the_vector() {
    assert_eq!(
        hex(&content_key(
            SECRET.as_bytes(),
            "App.OrbPro.Test",
            1,
            497_222
        )),
        "bc08084ac8643f817655ff7105c42c2ddd8e18ef968a970c71100065729d15e5"
    );
}

#[test]
fn serve_browser_opens_the_content_key() {
    let server = Server::key_broker("browser-ok", "example.com, 127.0.0.1", &[]);
    let before = now_ms();
    let dom = browse("browser-ok", &server.url);
    let after = now_ms();
    assert!(
        dom.contains("data-state=\"done\""),
        "{dom}\n{}",
        server.stderr()
    );
    assert_eq!(text_of(&dom, "status"), "ok");
    assert_eq!(text_of(&dom, "domain"), "127.0.0.1");
    assert_eq!(text_of(&dom, "version"), "1");

    let epoch: u64 = text_of(&dom, "epoch").parse().unwrap();
    assert!(
        (before / EPOCH_MS..=after / EPOCH_MS).contains(&epoch),
        "epoch {epoch}"
    );
    let expires = dom.find("data-ms=\"").map(|at| {
        let rest = &dom[at + 9..];
        rest[..rest.find('"').unwrap()].parse::<u64>().unwrap()
    });
    let expires = expires.expect("#expires carries data-ms");
    assert!(
        (before + LEASE_MS..=after + LEASE_MS).contains(&expires),
        "expires {expires}"
    );

    let key = content_key(SECRET.as_bytes(), "127.0.0.1", 1, epoch);
    assert_eq!(text_of(&dom, "fingerprint"), fingerprint(&key));
}

#[test]
fn serve_browser_shows_domain_not_allowed() {
    let server = Server::key_broker("browser-denied", "example.com, *.orbpro.test", &[]);
    let dom = browse("browser-denied", &server.url);
    assert!(
        dom.contains("data-state=\"error\""),
        "{dom}\n{}",
        server.stderr()
    );
    assert_eq!(text_of(&dom, "status"), "domain not allowed");
    assert_eq!(text_of(&dom, "fingerprint"), "");
}
