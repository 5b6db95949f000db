//! The command-line flags the `run`, `serve` and `stream` commands share:
//! which plugin, its `plugin_init` config, and the clock and host revision it
//! runs with. Each command reads its own flags and hands the rest to
//! [`PluginFlags::take`].

use anyhow::{Context as _, Result, anyhow, bail};
use host_harness::{Clock, HostRevision, Plugin};

/// The shared flags while the command line is being read.
#[derive(Debug, Default)]
pub(crate) struct PluginFlags {
    path: Option<String>,
    config: Option<Vec<u8>>,
    clock_ms: Option<i64>,
    revision: HostRevision,
}

/// The shared flags of a complete command line.
#[derive(Debug)]
pub(crate) struct PluginArgs {
    /// The `.wasm` file.
    pub(crate) path: String,
    /// `--config-hex` or `--config-file`, when one was given.
    pub(crate) config: Option<Vec<u8>>,
    clock_ms: Option<i64>,
    revision: HostRevision,
}

impl PluginFlags {
    /// Takes `arg` when it is a shared flag (reading its value from `rest`)
    /// or the plugin's path; returns false for any other flag, which is the
    /// command's to take or refuse.
    pub(crate) fn take(
        &mut self,
        arg: &str,
        rest: &mut impl Iterator<Item = String>,
    ) -> Result<bool> {
        let mut value = || rest.next().ok_or_else(|| anyhow!("{arg} needs a value"));
        match arg {
            "--config-hex" | "--config-file" => {
                if self.config.is_some() {
                    bail!("give the config once (--config-hex or --config-file)");
                }
                self.config = Some(crate::input(arg, &value()?)?);
            }
            "--clock-ms" => {
                let v = value()?;
                self.clock_ms = Some(
                    v.parse()
                        .with_context(|| format!("--clock-ms `{v}` is not an integer"))?,
                );
            }
            "--revision" => self.revision = revision(&value()?)?,
            flag if flag.starts_with('-') => return Ok(false),
            path => set_plugin_path(&mut self.path, path)?,
        }
        Ok(true)
    }

    /// The flags read; an error when no plugin was named (`help` says where
    /// to look: `--help`, `serve --help`).
    pub(crate) fn finish(self, help: &str) -> Result<PluginArgs> {
        Ok(PluginArgs {
            path: self
                .path
                .ok_or_else(|| anyhow!("no plugin given (try {help})"))?,
            config: self.config,
            clock_ms: self.clock_ms,
            revision: self.revision,
        })
    }
}

impl PluginArgs {
    /// Loads the plugin as the server would, on the chosen clock and host
    /// revision (not yet initialised).
    pub(crate) fn load(&self) -> Result<Plugin> {
        Plugin::builder()
            .revision(self.revision)
            .clock(self.clock_ms.map_or(Clock::Real, Clock::Fixed))
            .load_file(&self.path)
            .with_context(|| format!("cannot load {}", self.path))
    }

    /// The `plugin_init` config: empty unless one was given.
    pub(crate) fn init_config(&self) -> &[u8] {
        self.config.as_deref().unwrap_or_default()
    }
}

/// The value of `--revision`.
pub(crate) fn revision(value: &str) -> Result<HostRevision> {
    match value {
        "original" => Ok(HostRevision::Original),
        "challenge" => Ok(HostRevision::Challenge),
        other => bail!("unknown revision `{other}` (original | challenge)"),
    }
}

/// Records the plugin's path; a second path is an error.
pub(crate) fn set_plugin_path(slot: &mut Option<String>, path: &str) -> Result<()> {
    if slot.replace(path.to_owned()).is_some() {
        bail!("more than one plugin given");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(list: &[&str]) -> Result<(PluginFlags, Vec<String>)> {
        let mut flags = PluginFlags::default();
        let mut rest = list.iter().map(|s| (*s).to_owned());
        let mut left = Vec::new();
        while let Some(arg) = rest.next() {
            if !flags.take(&arg, &mut rest)? {
                left.push(arg);
            }
        }
        Ok((flags, left))
    }

    #[test]
    fn the_shared_flags_are_taken_and_others_left() {
        let (flags, left) = read(&[
            "--clock-ms",
            "-5",
            "p.wasm",
            "--addr",
            "--revision",
            "original",
            "--config-hex",
            "0aff",
        ])
        .unwrap();
        assert_eq!(left, ["--addr"]);
        let args = flags.finish("--help").unwrap();
        assert_eq!(args.path, "p.wasm");
        assert_eq!(args.init_config(), [0x0a, 0xff]);
        assert_eq!(args.clock_ms, Some(-5));
        assert_eq!(args.revision, HostRevision::Original);
    }

    #[test]
    fn defaults_are_an_empty_config_the_real_clock_and_the_newer_host() {
        let args = read(&["p.wasm"]).unwrap().0.finish("--help").unwrap();
        assert_eq!(args.config, None);
        assert!(args.init_config().is_empty());
        assert_eq!(args.clock_ms, None);
        assert_eq!(args.revision, HostRevision::default());
    }

    #[test]
    fn bad_shared_flags_are_errors() {
        for bad in [
            &["p.wasm", "q.wasm"][..],
            &["p.wasm", "--config-hex", "00", "--config-file", "f"],
            &["p.wasm", "--config-hex", "zz"],
            &["p.wasm", "--clock-ms", "soon"],
            &["p.wasm", "--clock-ms"],
            &["p.wasm", "--revision", "newest"],
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
        let no_plugin = read(&[]).unwrap().0.finish("serve --help").unwrap_err();
        assert_eq!(no_plugin.to_string(), "no plugin given (try serve --help)");
    }
}
