//! Checks `#[sdn_module]`'s arguments and impl block, collecting every
//! mistake, and builds the module's model: its methods and its manifests.

use proc_macro2::{Span, TokenStream};
use sdn_pdk_schemas::plg;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ItemImpl, Type};

use super::args::{self, MethodArgs, ModuleArgs, PortArgs};

/// A checked module impl.
pub(crate) struct ModuleImpl {
    /// The impl with the `#[method]` attributes removed.
    pub(crate) item: ItemImpl,
    /// The module type.
    pub(crate) self_ty: Type,
    /// The methods, in declaration order, with the Rust function of each.
    pub(crate) methods: Vec<(syn::Ident, plg::MethodSpec)>,
    /// The manifest of a direct-only build.
    pub(crate) manifest_direct: Vec<u8>,
    /// The manifest of a build with the command surface.
    pub(crate) manifest_command: Vec<u8>,
}

struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.push(syn::Error::new(span, message));
    }
}

fn is_method_attribute(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("method")
}

/// The item with every `#[method]` attribute removed (when it parses).
pub(crate) fn strip_method_attributes(item: TokenStream) -> TokenStream {
    match syn::parse2::<ItemImpl>(item.clone()) {
        Ok(mut parsed) => {
            for member in &mut parsed.items {
                if let ImplItem::Fn(function) = member {
                    function.attrs.retain(|attr| !is_method_attribute(attr));
                }
            }
            quote::quote!(#parsed)
        }
        Err(_) => item,
    }
}

/// Parses and checks the attribute and its impl, reporting all mistakes.
pub(crate) fn module_impl(args: TokenStream, item: TokenStream) -> syn::Result<ModuleImpl> {
    let mut errors = Errors(None);
    let mut arg_errors = Vec::new();
    let module_args = args::parse_module(args, &mut arg_errors);
    for error in arg_errors {
        errors.push(error);
    }

    let mut item: ItemImpl = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => {
            errors.at(
                error.span(),
                "#[sdn_module] goes on an `impl YourModule { ... }` block",
            );
            return Err(errors.0.unwrap_or(error));
        }
    };
    check_impl(&item, &mut errors);

    let mut methods = Vec::new();
    for member in &mut item.items {
        let ImplItem::Fn(function) = member else {
            continue;
        };
        let attrs: Vec<syn::Attribute> = function
            .attrs
            .iter()
            .filter(|attr| is_method_attribute(attr))
            .cloned()
            .collect();
        function.attrs.retain(|attr| !is_method_attribute(attr));
        let Some(attr) = attrs.first() else {
            continue;
        };
        if let Some(extra) = attrs.get(1) {
            errors.at(extra.span(), "a function carries one #[method]");
        }
        let tokens = match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            syn::Meta::Path(_) => TokenStream::new(),
            syn::Meta::NameValue(value) => {
                errors.at(value.span(), "write #[method(...)]");
                continue;
            }
        };
        check_signature(&function.sig, &mut errors);
        let mut arg_errors = Vec::new();
        let method_args = args::parse_method(tokens, &mut arg_errors);
        for error in arg_errors {
            errors.push(error);
        }
        let doc = doc_text(&function.attrs);
        let spec = method_spec(&function.sig.ident, method_args, doc, &mut errors);
        if methods
            .iter()
            .any(|(_, known): &(syn::Ident, plg::MethodSpec)| known.method_id == spec.method_id)
        {
            errors.at(
                attr.span(),
                format!("method `{}` is declared twice", spec.method_id),
            );
        }
        methods.push((function.sig.ident.clone(), spec));
    }
    if methods.is_empty() {
        errors.at(
            item.self_ty.span(),
            "a module needs at least one method: put #[method(...)] on a function of this impl",
        );
    }

    let specs: Vec<plg::MethodSpec> = methods.iter().map(|(_, spec)| spec.clone()).collect();
    let base = module_spec(&module_args, specs, &mut errors);
    if let Some(error) = errors.0 {
        return Err(error);
    }
    let manifest_direct = plg::build(&base);
    let manifest_command = plg::build(&plg::PlgSpec {
        invoke_surfaces: vec![plg::surface::DIRECT, plg::surface::COMMAND],
        ..base
    });
    let self_ty = (*item.self_ty).clone();
    Ok(ModuleImpl {
        item,
        self_ty,
        methods,
        manifest_direct,
        manifest_command,
    })
}

