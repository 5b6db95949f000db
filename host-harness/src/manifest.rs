//! The plugin manifest as a module carries it: the `sds.manifest` custom
//! section and, optionally, the accessor exports
//! `plugin_get_manifest_flatbuffer() -> i32` (a pointer) and
//! `plugin_get_manifest_flatbuffer_size() -> i32`, which must return the same
//! bytes. The bytes are a `PluginManifest` FlatBuffer (`PMAN`); read them with
//! [`sdn_pdk_schemas::manifest::read`].

use sdn_pdk_schemas::manifest::{CUSTOM_SECTION, EXPORT_POINTER, EXPORT_SIZE};
use wasmparser::{Parser, Payload};

use crate::error::HarnessError;
use crate::plugin::Plugin;

/// The contents of the module's `sds.manifest` custom section, `None` when
/// it has none. `wasm` is a binary module or WAT text (as everywhere in the
/// harness).
///
/// # Errors
///
/// [`HarnessError::Compile`] when `wasm` is not a well-formed module,
/// [`HarnessError::InvalidInput`] when it has two `sds.manifest` sections.
pub fn read_manifest(wasm: &[u8]) -> Result<Option<Vec<u8>>, HarnessError> {
    let wasm = binary(wasm)?;
    let mut found: Option<Vec<u8>> = None;
    for payload in Parser::new(0).parse_all(&wasm) {
        let payload = payload.map_err(|e| HarnessError::Compile {
            message: e.to_string(),
        })?;
        if let Payload::CustomSection(section) = payload
            && section.name() == CUSTOM_SECTION
            && found.replace(section.data().to_vec()).is_some()
        {
            return Err(HarnessError::InvalidInput {
                message: format!("two `{CUSTOM_SECTION}` custom sections"),
            });
        }
    }
    Ok(found)
}

/// `wasm` as a binary module: binary input as it is, WAT text compiled.
pub(crate) fn binary(wasm: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, HarnessError> {
    wat::parse_bytes(wasm).map_err(|e| HarnessError::Compile {
        message: e.to_string(),
    })
}

impl Plugin {
    /// The manifest bytes the accessor exports return, `None` when the
    /// module exports neither. Each export is called with a fresh budget;
    /// the bytes are copied out of guest memory.
    ///
    /// # Errors
    ///
    /// [`HarnessError::InvalidInput`] when only one of the two is exported
    /// or the size is negative; a trap or an out-of-range pointer as usual.
    pub fn exported_manifest(&mut self) -> Result<Option<Vec<u8>>, HarnessError> {
        let pointer = self.call_i32(EXPORT_POINTER, &[]);
        let size = self.call_i32(EXPORT_SIZE, &[]);
        let (pointer, size) = match (pointer, size) {
            (Err(HarnessError::NoSuchExport { .. }), Err(HarnessError::NoSuchExport { .. })) => {
                return Ok(None);
            }
            (Ok(p), Ok(s)) => (p, s),
            (Err(HarnessError::NoSuchExport { name }), Ok(_))
            | (Ok(_), Err(HarnessError::NoSuchExport { name })) => {
                return Err(HarnessError::InvalidInput {
                    message: format!(
                        "`{name}` is missing (or not `() -> i32`): export both manifest \
                         accessors or neither"
                    ),
                });
            }
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        let (&[pointer], &[size]) = (pointer.as_slice(), size.as_slice()) else {
            return Err(HarnessError::InvalidInput {
                message: "the manifest accessors must return one i32 each".to_owned(),
            });
        };
        let size = u32::try_from(size).map_err(|_| HarnessError::InvalidInput {
            message: format!("`{EXPORT_SIZE}` returned {size}"),
        })?;
        self.read_memory(pointer.cast_unsigned(), size).map(Some)
    }
}

/// The module's manifest bytes, checked: the `sds.manifest` section and,
/// when `plugin` exports the accessors, their bytes, which must be the same.
/// `None` when the module has neither.
///
/// # Errors
///
/// Those of [`read_manifest`] and [`Plugin::exported_manifest`], and
/// [`HarnessError::InvalidInput`] when the section and the exports disagree
/// (including one present without the other).
pub fn checked_manifest(wasm: &[u8], plugin: &mut Plugin) -> Result<Option<Vec<u8>>, HarnessError> {
    let section = read_manifest(wasm)?;
    let exported = plugin.exported_manifest()?;
    match (section, exported) {
        (section, None) => Ok(section),
        (Some(section), Some(exported)) if section == exported => Ok(Some(section)),
        (Some(section), Some(exported)) => Err(HarnessError::InvalidInput {
            message: format!(
                "the manifest accessors return {} bytes that differ from the {} bytes of the \
                 `{CUSTOM_SECTION}` section",
                exported.len(),
                section.len()
            ),
        }),
        (None, Some(_)) => Err(HarnessError::InvalidInput {
            message: format!(
                "the module exports manifest accessors but has no `{CUSTOM_SECTION}` section"
            ),
        }),
    }
}
