//! The command's output on stdout. `println!` panics when the reader has
//! gone away (`host-harness run ... | head -3`); here a closed pipe ends the
//! command quietly instead.

use std::io::{ErrorKind, Write as _};
use std::process;

/// Writes `args` and a newline to stdout (the body of the `out!` macro).
///
/// A reader that went away (a broken pipe) ends the process at once with
/// status 0, as `head` expects: the reader wanted no more. Any other write
/// error is said on stderr and ends the process with status 1.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::BrokenPipe => process::exit(0),
        Err(e) => {
            eprintln!("host-harness: writing to stdout: {e}");
            process::exit(1);
        }
    }
}

/// `println!` for the command's output, through [`line`]: a closed pipe
/// ends the command quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::stdout::line(format_args!($($arg)*))
    };
}