fn check_impl(item: &ItemImpl, errors: &mut Errors) {
    if let Some((_, path, _)) = &item.trait_ {
        errors.at(
            path.span(),
            "#[sdn_module] goes on an inherent impl (`impl YourModule { ... }`); the macro implements `sdn_pdk::module::Module` itself",
        );
    }
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        errors.at(
            item.generics.span(),
            "a module type cannot be generic: a host instantiates exactly one per module",
        );
    }
    match &*item.self_ty {
        Type::Path(path) if path.qself.is_none() => {
            if let Some(segment) = path.path.segments.iter().find(|s| !s.arguments.is_none()) {
                errors.at(
                    segment.arguments.span(),
                    "a module type cannot have generic arguments",
                );
            }
        }
        other => errors.at(
            other.span(),
            "the module must be a named type (a struct or enum)",
        ),
    }
}

/// A method is `fn(&mut self or &self, &Call<'_>, &mut Outputs<'_>)`.
fn check_signature(sig: &syn::Signature, errors: &mut Errors) {
    if let Some(asyncness) = sig.asyncness {
        errors.at(asyncness.span(), "a module method cannot be async");
    }
    if !sig.generics.params.is_empty() {
        errors.at(sig.generics.span(), "a module method cannot be generic");
    }
    let has_receiver = matches!(
        sig.inputs.first(),
        Some(FnArg::Receiver(receiver)) if receiver.reference.is_some()
    );
    if !has_receiver || sig.inputs.len() != 3 {
        errors.at(
            sig.ident.span(),
            "a module method takes `&mut self` (or `&self`), then `call: &Call<'_>` and `out: &mut Outputs<'_>`",
        );
    }
}

/// The `///` text of a function, for its description.
fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|attr| attr.path().is_ident("doc"))
        .filter_map(|attr| match &attr.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value().trim().to_string()),
            _ => None,
        })
        .collect();
    let text = lines.join(" ").trim().to_string();
    (!text.is_empty()).then_some(text)
}

const DRAIN_POLICIES: &[(&str, u8)] = &[
    ("single-shot", plg::drain_policy::SINGLE_SHOT),
    ("drain-until-yield", plg::drain_policy::DRAIN_UNTIL_YIELD),
    ("drain-to-empty", plg::drain_policy::DRAIN_TO_EMPTY),
];

fn method_spec(
    function: &syn::Ident,
    args: MethodArgs,
    doc: Option<String>,
    errors: &mut Errors,
) -> plg::MethodSpec {
    let method_id = args.id.map_or_else(|| function.to_string(), |id| id.value);
    let max_batch = match args.max_batch {
        Some(batch) if batch.value == 0 => {
            errors.at(batch.span, "`max_batch` is at least 1");
            1
        }
        Some(batch) => batch.value,
        None => 1,
    };
    let drain_policy = match args.drain_policy {
        None => plg::drain_policy::SINGLE_SHOT,
        Some(policy) => match DRAIN_POLICIES
            .iter()
            .find(|(name, _)| *name == policy.value)
        {
            Some((_, value)) => *value,
            None => {
                errors.at(
                    policy.span,
                    format!(
                        "unknown drain policy `{}`; expected one of: single-shot, drain-until-yield, drain-to-empty",
                        policy.value
                    ),
                );
                plg::drain_policy::SINGLE_SHOT
            }
        },
    };
    if args.outputs.iter().any(|port| port.optional) {
        errors.at(function.span(), "`optional` is for input ports");
    }
    plg::MethodSpec {
        method_id,
        display_name: args.display_name,
        inputs: ports(&args.inputs, "input", errors),
        outputs: ports(&args.outputs, "output", errors),
        max_batch,
        drain_policy,
        description: args.description.or(doc),
    }
}

