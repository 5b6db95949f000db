//! The trait a plugin implements.

use crate::{Error, Output, Request};

/// An SDN plugin. Implement it on your state type and put
/// [`#[sdn_plugin]`](crate::sdn_plugin) on the impl: the macro generates the
/// C-ABI exports the server calls and keeps one instance for the module's
/// life.
///
/// | server export | method | on error |
/// |---|---|---|
/// | `plugin_init` | [`init`](Plugin::init) / [`reinit`](Plugin::reinit) | the error's status; the previous state stays |
/// | `plugin_get_public_key` (capacity 128) | [`public_key`](Plugin::public_key) | -1 |
/// | `plugin_get_metadata` (capacity 4096) | [`metadata`](Plugin::metadata) | -1 |
/// | `plugin_handle_request` (capacity 8192) | [`handle_request`](Plugin::handle_request) | the error's status, with what was written as the body |
/// | `plugin_request_challenge` (capacity 1024) | [`request_challenge`](Plugin::request_challenge) | the error's status, with what was written |
///
/// Before a successful init, the glue answers for you: status 1 with
/// `out_len = 0` for requests and challenges, -1 for the public key and the
/// metadata. Whenever the status is 7 ([`Error::OUTPUT_TOO_SMALL`]), `out_len`
/// is 0.
pub trait Plugin: Sized + 'static {
    /// Builds the plugin from the config bytes the server passes to
    /// `plugin_init` (possibly empty). Called for the first init.
    fn init(config: &[u8]) -> Result<Self, Error>;

    /// Called for every later `plugin_init`. The default builds a fresh
    /// instance with [`init`](Plugin::init) and replaces `self` only on
    /// success, so a failed init leaves the previous state in place; an
    /// override must keep that promise.
    fn reinit(&mut self, config: &[u8]) -> Result<(), Error> {
        *self = Self::init(config)?;
        Ok(())
    }

    /// Writes the plugin's public key.
    fn public_key(&self, out: &mut Output<'_>) -> Result<(), Error>;

    /// Writes the plugin's metadata.
    fn metadata(&self, out: &mut Output<'_>) -> Result<(), Error>;

    /// Handles one request. On `Err`, the export returns the error's status
    /// and whatever was written to `out` is still sent to the client (so an
    /// error response can carry a body), except for
    /// [`Error::OUTPUT_TOO_SMALL`], which sends nothing.
    fn handle_request(&mut self, request: &Request<'_>, out: &mut Output<'_>) -> Result<(), Error>;

    /// Answers `plugin_request_challenge` (the later server revision; the
    /// request is the JSON the client sent). The server replies with the
    /// output, `{}` when it is empty, or `{"error":<status>}` on an error.
    ///
    /// The default writes nothing and fails with [`Error::UNSUPPORTED`]
    /// (status 501), so the client sees `{"error":501}`.
    fn request_challenge(&mut self, request: &[u8], out: &mut Output<'_>) -> Result<(), Error> {
        let _ = (request, out);
        Err(Error::UNSUPPORTED)
    }
}
