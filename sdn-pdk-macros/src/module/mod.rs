//! `#[sdn_module]`: parse → validate → expand, like `#[sdn_plugin]`.
//!
//! The method declarations feed two things built from one model: the
//! `$PLG` manifest bytes (through `sdn_pdk_schemas::plg::build`) and the
//! static method table the invoke glue checks requests against, so the
//! manifest a host reads and the rules the module applies cannot disagree.

mod args;
mod expand;
mod validate;

use proc_macro2::TokenStream;

/// The whole macro over `proc_macro2` tokens.
pub(crate) fn expand_module(args: TokenStream, item: TokenStream) -> TokenStream {
    match validate::module_impl(args, item.clone()) {
        Ok(module) => expand::module(&module),
        Err(error) => {
            let mut tokens = error.to_compile_error();
            // Keep the item (minus our inert attributes) so the only errors
            // are the macro's own.
            tokens.extend(validate::strip_method_attributes(item));
            tokens
        }
    }
}