fn ports(ports: &[PortArgs], direction: &str, errors: &mut Errors) -> Vec<plg::PortSpec> {
    let mut specs: Vec<plg::PortSpec> = Vec::new();
    for port in ports {
        let Some(id) = &port.port else {
            errors.at(port.span, format!("an {direction} needs `port = \"...\"`"));
            continue;
        };
        if specs.iter().any(|known| known.port_id == id.value) {
            errors.at(
                id.span,
                format!("{direction} port `{}` is declared twice", id.value),
            );
        }
        let missing = [
            ("schema", port.schema.is_none()),
            ("file_identifier", port.file_identifier.is_none()),
            ("root_type", port.root_type.is_none()),
        ];
        for (key, absent) in missing {
            if absent {
                errors.at(
                    port.span,
                    format!(
                        "{direction} port `{}` needs `{key} = \"...\"` (its FlatBuffer type)",
                        id.value
                    ),
                );
            }
        }
        if let Some(identifier) = &port.file_identifier
            && identifier.value.len() != 4
        {
            errors.at(
                identifier.span,
                "a FlatBuffers file identifier is exactly 4 bytes, e.g. \"$OMM\"",
            );
        }
        specs.push(plg::PortSpec {
            port_id: id.value.clone(),
            display_name: None,
            type_sets: vec![plg::TypeSetSpec {
                set_id: Some(id.value.clone()),
                allowed_types: vec![plg::TypeSpec {
                    schema_name: port.schema.clone().unwrap_or_default(),
                    file_identifier: port
                        .file_identifier
                        .as_ref()
                        .map(|f| f.value.clone())
                        .unwrap_or_default(),
                    root_type: port.root_type.clone().unwrap_or_default(),
                    schema_version: port.schema_version.clone(),
                    ..plg::TypeSpec::default()
                }],
                allowed_wire_formats: vec![0],
                description: None,
            }],
            min_streams: 1,
            max_streams: 1,
            required: !port.optional,
            description: None,
        });
    }
    specs
}

