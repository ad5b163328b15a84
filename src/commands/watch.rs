//! Follows a session's lifecycle for a headless command: remembers the most telling
//! error and the last close, and says when the session has come to an end.

use crate::session::close_code;
use crate::session::{CloseOutcome, ConnectionState, ErrorKind, Event};
use crate::terminal_text;

use crate::outcome::{Failure, FailureClass};

/// How a session ended, as far as a headless command cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Closed without error (1000, or by us).
    Closed(Option<CloseOutcome>),
    /// Ended in failure.
    Failed(Failure),
}

/// Watches lifecycle events.
#[derive(Debug, Default)]
pub struct LifecycleWatch {
    error: Option<(ErrorKind, String)>,
    last_close: Option<CloseOutcome>,
    opened: bool,
}

impl LifecycleWatch {
    /// Whether a connection has opened at least once.
    pub fn has_opened(&self) -> bool {
        self.opened
    }

    /// The last close seen.
    pub fn last_close(&self) -> Option<&CloseOutcome> {
        self.last_close.as_ref()
    }

    /// Takes in one event; returns the ending once the session has stopped for good.
    pub fn observe(&mut self, event: &Event) -> Option<Ending> {
        match event {
            Event::Opened(_) => {
                self.opened = true;
                None
            }
            Event::Error { kind, message } => {
                // An auth verdict explains more than the link loss that follows it.
                let replace = match &self.error {
                    None => true,
                    Some((ErrorKind::Auth, _)) => false,
                    Some(_) => *kind == ErrorKind::Auth || *kind == ErrorKind::GaveUp,
                };
                if replace {
                    self.error = Some((*kind, message.clone()));
                }
                None
            }
            Event::Closed(outcome) => {
                self.last_close = Some(outcome.clone());
                None
            }
            Event::StateChanged(ConnectionState::Error) => Some(Ending::Failed(self.failure())),
            Event::Stopped => Some(match &self.error {
                Some((ErrorKind::Auth, _)) => Ending::Failed(self.failure()),
                _ => Ending::Closed(self.last_close.clone()),
            }),
            _ => None,
        }
    }

    /// The failure the events so far point to.
    pub fn failure(&self) -> Failure {
        if let Some((kind, message)) = &self.error
            && (*kind != ErrorKind::Io || self.last_close.is_none())
        {
            return Failure::new(FailureClass::from_error_kind(*kind), message.clone());
        }
        match &self.last_close {
            Some(outcome) => Failure::new(FailureClass::Closed, describe_close(outcome)),
            None => Failure::new(FailureClass::Connection, "the connection ended"),
        }
    }
}

/// "the server closed the connection with 1011 Internal Error ("boom")".
pub fn describe_close(outcome: &CloseOutcome) -> String {
    let code = outcome.code.unwrap_or(1005);
    if code == 1006 {
        return format!(
            "the connection dropped (1006 Abnormal Closure): {}",
            terminal_text::one_line(&outcome.reason)
        );
    }
    let who = if outcome.by_peer {
        "the server"
    } else {
        "wsdeck"
    };
    let mut text = format!(
        "{who} closed the connection with {code} {}",
        close_code::name(code)
    );
    if !outcome.reason.is_empty() {
        text.push_str(&format!(
            " (\"{}\")",
            terminal_text::one_line(&outcome.reason)
        ));
    }
    if !outcome.clean {
        text.push_str(" — not a clean close");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_error_wins_over_link_loss() {
        let mut watch = LifecycleWatch::default();
        watch.observe(&Event::Error {
            kind: ErrorKind::Auth,
            message: "refused".into(),
        });
        watch.observe(&Event::Error {
            kind: ErrorKind::Io,
            message: "lost".into(),
        });
        let ending = watch.observe(&Event::StateChanged(ConnectionState::Error));
        assert_eq!(
            ending,
            Some(Ending::Failed(Failure::new(FailureClass::Auth, "refused")))
        );
    }

    #[test]
    fn close_without_error_is_closed_class() {
        let mut watch = LifecycleWatch::default();
        watch.observe(&Event::Closed(CloseOutcome {
            code: Some(1011),
            reason: "boom".into(),
            by_peer: true,
            clean: true,
        }));
        let Some(Ending::Failed(failure)) =
            watch.observe(&Event::StateChanged(ConnectionState::Error))
        else {
            panic!("expected a failure");
        };
        assert_eq!(failure.class, FailureClass::Closed);
        assert!(
            failure.message.contains("1011 Internal Error"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains("boom"));
    }
}
