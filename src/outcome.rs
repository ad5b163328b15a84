//! How headless commands fail: a class (with its exit code and JSON error code) and
//! a message for the user.

use crate::session::ErrorKind;

/// The classes of failure a headless command reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureClass {
    /// Bad flag, URL, header, close code or file.
    InvalidInput,
    /// DNS, refused, TLS, HTTP error, lost link.
    Connection,
    /// No connection or response in time.
    Timeout,
    /// Credentials refused.
    Auth,
    /// The peer broke the protocol, or a message was too big.
    Protocol,
    /// The server closed before the exchange finished.
    Closed,
    /// A bug or an environment problem.
    Internal,
}

impl FailureClass {
    /// The process exit code (see `--help`).
    pub fn exit_code(self) -> u8 {
        match self {
            FailureClass::Internal => 1,
            FailureClass::InvalidInput => 2,
            FailureClass::Connection => 3,
            FailureClass::Timeout => 4,
            FailureClass::Auth => 5,
            FailureClass::Protocol => 6,
            FailureClass::Closed => 7,
        }
    }

    /// The `error_code` of the JSON envelope.
    pub fn code_name(self) -> &'static str {
        match self {
            FailureClass::InvalidInput => "INVALID_INPUT",
            FailureClass::Connection => "CONNECTION_ERROR",
            FailureClass::Timeout => "TIMEOUT_ERROR",
            FailureClass::Auth => "AUTH_ERROR",
            FailureClass::Protocol => "PROTOCOL_ERROR",
            FailureClass::Closed => "CLOSED",
            FailureClass::Internal => "INTERNAL_ERROR",
        }
    }

    /// The class of a session error.
    pub fn from_error_kind(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidInput | ErrorKind::QueueFull => FailureClass::InvalidInput,
            ErrorKind::Dns
            | ErrorKind::Refused
            | ErrorKind::Tls
            | ErrorKind::HttpStatus
            | ErrorKind::Io
            | ErrorKind::GaveUp => FailureClass::Connection,
            ErrorKind::Timeout => FailureClass::Timeout,
            ErrorKind::Auth => FailureClass::Auth,
            ErrorKind::Protocol | ErrorKind::MessageTooBig => FailureClass::Protocol,
        }
    }
}

/// A failed command: what class, and what to tell the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// The class, which picks the exit code.
    pub class: FailureClass,
    /// One clear line for the user.
    pub message: String,
    /// The command already showed this message (e.g. as it happened), so the binary
    /// need not repeat it.
    pub shown: bool,
}

impl Failure {
    /// A failure of the given class.
    pub fn new(class: FailureClass, message: impl Into<String>) -> Self {
        Self {
            class,
            message: message.into(),
            shown: false,
        }
    }

    /// The same failure, marked as already shown to the user.
    pub fn already_shown(mut self) -> Self {
        self.shown = true;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct() {
        let classes = [
            FailureClass::InvalidInput,
            FailureClass::Connection,
            FailureClass::Timeout,
            FailureClass::Auth,
            FailureClass::Protocol,
            FailureClass::Closed,
            FailureClass::Internal,
        ];
        let mut codes: Vec<u8> = classes.iter().map(|c| c.exit_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), classes.len());
        assert!(codes.iter().all(|code| *code != 0));
    }
}
