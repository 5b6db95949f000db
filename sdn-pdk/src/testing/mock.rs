//! The per-thread mock host behind `sys` on native targets.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::string::String;
use std::vec::Vec;

use crate::host::{LOG_MESSAGE_MAX, LogLevel, RANDOM_CHUNK_MAX};

/// One captured `sdn.log` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    /// The level, mapped as the server maps it.
    pub level: LogLevel,
    /// The message as the server would record it: cut at 4096 bytes, control
    /// characters replaced with `?`.
    pub message: String,
}

enum Clock {
    Fixed(u64),
    Real,
}

struct MockHost {
    clock: Clock,
    scripted: VecDeque<u8>,
    generator: u64,
    random_fails: bool,
    random_calls: Vec<usize>,
    logs: Vec<LogRecord>,
    #[cfg(feature = "module")]
    hostcall: Option<HostcallHandler>,
    #[cfg(feature = "module")]
    hostcall_response: Vec<u8>,
    #[cfg(feature = "module")]
    hostcall_status: i32,
}

/// Answers a module's hostcalls in native tests: the operation name and
/// the request envelope in, `(status, response envelope)` out.
#[cfg(feature = "module")]
pub type HostcallHandler = std::boxed::Box<dyn FnMut(&str, &[u8]) -> (i32, Vec<u8>)>;

impl MockHost {
    const fn new() -> MockHost {
        MockHost {
            clock: Clock::Real,
            scripted: VecDeque::new(),
            generator: 0,
            random_fails: false,
            random_calls: Vec::new(),
            logs: Vec::new(),
            #[cfg(feature = "module")]
            hostcall: None,
            #[cfg(feature = "module")]
            hostcall_response: Vec::new(),
            #[cfg(feature = "module")]
            hostcall_status: 0,
        }
    }

    /// splitmix64: deterministic, seedable, and not a CSPRNG (tests only).
    fn next_generated(&mut self) -> u8 {
        self.generator = self.generator.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.generator;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as u8
    }
}

std::thread_local! {
    static HOST: RefCell<MockHost> = const { RefCell::new(MockHost::new()) };
}

fn with_host<T>(f: impl FnOnce(&mut MockHost) -> T) -> T {
    HOST.with(|host| f(&mut host.borrow_mut()))
}

/// Restores this thread's mock host to its defaults: the real clock, no
/// scripted bytes, the generator at seed 0, random working, no logs.
pub fn reset() {
    with_host(|host| *host = MockHost::new());
}

/// Fixes `clock_now_ms` at `ms` until changed.
pub fn set_clock_ms(ms: u64) {
    with_host(|host| host.clock = Clock::Fixed(ms));
}

/// Moves a fixed clock by `delta_ms` (negative goes back); fixes a real clock
/// at now + `delta_ms` first.
pub fn advance_clock_ms(delta_ms: i64) {
    with_host(|host| {
        let now = match host.clock {
            Clock::Fixed(ms) => ms,
            Clock::Real => real_now_ms(),
        };
        host.clock = Clock::Fixed(now.wrapping_add_signed(delta_ms));
    });
}

/// Makes `clock_now_ms` follow the system clock again (the default).
pub fn use_real_clock() {
    with_host(|host| host.clock = Clock::Real);
}

/// Queues bytes that the next `random_bytes` calls hand out first, in order.
pub fn script_random(bytes: &[u8]) {
    with_host(|host| host.scripted.extend(bytes));
}

/// Reseeds the deterministic generator used once the script is exhausted.
pub fn seed_random(seed: u64) {
    with_host(|host| host.generator = seed);
}

/// Makes every `random_bytes` call fail (as the host's -1) while `fail` is true.
pub fn fail_random(fail: bool) {
    with_host(|host| host.random_fails = fail);
}

/// The lengths of every `random_bytes` call the host saw, in order.
pub fn random_call_lengths() -> Vec<usize> {
    with_host(|host| host.random_calls.clone())
}

/// The log records captured so far (kept).
pub fn logs() -> Vec<LogRecord> {
    with_host(|host| host.logs.clone())
}

/// The log records captured so far, clearing them.
pub fn take_logs() -> Vec<LogRecord> {
    with_host(|host| core::mem::take(&mut host.logs))
}

fn real_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}

pub(crate) fn clock_now_ms() -> i64 {
    with_host(|host| match host.clock {
        Clock::Fixed(ms) => ms as i64,
        Clock::Real => real_now_ms() as i64,
    })
}

pub(crate) fn random_bytes(buf: &mut [u8]) -> i32 {
    with_host(|host| {
        host.random_calls.push(buf.len());
        if host.random_fails || buf.len() > RANDOM_CHUNK_MAX {
            return -1;
        }
        for byte in buf.iter_mut() {
            *byte = match host.scripted.pop_front() {
                Some(scripted) => scripted,
                None => host.next_generated(),
            };
        }
        0
    })
}

pub(crate) fn log(level: i32, message: &[u8]) {
    let kept = &message[..message.len().min(LOG_MESSAGE_MAX)];
    let cleaned: Vec<u8> = kept
        .iter()
        .map(|&b| if b < 0x20 { b'?' } else { b })
        .collect();
    let record = LogRecord {
        level: LogLevel::from_raw(level),
        message: String::from_utf8_lossy(&cleaned).into_owned(),
    };
    with_host(|host| host.logs.push(record));
}

/// Installs the handler that answers this thread's hostcalls (`None`: every
/// call fails with status 1 and no response, like a host without the
/// bridge).
#[cfg(feature = "module")]
pub fn set_hostcall_handler(handler: Option<HostcallHandler>) {
    with_host(|host| host.hostcall = handler);
}

#[cfg(feature = "module")]
pub(crate) fn hostcall(op: &[u8], payload: &[u8]) -> i32 {
    let op = String::from_utf8_lossy(op).into_owned();
    // The handler runs outside the borrow, so it may itself use the mock.
    let handler = with_host(|host| host.hostcall.take());
    let Some(mut handler) = handler else {
        with_host(|host| {
            host.hostcall_response.clear();
            host.hostcall_status = 1;
        });
        return 1;
    };
    let (status, response) = handler(&op, payload);
    with_host(|host| {
        host.hostcall = Some(handler);
        host.hostcall_response = response;
        host.hostcall_status = status;
    });
    status
}

#[cfg(feature = "module")]
pub(crate) fn take_hostcall_response() -> Vec<u8> {
    with_host(|host| core::mem::take(&mut host.hostcall_response))
}

#[cfg(feature = "module")]
pub(crate) fn last_hostcall_status() -> i32 {
    with_host(|host| host.hostcall_status)
}
