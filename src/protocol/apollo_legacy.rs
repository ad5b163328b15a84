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

use super::graphql_ws::{Dialect, GraphqlWsAdapter};
use super::{
    Adapter, ComposeError, Composed, Decoded, OpenContext, Outgoing, Reaction, StatusLine,
};
use crate::session::event::PayloadKind;

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
    use crate::session::auth::AuthVerdict;

    fn text(frames: &[Outgoing]) -> Vec<String> {
        let utf8 = |frame: &Outgoing| String::from_utf8(frame.payload.to_vec()).expect("utf-8");
        frames.iter().map(utf8).collect()
    }

    fn composed(result: Result<Composed, ComposeError>) -> String {
        text(&result.expect("composes").frames).remove(0)
    }

    fn incoming(adapter: &mut ApolloLegacyAdapter, frame: &str, now: Instant) -> Reaction {
        adapter.on_incoming(frame.as_bytes(), PayloadKind::Text, now)
    }

    fn decoded_in(adapter: &mut ApolloLegacyAdapter, frame: &str, now: Instant) -> Decoded {
        incoming(adapter, frame, now).decoded.expect("decoded")
    }

    fn sent(adapter: &mut ApolloLegacyAdapter, frame: &str, now: Instant) -> Decoded {
        let decoded = adapter.on_outgoing(frame.as_bytes(), PayloadKind::Text, now);
        decoded.expect("decoded")
    }

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
            text(&adapter.on_open(&context, now)),
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
            sent(&mut adapter, &terminate, now).label,
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
        let request = sent(&mut adapter, &start, t0);
        assert_eq!(request.label, "apollo start #1");
        assert_eq!(
            request.correlation,
            Some(Correlation::Request { key: "1".into() })
        );
        let data = r#"{"id":"1","type":"data","payload":{"data":{"ticks":0}}}"#;
        let data = decoded_in(&mut adapter, data, t0 + Duration::from_millis(12));
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
        let complete = decoded_in(
            &mut adapter,
            r#"{"id":"1","type":"complete"}"#,
            t0 + Duration::from_millis(12),
        );
        assert_eq!(complete.label, "apollo complete #1");
        assert_eq!(complete.correlation, Some(response(true, false)));
        assert!(adapter.status().is_empty());

        let typed = composed(adapter.compose(r#"{"type":"start","payload":{"query":"{ a }"}}"#));
        assert_eq!(
            typed,
            r#"{"id":"2","type":"start","payload":{"query":"{ a }"}}"#
        );
        sent(&mut adapter, &typed, t0);
        let stop = composed(adapter.command("stop", "2").expect("known"));
        assert_eq!(stop, r#"{"id":"2","type":"stop"}"#);
        assert_eq!(sent(&mut adapter, &stop, t0).label, "apollo stop #2");
        assert!(adapter.status().is_empty());
        assert_eq!(adapter.command("ping", ""), None);
        assert_eq!(adapter.commands().len(), 3);
    }

    #[test]
    fn errors_with_and_without_id() {
        let now = Instant::now();
        let mut adapter = ApolloLegacyAdapter::new();
        sent(
            &mut adapter,
            r#"{"id":"5","type":"start","payload":{"query":"{ a }"}}"#,
            now,
        );
        let error = r#"{"id":"5","type":"error","payload":{"message":"bad query"}}"#;
        let error = decoded_in(&mut adapter, error, now);
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
        let general = decoded_in(
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
                decoded_in(&mut adapter, frame, now).label,
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
        sent(&mut adapter, &start, now);
        adapter.on_closed();
        let reconnect = OpenContext {
            reconnect: true,
            ..OpenContext::default()
        };
        assert_eq!(
            text(&adapter.on_open(&reconnect, now)),
            [r#"{"type":"connection_init"}"#]
        );
        assert_eq!(
            text(&adapter.on_ready(now)),
            [r#"{"id":"2","type":"start","payload":{"query":"subscription { a }"}}"#]
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(bytes: Vec<u8>, text: String, binary: bool) {
            let now = Instant::now();
            let mut adapter = ApolloLegacyAdapter::default();
            let kind = if binary { PayloadKind::Binary } else { PayloadKind::Text };
            adapter.on_incoming(&bytes, kind, now);
            adapter.on_incoming(text.as_bytes(), PayloadKind::Text, now);
            adapter.on_outgoing(&bytes, kind, now);
            adapter.on_outgoing(text.as_bytes(), PayloadKind::Text, now);
            let _ = adapter.compose(&text);
            for name in ["sub", "stop", "terminate"] {
                let _ = adapter.command(name, &text);
            }
        }
    }
}
