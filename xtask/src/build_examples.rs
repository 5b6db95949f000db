//! `cargo xtask build-examples [EXAMPLE ...]`: builds the example plugins.
//!
//! Every crate under `examples/` is built for `wasm32-wasip1` with the
//! size-tuned `wasm-release` profile into its own target directory,
//! `target/wasm` (so it never waits on, or invalidates, the host build), and
//! the `.wasm` is copied to `target/plugins/<package>.wasm`.
//!
//! On a fresh machine this is the whole set-up: a missing `wasm32-wasip1`
//! target is installed with rustup first.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};

use crate::{cargo, command_output, display_path, run_command, thousands, workspace_root};

/// The target every plugin is built for.
pub const TARGET: &str = "wasm32-wasip1";
/// The cargo profile every plugin is built with (defined in the root `Cargo.toml`).
pub const PROFILE: &str = "wasm-release";

/// One example crate under `examples/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The package name (`key-broker`): also the plugin's file name.
    pub package: String,
    /// The library target's name (`key_broker`): the name of cargo's output.
    pub lib_name: String,
    /// The crate's directory.
    pub dir: PathBuf,
    /// Whether the crate has a `command` feature: a module whose command
    /// surface is built too, as `<package>-command.wasm`.
    pub has_command_feature: bool,
}

/// The feature a module crate names `command` (turning on sdn-pdk's
/// `command`), and the suffix of the plugin built with it.
pub const COMMAND_FEATURE: &str = "command";
const COMMAND_SUFFIX: &str = "-command";

/// A plugin that [`run`] built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltPlugin {
    /// The example's package name (`echo`, `key-broker`).
    pub name: String,
    /// Where the plugin is: [`plugin_path`]`(name)`.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// Where [`run`] puts the plugin built from example package `name`:
/// `<workspace>/target/plugins/<name>.wasm`.
pub fn plugin_path(name: &str) -> PathBuf {
    plugins_dir().join(format!("{name}.wasm"))
}

/// `<workspace>/target/plugins`.
pub fn plugins_dir() -> PathBuf {
    workspace_root().join("target").join("plugins")
}

/// Builds every example and copies it to [`plugin_path`], printing each size.
pub fn run() -> Result<Vec<BuiltPlugin>> {
    run_only(&[])
}

/// Builds the named examples (all of them when `names` is empty).
pub fn run_only(names: &[String]) -> Result<Vec<BuiltPlugin>> {
    let built = build_into(&select(names)?, &plugins_dir())?;
    for plugin in &built {
        println!(
            "{:>10} bytes  {}",
            thousands(plugin.size),
            display_path(&plugin.path)
        );
    }
    Ok(built)
}

/// Builds `crates` and copies each `.wasm` to `dest/<package>.wasm`, plus,
/// for a crate with a `command` feature, a second build with it to
/// `dest/<package>-command.wasm`.
fn build_into(crates: &[Example], dest: &Path) -> Result<Vec<BuiltPlugin>> {
    let target_dir = workspace_root().join("target").join("wasm");
    fs::create_dir_all(dest).with_context(|| format!("creating {}", dest.display()))?;
    let mut built = Vec::new();
    for plugin in crates {
        let mut variants = vec![(plugin.package.clone(), Vec::new())];
        if plugin.has_command_feature {
            variants.push((
                format!("{}{COMMAND_SUFFIX}", plugin.package),
                vec!["--features", COMMAND_FEATURE],
            ));
        }
        for (name, features) in variants {
            let out_dir = build(std::slice::from_ref(plugin), &target_dir, &features)?;
            let from = out_dir.join(format!("{}.wasm", plugin.lib_name));
            let to = dest.join(format!("{name}.wasm"));
            copy_atomically(&from, &to)?;
            let size = fs::metadata(&to)
                .with_context(|| format!("reading {}", to.display()))?
                .len();
            built.push(BuiltPlugin {
                name,
                path: to,
                size,
            });
        }
    }
    Ok(built)
}

/// Every example crate: each `examples/*/Cargo.toml`, sorted by package name.
pub fn examples() -> Result<Vec<Example>> {
    crates_in(&workspace_root().join("examples"))
}

