//! The `$OEM` FlatBuffer: one data block of SGP4 states, its metadata
//! saying TEME, Earth-centred, UTC, km and km/s, object and epoch taken
//! from the OMM.

use alloc::vec::Vec;

use flatbuffers::FlatBufferBuilder;

use crate::elements::Elements;
use crate::ephemeris::State;
use crate::generated::oem::{
    self, CAT, CATArgs, CelestialFrame, CelestialFrameWrapper, CelestialFrameWrapperArgs, OEMArgs,
    RFM, RFMArgs, RFMUnion, ephemerisDataBlock, ephemerisDataBlockArgs, ephemerisDataLine,
    ephemerisDataLineArgs, timingStandard,
};
use crate::window::Window;

/// `ORIGINATOR` of every emitted OEM.
pub const ORIGINATOR: &str = "sdn-pdk sgp4-propagator";
/// `CCSDS_OEM_VERS` of every emitted OEM (the OMM vectors' 2.0).
pub const CCSDS_OEM_VERSION: f64 = 2.0;
/// The data block's `COMMENT`: the model and the units, which the OEM
/// table has no fields for.
pub const COMMENT: &str =
    "SGP4, WGS-72 constants, AFSPC mode; TEME of date; position km, velocity km/s";
/// The reference frame's `NAME`.
pub const FRAME_NAME: &str = "TEME";
/// The data block's `CENTER_NAME`.
pub const CENTER_NAME: &str = "EARTH";

/// Bytes per state line, for the builder's first allocation.
const BYTES_PER_STATE: usize = 120;

/// The `$OEM` (file identifier `$OEM`) for `states` of `elements` over
/// `window`.
pub fn build(elements: &Elements<'_>, window: &Window, states: &[State]) -> Vec<u8> {
    let mut fbb = FlatBufferBuilder::with_capacity(512 + BYTES_PER_STATE * states.len());

    let mut lines = Vec::with_capacity(states.len());
    for state in states {
        let epoch = fbb.create_string(&elements.epoch.plus_nanos(state.offset_nanos).to_iso());
        let [x, y, z] = state.position;
        let [x_dot, y_dot, z_dot] = state.velocity;
        lines.push(ephemerisDataLine::create(
            &mut fbb,
            &ephemerisDataLineArgs {
                EPOCH: Some(epoch),
                X: x,
                Y: y,
                Z: z,
                X_DOT: x_dot,
                Y_DOT: y_dot,
                Z_DOT: z_dot,
                ..Default::default()
            },
        ));
    }
    let lines = fbb.create_vector(&lines);

    let start = fbb.create_string(&elements.epoch.to_iso());
    let last = states.last().map_or(0, |s| s.offset_nanos);
    let stop = fbb.create_string(&elements.epoch.plus_nanos(last).to_iso());

    let object_name = elements.object_name.map(|s| fbb.create_string(s));
    let object_id = elements.object_id.map(|s| fbb.create_string(s));
    let object = CAT::create(
        &mut fbb,
        &CATArgs {
            OBJECT_NAME: object_name,
            OBJECT_ID: object_id,
            NORAD_CAT_ID: elements.norad_cat_id,
        },
    );

    let frame = CelestialFrameWrapper::create(
        &mut fbb,
        &CelestialFrameWrapperArgs {
            FRAME: CelestialFrame::TEMEOFDATE,
        },
    );
    let frame_name = fbb.create_string(FRAME_NAME);
    let reference_frame = RFM::create(
        &mut fbb,
        &RFMArgs {
            REFERENCE_FRAME_type: RFMUnion::CelestialFrameWrapper,
            REFERENCE_FRAME: Some(frame.as_union_value()),
            INDEX: 0,
            NAME: Some(frame_name),
        },
    );

    let comment = fbb.create_string(COMMENT);
    let center = fbb.create_string(CENTER_NAME);
    let block = ephemerisDataBlock::create(
        &mut fbb,
        &ephemerisDataBlockArgs {
            COMMENT: Some(comment),
            OBJECT: Some(object),
            CENTER_NAME: Some(center),
            REFERENCE_FRAME: Some(reference_frame),
            REFERENCE_FRAME_EPOCH: None,
            COV_REFERENCE_FRAME: None,
            TIME_SYSTEM: timingStandard::UTC,
            START_TIME: Some(start),
            USEABLE_START_TIME: Some(start),
            USEABLE_STOP_TIME: Some(stop),
            STOP_TIME: Some(stop),
            INTERPOLATION: None,
            INTERPOLATION_DEGREE: 0,
            STEP_SIZE: window.step_seconds(),
            STATE_VECTOR_SIZE: 6,
            EPHEMERIS_DATA: None,
            EPHEMERIS_DATA_LINES: Some(lines),
            COVARIANCE_MATRIX_LINES: None,
            POLYNOMIAL_POSITION_RECORDS: None,
            OBJECT_NAIF_ID: 0,
            CENTER_NAIF_ID: 0,
        },
    );
    let blocks = fbb.create_vector(&[block]);
    let originator = fbb.create_string(ORIGINATOR);
    let root = oem::OEM::create(
        &mut fbb,
        &OEMArgs {
            CLASSIFICATION: None,
            CCSDS_OEM_VERS: CCSDS_OEM_VERSION,
            CREATION_DATE: None,
            ORIGINATOR: Some(originator),
            EPHEMERIS_DATA_BLOCK: Some(blocks),
            COMMENT: None,
            MESSAGE_ID: None,
        },
    );
    oem::finish_oem_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}
