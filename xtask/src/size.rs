//! `cargo xtask size [PLUGIN.wasm ...]`: where a plugin's bytes go.
//!
//! Prints each plugin's size, its sections, and its [`TOP`] largest functions
//! by code size. The shipped plugins are stripped (the `wasm-release` profile
//! has `strip = true`), so with no argument this also builds a non-stripped
//! copy of every example into `target/wasm-size` and takes function names
//! from it; the sizes shown are the shipped plugin's. Files given as arguments
//! are shown with whatever names they carry (function indices otherwise).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::build_examples::{self, BuiltPlugin, Example};
use crate::{display_path, thousands, workspace_root};
use sdn_pdk_check::parsed::Module;

/// How many functions are listed per plugin.
pub const TOP: usize = 15;

/// One function's code size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionSize {
    /// Its index in the function index space (imports first).
    pub index: u32,
    /// Its name from the `name` section, when there is one.
    pub name: Option<String>,
    /// Its body's size in bytes.
    pub size: u64,
}

/// Where one plugin's bytes go.
#[derive(Clone, Debug)]
pub struct SizeReport {
    /// The plugin's path.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Every section with its size, in file order.
    pub sections: Vec<(String, u64)>,
    /// Every defined function, largest first.
    pub functions: Vec<FunctionSize>,
    /// Whether the names came from a separate, non-stripped build.
    pub names_from_unstripped_build: bool,
}

/// Measures the module at `path`.
pub fn analyze(path: &Path) -> Result<SizeReport> {
    let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let module = Module::parse(&bytes)
        .with_context(|| format!("{} is not a wasm module", path.display()))?;
    let mut functions: Vec<FunctionSize> = (module.imported_funcs..)
        .zip(&module.code_sizes)
        .map(|(index, &size)| FunctionSize {
            index,
            name: module.func_names.get(&index).map(|n| tidy_name(n)),
            size,
        })
        .collect();
    functions.sort_by(|a, b| b.size.cmp(&a.size).then(a.index.cmp(&b.index)));
    Ok(SizeReport {
        path: path.to_path_buf(),
        size: bytes.len() as u64,
        sections: module.sections,
        functions,
        names_from_unstripped_build: false,
    })
}

/// Measures the plugins named by `args`: `.wasm` paths, or example names
/// (`echo`), or every example when `args` is empty. Examples are built first,
/// and get function names from a non-stripped build.
pub fn run(args: &[PathBuf]) -> Result<Vec<SizeReport>> {
    let (examples, files) = build_examples::examples_and_files(args)?;
    let mut reports = Vec::new();
    if !examples.is_empty() {
        let names: Vec<String> = examples.iter().map(|e| e.package.clone()).collect();
        let shipped = build_examples::run_only(&names)?;
        let named_dir = build_unstripped(&examples)?;
        for (plugin, example) in shipped.iter().zip(&examples) {
            reports.push(with_names(plugin, example, &named_dir)?);
        }
    }
    for file in &files {
        reports.push(analyze(file)?);
    }
    Ok(reports)
}

/// Builds `examples` with `strip = false` into `target/wasm-size`; returns
/// the directory holding the `.wasm` files.
fn build_unstripped(examples: &[Example]) -> Result<PathBuf> {
    // `debuginfo` keeps the name section and drops the debug sections, which
    // `--compress-relocations` refuses.
    let keep_names = format!("profile.{}.strip=\"debuginfo\"", build_examples::PROFILE);
    // Appended to the configured rustflags (`--config` merges arrays), and
    // only a linker flag: the code is the same, the names readable.
    let demangle = format!(
        "target.{}.rustflags=[\"-C\", \"link-arg=--demangle\"]",
        build_examples::TARGET
    );
    build_examples::build(
        examples,
        &workspace_root().join("target").join("wasm-size"),
        &["--config", &keep_names, "--config", &demangle],
    )
}

/// The shipped plugin's report, with function names from the non-stripped
/// build when both hold the same code.
fn with_names(plugin: &BuiltPlugin, example: &Example, named_dir: &Path) -> Result<SizeReport> {
    let mut report = analyze(&plugin.path)?;
    let named = analyze(&named_dir.join(format!("{}.wasm", example.lib_name)))?;
    report.names_from_unstripped_build = name_functions(&mut report.functions, &named.functions);
    Ok(report)
}

