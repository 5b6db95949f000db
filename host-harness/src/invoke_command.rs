//! `host-harness invoke MODULE.wasm --method M --input PORT=FILE ...`: one
//! invoke of a module, its response printed.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use host_harness::module::{Frame, InvokeResult, Module, Output, OwnedTypeRef};
use sdn_pdk_schemas::piv;

use crate::plugin_flags::{PluginArgs, PluginFlags};

pub(crate) const USAGE: &str = "\
usage: host-harness invoke MODULE.wasm --method M [--input PORT=FILE[:SCHEMA:IDENT:ROOT]]... [options]

Loads MODULE.wasm as the chosen host does, invokes method M once with one
frame per --input (the file's bytes on PORT; with SCHEMA:IDENT:ROOT the frame
carries that type ref, e.g. request=omm.fb:OMM.fbs:$OMM:OMM, else none, as
the server's protocol and timer frames), and prints the status, the error
code and message, and each output: its port, type and size, then its bytes
in hex (or the file it was written to, with --out-dir). Then whatever the
module wrote to stdout and stderr, and its legacy logs.

The exit status is 0 when the method answered status 0, else 1 (after the
response is printed); a bad module or argument is a one-line error.

options:
  --method M            the method id (required)
  --input PORT=FILE[:SCHEMA:IDENT:ROOT]
                        one input frame (repeatable, in order)
  --host HOST           server | sdk: the newest SDN server (default) or the
                        module SDK's harness
  --config-json JSON    what plugin.getConfig answers (default: {})
  --clock-ms N          fix every clock at N ms since the epoch (default: real)
  --random-hex HEX      the first bytes every random source hands out (then the OS's)
  --approve-sha256 HEX  an operator-approved module SHA-256 (repeatable): the
                        server loads a module declaring a sensitive capability
                        only when its digest is approved
  --out-dir DIR         write output i to DIR/<i>-<port>.bin instead of hex
  -h, --help            this text";

/// One `--input`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Input {
    port: String,
    file: String,
    type_ref: Option<OwnedTypeRef>,
}

/// The parsed command line of `invoke`.
#[derive(Debug)]
pub(crate) struct InvokeArgs {
    module: PluginArgs,
    method: String,
    inputs: Vec<Input>,
    out_dir: Option<PathBuf>,
}

/// `None` for `--help`.
pub(crate) fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<InvokeArgs>> {
    let mut module = PluginFlags::default();
    let mut method = None;
    let mut inputs = Vec::new();
    let mut out_dir = None;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| anyhow!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--method" => method = Some(value(&arg)?),
            "--input" => inputs.push(input(&value(&arg)?)?),
            "--out-dir" => out_dir = Some(PathBuf::from(value(&arg)?)),
            other => {
                if !module.take(other, &mut args)? {
                    bail!("unknown option `{other}` (try invoke --help)");
                }
            }
        }
    }
    Ok(Some(InvokeArgs {
        module: module.finish("invoke --help")?,
        method: method.ok_or_else(|| anyhow!("--method is required (try invoke --help)"))?,
        inputs,
        out_dir,
    }))
}

/// `PORT=FILE` or `PORT=FILE:SCHEMA:IDENT:ROOT` (the last three fields are
/// the type, so a FILE may itself contain `:` only when a type follows).
fn input(text: &str) -> Result<Input> {
    let (port, rest) = text
        .split_once('=')
        .filter(|(port, rest)| !port.is_empty() && !rest.is_empty())
        .ok_or_else(|| anyhow!("--input `{text}` is not PORT=FILE[:SCHEMA:IDENT:ROOT]"))?;
    let fields: Vec<&str> = rest.split(':').collect();
    let (file, type_ref) = match fields.len() {
        1 => (rest.to_owned(), None),
        n if n >= 4 => {
            let [schema, ident, root] = [fields[n - 3], fields[n - 2], fields[n - 1]];
            if schema.is_empty() || ident.len() != 4 || root.is_empty() {
                bail!("--input `{text}`: the type is SCHEMA:IDENT:ROOT with a 4-character IDENT");
            }
            let type_ref = OwnedTypeRef {
                schema_name: schema.to_owned(),
                file_identifier: ident.to_owned(),
                root_type: root.to_owned(),
                ..OwnedTypeRef::default()
            };
            (fields[..n - 3].join(":"), Some(type_ref))
        }
        _ => bail!("--input `{text}`: give the whole type, SCHEMA:IDENT:ROOT, or none"),
    };
    if file.is_empty() {
        bail!("--input `{text}` names no file");
    }
    Ok(Input {
        port: port.to_owned(),
        file,
        type_ref,
    })
}

