//! The host's call sequences, byte for byte in the server's order: malloc,
//! copy, (poison), call, read, free in reverse order.

use crate::error::HarnessError;
use crate::exports::{self, HostRevision};
use crate::limits::{MAX_HOST_LEN, POISON_BYTE};
use crate::memory;
use crate::plugin::Plugin;

/// What `plugin_handle_request` produced. A non-zero status is not an error:
/// the server returns the body with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The call's return value (0 = OK, anything else is plugin-defined).
    pub status: i32,
    /// The `out_len` bytes the plugin wrote.
    pub body: Vec<u8>,
}

/// What `plugin_request_challenge` produced (later host revision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeResponse {
    /// The call's return value.
    pub status: i32,
    /// The `out_len` bytes the plugin wrote.
    pub output: Vec<u8>,
    /// What the server sends the client: the output (or `{}` when empty) for
    /// status 0, `{"error":<status>}` otherwise.
    pub body: Vec<u8>,
}

impl Plugin {
    /// `plugin_init(config)`: `malloc(len)` (also `malloc(0)` for an empty
    /// config), copy, call, free. A non-zero status is
    /// [`HarnessError::Status`], as the server refuses to start the plugin.
    pub fn init(&mut self, config: &[u8]) -> Result<(), HarnessError> {
        let len = length(config.len())?;
        let func = self.funcs.init.clone();
        let status = self.with_buffers(|this, bufs| {
            let ptr = this.alloc_copy(bufs, config)?;
            this.call(exports::PLUGIN_INIT, func, (ptr.cast_signed(), len))
        })?;
        match status {
            0 => Ok(()),
            status => Err(HarnessError::Status(status)),
        }
    }

    /// `plugin_get_public_key` with `out_cap` = 128 (see
    /// [`Capacities`](crate::Capacities)): the bytes it wrote. A negative
    /// return is [`HarnessError::Status`], one above the capacity
    /// [`HarnessError::BadLength`].
    pub fn public_key(&mut self) -> Result<Vec<u8>, HarnessError> {
        let func = self.funcs.public_key.clone();
        let cap = self.capacities.public_key;
        self.with_buffers(|this, bufs| {
            let out = this.alloc_poisoned(bufs, cap)?;
            let n = this.call(
                exports::PLUGIN_GET_PUBLIC_KEY,
                func,
                (out.cast_signed(), cap.cast_signed()),
            )?;
            this.read_returned(out, n, cap)
        })
    }

    /// `plugin_get_metadata` with `out_cap` = 4096: same rules as
    /// [`public_key`](Self::public_key).
    pub fn metadata(&mut self) -> Result<Vec<u8>, HarnessError> {
        let func = self.funcs.metadata.clone();
        let cap = self.capacities.metadata;
        self.with_buffers(|this, bufs| {
            let out = this.alloc_poisoned(bufs, cap)?;
            let n = this.call(
                exports::PLUGIN_GET_METADATA,
                func,
                (out.cast_signed(), cap.cast_signed()),
            )?;
            this.read_returned(out, n, cap)
        })
    }

    /// `plugin_handle_request(request, host)` in the host's order:
    /// `req = malloc(len)` (possibly `malloc(0)`), `host = malloc(len+1)`
    /// NUL-terminated, `out = malloc(8192)`, `out_len = malloc(4)` (both
    /// poisoned), the call, `out_len` read as u32 LE whatever the status
    /// (above the capacity: [`HarnessError::BadLength`]), then the four
    /// buffers freed in reverse order.
    pub fn handle_request(&mut self, request: &[u8], host: &str) -> Result<Response, HarnessError> {
        if host.len() > MAX_HOST_LEN {
            return Err(HarnessError::InvalidInput {
                message: format!("host name of {} bytes (at most {MAX_HOST_LEN})", host.len()),
            });
        }
        let req_len = length(request.len())?;
        let mut host_z = Vec::with_capacity(host.len() + 1);
        host_z.extend_from_slice(host.as_bytes());
        host_z.push(0);
        let func = self.funcs.handle_request.clone();
        let cap = self.capacities.response;
        self.with_buffers(|this, bufs| {
            let req = this.alloc_copy(bufs, request)?;
            let host_ptr = this.alloc_copy(bufs, &host_z)?;
            let out = this.alloc_poisoned(bufs, cap)?;
            let out_len = this.alloc_poisoned(bufs, 4)?;
            let status = this.call(
                exports::PLUGIN_HANDLE_REQUEST,
                func,
                (
                    req.cast_signed(),
                    req_len,
                    host_ptr.cast_signed(),
                    out.cast_signed(),
                    cap.cast_signed(),
                    out_len.cast_signed(),
                ),
            )?;
            let body = this.read_out_len(out, out_len, cap)?;
            Ok(Response { status, body })
        })
    }

