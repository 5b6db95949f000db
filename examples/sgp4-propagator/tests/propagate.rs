//! The module's logic end to end: `$OMM` bytes in, `$OEM` bytes out.
//!
//! * Verification: every case of Vallado's SGP4-VER.TLE and the ISS vector,
//!   against `tests/data/expected.csv`, which `tests/data/make_expected.py`
//!   wrote with the PyPI `sgp4` package (Vallado's C++ SGP4, WGS-72, AFSPC
//!   mode). Tolerance: [`POSITION_KM`] and [`VELOCITY_KM_S`] per component.
//! * The ISS `$OMM` vector (`tests/data/omm-25544.fb`, from the module SDK's
//!   parity fixtures) through the default window.
//! * Errors: codes, frame indices, and no panic on any prefix of a frame.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test should panic"
)]

use flatbuffers::FlatBufferBuilder;
use sgp4_propagator::generated::oem::{self as oem_fb, CelestialFrame, RFMUnion, timingStandard};
use sgp4_propagator::generated::omm::{self as omm_fb, OMMArgs, meanElementSource};
use sgp4_propagator::{
    DecayFault, ElementFault, Elements, ErrorKind, OmmFault, Window, check_frame_count,
    propagate_all, propagate_frame,
};

/// Largest position difference allowed, per component: 1 mm.
const POSITION_KM: f64 = 1e-6;
/// Largest velocity difference allowed, per component: 1 µm/s.
const VELOCITY_KM_S: f64 = 1e-9;

const EXPECTED: &str = include_str!("data/expected.csv");
const ISS: &[u8] = include_bytes!("data/omm-25544.fb");
/// The ISS case's index in expected.csv (the last case).
const ISS_CASE: usize = 33;

/// One case of expected.csv.
#[derive(Debug, Default)]
struct Case {
    name: String,
    norad: u32,
    epoch: String,
    /// n, e, i, raan, argp, M, bstar, ndot, nddot, step, span
    values: [f64; 11],
    states: Vec<[f64; 6]>,
    /// The state index SGP4 stopped at, and its error code.
    fail: Option<(usize, u32)>,
}

fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    for line in EXPECTED.lines() {
        let f: Vec<&str> = line.split(',').collect();
        match f[0] {
            "case" => {
                assert_eq!(f[1].parse::<usize>().unwrap(), cases.len());
                let mut case = Case {
                    name: f[2].to_owned(),
                    norad: f[3].parse().unwrap(),
                    epoch: f[4].to_owned(),
                    ..Case::default()
                };
                for (slot, text) in case.values.iter_mut().zip(&f[5..16]) {
                    *slot = text.parse().unwrap();
                }
                cases.push(case);
            }
            "state" => {
                let case = &mut cases[f[1].parse::<usize>().unwrap()];
                assert_eq!(f[2].parse::<usize>().unwrap(), case.states.len());
                let mut state = [0.0; 6];
                for (slot, text) in state.iter_mut().zip(&f[3..9]) {
                    *slot = text.parse().unwrap();
                }
                case.states.push(state);
            }
            "fail" => {
                let case = &mut cases[f[1].parse::<usize>().unwrap()];
                case.fail = Some((f[2].parse().unwrap(), f[3].parse().unwrap()));
            }
            other => panic!("unknown row {other}"),
        }
    }
    cases
}

/// An `$OMM` carrying `case`'s elements the way an OMM producer writes them.
fn omm_bytes(case: &Case) -> Vec<u8> {
    let [n, e, i, raan, argp, m, bstar, ndot, nddot, _, _] = case.values;
    let mut fbb = FlatBufferBuilder::new();
    let name = fbb.create_string(&case.name);
    let epoch = fbb.create_string(&case.epoch);
    let root = omm_fb::OMM::create(
        &mut fbb,
        &OMMArgs {
            CCSDS_OMM_VERS: 2.0,
            OBJECT_NAME: Some(name),
            EPOCH: Some(epoch),
            MEAN_MOTION: n,
            ECCENTRICITY: e,
            INCLINATION: i,
            RA_OF_ASC_NODE: raan,
            ARG_OF_PERICENTER: argp,
            MEAN_ANOMALY: m,
            NORAD_CAT_ID: case.norad,
            BSTAR: bstar,
            MEAN_MOTION_DOT: ndot,
            MEAN_MOTION_DDOT: nddot,
            ..Default::default()
        },
    );
    omm_fb::finish_omm_buffer(&mut fbb, root);
    fbb.finished_data().to_vec()
}

