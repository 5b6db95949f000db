//! Files that are not what the hosts load: an `.rlib`, a native library, a
//! debug build. Each gets one message saying what it is and what to build
//! instead, in place of a parse error.

use crate::parsed::Module;

/// What to build: the one command that makes the file the hosts load.
const BUILD: &str = "build the cdylib with `cargo build --release --target wasm32-wasip1` \
                     (crate-type = [\"cdylib\"]) and check \
                     target/wasm32-wasip1/release/<crate>.wasm";

/// The four bytes every wasm binary starts with.
const WASM_MAGIC: &[u8; 4] = b"\0asm";

/// The message for `bytes` when they are not a wasm binary at all, naming
/// what they look like; `None` for a wasm binary (a module or a component).
pub(crate) fn not_a_wasm_module(bytes: &[u8]) -> Option<String> {
    if bytes.starts_with(WASM_MAGIC) {
        return None;
    }
    let what = if bytes.starts_with(b"!<arch>\n") {
        "is an ar archive (an .rlib or a static library), not a .wasm"
    } else if bytes.starts_with(b"\x7fELF") {
        "is a native ELF binary (a .so or an executable for this machine), not a .wasm"
    } else if is_mach_o(bytes) {
        "is a native Mach-O binary (a .dylib or an executable), not a .wasm"
    } else if bytes.starts_with(b"MZ") {
        "is a native Windows PE binary (a .dll or an .exe), not a .wasm"
    } else if bytes.is_empty() {
        "is empty, not a .wasm"
    } else if bytes.starts_with(b"(module") || bytes.starts_with(b"(component") {
        "is WebAssembly text (.wat), not a binary .wasm"
    } else {
        "is not a wasm binary (it does not start with \\0asm)"
    };
    Some(format!("{what}: {BUILD}"))
}

/// Whether `bytes` start with a Mach-O magic number (32/64-bit, either byte
/// order, or a universal binary).
fn is_mach_o(bytes: &[u8]) -> bool {
    const MAGICS: [[u8; 4]; 5] = [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xcf, 0xfa, 0xed, 0xfe],
        [0xca, 0xfe, 0xba, 0xbe],
    ];
    MAGICS.iter().any(|magic| bytes.starts_with(magic))
}

/// The message for a debug build: a module that carries DWARF (`.debug_*`
/// custom sections), which a release build with the kit's profile strips.
pub(crate) fn debug_build(module: &Module) -> Option<String> {
    let dwarf: Vec<&str> = module
        .sections
        .iter()
        .filter_map(|(name, _)| name.strip_prefix("custom \""))
        .filter_map(|name| name.strip_suffix('"'))
        .filter(|name| name.starts_with(".debug_"))
        .collect();
    let first = dwarf.first()?;
    Some(format!(
        "is a debug build: it carries DWARF ({first} and {} more .debug_* sections), \
         which the server does not need and a release build strips: {BUILD}",
        dwarf.len() - 1
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_native_kind_is_named() {
        let cases: [(&[u8], &str); 6] = [
            (b"!<arch>\n/               0", "ar archive"),
            (b"\x7fELF\x02\x01\x01", "ELF"),
            (&[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1], "Mach-O"),
            (b"MZ\x90\0", "Windows PE"),
            (b"(module)", "WebAssembly text"),
            (b"", "empty"),
        ];
        for (bytes, what) in cases {
            let message = not_a_wasm_module(bytes).unwrap();
            assert!(message.contains(what), "{message}");
            assert!(
                message.contains("--release --target wasm32-wasip1"),
                "{message}"
            );
        }
        assert_eq!(not_a_wasm_module(b"\0asm\x01\0\0\0"), None);
    }
}
