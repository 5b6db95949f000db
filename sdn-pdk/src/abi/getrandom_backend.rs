//! getrandom's custom backend: where `getrandom` 0.3 and 0.4 (what
//! RustCrypto and `std`'s hash seeds use) take their bytes from in a plugin.
//!
//! Both versions look up one symbol, `__getrandom_v03_custom`, when built
//! with `--cfg getrandom_backend="custom"`; without the cfg they use their
//! default backend, which on `wasm32-wasip1` is WASI `random_get`: a
//! fixed-seed generator on the legacy server, the same bytes on every
//! server, every start. The cfg is a rustflag, and rustflags are easy to
//! lose (a `RUSTFLAGS` variable replaces the config file's, and cargo reads
//! `.cargo/config.toml` from the directory it runs in, not from the
//! `--manifest-path`), so a legacy plugin built with the `getrandom`
//! feature and without the cfg does not compile.
//!
//! | build | `__getrandom_v03_custom` draws from |
//! |---|---|
//! | legacy plugin (wasm32) | `sdn.random_bytes` through [`crate::host::random_bytes`] |
//! | module (wasm32, feature `module`) | WASI `random_get` through [`crate::host::random_bytes`] (real on the module hosts; without the cfg getrandom reaches it directly) |
//! | native with `testing` and the cfg | the mock host, so `testing::script_random` and `fail_random` reach getrandom too |
//! | native, otherwise | not defined: getrandom uses the OS |

#[cfg(all(
    target_arch = "wasm32",
    feature = "getrandom",
    not(feature = "module"),
    not(getrandom_backend = "custom")
))]
compile_error!(
    "sdn-pdk: this legacy plugin is built with sdn-pdk's `getrandom` feature but without \
     `--cfg getrandom_backend=\"custom\"`, so getrandom would draw from WASI `random_get`, a \
     fixed-seed generator on the SDN server. Put `\"--cfg\", 'getrandom_backend=\"custom\"'` \
     in `rustflags` under `[target.wasm32-wasip1]` in the `.cargo/config.toml` of the \
     directory cargo runs in (cargo does not read it from a `--manifest-path` elsewhere), and \
     in `RUSTFLAGS` too if you set it (it replaces the config's rustflags); or build \
     sdn-pdk without its `getrandom` feature (`default-features = false`)."
);

/// Fills `dest .. dest + len` from [`crate::host::random_bytes`].
///
/// # Safety
///
/// `dest .. dest + len` is writable (getrandom's contract).
#[cfg(any(
    all(target_arch = "wasm32", feature = "getrandom"),
    all(
        not(target_arch = "wasm32"),
        any(test, feature = "testing"),
        getrandom_backend = "custom"
    )
))]
#[unsafe(no_mangle)]
unsafe extern "Rust" fn __getrandom_v03_custom(
    dest: *mut u8,
    len: usize,
) -> Result<(), getrandom::Error> {
    if len == 0 {
        return Ok(());
    }
    // SAFETY: getrandom hands a writable buffer of `len` bytes; zeroing it
    // first initialises every byte the slice exposes.
    let buf = unsafe {
        core::ptr::write_bytes(dest, 0, len);
        core::slice::from_raw_parts_mut(dest, len)
    };
    crate::host::random_bytes(buf).map_err(|_| getrandom::Error::new_custom(1))
}
