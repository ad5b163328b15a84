//! Apollo's legacy GraphQL over WebSocket protocol, subscriptions-transport-ws
//! (provider `apollo-legacy`, subprotocol `graphql-ws`): `connection_init` on open,
//! `connection_ack` / `connection_error` as the handshake verdict, `ka` keep-alives,
//! operations started with `start` under auto ids and followed through `data`,
//! `error` and `complete` (correlated with their latency), `stop` and
//! `connection_terminate`, and subscriptions re-started after a reconnect.
//!
//! Spec: <https://github.com/apollographql/subscriptions-transport-ws/blob/master/PROTOCOL.md>.
//!
//! The protocol engine is the graphql-transport-ws adapter's ([`super::graphql_ws`])
//! in its legacy dialect: the two protocols differ only in message names and
//! heartbeats.

use std::time::Instant;

use bytes::Bytes;

use super::graphql_ws::{Dialect, GraphqlWsAdapter};
use super::{
    Adapter, ComposeError, Composed, Decoded, OpenContext, Outgoing, Reaction, StatusLine,
};
use crate::wire::PayloadKind;

/// The subscriptions-transport-ws adapter (provider `apollo-legacy`).
#[derive(Debug)]
pub struct ApolloLegacyAdapter(GraphqlWsAdapter);

impl ApolloLegacyAdapter {
    /// An adapter before any link opens; operation ids start at `"1"`.
    pub fn new() -> Self {
        Self(GraphqlWsAdapter::with_dialect(Dialect::Legacy))
    }
}

impl Default for ApolloLegacyAdapter {
    fn default() -> Self {
        Self::new()
    }
}

impl Adapter for ApolloLegacyAdapter {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn needs_handshake(&self) -> bool {
        self.0.needs_handshake()
    }

    fn on_open(&mut self, context: &OpenContext, now: Instant) -> Vec<Outgoing> {
        self.0.on_open(context, now)
    }

    fn on_ready(&mut self, now: Instant) -> Vec<Outgoing> {
        self.0.on_ready(now)
    }

    fn prepare_on_connect(&mut self, payload: Bytes, kind: PayloadKind) -> Bytes {
        self.0.prepare_on_connect(payload, kind)
    }

    fn sent_on_connect(&mut self, payload: &[u8], kind: PayloadKind) {
        self.0.sent_on_connect(payload, kind)
    }

