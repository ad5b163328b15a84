//! A recording opened read-only (`wsdeck open`): its records fill the log before
//! the loop starts, the state pane describes the recording, and whatever would
//! send or connect is refused with a status that says so, keeping what was typed.

use super::{App, Focus, StatusLevel};
use crate::recording::Recording;
use crate::state::command_line::UserCommand;
use crate::state::log::{LogEntry, SystemLevel};
use crate::state::recording_view::{CUT_SHORT, LoggedRecord, RecordingSummary, log_record};

impl App {
    /// Shows `recording` (read from `file`) read-only: the log holds its entries
    /// with their recorded times and labels, the state pane its summary, and the
    /// focus is on the log. Call once, before the loop starts.
    pub fn open_recording(&mut self, recording: &Recording, file: &str) {
        let summary = RecordingSummary::of(recording, file);
        let connection = &mut self.state.connection;
        connection.url = summary.url(recording);
        if let Some(header) = &summary.header {
            connection.profile = header.profile.clone();
            if let Some(provider) = &header.provider {
                connection.provider = provider.clone();
            }
        }
        connection.last_close = summary.last_close.clone();
        connection.recording = Some(Box::new(summary));
        let ids = self.state.ids.clone();
        for record in &recording.records {
            match log_record(record, &ids) {
                Ok(Some(LoggedRecord::Frame(entry))) => {
                    self.push_entry(entry);
                }
                Ok(Some(LoggedRecord::System(entry, behind))) => {
                    let seq = self.push_entry(entry);
                    if let Some(record) = behind {
                        self.remember_record(seq, record);
                    }
                }
                Ok(None) => {}
                Err(error) => {
                    let time = record.time().0;
                    self.push_entry(LogEntry::System {
                        timestamp: time,
                        level: SystemLevel::Error,
                        text: error,
                    });
                }
            }
        }
        if recording.cut_short {
            let time = recording
                .records
                .last()
                .map_or_else(std::time::SystemTime::now, |record| record.time().0);
            self.push_entry(LogEntry::System {
                timestamp: time,
                level: SystemLevel::Warning,
                text: CUT_SHORT.to_string(),
            });
            self.set_status(CUT_SHORT, StatusLevel::Error);
        }
        self.state.welcome = None;
        self.state.focus = Focus::Log;
        let notice = self.read_only_notice();
        self.state.composer.set_read_only(&notice);
    }

    /// What a refused send or connect says.
    pub(super) fn read_only_notice(&self) -> String {
        let file = self
            .state
            .connection
            .recording
            .as_ref()
            .map_or("FILE", |recording| recording.file.as_str());
        let file = crate::terminal_text::one_line(file);
        format!(
            "read-only: this is a recording — `wsdeck replay {file} URL` sends its messages again"
        )
    }

    /// In a recording: refuses (with the notice as the status) and returns true.
    pub(super) fn refuse_if_read_only(&mut self) -> bool {
        if !self.state.is_read_only() {
            return false;
        }
        let notice = self.read_only_notice();
        self.set_status(notice, StatusLevel::Error);
        true
    }

    /// Whether `command` would send, connect or change the session: what a
    /// recording refuses.
    pub(super) fn needs_a_session(command: &UserCommand) -> bool {
        matches!(
            command,
            UserCommand::Close { .. }
                | UserCommand::Reconnect
                | UserCommand::Disconnect
                | UserCommand::Connect
                | UserCommand::ResendUnconfirmed
                | UserCommand::Provider(_)
                | UserCommand::Every(_)
                | UserCommand::Capture(_)
                | UserCommand::SaveProfile(_)
                | UserCommand::Snippets
                | UserCommand::Ping
                | UserCommand::Shortcut { .. }
        )
    }
}
