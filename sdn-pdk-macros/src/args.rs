//! The attribute's arguments: what goes into the plugin's manifest.
//!
//! ```text
//! #[sdn_plugin(
//!     id = "org.example.echo",          // plugin_id   (default: the package name)
//!     name = "Echo",                    // name        (default: the package name)
//!     version = "1.2.3",                // version     (default: the package version)
//!     family = "infrastructure",        // plugin_family (default: analysis)
//!     capabilities = [clock, random, logging],
//!     manifest_exports,                 // opt in to the two accessor exports
//! )]
//! ```

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token, bracketed};

/// The parsed arguments; `None` where the author left the default.
#[derive(Default)]
pub(crate) struct PluginArgs {
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) family: Option<(String, Span)>,
    /// Capability names with their spans, as written.
    pub(crate) capabilities: Vec<(String, Span)>,
    pub(crate) manifest_exports: bool,
}

/// Parses the arguments, collecting every mistake.
pub(crate) fn parse(args: TokenStream, errors: &mut Vec<syn::Error>) -> PluginArgs {
    let mut parsed = PluginArgs::default();
    let mut seen: Vec<String> = Vec::new();
    let parser = |input: ParseStream<'_>| {
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            let key_name = key.to_string();
            if seen.contains(&key_name) {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("`{key_name}` is given twice"),
                ));
            }
            seen.push(key_name.clone());
            match key_name.as_str() {
                "id" | "name" | "version" | "family" => {
                    input.parse::<Token![=]>()?;
                    let value: LitStr = input.parse()?;
                    let text = value.value();
                    if text.trim().is_empty() {
                        errors.push(syn::Error::new(
                            value.span(),
                            format!("`{key_name}` cannot be empty"),
                        ));
                    }
                    match key_name.as_str() {
                        "id" => parsed.id = Some(text),
                        "name" => parsed.name = Some(text),
                        "version" => parsed.version = Some(text),
                        _ => parsed.family = Some((text, value.span())),
                    }
                }
                "capabilities" => {
                    input.parse::<Token![=]>()?;
                    let content;
                    bracketed!(content in input);
                    let names =
                        Punctuated::<CapabilityName, Token![,]>::parse_terminated(&content)?;
                    parsed
                        .capabilities
                        .extend(names.into_iter().map(|name| (name.text, name.span)));
                }
                "manifest_exports" => parsed.manifest_exports = true,
                "description" => {
                    errors.push(syn::Error::new(
                        key.span(),
                        "the SDN `PluginManifest` has no description field; document the plugin in its crate instead",
                    ));
                    skip_value(input)?;
                }
                _ => {
                    errors.push(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown argument `{key_name}`; expected one of: id, name, version, family, \
                             capabilities, manifest_exports"
                        ),
                    ));
                    skip_value(input)?;
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(())
    };
    if let Err(error) = parser.parse2(args) {
        errors.push(error);
    }
    parsed
}

/// Skips a rejected argument's `= value`, so the arguments after it are
/// still read and their mistakes reported too.
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        input.parse::<syn::Expr>()?;
    }
    Ok(())
}

/// A capability as written: an identifier (`clock`) or, for names with
/// dashes, a string (`"crypto-kdf"`).
struct CapabilityName {
    text: String,
    span: Span,
}

impl Parse for CapabilityName {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let text: LitStr = input.parse()?;
            Ok(CapabilityName {
                text: text.value(),
                span: text.span(),
            })
        } else {
            let ident: Ident = input.parse()?;
            Ok(CapabilityName {
                text: ident.to_string(),
                span: ident.span(),
            })
        }
    }
}

/// The manifest the arguments describe, as FlatBuffer bytes, with the
/// crate's Cargo metadata for what the author left out.
pub(crate) fn manifest(args: &PluginArgs, errors: &mut Vec<syn::Error>) -> Vec<u8> {
    use sdn_pdk_schemas::{capability, manifest};

    // Cargo sets these for the crate being compiled, which is the one whose
    // code this macro is expanding.
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
    let package_version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let family = args.family.as_ref().and_then(|(name, span)| {
        let value = manifest::family(name);
        if value.is_none() {
            let known: Vec<&str> = manifest::FAMILIES.iter().map(|(name, _)| *name).collect();
            errors.push(syn::Error::new(
                *span,
                format!(
                    "unknown plugin family `{name}`; expected one of: {}",
                    known.join(", ")
                ),
            ));
        }
        value
    });
    let mut capabilities = Vec::new();
    for (name, span) in &args.capabilities {
        match capability::kind(name) {
            Some(kind) if capabilities.iter().any(|(known, _)| *known == kind) => errors.push(
                syn::Error::new(*span, format!("capability `{name}` is declared twice")),
            ),
            Some(kind) => capabilities.push((kind, None)),
            None => errors.push(syn::Error::new(
                *span,
                format!(
                    "unknown capability `{name}`; expected one of: {}",
                    capability::CAPABILITIES
                        .iter()
                        .map(|(name, _)| *name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
    let plugin_id = args.id.clone().unwrap_or_else(|| package.clone());
    // An explicit empty `id` was reported where it was written.
    if plugin_id.is_empty() && args.id.is_none() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "the manifest needs a plugin id: set `id = \"...\"` (no Cargo package name to default to)",
        ));
    }
    manifest::build(&manifest::ManifestSpec {
        plugin_id,
        name: args.name.clone().unwrap_or(package),
        version: args.version.clone().unwrap_or(package_version),
        family,
        description: None,
        capabilities,
    })
}