/// Gives each of `shipped` the name of its twin in `named`, another build of
/// the same code: the function at the same index when it has the same size,
/// else the one function of that size (the linker may order a few functions
/// differently between the two builds). Returns false, naming nothing, when
/// the two do not hold the same functions.
fn name_functions(shipped: &mut [FunctionSize], named: &[FunctionSize]) -> bool {
    let sizes = |functions: &[FunctionSize]| {
        let mut sizes: Vec<u64> = functions.iter().map(|f| f.size).collect();
        sizes.sort_unstable();
        sizes
    };
    if sizes(shipped) != sizes(named) {
        return false;
    }
    let at_index = |index: u32| named.iter().find(|f| f.index == index);
    let only_one_of_size = |size: u64| {
        let mut same_size = named.iter().filter(|f| f.size == size);
        match (same_size.next(), same_size.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    };
    for function in shipped.iter_mut().filter(|f| f.name.is_none()) {
        let twin = at_index(function.index)
            .filter(|twin| twin.size == function.size)
            .or_else(|| only_one_of_size(function.size));
        function.name = twin.and_then(|twin| twin.name.clone());
    }
    true
}

/// Makes a Rust symbol readable: wasm-ld's `--demangle` decodes the
/// Itanium-style shell of a legacy Rust symbol (`a::b::h0123…`) but leaves
/// Rust's own escapes (`$LT$`, `$u20$`, `..`) and the hash; this finishes the
/// job, following rustc-demangle's legacy rules without the dependency.
pub fn tidy_name(name: &str) -> String {
    // Drop the `::h` + 16 hex digits hash suffix.
    let name = match name.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            path
        }
        _ => name,
    };
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("..") {
            out.push_str("::");
            rest = after;
        } else if rest.starts_with("_$") && (out.is_empty() || out.ends_with(':')) {
            // A path segment starting with an escape gets a `_` in front of it.
            rest = &rest[1..];
        } else if let Some((escape, after)) = rest
            .strip_prefix('$')
            .and_then(|r| r.split_once('$'))
            .and_then(|(e, a)| unescape(e).map(|c| (c, a)))
        {
            out.push(escape);
            rest = after;
        } else {
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
            }
            rest = chars.as_str();
        }
    }
    out
}

/// One legacy Rust symbol escape (`LT`, `u20`, …) without its `$`s.
fn unescape(escape: &str) -> Option<char> {
    Some(match escape {
        "SP" => '@',
        "BP" => '*',
        "RF" => '&',
        "LT" => '<',
        "GT" => '>',
        "LP" => '(',
        "RP" => ')',
        "C" => ',',
        _ => {
            let hex = escape.strip_prefix('u')?;
            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
        }
    })
}

/// The command line: `size [PLUGIN.wasm | EXAMPLE ...]`.
pub fn cli(args: &[String]) -> Result<()> {
    if let Some(flag) = args.iter().find(|a| a.starts_with('-')) {
        bail!("size: unknown option `{flag}` (usage: size [PLUGIN.wasm | EXAMPLE ...])");
    }
    let paths: Vec<PathBuf> = args.iter().map(PathBuf::from).collect();
    for report in run(&paths)? {
        print!("{}", render(&report));
    }
    Ok(())
}

/// The printed form of one report.
pub fn render(report: &SizeReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} bytes",
        display_path(&report.path),
        thousands(report.size)
    );
    let mut sections = report.sections.clone();
    sections.sort_by_key(|s| std::cmp::Reverse(s.1));
    let list: Vec<String> = sections
        .iter()
        .map(|(name, size)| format!("{name} {}", thousands(*size)))
        .collect();
    let _ = writeln!(out, "  sections: {}", list.join(", "));
    let named = report.functions.iter().any(|f| f.name.is_some());
    let source = if report.names_from_unstripped_build {
        "; names from a non-stripped build in target/wasm-size"
    } else if named {
        ""
    } else {
        "; no name section"
    };
    let _ = writeln!(
        out,
        "  largest functions (top {} of {}{source}):",
        TOP.min(report.functions.len()),
        report.functions.len()
    );
    for function in report.functions.iter().take(TOP) {
        let _ = writeln!(
            out,
            "  {:>9}  #{:<5} {}",
            thousands(function.size),
            function.index,
            function.name.as_deref().unwrap_or("")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{FunctionSize, name_functions, tidy_name};

    fn function(index: u32, size: u64, name: Option<&str>) -> FunctionSize {
        FunctionSize {
            index,
            size,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn names_come_from_the_same_index_or_the_only_function_of_that_size() {
        let named = [
            function(3, 10, Some("a")),
            function(4, 20, Some("b")),
            function(5, 30, Some("c")),
            function(6, 10, Some("d")),
        ];
        // 4 and 5 swapped places in the shipped build; 3 and 6 kept theirs.
        let mut shipped = [
            function(3, 10, None),
            function(4, 30, None),
            function(5, 20, None),
            function(6, 10, None),
        ];
        assert!(name_functions(&mut shipped, &named));
        let names: Vec<_> = shipped.iter().map(|f| f.name.as_deref()).collect();
        assert_eq!(names, [Some("a"), Some("c"), Some("b"), Some("d")]);
    }

    #[test]
    fn different_code_gets_no_names() {
        let named = [function(3, 10, Some("a")), function(4, 20, Some("b"))];
        let mut shipped = [function(3, 10, None), function(4, 21, None)];
        assert!(!name_functions(&mut shipped, &named));
        assert!(shipped.iter().all(|f| f.name.is_none()));
    }

    #[test]
    fn legacy_rust_symbols_become_readable() {
        assert_eq!(
            tidy_name(
                "_$LT$echo..Echo$u20$as$u20$sdn_pdk..plugin..Plugin$GT$::handle_request::h0395ac6372443f1e"
            ),
            "<echo::Echo as sdn_pdk::plugin::Plugin>::handle_request"
        );
        assert_eq!(
            tidy_name("talc::base::Talc$LT$S$C$B$GT$::try_allocate::h51db63d013bdc5c8"),
            "talc::base::Talc<S,B>::try_allocate"
        );
        assert_eq!(tidy_name("malloc"), "malloc");
        assert_eq!(
            tidy_name("core::fmt::write::hnothex"),
            "core::fmt::write::hnothex"
        );
    }
}
