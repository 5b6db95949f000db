//! `sgp4_propagate`: one 91-state propagation of the ISS (the `$OMM` of
//! `examples/sgp4-propagator/tests/data/omm-25544.fb`, the default window:
//! 60 s steps over 90 minutes) as the server invokes the built
//! `sgp4-propagator.wasm` (a `$PIV` request in, the `plugin.getConfig`
//! hostcall, the `$PIV` response with one `$OEM` out, decoded by the host)
//! against the same crate's `propagate_frame` run natively on the same
//! bytes: the ratio is what running the propagator as a wasm module costs.
//!
//! Before timing, both must give the same 91 epochs and states to 1e-9
//! (km, km/s): libm's last bits may differ between wasm and the host.
//!
//! The module loads with fuel off ([`Metering::Off`]), as on the server;
//! it logs nothing, so there is no bookkeeping to leave out.

use std::hint::black_box;

use anyhow::{Context as _, Result, anyhow, ensure};
use criterion::Criterion;
use host_harness::{Frame, Metering, Module, ModuleOptions};
use sdn_pdk_schemas::piv::TypeRef;
use sgp4_propagator::generated::oem;
use sgp4_propagator::{Window, propagate_frame};

use crate::Plugins;
use crate::ratios::Comparison;

/// The group's name (and criterion's directory).
const GROUP: &str = "sgp4_propagate";
/// The ISS, a real `$OMM`.
const ISS: &[u8] = include_bytes!("../../../examples/sgp4-propagator/tests/data/omm-25544.fb");
/// The states of one propagation with the default window.
const STATES: usize = 91;

/// The frame the server sends: the `omm` port, the `$OMM` type.
fn iss_frame() -> Frame<'static> {
    Frame {
        port: "omm",
        payload: ISS,
        type_ref: Some(TypeRef {
            schema_name: "OMM.fbs",
            file_identifier: "$OMM",
            root_type: "OMM",
            ..TypeRef::default()
        }),
    }
}

/// Each state of an `$OEM`: its epoch, then x, y, z (km) and their rates
/// (km/s).
fn states(oem_bytes: &[u8]) -> Result<Vec<(String, [f64; 6])>> {
    let message = oem::root_as_oem(oem_bytes).context("not a verifiable $OEM")?;
    let block = message
        .EPHEMERIS_DATA_BLOCK()
        .context("an $OEM without a data block")?
        .get(0);
    let lines = block
        .EPHEMERIS_DATA_LINES()
        .context("a data block without states")?;
    Ok(lines
        .iter()
        .map(|line| {
            let epoch = line.EPOCH().unwrap_or_default().to_owned();
            let state = [
                line.X(),
                line.Y(),
                line.Z(),
                line.X_DOT(),
                line.Y_DOT(),
                line.Z_DOT(),
            ];
            (epoch, state)
        })
        .collect())
}

/// Measures the group; returns its one comparison.
pub fn bench(c: &mut Criterion, plugins: &Plugins) -> Result<Vec<Comparison>> {
    let options = ModuleOptions {
        metering: Metering::Off,
        ..ModuleOptions::server()
    };
    let mut module = Module::load(&plugins.sgp4_propagator, &options)?;
    // What the server's `{}` config gives: the defaults.
    let window = Window::from_config_json(b"{}").map_err(|e| anyhow!("{e}"))?;
    ensure!(
        window.states() == STATES,
        "the default window has {} states",
        window.states()
    );

    // The same `$OEM`, byte for byte, from both before either is timed.
    let frames = [iss_frame()];
    let result = module.invoke("propagate", &frames)?;
    ensure!(
        result.status_code == 0,
        "the module failed: {:?}",
        result.error_message
    );
    let wasm_oem = &result
        .output("ephemeris")
        .context("the module answered no ephemeris")?
        .payload;
    ensure!(
        module.logs().is_empty(),
        "the module logged: the timing would keep its records"
    );
    let native_oem = propagate_frame(0, ISS, &window).map_err(|e| anyhow!("{e}"))?;
    let (wasm_states, native_states) = (states(wasm_oem)?, states(&native_oem)?);
    ensure!(
        wasm_states.len() == STATES && native_states.len() == STATES,
        "{} states from wasm, {} native",
        wasm_states.len(),
        native_states.len()
    );
    for (wasm, native) in wasm_states.iter().zip(&native_states) {
        ensure!(wasm.0 == native.0, "epochs {} and {}", wasm.0, native.0);
        // libm in wasm and natively may differ in the last bits.
        let worst = wasm
            .1
            .iter()
            .zip(&native.1)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        ensure!(worst < 1e-9, "at {} the states differ by {worst}", wasm.0);
    }

    let mut group = c.benchmark_group(GROUP);
    group.bench_function("native", |b| {
        b.iter(|| propagate_frame(0, black_box(ISS), &window));
    });
    group.bench_function("wasm", |b| {
        b.iter(|| module.invoke("propagate", black_box(&frames)));
    });
    group.finish();
    Ok(vec![Comparison {
        name: GROUP.to_owned(),
        subject: format!("{GROUP}/wasm"),
        baseline: format!("{GROUP}/native"),
        baseline_name: "native",
    }])
}
