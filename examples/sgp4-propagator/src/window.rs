//! The propagation window: the step between states and the span after the
//! epoch, from the deployment config `{"stepSeconds": …, "spanMinutes": …}`.
//!
//! Bounds: `stepSeconds` in [0.001, 86400] (a millisecond to a day; the
//! OEM's epochs print to the microsecond), `spanMinutes` in [0, 43200]
//! (thirty days, well past where SGP4 means anything), and at most
//! [`MAX_STATES`] states per OEM. A missing key takes its default: 60 s and
//! 90 minutes, 91 states.

use sdn_pdk::module::json::Value;

use crate::error::ConfigError;

/// Default `stepSeconds`.
pub const DEFAULT_STEP_SECONDS: f64 = 60.0;
/// Default `spanMinutes`.
pub const DEFAULT_SPAN_MINUTES: f64 = 90.0;
/// Smallest `stepSeconds`.
pub const MIN_STEP_SECONDS: f64 = 0.001;
/// [`MIN_STEP_SECONDS`] as error messages print it.
pub const MIN_STEP_SECONDS_TEXT: &str = "0.001";
/// Largest `stepSeconds`.
pub const MAX_STEP_SECONDS: f64 = 86_400.0;
/// Largest `spanMinutes`.
pub const MAX_SPAN_MINUTES: f64 = 43_200.0;
/// Most states in one OEM (the epoch included): about 0.46 MB of `$OEM`
/// (some 92 bytes a state). A call of 32 such frames gives 14.7 MB of
/// output from 160,000 SGP4 evaluations (0.2 s natively, deep-space
/// resonant orbits included), inside the server's 256 MiB memory cap and
/// per-call limits. 5,000 states are 3.5 days at 60 s, or the 30-day
/// maximum span at a step of 9 minutes.
pub const MAX_STATES: usize = 5_000;

/// A validated step and span.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    step_seconds: f64,
    span_minutes: f64,
    states: usize,
}

impl Window {
    /// A window from the config's values; `None` takes the default.
    pub fn new(
        step_seconds: Option<f64>,
        span_minutes: Option<f64>,
    ) -> Result<Window, ConfigError> {
        let step_seconds = step_seconds.unwrap_or(DEFAULT_STEP_SECONDS);
        let span_minutes = span_minutes.unwrap_or(DEFAULT_SPAN_MINUTES);
        // `contains` is false for NaN, so NaN and the infinities fail here.
        if !(MIN_STEP_SECONDS..=MAX_STEP_SECONDS).contains(&step_seconds) {
            return Err(ConfigError::Step);
        }
        if !(0.0..=MAX_SPAN_MINUTES).contains(&span_minutes) {
            return Err(ConfigError::Span);
        }
        // A relative slack of 1e-9 keeps 90 min / 60 s at 91 states despite
        // rounding; a state never lands past the span by more than that.
        let steps = span_minutes * 60.0 / step_seconds * (1.0 + 1e-9);
        if steps >= MAX_STATES as f64 {
            return Err(ConfigError::TooManyStates);
        }
        Ok(Window {
            step_seconds,
            span_minutes,
            states: steps as usize + 1,
        })
    }

    /// A window from the deployment config's JSON text: an object whose
    /// `stepSeconds` and `spanMinutes`, when present, are numbers. Other
    /// keys are skipped.
    pub fn from_config_json(config: &[u8]) -> Result<Window, ConfigError> {
        let text = core::str::from_utf8(config).map_err(|_| ConfigError::NotAnObject)?;
        let config = Value::parse(text).map_err(|_| ConfigError::NotAnObject)?;
        Window::from_config(&config)
    }

