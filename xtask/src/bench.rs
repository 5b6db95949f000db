//! `cargo xtask bench [FILTER]`: the size-and-speed report.
//!
//! Runs host-harness's benchmarks (`cargo bench -p host-harness --bench
//! plugins`, which builds the examples first), showing their output as it
//! comes, then prints a short report: the ratios the benchmark printed after
//! its [`RATIOS_HEADER`] line (each computed from means measured in the same
//! run) and each example plugin's size. `FILTER` is criterion's (a benchmark
//! name substring); comparisons it skips say so.
//!
//! The benchmarks report and never assert a speed; neither does this command.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::Stdio;

use anyhow::{Context as _, Result, bail};

use crate::build_examples::{examples, plugin_path};
use crate::{cargo, describe, display_path, thousands};

/// The bench target in host-harness (`benches/plugins/main.rs`).
pub const BENCH: &str = "plugins";
/// The line after which the benchmark prints its ratios, each indented by
/// two spaces (keep in step with `host-harness/benches/plugins/ratios.rs`).
pub const RATIOS_HEADER: &str = "ratios (means measured in this run):";

/// What [`run`] measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// The ratio lines (`echo_request/64: 1.93x the floor (…)`).
    pub ratios: Vec<String>,
    /// Each example plugin that exists: its display path and size in bytes.
    pub sizes: Vec<(String, u64)>,
}

/// Runs the benchmarks (criterion's `filter`, if any) and collects the report.
pub fn run(filter: Option<&str>) -> Result<Report> {
    let mut cmd = cargo();
    cmd.args(["bench", "--package", "host-harness", "--bench", BENCH]);
    if let Some(filter) = filter {
        cmd.args(["--", filter]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("could not start `{}`", describe(&cmd)))?;
    let mut ratios = RatioLines::default();
    if let Some(stdout) = child.stdout.take() {
        let mut reader = BufReader::new(stdout);
        let mut line = Vec::new();
        let mut out = std::io::stdout().lock();
        loop {
            line.clear();
            let n = reader
                .read_until(b'\n', &mut line)
                .context("reading the benchmark's output")?;
            if n == 0 {
                break;
            }
            // Shown as it comes: a run takes minutes.
            out.write_all(&line)?;
            out.flush()?;
            ratios.push(&String::from_utf8_lossy(&line));
        }
    }
    let status = child.wait().context("waiting for cargo bench")?;
    if !status.success() {
        bail!("`{}` failed ({status})", describe(&cmd));
    }
    Ok(Report {
        ratios: ratios.lines,
        sizes: sizes()?,
    })
}

/// Each example's built plugin (`target/plugins/<name>.wasm`) and its size.
fn sizes() -> Result<Vec<(String, u64)>> {
    let mut sizes = Vec::new();
    for example in examples()? {
        let path = plugin_path(&example.package);
        if let Ok(meta) = std::fs::metadata(&path) {
            sizes.push((display_path(&path), meta.len()));
        }
    }
    Ok(sizes)
}

/// Picks the ratio lines out of the benchmark's output, line by line.
#[derive(Debug, Default)]
struct RatioLines {
    /// Whether the last line read was [`RATIOS_HEADER`] or a ratio.
    in_block: bool,
    lines: Vec<String>,
}

impl RatioLines {
    fn push(&mut self, line: &str) {
        let line = line.trim_end();
        if line == RATIOS_HEADER {
            // A header starts the block afresh.
            self.in_block = true;
            self.lines.clear();
        } else if self.in_block {
            match line.strip_prefix("  ") {
                Some(ratio) => self.lines.push(ratio.to_owned()),
                None => self.in_block = false,
            }
        }
    }
}

/// The report as printed.
pub fn render(report: &Report) -> String {
    let mut text = String::from("\nsize and speed\n");
    if report.ratios.is_empty() {
        text.push_str("  (the benchmark printed no ratios)\n");
    }
    for ratio in &report.ratios {
        text.push_str(&format!("  {ratio}\n"));
    }
    let width = report.sizes.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
    for (path, size) in &report.sizes {
        text.push_str(&format!(
            "  {path:<width$}  {:>9} bytes\n",
            thousands(*size)
        ));
    }
    text
}

/// The command line: `bench [FILTER]`.
pub fn cli(args: &[String]) -> Result<()> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        bail!("bench: unknown option `{flag}` (usage: bench [FILTER])");
    }
    if args.len() > 1 {
        bail!("bench: at most one filter (usage: bench [FILTER])");
    }
    let report = run(args.first().map(String::as_str))?;
    print!("{}", render(&report));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_lines_are_the_indented_lines_after_the_header() {
        let output = "echo_request/echo/64    time:   [1.0 µs 1.1 µs 1.2 µs]\n  \
                      noise\n\
                      ratios (means measured in this run):\n  \
                      echo_request/64: 1.93x the floor (2.10 µs vs 1.09 µs)\n  \
                      key_broker_request: not measured in this run (…)\n\
                      done\n  \
                      indented, but after the block\n";
        let mut ratios = RatioLines::default();
        for line in output.lines() {
            ratios.push(line);
        }
        assert_eq!(
            ratios.lines,
            [
                "echo_request/64: 1.93x the floor (2.10 µs vs 1.09 µs)",
                "key_broker_request: not measured in this run (…)",
            ]
        );
    }

    #[test]
    fn the_report_lists_ratios_then_sizes() {
        let report = Report {
            ratios: vec!["instantiate/echo: 2.00x the floor (2 µs vs 1 µs)".to_owned()],
            sizes: vec![("target/plugins/echo.wasm".to_owned(), 12_345)],
        };
        assert_eq!(
            render(&report),
            "\nsize and speed\n  instantiate/echo: 2.00x the floor (2 µs vs 1 µs)\n  \
             target/plugins/echo.wasm     12,345 bytes\n"
        );
    }
}