fn module_spec(
    args: &ModuleArgs,
    methods: Vec<plg::MethodSpec>,
    errors: &mut Errors,
) -> plg::PlgSpec {
    // Cargo sets these for the crate being compiled.
    let env = |key| {
        std::env::var(key)
            .ok()
            .filter(|value: &String| !value.is_empty())
    };
    let package = env("CARGO_PKG_NAME").unwrap_or_default();
    let plugin_id = args
        .id
        .as_ref()
        .map_or_else(|| package.clone(), |id| id.value.clone());
    if plugin_id.is_empty() && args.id.is_none() {
        errors.at(
            Span::call_site(),
            "the manifest needs a plugin id: set `id = \"...\"` (no Cargo package name to default to)",
        );
    }
    let family = args
        .family
        .as_ref()
        .map_or("analysis", |family| family.value.as_str());
    let plugin_type = plg::plugin_type(family);
    if plugin_type.is_none() {
        let span = args
            .family
            .as_ref()
            .map_or_else(Span::call_site, |family| family.span);
        let known: Vec<&str> = plg::PLUGIN_TYPES.iter().map(|(name, _)| *name).collect();
        errors.at(
            span,
            format!(
                "unknown family `{family}`; expected one of: {}",
                known.join(", ")
            ),
        );
    }
    let mut capabilities: Vec<plg::CapabilitySpec> = Vec::new();
    for name in &args.capabilities {
        let kind = plg::capability_kind(&name.value);
        if kind.is_none() {
            let known: Vec<&str> = plg::CAPABILITIES.iter().map(|(name, _)| *name).collect();
            errors.at(
                name.span,
                format!(
                    "unknown capability `{}`; expected one of: {}",
                    name.value,
                    known.join(", ")
                ),
            );
        } else if capabilities.iter().any(|known| known.name == name.value) {
            errors.at(
                name.span,
                format!("capability `{}` is declared twice", name.value),
            );
        }
        capabilities.push(plg::CapabilitySpec {
            name: name.value.clone(),
            kind,
            required: true,
        });
    }
    let mut runtime_targets = Vec::new();
    for target in &args.runtime_targets {
        if !plg::RUNTIME_TARGETS.contains(&target.value.as_str()) {
            errors.at(
                target.span,
                format!(
                    "unknown runtime target `{}`; expected one of: {}",
                    target.value,
                    plg::RUNTIME_TARGETS.join(", ")
                ),
            );
        }
        if target.value == "wasi" {
            for capability in &args.capabilities {
                if !plg::WASI_TARGET_CAPABILITIES.contains(&capability.value.as_str()) {
                    errors.at(
                        capability.span,
                        format!(
                            "the `wasi` runtime target allows only the {} capabilities",
                            plg::WASI_TARGET_CAPABILITIES.join(", ")
                        ),
                    );
                }
            }
        }
        runtime_targets.push(target.value.clone());
    }
    let method_input =
        |method: &args::Spanned<String>, input: &Option<String>, errors: &mut Errors| {
            let port = input.clone().unwrap_or_else(|| "request".to_string());
            match methods.iter().find(|known| known.method_id == method.value) {
                None => errors.at(
                    method.span,
                    format!("no method `{}` in this module", method.value),
                ),
                Some(known) if !known.inputs.iter().any(|p| p.port_id == port) => {
                    errors.at(
                        method.span,
                        format!("method `{}` has no input port `{port}`", method.value),
                    );
                }
                Some(_) => {}
            }
            port
        };
    let mut timers = Vec::new();
    for timer in &args.timers {
        let (Some(id), Some(method)) = (&timer.id, &timer.method) else {
            errors.at(
                timer.span,
                "a timer needs `id = \"...\"` and `method = \"...\"`",
            );
            continue;
        };
        let input = method_input(method, &timer.input, errors);
        timers.push(plg::TimerSpec {
            timer_id: id.clone(),
            method_id: method.value.clone(),
            input_port_id: Some(input),
            default_interval_ms: timer.interval_ms.unwrap_or(0),
            description: timer.description.clone(),
        });
    }
    let mut protocols = Vec::new();
    for protocol in &args.protocols {
        let (Some(id), Some(method)) = (&protocol.id, &protocol.method) else {
            errors.at(
                protocol.span,
                "a protocol needs `id = \"...\"` and `method = \"...\"`",
            );
            continue;
        };
        let input = method_input(method, &protocol.input, errors);
        protocols.push(plg::ProtocolSpec {
            protocol_id: id.clone(),
            method_id: method.value.clone(),
            input_port_id: Some(input),
            output_port_id: Some(
                protocol
                    .output
                    .clone()
                    .unwrap_or_else(|| "response".to_string()),
            ),
            description: protocol.description.clone(),
            wire_id: None,
            transport_kind: None,
            role: None,
            spec_uri: None,
            auto_install: protocol.auto_install,
            advertise: protocol.advertise,
            discovery_key: None,
            default_port: 0,
            require_secure_transport: false,
        });
    }
    plg::PlgSpec {
        plugin_id,
        name: args.name.clone().unwrap_or(package),
        version: args
            .version
            .clone()
            .or_else(|| env("CARGO_PKG_VERSION"))
            .unwrap_or_default(),
        description: args
            .description
            .clone()
            .or_else(|| env("CARGO_PKG_DESCRIPTION")),
        plugin_type,
        abi_version: 1,
        capabilities,
        methods,
        invoke_surfaces: vec![plg::surface::DIRECT],
        runtime_targets,
        timers,
        protocols,
        entry_functions: Vec::new(),
        required_schemas: Vec::new(),
    }
}
