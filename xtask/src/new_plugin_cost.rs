//! `cargo xtask new-plugin-cost [--module] [--keep]`: what a new plugin's
//! first `cargo test` costs on this machine: a crate from `cargo xtask new`
//! (against this checkout, with this workspace's `Cargo.lock`), a fresh
//! target directory, and the wall time and the target directory's size
//! once the tests pass.
//!
//! Then a second crate, of the other kind, takes its first `cargo test` in
//! the same target directory (`CARGO_TARGET_DIR`, the way the README tells
//! authors to share one build across plugin crates): its wall time and what
//! it added to the directory.
//!
//! The dependencies' sources come from cargo's cache as usual (fetched
//! first, outside the timing), so the number is compile and link time.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};

use crate::{cargo, new, run_command, thousands, workspace_root};

/// One measurement.
#[derive(Debug, Clone)]
pub struct Cost {
    /// The crate's kind.
    pub kind: new::Kind,
    /// Wall time of the cold `cargo test` (both test binaries, with the
    /// `.wasm` build inside the harness test).
    pub wall: Duration,
    /// Bytes under the fresh target directory afterwards.
    pub target_bytes: u64,
    /// Wall time of the second crate's first `cargo test` in the same
    /// target directory.
    pub shared_wall: Duration,
    /// Bytes the second crate added to the shared target directory.
    pub shared_added_bytes: u64,
    /// The crate (and its `target/`), when kept.
    pub dir: Option<PathBuf>,
}

/// Generates a crate of `kind` in a temporary directory and times its
/// first `cargo test` with a target directory of its own.
pub fn run(kind: new::Kind, keep: bool) -> Result<Cost> {
    let dir = std::env::temp_dir().join(format!("sdn-pdk-new-plugin-cost-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let options = new::Options {
        kind,
        sdk: new::SdkSource::Checkout(workspace_root()),
    };
    let second = new::Options {
        kind: other(kind),
        sdk: new::SdkSource::Checkout(workspace_root()),
    };
    let target = dir.join("target");
    let result = (|| -> Result<Cost> {
        new::run("cost-probe", &dir.join("first"), &options)?;
        new::run("cost-probe-second", &dir.join("second"), &second)?;
        let wall = first_test(&dir.join("first"), &target)?;
        let target_bytes = tree_size(&target)?;
        let shared_wall = first_test(&dir.join("second"), &target)?;
        let shared_added_bytes = tree_size(&target)?.saturating_sub(target_bytes);
        Ok(Cost {
            kind,
            wall,
            target_bytes,
            shared_wall,
            shared_added_bytes,
            dir: None,
        })
    })();
    if !keep || result.is_err() {
        let _ = fs::remove_dir_all(&dir);
    }
    let mut cost = result?;
    if keep {
        cost.dir = Some(dir);
    }
    Ok(cost)
}

/// The kind the second crate is: the one the first is not.
fn other(kind: new::Kind) -> new::Kind {
    match kind {
        new::Kind::Plugin => new::Kind::Module,
        new::Kind::Module => new::Kind::Plugin,
    }
}

/// The wall time of the crate in `dir`'s first `cargo test`, built in
/// `target`.
fn first_test(dir: &Path, target: &Path) -> Result<Duration> {
    fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock"))
        .context("copying the workspace's Cargo.lock")?;
    // Sources first, so the timing is the build's.
    run_command(cargo().current_dir(dir).args(["fetch", "--quiet"]))?;
    let start = Instant::now();
    run_command(
        cargo()
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", target)
            .args(["test", "--quiet"]),
    )?;
    Ok(start.elapsed())
}

/// The bytes of every file under `dir` (symlinks not followed).
fn tree_size(dir: &Path) -> Result<u64> {
    let mut total = 0;
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in fs::read_dir(&next).with_context(|| format!("reading {}", next.display()))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                total += entry.metadata()?.len();
            }
        }
    }
    Ok(total)
}

/// `new-plugin-cost [--module] [--keep]`.
pub fn cli(args: &[String]) -> Result<()> {
    let mut kind = new::Kind::Plugin;
    let mut keep = false;
    for arg in args {
        match arg.as_str() {
            "--module" => kind = new::Kind::Module,
            "--keep" => keep = true,
            other => bail!(
                "new-plugin-cost: unexpected `{other}` (usage: new-plugin-cost [--module] [--keep])"
            ),
        }
    }
    let cost = run(kind, keep)?;
    println!(
        "new {}, cold first `cargo test`: {:.1} s, target/ {} MB ({} bytes)",
        kind_name(cost.kind),
        cost.wall.as_secs_f64(),
        cost.target_bytes / 1_000_000,
        thousands(cost.target_bytes)
    );
    println!(
        "then a new {} in the same CARGO_TARGET_DIR: {:.1} s, {} MB more",
        kind_name(other(cost.kind)),
        cost.shared_wall.as_secs_f64(),
        cost.shared_added_bytes / 1_000_000
    );
    if let Some(dir) = &cost.dir {
        println!("kept {}", dir.display());
    }
    Ok(())
}

/// How the report names a kind.
fn kind_name(kind: new::Kind) -> &'static str {
    match kind {
        new::Kind::Plugin => "plugin",
        new::Kind::Module => "module",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_size_adds_every_file_below() {
        let dir = std::env::temp_dir().join(format!("xtask-tree-size-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("a/b")).unwrap();
        fs::write(dir.join("x"), [0; 10]).unwrap();
        fs::write(dir.join("a/y"), [0; 20]).unwrap();
        fs::write(dir.join("a/b/z"), [0; 30]).unwrap();
        assert_eq!(tree_size(&dir).unwrap(), 60);
        fs::remove_dir_all(&dir).unwrap();
    }
}
