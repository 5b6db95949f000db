//! The hostcall operations each module host serves.
//!
//! Served on both: `clock.now`, `clock.monotonicNow`, `clock.nowIso`,
//! `random.bytes`, `host.runtimeTarget`, `host.listCapabilities`,
//! `host.hasCapability`, `host.listOperations`. The server adds
//! `plugin.getConfig`, `node.publicKey` and `node.peerId`; the module SDK
//! host adds `crypto.sha256`. **Not emulated**: the SDK's other crypto
//! operations (`crypto.hkdf`, `crypto.aesGcm*`, `crypto.x25519.*`,
//! `crypto.ed25519.*`, `crypto.secp256k1.*`), its capability gating of
//! each operation, and the server's capability-handler operations
//! (`protocol.request`, ...): they answer the host's "not supported" error.

use sdn_pdk_schemas::hosts::{operations as op, sdk, server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::module::options::HostKind;
use crate::module::state::ModuleState;

/// What `host.*`, `node.*` and `plugin.getConfig` answer.
#[derive(Debug, Clone)]
pub(crate) struct HostInfo {
    pub(crate) runtime_target: String,
    /// Sorted, deduplicated.
    pub(crate) granted: Vec<String>,
    pub(crate) config: Value,
    pub(crate) node_public_key_hex: Option<String>,
    pub(crate) node_peer_id: Option<String>,
}

/// The operations the module SDK host emulated here serves, for
/// `host.listOperations`.
pub(crate) const SDK_OPERATIONS: &[&str] = &[
    op::CLOCK_NOW,
    op::CLOCK_MONOTONIC_NOW,
    op::CLOCK_NOW_ISO,
    op::RANDOM_BYTES,
    op::HOST_RUNTIME_TARGET,
    op::HOST_LIST_CAPABILITIES,
    op::HOST_HAS_CAPABILITY,
    op::HOST_LIST_OPERATIONS,
    op::CRYPTO_SHA256,
];

/// A call's parameters: the meta (`Null` for an empty payload) and the segments.
#[derive(Debug, Default)]
pub(crate) struct Params {
    pub(crate) meta: Value,
    pub(crate) segments: Vec<Vec<u8>>,
}

impl Params {
    fn field(&self, key: &str) -> Option<&Value> {
        self.meta.get(key).filter(|v| !v.is_null())
    }

    /// `{"$bin": i}` (or an array of byte numbers) under `key`.
    fn bytes(&self, key: &str) -> Option<&[u8]> {
        let index = self.field(key)?.get(sdn_pdk_schemas::hostcall::BIN_KEY)?;
        let index = usize::try_from(index.as_u64()?).ok()?;
        self.segments.get(index).map(Vec::as_slice)
    }
}

/// A successful result: the JSON result (with `{"$bin": i}` references) and
/// its segments.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) result: Value,
    pub(crate) segments: Vec<Vec<u8>>,
}

impl Reply {
    fn value(result: Value) -> Self {
        Reply {
            result,
            segments: Vec::new(),
        }
    }

    fn bytes(bytes: Vec<u8>) -> Self {
        Reply {
            result: json!({ sdn_pdk_schemas::hostcall::BIN_KEY: 0 }),
            segments: vec![bytes],
        }
    }
}

/// Runs `operation`; `Err` is the error message.
pub(crate) fn dispatch(
    state: &mut ModuleState,
    operation: &str,
    params: &Params,
) -> Result<Reply, String> {
    match state.kind {
        HostKind::Server => server_op(state, operation, params),
        HostKind::Sdk => sdk_op(state, operation, params),
    }
}

fn server_op(state: &mut ModuleState, operation: &str, params: &Params) -> Result<Reply, String> {
    let info = &state.info;
    Ok(match operation {
        op::CLOCK_NOW | op::CLOCK_MONOTONIC_NOW => Reply::value(json!(state.clock.now_ms())),
        op::CLOCK_NOW_ISO => Reply::value(json!(rfc3339_nano(state.clock.now_ms()))),
        op::RANDOM_BYTES => {
            // Go: a length that does not unmarshal as a positive int is 32.
            let asked = params
                .field("length")
                .and_then(Value::as_i64)
                .filter(|&n| n > 0);
            let len = asked.map_or(server::RANDOM_BYTES_DEFAULT, |n| {
                usize::try_from(n).map_or(server::RANDOM_BYTES_MAX, |n| {
                    n.min(server::RANDOM_BYTES_MAX)
                })
            });
            Reply::bytes(random(state, len)?)
        }
        op::HOST_RUNTIME_TARGET => Reply::value(json!(info.runtime_target)),
        op::HOST_LIST_CAPABILITIES => Reply::value(json!(info.granted)),
        op::HOST_HAS_CAPABILITY => Reply::value(json!(has_capability(info, params))),
        op::HOST_LIST_OPERATIONS => Reply::value(json!(op::SERVER)),
        op::NODE_PUBLIC_KEY => match &info.node_public_key_hex {
            Some(key) if !key.is_empty() => Reply::value(json!(key)),
            _ => return Err("node public key not available".to_owned()),
        },
        op::NODE_PEER_ID => match &info.node_peer_id {
            Some(id) if !id.is_empty() => Reply::value(json!(id)),
            _ => return Err("node peer ID not available".to_owned()),
        },
        op::PLUGIN_GET_CONFIG => Reply::value(info.config.clone()),
        _ => return Err(format!("operation {operation:?} not supported")),
    })
}