fn window_of(case: &Case) -> Window {
    Window::new(Some(case.values[9]), Some(case.values[10])).unwrap()
}

/// The states of an `$OEM`'s one data block, after checking its metadata.
fn oem_states(bytes: &[u8], epoch_prefix: &str) -> Vec<(String, [f64; 6])> {
    assert_eq!(&bytes[4..8], b"$OEM");
    let oem = oem_fb::root_as_oem(bytes).unwrap();
    let blocks = oem.EPHEMERIS_DATA_BLOCK().unwrap();
    assert_eq!(blocks.len(), 1);
    let block = blocks.get(0);
    assert_eq!(block.CENTER_NAME(), Some("EARTH"));
    assert_eq!(block.TIME_SYSTEM(), timingStandard::UTC);
    let frame = block.REFERENCE_FRAME().unwrap();
    assert_eq!(frame.NAME(), Some("TEME"));
    assert_eq!(
        frame.REFERENCE_FRAME_type(),
        RFMUnion::CelestialFrameWrapper
    );
    assert_eq!(
        frame
            .REFERENCE_FRAME_as_celestial_frame_wrapper()
            .unwrap()
            .FRAME(),
        CelestialFrame::TEMEOFDATE
    );
    assert!(block.COMMENT().unwrap().contains("km/s"));
    assert!(block.START_TIME().unwrap().starts_with(epoch_prefix));
    block
        .EPHEMERIS_DATA_LINES()
        .unwrap()
        .iter()
        .map(|l| {
            let state = [l.X(), l.Y(), l.Z(), l.X_DOT(), l.Y_DOT(), l.Z_DOT()];
            (l.EPOCH().unwrap().to_owned(), state)
        })
        .collect()
}

fn assert_close(label: &str, got: &[f64; 6], want: &[f64; 6]) {
    for c in 0..6 {
        let tolerance = if c < 3 { POSITION_KM } else { VELOCITY_KM_S };
        assert!(
            (got[c] - want[c]).abs() <= tolerance,
            "{label}: component {c}: {} vs {} (diff {:e})",
            got[c],
            want[c],
            got[c] - want[c]
        );
    }
}

#[test]
fn vallado_verification_set_matches_the_reference_sgp4() {
    let cases = cases();
    assert_eq!(cases.len(), ISS_CASE + 1);
    let mut compared = 0;
    for (index, case) in cases.iter().enumerate() {
        let window = window_of(case);
        let result = propagate_frame(index, &omm_bytes(case), &window);
        match case.fail {
            None => {
                let oem = result.unwrap_or_else(|e| panic!("{}: {e}", case.name));
                let states = oem_states(&oem, &case.epoch[..19]);
                assert_eq!(states.len(), window.states(), "{}", case.name);
                assert_eq!(states.len(), case.states.len(), "{}", case.name);
                for (k, ((_, got), want)) in states.iter().zip(&case.states).enumerate() {
                    assert_close(&format!("{} state {k}", case.name), got, want);
                    compared += 1;
                }
            }
            Some((k, code)) => {
                let error = result.expect_err(&case.name);
                assert_eq!(error.frame(), Some(index));
                assert!(
                    error
                        .to_string()
                        .starts_with(&format!("omm frame {index}: "))
                );
                match error.kind() {
                    ErrorKind::OrbitDecayed { fault, minutes } => {
                        assert_eq!(minutes, window.offset_minutes(k), "{}", case.name);
                        assert_eq!(error.code(), "orbit-decayed");
                        // The reference's code 6 is "decayed" (below the
                        // surface); the others are SGP4's own failures.
                        let want = if code == 6 {
                            DecayFault::BelowSurface
                        } else {
                            DecayFault::Sgp4
                        };
                        assert_eq!(fault, want, "{}", case.name);
                    }
                    ErrorKind::InvalidElements(ElementFault::Sgp4Init) => {
                        assert_eq!(k, 0, "{}", case.name);
                        assert_eq!(error.code(), "invalid-elements");
                    }
                    other => panic!("{}: unexpected {other:?}", case.name),
                }
            }
        }
    }
    // 29 of the 34 cases run their whole window.
    assert!(compared > 2000, "{compared} states compared");
}

