//! The routes of a legacy plugin: the server's HTTP bridge generalised to
//! any plugin, plus the key broker's own routes and browser client when the
//! plugin is the key broker (`serve.rs` says which).
//!
//! As on the server, one instance serves every request and a mutex
//! serialises the calls. A plugin call runs on tokio's blocking pool so a
//! slow plugin never stalls the listener.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use host_harness::{HarnessError, Plugin};

/// The largest request body the server accepts (16 KiB); above it, 413.
pub(crate) const MAX_BODY: usize = 16 * 1024;

/// The most domains the server reads from the metadata.
const MAX_DOMAINS: u32 = 256;

/// The longest `Host` the server hands a plugin (see `limits::MAX_HOST_LEN`).
const MAX_HOST_LEN: usize = host_harness::limits::MAX_HOST_LEN;

/// The browser client, compiled in so the binary serves it from anywhere.
const INDEX_HTML: &str = include_str!("web/index.html");
const APP_JS: &str = include_str!("web/app.js");

/// The one plugin instance every route shares, and what was said about it.
#[derive(Clone)]
struct Shared {
    plugin: Arc<Mutex<Plugin>>,
    legacy: Arc<Legacy>,
}

/// What `serve` knows about the legacy plugin it serves.
#[derive(Debug)]
pub(crate) struct Legacy {
    /// Serve the key broker's routes and page.
    pub(crate) key_broker: bool,
    /// The `.wasm` path, for the index page.
    pub(crate) path: String,
    /// The `sds.manifest` (PMAN) as JSON, when there is one.
    pub(crate) manifest_json: Option<String>,
}

/// Every route over `plugin` (already initialised).
pub(crate) fn router(plugin: Plugin, legacy: Legacy) -> Router {
    let key_broker = legacy.key_broker;
    let shared = Shared {
        plugin: Arc::new(Mutex::new(plugin)),
        legacy: Arc::new(legacy),
    };
    let body_limit = || DefaultBodyLimit::max(MAX_BODY);
    let router = Router::new()
        .route("/request", post(request).layer(body_limit()))
        .route("/metadata", get(metadata))
        .route("/manifest", get(manifest));
    let router = if key_broker {
        router
            .route("/", get(key_broker_page))
            .route("/index.html", get(key_broker_page))
            .route("/app.js", get(app_js))
            .route("/public-key", get(key_broker_public_key))
            .route("/key", post(request).layer(body_limit()))
    } else {
        router
            .route("/", get(index))
            .route("/public-key", get(public_key))
    };
    router.with_state(shared)
}

async fn key_broker_page() -> Response {
    static_file("text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> Response {
    static_file("text/javascript; charset=utf-8", APP_JS)
}

fn static_file(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        text,
    )
        .into_response()
}

/// `GET /` for any legacy plugin: the routes, as text.
async fn index(State(shared): State<Shared>) -> Response {
    let text = format!(
        "host-harness serve: {} (a legacy plugin)\n\n\
         POST /request     the body to plugin_handle_request with the Host; the output back\n\
         GET  /public-key  {{\"publicKey\": hex}}\n\
         GET  /metadata    plugin_get_metadata's bytes\n\
         GET  /manifest    the sds.manifest as JSON\n",
        shared.legacy.path
    );
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

/// `GET /manifest`: the PMAN as JSON, 404 without one.
async fn manifest(State(shared): State<Shared>) -> Response {
    match &shared.legacy.manifest_json {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "the plugin has no sds.manifest\n").into_response(),
    }
}

/// `GET /public-key` for any legacy plugin: `plugin_get_public_key` as hex.
async fn public_key(State(shared): State<Shared>) -> Response {
    match with_plugin(shared, |plugin| {
        plugin.public_key().map_err(CallError::Harness)
    })
    .await
    {
        Ok(key) => axum::Json(serde_json::json!({ "publicKey": crate::hex(&key) })).into_response(),
        Err(e) => e.into_response("GET /public-key"),
    }
}

/// `GET /metadata`: `plugin_get_metadata`'s bytes.
async fn metadata(State(shared): State<Shared>) -> Response {
    match with_plugin(shared, |plugin| {
        plugin.metadata().map_err(CallError::Harness)
    })
    .await
    {
        Ok(metadata) => octets(metadata),
        Err(e) => e.into_response("GET /metadata"),
    }
}

/// The key broker's `GET /public-key`: `plugin_get_public_key` as hex, key
/// kind 2, and the domain list of `plugin_get_metadata`.
async fn key_broker_public_key(State(shared): State<Shared>) -> Response {
    let result = with_plugin(shared, |plugin| {
        let key = plugin.public_key().map_err(CallError::Harness)?;
        let metadata = plugin.metadata().map_err(CallError::Harness)?;
        let domains = parse_domains(&metadata).map_err(CallError::Metadata)?;
        Ok((key, domains))
    })
    .await;
    match result {
        Ok((key, domains)) => axum::Json(serde_json::json!({
            "publicKey": crate::hex(&key),
            "keyKind": 2,
            "domains": domains,
        }))
        .into_response(),
        Err(e) => e.into_response("GET /public-key"),
    }
}

