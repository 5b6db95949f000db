//! The ratio lines printed after the groups, from the means criterion wrote
//! to `<criterion home>/<group>/<function>[/<value>]/new/estimates.json`.
//!
//! Criterion prints no ratios itself. Only estimates written during this run
//! are read, so a filtered run never mixes in an earlier run's numbers.
//! `cargo xtask bench` collects the lines that follow [`HEADER`].

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context as _, Result, anyhow, ensure};
use serde_json::Value;

/// The line before the ratios; `cargo xtask bench` looks for it (keep the two
/// in step: `xtask/src/bench.rs`).
pub const HEADER: &str = "ratios (means measured in this run):";

/// One ratio to print: `subject`'s mean over `baseline`'s.
pub struct Comparison {
    /// What the line is called (`echo_request/64`).
    pub name: String,
    /// The measured benchmark's id (`echo_request/echo/64`).
    pub subject: String,
    /// The baseline's id (`echo_request/floor/64`).
    pub baseline: String,
    /// How the line names the baseline (`the floor`, `native`).
    pub baseline_name: &'static str,
}

/// Prints [`HEADER`] and one line per comparison:
/// `  echo_request/8184: 3.42x the floor (12.3 µs vs 3.60 µs)`.
pub fn print(comparisons: &[Comparison], started: SystemTime) {
    let home = criterion_home();
    println!();
    println!("{HEADER}");
    for comparison in comparisons {
        let subject = mean_ns(&home, &comparison.subject, started);
        let baseline = mean_ns(&home, &comparison.baseline, started);
        match (subject, baseline) {
            (Ok(subject), Ok(baseline)) => println!(
                "  {}: {:.2}x {} ({} vs {})",
                comparison.name,
                subject / baseline,
                comparison.baseline_name,
                duration(subject),
                duration(baseline),
            ),
            (Err(e), _) | (_, Err(e)) => {
                println!("  {}: not measured in this run ({e:#})", comparison.name)
            }
        }
    }
}

/// Where criterion writes, found the way criterion finds it:
/// `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else the
/// workspace's `target/criterion`.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    xtask::workspace_root().join("target").join("criterion")
}

/// The mean (ns) criterion estimated for benchmark `id` in this run.
fn mean_ns(home: &Path, id: &str, started: SystemTime) -> Result<f64> {
    let path = home.join(id).join("new").join("estimates.json");
    let modified = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .with_context(|| format!("no {}", path.display()))?;
    ensure!(modified >= started, "{id} was not run");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let json: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    json["mean"]["point_estimate"]
        .as_f64()
        .filter(|ns| *ns > 0.0)
        .ok_or_else(|| anyhow!("{} has no positive mean", path.display()))
}

/// `1234.5` ns → `1.23 µs`: three significant digits in the largest unit
/// below the value.
fn duration(ns: f64) -> String {
    let (value, unit) = if ns >= 1e9 {
        (ns / 1e9, "s")
    } else if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}