    fn on_incoming(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Reaction {
        self.0.on_incoming(payload, kind, now)
    }

    fn on_outgoing(&mut self, payload: &[u8], kind: PayloadKind, now: Instant) -> Option<Decoded> {
        self.0.on_outgoing(payload, kind, now)
    }

    fn compose(&mut self, text: &str) -> Result<Composed, ComposeError> {
        self.0.compose(text)
    }

    fn command(&mut self, name: &str, args: &str) -> Option<Result<Composed, ComposeError>> {
        self.0.command(name, args)
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        self.0.commands()
    }

    fn on_closed(&mut self) {
        self.0.on_closed()
    }

    fn close_code(&self, code: u16) -> Option<(&'static str, &'static str)> {
        self.0.close_code(code)
    }

    fn status(&self) -> Vec<StatusLine> {
        self.0.status()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::protocol::Correlation;
    use crate::protocol::testing::{
        composed, decode, exercise, incoming, on_connect, outgoing, reconnect, texts,
    };
    use crate::wire::AuthVerdict;

    #[test]
    fn handshake_ack_error_and_keep_alives() {
        let now = Instant::now();
        let mut adapter = ApolloLegacyAdapter::new();
        assert_eq!(adapter.name(), "apollo-legacy");
        assert!(adapter.needs_handshake());
        let context = OpenContext {
            handshake_payload: Some(json!({"authToken": "t"})),
            ..OpenContext::default()
        };
        assert_eq!(
            texts(&adapter.on_open(&context, now)),
            [r#"{"type":"connection_init","payload":{"authToken":"t"}}"#]
        );
        let ack = incoming(&mut adapter, r#"{"type":"connection_ack"}"#, now);
        assert_eq!(ack.auth, Some(AuthVerdict::Accepted));
        assert_eq!(ack.decoded.expect("decoded").label, "apollo connection_ack");
        let refused = r#"{"type":"connection_error","payload":{"message":"forbidden"}}"#;
        let refused = incoming(&mut adapter, refused, now);
        assert_eq!(refused.auth, Some(AuthVerdict::Refused));
        let decoded = refused.decoded.expect("decoded");
        assert_eq!(decoded.label, "apollo connection_error");
        assert_eq!(decoded.summary, "forbidden");
        let ka = incoming(&mut adapter, r#"{"type":"ka"}"#, now);
        assert!(ka.send.is_empty(), "keep-alives need no reply");
        let ka = ka.decoded.expect("decoded");
        assert_eq!(ka.label, "apollo ka");
        assert!(ka.heartbeat);
        let terminate = composed(adapter.command("terminate", "").expect("known"));
        assert_eq!(terminate, r#"{"type":"connection_terminate"}"#);
        assert_eq!(
            outgoing(&mut adapter, &terminate, now).label,
            "apollo connection_terminate"
        );
        assert_eq!(
            adapter.close_code(4401),
            None,
            "graphql-transport-ws codes only"
        );
    }

    #[test]
    fn start_data_complete_and_stop() {
        let t0 = Instant::now();
        let mut adapter = ApolloLegacyAdapter::new();
        let start = composed(adapter.compose("subscription { ticks }"));
        let expected = r#"{"id":"1","type":"start","payload":{"query":"subscription { ticks }"}}"#;
        assert_eq!(start, expected);
        let request = outgoing(&mut adapter, &start, t0);
        assert_eq!(request.label, "apollo start #1");
        assert_eq!(
            request.correlation,
            Some(Correlation::Request { key: "1".into() })
        );
        let data = r#"{"id":"1","type":"data","payload":{"data":{"ticks":0}}}"#;
        let data = decode(&mut adapter, data, t0 + Duration::from_millis(12));
        assert_eq!(data.label, "apollo data #1");
        assert_eq!(data.data, Some(json!({"data": {"ticks": 0}})));
        let latency = Some(Duration::from_millis(12));
        let response = |ok, more| Correlation::Response {
            key: "1".into(),
            ok,
            latency,
            more,
        };
        assert_eq!(data.correlation, Some(response(true, true)));
        assert_eq!(adapter.status()[0].value, "subscription { ticks } · 1 msgs");
        let complete = decode(
            &mut adapter,
            r#"{"id":"1","type":"complete"}"#,
            t0 + Duration::from_millis(12),
        );
        assert_eq!(complete.label, "apollo complete #1");
        assert_eq!(complete.correlation, Some(response(true, false)));
        // subscriptions-transport-ws 0.11 completes with `"payload":null`.
        outgoing(&mut adapter, &start, t0);
        let null_complete = decode(
            &mut adapter,
            r#"{"id":"1","type":"complete","payload":null}"#,
            t0,
        );
        assert_eq!(null_complete.data, None, "a completion is no result");
        assert!(adapter.status().is_empty());

        let typed = composed(adapter.compose(r#"{"type":"start","payload":{"query":"{ a }"}}"#));
        assert_eq!(
            typed,
            r#"{"id":"2","type":"start","payload":{"query":"{ a }"}}"#
        );
        outgoing(&mut adapter, &typed, t0);
        let stop = composed(adapter.command("stop", "2").expect("known"));
        assert_eq!(stop, r#"{"id":"2","type":"stop"}"#);
        assert_eq!(outgoing(&mut adapter, &stop, t0).label, "apollo stop #2");
        assert!(adapter.status().is_empty());
        assert_eq!(adapter.command("ping", ""), None);
        assert_eq!(adapter.commands().len(), 3);
    }

    #[test]
    fn errors_with_and_without_id() {
        let now = Instant::now();
        let mut adapter = ApolloLegacyAdapter::new();
        outgoing(
            &mut adapter,
            r#"{"id":"5","type":"start","payload":{"query":"{ a }"}}"#,
            now,
        );
        let error = r#"{"id":"5","type":"error","payload":{"message":"bad query"}}"#;
        let error = decode(&mut adapter, error, now);
        assert_eq!(error.label, "apollo error #5");
        assert_eq!(error.summary, "bad query");
        assert!(matches!(
            error.correlation,
            Some(Correlation::Response {
                ok: false,
                more: false,
                ..
            })
        ));
        let general = decode(
            &mut adapter,
            r#"{"type":"error","payload":{"message":"parse"}}"#,
            now,
        );
        assert_eq!(general.label, "apollo error");
        assert_eq!(general.correlation, None);
        for frame in [
            "",
            "{}",
            r#"{"type":"ping"}"#,
            r#"{"type":"next","id":"1"}"#,
            r#"{"type":"data"}"#,
        ] {
            assert_eq!(
                decode(&mut adapter, frame, now).label,
                "apollo malformed",
                "{frame}"
            );
        }
    }

    #[test]
    fn operations_restart_after_a_reconnect() {
        let now = Instant::now();
        let mut adapter = ApolloLegacyAdapter::new();
        adapter.on_open(&OpenContext::default(), now);
        let start = composed(adapter.command("sub", "subscription { a }").expect("known"));
        outgoing(&mut adapter, &start, now);
        adapter.on_closed();
        let reconnect = OpenContext {
            reconnect: true,
            ..OpenContext::default()
        };
        assert_eq!(
            texts(&adapter.on_open(&reconnect, now)),
            [r#"{"type":"connection_init"}"#]
        );
        assert_eq!(
            texts(&adapter.on_ready(now)),
            [r#"{"id":"2","type":"start","payload":{"query":"subscription { a }"}}"#]
        );
    }

    #[test]
    fn on_connect_operations_are_left_to_the_session() {
        let now = Instant::now();
        let mut adapter = ApolloLegacyAdapter::new();
        adapter.on_open(&OpenContext::default(), now);
        let ticks = r#"{"id":"t","type":"start","payload":{"query":"subscription { ticks }"}}"#;
        on_connect(&mut adapter, ticks, now);
        let news = composed(
            adapter
                .command("sub", "subscription { news }")
                .expect("known"),
        );
        outgoing(&mut adapter, &news, now);
        for id in [2, 3] {
            assert_eq!(
                reconnect(&mut adapter, Some(r#"{"type":"connection_ack"}"#), now),
                [format!(
                    r#"{{"id":"{id}","type":"start","payload":{{"query":"subscription {{ news }}"}}}}"#
                )]
            );
            on_connect(&mut adapter, ticks, now);
            assert_eq!(adapter.status().len(), 2);
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes: Vec<u8>, text: String) {
            let now = Instant::now();
            let mut adapter = ApolloLegacyAdapter::default();
            exercise(&mut adapter, &[&bytes, text.as_bytes()], &["sub", "stop", "terminate"], now, now);
        }
    }
}
