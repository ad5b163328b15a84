//! GraphQL over WebSocket, `graphql-transport-ws` (the `graphql-ws` npm library's
//! protocol, provider `graphql-ws`): `connection_init` on open and `connection_ack` as
//! the handshake verdict, `ping` answered with `pong`, operations started with
//! `subscribe` under auto ids and followed through `next`, `error` and `complete`
//! (correlated with their latency), the protocol's 44xx close codes explained, and
//! subscriptions re-sent after a reconnect (except those the profile's on-connect
//! messages start: the session re-sends those itself).
//!
//! Spec: <https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>.
//!
//! The adapter here also speaks Apollo's legacy
//! subscriptions-transport-ws for [`super::apollo_legacy`]: the two protocols differ
//! only in message names and heartbeats.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::{
    Adapter, ComposeError, Composed, Correlation, Correlator, Decoded, OpenContext, Outgoing,
    Reaction, StatusLine, shorten,
};
use crate::wire::{AuthVerdict, PayloadKind};

const SUMMARY_CHARS: usize = 80;
const QUERY_CHARS: usize = 40;
/// Active operations remembered at most, so a server that never completes cannot
/// grow memory without bound (the oldest is forgotten first).
const MAX_OPERATIONS: usize = 1000;

const TRANSPORT_WS_COMMANDS: &[(&str, &str)] = &[
    (
        ":sub DOCUMENT",
        "subscribe to a GraphQL document (query, mutation, subscription)",
    ),
    (":stop ID", "stop operation ID (sends complete)"),
    (":ping", "send a protocol ping; the server answers pong"),
];
const LEGACY_COMMANDS: &[(&str, &str)] = &[
    (
        ":sub DOCUMENT",
        "start a GraphQL document (query, mutation, subscription)",
    ),
    (":stop ID", "stop operation ID"),
    (":terminate", "send connection_terminate"),
];

/// Which of the two GraphQL-over-WebSocket protocols a [`GraphqlWsAdapter`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `graphql-transport-ws`: subscribe / next / complete, ping / pong.
    TransportWs,
    /// Apollo's legacy `graphql-ws`: start / data / stop, `ka` keep-alives.
    Legacy,
}

impl Dialect {
    /// The label prefix.
    fn prefix(self) -> &'static str {
        match self {
            Dialect::TransportWs => "gql",
            Dialect::Legacy => "apollo",
        }
    }

    /// (start an operation, stop one, a result) message types.
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Dialect::TransportWs => ("subscribe", "complete", "next"),
            Dialect::Legacy => ("start", "stop", "data"),
        }
    }
}

/// An operation we started that has not completed.
#[derive(Debug)]
struct Operation {
    id: String,
    /// The `payload` it was started with (`query`, `variables`, …), to re-send.
    payload: Value,
    /// Results received.
    received: u64,
    /// Started on a previous link: re-sent (under a new id) once the new one is ready.
    carried: bool,
    /// Started by one of the profile's on-connect messages, which the session re-sends
    /// itself: never re-sent here. While carried, its id stays reserved.
    on_connect: bool,
}

/// The graphql-transport-ws adapter (provider `graphql-ws`, subprotocol
/// `graphql-transport-ws`). In its legacy dialect it is also the engine of
/// [`super::apollo_legacy::ApolloLegacyAdapter`].
#[derive(Debug)]
pub struct GraphqlWsAdapter {
    dialect: Dialect,
    next_id: u64,
    operations: Vec<Operation>,
    correlator: Correlator,
}

/// A decode with a label, summary and data.
fn decoded(label: String, summary: String, data: Option<Value>) -> Decoded {
    Decoded {
        label,
        summary,
        data,
        ..Decoded::default()
    }
}

