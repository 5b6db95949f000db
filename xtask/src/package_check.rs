//! `cargo xtask package-check [--keep]`: the published form of the kit,
//! proved without a registry upload.
//!
//! 1. `cargo publish --dry-run` of the five published crates, in
//!    dependency order ([`PUBLISHED`]): each is packaged and its packaged
//!    form built, the later ones against the earlier ones' packages, and
//!    host-harness with its `cli` feature (the command `cargo install
//!    host-harness --features cli` installs).
//! 2. A local registry, a cargo `directory` source: every third-party crate
//!    a new plugin needs (`cargo vendor` of a `--sdk-path` crate, this
//!    workspace's `Cargo.lock`), plus the five `.crate` files of step 1
//!    unpacked, each with the `.cargo-checksum.json` cargo verifies.
//! 3. A plugin and a module from `cargo xtask new` with its default
//!    dependencies (`version = ...` only), built and tested **offline**
//!    against that registry, which replaces crates.io, and checked.
//!
//! Step 1 and the vendoring read the crates.io index and cargo's download
//! cache (they fetch what is missing); step 3 uses no network at all.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::{build_examples, cargo, check, command_output, new, run_command, workspace_root};

/// The published crates, each after those it depends on.
pub const PUBLISHED: [&str; 5] = [
    "sdn-pdk-schemas",
    "sdn-pdk-macros",
    "sdn-pdk",
    "sdn-pdk-check",
    "host-harness",
];

/// The version every published crate carries: the workspace's.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Runs the three steps in a temporary directory (outside the checkout, as
/// a user's crate would be); `keep` leaves it for inspection.
pub fn run(keep: bool) -> Result<PathBuf> {
    let scratch =
        std::env::temp_dir().join(format!("sdn-pdk-package-check-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let result = steps(&scratch);
    if !keep {
        let _ = fs::remove_dir_all(&scratch);
    }
    result.map(|()| scratch)
}

fn steps(scratch: &Path) -> Result<()> {
    let crates = publish_dry_run()?;
    let registry = scratch.join("registry");
    vendor_dependencies(scratch, &registry)?;
    for (name, file) in &crates {
        add_crate(&registry, name, file)?;
    }
    // What a user writes to use this registry instead of crates.io; found
    // by cargo from any crate below `scratch`, the nested `.wasm` build of
    // tests/harness.rs included.
    let config = format!(
        "[source.crates-io]\nreplace-with = \"sdn-pdk-local\"\n\n\
         [source.sdn-pdk-local]\ndirectory = \"{}\"\n\n[net]\noffline = true\n",
        toml_string(&registry.display().to_string())
    );
    fs::create_dir_all(scratch.join(".cargo"))?;
    fs::write(scratch.join(".cargo").join("config.toml"), config)?;
    for (name, kind) in [
        ("probe-plugin", new::Kind::Plugin),
        ("probe-module", new::Kind::Module),
    ] {
        let dir = scratch.join(name);
        new::run(
            name,
            &dir,
            &new::Options {
                kind,
                ..new::Options::default()
            },
        )?;
        test_offline(&dir, name)?;
    }
    println!(
        "package-check: {} packaged, and a new plugin and module built and tested offline \
         against them with version dependencies only",
        PUBLISHED.join(", ")
    );
    Ok(())
}

/// Step 1: `cargo publish --dry-run -p …` for [`PUBLISHED`]; the `.crate`
/// files it leaves in `target/package/`.
fn publish_dry_run() -> Result<Vec<(&'static str, PathBuf)>> {
    let mut cmd = cargo();
    // --allow-dirty: the check is about the packaged form, not about
    // whether the work tree is committed.
    cmd.args(["publish", "--dry-run", "--allow-dirty"]);
    for name in PUBLISHED {
        cmd.args(["--package", name]);
    }
    // host-harness's command too: what `cargo install host-harness
    // --features cli` builds, from the packaged files alone.
    cmd.args(["--features", "host-harness/cli"]);
    run_command(&mut cmd)?;
    // The dry run verified them; this writes the `.crate` files where
    // `cargo package` always does (the dry run keeps them internal).
    let mut cmd = cargo();
    cmd.args(["package", "--no-verify", "--allow-dirty"]);
    for name in PUBLISHED {
        cmd.args(["--package", name]);
    }
    run_command(&mut cmd)?;
    let package_dir = target_dir()?.join("package");
    PUBLISHED
        .iter()
        .map(|name| {
            let file = package_dir.join(format!("{name}-{VERSION}.crate"));
            if file.is_file() {
                Ok((*name, file))
            } else {
                bail!("cargo publish --dry-run left no {}", file.display())
            }
        })
        .collect()
}

/// Step 2a: every third-party crate a new crate needs, vendored into
/// `registry` from a `--sdk-path` crate locked like this workspace.
fn vendor_dependencies(scratch: &Path, registry: &Path) -> Result<()> {
    let dir = scratch.join("vendor-probe");
    // The module crate's graph is the plugin's plus the module feature's
    // dependencies (flatbuffers); one vendor covers both.
    let options = new::Options {
        kind: new::Kind::Module,
        sdk: new::SdkSource::Checkout(workspace_root()),
    };
    new::run("vendor-probe", &dir, &options)?;
    fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))?;
    // Its output is the config snippet step 2 writes by hand.
    command_output(
        cargo()
            .current_dir(&dir)
            .args(["vendor", "--versioned-dirs", "--quiet"])
            .arg(registry),
    )?;
    fs::remove_dir_all(&dir)?;
    Ok(())
}