    /// `plugin_request_challenge(json)` (later host revision only):
    /// `req = malloc(len)`, `out = malloc(1024)`, `out_len = malloc(4)`, the
    /// call, `out_len` read (above 1024: [`HarnessError::BadLength`]), free.
    /// The request is never empty on the server, so an empty one is
    /// [`HarnessError::InvalidInput`].
    pub fn request_challenge(&mut self, json: &[u8]) -> Result<ChallengeResponse, HarnessError> {
        let Some(func) = self.funcs.request_challenge.clone() else {
            return Err(HarnessError::Unsupported {
                call: exports::PLUGIN_REQUEST_CHALLENGE,
                revision: HostRevision::Original,
            });
        };
        if json.is_empty() {
            return Err(HarnessError::InvalidInput {
                message: "empty challenge request (the server never sends one)".to_owned(),
            });
        }
        let req_len = length(json.len())?;
        let cap = self.capacities.challenge;
        self.with_buffers(|this, bufs| {
            let req = this.alloc_copy(bufs, json)?;
            let out = this.alloc_poisoned(bufs, cap)?;
            let out_len = this.alloc_poisoned(bufs, 4)?;
            let status = this.call(
                exports::PLUGIN_REQUEST_CHALLENGE,
                func,
                (
                    req.cast_signed(),
                    req_len,
                    out.cast_signed(),
                    cap.cast_signed(),
                    out_len.cast_signed(),
                ),
            )?;
            let output = this.read_out_len(out, out_len, cap)?;
            let body = match status {
                0 if output.is_empty() => b"{}".to_vec(),
                0 => output.clone(),
                status => format!("{{\"error\":{status}}}").into_bytes(),
            };
            Ok(ChallengeResponse {
                status,
                output,
                body,
            })
        })
    }

    /// Runs one host operation with a fresh budget: `body` mallocs into
    /// `bufs`, and whatever happens, every buffer is freed afterwards in
    /// reverse order, as the server's deferred frees do. The frees get their
    /// own fresh budget; their failure is reported only when the operation
    /// itself succeeded (the server ignores it, but a trapping `free` is a bug).
    fn with_buffers<T>(
        &mut self,
        body: impl FnOnce(&mut Self, &mut Vec<u32>) -> Result<T, HarnessError>,
    ) -> Result<T, HarnessError> {
        self.begin()?;
        let mut bufs = Vec::new();
        let result = body(self, &mut bufs);
        let freed = self.free_all(&bufs);
        let value = result?;
        freed?;
        Ok(value)
    }

    fn free_all(&mut self, bufs: &[u32]) -> Result<(), HarnessError> {
        if bufs.is_empty() {
            return Ok(());
        }
        self.begin()?;
        let free = self.funcs.free.clone();
        let mut first_error = None;
        for &ptr in bufs.iter().rev() {
            if let Err(e) = self.call(exports::FREE, free.clone(), ptr.cast_signed()) {
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// `malloc(size)`; 0 is an allocation failure (also for size 0).
    fn alloc(&mut self, bufs: &mut Vec<u32>, size: u32) -> Result<u32, HarnessError> {
        let malloc = self.funcs.malloc.clone();
        let ptr = self
            .call(exports::MALLOC, malloc, size.cast_signed())?
            .cast_unsigned();
        if ptr == 0 {
            return Err(HarnessError::AllocationFailed { size });
        }
        bufs.push(ptr);
        if memory::range(self.memory.data_size(&self.store), ptr, u64::from(size)).is_none() {
            return Err(HarnessError::OutOfBounds {
                ptr,
                len: u64::from(size),
            });
        }
        Ok(ptr)
    }

    fn alloc_copy(&mut self, bufs: &mut Vec<u32>, data: &[u8]) -> Result<u32, HarnessError> {
        let ptr = self.alloc(bufs, length(data.len())?.cast_unsigned())?;
        self.write_memory(ptr, data)?;
        Ok(ptr)
    }

    /// An output buffer: poisoned so that reading it unwritten is loud.
    fn alloc_poisoned(&mut self, bufs: &mut Vec<u32>, size: u32) -> Result<u32, HarnessError> {
        let ptr = self.alloc(bufs, size)?;
        let data = self.memory.data_mut(&mut self.store);
        if let Some(dst) = memory::slice_mut(data, ptr, u64::from(size)) {
            dst.fill(POISON_BYTE);
        }
        Ok(ptr)
    }

    /// The public-key/metadata rule: the return value is the length.
    fn read_returned(&mut self, out: u32, n: i32, cap: u32) -> Result<Vec<u8>, HarnessError> {
        if n < 0 {
            return Err(HarnessError::Status(n));
        }
        let len = n.cast_unsigned();
        if len > cap {
            return Err(HarnessError::BadLength {
                len: i64::from(n),
                capacity: cap,
            });
        }
        self.read_memory(out, len)
    }

    /// The handle-request/challenge rule: `out_len` is a u32 LE in memory.
    fn read_out_len(&mut self, out: u32, out_len: u32, cap: u32) -> Result<Vec<u8>, HarnessError> {
        let len = memory::read_u32(self.memory.data(&self.store), out_len).ok_or(
            HarnessError::OutOfBounds {
                ptr: out_len,
                len: 4,
            },
        )?;
        if len > cap {
            return Err(HarnessError::BadLength {
                len: i64::from(len),
                capacity: cap,
            });
        }
        self.read_memory(out, len)
    }
}

/// A host-side length as the guest's `i32`.
fn length(len: usize) -> Result<i32, HarnessError> {
    i32::try_from(len).map_err(|_| HarnessError::InvalidInput {
        message: format!("{len} bytes do not fit a wasm32 length"),
    })
}
