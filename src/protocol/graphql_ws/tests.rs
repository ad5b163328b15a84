//! Unit tests of the graphql-transport-ws adapter: every message type, valid and
//! malformed, correlation, composer and shortcuts, close codes, re-subscribing after
//! a reconnect, plus a property test that no input panics.

use std::time::Duration;

use super::*;
use crate::protocol::testing::{
    composed, decode, exercise, incoming, on_connect, outgoing, reconnect, response, status, texts,
};

#[test]
fn connection_init_and_ack_are_the_handshake() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    assert_eq!(adapter.name(), "graphql-ws");
    assert!(adapter.needs_handshake());
    let frames = adapter.on_open(&OpenContext::default(), now);
    assert_eq!(texts(&frames), [r#"{"type":"connection_init"}"#]);
    assert!(!frames[0].automatic);
    let context = OpenContext {
        handshake_payload: Some(json!({"authorization": "Bearer x"})),
        token: Some("x".into()),
        ..OpenContext::default()
    };
    let frames = adapter.on_open(&context, now);
    let init = r#"{"type":"connection_init","payload":{"authorization":"Bearer x"}}"#;
    assert_eq!(texts(&frames), [init]);
    let sent_init = outgoing(&mut adapter, init, now);
    assert_eq!(sent_init.label, "gql connection_init");
    assert_eq!(sent_init.data, None, "credentials stay out of data");
    let ack = incoming(&mut adapter, r#"{"type":"connection_ack"}"#, now);
    assert_eq!(ack.decoded.expect("decoded").label, "gql connection_ack");
    assert_eq!(ack.auth, Some(AuthVerdict::Accepted));
}

#[test]
fn a_token_without_a_payload_goes_in_as_a_bearer_authorization() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    let context = OpenContext {
        token: Some("t0k3n".into()),
        ..OpenContext::default()
    };
    assert_eq!(
        texts(&adapter.on_open(&context, now)),
        [r#"{"type":"connection_init","payload":{"authorization":"Bearer t0k3n"}}"#]
    );
    let given = OpenContext {
        handshake_payload: Some(json!({"apiKey": "k"})),
        ..context
    };
    assert_eq!(
        texts(&adapter.on_open(&given, now)),
        [r#"{"type":"connection_init","payload":{"apiKey":"k"}}"#],
        "the profile's payload wins"
    );
}

#[test]
fn pings_get_pongs_and_are_heartbeats() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    let ping = incoming(&mut adapter, r#"{"type":"ping","payload":{"x":1}}"#, now);
    assert_eq!(ping.send, vec![Outgoing::automatic(r#"{"type":"pong"}"#)]);
    let decoded = ping.decoded.expect("decoded");
    assert_eq!(decoded.label, "gql ping");
    assert!(decoded.heartbeat);
    let pong = incoming(&mut adapter, r#"{"type":"pong"}"#, now);
    assert!(pong.send.is_empty());
    assert!(pong.decoded.expect("decoded").heartbeat);
    assert!(outgoing(&mut adapter, r#"{"type":"pong"}"#, now).heartbeat);
    assert!(outgoing(&mut adapter, r#"{"type":"ping"}"#, now).heartbeat);
}

#[test]
fn composer_wraps_documents_and_numbers_subscribes() {
    let mut adapter = GraphqlWsAdapter::new();
    assert_eq!(
        composed(adapter.compose("subscription { ticks(n: 3) }\n")),
        r#"{"id":"1","type":"subscribe","payload":{"query":"subscription { ticks(n: 3) }"}}"#
    );
    assert_eq!(
        composed(adapter.compose("{ a }")),
        r#"{"id":"2","type":"subscribe","payload":{"query":"{ a }"}}"#
    );
    for document in [
        "query{a}",
        "mutation M { m }",
        "fragment F on Q { a } query { ...F }",
    ] {
        assert!(composed(adapter.compose(document)).contains(r#""type":"subscribe""#));
    }
    assert_eq!(
        composed(adapter.compose(r#"{"type":"subscribe","payload":{"query":"{ a }"}}"#)),
        r#"{"id":"6","type":"subscribe","payload":{"query":"{ a }"}}"#
    );
    let typed = r#"{ "id": "x", "type": "subscribe", "payload": {} }"#;
    assert_eq!(composed(adapter.compose(typed)), typed);
    assert_eq!(
        composed(adapter.compose(r#"{"type":"ping"}"#)),
        r#"{"type":"ping"}"#
    );
    for bad in [
        "hello",
        "",
        "[1]",
        "5",
        r#"{"type":"#,
        "queryx { a }",
        r#""query""#,
    ] {
        assert!(adapter.compose(bad).is_err(), "{bad:?}");
    }
    assert!(adapter.compose("hi").expect_err("forms").0.contains(":sub"));
}

#[test]
fn operations_are_correlated_and_counted() {
    let t0 = Instant::now();
    let ms = |millis| t0 + Duration::from_millis(millis);
    let mut adapter = GraphqlWsAdapter::new();
    let frame = composed(
        adapter
            .command("sub", "subscription { ticks }")
            .expect("known"),
    );
    let request = outgoing(&mut adapter, &frame, t0);
    assert_eq!(request.label, "gql subscribe #1");
    assert_eq!(request.summary, "subscription { ticks }");
    assert_eq!(
        request.correlation,
        Some(Correlation::Request { key: "1".into() })
    );
    let next = r#"{"id":"1","type":"next","payload":{"data":{"ticks":0}}}"#;
    let first = decode(&mut adapter, next, ms(12));
    assert_eq!(first.label, "gql next #1");
    assert_eq!(first.data, Some(json!({"data": {"ticks": 0}})));
    assert_eq!(first.correlation, response("1", true, Some(12), true));
    let second = decode(&mut adapter, next, ms(20));
    assert_eq!(second.correlation, response("1", true, Some(20), true));
    let status = adapter.status();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].label, "sub #1");
    assert_eq!(status[0].value, "subscription { ticks } · 2 msgs");

    let partial =
        r#"{"id":"1","type":"next","payload":{"data":null,"errors":[{"message":"half"}]}}"#;
    let partial = decode(&mut adapter, partial, ms(25));
    assert_eq!(partial.correlation, response("1", false, Some(25), true));
    assert_eq!(partial.summary, "half");
    let partial =
        r#"{"id":"1","type":"next","payload":{"data":{"t":1},"errors":[{"message":"x"}]}}"#;
    let partial = decode(&mut adapter, partial, ms(25));
    assert_eq!(
        partial.correlation,
        response("1", true, Some(25), true),
        "partial data is ok"
    );
    let complete = decode(&mut adapter, r#"{"id":"1","type":"complete"}"#, ms(30));
    assert_eq!(complete.label, "gql complete #1");
    assert_eq!(complete.correlation, response("1", true, Some(30), false));
    assert!(adapter.status().is_empty());
    let late = decode(&mut adapter, next, ms(40));
    assert_eq!(late.correlation, response("1", true, None, true));

    outgoing(
        &mut adapter,
        r#"{"id":"2","type":"subscribe","payload":{"query":"{ x }"}}"#,
        t0,
    );
    let error = r#"{"id":"2","type":"error","payload":[{"message":"boom"}]}"#;
    let error = decode(&mut adapter, error, ms(5));
    assert_eq!(error.label, "gql error #2");
    assert_eq!(error.summary, "boom");
    assert_eq!(error.correlation, response("2", false, Some(5), false));
    assert!(adapter.status().is_empty());
}

#[test]
fn stop_shortcut_and_client_complete_end_an_operation() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    outgoing(
        &mut adapter,
        r#"{"id":"7","type":"subscribe","payload":{"query":"subscription { a }"}}"#,
        now,
    );
    assert_eq!(adapter.status().len(), 1);
    let stop = composed(adapter.command("stop", " #7 ").expect("known"));
    assert_eq!(stop, r#"{"id":"7","type":"complete"}"#);
    assert_eq!(outgoing(&mut adapter, &stop, now).label, "gql complete #7");
    assert!(adapter.status().is_empty());
    for bad in ["", "a b", "#"] {
        assert!(
            adapter.command("stop", bad).expect("known").is_err(),
            "{bad:?}"
        );
    }
    assert!(adapter.command("sub", " ").expect("known").is_err());
    assert_eq!(
        composed(adapter.command("ping", "").expect("known")),
        r#"{"type":"ping"}"#
    );
    assert_eq!(adapter.command("terminate", ""), None);
    assert_eq!(adapter.command("emit", "x"), None);
    assert_eq!(adapter.commands().len(), 3);
}

#[test]
fn auto_ids_skip_ids_in_use() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    outgoing(
        &mut adapter,
        r#"{"id":"1","type":"subscribe","payload":{"query":"{ a }"}}"#,
        now,
    );
    assert!(composed(adapter.compose("{ b }")).starts_with(r#"{"id":"2""#));
}

#[test]
fn close_codes_are_named() {
    let adapter = GraphqlWsAdapter::new();
    for (code, name) in [
        (4400, "Bad request"),
        (4401, "Unauthorized"),
        (4403, "Forbidden"),
        (4406, "Subprotocol not acceptable"),
        (4408, "Connection initialisation timeout"),
        (4409, "Subscriber already exists"),
        (4429, "Too many initialisation requests"),
        (4499, "Terminated"),
        (4500, "Internal server error"),
    ] {
        let (named, meaning) = adapter.close_code(code).expect("defined");
        assert_eq!(named, name);
        assert!(!meaning.is_empty() && !meaning.contains('\n'));
    }
    assert_eq!(adapter.close_code(1000), None);
    assert_eq!(adapter.close_code(4000), None);
}

#[test]
fn subscriptions_are_resent_after_a_reconnect() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    adapter.on_open(&OpenContext::default(), now);
    assert!(
        adapter.on_ready(now).is_empty(),
        "nothing to resume on a first open"
    );
    let subscription = composed(adapter.compose("subscription { ticks }"));
    outgoing(&mut adapter, &subscription, now);
    let query = composed(adapter.compose("query { slow }"));
    outgoing(&mut adapter, &query, now);
    assert_eq!(adapter.status().len(), 2);

    adapter.on_closed();
    let reconnect = OpenContext {
        reconnect: true,
        ..OpenContext::default()
    };
    adapter.on_open(&reconnect, now);
    assert!(adapter.status()[0].value.ends_with("resubscribing"));
    let frames = adapter.on_ready(now);
    assert_eq!(
        texts(&frames),
        [r#"{"id":"3","type":"subscribe","payload":{"query":"subscription { ticks }"}}"#],
        "the subscription resumes under a new id; the query is not repeated"
    );
    assert!(adapter.status().is_empty());
    outgoing(&mut adapter, &texts(&frames)[0], now);
    assert_eq!(adapter.status()[0].label, "sub #3");
    assert!(adapter.on_ready(now).is_empty(), "only once");

    adapter.on_open(&OpenContext::default(), now);
    assert!(
        adapter.status().is_empty(),
        "a fresh connect forgets operations"
    );
}

#[test]
fn subscription_operations_are_recognised() {
    for (document, expected) in [
        ("subscription S { a }", true),
        (
            "fragment F on Subscription { a } subscription { ...F }",
            true,
        ),
        ("query { subscription }", false),
        ("# subscription\nquery { a }", false),
        ("query ($s: String = \"subscription \\\" x\") { a }", false),
        ("{ a }", false),
    ] {
        assert_eq!(is_subscription(document), expected, "{document}");
    }
}

#[test]
fn malformed_frames_are_reported_not_fatal() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    for frame in [
        "",
        "nope",
        "[1]",
        "{}",
        r#"{"type":5}"#,
        r#"{"type":"wat"}"#,
        r#"{"type":"ka"}"#,
        r#"{"type":"next","payload":{}}"#,
        r#"{"type":"error","payload":[]}"#,
        r#"{"type":"connection_error"}"#,
    ] {
        let reaction = incoming(&mut adapter, frame, now);
        let decoded = reaction.decoded.expect("decoded");
        assert_eq!(decoded.label, "gql malformed", "{frame}");
        assert!(decoded.error.is_some());
        assert_eq!(reaction.auth, None);
    }
    let binary = adapter.on_incoming(b"{}", PayloadKind::Binary, now);
    assert_eq!(binary.decoded.expect("decoded").label, "gql malformed");
    let subscribe = outgoing(&mut adapter, r#"{"type":"subscribe","payload":{}}"#, now);
    assert_eq!(subscribe.label, "gql malformed");
    let stray = outgoing(&mut adapter, r#"{"type":"whatever"}"#, now);
    assert_eq!(stray.label, "gql whatever");
}

#[test]
fn on_connect_subscriptions_are_left_to_the_session() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    adapter.on_open(&OpenContext::default(), now);
    let ticks = r#"{"id":"ticks","type":"subscribe","payload":{"query":"subscription { ticks }"}}"#;
    on_connect(&mut adapter, ticks, now);
    let news = composed(adapter.compose("subscription { news }"));
    outgoing(&mut adapter, &news, now);
    for id in [2, 3] {
        let resumed = reconnect(&mut adapter, Some(r#"{"type":"connection_ack"}"#), now);
        assert_eq!(
            resumed,
            [format!(
                r#"{{"id":"{id}","type":"subscribe","payload":{{"query":"subscription {{ news }}"}}}}"#
            )]
        );
        assert_eq!(
            status(&adapter)[0],
            "sub #ticks: subscription { ticks } · 0 msgs · resubscribing",
            "listed, not resumed, until the session re-sends it"
        );
        on_connect(&mut adapter, ticks, now);
        assert_eq!(
            status(&adapter),
            [
                format!("sub #{id}: subscription {{ news }} · 0 msgs"),
                "sub #ticks: subscription { ticks } · 0 msgs".into(),
            ]
        );
    }
    let stop = composed(adapter.command("stop", "ticks").expect("known"));
    outgoing(&mut adapter, &stop, now);
    assert_eq!(status(&adapter).len(), 1, ":stop works on it too");
}

#[test]
fn on_connect_ids_stay_reserved_until_re_sent() {
    let now = Instant::now();
    let mut adapter = GraphqlWsAdapter::new();
    adapter.on_open(&OpenContext::default(), now);
    let three = r#"{"id":"3","type":"subscribe","payload":{"query":"subscription { a }"}}"#;
    on_connect(&mut adapter, three, now);
    let typed = composed(adapter.compose("subscription { b }"));
    outgoing(&mut adapter, &typed, now);
    let ack = Some(r#"{"type":"connection_ack"}"#);
    for id in ["2", "4", "5"] {
        let resumed = reconnect(&mut adapter, ack, now);
        assert_eq!(resumed.len(), 1);
        assert!(
            resumed[0].starts_with(&format!(r#"{{"id":"{id}""#)),
            "{resumed:?}"
        );
        on_connect(&mut adapter, three, now);
    }
    // An on-connect operation that is not re-sent (its id changed, say) is forgotten
    // once the session re-sends the others.
    reconnect(&mut adapter, ack, now);
    let other = r#"{"id":"9","type":"subscribe","payload":{"query":"subscription { c }"}}"#;
    on_connect(&mut adapter, other, now);
    let ids: Vec<String> = adapter
        .status()
        .into_iter()
        .map(|line| line.label)
        .collect();
    assert_eq!(ids, ["sub #6", "sub #9"]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_input_never_panics(bytes: Vec<u8>, text: String) {
        let now = Instant::now();
        let mut adapter = GraphqlWsAdapter::new();
        exercise(&mut adapter, &[&bytes, text.as_bytes()], &["sub", "stop", "ping"], now, now);
        let _ = is_subscription(&text);
    }
}