#[test]
fn the_iss_vector_propagates_over_the_default_window() {
    let elements = Elements::from_omm(ISS).unwrap();
    assert_eq!(elements.object_name, Some("ISS (ZARYA)"));
    assert_eq!(elements.object_id, Some("1998-067A"));
    assert_eq!(elements.norad_cat_id, 25544);
    let expected = &cases()[ISS_CASE];
    let [n, e, i, raan, argp, m, bstar, ndot, _, _, _] = expected.values;
    assert_eq!(
        [
            elements.mean_motion,
            elements.eccentricity,
            elements.inclination
        ],
        [n, e, i]
    );
    assert_eq!(
        [
            elements.ra_of_asc_node,
            elements.arg_of_pericenter,
            elements.mean_anomaly
        ],
        [raan, argp, m]
    );
    assert_eq!([elements.bstar, elements.mean_motion_dot], [bstar, ndot]);

    let window = Window::from_config_json(b"{}").unwrap();
    let oem = propagate_frame(0, ISS, &window).unwrap();
    let parsed = oem_fb::root_as_oem(&oem).unwrap();
    assert_eq!(parsed.ORIGINATOR(), Some("sdn-pdk sgp4-propagator"));
    let block = parsed.EPHEMERIS_DATA_BLOCK().unwrap().get(0);
    let object = block.OBJECT().unwrap();
    assert_eq!(
        (
            object.OBJECT_NAME(),
            object.OBJECT_ID(),
            object.NORAD_CAT_ID()
        ),
        (Some("ISS (ZARYA)"), Some("1998-067A"), 25544)
    );
    assert_eq!(block.START_TIME(), Some("2024-01-01T00:00:00.000000"));
    assert_eq!(block.STOP_TIME(), Some("2024-01-01T01:30:00.000000"));
    assert_eq!(block.STEP_SIZE(), 60.0);

    let states = oem_states(&oem, "2024-01-01T00:00:00");
    assert_eq!(states.len(), 91);
    assert_eq!(states[1].0, "2024-01-01T00:01:00.000000");
    assert_eq!(states[90].0, "2024-01-01T01:30:00.000000");
    for (k, ((_, got), want)) in states.iter().zip(&expected.states).enumerate() {
        assert_close(&format!("ISS state {k}"), got, want);
    }
    // Sanity beyond the reference: an ISS altitude (about 400 km) throughout.
    for (_, s) in &states {
        let r = (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).sqrt();
        assert!((6700.0..6850.0).contains(&r), "r = {r}");
    }
}

#[test]
fn frames_propagate_in_order_and_the_frame_limit_holds() {
    let window = Window::new(Some(600.0), Some(30.0)).unwrap();
    let cases = cases();
    let other = omm_bytes(&cases[20]);
    let oems = propagate_all([ISS, other.as_slice(), ISS], &window).unwrap();
    assert_eq!(oems.len(), 3);
    assert_eq!(oems[0], oems[2]);
    let name = |b: &[u8]| {
        let oem = oem_fb::root_as_oem(b).unwrap();
        let block = oem.EPHEMERIS_DATA_BLOCK().unwrap().get(0);
        block.OBJECT().unwrap().OBJECT_NAME().unwrap().to_owned()
    };
    assert_eq!(
        [name(&oems[0]), name(&oems[1])],
        ["ISS (ZARYA)", "VER 28057"]
    );

    assert!(check_frame_count(32).is_ok());
    let error = check_frame_count(33).unwrap_err();
    assert_eq!(error.code(), "too-many-frames");
    assert_eq!(error.to_string(), "33 omm frames; a call takes at most 32");
    let error = propagate_all(vec![ISS; 33], &window).unwrap_err();
    assert_eq!(error.code(), "too-many-frames");

    // The first bad frame stops the call and is named.
    let error = propagate_all([ISS, b"junk".as_slice(), ISS], &window).unwrap_err();
    assert_eq!((error.code(), error.frame()), ("invalid-omm", Some(1)));
}

#[test]
fn frames_that_are_not_verifiable_omms_are_invalid_omm() {
    let window = Window::new(None, None).unwrap();
    let mut wrong_id = ISS.to_vec();
    wrong_id[4..8].copy_from_slice(b"$OEM");
    for (bytes, fault) in [
        (&b""[..], OmmFault::WrongIdentifier),
        (b"$OMM", OmmFault::WrongIdentifier),
        (&wrong_id, OmmFault::WrongIdentifier),
        (&ISS[..64], OmmFault::Unverifiable),
    ] {
        let error = propagate_frame(7, bytes, &window).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidOmm(fault));
        assert_eq!(error.code(), "invalid-omm");
        assert!(error.to_string().starts_with("omm frame 7: "), "{error}");
    }
    // No prefix and no single corrupted byte of a real frame panics.
    for len in 0..ISS.len() {
        assert!(
            propagate_frame(0, &ISS[..len], &window).is_err(),
            "prefix {len}"
        );
    }
    for at in 0..ISS.len() {
        let mut bytes = ISS.to_vec();
        bytes[at] ^= 0xA5;
        let _ = propagate_frame(0, &bytes, &window);
    }
}

