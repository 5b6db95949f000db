//! The routes of a module: `POST /invoke/{method}` (a PIV request in, the
//! PIV response out) and `GET /manifest` (the `$PLG` as JSON).
//!
//! The server mounts no HTTP route for a module (`modulert`'s
//! `RegisterRoutes` is empty): these are the harness's, for trying a module
//! with `curl`. One instance serves every request; a mutex serialises the
//! calls, which run on tokio's blocking pool.

use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use host_harness::module::Module;
use sdn_pdk_schemas::{piv, plg};

/// The largest PIV request `POST /invoke/{method}` takes (16 MiB, the
/// module SDK's largest hostcall request: the harness's choice, as the
/// server has no such route); above it, 413.
pub(crate) const MAX_INVOKE_BODY: usize = 16 * 1024 * 1024;

#[derive(Clone)]
struct Shared {
    module: Arc<Mutex<Module>>,
    manifest_json: Option<Arc<String>>,
    index: Arc<String>,
}

/// Every route over `module`.
pub(crate) fn router(module: Module, path: &str) -> Result<Router> {
    let spec = module.plg().context("the module's $PLG")?;
    let index_page = index_text(path, spec.as_ref());
    let shared = Shared {
        manifest_json: spec.as_ref().map(|s| Arc::new(plg::to_json(s))),
        module: Arc::new(Mutex::new(module)),
        index: Arc::new(index_page),
    };
    Ok(Router::new()
        .route("/", get(index))
        .route("/manifest", get(manifest))
        .route(
            "/invoke/{method}",
            post(invoke).layer(DefaultBodyLimit::max(MAX_INVOKE_BODY)),
        )
        .with_state(shared))
}

/// The text of `GET /`: the routes and the methods.
fn index_text(path: &str, spec: Option<&plg::PlgSpec>) -> String {
    let mut text = format!(
        "host-harness serve: {path} (a module)\n\n\
         POST /invoke/{{method}}  a PIV request in, the PIV response out\n\
         GET  /manifest          the $PLG as JSON\n"
    );
    if let Some(spec) = spec {
        text.push_str(&format!(
            "\n{} {} — methods:\n",
            spec.plugin_id, spec.version
        ));
        for method in &spec.methods {
            let ports = |ports: &[plg::PortSpec]| {
                ports
                    .iter()
                    .map(|p| p.port_id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            text.push_str(&format!(
                "  {} ({}) -> ({})\n",
                method.method_id,
                ports(&method.inputs),
                ports(&method.outputs)
            ));
        }
    }
    text
}

async fn index(State(shared): State<Shared>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        shared.index.as_str().to_owned(),
    )
        .into_response()
}

/// `GET /manifest`: the `$PLG` as JSON, 404 without one.
async fn manifest(State(shared): State<Shared>) -> Response {
    match &shared.manifest_json {
        Some(json) => (
            [(header::CONTENT_TYPE, "application/json")],
            json.as_str().to_owned(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "the module has no $PLG manifest\n").into_response(),
    }
}

/// `POST /invoke/{method}`: the body must be a PIV request for `method`;
/// the response bytes go back as they are, whatever their status.
async fn invoke(State(shared): State<Shared>, Path(method): Path<String>, body: Bytes) -> Response {
    match piv::decode_request(&body) {
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("the body is not a PIV request: {e}\n"),
            )
                .into_response();
        }
        Ok(request) if request.method_id != method => {
            return (
                StatusCode::BAD_REQUEST,
                format!(
                    "the PIV request is for method `{}`, not `{method}`\n",
                    request.method_id
                ),
            )
                .into_response();
        }
        Ok(_) => {}
    }
    let task = tokio::task::spawn_blocking(move || {
        let Ok(mut module) = shared.module.lock() else {
            return Err("the module lock is poisoned".to_owned());
        };
        let result = module.invoke_raw(&body).map_err(|e| e.to_string());
        report_host_side(&mut module);
        result
    });
    match task.await {
        Ok(Ok(response)) => {
            if let Ok(view) = piv::decode_response(&response)
                && view.status_code != 0
            {
                eprintln!(
                    "host-harness: POST /invoke/{method}: status {}{}",
                    view.status_code,
                    view.error_code
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                );
            }
            super::http::octets(response)
        }
        Ok(Err(e)) => internal_error(&method, &e),
        Err(e) => internal_error(&method, &format!("the module task failed: {e}")),
    }
}

/// A 500 without details; the details go to stderr.
fn internal_error(method: &str, detail: &str) -> Response {
    eprintln!("host-harness: POST /invoke/{method}: {detail}");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal server error\n").into_response()
}

/// Prints what the module wrote to stderr and logged, once.
fn report_host_side(module: &mut Module) {
    for line in String::from_utf8_lossy(module.stderr()).lines() {
        eprintln!("stderr: {line}");
    }
    for record in module.logs() {
        eprintln!("log [{}] {}", record.level, record.message);
    }
    module.clear_output();
}