    /// A window from the deployment config as the `plugin.getConfig`
    /// hostcall answers it: an object whose `stepSeconds` and `spanMinutes`,
    /// when present, are numbers. Other keys are skipped.
    pub fn from_config(config: &Value) -> Result<Window, ConfigError> {
        if !config.is_object() {
            return Err(ConfigError::NotAnObject);
        }
        let number = |key: &'static str| match config.get(key) {
            None => Ok(None),
            Some(value) => value.as_f64().map(Some).ok_or(ConfigError::NotANumber(key)),
        };
        Window::new(number("stepSeconds")?, number("spanMinutes")?)
    }

    /// Seconds between states.
    pub fn step_seconds(&self) -> f64 {
        self.step_seconds
    }

    /// Minutes from the epoch to the end of the window.
    pub fn span_minutes(&self) -> f64 {
        self.span_minutes
    }

    /// How many states the window holds: the epoch and every step up to the
    /// span.
    pub fn states(&self) -> usize {
        self.states
    }

    /// Nanoseconds from the epoch to state `k` (rounded).
    pub fn offset_nanos(&self, k: usize) -> i64 {
        // Non-negative, so adding a half and truncating rounds.
        (k as f64 * self.step_seconds * 1e9 + 0.5) as i64
    }

    /// Minutes from the epoch to state `k` (SGP4's time argument).
    pub fn offset_minutes(&self, k: usize) -> f64 {
        k as f64 * self.step_seconds / 60.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_give_91_states() {
        let w = Window::new(None, None).unwrap();
        assert_eq!(
            (w.step_seconds(), w.span_minutes(), w.states()),
            (60.0, 90.0, 91)
        );
        assert_eq!(w.offset_minutes(90), 90.0);
        assert_eq!(w.offset_nanos(1), 60_000_000_000);
    }

    #[test]
    fn a_missing_value_takes_its_default() {
        assert_eq!(Window::new(Some(30.0), None).unwrap().states(), 181);
        assert_eq!(Window::new(None, Some(10.0)).unwrap().states(), 11);
        assert_eq!(Window::new(Some(7.0), Some(1.0)).unwrap().states(), 9);
        assert_eq!(Window::new(None, Some(0.0)).unwrap().states(), 1);
    }

    #[test]
    fn bounds_are_enforced() {
        for step in [0.0, -1.0, 0.0009, 86_400.5, f64::NAN, f64::INFINITY] {
            assert_eq!(
                Window::new(Some(step), None),
                Err(ConfigError::Step),
                "{step}"
            );
        }
        for span in [-0.1, 43_200.1, f64::NAN, f64::NEG_INFINITY] {
            assert_eq!(
                Window::new(None, Some(span)),
                Err(ConfigError::Span),
                "{span}"
            );
        }
        assert_eq!(
            Window::new(Some(1.0), Some(43_200.0)),
            Err(ConfigError::TooManyStates)
        );
        assert_eq!(
            Window::new(Some(600.0), Some(43_200.0)).unwrap().states(),
            4321
        );
        assert_eq!(
            MIN_STEP_SECONDS_TEXT.parse::<f64>().unwrap(),
            MIN_STEP_SECONDS
        );
    }

    #[test]
    fn reads_the_deployment_config() {
        let w = Window::from_config_json(
            br#"{"stepSeconds": 10, "spanMinutes": 1.5, "x": [1, {"y": null}]}"#,
        )
        .unwrap();
        assert_eq!(w.states(), 10);
        assert_eq!(Window::from_config_json(b"{}").unwrap().states(), 91);
        assert_eq!(
            Window::from_config_json(b" { \"spanMinutes\" : 2e0 } ")
                .unwrap()
                .states(),
            3
        );
        assert_eq!(
            Window::from_config_json(br#"{"stepSeconds": "60"}"#),
            Err(ConfigError::NotANumber("stepSeconds"))
        );
        assert_eq!(
            Window::from_config_json(br#"{"stepSeconds": 0}"#),
            Err(ConfigError::Step)
        );
        assert_eq!(
            Window::from_config_json(b"[]"),
            Err(ConfigError::NotAnObject)
        );
        assert_eq!(Window::from_config_json(b""), Err(ConfigError::NotAnObject));
    }
}