#[test]
fn missing_or_impossible_elements_are_invalid_elements() {
    let window = Window::new(None, None).unwrap();
    let iss = &cases()[ISS_CASE];
    let with = |slot: usize, value: f64| {
        let mut case = Case {
            name: iss.name.clone(),
            norad: iss.norad,
            epoch: iss.epoch.clone(),
            values: iss.values,
            ..Case::default()
        };
        case.values[slot] = value;
        omm_bytes(&case)
    };
    let checks = [
        (with(0, 0.0), ElementFault::MeanMotion),
        (with(0, -15.5), ElementFault::MeanMotion),
        (with(0, f64::NAN), ElementFault::MeanMotion),
        (with(1, 1.0), ElementFault::Eccentricity),
        (with(1, -0.01), ElementFault::Eccentricity),
        (with(2, 180.5), ElementFault::Inclination),
        (
            with(3, f64::INFINITY),
            ElementFault::NotFinite("RA_OF_ASC_NODE"),
        ),
        (with(6, f64::NAN), ElementFault::NotFinite("BSTAR")),
    ];
    for (bytes, fault) in checks {
        let error = propagate_frame(2, &bytes, &window).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidElements(fault), "{error}");
        assert_eq!(error.code(), "invalid-elements");
        assert_eq!(error.frame(), Some(2));
    }
    let error = propagate_frame(2, &with(1, 1.0), &window).unwrap_err();
    assert_eq!(
        error.to_string(),
        "omm frame 2: ECCENTRICITY is outside [0, 1)"
    );

    // No epoch, a bad epoch, another mean element theory.
    let mut fbb = FlatBufferBuilder::new();
    let root = omm_fb::OMM::create(
        &mut fbb,
        &OMMArgs {
            MEAN_MOTION: 15.5,
            ..Default::default()
        },
    );
    omm_fb::finish_omm_buffer(&mut fbb, root);
    let error = propagate_frame(0, fbb.finished_data(), &window).unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::InvalidElements(ElementFault::MissingEpoch)
    );

    let mut bad_epoch = Case {
        epoch: "2024-02-30T00:00:00".into(),
        values: iss.values,
        ..Case::default()
    };
    bad_epoch.name = "x".into();
    let error = propagate_frame(0, &omm_bytes(&bad_epoch), &window).unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::InvalidElements(ElementFault::BadEpoch)
    );

    let mut fbb = FlatBufferBuilder::new();
    let epoch = fbb.create_string("2024-01-01T00:00:00");
    let args = OMMArgs {
        EPOCH: Some(epoch),
        MEAN_MOTION: 15.5,
        MEAN_ELEMENT_THEORY: meanElementSource::DSST,
        ..Default::default()
    };
    let root = omm_fb::OMM::create(&mut fbb, &args);
    omm_fb::finish_omm_buffer(&mut fbb, root);
    let error = propagate_frame(0, fbb.finished_data(), &window).unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::InvalidElements(ElementFault::Theory)
    );
}

#[test]
fn a_decaying_orbit_is_orbit_decayed_naming_the_minute() {
    let cases = cases();
    let case = cases.iter().find(|c| c.norad == 28872).unwrap();
    let error = propagate_frame(4, &omm_bytes(case), &window_of(case)).unwrap_err();
    assert_eq!(error.code(), "orbit-decayed");
    assert_eq!(
        error.to_string(),
        "omm frame 4: the orbit decays inside the window: below the Earth's surface 60 minutes after epoch"
    );
}

#[test]
fn bad_config_is_invalid_config() {
    let error: sgp4_propagator::PropagateError =
        Window::from_config_json(br#"{"stepSeconds": -1}"#)
            .unwrap_err()
            .into();
    assert_eq!(error.code(), "invalid-config");
    assert_eq!(error.frame(), None);
    assert_eq!(
        error.to_string(),
        "invalid config: stepSeconds must be at least 0.001 and at most 86400"
    );
}
