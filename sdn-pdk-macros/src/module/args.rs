//! The arguments of `#[sdn_module(...)]` and of each `#[method(...)]`.
//!
//! ```text
//! #[sdn_module(
//!     id = "org.example.echo", name = "Echo", version = "1.0.0", description = "…",
//!     family = "analysis",
//!     capabilities = [clock, random, logging],
//!     runtime_targets = [server, node],
//!     timers = [timer(id = "tick", method = "tick", input = "request", interval_ms = 60000)],
//!     protocols = [protocol(id = "/example/echo/1.0.0", method = "echo", input = "request", output = "response")],
//! )]
//!
//! #[method(
//!     id = "echo", max_batch = 1, drain_policy = "single-shot", description = "…",
//!     input(port = "request", schema = "OMM.fbs", file_identifier = "$OMM", root_type = "OMM", optional),
//!     output(port = "response", schema = "OMM.fbs", file_identifier = "$OMM", root_type = "OMM"),
//! )]
//! ```
//!
//! Parsing collects every mistake as a spanned `syn::Error`; what is valid
//! is checked in `validate`.

use proc_macro2::{Span, TokenStream};
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitBool, LitInt, LitStr, Token, bracketed, parenthesized};

/// A string argument with where it was written.
#[derive(Clone, Debug)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Span,
}

/// `#[sdn_module(...)]`.
#[derive(Default)]
pub(crate) struct ModuleArgs {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) name: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) family: Option<Spanned<String>>,
    pub(crate) capabilities: Vec<Spanned<String>>,
    pub(crate) runtime_targets: Vec<Spanned<String>>,
    pub(crate) timers: Vec<TimerArgs>,
    pub(crate) protocols: Vec<ProtocolArgs>,
}

/// `timer(...)`.
pub(crate) struct TimerArgs {
    pub(crate) span: Span,
    pub(crate) id: Option<String>,
    pub(crate) method: Option<Spanned<String>>,
    pub(crate) input: Option<String>,
    pub(crate) interval_ms: Option<i64>,
    pub(crate) description: Option<String>,
}

/// `protocol(...)`.
pub(crate) struct ProtocolArgs {
    pub(crate) span: Span,
    pub(crate) id: Option<String>,
    pub(crate) method: Option<Spanned<String>>,
    pub(crate) input: Option<String>,
    pub(crate) output: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) auto_install: bool,
    pub(crate) advertise: bool,
}

/// `#[method(...)]`.
#[derive(Default)]
pub(crate) struct MethodArgs {
    pub(crate) id: Option<Spanned<String>>,
    pub(crate) display_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) max_batch: Option<Spanned<u32>>,
    pub(crate) drain_policy: Option<Spanned<String>>,
    pub(crate) inputs: Vec<PortArgs>,
    pub(crate) outputs: Vec<PortArgs>,
}

/// `input(...)` or `output(...)`.
pub(crate) struct PortArgs {
    pub(crate) span: Span,
    pub(crate) port: Option<Spanned<String>>,
    pub(crate) schema: Option<String>,
    pub(crate) file_identifier: Option<Spanned<String>>,
    pub(crate) root_type: Option<String>,
    pub(crate) schema_version: Option<String>,
    pub(crate) optional: bool,
}

