//! Composer text and the `:emit` / `:ack` shortcuts, built into Socket.IO event
//! packets on the session's namespace.

use serde_json::Value;

use super::SocketIoAdapter;
use crate::protocol::{ComposeError, Composed, Outgoing};

/// What the composer accepts, said when it gets something else.
const COMPOSE_FORMS: &str = "socket-io composer: type an event as a JSON array \
     [\"name\", args…], a raw packet starting with its type digit (42[\"chat\",\"hi\"]), \
     or use :emit NAME ARGS… / :ack NAME ARGS…";
/// The shortcuts, as `(usage, what it does)`.
pub(super) const COMMANDS: &[(&str, &str)] = &[
    (
        ":emit NAME [ARG…]",
        "emit event NAME with JSON arguments (a bare word is a string)",
    ),
    (
        ":ack NAME [ARG…]",
        "emit NAME asking for an ack; the reply shows its latency",
    ),
];

impl SocketIoAdapter {
    /// `4` + `kind` + the namespace prefix (`42/admin,`) for packets we build.
    pub(super) fn prefix(&self, kind: char) -> String {
        match self.namespace.as_str() {
            "/" => format!("4{kind}"),
            namespace => format!("4{kind}{namespace},"),
        }
    }

    /// `:emit` and `:ack`: `NAME ARG…` → `42[N]["NAME",ARG…]`.
    pub(super) fn emit(&mut self, args: &str, with_ack: bool) -> Result<Composed, ComposeError> {
        let values = parse_args(args)?;
        if !matches!(values.first(), Some(Value::String(_))) {
            let usage = COMMANDS[usize::from(with_ack)].0;
            return Err(ComposeError(format!("usage: {usage}")));
        }
        let mut frame = self.prefix('2');
        if with_ack {
            frame.push_str(&self.next_ack.to_string());
            self.next_ack += 1;
        }
        frame.push_str(&Value::Array(values).to_string());
        Ok(Composed {
            frames: vec![Outgoing::text(frame)],
        })
    }

    /// Composer text: a raw packet (starting with its type digit) as typed, or an
    /// event array `["name", args…]` as an event on our namespace.
    pub(super) fn compose_text(&mut self, text: &str) -> Result<Composed, ComposeError> {
        let trimmed = text.trim();
        let frame = if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
            text.to_string()
        } else if trimmed.starts_with('[') {
            match serde_json::from_str::<Value>(trimmed) {
                Ok(Value::Array(args)) if matches!(args.first(), Some(Value::String(_))) => {
                    format!("{}{trimmed}", self.prefix('2'))
                }
                Ok(_) => {
                    return Err(ComposeError(
                        "an event array starts with its name: [\"name\", args…]".into(),
                    ));
                }
                Err(error) => return Err(ComposeError(format!("not a JSON array: {error}"))),
            }
        } else {
            return Err(ComposeError(COMPOSE_FORMS.into()));
        };
        Ok(Composed {
            frames: vec![Outgoing::text(frame)],
        })
    }
}

/// Parses shortcut arguments: JSON values separated by spaces; a bare word that is
/// not JSON is a string.
fn parse_args(args: &str) -> Result<Vec<Value>, ComposeError> {
    let mut values = Vec::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let parsed = stream.next();
        let end = stream.byte_offset();
        match parsed {
            Some(Ok(value)) if rest[end..].chars().next().is_none_or(char::is_whitespace) => {
                values.push(value);
                rest = rest[end..].trim_start();
            }
            Some(Err(error)) if rest.starts_with(['{', '[', '"']) => {
                let position = values.len() + 1;
                return Err(ComposeError(format!(
                    "argument {position} is not valid JSON: {error}"
                )));
            }
            _ => {
                let (word, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                values.push(Value::String(word.to_string()));
                rest = after.trim_start();
            }
        }
    }
    Ok(values)
}