/// Step 2b: `file` (a `.crate`) unpacked into `registry/NAME-VERSION/` with
/// its `.cargo-checksum.json`: the SHA-256 of each file, and of the
/// `.crate` itself as `package` (what a `Cargo.lock` records).
fn add_crate(registry: &Path, name: &str, file: &Path) -> Result<()> {
    let dir = registry.join(format!("{name}-{VERSION}"));
    if dir.exists() {
        bail!(
            "{} is vendored already: a published crate is also a third-party dependency",
            dir.display()
        );
    }
    run_command(
        Command::new("tar")
            .arg("-xzf")
            .arg(file)
            .arg("-C")
            .arg(registry),
    )?;
    let mut files = Vec::new();
    list_files(&dir, &dir, &mut files)?;
    let digests = sha256_files(&dir, &files)?;
    let package = sha256_files(file.parent().unwrap_or(Path::new(".")), &[file_name(file)?])?;
    let mut json = String::from("{\"files\":{");
    for (i, (path, digest)) in digests.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!("\"{}\":\"{digest}\"", json_string(path)));
    }
    let package = package.values().next().context("no digest of the .crate")?;
    json.push_str(&format!("}},\"package\":\"{package}\"}}"));
    fs::write(dir.join(".cargo-checksum.json"), json)?;
    Ok(())
}

/// Step 3: the crate's tests (which build its `.wasm`), its release build
/// and `check`, all offline, against the local registry.
fn test_offline(dir: &Path, name: &str) -> Result<()> {
    let target = target_dir()?;
    let offline = |cmd: &mut Command| {
        cmd.current_dir(dir)
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TARGET_DIR", &target);
    };
    let mut test = cargo();
    offline(&mut test);
    run_command(test.args(["test", "--offline"]))?;
    let mut build = cargo();
    offline(&mut build);
    run_command(build.args([
        "build",
        "--offline",
        "--lib",
        "--release",
        "--target",
        build_examples::TARGET,
    ]))?;
    let lock = fs::read_to_string(dir.join("Cargo.lock"))?;
    for published in PUBLISHED {
        let entry =
            format!("name = \"{published}\"\nversion = \"{VERSION}\"\nsource = \"registry+");
        if !lock.contains(&entry) {
            bail!("{name}: Cargo.lock does not take {published} {VERSION} from the registry");
        }
    }
    let wasm = target
        .join(build_examples::TARGET)
        .join("release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    check::cli(&[wasm.display().to_string()])
}

/// This workspace's target directory (`CARGO_TARGET_DIR` or `target/`).
fn target_dir() -> Result<PathBuf> {
    Ok(match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => std::path::absolute(PathBuf::from(dir))?,
        None => workspace_root().join("target"),
    })
}

/// Every file below `dir`, relative to `root`, with `/` separators.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            list_files(root, &path, out)?;
        } else {
            let relative = path.strip_prefix(root)?;
            let parts: Vec<_> = relative.iter().map(|p| p.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// The SHA-256 (hex) of each of `files` (relative to `dir`), by `sha256sum`.
fn sha256_files(dir: &Path, files: &[String]) -> Result<BTreeMap<String, String>> {
    let output = command_output(
        Command::new("sha256sum")
            .current_dir(dir)
            .arg("--")
            .args(files),
    )?;
    let mut digests = BTreeMap::new();
    for line in output.lines() {
        let (digest, path) = line
            .split_once("  ")
            .with_context(|| format!("sha256sum printed `{line}`"))?;
        digests.insert(path.to_owned(), digest.to_owned());
    }
    if digests.len() != files.len() {
        bail!(
            "sha256sum digested {} of {} files in {}",
            digests.len(),
            files.len(),
            dir.display()
        );
    }
    Ok(digests)
}

fn file_name(path: &Path) -> Result<String> {
    Ok(path
        .file_name()
        .with_context(|| format!("{} has no file name", path.display()))?
        .to_string_lossy()
        .into_owned())
}

fn toml_string(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// `package-check [--keep]`.
pub fn cli(args: &[String]) -> Result<()> {
    let mut keep = false;
    for arg in args {
        match arg.as_str() {
            "--keep" => keep = true,
            other => bail!("package-check: unexpected `{other}` (usage: package-check [--keep])"),
        }
    }
    let scratch = run(keep)?;
    if keep {
        println!("kept {}", scratch.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(
            json_string("src/a \"b\"\\c\n"),
            "src/a \\\"b\\\"\\\\c\\u000a"
        );
    }

    #[test]
    fn files_are_listed_with_slashes_and_digested() {
        let dir = std::env::temp_dir().join(format!("xtask-package-check-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("src")).unwrap();
        fs::write(dir.join("src/lib.rs"), "abc").unwrap();
        fs::write(dir.join("Cargo.toml"), "").unwrap();
        let mut files = Vec::new();
        list_files(&dir, &dir, &mut files).unwrap();
        files.sort();
        assert_eq!(files, ["Cargo.toml", "src/lib.rs"]);
        let digests = sha256_files(&dir, &files).unwrap();
        assert_eq!(
            digests["src/lib.rs"],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digests["Cargo.toml"],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
