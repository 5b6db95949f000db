//! One request as the host hands it to `plugin_handle_request`.

/// The longest `Host` the server passes (a DNS name); longer strings are cut.
pub const HOST_MAX: usize = 253;

/// A request: the body bytes and the HTTP `Host` the client used.
///
/// Over libp2p the host is empty; over HTTP it is client-controlled and may
/// carry a `:port`. Treat both as untrusted input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request<'a> {
    body: &'a [u8],
    host: &'a [u8],
}

impl<'a> Request<'a> {
    /// A request from its parts (the glue builds these; tests may too).
    pub const fn new(body: &'a [u8], host: &'a [u8]) -> Request<'a> {
        Request { body, host }
    }

    /// The request body.
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The `Host` bytes, without the terminating NUL (at most [`HOST_MAX`]).
    pub const fn host_bytes(&self) -> &'a [u8] {
        self.host
    }

    /// The `Host` as text, or `None` when it is not UTF-8.
    pub fn host(&self) -> Option<&'a str> {
        core::str::from_utf8(self.host).ok()
    }
}
