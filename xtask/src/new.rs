//! `cargo xtask new NAME [--module] [--path DIR] [--sdk-path PATH]`: a new
//! plugin crate (or, with `--module`, a Space Data module crate) that builds
//! for `wasm32-wasip1`, passes its tests and passes `cargo xtask check`, as
//! generated.
//!
//! The crate depends on `sdn-pdk` (and `host-harness` for its tests) by
//! version, this workspace's own version; `--sdk-path` points both at an
//! sdn-pdk checkout instead. It carries its own `[workspace]` table so it
//! stands alone, and its `.cargo/config.toml` gets the `rustflags` of this
//! workspace's `[target.wasm32-wasip1]` table, the one place the server's
//! wasm feature set is written down. It is written next to the checkout
//! (`../NAME`) unless `--path` says where, and never inside the checkout.
//! Nothing is written unless every check passes first.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::workspace_root;

const CARGO_TOML: &str = include_str!("../templates/new/Cargo.toml.tmpl");
const CONFIG_TOML: &str = include_str!("../templates/new/config.toml.tmpl");
const BUILD_WASM: &str = include_str!("../templates/new/build_wasm.rs.tmpl");
const PLUGIN_LIB_RS: &str = include_str!("../templates/new/lib.rs.tmpl");
const PLUGIN_HARNESS_RS: &str = include_str!("../templates/new/harness.rs.tmpl");
const MODULE_LIB_RS: &str = include_str!("../templates/new/module/lib.rs.tmpl");
const MODULE_HARNESS_RS: &str = include_str!("../templates/new/module/harness.rs.tmpl");

/// The `[features]` table of a module crate.
const MODULE_FEATURES: &str = "
[features]
## The command surface: `_start` answers one PIV request from stdin on stdout.
command = [\"sdn-pdk/command\"]
";

/// The usage line of `new`.
/// The size budget a new legacy plugin's conformance test starts with
/// (the template's plugin is about 6 KB): room to grow, and a tripwire for a
/// dependency that pulls in `core::fmt` or a table-heavy crate.
const PLUGIN_BUDGET_BYTES: u64 = 16 * 1024;

/// The size budget a new module's conformance test starts with (the
/// template's module is about 47 KB, most of it the module ABI's
/// FlatBuffers verifier and encoder).
const MODULE_BUDGET_BYTES: u64 = 64 * 1024;

const USAGE: &str = "usage: cargo xtask new NAME [--module] [--path DIR] [--sdk-path PATH]";

/// Names cargo or Rust would trip over as a package or library name.
const RESERVED: &[&str] = &[
    "alloc",
    "core",
    "std",
    "test",
    "proc_macro",
    "self",
    "super",
    "crate",
    "sdn_pdk",
    "sdn_pdk_macros",
    "sdn_pdk_schemas",
    "host_harness",
];

/// Which ABI the new crate speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    /// A legacy plugin (`#[sdn_plugin]`, the `plugin_*` exports).
    #[default]
    Plugin,
    /// A Space Data module (`#[sdn_module]`, `plugin_invoke_stream` and a
    /// `$PLG` manifest), tested on the server's module host and the module
    /// SDK's.
    Module,
}

/// Where the new crate's `sdn-pdk` and `host-harness` come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkSource {
    /// The registry, at this version requirement.
    Version(String),
    /// An sdn-pdk checkout (its workspace root), by path.
    Checkout(PathBuf),
}

impl Default for SdkSource {
    /// This workspace's own version, from the registry.
    fn default() -> Self {
        SdkSource::Version(env!("CARGO_PKG_VERSION").to_owned())
    }
}

