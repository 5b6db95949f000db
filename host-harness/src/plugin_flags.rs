//! The command-line flags the commands share: which plugin or module, and
//! what it is loaded with. Each command reads its own flags and hands the
//! rest to [`PluginFlags::take`].
//!
//! Some flags apply to one kind of artifact only: `--config-hex`,
//! `--config-file` and `--revision` to legacy plugins, `--host`,
//! `--config-json` and `--approve-sha256` to modules; `--clock-ms` and
//! `--random-hex` to both. Giving one to the other kind is an error when it
//! is loaded, naming the flag.

use anyhow::{Context as _, Result, anyhow, bail};
use host_harness::module::{HostKind, Module, ModuleOptions};
use host_harness::{Clock, HostRevision, Plugin};

use crate::artifact;

/// The shared flags while the command line is being read.
#[derive(Debug, Default)]
pub(crate) struct PluginFlags {
    path: Option<String>,
    config: Option<Vec<u8>>,
    clock_ms: Option<i64>,
    random: Option<Vec<u8>>,
    revision: Option<HostRevision>,
    host: Option<HostKind>,
    config_json: Option<String>,
    approved: Vec<[u8; 32]>,
}

/// The shared flags of a complete command line.
#[derive(Debug)]
pub(crate) struct PluginArgs {
    /// The `.wasm` file.
    pub(crate) path: String,
    /// `--config-hex` or `--config-file`, when one was given.
    pub(crate) config: Option<Vec<u8>>,
    clock_ms: Option<i64>,
    random: Option<Vec<u8>>,
    revision: Option<HostRevision>,
    host: Option<HostKind>,
    config_json: Option<String>,
    approved: Vec<[u8; 32]>,
}

/// A loaded artifact of either kind.
pub(crate) enum Loaded {
    /// A legacy `plugin_*` plugin, not yet initialised.
    Plugin(Box<Plugin>),
    /// A module.
    Module(Box<Module>),
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
            "--random-hex" => self.random = Some(crate::input(arg, &value()?)?),
            "--revision" => self.revision = Some(revision(&value()?)?),
            "--host" => self.host = Some(host_kind(&value()?)?),
            "--config-json" => {
                let v = value()?;
                serde_json::from_str::<serde_json::Value>(&v)
                    .with_context(|| format!("--config-json `{v}` is not JSON"))?;
                self.config_json = Some(v);
            }
            "--approve-sha256" => {
                let v = value()?;
                let digest = crate::from_hex(&v)
                    .ok()
                    .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                    .ok_or_else(|| anyhow!("--approve-sha256 `{v}` is not 64 hex digits"))?;
                self.approved.push(digest);
            }
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
            random: self.random,
            revision: self.revision,
            host: self.host,
            config_json: self.config_json,
            approved: self.approved,
        })
    }
}

