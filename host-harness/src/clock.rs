//! The clock `sdn.clock_now_ms` reads.

use std::time::{SystemTime, UNIX_EPOCH};

/// What `clock_now_ms` (module `sdn` or `env`) returns.
///
/// The server returns the real wall clock in milliseconds since the Unix
/// epoch. Tests usually want [`Clock::Fixed`], which they can move between
/// calls with [`Plugin::set_clock_ms`](crate::Plugin::set_clock_ms) and
/// [`Plugin::advance_clock_ms`](crate::Plugin::advance_clock_ms), including
/// backwards, as a server clock can jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The host's wall clock, as on the server (the default).
    #[default]
    Real,
    /// Always this many milliseconds since the Unix epoch.
    Fixed(i64),
}

impl Clock {
    /// The value `clock_now_ms` returns now.
    pub fn now_ms(self) -> i64 {
        match self {
            Clock::Fixed(ms) => ms,
            Clock::Real => real_now_ms(),
        }
    }

    /// This clock moved by `delta_ms` (negative = backwards). A real clock
    /// becomes a fixed one, frozen at the moved instant.
    pub fn advanced(self, delta_ms: i64) -> Clock {
        Clock::Fixed(self.now_ms().saturating_add(delta_ms))
    }
}

fn real_now_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        // A clock before 1970: report it as negative milliseconds, as Go does.
        Err(e) => i64::try_from(e.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}