/// `POST /request` (and the key broker's `POST /key`): the body to
/// `plugin_handle_request` with the `Host`; the output goes back whatever
/// the status, as the server does, and a non-zero status goes to stderr.
async fn request(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let host = match headers.get(header::HOST).map(HeaderValue::to_str) {
        None => String::new(),
        Some(Ok(host)) if host.len() <= MAX_HOST_LEN => host.to_owned(),
        Some(_) => return (StatusCode::BAD_REQUEST, "bad Host header\n").into_response(),
    };
    let result = with_plugin(shared, move |plugin| {
        plugin
            .handle_request(&body, &host)
            .map_err(CallError::Harness)
    })
    .await;
    match result {
        Ok(response) => {
            if response.status != 0 {
                eprintln!(
                    "host-harness: plugin_handle_request: plugin status {}",
                    response.status
                );
            }
            octets(response.body)
        }
        Err(e) => e.into_response("plugin_handle_request"),
    }
}

/// Bytes as `application/octet-stream`, never cached.
pub(crate) fn octets(body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Why a route could not answer; the details go to stderr, never to the client.
enum CallError {
    /// The harness refused or the plugin trapped.
    Harness(HarnessError),
    /// The metadata does not follow the server's layout.
    Metadata(String),
    /// A previous call panicked while holding the plugin, or the blocking
    /// task failed.
    Host(String),
}

impl CallError {
    fn into_response(self, route: &str) -> Response {
        match self {
            CallError::Harness(e) => eprintln!("host-harness: {route}: {e}"),
            CallError::Metadata(e) => eprintln!("host-harness: {route}: metadata: {e}"),
            CallError::Host(e) => eprintln!("host-harness: {route}: {e}"),
        }
        (StatusCode::INTERNAL_SERVER_ERROR, "internal server error\n").into_response()
    }
}

/// Runs `call` on the plugin under its mutex, on the blocking pool, then
/// reports what the plugin logged.
async fn with_plugin<T: Send + 'static>(
    shared: Shared,
    call: impl FnOnce(&mut Plugin) -> Result<T, CallError> + Send + 'static,
) -> Result<T, CallError> {
    let task = tokio::task::spawn_blocking(move || {
        let mut plugin = shared
            .plugin
            .lock()
            .map_err(|_| CallError::Host("the plugin lock is poisoned".to_owned()))?;
        let result = call(&mut plugin);
        report_host_side(&mut plugin);
        result
    });
    task.await
        .map_err(|e| CallError::Host(format!("the plugin task failed: {e}")))?
}

/// Prints (and forgets, so a long run does not grow) what the plugin logged
/// and the WASI functions it called, which are fakes on the server.
pub(crate) fn report_host_side(plugin: &mut Plugin) {
    for record in plugin.take_logs() {
        eprintln!("log [{}] {}", record.level, record.message);
    }
    let calls = plugin.wasi_calls();
    if !calls.is_empty() {
        eprintln!(
            "host-harness: the plugin called WASI {} (fakes on the server)",
            calls.join(", ")
        );
        plugin.clear_wasi_calls();
    }
}

/// The domains of the metadata blob as the server reads them: a count
/// (u32 LE, at most 256 read), then each domain's length (u16 LE) and bytes.
fn parse_domains(metadata: &[u8]) -> Result<Vec<String>, String> {
    let mut rest = metadata;
    let count = take(&mut rest, 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or("shorter than its 4-byte count")?;
    let mut domains = Vec::new();
    for i in 0..count.min(MAX_DOMAINS) {
        let len = take(&mut rest, 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .ok_or_else(|| format!("domain {i} of {count}: no length"))?;
        let bytes = take(&mut rest, usize::from(len))
            .ok_or_else(|| format!("domain {i} of {count}: shorter than its {len} bytes"))?;
        domains.push(String::from_utf8_lossy(bytes).into_owned());
    }
    Ok(domains)
}

/// Splits `n` bytes off the front of `rest`.
fn take<'a>(rest: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if rest.len() < n {
        return None;
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Some(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serve_parses_the_vector_metadata() {
        let metadata =
            crate::from_hex("020000000b006578616d706c652e636f6d0d002a2e6f726270726f2e74657374")
                .unwrap();
        assert_eq!(
            parse_domains(&metadata).unwrap(),
            ["example.com", "*.orbpro.test"]
        );
        assert_eq!(parse_domains(&[0, 0, 0, 0]).unwrap(), Vec::<String>::new());
        assert!(parse_domains(&[1, 0, 0]).is_err());
        assert!(parse_domains(&[1, 0, 0, 0, 5, 0, b'a']).is_err());
    }
}
