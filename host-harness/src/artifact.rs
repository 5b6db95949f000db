//! Which kind of artifact a `.wasm` is: a module (the Space Data module
//! ABI: it exports `plugin_invoke_stream`) or a legacy `plugin_*` plugin.

use anyhow::{Context as _, Result, anyhow};
use sdn_pdk_schemas::hosts::exports;
use wasmparser::{Parser, Payload};

/// Whether `wasm` (binary or WAT text) exports `plugin_invoke_stream`.
pub(crate) fn is_module(wasm: &[u8]) -> Result<bool> {
    let binary = wat::parse_bytes(wasm).map_err(|e| anyhow!("invalid module: {e}"))?;
    for payload in Parser::new(0).parse_all(&binary) {
        if let Payload::ExportSection(reader) = payload.context("invalid module")? {
            for export in reader {
                if export.context("invalid module")?.name == exports::PLUGIN_INVOKE_STREAM {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

/// [`is_module`] of a file.
pub(crate) fn file_is_module(path: &str) -> Result<bool> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {path}"))?;
    is_module(&bytes).with_context(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_module_exports_plugin_invoke_stream() {
        let module = r#"(module (memory (export "memory") 1)
            (func (export "plugin_invoke_stream") (param i32 i32 i32) (result i32) i32.const 0))"#;
        assert!(is_module(module.as_bytes()).unwrap());
        let plugin = r#"(module (memory (export "memory") 1)
            (func (export "plugin_handle_request")))"#;
        assert!(!is_module(plugin.as_bytes()).unwrap());
        assert!(is_module(b"not wasm").is_err());
    }
}