pub(crate) fn run(args: &InvokeArgs) -> Result<()> {
    if !crate::artifact::file_is_module(&args.module.path)? {
        bail!(
            "{} is a legacy plugin (no plugin_invoke_stream): try `host-harness run`",
            args.module.path
        );
    }
    let payloads = args
        .inputs
        .iter()
        .map(|i| std::fs::read(&i.file).with_context(|| format!("cannot read {}", i.file)))
        .collect::<Result<Vec<_>>>()?;
    let mut module = args.module.load_module()?;
    let frames: Vec<Frame<'_>> = args
        .inputs
        .iter()
        .zip(&payloads)
        .map(|(input, payload)| Frame {
            port: &input.port,
            payload,
            type_ref: input.type_ref.as_ref().map(OwnedTypeRef::as_type_ref),
        })
        .collect();
    let result = module.invoke(&args.method, &frames);
    print_host_side(&module);
    let result = result.with_context(|| format!("invoking `{}`", args.method))?;
    print_result(&result, args.out_dir.as_deref())?;
    if result.status_code != 0 {
        bail!(
            "method `{}` answered status {}{}",
            args.method,
            result.status_code,
            result
                .error_code
                .as_deref()
                .map(|c| format!(" ({c})"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

/// The name of a `STATUS`.
pub(crate) fn status_name(status: i32) -> &'static str {
    match status {
        piv::status::OK => "ok",
        piv::status::NOT_FOUND => "not found",
        piv::status::YIELDED => "yielded",
        piv::status::FAILED => "failed",
        _ => "unknown",
    }
}

fn print_result(result: &InvokeResult, out_dir: Option<&Path>) -> Result<()> {
    out!(
        "status: {} ({})",
        result.status_code,
        status_name(result.status)
    );
    out!(
        "error code: {}",
        result.error_code.as_deref().unwrap_or("none")
    );
    if let Some(message) = &result.error_message {
        out!("error message: {message}");
    }
    out!("outputs: {}", result.outputs.len());
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    for (i, output) in result.outputs.iter().enumerate() {
        out!(
            "output {i}: port {}, type {}, {} bytes",
            output.port,
            type_text(output),
            output.payload.len()
        );
        match out_dir {
            Some(dir) => {
                let path = dir.join(format!("{i}-{}.bin", file_safe(&output.port)));
                std::fs::write(&path, &output.payload)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                out!("  file: {}", path.display());
            }
            None => out!("  hex: {}", crate::hex(&output.payload)),
        }
    }
    Ok(())
}

/// `SCHEMA IDENT ROOT`, or `none`.
fn type_text(output: &Output) -> String {
    match &output.type_ref {
        None => "none".to_owned(),
        Some(t) => format!("{} {} {}", t.schema_name, t.file_identifier, t.root_type),
    }
}

/// A port id as a file name part: anything but `[A-Za-z0-9._-]` becomes `_`.
fn file_safe(port: &str) -> String {
    port.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// What the module wrote to stdout and stderr, and its legacy logs.
pub(crate) fn print_host_side(module: &Module) {
    crate::print_stream("stdout", module.stdout());
    crate::print_stream("stderr", module.stderr());
    for record in module.logs() {
        out!("log [{}] {}", record.level, record.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_a_port_a_file_and_maybe_a_type() {
        assert_eq!(
            input("request=a.bin").unwrap(),
            Input {
                port: "request".into(),
                file: "a.bin".into(),
                type_ref: None
            }
        );
        let typed = input("request=c:/x.fb:OMM.fbs:$OMM:OMM").unwrap();
        assert_eq!(typed.file, "c:/x.fb");
        let t = typed.type_ref.unwrap();
        assert_eq!(
            (
                t.schema_name.as_str(),
                t.file_identifier.as_str(),
                t.root_type.as_str()
            ),
            ("OMM.fbs", "$OMM", "OMM")
        );
        for bad in [
            "request",
            "=a.bin",
            "request=",
            "request=a.bin:OMM.fbs",
            "request=a.bin:OMM.fbs:$OMM",
            "request=a.bin:OMM.fbs:OMM:OMM",
            "request=:OMM.fbs:$OMM:OMM",
        ] {
            assert!(input(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports_become_file_names() {
        assert_eq!(file_safe("response"), "response");
        assert_eq!(file_safe("a/b c"), "a_b_c");
    }
}
