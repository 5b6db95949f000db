//! The `#[sdn_plugin]` attribute of [sdn-pdk](https://docs.rs/sdn-pdk).
//!
//! Use it through its re-export, `sdn_pdk::sdn_plugin`, whose documentation
//! shows what it expands to. The crate is parse → validate → expand: every
//! mistake becomes a `syn::Error` spanned on the offending token, several
//! reported at once, never a panic.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod expand;
mod validate;

use proc_macro::TokenStream;

/// Generates the SDN plugin exports for an `impl Plugin for T` block.
/// See `sdn_pdk::sdn_plugin`.
#[proc_macro_attribute]
pub fn sdn_plugin(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = proc_macro2::TokenStream::from(args);
    let item = proc_macro2::TokenStream::from(item);
    match validate::plugin_impl(args, item) {
        Ok(plugin) => expand::exports(&plugin).into(),
        Err(error) => error.to_compile_error().into(),
    }
}