/// Where the harness's own test plugins live (`host-harness/test-plugins/*`).
pub fn test_plugins_dir() -> PathBuf {
    workspace_root().join("target").join("test-plugins")
}

/// Every crate under `host-harness/test-plugins/` (small plugins that prove
/// one rule each: std linking, traps, memory exhaustion, …), sorted by
/// package name.
pub fn test_plugins() -> Result<Vec<Example>> {
    crates_in(&workspace_root().join("host-harness").join("test-plugins"))
}

/// Builds every [`test_plugins`] crate like the examples, into
/// `target/test-plugins/<package>.wasm`.
pub fn build_test_plugins() -> Result<Vec<BuiltPlugin>> {
    build_into(&test_plugins()?, &test_plugins_dir())
}

/// The crates directly under `dir` (each `dir/*/Cargo.toml`), sorted by package name.
fn crates_in(dir: &Path) -> Result<Vec<Example>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let crate_dir = entry?.path();
        let manifest = crate_dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = fs::read_to_string(&manifest)
            .with_context(|| format!("reading {}", manifest.display()))?;
        let (package, lib_name) = manifest_names(&text)
            .with_context(|| format!("{} has no [package] name", manifest.display()))?;
        found.push(Example {
            package,
            lib_name,
            dir: crate_dir,
            has_command_feature: has_feature(&text, COMMAND_FEATURE),
        });
    }
    found.sort_by(|a, b| a.package.cmp(&b.package));
    Ok(found)
}

/// The examples called `names` (all when empty), or an error naming the unknown ones.
pub(crate) fn select(names: &[String]) -> Result<Vec<Example>> {
    let all = examples()?;
    if all.is_empty() {
        bail!(
            "no examples found under {}",
            workspace_root().join("examples").display()
        );
    }
    if names.is_empty() {
        return Ok(all);
    }
    let mut chosen = Vec::new();
    for name in names {
        // Accept `key-broker`, `key_broker` or `examples/key-broker`.
        let wanted = name
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(name);
        match all
            .iter()
            .find(|e| e.package == wanted || e.lib_name == wanted)
        {
            Some(e) if !chosen.contains(e) => chosen.push(e.clone()),
            Some(_) => {}
            None => {
                let known: Vec<&str> = all.iter().map(|e| e.package.as_str()).collect();
                bail!(
                    "no example called `{name}` (examples: {})",
                    known.join(", ")
                );
            }
        }
    }
    Ok(chosen)
}

/// Splits command-line arguments into examples and `.wasm` files: an
/// argument that is not an existing file and names an example (`echo`,
/// `key_broker`) is that example; anything else is a file. No arguments mean
/// every example.
pub(crate) fn examples_and_files(args: &[PathBuf]) -> Result<(Vec<Example>, Vec<PathBuf>)> {
    if args.is_empty() {
        return Ok((examples()?, Vec::new()));
    }
    let all = examples()?;
    let (mut chosen, mut files) = (Vec::new(), Vec::new());
    for arg in args {
        let example = if arg.is_file() || arg.extension().is_some() {
            None
        } else {
            let name = arg.to_string_lossy();
            all.iter().find(|e| e.package == name || e.lib_name == name)
        };
        match example {
            Some(e) if !chosen.contains(e) => chosen.push(e.clone()),
            Some(_) => {}
            None => files.push(arg.clone()),
        }
    }
    Ok((chosen, files))
}

/// The package name and the library name from a `Cargo.toml`.
///
/// A line scan rather than a TOML parser, to keep xtask's dependencies few: it
/// reads `name = "…"` in the `[package]` and `[lib]` tables, which is all an
/// example's manifest needs. Without a `[lib] name`, cargo's default applies
/// (the package name with `-` replaced by `_`).
fn manifest_names(manifest: &str) -> Option<(String, String)> {
    let mut table = "";
    let mut package = None;
    let mut lib = None;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            table = line;
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "name" {
            continue;
        }
        let value = value.trim().trim_matches('"').to_owned();
        match table {
            "[package]" => package = Some(value),
            "[lib]" => lib = Some(value),
            _ => {}
        }
    }
    let package = package?;
    let lib = lib.unwrap_or_else(|| package.replace('-', "_"));
    Some((package, lib))
}

