//! `:capture`: arms a jq program (compiled once, here) that takes `{{var.NAME}}`
//! from the next incoming text message for which it gives a value other than
//! `null`; lists the captures; cancels one. A value taken goes into the templates'
//! context (composer, snippets) and, by [`Command::SetVariable`], to the session
//! for its `:every` sends.

use super::{App, Effect, StatusLevel};
use crate::jq::Program;
use crate::session::Command;
use crate::state::capture::{CaptureRequest, shown_value};
use crate::state::log::SystemLevel;

impl App {
    /// Arms, cancels or lists captures.
    pub(super) fn capture(&mut self, request: CaptureRequest) -> Vec<Effect> {
        match request {
            CaptureRequest::List => self.list_captures(),
            CaptureRequest::Off(name) => {
                let text = if self.state.captures.disarm(&name) {
                    format!("capture {name} cancelled")
                } else {
                    format!("no capture {name} is armed")
                };
                self.set_status(text, StatusLevel::Info);
            }
            CaptureRequest::Arm { name, jq } => match Program::compile(&jq) {
                Ok(program) => {
                    self.state.captures.arm(name.clone(), program);
                    self.set_status(
                        format!(
                            "capture {name}: waiting for a message that gives {} (:capture off {name} cancels)",
                            crate::terminal_text::one_line(&jq)
                        ),
                        StatusLevel::Info,
                    );
                }
                Err(error) => {
                    self.set_status(format!("capture {name}: {error}"), StatusLevel::Error)
                }
            },
        }
        Vec::new()
    }

    /// `:capture` alone: every armed capture and every value taken, as system lines.
    fn list_captures(&mut self) {
        let armed: Vec<String> = self
            .state
            .captures
            .armed()
            .iter()
            .map(|armed| {
                format!(
                    "capture {}: armed, waiting for {}",
                    armed.name,
                    crate::terminal_text::one_line(armed.program.source())
                )
            })
            .collect();
        let taken: Vec<String> = self
            .state
            .extras
            .templates
            .vars
            .iter()
            .map(|(name, value)| format!("captured {name} = {}", shown_value(value)))
            .collect();
        if armed.is_empty() && taken.is_empty() {
            self.set_status(
                format!("no captures; {}", crate::state::capture::CAPTURE_USAGE),
                StatusLevel::Info,
            );
            return;
        }
        let count = armed.len() + taken.len();
        for line in armed.into_iter().chain(taken) {
            self.system_line(line, SystemLevel::Info);
        }
        self.set_status(
            format!("{count} capture(s) listed in the log"),
            StatusLevel::Info,
        );
    }

    /// An incoming text frame's payload (logged already): the armed captures
    /// look at it.
    pub(super) fn capture_from(&mut self, payload: &[u8]) -> Vec<Effect> {
        let taken = self.state.captures.take_from(payload);
        let mut effects = Vec::new();
        for (name, value) in taken {
            self.system_line(
                format!("captured {name} = {}", shown_value(&value)),
                SystemLevel::Info,
            );
            self.state
                .extras
                .templates
                .vars
                .insert(name.clone(), value.clone());
            effects.push(Effect::Command(Command::SetVariable { name, value }));
        }
        effects
    }
}
