//! What the state pane shows about the connection, kept up to date from the
//! session's events: state, URL, auth, subprotocol, TLS, RTT history, counters,
//! the reconnect countdown and the last close.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use crate::protocol::StatusLine;
use crate::session::stats::{RttStats, StatsSnapshot};
use crate::session::{CloseOutcome, ConnectionInfo, ConnectionState, Event};

/// How many RTT samples the sparkline keeps.
pub const RTT_HISTORY: usize = 60;

/// A reconnect attempt that is scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingReconnect {
    /// 1-based attempt number.
    pub attempt: u32,
    /// The configured maximum, `None` when unlimited.
    pub max_attempts: Option<u32>,
    /// When the attempt starts.
    pub at: Instant,
}

/// The scheduled send (`:every`) as the state pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleView {
    /// How often it sends.
    pub interval: Duration,
    /// The snippet's name, or the message.
    pub label: String,
    /// When the next send is due, on the UI's clock.
    pub next_at: Instant,
    /// Messages it sent.
    pub sent: u64,
    /// Sends skipped while the link was down.
    pub skipped: u64,
}

/// The connection as the state pane shows it.
#[derive(Debug, Clone)]
pub struct ConnectionView {
    /// The state machine's current state.
    pub state: ConnectionState,
    /// The URL (token redacted), known before the first connect.
    pub url: String,
    /// The auth mode's name (`none`, `query-param`, …).
    pub auth_mode: &'static str,
    /// The protocol adapter's name (`raw` when none).
    pub provider: String,
    /// Facts about the open (or last) connection.
    pub info: Option<ConnectionInfo>,
    /// Whether certificate verification is off for this session.
    pub insecure: bool,
    /// Latest counters.
    pub stats: StatsSnapshot,
    /// Latest RTT summary.
    pub rtt: Option<RttStats>,
    /// Recent RTTs in microseconds, oldest first, for the sparkline.
    pub rtt_history: VecDeque<u64>,
    /// The scheduled reconnect, while reconnecting.
    pub reconnect: Option<PendingReconnect>,
    /// How the last connection ended.
    pub last_close: Option<CloseOutcome>,
    /// The last error message, for the state pane.
    pub last_error: Option<String>,
    /// When the current connection opened (for a live uptime between stats).
    pub opened_at: Option<Instant>,
    /// The protocol adapter's status lines (active subscriptions and counts).
    pub adapter_status: Vec<StatusLine>,
    /// With the raw adapter: the provider the connection looks like.
    pub recognised: Option<&'static str>,
    /// Messages a broken link left unconfirmed, held for re-sending.
    pub unconfirmed: usize,
    /// The profile the session came from, if any.
    pub profile: Option<String>,
    /// The scheduled send (`:every`), while one runs.
    pub schedule: Option<ScheduleView>,
    /// The recording shown read-only (`wsdeck open`) instead of a connection.
    pub recording: Option<Box<crate::state::recording_view::RecordingSummary>>,
    /// The proxy connections go through, password masked; known before the first
    /// connection (from the settings) and confirmed by each one.
    pub proxy: Option<String>,
}

impl ConnectionView {
    /// A view of a session that has not connected yet.
    pub fn new(url: String, auth_mode: &'static str, insecure: bool) -> Self {
        Self {
            state: ConnectionState::Disconnected,
            url,
            auth_mode,
            provider: "raw".to_string(),
            info: None,
            insecure,
            stats: StatsSnapshot::default(),
            rtt: None,
            rtt_history: VecDeque::with_capacity(RTT_HISTORY),
            reconnect: None,
            last_close: None,
            last_error: None,
            opened_at: None,
            adapter_status: Vec::new(),
            recognised: None,
            unconfirmed: 0,
            profile: None,
            schedule: None,
            recording: None,
            proxy: None,
        }
    }

    /// Takes in one session event; returns whether anything shown changed.
    pub fn apply(&mut self, event: &Event, now: Instant) -> bool {
        match event {
            Event::StateChanged(state) => {
                self.state = *state;
                if *state != ConnectionState::Reconnecting {
                    self.reconnect = None;
                }
                if !matches!(
                    state,
                    ConnectionState::Connected
                        | ConnectionState::Authenticating
                        | ConnectionState::Authenticated
                ) {
                    self.opened_at = None;
                }
                true
            }
            Event::Opened(info) => {
                self.url = info.url.clone();
                self.info = Some(ConnectionInfo::clone(info));
                self.proxy = info.proxy.clone();
                self.opened_at = Some(now);
                self.last_error = None;
                true
            }
            Event::Stats(stats) => {
                self.stats = **stats;
                true
            }
            Event::Rtt(rtt) => {
                self.rtt = Some(*rtt);
                if self.rtt_history.len() == RTT_HISTORY {
                    self.rtt_history.pop_front();
                }
                let micros = u64::try_from(rtt.last.as_micros()).unwrap_or(u64::MAX);
                self.rtt_history.push_back(micros);
                true
            }
            Event::ReconnectScheduled {
                attempt,
                max_attempts,
                delay,
            } => {
                self.reconnect = Some(PendingReconnect {
                    attempt: *attempt,
                    max_attempts: *max_attempts,
                    at: now + *delay,
                });
                true
            }
            Event::Closed(outcome) => {
                self.last_close = Some(outcome.clone());
                self.opened_at = None;
                true
            }
            Event::Error { message, .. } => {
                self.last_error = Some(message.clone());
                true
            }
            Event::AdapterStatus(lines) => {
                self.adapter_status = lines.clone();
                true
            }
            Event::Unconfirmed { total, .. } => {
                self.unconfirmed = *total;
                true
            }
            Event::ProviderRecognised { provider, .. } => {
                self.recognised = Some(provider);
                true
            }
            Event::ProviderChanged { provider, .. } => {
                self.provider = provider.to_string();
                self.recognised = None;
                true
            }
            Event::Queued { queue_len, .. } => {
                // The stats arrive once a second; the queue's length is known now.
                self.stats.queue_len = *queue_len;
                true
            }
            Event::Schedule(status) => {
                self.schedule = status.as_ref().map(|status| ScheduleView {
                    interval: status.interval,
                    label: status.label.clone(),
                    next_at: now + status.next_in,
                    sent: status.sent,
                    skipped: status.skipped,
                });
                true
            }
            Event::Frame(frame) => self.count(frame),
            Event::SendFailed { .. } | Event::Notice(_) | Event::Stopped => false,
        }
    }

