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
    expand_plugin(args.into(), item.into()).into()
}

/// The whole macro over `proc_macro2` tokens (so tests can run it).
fn expand_plugin(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
) -> proc_macro2::TokenStream {
    match validate::plugin_impl(args, item.clone()) {
        Ok(plugin) => expand::exports(&plugin),
        // Keep the user's item so the only errors are the macro's own, not
        // a cascade of "unused import" and "cannot find type" ones.
        Err(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(item);
            tokens
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The pretty-printed expansion of a plugin impl equals the snapshot in
    /// `tests/expansion/echo.expanded.rs` (the one the docs describe). Run
    /// with `UPDATE_EXPANSION=1` to rewrite it after a deliberate change.
    #[test]
    fn expansion_matches_the_snapshot() {
        let item = quote::quote! {
            impl sdn_pdk::Plugin for Echo {
                fn init(config: &[u8]) -> Result<Self, Error> { Ok(Echo) }
            }
        };
        let tokens = super::expand_plugin(proc_macro2::TokenStream::new(), item);
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
        let pretty = prettyplease::unparse(&file);
        let snapshot =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expansion/echo.expanded.rs");
        if std::env::var_os("UPDATE_EXPANSION").is_some() {
            std::fs::write(&snapshot, &pretty).expect("snapshot written");
        }
        let expected = std::fs::read_to_string(&snapshot).expect("snapshot present");
        assert_eq!(
            pretty, expected,
            "expansion changed; rerun with UPDATE_EXPANSION=1 if deliberate"
        );
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let item = quote::quote! { impl<T> Other for Echo<T> {} };
        let tokens = super::expand_plugin(quote::quote!(manifest), item).to_string();
        for message in [
            "takes no arguments",
            "goes on the impl of `sdn_pdk::Plugin`",
            "cannot be generic",
            "cannot have generic arguments",
        ] {
            assert!(tokens.contains(message), "missing {message:?} in {tokens}");
        }
    }
}
