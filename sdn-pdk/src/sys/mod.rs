//! The raw host imports, and nothing else: one file per import module.
//!
//! Invariant: these files hold the crate's only `extern` blocks for host
//! imports. Each import has exactly one `pub(crate)` safe wrapper; the
//! public API (`crate::host`, `crate::module::hostcall`) builds on those and
//! enforces the hosts' limits. Adding an import touches three places: the
//! file here, its safe API, and host-harness's import table.
//!
//! | file | import module | used by |
//! |---|---|---|
//! | `sdn.rs` | `sdn` (`clock_now_ms`, `random_bytes`, `log`) | legacy plugins |
//! | `wasi.rs` | `wasi_snapshot_preview1` (clock, random, stdio, exit) | modules (`module` feature) |
//! | `module_host.rs` | `space_data_module_host` | modules |
//!
//! | `native.rs` | none: the operating system | native builds without `testing` |
//!
//! A legacy plugin's `crate::host` functions go to `sdn.*`; a module's go to
//! WASI, which is real on the module hosts (and a fake on the legacy
//! server). On targets other than wasm32 the same functions are served by
//! the per-thread mock host in `crate::testing` when the `testing` feature
//! is on (a dev-dependency), so plugin logic runs under a plain `cargo test`;
//! without it by the operating system (`native.rs`), so a plugin crate used
//! natively never gets the mock's predictable "random" bytes.

#[cfg(all(target_arch = "wasm32", not(feature = "module")))]
mod sdn;
#[cfg(all(target_arch = "wasm32", not(feature = "module")))]
pub(crate) use sdn::{clock_now_ms, log, random_bytes};

#[cfg(all(target_arch = "wasm32", feature = "module"))]
pub(crate) mod wasi;
#[cfg(all(target_arch = "wasm32", feature = "module"))]
pub(crate) use wasi::{clock_now_ms, log, random_bytes};

#[cfg(feature = "module")]
pub(crate) mod module_host;

#[cfg(not(target_arch = "wasm32"))]
#[cfg_attr(
    any(test, feature = "testing"),
    allow(
        dead_code,
        reason = "the mock host serves this build; only the tests use it"
    )
)]
pub(crate) mod native;
#[cfg(all(not(target_arch = "wasm32"), not(any(test, feature = "testing"))))]
pub(crate) use native::{clock_now_ms, log, random_bytes};

#[cfg(all(not(target_arch = "wasm32"), any(test, feature = "testing")))]
pub(crate) use crate::testing::mock::{clock_now_ms, log, random_bytes};
