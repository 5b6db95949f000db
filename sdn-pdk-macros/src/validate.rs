//! Parse and check the attribute's input; collect every mistake.

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{ItemImpl, Type};

/// A checked `impl Plugin for T` block.
pub(crate) struct PluginImpl {
    /// The impl as the user wrote it (emitted unchanged).
    pub(crate) item: ItemImpl,
    /// `T`.
    pub(crate) self_ty: Type,
    /// The plugin's manifest, a finished `PluginManifest` FlatBuffer.
    pub(crate) manifest: Vec<u8>,
    /// Whether to export the two manifest accessors.
    pub(crate) manifest_exports: bool,
}

/// Parses the attribute's arguments and item, reporting all mistakes at once.
pub(crate) fn plugin_impl(args: TokenStream, item: TokenStream) -> syn::Result<PluginImpl> {
    let mut errors: Option<syn::Error> = None;
    let mut push = |error: syn::Error| match &mut errors {
        Some(all) => all.combine(error),
        None => errors = Some(error),
    };

    let mut arg_errors = Vec::new();
    let parsed_args = crate::args::parse(args, &mut arg_errors);
    let manifest = crate::args::manifest(&parsed_args, &mut arg_errors);
    for error in arg_errors {
        push(error);
    }

    let item: ItemImpl = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => {
            let mut error = syn::Error::new(
                error.span(),
                "#[sdn_plugin] goes on an `impl Plugin for YourType` block",
            );
            if let Some(earlier) = errors {
                error.combine(earlier);
            }
            return Err(error);
        }
    };

    match &item.trait_ {
        None => push(syn::Error::new(
            item.self_ty.span(),
            "#[sdn_plugin] needs a trait impl: write `impl sdn_pdk::Plugin for YourType`",
        )),
        Some((bang, path, _)) => {
            if let Some(bang) = bang {
                push(syn::Error::new(
                    bang.span(),
                    "a negative impl cannot be a plugin",
                ));
            }
            let is_plugin = path
                .segments
                .last()
                .is_some_and(|last| last.ident == "Plugin");
            if !is_plugin {
                push(syn::Error::new(
                    path.span(),
                    "#[sdn_plugin] goes on the impl of `sdn_pdk::Plugin`",
                ));
            }
        }
    }

    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        push(syn::Error::new(
            item.generics.span(),
            "a plugin type cannot be generic: the server instantiates exactly one plugin per module",
        ));
    }

    if let Some(unsafety) = &item.unsafety {
        push(syn::Error::new(
            unsafety.span(),
            "`Plugin` is not an unsafe trait",
        ));
    }

    match &*item.self_ty {
        Type::Path(path) if path.qself.is_none() => {
            if let Some(args) = path
                .path
                .segments
                .iter()
                .find(|segment| !segment.arguments.is_none())
            {
                push(syn::Error::new(
                    args.arguments.span(),
                    "a plugin type cannot have generic arguments",
                ));
            }
        }
        other => push(syn::Error::new(
            other.span(),
            "the plugin must be a named type (a struct or enum)",
        )),
    }

    match errors {
        Some(errors) => Err(errors),
        None => {
            let self_ty = (*item.self_ty).clone();
            Ok(PluginImpl {
                item,
                self_ty,
                manifest,
                manifest_exports: parsed_args.manifest_exports,
            })
        }
    }
}
