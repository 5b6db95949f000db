//! A test module whose methods are wired to libp2p protocols and timers,
//! one method per rule of the server's protocol handler and timer calls.
//!
//! Every port takes a `RAW0` ("Raw.fbs", root `Raw`); the server's frames
//! carry no type ref and are taken as that type.
//!
//! * `echo` (protocol `/x/1.0.0`, timer `echo-tick`): writes `"echo"` on
//!   `log`, then the request payload on `response` — the server answers
//!   `response`, not the first output.
//! * `first` (protocol `/x/first/1.0.0`): writes `"a"` on `a` and `"b"` on
//!   `b` — no `response` port, so the server answers the first.
//! * `tick` (timer `tick`): counts its calls and answers
//!   `"tick <count> <payload length>"`.
//! * `fail` (protocol `/x/fail/1.0.0`, timer `bad-tick`): fails with
//!   status 418, `teapot`.
//! * `silent` (protocol `/x/silent/1.0.0`): no output, or one empty output
//!   when the request is `"empty"`.
//! * `other_port` (protocol `/x/other-port/1.0.0`, input port `other`): the
//!   server still sends on `request`, so the call fails.
//! * protocol `/x/manual/1.0.0` is not auto-installed.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::format;

use sdn_pdk::module::{Call, MethodError, Outputs, sdn_module};

/// The module's state: how often `tick` ran.
#[derive(Default)]
pub struct Wired {
    ticks: u64,
}

#[sdn_module(
    id = "org.sdn-pdk.test.wired-module",
    name = "Wired module",
    family = "analysis",
    capabilities = [logging, timers, protocol_handle],
    protocols = [
        protocol(id = "/x/1.0.0", method = "echo"),
        protocol(id = "/x/first/1.0.0", method = "first"),
        protocol(id = "/x/fail/1.0.0", method = "fail"),
        protocol(id = "/x/silent/1.0.0", method = "silent"),
        protocol(id = "/x/other-port/1.0.0", method = "other_port", input = "other"),
        protocol(id = "/x/manual/1.0.0", method = "echo", auto_install = false),
    ],
    timers = [
        timer(id = "tick", method = "tick", interval_ms = 1000),
        timer(id = "echo-tick", method = "echo", interval_ms = 60000),
        timer(id = "bad-tick", method = "fail", interval_ms = 5000),
    ],
)]
impl Wired {
    /// `"echo"` on `log`, the request on `response`.
    #[method(
        id = "echo",
        input(
            port = "request",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "log",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "response",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        )
    )]
    fn echo(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        out.push("log", b"echo")?;
        for frame in call.port("request") {
            out.push("response", frame.payload())?;
        }
        Ok(())
    }

    /// `"a"` on `a`, `"b"` on `b`.
    #[method(
        id = "first",
        input(
            port = "request",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "a",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "b",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        )
    )]
    fn first(&mut self, _call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        out.push("a", b"a")?;
        out.push("b", b"b")
    }

    /// `"tick <count> <payload length>"`.
    #[method(
        id = "tick",
        input(
            port = "request",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "response",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        )
    )]
    fn tick(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        self.ticks += 1;
        let len = call.first("request").map_or(0, |f| f.payload().len());
        out.push("response", format!("tick {} {len}", self.ticks).as_bytes())
    }

    /// Always 418 `teapot`.
    #[method(
        id = "fail",
        input(
            port = "request",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "response",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        )
    )]
    fn fail(&mut self, _call: &Call<'_>, _out: &mut Outputs<'_>) -> Result<(), MethodError> {
        Err(MethodError::new(418, "teapot", "no coffee here"))
    }

    /// Nothing, or one empty output for the request `"empty"`.
    #[method(
        id = "silent",
        input(
            port = "request",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "response",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        )
    )]
    fn silent(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        if call
            .first("request")
            .is_some_and(|f| f.payload() == b"empty")
        {
            out.push("response", b"")?;
        }
        Ok(())
    }

    /// Takes its input on `other`.
    #[method(
        id = "other_port",
        input(
            port = "other",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        ),
        output(
            port = "response",
            schema = "Raw.fbs",
            file_identifier = "RAW0",
            root_type = "Raw"
        )
    )]
    fn other_port(&mut self, call: &Call<'_>, out: &mut Outputs<'_>) -> Result<(), MethodError> {
        for frame in call.port("other") {
            out.push("response", frame.payload())?;
        }
        Ok(())
    }
}
