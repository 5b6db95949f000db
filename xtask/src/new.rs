//! `cargo xtask new NAME [--path DIR]`: a new plugin crate that builds for
//! `wasm32-wasip1`, passes its tests and passes `cargo xtask check`, as
//! generated.
//!
//! The crate depends on this workspace's `sdn-pdk` (and `host-harness` for
//! its tests) by path, carries its own `[workspace]` table so it stands
//! alone, and copies the `[target.wasm32-wasip1]` table of this workspace's
//! `.cargo/config.toml`, the one place the server's wasm feature set is
//! written down. Nothing is written unless every check passes first.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::workspace_root;

const CARGO_TOML: &str = include_str!("../templates/new/Cargo.toml.tmpl");
const CONFIG_TOML: &str = include_str!("../templates/new/config.toml.tmpl");
const LIB_RS: &str = include_str!("../templates/new/lib.rs.tmpl");
const HARNESS_RS: &str = include_str!("../templates/new/harness.rs.tmpl");

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
    "host_harness",
];

/// What was written.
#[derive(Debug)]
pub struct NewPlugin {
    /// The crate's directory.
    pub dir: PathBuf,
    /// The files written, relative to `dir`.
    pub files: Vec<PathBuf>,
}

/// Writes a plugin crate called `name` into `dir` (which must not exist or
/// be empty).
pub fn run(name: &str, dir: &Path) -> Result<NewPlugin> {
    validate_name(name)?;
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
    let root = workspace_root();
    let replacements = [
        ("{{name}}", name.to_owned()),
        ("{{crate_name}}", name.replace('-', "_")),
        ("{{type_name}}", type_name(name)),
        ("{{sdn_pdk}}", toml_path(&root.join("sdn-pdk"))),
        ("{{host_harness}}", toml_path(&root.join("host-harness"))),
        ("{{wasm_target_table}}", wasm_target_table(&root)?),
    ];
    let files = [
        ("Cargo.toml", CARGO_TOML),
        (".cargo/config.toml", CONFIG_TOML),
        ("src/lib.rs", LIB_RS),
        ("tests/harness.rs", HARNESS_RS),
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

/// A path as a TOML basic string's content.
fn toml_path(path: &Path) -> String {
    path.display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
}

/// The `[target.wasm32-wasip1]` table of the workspace's `.cargo/config.toml`,
/// verbatim, up to the next table.
fn wasm_target_table(root: &Path) -> Result<String> {
    let path = root.join(".cargo").join("config.toml");
    let config =
        fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut table = String::new();
    let mut inside = false;
    for line in config.lines() {
        if line.starts_with('[') {
            inside = line.trim() == "[target.wasm32-wasip1]";
        }
        if inside {
            table.push_str(line);
            table.push('\n');
        }
    }
    if table.is_empty() {
        bail!("{} has no [target.wasm32-wasip1] table", path.display());
    }
    Ok(table.trim_end().to_owned() + "\n")
}

/// `new NAME [--path DIR]`.
pub fn cli(args: &[String]) -> Result<()> {
    let mut name = None;
    let mut dir = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--path" => {
                let value = args.next().context("--path needs a directory")?;
                dir = Some(PathBuf::from(value));
            }
            flag if flag.starts_with('-') => {
                bail!("new: unknown option `{flag}` (usage: new NAME [--path DIR])")
            }
            value if name.is_none() => name = Some(value.to_owned()),
            extra => bail!("new: unexpected argument `{extra}` (usage: new NAME [--path DIR])"),
        }
    }
    let name = name.context("usage: cargo xtask new NAME [--path DIR]")?;
    let dir = dir.unwrap_or_else(|| PathBuf::from(&name));
    // xtask runs from anywhere; a relative --path is relative to where the
    // user typed the command, which cargo passes as the current directory.
    let plugin = run(&name, &dir)?;
    println!("created plugin `{name}` in {}", plugin.dir.display());
    for file in &plugin.files {
        println!("  {}", file.display());
    }
    println!(
        "next: cd {} && cargo test && cargo build --release --target wasm32-wasip1",
        plugin.dir.display()
    );
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
            let error = run(bad, &dir).unwrap_err().to_string();
            assert!(error.contains(bad) || bad.is_empty(), "{error}");
            assert!(!dir.exists(), "nothing written for {bad:?}");
        }
    }

    #[test]
    fn a_non_empty_directory_is_refused_untouched() {
        let dir = scratch("busy");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("keep.txt"), "mine").unwrap();
        let error = run("busy", &dir).unwrap_err().to_string();
        assert!(error.contains("not empty"), "{error}");
        let entries: Vec<_> = fs::read_dir(&dir).unwrap().collect();
        assert_eq!(entries.len(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_crate_is_written_with_every_placeholder_filled() {
        let dir = scratch("good");
        let plugin = run("my-plugin", &dir).unwrap();
        assert_eq!(plugin.files.len(), 4);
        for file in &plugin.files {
            let text = fs::read_to_string(dir.join(file)).unwrap();
            assert!(
                !text.contains("{{"),
                "{} has an unfilled placeholder",
                file.display()
            );
        }
        let lib = fs::read_to_string(dir.join("src/lib.rs")).unwrap();
        assert!(lib.contains("pub struct MyPlugin"));
        let config = fs::read_to_string(dir.join(".cargo/config.toml")).unwrap();
        assert!(config.contains("[target.wasm32-wasip1]") && config.contains("target-cpu=mvp"));
        fs::remove_dir_all(&dir).unwrap();
    }
}
