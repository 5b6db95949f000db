impl sdn_pdk::Plugin for Echo {
    fn init(config: &[u8]) -> Result<Self, Error> {
        Ok(Echo)
    }
}
#[cfg(target_arch = "wasm32")]
const _: () = {
    static INSTANCE: ::sdn_pdk::__private::Slot<Echo> = ::sdn_pdk::__private::Slot::new();
    #[unsafe(no_mangle)]
    extern "C" fn plugin_init(cfg_ptr: *const u8, cfg_len: i32) -> i32 {
        unsafe { ::sdn_pdk::__private::plugin_init::<Echo>(&INSTANCE, cfg_ptr, cfg_len) }
    }
    #[unsafe(no_mangle)]
    extern "C" fn plugin_get_public_key(out_ptr: *mut u8, out_cap: i32) -> i32 {
        unsafe {
            ::sdn_pdk::__private::plugin_get_public_key::<
                Echo,
            >(&INSTANCE, out_ptr, out_cap)
        }
    }
    #[unsafe(no_mangle)]
    extern "C" fn plugin_get_metadata(out_ptr: *mut u8, out_cap: i32) -> i32 {
        unsafe {
            ::sdn_pdk::__private::plugin_get_metadata::<
                Echo,
            >(&INSTANCE, out_ptr, out_cap)
        }
    }
    #[unsafe(no_mangle)]
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
            >(&INSTANCE, req_ptr, req_len, host_ptr, out_ptr, out_cap, out_len_ptr)
        }
    }
    #[unsafe(no_mangle)]
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
            >(&INSTANCE, req_ptr, req_len, out_ptr, out_cap, out_len_ptr)
        }
    }
};
