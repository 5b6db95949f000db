//! Emit the impl unchanged plus the `extern "C"` shims.
//!
//! Each shim is one call into `::sdn_pdk::__private`. The generated items
//! carry `Span::mixed_site()` so they count as macro-made: lints such as
//! `unsafe_code` in the user's crate do not fire on them, and their names
//! cannot clash with the user's.
//!
//! The whole expansion exists on every target, so native `cargo check`,
//! rust-analyzer and the trybuild pass cases type-check it; only what makes
//! the shims exports (`no_mangle`) and the manifest a custom section
//! (`link_section`) is wasm32-only. Natively the shims stay private items of
//! an anonymous const: nothing can name or call them.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;

use crate::validate::PluginImpl;

/// The user's impl followed by the exports (exported on wasm32 only).
pub(crate) fn exports(plugin: &PluginImpl) -> TokenStream {
    let item = &plugin.item;
    let ty = &plugin.self_ty;
    let span = Span::mixed_site();
    let manifest = manifest(plugin, span);
    let exports = quote_spanned! {span=>
        #[cfg_attr(
            not(target_arch = "wasm32"),
            allow(dead_code, reason = "exported on wasm32; elsewhere only type-checked")
        )]
        const _: () = {
            #manifest

            // SAFETY: the static is private to this anonymous const, so only
            // the shims below reach it.
            static INSTANCE: ::sdn_pdk::__private::ExportSlot<#ty> =
                unsafe { ::sdn_pdk::__private::ExportSlot::new() };

            #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
            extern "C" fn plugin_init(cfg_ptr: *const u8, cfg_len: i32) -> i32 {
                // SAFETY: the server passes a buffer it owns for the call and
                // serialises calls, so the instance is not borrowed elsewhere.
                unsafe { ::sdn_pdk::__private::plugin_init::<#ty>(INSTANCE.slot(), cfg_ptr, cfg_len) }
            }

            #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
            extern "C" fn plugin_get_public_key(out_ptr: *mut u8, out_cap: i32) -> i32 {
                // SAFETY: as for plugin_init.
                unsafe { ::sdn_pdk::__private::plugin_get_public_key::<#ty>(INSTANCE.slot(), out_ptr, out_cap) }
            }

            #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
            extern "C" fn plugin_get_metadata(out_ptr: *mut u8, out_cap: i32) -> i32 {
                // SAFETY: as for plugin_init.
                unsafe { ::sdn_pdk::__private::plugin_get_metadata::<#ty>(INSTANCE.slot(), out_ptr, out_cap) }
            }

            #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
            extern "C" fn plugin_handle_request(
                req_ptr: *const u8,
                req_len: i32,
                host_ptr: *const u8,
                out_ptr: *mut u8,
                out_cap: i32,
                out_len_ptr: *mut u8,
            ) -> i32 {
                // SAFETY: as for plugin_init.
                unsafe {
                    ::sdn_pdk::__private::plugin_handle_request::<#ty>(
                        INSTANCE.slot(), req_ptr, req_len, host_ptr, out_ptr, out_cap, out_len_ptr,
                    )
                }
            }

            #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
            extern "C" fn plugin_request_challenge(
                req_ptr: *const u8,
                req_len: i32,
                out_ptr: *mut u8,
                out_cap: i32,
                out_len_ptr: *mut u8,
            ) -> i32 {
                // SAFETY: as for plugin_init.
                unsafe {
                    ::sdn_pdk::__private::plugin_request_challenge::<#ty>(
                        INSTANCE.slot(), req_ptr, req_len, out_ptr, out_cap, out_len_ptr,
                    )
                }
            }
        };
    };
    quote_spanned! {span=>
        #item
        #exports
    }
}

/// The manifest as a `sds.manifest` custom section (built at compile time:
/// nothing is built, allocated or parsed at run time), plus, when asked for,
/// a copy in linear memory and the two accessor exports.
fn manifest(plugin: &PluginImpl, span: Span) -> TokenStream {
    let bytes = &plugin.manifest;
    let len = bytes.len();
    let section = sdn_pdk_schemas::manifest::CUSTOM_SECTION;
    let custom_section = quote_spanned! {span=>
        // No `#[used]`: on wasm it would also copy the bytes into linear
        // memory; the custom section is kept without it.
        #[cfg_attr(target_arch = "wasm32", unsafe(link_section = #section))]
        static MANIFEST_SECTION: [u8; #len] = [#(#bytes),*];
    };
    if !plugin.manifest_exports {
        return custom_section;
    }
    quote_spanned! {span=>
        #custom_section

        // A custom section is not addressable: the exports hand out a copy
        // that lives in linear memory.
        static MANIFEST: [u8; #len] = [#(#bytes),*];

        #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
        extern "C" fn plugin_get_manifest_flatbuffer() -> i32 {
            MANIFEST.as_ptr() as usize as i32
        }

        #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
        extern "C" fn plugin_get_manifest_flatbuffer_size() -> i32 {
            #len as i32
        }
    }
}