/// Whether a `Cargo.toml`'s `[features]` table defines `feature` (the same
/// line scan as [`manifest_names`]).
fn has_feature(manifest: &str, feature: &str) -> bool {
    let mut in_features = false;
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
            continue;
        }
        if in_features
            && line
                .split_once('=')
                .is_some_and(|(key, _)| key.trim().trim_matches('"') == feature)
        {
            return true;
        }
    }
    false
}

/// The cargo subcommand and flags that build a library as a `cdylib` only,
/// whatever its manifest's `crate-type` list says, so that the profile's
/// `lto = true` applies.
pub const CDYLIB_ONLY: [&str; 3] = ["rustc", "--crate-type", "cdylib"];

/// Extra rustflags of every release plugin build, as a `--config` value.
pub const RELEASE_RUSTFLAGS: &str =
    r#"target.wasm32-wasip1.rustflags=["-C", "link-arg=--compress-relocations"]"#;

/// `--remap-path-prefix` flags for the cargo registry and the workspace, as
/// a `--config` value appended to the wasm rustflags.
fn remap_path_prefixes() -> String {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default();
    let prefixes = [
        (cargo_home.join("registry").join("src"), "/registry"),
        (workspace_root(), "/sdn-pdk"),
    ];
    let flags: Vec<String> = prefixes
        .iter()
        .map(|(from, to)| format!("\"--remap-path-prefix={}={to}\"", from.display()))
        .collect();
    format!("target.{TARGET}.rustflags=[{}]", flags.join(", "))
}

/// Builds `examples` for [`TARGET`] with [`PROFILE`] into `target_dir`, with
/// `extra` cargo arguments; returns the directory holding the `.wasm` files.
pub(crate) fn build(examples: &[Example], target_dir: &Path, extra: &[&str]) -> Result<PathBuf> {
    // Tests in one process (host-harness's) may build at the same time: cargo
    // serialises the builds itself, this keeps the copies that follow in order.
    static BUILD_LOCK: Mutex<()> = Mutex::new(());
    let _guard = BUILD_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());

    ensure_target_installed()?;
    let remap = remap_path_prefixes();
    // One cargo invocation per crate: within one invocation cargo unifies
    // the features of a shared dependency, so a plugin built beside one that
    // turns on sdn-pdk's `std` would get `std` too (and lose its own panic
    // handler). Separately, each gets exactly the features it asks for.
    for example in examples {
        let mut cmd = cargo();
        // `cargo rustc --crate-type cdylib`, not `cargo build`: the examples
        // are `["cdylib", "rlib"]` (the rlib is for their integration tests),
        // and for a crate with both types cargo silently drops `lto = true`
        // (rustc cannot LTO an rlib; cargo#9672, rust#51009). Asking for the
        // cdylib alone restores LTO: the key broker is a quarter smaller.
        cmd.args(CDYLIB_ONLY)
            .args([
                "--lib",
                "--target",
                TARGET,
                "--profile",
                PROFILE,
                "--target-dir",
            ])
            .arg(target_dir);
        // Appended to the workspace's wasm rustflags (cargo concatenates
        // config arrays): wasm-ld's `--compress-relocations` rewrites the
        // padded LEB128 call and data indices the linker leaves behind,
        // about a tenth of a small module. It is release-only (it refuses
        // debug info), hence here rather than in `.cargo/config.toml`.
        cmd.args(["--config", RELEASE_RUSTFLAGS]);
        // Panic locations carry source paths into the module's data; shorten
        // the machine-specific prefixes (also keeps builds alike across
        // machines).
        cmd.args(["--config", &remap]);
        cmd.args(["--package", &example.package]);
        cmd.args(extra);
        run_command(&mut cmd)?;
    }
    Ok(target_dir.join(TARGET).join(PROFILE))
}