/// A message's `id` (a string; numbers are tolerated).
fn message_id(message: &Map<String, Value>) -> Option<String> {
    match message.get("id")? {
        Value::String(id) => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// The gist of an error payload: the first `message`, or the JSON.
fn error_summary(payload: Option<&Value>) -> String {
    let first = match payload {
        Some(Value::Array(errors)) => errors.first(),
        other => other,
    };
    match first {
        Some(Value::String(message)) => message.clone(),
        Some(error) => match error.get("message").and_then(Value::as_str) {
            Some(message) => message.to_string(),
            None => shorten(&error.to_string(), SUMMARY_CHARS),
        },
        None => String::new(),
    }
}

/// Whether composer text is a bare GraphQL document rather than a JSON message.
fn is_document(text: &str) -> bool {
    let keyword = ["query", "mutation", "subscription", "fragment"]
        .iter()
        .any(|keyword| {
            text.strip_prefix(keyword).is_some_and(|rest| {
                !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
        });
    let shorthand = text
        .strip_prefix('{')
        .and_then(|rest| rest.trim_start().chars().next())
        .is_some_and(|c| c != '"' && c != '}');
    keyword || shorthand
}

/// Whether a document defines a subscription operation: a top-level (outside any
/// selection set, string or comment) `subscription` keyword.
fn is_subscription(document: &str) -> bool {
    let mut depth = 0usize;
    let mut chars = document.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '#' => while chars.next_if(|&c| c != '\n').is_some() {},
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut word = String::from(c);
                while let Some(c) = chars.next_if(|c| c.is_ascii_alphanumeric() || *c == '_') {
                    word.push(c);
                }
                if depth == 0 && word == "subscription" {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// What a started operation shows: its query's start, whitespace collapsed.
fn query_summary(payload: &Value) -> String {
    match payload.get("query").and_then(Value::as_str) {
        Some(query) => shorten(
            &query.split_whitespace().collect::<Vec<_>>().join(" "),
            QUERY_CHARS,
        ),
        None => shorten(&payload.to_string(), QUERY_CHARS),
    }
}

impl Default for GraphqlWsAdapter {
    fn default() -> Self {
        Self::new()
    }
}

impl GraphqlWsAdapter {
    /// An adapter before any link opens; operation ids start at `"1"`.
    pub fn new() -> Self {
        Self::with_dialect(Dialect::TransportWs)
    }

    /// An adapter speaking `dialect` (Apollo's legacy protocol for `apollo-legacy`).
    pub(crate) fn with_dialect(dialect: Dialect) -> Self {
        Self {
            dialect,
            next_id: 0,
            operations: Vec::new(),
            correlator: Correlator::new(),
        }
    }

    /// The next auto id (`"1"`, `"2"`, …), skipping ids still in use.
    fn fresh_id(&mut self) -> String {
        loop {
            self.next_id += 1;
            let id = self.next_id.to_string();
            if !self.operations.iter().any(|operation| operation.id == id) {
                return id;
            }
        }
    }

    /// The message that starts an operation with `payload` under a fresh id.
    fn start(&mut self, payload: Value) -> Outgoing {
        let id = self.fresh_id();
        let start = self.dialect.words().0;
        Outgoing::text(json!({"id": id, "type": start, "payload": payload}).to_string())
    }

    /// A bare document (composer text or `:sub`), started under a fresh id.
    fn subscribe(&mut self, document: &str) -> Result<Composed, ComposeError> {
        if document.is_empty() {
            return Err(ComposeError("usage: :sub DOCUMENT".into()));
        }
        Ok(Composed {
            frames: vec![self.start(json!({ "query": document }))],
        })
    }

    /// A label `gql next #1`.
    fn label(&self, kind: &str, id: Option<&str>) -> String {
        match id {
            Some(id) => format!("{} {kind} #{}", self.dialect.prefix(), shorten(id, 12)),
            None => format!("{} {kind}", self.dialect.prefix()),
        }
    }

    fn malformed(&self, why: impl Into<String>) -> Decoded {
        Decoded::malformed(self.dialect.prefix(), why)
    }

    /// Parses a frame into a JSON object and its `type`, or says why not.
    fn parse(payload: &[u8], kind: PayloadKind) -> Result<(Map<String, Value>, String), String> {
        if kind == PayloadKind::Binary {
            return Err("binary frame; the protocol is JSON text".into());
        }
        let message = match super::parse_json(payload)? {
            Value::Object(message) => message,
            _ => return Err("not a JSON object".into()),
        };
        match message.get("type").and_then(Value::as_str) {
            Some(kind) => {
                let kind = kind.to_string();
                Ok((message, kind))
            }
            None => Err("no string \"type\"".into()),
        }
    }

    /// A result, error or completion of operation `id`.
    fn response(
        &mut self,
        kind: &str,
        id: Option<String>,
        payload: Option<Value>,
        now: Instant,
    ) -> Decoded {
        let (_, _, data_word) = self.dialect.words();
        let more = kind == data_word;
        // A completion carries no result; subscriptions-transport-ws sends
        // `"payload":null` with it, which is not one.
        let payload = payload.filter(|_| kind != "complete");
        let Some(id) = id else {
            if kind == "error" && self.dialect == Dialect::Legacy {
                let summary = error_summary(payload.as_ref());
                return decoded(self.label(kind, None), summary, payload);
            }
            return self.malformed(format!("{kind} without an \"id\""));
        };
        // A result fails when it has errors and no data; partial data still counts.
        let errors = payload.as_ref().and_then(|p| p.get("errors"));
        let no_data = payload
            .as_ref()
            .and_then(|p| p.get("data"))
            .is_none_or(Value::is_null);
        let failed = errors.is_some_and(|errors| errors.as_array().is_none_or(|e| !e.is_empty()));
        let ok = kind != "error" && !(failed && no_data);
        let latency = self.correlator.response(&id, now, more);
        if more {
            if let Some(operation) = self.operations.iter_mut().find(|op| op.id == id) {
                operation.received += 1;
            }
        } else {
            self.operations.retain(|operation| operation.id != id);
        }
        let summary = match (kind, &payload) {
            ("complete", _) | (_, None) => String::new(),
            (_, Some(_)) if !ok => error_summary(errors.or(payload.as_ref())),
            (_, Some(payload)) => shorten(&payload.to_string(), SUMMARY_CHARS),
        };
        let label = self.label(kind, Some(&id));
        let correlation = Correlation::Response {
            key: id,
            ok,
            latency,
            more,
        };
        Decoded {
            correlation: Some(correlation),
            ..decoded(label, summary, payload)
        }
    }

    /// Records an operation we start (or re-start under the same id).
    fn started(&mut self, id: &str, payload: Value, now: Instant) {
        self.operations.retain(|operation| operation.id != id);
        if self.operations.len() >= MAX_OPERATIONS {
            self.operations.remove(0);
        }
        self.operations.push(Operation {
            id: id.to_string(),
            payload,
            received: 0,
            carried: false,
            on_connect: false,
        });
        self.correlator.request(id, now);
    }
}

impl Adapter for GraphqlWsAdapter {
    fn name(&self) -> &'static str {
        match self.dialect {
            Dialect::TransportWs => "graphql-ws",
            Dialect::Legacy => "apollo-legacy",
        }
    }

    fn needs_handshake(&self) -> bool {
        true
    }

    fn on_open(&mut self, context: &OpenContext, _now: Instant) -> Vec<Outgoing> {
        self.correlator.clear();
        if context.reconnect {
            self.operations
                .iter_mut()
                .for_each(|operation| operation.carried = true);
        } else {
            self.operations.clear();
        }
        // Without a payload of the profile's, a token goes where GraphQL servers
        // commonly look for it, as the presets write it.
        let payload = context.handshake_payload.clone().or_else(|| {
            let token = context.token.as_ref()?;
            Some(json!({"authorization": format!("Bearer {token}")}))
        });
        let init = match payload {
            Some(payload) => json!({"type": "connection_init", "payload": payload}),
            None => json!({"type": "connection_init"}),
        };
        vec![Outgoing::text(init.to_string())]
    }

    fn on_ready(&mut self, _now: Instant) -> Vec<Outgoing> {
        // Queries and mutations are not repeated: only subscriptions resume. Those of
        // the on-connect messages stay (so their ids are not reused) until the session
        // re-sends them.
        let (carried, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut self.operations)
            .into_iter()
            .partition(|operation| operation.carried && !operation.on_connect);
        self.operations = kept;
        carried
            .into_iter()
            .filter(|operation| {
                let query = operation.payload.get("query").and_then(Value::as_str);
                query.is_some_and(is_subscription)
            })
            .map(|operation| self.start(operation.payload))
            .collect()
    }

    fn sent_on_connect(&mut self, payload: &[u8], kind: PayloadKind) {
        let Ok((message, kind)) = Self::parse(payload, kind) else {
            return;
        };
        let Some(id) = message_id(&message).filter(|_| kind == self.dialect.words().0) else {
            return;
        };
        // The on-connect operations of the previous link are being re-sent now (those
        // that keep their id were replaced when this one went out): forget the rest.
        self.operations
            .retain(|operation| !(operation.carried && operation.on_connect));
        if let Some(operation) = self.operations.iter_mut().find(|op| op.id == id) {
            operation.on_connect = true;
        }
    }

    fn on_incoming(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Reaction {
        let (message, kind) = match Self::parse(payload, kind) {
            Ok(parsed) => parsed,
            Err(why) => return Reaction::decoded(self.malformed(why)),
        };
        let id = message_id(&message);
        let payload = message.get("payload").cloned();
        let (_, _, data_word) = self.dialect.words();
        let label = self.label(&kind, None);
        let heartbeat = Decoded {
            heartbeat: true,
            ..Decoded::labelled(label.clone())
        };
        match (self.dialect, kind.as_str()) {
            (_, "connection_ack") => Reaction {
                decoded: Some(decoded(label, String::new(), payload)),
                auth: Some(AuthVerdict::Accepted),
                ..Reaction::default()
            },
            (Dialect::Legacy, "connection_error") => Reaction {
                decoded: Some(decoded(label, error_summary(payload.as_ref()), payload)),
                auth: Some(AuthVerdict::Refused),
                ..Reaction::default()
            },
            (Dialect::TransportWs, "ping") => Reaction {
                decoded: Some(heartbeat),
                send: vec![Outgoing::automatic(r#"{"type":"pong"}"#)],
                ..Reaction::default()
            },
            (Dialect::TransportWs, "pong") | (Dialect::Legacy, "ka") => {
                Reaction::decoded(heartbeat)
            }
            (_, "error" | "complete") => Reaction::decoded(self.response(&kind, id, payload, now)),
            (_, other) if other == data_word => {
                Reaction::decoded(self.response(&kind, id, payload, now))
            }
            (_, other) => Reaction::decoded(
                self.malformed(format!("unknown message type {:?}", shorten(other, 40))),
            ),
        }
    }

    fn on_outgoing(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Option<Decoded> {
        let (message, kind) = match Self::parse(payload, kind) {
            Ok(parsed) => parsed,
            Err(why) => return Some(self.malformed(why)),
        };
        let id = message_id(&message);
        let (start, stop, _) = self.dialect.words();
        let label = self.label(&kind, id.as_deref());
        let decoded = match (kind.as_str(), id) {
            (kind, Some(id)) if kind == start => {
                let payload = message.get("payload").cloned().unwrap_or(Value::Null);
                let summary = query_summary(&payload);
                self.started(&id, payload.clone(), now);
                Decoded {
                    correlation: Some(Correlation::Request { key: id }),
                    ..decoded(label, summary, Some(payload))
                }
            }
            (kind, Some(id)) if kind == stop => {
                self.operations.retain(|operation| operation.id != id);
                self.correlator.response(&id, now, false);
                Decoded::labelled(label)
            }
            (kind, None) if kind == start || kind == stop => {
                self.malformed(format!("{kind} without an \"id\""))
            }
            ("ping" | "pong", _) if self.dialect == Dialect::TransportWs => Decoded {
                heartbeat: true,
                ..Decoded::labelled(label)
            },
            // connection_init's payload may carry credentials: keep it out of `data`.
            _ => Decoded::labelled(label),
        };
        Some(decoded)
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        let trimmed = text.trim();
        let parsed = serde_json::from_str::<Value>(trimmed);
        let frame = match parsed {
            Ok(Value::Object(mut message)) => {
                let start = self.dialect.words().0;
                if message.get("type").and_then(Value::as_str) == Some(start)
                    && !message.contains_key("id")
                {
                    let mut with_id = Map::new();
                    with_id.insert("id".into(), Value::String(self.fresh_id()));
                    with_id.append(&mut message);
                    Outgoing::text(Value::Object(with_id).to_string())
                } else {
                    Outgoing::text(text)
                }
            }
            _ if is_document(trimmed) => return self.subscribe(trimmed),
            Ok(_) => return Err(ComposeError("a message is a JSON object".into())),
            Err(error) if trimmed.starts_with('{') => {
                return Err(ComposeError(format!("not JSON: {error}")));
            }
            Err(_) => {
                let (start, ..) = self.dialect.words();
                return Err(ComposeError(format!(
                    "{} composer: type a GraphQL document (query …, subscription …, {{ … }}) \
                     to {start} it, a JSON message ({{\"type\":…}}), or use :sub / :stop ID",
                    self.name()
                )));
            }
        };
        Ok(Composed {
            frames: vec![frame],
        })
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        let (_, stop, _) = self.dialect.words();
        let message = match (self.dialect, name) {
            (_, "sub" | "subscribe") => return Some(self.subscribe(args.trim())),
            (_, "stop") => {
                let id = args.trim().trim_start_matches('#');
                if id.is_empty() || id.contains(char::is_whitespace) {
                    return Some(Err(ComposeError("usage: :stop ID".into())));
                }
                json!({"id": id, "type": stop})
            }
            (Dialect::TransportWs, "ping") => json!({"type": "ping"}),
            (Dialect::Legacy, "terminate") => json!({"type": "connection_terminate"}),
            _ => return None,
        };
        Some(Ok(Composed {
            frames: vec![Outgoing::text(message.to_string())],
        }))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        match self.dialect {
            Dialect::TransportWs => TRANSPORT_WS_COMMANDS,
            Dialect::Legacy => LEGACY_COMMANDS,
        }
    }

    fn on_closed(&mut self) {
        self.correlator.clear();
    }

    fn close_code(&self, code: u16) -> Option<(&'static str, &'static str)> {
        if self.dialect == Dialect::Legacy {
            return None;
        }
        Some(match code {
            4400 => (
                "Bad request",
                "the server could not parse or accept a message",
            ),
            4401 => (
                "Unauthorized",
                "an operation was sent before connection_ack",
            ),
            4403 => (
                "Forbidden",
                "the server refused the connection_init payload",
            ),
            4406 => (
                "Subprotocol not acceptable",
                "the server does not speak graphql-transport-ws",
            ),
            4408 => (
                "Connection initialisation timeout",
                "no connection_init arrived in time",
            ),
            4409 => (
                "Subscriber already exists",
                "an operation id was reused while still running",
            ),
            4429 => (
                "Too many initialisation requests",
                "connection_init was sent more than once",
            ),
            4499 => (
                "Terminated",
                "the client terminated the socket without a close handshake",
            ),
            4500 => (
                "Internal server error",
                "the server failed while handling the connection",
            ),
            4504 => (
                "Connection acknowledgement timeout",
                "connection_ack did not arrive in time",
            ),
            _ => return None,
        })
    }

    fn status(&self) -> Vec<StatusLine> {
        self.operations
            .iter()
            .map(|operation| {
                let mut value = format!(
                    "{} · {} msgs",
                    query_summary(&operation.payload),
                    operation.received
                );
                if operation.carried {
                    value.push_str(" · resubscribing");
                }
                StatusLine {
                    label: format!("sub #{}", shorten(&operation.id, 12)),
                    value,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
