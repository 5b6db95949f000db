//! What a panic leaves in the server's log: `panic: <message> at
//! <file>:<line>`, at error level through `sdn.log`, in every plugin.
//!
//! * Without `std` this crate is the panic handler: it logs, then traps.
//! * With `std` the standard library's handler runs, and its default hook
//!   writes to stderr, which the server discards; so the glue installs
//!   [`install_hook`] at the first `plugin_init` (and a module's first
//!   call), which logs the same line through `sdn.log`. std then aborts,
//!   which traps as well.
//!
//! A trap fails only the current call; the server keeps the instance, and
//! the plugin's state stays as the trap left it (the glue holds no borrow
//! flag that could stay set). Nothing here calls `proc_exit`, which would
//! close the instance until the server restarts.
//!
//! A literal message (`panic!("text")`) is logged as it is, without
//! `core::fmt`; a formatted one (`panic!("{x}")`, a bounds check, an
//! `unwrap` on `Err`) is formatted into the same fixed buffer through
//! `core::fmt`, which is linked only into plugins that can panic with one.

use core::fmt;

use crate::host::{LogBuffer, LogLevel};

/// The longest panic line kept (longer ones are cut at a character boundary).
const PANIC_LINE_MAX: usize = 512;

/// A panic's message: text as it is, or still to be formatted.
enum Message<'a> {
    Text(&'a str),
    #[cfg_attr(
        feature = "std",
        allow(dead_code, reason = "std hands the hook a formatted payload")
    )]
    Formatted(fmt::Arguments<'a>),
}

/// Logs `panic: <message> at <file>:<line>` at error level.
#[inline(never)]
fn log_panic(message: Message<'_>, location: Option<&core::panic::Location<'_>>) {
    let mut line = LogBuffer::<PANIC_LINE_MAX>::new();
    line.push_str("panic: ");
    match message {
        Message::Text(text) => line.push_str(text),
        // A `Display` impl may fail; whatever was written is still logged.
        Message::Formatted(arguments) => {
            let _ = fmt::write(&mut line, arguments);
        }
    }
    if let Some(location) = location {
        line.push_str(" at ");
        line.push_str(location.file());
        line.push_str(":");
        line.push_u64(u64::from(location.line()));
    }
    line.log(LogLevel::Error);
}

/// The panic handler of a `no_std` plugin: log the message, then trap.
#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
#[panic_handler]
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let message = info.message();
    match message.as_str() {
        Some(text) => log_panic(Message::Text(text), info.location()),
        None => log_panic(
            Message::Formatted(format_args!("{message}")),
            info.location(),
        ),
    }
    core::arch::wasm32::unreachable()
}

/// Makes panics of a `std` plugin reach `sdn.log` (the default hook writes
/// to stderr, which the server discards). Idempotent; called by the glue.
#[cfg(all(target_arch = "wasm32", feature = "std"))]
pub(crate) fn install_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(std::boxed::Box::new(|info| {
            let payload = info.payload();
            let text = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| {
                    payload
                        .downcast_ref::<std::string::String>()
                        .map(|s| s.as_str())
                })
                .unwrap_or("Box<dyn Any>");
            log_panic(Message::Text(text), info.location());
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::mock;

    #[test]
    fn literal_and_formatted_messages_are_both_logged() {
        mock::reset();
        let location = core::panic::Location::caller();
        log_panic(Message::Text("plain"), Some(location));
        let index = 5;
        log_panic(
            Message::Formatted(format_args!("index {index} out of range")),
            None,
        );
        let logs = mock::take_logs();
        assert_eq!(logs.len(), 2);
        assert_eq!(logs[0].level, LogLevel::Error);
        assert_eq!(
            logs[0].message,
            std::format!("panic: plain at {}:{}", location.file(), location.line())
        );
        assert_eq!(logs[1].message, "panic: index 5 out of range");
    }

    #[test]
    fn long_messages_are_cut() {
        mock::reset();
        let long = "x".repeat(2 * PANIC_LINE_MAX);
        log_panic(Message::Text(&long), None);
        assert_eq!(mock::take_logs()[0].message.len(), PANIC_LINE_MAX);
    }
}