/// Installs the [`TARGET`] standard library with rustup when the toolchain
/// that builds the plugins does not have it.
pub(crate) fn ensure_target_installed() -> Result<()> {
    if target_installed()? {
        return Ok(());
    }
    println!("xtask: the {TARGET} target is missing; installing it with rustup");
    let mut cmd = std::process::Command::new("rustup");
    cmd.args(["target", "add", TARGET]);
    run_command(&mut cmd).with_context(|| {
        format!(
            "the {TARGET} target is not installed and `rustup target add {TARGET}` failed; \
             install it by hand for the toolchain that builds this workspace"
        )
    })
}

/// Whether the sysroot of the `rustc` cargo will use has the target's std.
///
/// The sysroot is asked rather than `rustup target list --installed`, so this
/// also works for a toolchain rustup does not manage. Run from the workspace
/// root, so a `rust-toolchain.toml` there picks the same toolchain cargo does.
fn target_installed() -> Result<bool> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = std::process::Command::new(rustc);
    cmd.current_dir(workspace_root())
        .args(["--print", "sysroot"]);
    let sysroot = command_output(&mut cmd)?;
    let lib_dir = Path::new(sysroot.trim())
        .join("lib")
        .join("rustlib")
        .join(TARGET)
        .join("lib");
    Ok(lib_dir.is_dir())
}

/// Copies `from` to `to` through a temporary file and a rename, so a reader
/// (or a concurrent copy) never sees a half-written plugin.
fn copy_atomically(from: &Path, to: &Path) -> Result<()> {
    let tmp = to.with_extension(format!("wasm.tmp{}", std::process::id()));
    fs::copy(from, &tmp)
        .with_context(|| format!("copying {} to {}", from.display(), tmp.display()))?;
    fs::rename(&tmp, to).with_context(|| format!("renaming {} to {}", tmp.display(), to.display()))
}

/// The command line: `build-examples [EXAMPLE ...]`.
pub fn cli(args: &[String]) -> Result<()> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        bail!("build-examples: unknown option `{flag}` (usage: build-examples [EXAMPLE ...])");
    }
    run_only(args).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lib_name_defaults_to_the_package_name_with_underscores() {
        let manifest = "[package]\nname = \"key-broker\" # the broker\nversion = \"0.1.0\"\n\n\
                        [lib]\ncrate-type = [\"cdylib\", \"rlib\"]\n\n[dependencies]\nname = \"x\"\n";
        assert_eq!(
            manifest_names(manifest),
            Some(("key-broker".to_owned(), "key_broker".to_owned()))
        );
    }

    #[test]
    fn an_explicit_lib_name_wins() {
        let manifest = "[lib]\nname = \"plug\"\n[package]\nname = \"echo\"\n";
        assert_eq!(
            manifest_names(manifest),
            Some(("echo".to_owned(), "plug".to_owned()))
        );
    }

    #[test]
    fn a_command_feature_is_found_in_the_features_table_only() {
        let manifest =
            "[package]\nname = \"m\"\n[features]\ndefault = []\ncommand = [\"sdn-pdk/command\"]\n";
        assert!(has_feature(manifest, "command"));
        assert!(!has_feature("[dependencies]\ncommand = \"1\"\n", "command"));
        assert!(!has_feature("[features]\ncommands = []\n", "command"));
    }

    #[test]
    fn plugin_paths_live_in_target_plugins() {
        assert_eq!(
            plugin_path("key-broker"),
            workspace_root().join("target/plugins/key-broker.wasm")
        );
    }

    #[test]
    fn every_example_directory_with_a_manifest_is_discovered() {
        let found = examples().unwrap();
        let dirs = fs::read_dir(workspace_root().join("examples")).unwrap();
        let with_manifest = dirs
            .filter(|d| d.as_ref().unwrap().path().join("Cargo.toml").is_file())
            .count();
        assert_eq!(found.len(), with_manifest);
        for example in &found {
            assert!(!example.lib_name.contains('-'), "{example:?}");
        }
    }

    #[test]
    fn the_wasm_target_check_asks_the_sysroot() {
        // Whatever the answer on this machine, asking must work.
        target_installed().unwrap();
    }

    #[test]
    fn unknown_examples_are_named_in_the_error() {
        if examples().unwrap().is_empty() {
            return;
        }
        let err = select(&["nope".to_owned()]).unwrap_err().to_string();
        assert!(err.contains("no example called `nope`"), "{err}");
    }
}
