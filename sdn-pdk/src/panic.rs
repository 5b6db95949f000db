//! The panic handler of a `no_std` plugin: log the message, then trap.
//!
//! A trap fails only the current call; the server keeps the instance, and
//! the plugin's state stays as the trap left it (the glue holds no borrow
//! flag that could stay set). Nothing here calls `proc_exit`, which would
//! close the instance until the server restarts.

//!
//! The message is logged without `core::fmt` (which would add several KiB
//! to every plugin): a literal message is logged as it is, a formatted one
//! as `panic` with its location.

use core::panic::PanicInfo;

use crate::host::{LogBuffer, LogLevel};

#[panic_handler]
fn on_panic(info: &PanicInfo<'_>) -> ! {
    let mut message = LogBuffer::<512>::new();
    message.push_str("panic: ");
    message.push_str(info.message().as_str().unwrap_or("(formatted message)"));
    if let Some(location) = info.location() {
        message.push_str(" at ");
        message.push_str(location.file());
        message.push_str(":");
        message.push_u64(u64::from(location.line()));
    }
    message.log(LogLevel::Error);
    core::arch::wasm32::unreachable()
}
