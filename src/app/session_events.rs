//! Session events into state: frames into the log, connection facts into the state
//! pane, and the moments worth a line of their own (connected, auth ok, closed 1006,
//! reconnecting in 2.1 s) as system lines in the log.

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use super::{App, Effect, StatusLevel};
use crate::recording::{HandshakeRecord, Record};
use crate::session::{ConnectionInfo, ConnectionState, Direction, Event};
use crate::state::log::{EntrySeq, LogEntry, SystemLevel};

impl App {
    pub(super) fn on_session_event(&mut self, event: Event, now: Instant) -> Vec<Effect> {
        self.state.connection.apply(&event, now);
        match event {
            Event::Frame(frame) => {
                if frame.direction == Direction::Outgoing {
                    self.state.in_flight.remove(&frame.id);
                }
                let capture_from = (frame.direction == Direction::Incoming
                    && frame.kind == crate::session::FrameKind::Text
                    && self.state.captures.is_armed())
                .then(|| frame.payload.clone());
                self.push_entry(LogEntry::Frame(frame));
                if let Some(payload) = capture_from {
                    return self.capture_from(&payload);
                }
            }
            Event::StateChanged(state) => {
                if let Some((text, level)) = state_line(state) {
                    self.system_line(text, level);
                }
            }
            Event::Opened(info) => {
                let seq = self.logged_system_line(opened_line(&info), SystemLevel::Info);
                let time = self.entry_time(seq);
                let handshake = HandshakeRecord::from_connection(time, &info);
                self.remember_record(seq, Record::Handshake(handshake));
            }
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
                let seq = self.logged_system_line(text, level);
                let time = self.entry_time(seq);
                self.remember_record(seq, Record::closed(time, &outcome));
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

    /// Adds a system line stamped now.
    pub(super) fn system_line(&mut self, text: String, level: SystemLevel) {
        self.logged_system_line(text, level);
    }

    /// Adds a system line stamped now; returns its sequence number.
    fn logged_system_line(&mut self, text: String, level: SystemLevel) -> EntrySeq {
        self.push_entry(LogEntry::System {
            timestamp: SystemTime::now(),
            text,
            level,
        })
    }

    /// When entry `seq` was logged (now, if it is gone already).
    fn entry_time(&self, seq: EntrySeq) -> SystemTime {
        self.state
            .log
            .get(seq)
            .map_or_else(SystemTime::now, LogEntry::timestamp)
    }

    /// Adds an entry to the log; returns its sequence number.
    pub(super) fn push_entry(&mut self, entry: LogEntry) -> EntrySeq {
        let seq = self.state.log.push(entry);
        self.state.log_view.on_append(&self.state.log);
        if let Some(search) = self.state.search.as_mut() {
            search.done = false;
        }
        seq
    }

    /// Keeps `record` behind the system line `seq` for exports. Records of lines
    /// the log dropped are forgotten, except the last handshake: the entries after
    /// it still belong to its connection.
    pub(super) fn remember_record(&mut self, seq: EntrySeq, record: Record) {
        let behind = &mut self.state.records_behind;
        let first = self.state.log.first_seq();
        if behind
            .first_key_value()
            .is_some_and(|(&oldest, _)| oldest < first)
        {
            let last_handshake = behind
                .iter()
                .rev()
                .find(|(_, record)| matches!(record, Record::Handshake(_)))
                .map(|(&seq, record)| (seq, record.clone()));
            *behind = behind.split_off(&first);
            if let Some((at, handshake)) = last_handshake.filter(|(at, _)| *at < first) {
                behind.insert(at, handshake);
            }
        }
        behind.insert(seq, record);
    }
}

/// `connected to URL through proxy P (subprotocol NAME)`.
fn opened_line(info: &ConnectionInfo) -> String {
    crate::recording::text::opened_line(
        &info.url,
        info.proxy.as_deref(),
        info.subprotocol.as_deref(),
    )
}

/// `reconnecting in 1.5 s (attempt 2/∞)`.
fn reconnect_line(attempt: u32, max_attempts: Option<u32>, delay: Duration) -> String {
    let max = max_attempts.map_or_else(|| "∞".to_string(), |max| max.to_string());
    format!(
        "reconnecting in {:.1} s (attempt {attempt}/{max})",
        delay.as_secs_f64()
    )
}

/// The system line for a state change, when it deserves one.
fn state_line(state: ConnectionState) -> Option<(String, SystemLevel)> {
    crate::recording::text::state_line(state)
        .map(|(text, level)| (text.to_string(), SystemLevel::named(level)))
}

/// The log's line for a close: who closed, the code, its name and meaning, the
/// reason (or, for a lost link, its cause), and whether it was clean.
fn closed_line(outcome: &crate::session::CloseOutcome) -> (String, SystemLevel) {
    let (text, level) = crate::recording::text::closed_line(
        outcome.code,
        &outcome.reason,
        outcome.by_peer,
        outcome.clean,
    );
    (text, SystemLevel::named(level))
}