impl PluginArgs {
    /// The module-only flags given.
    fn module_flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.host.is_some() {
            flags.push("--host");
        }
        if self.config_json.is_some() {
            flags.push("--config-json");
        }
        if !self.approved.is_empty() {
            flags.push("--approve-sha256");
        }
        flags
    }

    /// The legacy-only flags given.
    fn legacy_flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.config.is_some() {
            flags.push("--config-hex/--config-file");
        }
        if self.revision.is_some() {
            flags.push("--revision");
        }
        flags
    }

    /// Loads the legacy plugin as the server would, on the chosen clock,
    /// host revision and scripted randomness (not yet initialised).
    pub(crate) fn load(&self) -> Result<Plugin> {
        if let Some(flag) = self.module_flags().first() {
            bail!("{flag} is for modules; {} is a legacy plugin", self.path);
        }
        let mut plugin = Plugin::builder()
            .revision(self.revision.unwrap_or_default())
            .clock(self.clock_ms.map_or(Clock::Real, Clock::Fixed))
            .load_file(&self.path)
            .with_context(|| format!("cannot load {}", self.path))?;
        if let Some(random) = &self.random {
            plugin.script_random(random);
        }
        Ok(plugin)
    }

    /// The module options the flags give.
    pub(crate) fn module_options(&self) -> Result<ModuleOptions> {
        if let Some(flag) = self.legacy_flags().first() {
            bail!(
                "{flag} is for legacy plugins; {} is a module (its config is --config-json)",
                self.path
            );
        }
        Ok(ModuleOptions {
            host: self.host.unwrap_or_default(),
            clock_ms: self.clock_ms,
            random: self.random.clone(),
            config_json: self.config_json.clone(),
            approved_sha256: self.approved.clone(),
            ..ModuleOptions::default()
        })
    }

    /// Loads the module as the chosen host does.
    pub(crate) fn load_module(&self) -> Result<Module> {
        let options = self.module_options()?;
        Module::load_file(&self.path, &options)
            .with_context(|| format!("cannot load {}", self.path))
    }

    /// Loads the file as what it is: a module when it exports
    /// `plugin_invoke_stream`, else a legacy plugin.
    pub(crate) fn open(&self) -> Result<Loaded> {
        Ok(if artifact::file_is_module(&self.path)? {
            Loaded::Module(Box::new(self.load_module()?))
        } else {
            Loaded::Plugin(Box::new(self.load()?))
        })
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

/// The value of a module's `--host`.
pub(crate) fn host_kind(value: &str) -> Result<HostKind> {
    match value {
        "server" => Ok(HostKind::Server),
        "sdk" => Ok(HostKind::Sdk),
        other => bail!("unknown host `{other}` (server | sdk)"),
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
            "--random-hex",
            "01",
        ])
        .unwrap();
        assert_eq!(left, ["--addr"]);
        let args = flags.finish("--help").unwrap();
        assert_eq!(args.path, "p.wasm");
        assert_eq!(args.init_config(), [0x0a, 0xff]);
        assert_eq!(args.clock_ms, Some(-5));
        assert_eq!(args.random.as_deref(), Some(&[1u8][..]));
        assert_eq!(args.revision, Some(HostRevision::Original));
        assert!(args.module_options().is_err(), "legacy flags on a module");
    }

    #[test]
    fn the_module_flags_make_module_options() {
        let digest = "ab".repeat(32);
        let (flags, left) = read(&[
            "m.wasm",
            "--host",
            "sdk",
            "--config-json",
            r#"{"a":1}"#,
            "--approve-sha256",
            &digest,
            "--clock-ms",
            "7",
        ])
        .unwrap();
        assert!(left.is_empty());
        let args = flags.finish("--help").unwrap();
        let options = args.module_options().unwrap();
        assert_eq!(options.host, HostKind::Sdk);
        assert_eq!(options.clock_ms, Some(7));
        assert_eq!(options.config_json.as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(options.approved_sha256, vec![[0xab; 32]]);
        let refused = args.load().unwrap_err().to_string();
        assert_eq!(refused, "--host is for modules; m.wasm is a legacy plugin");
    }

    #[test]
    fn defaults_are_an_empty_config_the_real_clock_and_the_newer_host() {
        let args = read(&["p.wasm"]).unwrap().0.finish("--help").unwrap();
        assert_eq!(args.config, None);
        assert!(args.init_config().is_empty());
        assert_eq!(args.clock_ms, None);
        assert_eq!(args.revision, None);
        let options = args.module_options().unwrap();
        assert_eq!(options.host, HostKind::Server);
        assert!(options.random.is_none() && options.approved_sha256.is_empty());
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
            &["p.wasm", "--host", "browser"],
            &["p.wasm", "--config-json", "{"],
            &["p.wasm", "--approve-sha256", "abcd"],
            &["p.wasm", "--random-hex", "0"],
        ] {
            assert!(read(bad).is_err(), "{bad:?}");
        }
        let no_plugin = read(&[]).unwrap().0.finish("serve --help").unwrap_err();
        assert_eq!(no_plugin.to_string(), "no plugin given (try serve --help)");
    }
}
