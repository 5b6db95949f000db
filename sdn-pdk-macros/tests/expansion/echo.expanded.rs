impl sdn_pdk::Plugin for Echo {
    fn init(config: &[u8]) -> Result<Self, Error> {
        Ok(Echo)
    }
}
#[cfg_attr(
    not(target_arch = "wasm32"),
    allow(dead_code, reason = "exported on wasm32; elsewhere only type-checked")
)]
const _: () = {
    #[cfg_attr(target_arch = "wasm32", unsafe(link_section = "sds.manifest"))]
    static MANIFEST_SECTION: [u8; 172usize] = [
        36u8, 0u8, 0u8, 0u8, 80u8, 77u8, 65u8, 78u8, 0u8, 0u8, 26u8, 0u8, 28u8, 0u8, 8u8,
        0u8, 12u8, 0u8, 16u8, 0u8, 7u8, 0u8, 0u8, 0u8, 20u8, 0u8, 0u8, 0u8, 0u8, 0u8,
        0u8, 0u8, 0u8, 0u8, 24u8, 0u8, 26u8, 0u8, 0u8, 0u8, 0u8, 0u8, 0u8, 3u8, 20u8,
        0u8, 0u8, 0u8, 28u8, 0u8, 0u8, 0u8, 44u8, 0u8, 0u8, 0u8, 52u8, 0u8, 0u8, 0u8,
        1u8, 0u8, 0u8, 0u8, 4u8, 0u8, 0u8, 0u8, 101u8, 99u8, 104u8, 111u8, 0u8, 0u8, 0u8,
        0u8, 14u8, 0u8, 0u8, 0u8, 115u8, 100u8, 110u8, 45u8, 112u8, 100u8, 107u8, 45u8,
        109u8, 97u8, 99u8, 114u8, 111u8, 115u8, 0u8, 0u8, 5u8, 0u8, 0u8, 0u8, 49u8, 46u8,
        48u8, 46u8, 48u8, 0u8, 0u8, 0u8, 3u8, 0u8, 0u8, 0u8, 52u8, 0u8, 0u8, 0u8, 28u8,
        0u8, 0u8, 0u8, 4u8, 0u8, 0u8, 0u8, 246u8, 255u8, 255u8, 255u8, 0u8, 0u8, 0u8,
        1u8, 2u8, 0u8, 10u8, 0u8, 10u8, 0u8, 8u8, 0u8, 0u8, 0u8, 7u8, 0u8, 10u8, 0u8,
        0u8, 0u8, 0u8, 0u8, 0u8, 1u8, 1u8, 0u8, 10u8, 0u8, 8u8, 0u8, 6u8, 0u8, 0u8, 0u8,
        5u8, 0u8, 10u8, 0u8, 0u8, 0u8, 0u8, 1u8, 0u8, 0u8,
    ];
    static MANIFEST: [u8; 172usize] = [
        36u8, 0u8, 0u8, 0u8, 80u8, 77u8, 65u8, 78u8, 0u8, 0u8, 26u8, 0u8, 28u8, 0u8, 8u8,
        0u8, 12u8, 0u8, 16u8, 0u8, 7u8, 0u8, 0u8, 0u8, 20u8, 0u8, 0u8, 0u8, 0u8, 0u8,
        0u8, 0u8, 0u8, 0u8, 24u8, 0u8, 26u8, 0u8, 0u8, 0u8, 0u8, 0u8, 0u8, 3u8, 20u8,
        0u8, 0u8, 0u8, 28u8, 0u8, 0u8, 0u8, 44u8, 0u8, 0u8, 0u8, 52u8, 0u8, 0u8, 0u8,
        1u8, 0u8, 0u8, 0u8, 4u8, 0u8, 0u8, 0u8, 101u8, 99u8, 104u8, 111u8, 0u8, 0u8, 0u8,
        0u8, 14u8, 0u8, 0u8, 0u8, 115u8, 100u8, 110u8, 45u8, 112u8, 100u8, 107u8, 45u8,
        109u8, 97u8, 99u8, 114u8, 111u8, 115u8, 0u8, 0u8, 5u8, 0u8, 0u8, 0u8, 49u8, 46u8,
        48u8, 46u8, 48u8, 0u8, 0u8, 0u8, 3u8, 0u8, 0u8, 0u8, 52u8, 0u8, 0u8, 0u8, 28u8,
        0u8, 0u8, 0u8, 4u8, 0u8, 0u8, 0u8, 246u8, 255u8, 255u8, 255u8, 0u8, 0u8, 0u8,
        1u8, 2u8, 0u8, 10u8, 0u8, 10u8, 0u8, 8u8, 0u8, 0u8, 0u8, 7u8, 0u8, 10u8, 0u8,
        0u8, 0u8, 0u8, 0u8, 0u8, 1u8, 1u8, 0u8, 10u8, 0u8, 8u8, 0u8, 6u8, 0u8, 0u8, 0u8,
        5u8, 0u8, 10u8, 0u8, 0u8, 0u8, 0u8, 1u8, 0u8, 0u8,
    ];
    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    extern "C" fn plugin_get_manifest_flatbuffer() -> i32 {
        MANIFEST.as_ptr() as usize as i32
    }
    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    extern "C" fn plugin_get_manifest_flatbuffer_size() -> i32 {
        172usize as i32
    }
    static INSTANCE: ::sdn_pdk::__private::ExportSlot<Echo> = unsafe {
        ::sdn_pdk::__private::ExportSlot::new()
    };
    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    extern "C" fn plugin_init(cfg_ptr: *const u8, cfg_len: i32) -> i32 {
        unsafe {
            ::sdn_pdk::__private::plugin_init::<Echo>(INSTANCE.slot(), cfg_ptr, cfg_len)
        }
    }
    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    extern "C" fn plugin_get_public_key(out_ptr: *mut u8, out_cap: i32) -> i32 {
        unsafe {
            ::sdn_pdk::__private::plugin_get_public_key::<
                Echo,
            >(INSTANCE.slot(), out_ptr, out_cap)
        }
    }
    #[cfg_attr(target_arch = "wasm32", unsafe(no_mangle))]
    extern "C" fn plugin_get_metadata(out_ptr: *mut u8, out_cap: i32) -> i32 {
        unsafe {
            ::sdn_pdk::__private::plugin_get_metadata::<
                Echo,
            >(INSTANCE.slot(), out_ptr, out_cap)
        }
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
        unsafe {
            ::sdn_pdk::__private::plugin_handle_request::<
                Echo,
            >(INSTANCE.slot(), req_ptr, req_len, host_ptr, out_ptr, out_cap, out_len_ptr)
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
        unsafe {
            ::sdn_pdk::__private::plugin_request_challenge::<
                Echo,
            >(INSTANCE.slot(), req_ptr, req_len, out_ptr, out_cap, out_len_ptr)
        }
    }
};
