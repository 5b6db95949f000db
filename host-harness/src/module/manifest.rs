//! A module's manifest as each host reads it, and the capabilities it
//! declares.
//!
//! * Server: only through the accessor exports
//!   `plugin_get_manifest_flatbuffer() -> i32` and
//!   `plugin_get_manifest_flatbuffer_size() -> i32` (both required, size 0
//!   a load error); identifier `$PLG` or `PMAN`.
//! * Module SDK: the `sds.manifest` custom section first, then the
//!   exports; `$PLG` only; a module with neither has no manifest.

use sdn_pdk_schemas::generated::plg::sds::root_as_plg;
use sdn_pdk_schemas::hosts::{exports, manifest_identifiers};
use sdn_pdk_schemas::{capability, manifest as pman};
use wasmparser::{Parser, Payload};

use crate::module::error::ModuleError;

fn invalid(message: impl Into<String>) -> ModuleError {
    ModuleError::Manifest {
        message: message.into(),
    }
}

/// The `sds.manifest` section of a binary module, if any.
pub(crate) fn section(wasm: &[u8]) -> Result<Option<Vec<u8>>, ModuleError> {
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(|e| ModuleError::Compile {
            message: e.to_string(),
        })?;
        if let Payload::CustomSection(section) = payload
            && section.name() == exports::MANIFEST_SECTION
        {
            return Ok(Some(section.data().to_vec()));
        }
    }
    Ok(None)
}

/// The file identifier (bytes 4..8), checked against what the host accepts.
pub(crate) fn check_identifier(bytes: &[u8], accepted: &[&str]) -> Result<(), ModuleError> {
    let identifier = bytes.get(4..8).unwrap_or_default();
    if accepted.iter().any(|id| id.as_bytes() == identifier) {
        Ok(())
    } else {
        Err(invalid(format!(
            "file identifier {:?} is not {}",
            String::from_utf8_lossy(identifier),
            accepted.join(" or ")
        )))
    }
}

/// The capability names a manifest declares (lower case, manifest order,
/// deduplicated): a `$PLG`'s `CAPABILITIES` names and `HOST_CAPABILITIES`
/// kinds, a `PMAN`'s capability kinds.
pub(crate) fn capabilities(bytes: &[u8]) -> Result<Vec<String>, ModuleError> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |name: &str| {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_owned());
        }
    };
    if bytes.get(4..8) == Some(manifest_identifiers::PMAN.as_bytes()) {
        let manifest = pman::read(bytes).map_err(|e| invalid(e.to_string()))?;
        for cap in &manifest.capabilities {
            add(capability::name(cap.kind).unwrap_or("unknown"));
        }
    } else {
        let plg = root_as_plg(bytes).map_err(|e| invalid(format!("invalid $PLG: {e}")))?;
        for cap in plg.capabilities().iter().flatten() {
            if let Some(name) = cap.name() {
                add(name);
            }
        }
        for cap in plg.host_capabilities().iter().flatten() {
            add(capability::name(cap.capability().0).unwrap_or("unknown"));
        }
    }
    Ok(names)
}

impl crate::module::Module {
    /// The manifest the host read, decoded, when it is a `$PLG` (`None`
    /// without a manifest, or for a legacy `PMAN` the server also loads).
    ///
    /// # Errors
    ///
    /// [`ModuleError::Manifest`] when the `$PLG` does not verify.
    pub fn plg(&self) -> Result<Option<sdn_pdk_schemas::plg::PlgSpec>, ModuleError> {
        match self.manifest() {
            Some(bytes) if bytes.get(4..8) == Some(manifest_identifiers::PLG.as_bytes()) => {
                sdn_pdk_schemas::plg::read(bytes)
                    .map(Some)
                    .map_err(|e| invalid(format!("invalid $PLG: {e}")))
            }
            _ => Ok(None),
        }
    }
}
