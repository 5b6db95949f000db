//! Emits the impl, its `sdn_pdk::module::Module` impl (every target: the
//! method table, the manifest and the dispatch) and, on wasm32 only, the
//! exports and the `sds.manifest` section. Every path is absolute; generated
//! items carry `Span::mixed_site()` so they cannot clash with the user's.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use sdn_pdk_schemas::plg;

use super::validate::ModuleImpl;

pub(crate) fn module(module: &ModuleImpl) -> TokenStream {
    let span = Span::mixed_site();
    let item = &module.item;
    let ty = &module.self_ty;
    let methods = module.methods.iter().map(|(_, spec)| method_decl(spec));
    let arms = module
        .methods
        .iter()
        .enumerate()
        .map(|(index, (function, _))| {
            quote_spanned! {span=> #index => #ty::#function(self, call, out), }
        });
    let direct = &module.manifest_direct;
    let command = &module.manifest_command;
    let (direct_len, command_len) = (direct.len(), command.len());
    let section = sdn_pdk_schemas::manifest::CUSTOM_SECTION;
    quote_spanned! {span=>
        #item

        impl ::sdn_pdk::module::Module for #ty {
            const METHODS: &'static [::sdn_pdk::module::decl::MethodDecl] = &[#(#methods),*];
            const MANIFEST: &'static [u8] = ::sdn_pdk::__if_command!({ &[#(#command),*] } { &[#(#direct),*] });

            fn dispatch(
                &mut self,
                index: usize,
                call: &::sdn_pdk::module::Call<'_>,
                out: &mut ::sdn_pdk::module::Outputs<'_>,
            ) -> ::core::result::Result<(), ::sdn_pdk::module::MethodError> {
                match index {
                    #(#arms)*
                    _ => ::core::result::Result::Err(::sdn_pdk::module::MethodError::new(404, "unknown-method", "")),
                }
            }
        }

        #[cfg(target_arch = "wasm32")]
        const _: () = {
            ::sdn_pdk::__if_command! {
                {
                    // No `#[used]`: on wasm it would also copy the bytes into
                    // linear memory; the custom section is kept without it.
                    #[unsafe(link_section = #section)]
                    static MANIFEST_SECTION: [u8; #command_len] = [#(#command),*];

                    #[unsafe(no_mangle)]
                    extern "C" fn _start() {
                        ::sdn_pdk::__private::module::command_main::<#ty>(&INSTANCE)
                    }
                }
                {
                    #[unsafe(link_section = #section)]
                    static MANIFEST_SECTION: [u8; #direct_len] = [#(#direct),*];
                }
            }

            static INSTANCE: ::sdn_pdk::__private::Slot<#ty> = ::sdn_pdk::__private::Slot::new();

            #[unsafe(no_mangle)]
            extern "C" fn plugin_get_manifest_flatbuffer() -> i32 {
                <#ty as ::sdn_pdk::module::Module>::MANIFEST.as_ptr() as usize as i32
            }

            #[unsafe(no_mangle)]
            extern "C" fn plugin_get_manifest_flatbuffer_size() -> i32 {
                <#ty as ::sdn_pdk::module::Module>::MANIFEST.len() as i32
            }

            #[unsafe(no_mangle)]
            extern "C" fn plugin_alloc(size: u32) -> u32 {
                ::sdn_pdk::__private::module::plugin_alloc(size)
            }

            #[unsafe(no_mangle)]
            extern "C" fn plugin_free(ptr: u32, size: u32) {
                ::sdn_pdk::__private::module::plugin_free(ptr, size)
            }

            #[unsafe(no_mangle)]
            extern "C" fn plugin_invoke_stream(req: u32, req_len: u32, resp_len_out: u32) -> u32 {
                ::sdn_pdk::__private::module::plugin_invoke_stream::<#ty>(&INSTANCE, req, req_len, resp_len_out)
            }
        };
    }
}

/// One `MethodDecl` literal.
fn method_decl(spec: &plg::MethodSpec) -> TokenStream {
    let id = &spec.method_id;
    let max_batch = spec.max_batch;
    let inputs = spec.inputs.iter().map(port_decl);
    let outputs = spec.outputs.iter().map(port_decl);
    quote! {
        ::sdn_pdk::module::decl::MethodDecl {
            id: #id,
            max_batch: #max_batch,
            inputs: &[#(#inputs),*],
            outputs: &[#(#outputs),*],
        }
    }
}

fn port_decl(port: &plg::PortSpec) -> TokenStream {
    let id = &port.port_id;
    let required = port.required;
    let types = port
        .type_sets
        .iter()
        .flat_map(|set| set.allowed_types.iter())
        .map(|ty| {
            let (schema, identifier, root) = (&ty.schema_name, &ty.file_identifier, &ty.root_type);
            let version = ty.schema_version.clone().unwrap_or_default();
            let (wire_format, byte_length, alignment) =
                (ty.wire_format, ty.byte_length, ty.required_alignment);
            quote! {
                ::sdn_pdk::module::decl::TypeDecl {
                    schema_name: #schema,
                    file_identifier: #identifier,
                    root_type: #root,
                    schema_version: #version,
                    wire_format: #wire_format,
                    byte_length: #byte_length,
                    required_alignment: #alignment,
                }
            }
        });
    quote! {
        ::sdn_pdk::module::decl::PortDecl { id: #id, required: #required, types: &[#(#types),*] }
    }
}
