//! `cargo xtask bench [--runs N] [FILTER]`: the size-and-speed report.
//!
//! Runs host-harness's benchmarks (`cargo bench -p host-harness --bench
//! plugins`, which builds the examples first), showing their output as it
//! comes, then prints a short report: the ratios the benchmark printed after
//! its [`RATIOS_HEADER`] line (each computed from means measured in the same
//! run) and each example plugin's size. `FILTER` is criterion's (a benchmark
//! name substring); comparisons it skips say so. `--runs N` runs it all N
//! times and ends with each ratio's range over the runs ([`ranges`]), the
//! figure the README gives.
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

/// The ratio in a ratio line (`echo_request/64: 1.93x the floor (…)`):
/// its name and value; `None` for a line without one ("not measured").
fn parse_ratio(line: &str) -> Option<(&str, f64)> {
    let (name, rest) = line.split_once(": ")?;
    let value = rest.split_once('x')?.0.parse().ok()?;
    Some((name, value))
}

/// One line per comparison measured in every one of `runs` (each run's
/// ratio lines): `name: LOW–HIGHx over N runs (a, b, c)`, in the first
/// run's order. Runs on a small machine differ; the range is the figure.
pub fn ranges(runs: &[Vec<String>]) -> Vec<String> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let mut lines = Vec::new();
    for line in first {
        let Some((name, _)) = parse_ratio(line) else {
            continue;
        };
        let values: Vec<f64> = runs
            .iter()
            .filter_map(|run| {
                run.iter()
                    .filter_map(|l| parse_ratio(l))
                    .find_map(|(n, v)| (n == name).then_some(v))
            })
            .collect();
        if values.len() != runs.len() {
            continue;
        }
        let low = values.iter().copied().fold(f64::INFINITY, f64::min);
        let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let each: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
        lines.push(format!(
            "{name}: {low:.2}–{high:.2}x over {} runs ({})",
            runs.len(),
            each.join(", ")
        ));
    }
    lines
}

const USAGE: &str = "usage: bench [--runs N] [FILTER]";

/// The command line: `bench [--runs N] [FILTER]`. With `--runs N` the
/// benchmarks run N times, one after another, and the report ends with
/// each ratio's range over the runs.
pub fn cli(args: &[String]) -> Result<()> {
    let mut runs: usize = 1;
    let mut filter = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                let value = args
                    .next()
                    .with_context(|| format!("bench: --runs needs a count ({USAGE})"))?;
                runs = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=20).contains(n))
                    .with_context(|| format!("bench: --runs takes 1 to 20, not `{value}`"))?;
            }
            flag if flag.starts_with('-') => bail!("bench: unknown option `{flag}` ({USAGE})"),
            _ if filter.is_some() => bail!("bench: at most one filter ({USAGE})"),
            _ => filter = Some(arg.as_str()),
        }
    }
    let mut all = Vec::new();
    for run_index in 1..=runs {
        if runs > 1 {
            eprintln!("bench: run {run_index} of {runs}");
        }
        let report = run(filter)?;
        print!("{}", render(&report));
        all.push(report.ratios);
    }
    if runs > 1 {
        println!("\nranges over {runs} runs");
        for line in ranges(&all) {
            println!("  {line}");
        }
    }
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
    fn ranges_span_every_run_of_each_comparison() {
        let run = |a: &str, b: &str| {
            vec![
                format!("echo_request/0: {a}x the hand-written echo (1 µs vs 1 µs)"),
                "sgp4_propagate: not measured in this run (…)".to_owned(),
                format!("key_broker_request: {b}x native (1 ms vs 1 ms)"),
            ]
        };
        let runs = [
            run("1.28", "3.27"),
            run("1.11", "2.77"),
            run("1.16", "2.83"),
        ];
        assert_eq!(
            ranges(&runs),
            [
                "echo_request/0: 1.11–1.28x over 3 runs (1.28, 1.11, 1.16)",
                "key_broker_request: 2.77–3.27x over 3 runs (3.27, 2.77, 2.83)",
            ]
        );
        // A comparison missing from one run has no range.
        let mut short = runs.to_vec();
        short[1].truncate(1);
        assert_eq!(ranges(&short).len(), 1);
        assert!(ranges(&[]).is_empty());
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