fn sdk_op(state: &mut ModuleState, operation: &str, params: &Params) -> Result<Reply, String> {
    let info = &state.info;
    Ok(match operation {
        op::CLOCK_NOW => Reply::value(json!(state.clock.now_ms())),
        // performance.now(): ms since the host started, fractional.
        op::CLOCK_MONOTONIC_NOW => {
            #[allow(clippy::cast_precision_loss, reason = "performance.now() is a double")]
            let ms = state.monotonic_ns() as f64 / 1e6;
            Reply::value(json!(ms))
        }
        op::CLOCK_NOW_ISO => Reply::value(json!(iso_millis(state.clock.now_ms()))),
        op::RANDOM_BYTES => {
            let len = params
                .field("length")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| "Random byte length must be a non-negative integer.".to_owned())?;
            // The bridge refuses to keep a response above its limit.
            if len > sdk::MAX_HOSTCALL_RESPONSE_BYTES {
                return Err(format!(
                    "Hostcall response exceeds {} byte limit.",
                    sdk::MAX_HOSTCALL_RESPONSE_BYTES
                ));
            }
            Reply::bytes(random(state, len)?)
        }
        op::HOST_RUNTIME_TARGET => Reply::value(json!(info.runtime_target)),
        op::HOST_LIST_CAPABILITIES => Reply::value(json!(info.granted)),
        op::HOST_HAS_CAPABILITY => Reply::value(json!(has_capability(info, params))),
        op::HOST_LIST_OPERATIONS => Reply::value(json!(SDK_OPERATIONS)),
        op::CRYPTO_SHA256 => {
            let data = params
                .bytes("value")
                .or_else(|| params.bytes("bytes"))
                .ok_or_else(|| "crypto.sha256 requires value bytes.".to_owned())?;
            Reply::bytes(Sha256::digest(data).to_vec())
        }
        _ => {
            return Err(format!(
                "Operation \"{operation}\" is not available in the synchronous hostcall ABI."
            ));
        }
    })
}

fn has_capability(info: &HostInfo, params: &Params) -> bool {
    let asked = params
        .field("capability")
        .and_then(Value::as_str)
        .unwrap_or("");
    info.granted.iter().any(|c| c == asked.trim())
}

fn random(state: &mut ModuleState, len: usize) -> Result<Vec<u8>, String> {
    let mut bytes = vec![0; len];
    if state.random.fill(&mut bytes) {
        Ok(bytes)
    } else {
        Err("random source failed".to_owned())
    }
}

/// (year, month, day, hour, minute, second, millisecond) in UTC of `ms`
/// since the epoch (proleptic Gregorian; Howard Hinnant's `civil_from_days`).
fn utc(ms: i64) -> (i64, i64, i64, i64, i64, i64, i64) {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    )
}

/// JavaScript's `Date.prototype.toISOString`: always three fraction digits.
pub(crate) fn iso_millis(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = utc(ms);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
}

/// Go's `time.RFC3339Nano` in UTC: trailing zeros of the fraction dropped,
/// no fraction at all for a whole second.
pub(crate) fn rfc3339_nano(ms: i64) -> String {
    let (y, mo, d, h, mi, s, milli) = utc(ms);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if milli != 0 {
        let fraction = format!("{milli:03}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_formats() {
        assert_eq!(iso_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_735_689_600_000), "2025-01-01T00:00:00.000Z");
        assert_eq!(iso_millis(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
        assert_eq!(iso_millis(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(rfc3339_nano(1_735_689_600_000), "2025-01-01T00:00:00Z");
        assert_eq!(rfc3339_nano(1_735_689_600_120), "2025-01-01T00:00:00.12Z");
        assert_eq!(rfc3339_nano(1_709_210_096_789), "2024-02-29T12:34:56.789Z");
    }
}