    /// Counts a data frame as the engine's statistics do, so the counters move with
    /// the log instead of up to a second behind it; the next statistics agree.
    fn count(&mut self, frame: &crate::session::Frame) -> bool {
        use crate::session::{Direction, FrameKind};
        if !matches!(frame.kind, FrameKind::Text | FrameKind::Binary) {
            return false;
        }
        let bytes = frame.size() as u64;
        match frame.direction {
            Direction::Outgoing => {
                self.stats.messages_sent += 1;
                self.stats.bytes_sent += bytes;
            }
            Direction::Incoming => {
                self.stats.messages_received += 1;
                self.stats.bytes_received += bytes;
            }
        }
        true
    }

    /// Time left until the scheduled reconnect.
    pub fn reconnect_in(&self, now: Instant) -> Option<Duration> {
        self.reconnect
            .map(|pending| pending.at.saturating_duration_since(now))
    }

    /// How long the current connection has been up.
    pub fn uptime(&self, now: Instant) -> Option<Duration> {
        self.opened_at.map(|at| now.saturating_duration_since(at))
    }

    /// Whether something on screen changes with time alone (a countdown or uptime),
    /// so the UI needs a periodic redraw.
    pub fn is_ticking(&self) -> bool {
        self.reconnect.is_some() || self.opened_at.is_some() || self.schedule.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_state_reconnect_and_close() {
        let now = Instant::now();
        let mut view = ConnectionView::new("ws://h/".into(), "none", false);
        assert!(view.apply(
            &Event::ReconnectScheduled {
                attempt: 2,
                max_attempts: Some(10),
                delay: Duration::from_millis(2100),
            },
            now,
        ));
        assert_eq!(view.reconnect_in(now), Some(Duration::from_millis(2100)));
        assert!(view.is_ticking());
        view.apply(&Event::StateChanged(ConnectionState::Connecting), now);
        assert_eq!(view.reconnect, None);
        view.apply(
            &Event::Closed(CloseOutcome {
                code: Some(1006),
                reason: "dropped".into(),
                by_peer: false,
                clean: false,
            }),
            now,
        );
        assert_eq!(view.last_close.as_ref().and_then(|c| c.code), Some(1006));
    }

    #[test]
    fn data_frames_count_at_once_and_the_engines_statistics_agree() {
        use crate::session::{Direction, FrameKind};
        use crate::state::log::testing::frame;
        let now = Instant::now();
        let mut view = ConnectionView::new("ws://h/".into(), "none", false);
        for (direction, kind, payload) in [
            (Direction::Outgoing, FrameKind::Text, "hello"),
            (Direction::Incoming, FrameKind::Ping, ""),
            (Direction::Incoming, FrameKind::Binary, "world!"),
        ] {
            let entry = frame(direction, kind, payload);
            let event = Event::Frame(entry.frame().expect("a frame").clone());
            view.apply(&event, now);
        }
        let counted = |view: &ConnectionView| {
            let stats = &view.stats;
            (
                stats.messages_sent,
                stats.bytes_sent,
                stats.messages_received,
                stats.bytes_received,
            )
        };
        assert_eq!(counted(&view), (1, 5, 1, 6));
        // The engine counted the same; its statistics change nothing.
        let engine = view.stats;
        view.apply(&Event::Stats(Box::new(engine)), now);
        assert_eq!(counted(&view), (1, 5, 1, 6));
    }

    #[test]
    fn rtt_history_is_bounded() {
        let now = Instant::now();
        let mut view = ConnectionView::new("ws://h/".into(), "none", false);
        for ms in 0..(RTT_HISTORY as u64 + 5) {
            let mut rtt = RttStats::default();
            rtt.record(Duration::from_millis(ms));
            view.apply(&Event::Rtt(rtt), now);
        }
        assert_eq!(view.rtt_history.len(), RTT_HISTORY);
        assert_eq!(view.rtt_history.front(), Some(&5_000));
    }
}
