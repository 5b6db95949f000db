//! Rules both ABIs share, each taking the host's numbers: the exported
//! memory, the memory cap, the wasm feature set, and signatures written in
//! `sdn_pdk_schemas::hosts`' terms.

use sdn_pdk_schemas::hosts::{self, Signature};
use wasmparser::{ExternalKind, FuncType, ValType, Validator, WasmFeatures};

use crate::parsed::{Module, kind_name, signature};
use crate::{Finding, SERVER_FEATURES, UNSUPPORTED_FEATURES};

/// The `memory` export: present and a memory (both hosts refuse a module
/// without it).
pub(super) fn check_memory_export(module: &Module, findings: &mut Vec<Finding>) {
    match module.export(hosts::exports::MEMORY) {
        None => findings.push(Finding::error(
            "does not export its memory as `memory` — the server refuses to load it",
        )),
        Some(e) if e.kind != ExternalKind::Memory => findings.push(Finding::error(format!(
            "exports `memory` as {}, not a memory — the server refuses to load it",
            kind_name(e.kind)
        ))),
        Some(_) => {}
    }
}

/// Memory within `max_pages`, 32-bit, unshared. Returns the features
/// already reported here, so [`check_features`] does not repeat them.
pub(super) fn check_memories(
    module: &Module,
    max_pages: u64,
    findings: &mut Vec<Finding>,
) -> WasmFeatures {
    let cap = format!(
        "the server caps memory at {max_pages} pages ({} MiB) and refuses the module",
        max_pages * 64 / 1024
    );
    let mut reported = WasmFeatures::empty();
    for memory in &module.memories {
        if memory.memory64 {
            reported |= WasmFeatures::MEMORY64;
            findings.push(Finding::error(
                "declares a 64-bit memory (memory64) — the server's runtime supports only 32-bit memories",
            ));
        }
        if memory.shared {
            reported |= WasmFeatures::THREADS;
            findings.push(Finding::error(
                "declares a shared memory (threads) — the server's runtime does not support it",
            ));
        }
        if memory.initial > max_pages {
            findings.push(Finding::error(format!(
                "declares an initial memory of {} pages; {cap}",
                memory.initial
            )));
        }
        if let Some(max) = memory.maximum
            && max > max_pages
        {
            findings.push(Finding::error(format!(
                "declares a maximum memory of {max} pages; {cap}"
            )));
        }
    }
    reported
}

/// Validates with [`SERVER_FEATURES`] (WebAssembly 2.0); on failure, names
/// the features the module needs beyond it (those whose removal breaks an
/// otherwise passing validation), except those in `reported`. `refusal`
/// says who rejects them: `which the server's runtime (…) rejects`.
pub(super) fn check_features(
    bytes: &[u8],
    reported: WasmFeatures,
    refusal: &str,
    findings: &mut Vec<Finding>,
) {
    let Err(strict) = Validator::new_with_features(SERVER_FEATURES).validate_all(bytes) else {
        return;
    };
    let mut known = SERVER_FEATURES;
    for &(_, feature) in UNSUPPORTED_FEATURES {
        known |= feature;
    }
    if let Err(e) = Validator::new_with_features(known).validate_all(bytes) {
        findings.push(Finding::error(format!("is not a valid wasm module: {e}")));
        return;
    }
    let needed: Vec<&str> = UNSUPPORTED_FEATURES
        .iter()
        .filter(|&&(_, feature)| {
            Validator::new_with_features(known.difference(feature))
                .validate_all(bytes)
                .is_err()
        })
        .filter(|&&(_, feature)| !reported.contains(feature))
        .map(|&(name, _)| name)
        .collect();
    if needed.is_empty() && !reported.is_empty() {
        return;
    }
    let what = if needed.is_empty() {
        "features beyond WebAssembly 2.0".to_owned()
    } else {
        format!(
            "the {} feature{}",
            needed.join(", "),
            if needed.len() == 1 { "" } else { "s" }
        )
    };
    findings.push(Finding::error(format!(
        "uses {what}, {refusal} ({strict}); build with `cargo xtask build-examples` so \
         .cargo/config.toml's wasm feature flags apply"
    )));
}

/// `sig`'s parameter and result types as wasmparser's.
pub(super) fn wasm_types(sig: Signature) -> (Vec<ValType>, Vec<ValType>) {
    let convert = |types: &[hosts::ValType]| -> Vec<ValType> {
        types
            .iter()
            .map(|t| match t {
                hosts::ValType::I32 => ValType::I32,
                hosts::ValType::I64 => ValType::I64,
            })
            .collect()
    };
    (convert(sig.params), convert(sig.results))
}

/// Whether `actual` is exactly `sig`.
pub(super) fn matches(actual: &FuncType, sig: Signature) -> bool {
    let (params, results) = wasm_types(sig);
    actual.params() == params.as_slice() && actual.results() == results.as_slice()
}

/// `sig` rendered like [`signature`]: `(i32, i32) -> i32`.
pub(super) fn render(sig: Signature) -> String {
    let (params, results) = wasm_types(sig);
    signature(&params, &results)
}