/// Runs `each` for every `key ...` entry of a comma-separated list; an
/// unknown key is reported and its value skipped, so later mistakes are
/// still found.
fn entries(
    input: ParseStream<'_>,
    errors: &mut Vec<syn::Error>,
    mut each: impl FnMut(&Ident, ParseStream<'_>, &mut Vec<syn::Error>) -> syn::Result<bool>,
    expected: &str,
) -> syn::Result<()> {
    let mut seen: Vec<String> = Vec::new();
    while !input.is_empty() {
        let key: Ident = input.parse()?;
        let name = key.to_string();
        let repeatable = matches!(name.as_str(), "input" | "output" | "timer" | "protocol");
        if !repeatable && seen.contains(&name) {
            errors.push(syn::Error::new(
                key.span(),
                format!("`{name}` is given twice"),
            ));
        }
        seen.push(name.clone());
        if !each(&key, input, errors)? {
            errors.push(syn::Error::new(
                key.span(),
                format!("unknown argument `{name}`; expected one of: {expected}"),
            ));
            skip_value(input)?;
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        input.parse::<syn::Expr>()?;
    } else if input.peek(syn::token::Paren) {
        let _content;
        parenthesized!(_content in input);
        let _: TokenStream = _content.parse()?;
    }
    Ok(())
}

fn string(
    input: ParseStream<'_>,
    errors: &mut Vec<syn::Error>,
    key: &Ident,
) -> syn::Result<Spanned<String>> {
    input.parse::<Token![=]>()?;
    let literal: LitStr = input.parse()?;
    let value = literal.value();
    if value.trim().is_empty() {
        errors.push(syn::Error::new(
            literal.span(),
            format!("`{key}` cannot be empty"),
        ));
    }
    Ok(Spanned {
        value,
        span: literal.span(),
    })
}

fn integer<T: std::str::FromStr>(input: ParseStream<'_>) -> syn::Result<Spanned<T>>
where
    T::Err: std::fmt::Display,
{
    input.parse::<Token![=]>()?;
    let literal: LitInt = input.parse()?;
    Ok(Spanned {
        value: literal.base10_parse()?,
        span: literal.span(),
    })
}

fn boolean(input: ParseStream<'_>) -> syn::Result<bool> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        Ok(input.parse::<LitBool>()?.value)
    } else {
        Ok(true)
    }
}

/// `[a, b, "c-d"]`: identifiers or strings.
fn names(input: ParseStream<'_>) -> syn::Result<Vec<Spanned<String>>> {
    input.parse::<Token![=]>()?;
    let content;
    bracketed!(content in input);
    let mut names = Vec::new();
    while !content.is_empty() {
        if content.peek(LitStr) {
            let literal: LitStr = content.parse()?;
            names.push(Spanned {
                value: literal.value(),
                span: literal.span(),
            });
        } else {
            let ident: Ident = content.parse()?;
            names.push(Spanned {
                value: ident.to_string(),
                span: ident.span(),
            });
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(names)
}

/// `[item(...), item(...)]` where `item` is `keyword`.
fn calls<T>(
    input: ParseStream<'_>,
    errors: &mut Vec<syn::Error>,
    keyword: &str,
    mut one: impl FnMut(Span, ParseStream<'_>, &mut Vec<syn::Error>) -> syn::Result<T>,
) -> syn::Result<Vec<T>> {
    input.parse::<Token![=]>()?;
    let content;
    bracketed!(content in input);
    let mut items = Vec::new();
    while !content.is_empty() {
        let head: Ident = content.parse()?;
        if head != keyword {
            return Err(syn::Error::new(
                head.span(),
                format!("expected `{keyword}(...)`"),
            ));
        }
        let inner;
        parenthesized!(inner in content);
        items.push(one(head.span(), &inner, errors)?);
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(items)
}

/// Parses `#[sdn_module(...)]`'s arguments.
pub(crate) fn parse_module(args: TokenStream, errors: &mut Vec<syn::Error>) -> ModuleArgs {
    let mut parsed = ModuleArgs::default();
    let parser = |input: ParseStream<'_>| {
        entries(
            input,
            errors,
            |key, input, errors| {
                match key.to_string().as_str() {
                    "id" => parsed.id = Some(string(input, errors, key)?),
                    "name" => parsed.name = Some(string(input, errors, key)?.value),
                    "version" => parsed.version = Some(string(input, errors, key)?.value),
                    "description" => parsed.description = Some(string(input, errors, key)?.value),
                    "family" => parsed.family = Some(string(input, errors, key)?),
                    "capabilities" => parsed.capabilities = names(input)?,
                    "runtime_targets" => parsed.runtime_targets = names(input)?,
                    "timers" => parsed.timers = calls(input, errors, "timer", timer)?,
                    "protocols" => parsed.protocols = calls(input, errors, "protocol", protocol)?,
                    _ => return Ok(false),
                }
                Ok(true)
            },
            "id, name, version, description, family, capabilities, runtime_targets, timers, protocols",
        )
    };
    if let Err(error) = parser.parse2(args) {
        errors.push(error);
    }
    parsed
}

fn timer(
    span: Span,
    input: ParseStream<'_>,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<TimerArgs> {
    let mut timer = TimerArgs {
        span,
        id: None,
        method: None,
        input: None,
        interval_ms: None,
        description: None,
    };
    entries(
        input,
        errors,
        |key, input, errors| {
            match key.to_string().as_str() {
                "id" => timer.id = Some(string(input, errors, key)?.value),
                "method" => timer.method = Some(string(input, errors, key)?),
                "input" => timer.input = Some(string(input, errors, key)?.value),
                "interval_ms" => timer.interval_ms = Some(integer::<i64>(input)?.value),
                "description" => timer.description = Some(string(input, errors, key)?.value),
                _ => return Ok(false),
            }
            Ok(true)
        },
        "id, method, input, interval_ms, description",
    )?;
    Ok(timer)
}

fn protocol(
    span: Span,
    input: ParseStream<'_>,
    errors: &mut Vec<syn::Error>,
) -> syn::Result<ProtocolArgs> {
    let mut protocol = ProtocolArgs {
        span,
        id: None,
        method: None,
        input: None,
        output: None,
        description: None,
        auto_install: true,
        advertise: false,
    };
    entries(
        input,
        errors,
        |key, input, errors| {
            match key.to_string().as_str() {
                "id" => protocol.id = Some(string(input, errors, key)?.value),
                "method" => protocol.method = Some(string(input, errors, key)?),
                "input" => protocol.input = Some(string(input, errors, key)?.value),
                "output" => protocol.output = Some(string(input, errors, key)?.value),
                "description" => protocol.description = Some(string(input, errors, key)?.value),
                "auto_install" => protocol.auto_install = boolean(input)?,
                "advertise" => protocol.advertise = boolean(input)?,
                _ => return Ok(false),
            }
            Ok(true)
        },
        "id, method, input, output, description, auto_install, advertise",
    )?;
    Ok(protocol)
}

/// Parses one `#[method(...)]`'s arguments.
pub(crate) fn parse_method(args: TokenStream, errors: &mut Vec<syn::Error>) -> MethodArgs {
    let mut parsed = MethodArgs::default();
    let parser = |input: ParseStream<'_>| {
        entries(
            input,
            errors,
            |key, input, errors| {
                match key.to_string().as_str() {
                    "id" => parsed.id = Some(string(input, errors, key)?),
                    "display_name" => parsed.display_name = Some(string(input, errors, key)?.value),
                    "description" => parsed.description = Some(string(input, errors, key)?.value),
                    "max_batch" => parsed.max_batch = Some(integer::<u32>(input)?),
                    "drain_policy" => parsed.drain_policy = Some(string(input, errors, key)?),
                    "input" => parsed.inputs.push(port(key.span(), input, errors)?),
                    "output" => parsed.outputs.push(port(key.span(), input, errors)?),
                    _ => return Ok(false),
                }
                Ok(true)
            },
            "id, display_name, description, max_batch, drain_policy, input(...), output(...)",
        )
    };
    if let Err(error) = parser.parse2(args) {
        errors.push(error);
    }
    parsed
}

fn port(span: Span, input: ParseStream<'_>, errors: &mut Vec<syn::Error>) -> syn::Result<PortArgs> {
    let content;
    parenthesized!(content in input);
    let mut port = PortArgs {
        span,
        port: None,
        schema: None,
        file_identifier: None,
        root_type: None,
        schema_version: None,
        optional: false,
    };
    entries(
        &content,
        errors,
        |key, input, errors| {
            match key.to_string().as_str() {
                "port" => port.port = Some(string(input, errors, key)?),
                "schema" => port.schema = Some(string(input, errors, key)?.value),
                "file_identifier" => port.file_identifier = Some(string(input, errors, key)?),
                "root_type" => port.root_type = Some(string(input, errors, key)?.value),
                "schema_version" => port.schema_version = Some(string(input, errors, key)?.value),
                "optional" => port.optional = boolean(input)?,
                _ => return Ok(false),
            }
            Ok(true)
        },
        "port, schema, file_identifier, root_type, schema_version, optional",
    )?;
    Ok(port)
}
