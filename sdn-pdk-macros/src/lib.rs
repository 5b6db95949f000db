//! The `#[sdn_plugin]` attribute of [sdn-pdk](https://docs.rs/sdn-pdk).
//!
//! The attribute also embeds the plugin's manifest (the space-data-module-sdk
//! `PluginManifest` FlatBuffer, built here at compile time) as a `sds.manifest`
//! custom section; its arguments are documented on `sdn_pdk::sdn_plugin`.
//!
//! Use it through its re-export, `sdn_pdk::sdn_plugin`, whose documentation
//! shows what it expands to. The crate is parse → validate → expand: every
//! mistake becomes a `syn::Error` spanned on the offending token, several
//! reported at once, never a panic.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod args;
mod expand;
mod module;
mod validate;

use proc_macro::TokenStream;

/// Generates the SDN plugin exports for an `impl Plugin for T` block.
/// See `sdn_pdk::sdn_plugin`.
#[proc_macro_attribute]
pub fn sdn_plugin(args: TokenStream, item: TokenStream) -> TokenStream {
    expand_plugin(args.into(), item.into()).into()
}

/// Generates a Space Data module's exports and `$PLG` manifest from an
/// impl block whose functions carry `#[method(...)]`.
/// See `sdn_pdk::module::sdn_module`.
#[proc_macro_attribute]
pub fn sdn_module(args: TokenStream, item: TokenStream) -> TokenStream {
    module::expand_module(args.into(), item.into()).into()
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
        let args = quote::quote!(
            id = "echo",
            version = "1.0.0",
            capabilities = [clock, random, logging],
            manifest_exports
        );
        let tokens = super::expand_plugin(args, item);
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

    /// The expansion exists on every target: the only `target_arch`
    /// conditions in it are the ones that make the shims exports and the
    /// manifest a custom section, so native builds type-check the shims.
    #[test]
    fn only_export_names_and_the_link_section_are_wasm_only() {
        let item = quote::quote! { impl sdn_pdk::Plugin for Echo {} };
        let tokens = super::expand_plugin(quote::quote!(manifest_exports), item);
        let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
        let mut gated = Vec::new();
        let mut exported = 0;
        for item in &file.items {
            let syn::Item::Const(block) = item else {
                continue;
            };
            for attr in &block.attrs {
                gated.push(quote::quote!(#attr).to_string());
            }
            let syn::Expr::Block(body) = &*block.expr else {
                panic!("the exports sit in a const block");
            };
            for item in &body.block.stmts {
                let syn::Stmt::Item(item) = item else {
                    continue;
                };
                let attrs = match item {
                    syn::Item::Fn(function) => &function.attrs,
                    syn::Item::Static(data) => &data.attrs,
                    other => panic!("unexpected item {}", quote::quote!(#other)),
                };
                for attr in attrs {
                    let text = quote::quote!(#attr).to_string();
                    if text.contains("no_mangle") {
                        exported += 1;
                    }
                    gated.push(text);
                }
            }
        }
        assert_eq!(
            exported, 7,
            "five plugin_* exports and two manifest accessors"
        );
        for attr in &gated {
            let allowed = [
                "# [cfg_attr (target_arch = \"wasm32\" , unsafe (no_mangle))]",
                "# [cfg_attr (target_arch = \"wasm32\" , unsafe (link_section = \"sds.manifest\"))]",
                "# [cfg_attr (not (target_arch = \"wasm32\") , allow (dead_code , reason = \"exported on wasm32; elsewhere only type-checked\"))]",
            ];
            assert!(
                allowed.contains(&attr.as_str()),
                "unexpected attribute {attr}"
            );
        }
    }

    #[test]
    fn the_embedded_manifest_reads_back() {
        let args = quote::quote!(
            id = "org.example.echo",
            family = "comms",
            capabilities = [clock, logging]
        );
        let parsed = {
            let mut errors = Vec::new();
            let args = crate::args::parse(args, &mut errors);
            assert!(errors.is_empty());
            let bytes = crate::args::manifest(&args, &mut errors);
            assert!(errors.is_empty());
            bytes
        };
        let manifest = sdn_pdk_schemas::manifest::read(&parsed).expect("a valid PMAN buffer");
        assert_eq!(manifest.plugin_id, "org.example.echo");
        // Defaults from the crate being compiled (here, the macro crate's tests).
        assert_eq!(manifest.name.as_deref(), Some(env!("CARGO_PKG_NAME")));
        assert_eq!(manifest.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
        assert_eq!(manifest.abi_version, 1);
        assert!(manifest.declares(sdn_pdk_schemas::capability::CLOCK));
        assert!(manifest.declares(sdn_pdk_schemas::capability::LOGGING));
        assert!(!manifest.declares(sdn_pdk_schemas::capability::RANDOM));
    }

    #[test]
    fn every_mistake_is_reported_at_once() {
        let item = quote::quote! { impl<T> Other for Echo<T> {} };
        let tokens =
            super::expand_plugin(quote::quote!(manifests, capabilities = [clock, time]), item)
                .to_string();
        for message in [
            "unknown argument `manifests`",
            "unknown capability `time`",
            "goes on the impl of `sdn_pdk::Plugin`",
            "cannot be generic",
            "cannot have generic arguments",
        ] {
            assert!(tokens.contains(message), "missing {message:?} in {tokens}");
        }
    }
}
