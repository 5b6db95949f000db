//! The exports the host requires, checked before instantiation.

use std::fmt;

use wasmtime::{ExternType, Module};

use crate::error::HarnessError;
use crate::imports::Sig;
use crate::imports::Ty::I32;
use crate::imports::describe_extern;
use crate::limits::MAX_MEMORY_PAGES;

/// Which revision of the server's plugin runtime to emulate.
///
/// The default is [`HostRevision::Challenge`], the later and stricter one: its
/// required exports are a superset of the original's, so a plugin that loads
/// under it loads on both servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HostRevision {
    /// The first server: six required function exports plus `memory`.
    Original,
    /// The later server (early March 2026): also requires
    /// `plugin_request_challenge`, and calls it for challenge requests.
    #[default]
    Challenge,
}

impl HostRevision {
    /// The function exports this revision requires, in the order they are checked.
    pub fn required_exports(self) -> &'static [&'static str] {
        const ALL: [&str; 7] = [
            MALLOC,
            FREE,
            PLUGIN_INIT,
            PLUGIN_GET_PUBLIC_KEY,
            PLUGIN_GET_METADATA,
            PLUGIN_HANDLE_REQUEST,
            PLUGIN_REQUEST_CHALLENGE,
        ];
        match self {
            HostRevision::Original => &ALL[..6],
            HostRevision::Challenge => &ALL,
        }
    }
}

impl fmt::Display for HostRevision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HostRevision::Original => "original",
            HostRevision::Challenge => "challenge",
        })
    }
}

pub(crate) const MALLOC: &str = "malloc";
pub(crate) const FREE: &str = "free";
pub(crate) const PLUGIN_INIT: &str = "plugin_init";
pub(crate) const PLUGIN_GET_PUBLIC_KEY: &str = "plugin_get_public_key";
pub(crate) const PLUGIN_GET_METADATA: &str = "plugin_get_metadata";
pub(crate) const PLUGIN_HANDLE_REQUEST: &str = "plugin_handle_request";
pub(crate) const PLUGIN_REQUEST_CHALLENGE: &str = "plugin_request_challenge";
pub(crate) const INITIALIZE: &str = "_initialize";
pub(crate) const START: &str = "_start";
pub(crate) const MEMORY: &str = "memory";

/// The signature the host calls each export with (all `i32`).
fn signature(name: &str) -> Sig {
    const NONE: &[crate::imports::Ty] = &[];
    let (params, results): (&'static [_], &'static [_]) = match name {
        MALLOC => (&[I32], &[I32]),
        FREE => (&[I32], NONE),
        PLUGIN_INIT | PLUGIN_GET_PUBLIC_KEY | PLUGIN_GET_METADATA => (&[I32; 2], &[I32]),
        PLUGIN_HANDLE_REQUEST => (&[I32; 6], &[I32]),
        PLUGIN_REQUEST_CHALLENGE => (&[I32; 5], &[I32]),
        // `_initialize`
        _ => (NONE, NONE),
    };
    Sig { params, results }
}

/// The server's load-time refusals that depend on exports: `_start`, the
/// memory (present, at most 512 pages initially), the required functions and
/// their signatures, and `_initialize`'s signature.
pub(crate) fn check(module: &Module, revision: HostRevision) -> Result<(), HarnessError> {
    if module.get_export(START).is_some() {
        return Err(HarnessError::StartExport);
    }
    for export in module.exports() {
        if let ExternType::Memory(mem) = export.ty()
            && mem.minimum() > MAX_MEMORY_PAGES
        {
            return Err(HarnessError::MemoryTooLarge {
                pages: mem.minimum(),
            });
        }
    }

    let mut missing: Vec<&'static str> = Vec::new();
    if module.get_export(MEMORY).is_none() {
        missing.push(MEMORY);
    }
    missing.extend(
        revision
            .required_exports()
            .iter()
            .copied()
            .filter(|name| module.get_export(name).is_none()),
    );
    if !missing.is_empty() {
        return Err(HarnessError::MissingExports {
            names: missing,
            revision,
        });
    }

    if let Some(ty) = module.get_export(MEMORY)
        && !matches!(ty, ExternType::Memory(_))
    {
        return Err(HarnessError::WrongSignature {
            name: MEMORY,
            expected: "a memory".to_owned(),
            found: describe_extern(&ty),
        });
    }
    let initialize = module.get_export(INITIALIZE).map(|_| INITIALIZE);
    for &name in revision.required_exports().iter().chain(initialize.iter()) {
        let sig = signature(name);
        let Some(ty) = module.get_export(name) else {
            continue;
        };
        let ok = match &ty {
            ExternType::Func(f) => sig.matches(f),
            _ => false,
        };
        if !ok {
            return Err(HarnessError::WrongSignature {
                name,
                expected: format!("a function {sig}"),
                found: describe_extern(&ty),
            });
        }
    }
    Ok(())
}
