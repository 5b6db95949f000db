//! A [`log`] facade: `log::info!` and friends go to `sdn.log`.
//!
//! ```
//! sdn_pdk::logger::init(log::LevelFilter::Info);
//! log::info!("ready");
//! ```

use crate::host::{LogLevel, log_fmt};

/// The logger [`init`] installs.
pub struct SdnLogger;

static LOGGER: SdnLogger = SdnLogger;

impl log::Log for SdnLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let level = match record.level() {
                log::Level::Error => LogLevel::Error,
                log::Level::Warn => LogLevel::Warn,
                log::Level::Info => LogLevel::Info,
                log::Level::Debug | log::Level::Trace => LogLevel::Debug,
            };
            log_fmt(level, *record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs [`SdnLogger`] as the `log` crate's logger (once; later calls only
/// change the level).
pub fn init(max_level: log::LevelFilter) {
    // An earlier call already installed it; only the level changes.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(max_level);
}
