//! The bodies of the exports `#[sdn_module]` generates: `plugin_alloc`,
//! `plugin_free`, `plugin_invoke_stream`, and the command surface's
//! `_start`. Not public API.
//!
//! Invariant: the host's pointers are checked here, against the table of
//! live host blocks, before any byte behind them is read or written; the
//! request's content is checked by `module::invoke`.

use crate::abi;
use crate::module::Module;
use crate::module::invoke::{self, Answer};

use super::Slot;

/// The alignment the request block must have.
const REQUEST_ALIGN: u32 = 8;

/// `plugin_alloc(size) -> ptr`: a tracked, 16-aligned block (0 taken as 1);
/// 0 on failure.
pub fn plugin_alloc(size: u32) -> u32 {
    address(abi::allocate(size as usize))
}

/// `plugin_free(ptr, size)`: releases a live block from `plugin_alloc`;
/// anything else (foreign, interior, already freed) is ignored. The size is
/// not trusted: the table knows each block's layout.
pub fn plugin_free(ptr: u32, _size: u32) {
    abi::free_from_host(ptr as usize);
}

/// A guest pointer as the u32 the module ABI passes (wasm32 addresses fit).
fn address(ptr: *mut u8) -> u32 {
    u32::try_from(ptr as usize).unwrap_or(0)
}

/// `plugin_invoke_stream(req, req_len, resp_len_out) -> resp`.
///
/// Returns 0 when `resp_len_out` is not 4 bytes inside a live block, or
/// when the response cannot be allocated; otherwise a `plugin_alloc` block
/// holding the PIV response, whose length is written (u32 LE) at
/// `resp_len_out`. A request outside a live block is an
/// `invalid-request-pointer` response, a request block that is not
/// 8-aligned a `misaligned-request` one.
pub fn plugin_invoke_stream<M: Module>(
    slot: &Slot<M>,
    req: u32,
    req_len: u32,
    resp_len_out: u32,
) -> u32 {
    if resp_len_out != 0 && abi::block_containing(resp_len_out as usize, 4).is_none() {
        return 0;
    }
    write_len(resp_len_out, 0);
    let answer = if req_len > 0 && abi::block_containing(req as usize, req_len as usize).is_none() {
        invoke::error_answer(
            &crate::module::MethodError::invalid_input(
                "invalid-request-pointer",
                "Direct invoke request pointer range is not owned by the module allocator.",
            ),
            0,
        )
    } else if req != 0 && !req.is_multiple_of(REQUEST_ALIGN) {
        invoke::error_answer(
            &crate::module::MethodError::invalid_input(
                "misaligned-request",
                "Invoke request buffer base is not 8-byte aligned.",
            ),
            0,
        )
    } else {
        let request = live_bytes(req, req_len).unwrap_or(&[]);
        // SAFETY: the host serialises calls and nothing in a method calls
        // back into an export, so the slot is not borrowed elsewhere.
        let module = unsafe { slot.get_or_default() };
        invoke::answer(module, request, &live_bytes)
    };
    respond(&answer, resp_len_out)
}

/// `len` bytes at `addr`, when they lie inside one live host block.
fn live_bytes<'a>(addr: u32, len: u32) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    abi::block_containing(addr as usize, len as usize)?;
    // SAFETY: the range is inside a live block this crate allocated and the
    // host filled; the host does not write it during the call, and the block
    // stays live until the host frees it after the call returns.
    Some(unsafe { core::slice::from_raw_parts(addr as usize as *const u8, len as usize) })
}

/// Copies the response into a fresh block and reports its length.
fn respond(answer: &Answer, resp_len_out: u32) -> u32 {
    let Ok(len) = u32::try_from(answer.bytes.len()) else {
        return 0;
    };
    let block = abi::allocate(answer.bytes.len());
    if block.is_null() {
        return 0;
    }
    // SAFETY: `block` is a fresh block of at least `len` bytes, distinct
    // from `answer.bytes`.
    unsafe { core::ptr::copy_nonoverlapping(answer.bytes.as_ptr(), block, answer.bytes.len()) };
    write_len(resp_len_out, len);
    address(block)
}

/// Writes `value` (u32 LE) at `cell`, which the caller has checked is 4
/// bytes inside a live block; nothing for a null cell.
fn write_len(cell: u32, value: u32) {
    if cell == 0 || abi::block_containing(cell as usize, 4).is_none() {
        return;
    }
    // SAFETY: 4 bytes inside a live host block, not otherwise borrowed
    // during the call; unaligned, since the host may place it anywhere.
    unsafe { (cell as usize as *mut [u8; 4]).write_unaligned(value.to_le_bytes()) };
}

/// The command surface's `_start`: reads one PIV request from stdin,
/// writes the response to stdout, and exits with 1 when its status is not 0
/// (after writing it), 74 when stdio fails.
#[cfg(all(target_arch = "wasm32", feature = "command"))]
pub fn command_main<M: Module>(slot: &Slot<M>) {
    use crate::sys::wasi;
    let Some(request) = wasi::read_stdin() else {
        wasi::exit(74);
    };
    // SAFETY: `_start` runs once, before and apart from any other export.
    let module = unsafe { slot.get_or_default() };
    let answer = invoke::answer(module, &request, &|_, _| None);
    if !wasi::write_stdout(&answer.bytes) {
        wasi::exit(74);
    }
    if answer.failed {
        wasi::exit(1);
    }
}
