//! `:every`: turns the request into the session's schedule. The rest of the line
//! names a snippet when one has that name, else it is the message, in the
//! composer's format (JSON checked in JSON mode). Bad input is refused in the status
//! line and nothing is scheduled.

use super::{App, Effect, StatusLevel};
use crate::config::apply::render_message;
use crate::config::profile::MessageFormat;
use crate::session::Command;
use crate::session::schedule::Schedule;
use crate::state::every_command::EveryRequest;
use crate::template::Context;

impl App {
    /// Starts, replaces or stops the scheduled send.
    pub(super) fn every(&mut self, request: EveryRequest) -> Vec<Effect> {
        match request {
            EveryRequest::Stop => {
                let text = match self.state.connection.schedule {
                    Some(_) => "scheduled send stopped",
                    None => "no scheduled send to stop",
                };
                self.set_status(text, StatusLevel::Info);
                vec![Effect::Command(Command::StopEvery)]
            }
            EveryRequest::Start { interval, what } => match self.schedule_for(interval, what) {
                Ok(schedule) => {
                    let every = humantime::format_duration(schedule.interval);
                    let text = format!(
                        "every {every}: sending {} (:every off stops)",
                        schedule.label
                    );
                    self.set_status(text, StatusLevel::Info);
                    vec![Effect::Command(Command::Every(schedule))]
                }
                Err(error) => {
                    self.set_status(format!("every: {error}"), StatusLevel::Error);
                    Vec::new()
                }
            },
        }
    }

    /// The schedule for `what`: a snippet of that name, else the text itself, tried
    /// once against the templates (on a counter of its own, so `{{seq}}` loses no
    /// number) and, in JSON mode, checked to be JSON.
    fn schedule_for(
        &self,
        interval: std::time::Duration,
        what: String,
    ) -> Result<Schedule, String> {
        let format = self.state.composer.mode();
        if format == MessageFormat::Binary {
            return Err(
                "scheduled sends are text; switch the composer to JSON or Text (Ctrl-T)".into(),
            );
        }
        let snippet = self
            .state
            .extras
            .snippets
            .iter()
            .find(|snippet| snippet.name == what);
        let (label, template) = match snippet {
            Some(snippet) => (snippet.name.clone(), snippet.text.clone()),
            None => (quoted(&what), what),
        };
        let trial_context = Context {
            seq: Default::default(),
            ..self.state.extras.templates.clone()
        };
        let rendered =
            render_message(&template, format, &trial_context).map_err(|error| error.to_string())?;
        let json = format == MessageFormat::Json;
        if json {
            serde_json::from_str::<serde::de::IgnoredAny>(&rendered).map_err(|error| {
                format!(
                    "{label} is not valid JSON ({error}); fix it or switch to Text mode (Ctrl-T)"
                )
            })?;
        }
        Ok(Schedule {
            interval,
            label,
            template,
            json,
        })
    }
}

/// A message as a label: quoted, and cut short when long.
fn quoted(message: &str) -> String {
    const LONGEST: usize = 24;
    let mut short: String = message.chars().take(LONGEST).collect();
    if message.chars().count() > LONGEST {
        short.push('…');
    }
    format!("'{short}'")
}
