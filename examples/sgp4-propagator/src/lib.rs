#![doc = include_str!("../README.md")]
#![no_std]
#![deny(missing_docs)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod elements;
pub mod ephemeris;
mod error;
pub mod generated;
mod module;
pub mod oem;
pub mod time;
pub mod window;

use alloc::vec::Vec;

pub use elements::{Elements, OmmOrElementFault};
pub use ephemeris::{PropagationFault, State};
pub use error::{ConfigError, DecayFault, ElementFault, ErrorKind, OmmFault, PropagateError};
pub use module::Propagator;
pub use window::Window;

/// The method's id.
pub const METHOD: &str = "propagate";
/// The input port: one to [`MAX_FRAMES`] `$OMM` frames.
pub const INPUT_PORT: &str = "omm";
/// The output port: one `$OEM` per input frame, in order.
pub const OUTPUT_PORT: &str = "ephemeris";
/// Most `omm` frames one call takes.
pub const MAX_FRAMES: usize = 32;

/// `Err(too-many-frames)` when a call brings more than [`MAX_FRAMES`]
/// frames. (No frame at all is the ABI's `missing-required-input`, which
/// the host or the module glue reports before the method runs.)
pub fn check_frame_count(count: usize) -> Result<(), PropagateError> {
    if count > MAX_FRAMES {
        return Err(PropagateError::call(ErrorKind::TooManyFrames { count }));
    }
    Ok(())
}

/// Frame `index` (an `$OMM`) → its `$OEM`: verify, read and check the
/// elements, propagate over `window`, encode. Every failure is an error
/// naming `index`; nothing here panics on any input.
pub fn propagate_frame(
    index: usize,
    omm: &[u8],
    window: &Window,
) -> Result<Vec<u8>, PropagateError> {
    let in_frame = |kind| PropagateError::in_frame(index, kind);
    let elements = Elements::from_omm(omm).map_err(|fault| {
        in_frame(match fault {
            OmmOrElementFault::Omm(f) => ErrorKind::InvalidOmm(f),
            OmmOrElementFault::Elements(f) => ErrorKind::InvalidElements(f),
        })
    })?;
    let states = ephemeris::propagate(&elements, window).map_err(|fault| {
        in_frame(match fault {
            PropagationFault::Init(f) => ErrorKind::InvalidElements(f),
            PropagationFault::Decayed { fault, minutes } => {
                ErrorKind::OrbitDecayed { fault, minutes }
            }
        })
    })?;
    Ok(oem::build(&elements, window, &states))
}

/// All frames of one call, in order: [`check_frame_count`], then
/// [`propagate_frame`] for each; the first error stops the call.
pub fn propagate_all<'a, I>(frames: I, window: &Window) -> Result<Vec<Vec<u8>>, PropagateError>
where
    I: IntoIterator<Item = &'a [u8]>,
    I::IntoIter: ExactSizeIterator,
{
    let frames = frames.into_iter();
    check_frame_count(frames.len())?;
    frames
        .enumerate()
        .map(|(index, frame)| propagate_frame(index, frame, window))
        .collect()
}
