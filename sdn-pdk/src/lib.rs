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
#[cfg(all(target_arch = "wasm32", feature = "allocator"))]
mod allocator;
pub mod bytes;
mod error;
pub mod host;
#[cfg(feature = "log")]
pub mod logger;
mod output;
#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
mod panic;
mod plugin;
mod request;
mod sys;
#[cfg(not(target_arch = "wasm32"))]
pub mod testing;

pub use error::Error;
pub use output::Output;
pub use plugin::Plugin;
pub use request::{HOST_MAX, Request};

/// Generates a plugin's exports from an `impl Plugin for T` block.
///
/// Put it on the impl (the type needs no other annotation). The expansion
/// keeps the impl as written and adds, on wasm32 only:
///
/// ```text
/// static INSTANCE: ::sdn_pdk::__private::Slot<T> = Slot::new();
///
/// #[unsafe(no_mangle)]
/// extern "C" fn plugin_init(cfg_ptr: *const u8, cfg_len: i32) -> i32 {
///     unsafe { ::sdn_pdk::__private::plugin_init::<T>(&INSTANCE, cfg_ptr, cfg_len) }
/// }
/// // … and likewise plugin_get_public_key, plugin_get_metadata,
/// // plugin_handle_request and plugin_request_challenge.
/// ```
///
/// Every path in the expansion is absolute, so a plugin's own `Result` or
/// `Ok` cannot break it, and it compiles in a crate that has
/// `#![forbid(unsafe_code)]`. Mistakes are compile errors on your code:
///
/// ```compile_fail
/// struct Echo;
/// #[sdn_pdk::sdn_plugin]
/// impl Echo {} // not an `impl Plugin for …`
/// ```
pub use sdn_pdk_macros::sdn_plugin;

/// The bodies of the generated exports. Not public API: no semver promise.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
