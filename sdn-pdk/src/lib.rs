#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "a failed test should panic"
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
// The standard library: with the `std` feature, and always off wasm32,
// where the test support needs threads-locals and the system clock.
#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
extern crate std;

mod abi;
#[cfg(all(
    target_arch = "wasm32",
    feature = "allocator",
    not(feature = "heap-stats")
))]
mod allocator;
pub mod bytes;
mod error;
/// `heap-stats`: the same allocator, counting live bytes (leak tests only).
#[cfg(all(target_arch = "wasm32", feature = "allocator", feature = "heap-stats"))]
#[path = "private/heap_stats.rs"]
mod heap_stats;
pub mod host;
#[cfg(feature = "log")]
pub mod logger;
#[cfg(feature = "module")]
pub mod module;
mod output;
#[cfg(any(test, target_arch = "wasm32"))]
mod panic;
mod plugin;
mod request;
mod sys;
#[cfg(all(not(target_arch = "wasm32"), any(test, feature = "testing")))]
pub mod testing;

pub use error::Error;
pub use output::Output;
pub use plugin::Plugin;
pub use request::{HOST_MAX, Request};

/// Generates a plugin's exports and manifest from an `impl Plugin for T` block.
///
/// Put it on the impl (the type needs no other annotation). The expansion
/// keeps the impl as written and adds, inside an anonymous `const`:
///
/// ```text
/// #[cfg_attr(target_arch = "wasm32", unsafe(link_section = "sds.manifest"))]
/// static MANIFEST_SECTION: [u8; N] = [/* PluginManifest FlatBuffer, "PMAN" */];
///
/// static INSTANCE: ::sdn_pdk::__private::ExportSlot<T> =
///     unsafe { ::sdn_pdk::__private::ExportSlot::new() };
///
/// #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
/// extern "C" fn plugin_init(cfg_ptr: *const u8, cfg_len: i32) -> i32 {
///     unsafe { ::sdn_pdk::__private::plugin_init::<T>(INSTANCE.slot(), cfg_ptr, cfg_len) }
/// }
/// // … and likewise plugin_get_public_key, plugin_get_metadata,
/// // plugin_handle_request and plugin_request_challenge.
/// ```
///
/// The expansion exists on every target, so native `cargo check`,
/// rust-analyzer and tests type-check it; only the export names
/// (`no_mangle`) and the custom section are wasm32-only, and natively the
/// shims are private to the `const`, so nothing calls them.
/// (`sdn-pdk-macros/tests/expansion/echo.expanded.rs` is the full expansion,
/// kept honest by a snapshot test.) Every path in the expansion is absolute,
/// so a plugin's own `Result` or `Ok` cannot break it, and it compiles in a
/// crate that has `#![forbid(unsafe_code)]`.
///
/// # The manifest
///
/// Every plugin carries the space-data-module-sdk `PluginManifest`
/// (namespace `orbpro.manifest`, file identifier `PMAN`, `abi_version` 1) in
/// a `sds.manifest` custom section. It is built when the plugin compiles:
/// nothing is built, allocated or parsed at run time, and a plugin that never
/// reads it pays only the section's bytes. The arguments, all optional:
///
/// | argument | manifest field | default |
/// |---|---|---|
/// | `id = "…"` | `plugin_id` | the package name |
/// | `name = "…"` | `name` | the package name |
/// | `version = "…"` | `version` | the package version |
/// | `family = "…"` | `plugin_family` (`sensor`, `analysis`, `infrastructure`, …) | `analysis` |
/// | `capabilities = [clock, random, logging, …]` | `capabilities` | none |
/// | `manifest_exports` | adds `plugin_get_manifest_flatbuffer()` and `plugin_get_manifest_flatbuffer_size()` | off (the server's export set stays exact) |
///
/// Declare the host capabilities the plugin uses: `clock` for
/// `sdn.clock_now_ms`, `random` for `sdn.random_bytes`, `logging` for
/// `sdn.log` (`cargo xtask check` warns about an import not declared), plus
/// the crypto kinds (`crypto_key_agreement`, `crypto_kdf`, `crypto_encrypt`,
/// …) a plugin performs.
///
/// ```
/// use sdn_pdk::{sdn_plugin, Error, Output, Plugin, Request};
///
/// struct Clocked;
///
/// #[sdn_plugin(family = "infrastructure", capabilities = [clock, logging])]
/// impl Plugin for Clocked {
///     fn init(_: &[u8]) -> Result<Self, Error> { Ok(Clocked) }
///     fn public_key(&self, _: &mut Output<'_>) -> Result<(), Error> { Err(Error::UNSUPPORTED) }
///     fn metadata(&self, _: &mut Output<'_>) -> Result<(), Error> { Ok(()) }
///     fn handle_request(&mut self, _: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error> {
///         out.write_u64_le(sdn_pdk::host::clock_now_ms())
///     }
/// }
/// ```
///
/// Mistakes are compile errors on your code, all reported at once:
///
/// ```compile_fail
/// struct Echo;
/// #[sdn_pdk::sdn_plugin]
/// impl Echo {} // not an `impl Plugin for …`
/// ```
///
/// ```compile_fail
/// # use sdn_pdk::{Error, Output, Plugin, Request};
/// struct Echo;
/// #[sdn_pdk::sdn_plugin(capabilities = [time])] // unknown capability
/// impl Plugin for Echo {
/// #   fn init(_: &[u8]) -> Result<Self, Error> { Ok(Echo) }
/// #   fn public_key(&self, _: &mut Output<'_>) -> Result<(), Error> { Ok(()) }
/// #   fn metadata(&self, _: &mut Output<'_>) -> Result<(), Error> { Ok(()) }
/// #   fn handle_request(&mut self, _: &Request<'_>, _: &mut Output<'_>) -> Result<(), Error> { Ok(()) }
/// }
/// ```
pub use sdn_pdk_macros::sdn_plugin;

/// The bodies of the generated exports. Not public API: no semver promise.
#[doc(hidden)]
#[path = "private/mod.rs"]
pub mod __private;

/// Expands to its first group when sdn-pdk's `command` feature is on, else
/// to its second: how `#[sdn_module]` adds the command surface (`_start`
/// and `COMMAND` in the manifest) only to a command build. Not public API.
#[cfg(feature = "command")]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_command {
    ({ $($command:tt)* } { $($direct:tt)* }) => { $($command)* };
}

/// Expands to its first group when sdn-pdk's `command` feature is on, else
/// to its second. Not public API.
#[cfg(not(feature = "command"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __if_command {
    ({ $($command:tt)* } { $($direct:tt)* }) => { $($direct)* };
}