impl SdkSource {
    /// The `version = ".."` or `path = ".."` part of a dependency on `package`.
    fn dependency(&self, package: &str) -> String {
        match self {
            SdkSource::Version(version) => format!("version = \"{}\"", toml_string(version)),
            SdkSource::Checkout(root) => {
                format!(
                    "path = \"{}\"",
                    toml_string(&root.join(package).display().to_string())
                )
            }
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Plugin or module.
    pub kind: Kind,
    /// Registry versions or a checkout.
    pub sdk: SdkSource,
}

/// What was written.
#[derive(Debug)]
pub struct NewPlugin {
    /// The crate's directory.
    pub dir: PathBuf,
    /// The files written, relative to `dir`.
    pub files: Vec<PathBuf>,
}

/// Writes a crate called `name` into `dir`, which must not exist or be
/// empty, and must not be inside this checkout.
pub fn run(name: &str, dir: &Path, options: &Options) -> Result<NewPlugin> {
    validate_name(name)?;
    refuse_inside_checkout(dir)?;
    if dir.exists() {
        let mut entries =
            fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} exists and is not empty; choose another --path",
                dir.display()
            );
        }
    }
    if let SdkSource::Checkout(root) = &options.sdk {
        for package in ["sdn-pdk", "host-harness"] {
            if !root.join(package).join("Cargo.toml").is_file() {
                bail!(
                    "{} is not an sdn-pdk checkout: it has no {package}/Cargo.toml",
                    root.display()
                );
            }
        }
    }
    let (lib_rs, harness_rs, features, features_table, budget) = match options.kind {
        Kind::Plugin => (
            PLUGIN_LIB_RS,
            PLUGIN_HARNESS_RS,
            "\"allocator\", \"getrandom\"",
            "",
            PLUGIN_BUDGET_BYTES,
        ),
        Kind::Module => (
            MODULE_LIB_RS,
            MODULE_HARNESS_RS,
            "\"allocator\", \"getrandom\", \"module\"",
            MODULE_FEATURES,
            MODULE_BUDGET_BYTES,
        ),
    };
    let replacements = [
        ("{{build_wasm}}", BUILD_WASM.trim_end().to_owned()),
        ("{{budget}}", budget.to_string()),
        ("{{features_table}}", features_table.to_owned()),
        ("{{name}}", name.to_owned()),
        ("{{crate_name}}", name.replace('-', "_")),
        ("{{type_name}}", type_name(name)),
        ("{{sdn_pdk_source}}", options.sdk.dependency("sdn-pdk")),
        ("{{sdn_pdk_features}}", features.to_owned()),
        (
            "{{host_harness_source}}",
            options.sdk.dependency("host-harness"),
        ),
        ("{{wasm_rustflags}}", wasm_rustflags(&workspace_root())?),
    ];
    let files = [
        ("Cargo.toml", CARGO_TOML),
        (".cargo/config.toml", CONFIG_TOML),
        ("src/lib.rs", lib_rs),
        ("tests/harness.rs", harness_rs),
    ];
    let mut written = Vec::new();
    for (relative, template) in files {
        let mut text = template.to_owned();
        for (placeholder, value) in &replacements {
            text = text.replace(placeholder, value);
        }
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.push(PathBuf::from(relative));
    }
    Ok(NewPlugin {
        dir: dir.to_path_buf(),
        files: written,
    })
}

/// Where `new NAME` writes without `--path`: `NAME` beside the checkout.
pub fn default_dir(name: &str) -> PathBuf {
    let root = workspace_root();
    root.parent().unwrap_or(&root).join(name)
}

/// A crate name cargo accepts and that works as a library name: ASCII
/// letters, digits, `-` and `_`, starting with a letter, at most 64 bytes,
/// not a reserved name.
fn validate_name(name: &str) -> Result<()> {
    let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !starts_with_letter || !allowed || name.len() > 64 {
        bail!(
            "`{name}` is not a valid crate name: use ASCII letters, digits, `-` and `_`, \
             starting with a letter (at most 64 characters)"
        );
    }
    if RESERVED.contains(&name.replace('-', "_").as_str()) {
        bail!("`{name}` is reserved; choose another crate name");
    }
    Ok(())
}

/// Refuses a directory inside this checkout: a generated crate is a crate
/// of its own, and the checkout is not the place for it.
fn refuse_inside_checkout(dir: &Path) -> Result<()> {
    let root = fs::canonicalize(workspace_root())
        .with_context(|| format!("resolving {}", workspace_root().display()))?;
    if resolve(dir)?.starts_with(&root) {
        bail!(
            "{} is inside the sdn-pdk checkout {}; generate the crate elsewhere \
             (the default is ../NAME beside the checkout)",
            dir.display(),
            root.display()
        );
    }
    Ok(())
}

