//! A module's timers as the newest server fires them, on demand.
//!
//! The server turns each `TIMERS` entry into a cron method
//! (`modulert`'s `CronMethods`: the entry's `METHOD_ID`, every
//! `DEFAULT_INTERVAL_MS`) and its scheduler calls
//! `InvokeCron(ctx, method, nil)` on each tick, which invokes the method
//! with **one** frame: an **empty payload** (the `nil` input), on port
//! `request` ([`server::REQUEST_PORT`]), with **no type ref**. The entry's
//! `INPUT_PORT_ID` is not read, as for protocols. A scheduled call gets the
//! server's scheduled budget, 20 times the interactive one (10 min and
//! 8e10 instead of 30 s and 4e9): [`Module::fire_timer`] runs on 20 times
//! [`Module::fuel_per_call`].
//!
//! Read from the public `sdn-server` sources (`internal/modulert/module.go`,
//! `plugins/manager.go`).

use sdn_pdk_schemas::hosts::server;
use sdn_pdk_schemas::plg::TimerSpec;

use crate::module::error::ModuleError;
use crate::module::invoke::InvokeResult;
use crate::module::load::Module;
use crate::module::options::Frame;

/// How many interactive budgets a scheduled call gets on the server
/// (`defaultScheduledInvokeTimeout / defaultInvokeTimeout` = 10 min / 30 s).
pub const SCHEDULED_BUDGET_FACTOR: u64 = 20;

/// The payload of the frame a timer sends: the server's `nil` input.
pub const TIMER_PAYLOAD: &[u8] = b"";

impl Module {
    /// The manifest's `TIMERS`, in order; empty without a `$PLG`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Manifest`] when the `$PLG` does not verify.
    pub fn timers(&self) -> Result<Vec<TimerSpec>, ModuleError> {
        Ok(self.plg()?.map(|spec| spec.timers).unwrap_or_default())
    }

    /// Fires the timer `timer_id` once, as the server's scheduler does on a
    /// tick (module docs): its method with one empty frame on `request`,
    /// no type ref, on the scheduled budget.
    ///
    /// # Errors
    ///
    /// [`ModuleError::InvalidInput`] for an undeclared timer, else those of
    /// [`invoke`](Self::invoke). A method's failure is a result with a
    /// non-zero status, which the server records as the timer's `error`.
    pub fn fire_timer(&mut self, timer_id: &str) -> Result<InvokeResult, ModuleError> {
        let timers = self.timers()?;
        let timer = timers
            .iter()
            .find(|t| t.timer_id == timer_id)
            .ok_or_else(|| ModuleError::InvalidInput {
                message: format!(
                    "the module declares no timer `{timer_id}` (declared: {})",
                    if timers.is_empty() {
                        "none".to_owned()
                    } else {
                        timers
                            .iter()
                            .map(|t| t.timer_id.clone())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            })?;
        let frame = Frame {
            port: server::REQUEST_PORT,
            payload: TIMER_PAYLOAD,
            type_ref: None,
        };
        let interactive = self.fuel_per_call;
        self.fuel_per_call = interactive.saturating_mul(SCHEDULED_BUDGET_FACTOR);
        let result = self.invoke(&timer.method_id, &[frame]);
        self.fuel_per_call = interactive;
        result
    }
}
