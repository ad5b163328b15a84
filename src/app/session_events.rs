//! Session events into state: frames into the log, connection facts into the state
//! pane, and the moments worth a line of their own (connected, auth ok, closed 1006,
//! reconnecting in 2.1 s) as system lines in the log.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::{App, Effect, StatusLevel};
use crate::session::close_code;
use crate::session::{ConnectionInfo, ConnectionState, Direction, Event};
use crate::state::log::{LogEntry, SystemLevel};

impl App {
    pub(super) fn on_session_event(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        self.state.connection.apply(&event, now);
        match event {
            Event::Frame(frame) => {
                if frame.direction == Direction::Outgoing {
                    self.state.in_flight.remove(&frame.id);
                }
                self.push_entry(LogEntry::Frame(frame));
            }
            Event::StateChanged(state) => {
                if let Some((text, level)) = state_line(state) {
                    self.system_line(text, level);
                }
            }
            Event::Opened(info) => self.system_line(opened_line(&info), SystemLevel::Info),
            Event::Queued { id, queue_len } => self.queued(id, queue_len),
            Event::SendFailed { id, message, .. } => self.send_failed(id, message),
            Event::Error { message, .. } => {
                self.system_line(message.clone(), SystemLevel::Error);
                self.set_status(message, StatusLevel::Error);
            }
            Event::Notice(message) => self.system_line(message, SystemLevel::Warning),
            Event::ReconnectScheduled {
                attempt,
                max_attempts,
                delay,
            } => self.system_line(
                reconnect_line(attempt, max_attempts, delay),
                SystemLevel::Warning,
            ),
            Event::Closed(outcome) => {
                let (text, level) = closed_line(&outcome);
                self.system_line(text, level);
            }
            Event::Unconfirmed { ids, total } => self.unconfirmed(ids, total),
            Event::ProviderRecognised { provider, evidence } => self.system_line(
                format!(
                    "this looks like {provider} ({evidence}): :provider {provider} reconnects with its adapter"
                ),
                SystemLevel::Warning,
            ),
            Event::ProviderChanged { provider, commands } => {
                self.state.extras.provider = provider.to_string();
                self.state.extras.shortcuts = commands.to_vec();
                self.system_line(
                    format!("provider {provider}: reconnecting with its adapter"),
                    SystemLevel::Info,
                );
            }
            Event::Stats(_) | Event::Rtt(_) | Event::AdapterStatus(_) | Event::Schedule(_) => {}
            Event::Stopped => {
                if self.state.quitting {
                    return vec![Effect::Quit];
                }
            }
        }
        Vec::new()
    }

    /// The session refused a message: it goes back into an empty composer, with
    /// the reason; a new draft is never overwritten.
    /// Says where a message that could not go out at once is waiting.
    fn queued(&mut self, id: crate::session::MessageId, queue_len: usize) {
        self.state.in_flight.remove(&id);
        let waiting = matches!(
            self.state.connection.state,
            ConnectionState::Disconnected | ConnectionState::Error
        );
        let text = if waiting {
            format!("queued, but not connected: :connect to send it ({queue_len} waiting)")
        } else {
            format!("queued until the connection is ready ({queue_len} waiting)")
        };
        self.set_status(text, StatusLevel::Info);
    }

    fn send_failed(&mut self, id: crate::session::MessageId, message: String) {
        let mut status = message.clone();
        if let Some(text) = self.state.in_flight.remove(&id) {
            if self.state.composer.is_empty() {
                self.state.composer.restore(&text, message);
            } else {
                let keys = self
                    .state
                    .keymap
                    .composer
                    .keys(crate::keymap::ComposerAction::HistoryOlder)
                    .first()
                    .map_or_else(|| "the history".to_string(), ToString::to_string);
                status.push_str(&format!(
                    " — the message was not sent; {keys} at the top of the composer recalls it"
                ));
            }
        }
        self.set_status(status, StatusLevel::Error);
    }

