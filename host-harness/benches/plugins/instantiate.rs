//! `instantiate`: `Plugin::load` + `init` of each example against the floor
//! module's, the plugin dropped at the end of each iteration.
//!
//! The harness keeps the modules it compiled for the life of the process, so
//! after the first load this is what every later load costs: the export and
//! import checks, a fresh store and instance, `_initialize`, and `init` with
//! the example's config — not compilation. Fuel is off ([`Metering::Off`]),
//! as on the server.

use anyhow::{Context as _, Result, anyhow};
use criterion::Criterion;
use host_harness::{Clock, Metering, Plugin};
use serde_json::Value;

use crate::Plugins;
use crate::ratios::Comparison;

/// The group's name (and criterion's directory).
const GROUP: &str = "instantiate";
/// The SKB1 vector: its config is the key broker's.
const VECTOR: &str = include_str!("../../../examples/key-broker/tests/data/key-broker-vector.json");

/// One module to load, with the config its `init` gets.
struct Subject<'a> {
    name: &'static str,
    wasm: &'a [u8],
    config: Vec<u8>,
}

/// Loads and initialises; the result is checked once before timing and
/// returned, not unwrapped, in the measurement.
fn load_and_init(wasm: &[u8], config: &[u8]) -> Result<Plugin> {
    let mut plugin = Plugin::builder()
        .clock(Clock::Fixed(1_790_000_000_000))
        .metering(Metering::Off)
        .load(wasm)?;
    plugin.init(config)?;
    Ok(plugin)
}

/// The key broker's config from the vector.
fn key_broker_config() -> Result<Vec<u8>> {
    let json: Value = serde_json::from_str(VECTOR).context("parsing the SKB1 vector")?;
    let text = json["config"]
        .as_str()
        .ok_or_else(|| anyhow!("the vector has no `config`"))?;
    hex::decode(text).context("the vector's config")
}

/// Measures the group; returns one comparison per example.
pub fn bench(c: &mut Criterion, plugins: &Plugins) -> Result<Vec<Comparison>> {
    let subjects = [
        Subject {
            name: "floor",
            wasm: crate::FLOOR_WAT.as_bytes(),
            config: b"bench".to_vec(),
        },
        Subject {
            name: "echo",
            wasm: &plugins.echo,
            config: b"bench".to_vec(),
        },
        Subject {
            name: "key-broker",
            wasm: &plugins.key_broker,
            config: key_broker_config()?,
        },
    ];
    for subject in &subjects {
        load_and_init(subject.wasm, &subject.config)
            .with_context(|| format!("loading {}", subject.name))?;
    }
    let mut group = c.benchmark_group(GROUP);
    for subject in &subjects {
        group.bench_function(subject.name, |b| {
            b.iter(|| load_and_init(subject.wasm, &subject.config));
        });
    }
    group.finish();
    Ok(subjects
        .iter()
        .filter(|s| s.name != "floor")
        .map(|s| Comparison {
            name: format!("{GROUP}/{}", s.name),
            subject: format!("{GROUP}/{}", s.name),
            baseline: format!("{GROUP}/floor"),
            baseline_name: "the floor",
        })
        .collect())
}