/// `path` made absolute with its existing part's symlinks resolved (the
/// rest need not exist yet).
fn resolve(path: &Path) -> Result<PathBuf> {
    let absolute =
        std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(file)) => {
                rest.push(file.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.iter().rev() {
        resolved.push(part);
    }
    Ok(resolved)
}

/// `my-plugin` → `MyPlugin`.
fn type_name(name: &str) -> String {
    name.split(['-', '_'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `text` as a TOML basic string's content.
fn toml_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The items of the `rustflags` array in the `[target.wasm32-wasip1]` table
/// of the workspace's `.cargo/config.toml`, one line each as written there,
/// without the comments.
fn wasm_rustflags(root: &Path) -> Result<String> {
    let path = root.join(".cargo").join("config.toml");
    let config =
        fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut flags = String::new();
    let mut in_table = false;
    let mut in_array = false;
    for line in config.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') && !in_array {
            in_table = trimmed == "[target.wasm32-wasip1]";
            continue;
        }
        if !in_table {
            continue;
        }
        if !in_array {
            if trimmed.starts_with("rustflags") {
                if !trimmed.ends_with('[') {
                    bail!(
                        "{}: write the wasm32-wasip1 rustflags one item a line",
                        path.display()
                    );
                }
                in_array = true;
            }
            continue;
        }
        if trimmed == "]" {
            in_array = false;
            in_table = false;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        flags.push_str("    ");
        flags.push_str(trimmed);
        flags.push('\n');
    }
    if flags.is_empty() {
        bail!(
            "{} has no rustflags in a [target.wasm32-wasip1] table",
            path.display()
        );
    }
    Ok(flags)
}

/// `new NAME [--module] [--path DIR] [--sdk-path PATH]`.
pub fn cli(args: &[String]) -> Result<()> {
    let mut name = None;
    let mut dir = None;
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--module" => options.kind = Kind::Module,
            "--path" => {
                let value = args.next().context("--path needs a directory")?;
                dir = Some(PathBuf::from(value));
            }
            "--sdk-path" => {
                let value = args
                    .next()
                    .context("--sdk-path needs an sdn-pdk checkout")?;
                // Absolute: the crate's Cargo.toml is read from elsewhere.
                let root =
                    std::path::absolute(value).with_context(|| format!("resolving {value}"))?;
                options.sdk = SdkSource::Checkout(root);
            }
            flag if flag.starts_with('-') => bail!("new: unknown option `{flag}` ({USAGE})"),
            value if name.is_none() => name = Some(value.to_owned()),
            extra => bail!("new: unexpected argument `{extra}` ({USAGE})"),
        }
    }
    let name = name.context(USAGE)?;
    // A relative --path is relative to where the command was typed, which
    // cargo passes on as the current directory.
    let dir = dir.unwrap_or_else(|| default_dir(&name));
    let plugin = run(&name, &dir, &options)?;
    let what = match options.kind {
        Kind::Plugin => "plugin",
        Kind::Module => "module",
    };
    println!("created {what} `{name}` in {}", plugin.dir.display());
    for file in &plugin.files {
        println!("  {}", file.display());
    }
    println!(
        "next: cd {} && cargo test && cargo build --lib --release --target wasm32-wasip1",
        plugin.dir.display()
    );
    if let SdkSource::Version(version) = &options.sdk {
        println!(
            "(sdn-pdk and host-harness {version} come from the registry; \
             --sdk-path PATH uses an sdn-pdk checkout instead)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-new-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn read(dir: &Path, file: &str) -> String {
        fs::read_to_string(dir.join(file)).unwrap()
    }

    #[test]
    fn invalid_names_are_refused_and_nothing_is_written() {
        for bad in [
            "",
            "1plugin",
            "my plugin",
            "plug/in",
            "std",
            "sdn-pdk",
            "é",
            &"a".repeat(65),
        ] {
            let dir = scratch("bad");
            let error = run(bad, &dir, &Options::default()).unwrap_err().to_string();
            assert!(error.contains(bad) || bad.is_empty(), "{error}");
            assert!(!dir.exists(), "nothing written for {bad:?}");
        }
    }

    #[test]
    fn a_non_empty_directory_is_refused_untouched() {
        let dir = scratch("busy");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("keep.txt"), "mine").unwrap();
        let error = run("busy", &dir, &Options::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("not empty"), "{error}");
        let entries: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(entries.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn nothing_is_written_inside_the_checkout() {
        for dir in [
            workspace_root().join("my-plugin"),
            workspace_root().join("examples").join("x").join("y"),
            workspace_root().join("examples").join("..").join("z"),
        ] {
            let error = run("my-plugin", &dir, &Options::default())
                .unwrap_err()
                .to_string();
            assert!(error.contains("inside the sdn-pdk checkout"), "{error}");
            assert!(!dir.exists());
        }
        let default = default_dir("my-plugin");
        assert!(
            !resolve(&default)
                .unwrap()
                .starts_with(fs::canonicalize(workspace_root()).unwrap())
        );
        assert_eq!(default.file_name().unwrap(), "my-plugin");
    }

    #[test]
    fn a_sdk_path_must_be_a_checkout() {
        let dir = scratch("sdk-path");
        let options = Options {
            sdk: SdkSource::Checkout(std::env::temp_dir()),
            ..Options::default()
        };
        let error = run("good", &dir, &options).unwrap_err().to_string();
        assert!(error.contains("not an sdn-pdk checkout"), "{error}");
        assert!(!dir.exists());
    }

    #[test]
    fn the_plugin_is_written_with_every_placeholder_filled() {
        let dir = scratch("good");
        let plugin = run("my-plugin", &dir, &Options::default()).unwrap();
        assert_eq!(plugin.files.len(), 4);
        for file in &plugin.files {
            let text = read(&dir, &file.display().to_string());
            assert!(
                !text.contains("{{"),
                "{} has an unfilled placeholder",
                file.display()
            );
        }
        assert!(read(&dir, "src/lib.rs").contains("pub struct MyPlugin"));
        let harness = read(&dir, "tests/harness.rs");
        assert!(harness.contains("OnceLock") && harness.contains("my_plugin.wasm"));
        assert!(
            !harness.contains(".expect(") && !harness.contains(":?"),
            "Display errors"
        );
        let manifest = read(&dir, "Cargo.toml");
        let version = env!("CARGO_PKG_VERSION");
        assert!(manifest.contains(&format!("sdn-pdk = {{ version = \"{version}\"")));
        assert!(manifest.contains(&format!("host-harness = {{ version = \"{version}\"")));
        assert!(manifest.contains("features = [\"allocator\", \"getrandom\"]"));
        assert!(!manifest.contains("path =") && !manifest.contains("[features]"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_config_carries_the_rustflags_and_nothing_else() {
        let dir = scratch("config");
        run("my-plugin", &dir, &Options::default()).unwrap();
        let config = read(&dir, ".cargo/config.toml");
        assert!(config.contains("[target.wasm32-wasip1]") && config.contains("target-cpu=mvp"));
        assert!(config.contains(r#""--cfg", 'getrandom_backend="custom"',"#));
        assert!(!config.contains("wasm32v1-none") && !config.contains("no_std"));
        assert!(!config.to_lowercase().contains("key broker"));
        assert_eq!(
            config.matches('[').count(),
            2,
            "one table, one array:\n{config}"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_module_is_written_with_its_features_and_both_host_tests() {
        let dir = scratch("module");
        let checkout = workspace_root();
        let options = Options {
            kind: Kind::Module,
            sdk: SdkSource::Checkout(checkout.clone()),
        };
        run("my-module", &dir, &options).unwrap();
        for file in [
            "Cargo.toml",
            ".cargo/config.toml",
            "src/lib.rs",
            "tests/harness.rs",
        ] {
            assert!(
                !read(&dir, file).contains("{{"),
                "{file} has an unfilled placeholder"
            );
        }
        let lib = read(&dir, "src/lib.rs");
        assert!(lib.contains("#[sdn_module(") && lib.contains("pub struct MyModule"));
        let harness = read(&dir, "tests/harness.rs");
        assert!(harness.contains("HostKind::Server") && harness.contains("HostKind::Sdk"));
        assert!(harness.contains("my_module.wasm"));
        let manifest = read(&dir, "Cargo.toml");
        let sdn_pdk = checkout.join("sdn-pdk").display().to_string();
        assert!(manifest.contains(&format!(
            "sdn-pdk = {{ path = \"{}\"",
            toml_string(&sdn_pdk)
        )));
        assert!(manifest.contains("\"allocator\", \"getrandom\", \"module\""));
        assert!(manifest.contains("command = [\"sdn-pdk/command\"]"));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn rustflags_come_from_the_table_without_comments() {
        let root = scratch("flags");
        fs::create_dir_all(root.join(".cargo")).unwrap();
        fs::write(
            root.join(".cargo/config.toml"),
            "[alias]\nx = \"y\"\n\n# about\n[target.wasm32-wasip1]\nrustflags = [\n    \"-C\", \"a\",\n    # why\n    \"--cfg\", 'b=\"c\"',\n]\n\n# other\n[target.other]\nrustflags = [\"z\"]\n",
        )
        .unwrap();
        assert_eq!(
            wasm_rustflags(&root).unwrap(),
            "    \"-C\", \"a\",\n    \"--cfg\", 'b=\"c\"',\n"
        );
        fs::write(
            root.join(".cargo/config.toml"),
            "[target.wasm32-wasip1]\nrustflags = [\"a\"]\n",
        )
        .unwrap();
        assert!(
            wasm_rustflags(&root)
                .unwrap_err()
                .to_string()
                .contains("one item a line")
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
