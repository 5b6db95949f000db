//! The getrandom routing rules, proven by running cargo on a tiny crate
//! outside the workspace (so the workspace's `.cargo/config.toml`, which
//! sets `--cfg getrandom_backend="custom"`, does not apply), the way a
//! plugin is built with `RUSTFLAGS` set or with `--manifest-path` from
//! another directory:
//!
//! * a legacy plugin with sdn-pdk's `getrandom` feature and without the cfg
//!   does not compile, and the message says where the cfg goes;
//! * with the cfg it compiles;
//! * a module (feature `module`) compiles without it: getrandom's WASI
//!   backend is real on the module hosts;
//! * natively, with `testing` and the cfg, getrandom draws from the mock
//!   host (`script_random`, `fail_random`).
//!
//! The probes share one target directory, `target/build-probes`, apart from
//! the one the running `cargo test` holds locked; after the first run only
//! sdn-pdk and the probe are rebuilt.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const WASM: &str = "wasm32-wasip1";
const CUSTOM_BACKEND: &str = "getrandom_backend=\"custom\"";

/// The probe's manifest; `{sdn_pdk}` is replaced by sdn-pdk's path.
const MANIFEST: &str = r#"[package]
name = "getrandom-cfg-probe"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[lib]
path = "lib.rs"

[features]
legacy = ["sdn-pdk/getrandom"]
module = ["sdn-pdk/getrandom", "sdn-pdk/module"]
mock = ["sdn-pdk/getrandom", "sdn-pdk/testing"]

[dependencies]
sdn-pdk = { path = "{sdn_pdk}", default-features = false }
getrandom = { version = "0.3", default-features = false }
"#;

/// The probe's code: nothing of its own on wasm32 (sdn-pdk's own build is
/// what is judged), a test of getrandom against the mock natively.
const LIB: &str = r#"#![no_std]

#[cfg(all(test, feature = "mock"))]
mod tests {
    #[test]
    fn getrandom_draws_from_the_mock_host() {
        let scripted: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        sdn_pdk::testing::script_random(&scripted);
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).unwrap();
        assert_eq!(bytes, scripted);
        assert_eq!(sdn_pdk::testing::random_call_lengths(), [16]);
        sdn_pdk::testing::fail_random(true);
        assert!(getrandom::fill(&mut bytes).is_err());
    }
}
"#;

fn sdn_pdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fresh copy of the probe crate for `case`, with the workspace's lock
/// file so the versions (and the build cache) are the workspace's.
fn probe(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "sdn-pdk-getrandom-probe-{}-{case}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let manifest = MANIFEST.replace("{sdn_pdk}", &sdn_pdk_dir().display().to_string());
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("lib.rs"), LIB).unwrap();
    let lock = sdn_pdk_dir().join("../Cargo.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).unwrap();
    dir
}

/// Runs cargo in `dir` with nothing from the environment that could add the
/// cfg (or another target directory).
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = sdn_pdk_dir().join("../target/build-probes");
    let output = Command::new(cargo)
        .current_dir(dir)
        .args(args)
        .arg("--target-dir")
        .arg(target_dir)
        .arg("--quiet")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .env_remove("CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
    output
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `--config` for `target`'s rustflags with the custom backend cfg.
fn custom_backend_for(target: &str) -> String {
    format!("target.{target}.rustflags=[\"--cfg\", '{CUSTOM_BACKEND}']")
}

#[test]
fn a_legacy_plugin_without_the_cfg_does_not_compile() {
    let output = cargo(
        &probe("legacy"),
        &["check", "--target", WASM, "--features", "legacy"],
    );
    let stderr = stderr(&output);
    assert!(!output.status.success(), "compiled without the cfg");
    for part in [
        "built with sdn-pdk's `getrandom` feature but without `--cfg getrandom_backend=\"custom\"`",
        "WASI `random_get`, a fixed-seed generator on the SDN server",
        "`rustflags` under `[target.wasm32-wasip1]` in the `.cargo/config.toml`",
        "`--manifest-path`",
        "`RUSTFLAGS`",
    ] {
        assert!(stderr.contains(part), "missing {part:?} in:\n{stderr}");
    }
}

#[test]
fn a_legacy_plugin_with_the_cfg_compiles() {
    let config = custom_backend_for(WASM);
    let output = cargo(
        &probe("legacy-cfg"),
        &[
            "check",
            "--target",
            WASM,
            "--features",
            "legacy",
            "--config",
            &config,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_module_compiles_without_the_cfg() {
    let output = cargo(
        &probe("module"),
        &["check", "--target", WASM, "--features", "module"],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn natively_with_testing_and_the_cfg_getrandom_draws_from_the_mock() {
    let host = host_triple();
    let config = custom_backend_for(&host);
    let output = cargo(
        &probe("mock"),
        &[
            "test",
            "--lib",
            "--target",
            &host,
            "--features",
            "mock",
            "--config",
            &config,
        ],
    );
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        stderr(&output)
    );
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("-vV").output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .unwrap()
        .to_string()
}
