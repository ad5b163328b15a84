//! Scheduled sends (`:every 5s ping`): what the session sends on its own at a fixed
//! interval, and where such a schedule stands. The actor keeps the time (one of its
//! timers) and sends through the same path as the user's messages.

use std::time::Duration;

/// The shortest interval a schedule may have.
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// A text message the session sends every `interval` while the link is ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// How often; at least [`MIN_INTERVAL`].
    pub interval: Duration,
    /// What the user calls it (a snippet's name, or the message itself).
    pub label: String,
    /// The message, a template rendered anew for every send (`{{uuid}}`, `{{now}}`).
    pub template: String,
    /// Whether template values are JSON-escaped (a JSON message).
    pub json: bool,
}

/// Where a running schedule stands, as reported by the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleStatus {
    /// How often it sends.
    pub interval: Duration,
    /// What the user calls it.
    pub label: String,
    /// How long from the report until the next send.
    pub next_in: Duration,
    /// Messages it handed to the send path.
    pub sent: u64,
    /// Sends it skipped because the link was not ready.
    pub skipped: u64,
}