    /// Messages a broken link left unconfirmed are marked; an empty list means
    /// they were queued to go out again.
    fn unconfirmed(&mut self, ids: Vec<crate::session::MessageId>, total: usize) {
        if ids.is_empty() {
            // Sent again: the first sending is history.
            self.state.unconfirmed.clear();
            self.system_line(
                "unconfirmed messages queued to be sent again".to_string(),
                SystemLevel::Info,
            );
            return;
        }
        let count = ids.len();
        self.state.unconfirmed.extend(ids);
        let (s, pronoun) = if count == 1 {
            ("", "it")
        } else {
            ("s", "them")
        };
        self.system_line(
            format!(
                "{count} message{s} went out but nothing confirmed {pronoun} before the link broke: the server may not have read {pronoun} ({total} unconfirmed; :resend-unconfirmed sends them again)"
            ),
            SystemLevel::Warning,
        );
    }

    /// Adds a system line of the runtime's own to the log (a recording started or
    /// stopped), as the session's own lines are added.
    pub fn note(&mut self, text: String, level: SystemLevel) {
        self.system_line(text, level);
    }

    fn system_line(&mut self, text: String, level: SystemLevel) {
        self.push_entry(LogEntry::System {
            timestamp: SystemTime::now(),
            text,
            level,
        });
    }

    fn push_entry(&mut self, entry: LogEntry) {
        self.state.log.push(entry);
        self.state.log_view.on_append(&self.state.log);
        if let Some(search) = self.state.search.as_mut() {
            search.done = false;
        }
    }
}

/// The system line for a state change, when it deserves one.
/// `connected to URL (subprotocol NAME)`.
fn opened_line(info: &ConnectionInfo) -> String {
    let mut text = format!("connected to {}", info.url);
    if let Some(subprotocol) = &info.subprotocol {
        text.push_str(&format!(" (subprotocol {subprotocol})"));
    }
    text
}

/// `reconnecting in 1.5 s (attempt 2/∞)`.
fn reconnect_line(attempt: u32, max_attempts: Option<u32>, delay: Duration) -> String {
    let max = max_attempts.map_or_else(|| "∞".to_string(), |max| max.to_string());
    format!(
        "reconnecting in {:.1} s (attempt {attempt}/{max})",
        delay.as_secs_f64()
    )
}

fn state_line(state: ConnectionState) -> Option<(String, SystemLevel)> {
    match state {
        ConnectionState::Connecting => Some(("connecting…".into(), SystemLevel::Info)),
        ConnectionState::Authenticating => Some(("authenticating…".into(), SystemLevel::Info)),
        ConnectionState::Authenticated => Some(("auth ok".into(), SystemLevel::Info)),
        ConnectionState::Disconnected => Some(("disconnected".into(), SystemLevel::Info)),
        ConnectionState::Error => Some((
            "stopped on an error — :connect or :reconnect to try again".into(),
            SystemLevel::Error,
        )),
        ConnectionState::Connected | ConnectionState::Reconnecting => None,
    }
}

/// The log's line for a close: who closed, the code, its name and meaning, the
/// reason (or, for a lost link, its cause), and whether it was clean.
fn closed_line(outcome: &crate::session::CloseOutcome) -> (String, SystemLevel) {
    let code = outcome.code.unwrap_or(1005);
    let lost = code == 1006 && !outcome.clean;
    let who = if lost {
        "connection lost"
    } else if outcome.by_peer {
        "closed by server"
    } else {
        "closed by wsdeck"
    };
    let mut text = format!(
        "{who}: {code} {} — {}",
        close_code::name(code),
        close_code::meaning(code)
    );
    if !outcome.reason.is_empty() {
        // A lost link has no close frame: its text is our diagnosis.
        let label = if lost { "cause" } else { "reason" };
        text.push_str(&format!(" ({label}: \"{}\")", outcome.reason));
    }
    if !outcome.clean {
        text.push_str(" [not clean]");
    }
    let level = if outcome.clean && matches!(code, 1000 | 1001) {
        SystemLevel::Info
    } else {
        SystemLevel::Warning
    };
    (text, level)
}
