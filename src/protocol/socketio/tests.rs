//! Unit tests of the Socket.IO adapter: every Engine.IO and Socket.IO packet type,
//! valid and malformed, plus a property test that no input panics.

use super::*;

fn text(payload: &str) -> Vec<Outgoing> {
    vec![Outgoing::text(payload)]
}

fn incoming(adapter: &mut SocketIoAdapter, frame: &str, now: Instant) -> Reaction {
    adapter.on_incoming(frame.as_bytes(), PayloadKind::Text, now)
}

fn label(reaction: &Reaction) -> &str {
    &reaction.decoded.as_ref().expect("decoded").label
}

fn composed(result: Option<Result<Composed, ComposeError>>) -> String {
    let frames = result.expect("known command").expect("composes").frames;
    assert_eq!(frames.len(), 1);
    String::from_utf8(frames[0].payload.to_vec()).expect("utf-8")
}

fn opened(context: OpenContext, now: Instant) -> SocketIoAdapter {
    let mut adapter = SocketIoAdapter::new();
    assert!(
        adapter.on_open(&context, now).is_empty(),
        "the server speaks first"
    );
    adapter
}

const OPEN: &str =
    r#"0{"sid":"e1","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000}"#;

#[test]
fn open_packet_sends_the_namespace_connect_with_auth() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    assert!(adapter.needs_handshake());
    let reaction = incoming(&mut adapter, OPEN, now);
    assert_eq!(label(&reaction), "sio open");
    assert_eq!(reaction.send, text("40"));
    assert_eq!(
        adapter.next_deadline(),
        Some(now + Duration::from_millis(500))
    );

    let context = OpenContext {
        token: Some("t0k".into()),
        namespace: Some("admin".into()),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert_eq!(
        incoming(&mut adapter, OPEN, now).send,
        text(r#"40/admin,{"token":"t0k"}"#)
    );
    let outgoing = adapter.on_outgoing(b"40/admin,{\"token\":\"t0k\"}", PayloadKind::Text, now);
    let outgoing = outgoing.expect("decoded");
    assert_eq!(outgoing.label, "sio connect");
    assert_eq!(outgoing.data, None, "the auth payload stays out of data");

    let context = OpenContext {
        token: Some("t0k".into()),
        handshake_payload: Some(json!({"key": 1})),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert_eq!(
        incoming(&mut adapter, OPEN, now).send,
        text(r#"40{"key":1}"#)
    );

    let garbled = incoming(&mut adapter, "0{nope", now);
    assert_eq!(label(&garbled), "sio malformed");
    assert_eq!(
        garbled.send,
        text(r#"40{"key":1}"#),
        "a bad open never stalls"
    );
}

#[test]
fn connect_reply_and_connect_error_are_the_verdict() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    let accepted = incoming(&mut adapter, r#"40{"sid":"s9"}"#, now);
    assert_eq!(label(&accepted), "sio connected");
    assert_eq!(accepted.auth, Some(AuthVerdict::Accepted));
    assert!(
        adapter
            .status()
            .iter()
            .any(|line| line.label == "sid" && line.value == "s9")
    );
    let refused = incoming(&mut adapter, r#"44{"message":"bad token"}"#, now);
    assert_eq!(label(&refused), r#"sio connect error "bad token""#);
    assert_eq!(refused.auth, Some(AuthVerdict::Refused));

    let context = OpenContext {
        namespace: Some("/admin".into()),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert_eq!(
        incoming(&mut adapter, r#"40{"sid":"x"}"#, now).auth,
        None,
        "another namespace"
    );
    let ours = incoming(&mut adapter, r#"40/admin,{"sid":"y"}"#, now);
    assert_eq!(ours.auth, Some(AuthVerdict::Accepted));
    let refused = incoming(&mut adapter, r#"44/admin,"old style""#, now);
    assert_eq!(label(&refused), r#"sio connect error "old style""#);
    assert_eq!(refused.auth, Some(AuthVerdict::Refused));
    let status = adapter.status();
    assert!(
        status
            .iter()
            .any(|line| line.label == "namespace" && line.value == "/admin")
    );
}

#[test]
fn server_pings_get_pongs_and_silence_means_reconnect() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    assert_eq!(adapter.next_deadline(), None);
    incoming(&mut adapter, OPEN, now);
    let later = now + Duration::from_millis(400);
    let ping = incoming(&mut adapter, "2", later);
    assert!(ping.decoded.as_ref().expect("decoded").heartbeat);
    assert_eq!(ping.send, vec![Outgoing::automatic("3")]);
    assert_eq!(
        adapter.next_deadline(),
        Some(later + Duration::from_millis(500))
    );
    assert_eq!(
        incoming(&mut adapter, "2probe", later).send,
        vec![Outgoing::automatic("3probe")]
    );
    let pong = adapter
        .on_outgoing(b"3", PayloadKind::Text, later)
        .expect("decoded");
    assert!(pong.heartbeat);
    assert_eq!(pong.label, "sio pong");

    assert_eq!(
        adapter.on_timer(later + Duration::from_millis(499)),
        Reaction::default()
    );
    let dead = adapter.on_timer(later + Duration::from_millis(500));
    assert!(dead.reconnect.expect("reconnect").contains("500 ms"));
    assert_eq!(adapter.next_deadline(), None, "fires once");
    adapter.on_closed();
    assert_eq!(adapter.next_deadline(), None);
}

#[test]
fn events_and_engine_packets_are_labelled() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    let event = incoming(&mut adapter, r#"42["chat",{"text":"hi"}]"#, now);
    let decoded = event.decoded.expect("decoded");
    assert_eq!(decoded.label, r#"sio event "chat""#);
    assert_eq!(decoded.summary, r#"[{"text":"hi"}]"#);
    assert_eq!(decoded.data, Some(json!([{"text": "hi"}])));
    let asks = incoming(&mut adapter, r#"42/admin,7["ping?"]"#, now);
    assert_eq!(label(&asks), r#"sio event "ping?" ack #7"#);
    assert_eq!(asks.decoded.expect("decoded").summary, "/admin []");
    for (frame, expected) in [
        ("1", "sio close"),
        ("3", "sio pong"),
        ("41", "sio disconnect"),
        ("5", "sio upgrade"),
        ("6", "sio noop"),
    ] {
        assert_eq!(
            label(&incoming(&mut adapter, frame, now)),
            expected,
            "{frame}"
        );
    }
}

#[test]
fn acks_are_correlated_with_latency() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    let frame = composed(adapter.command("ack", "add 1 2"));
    assert_eq!(frame, r#"420["add",1,2]"#);
    assert_eq!(
        composed(adapter.command("ack", "add 3 4")),
        r#"421["add",3,4]"#
    );
    let sent = adapter
        .on_outgoing(frame.as_bytes(), PayloadKind::Text, now)
        .expect("decoded");
    assert_eq!(sent.label, r#"sio event "add" ack #0"#);
    assert_eq!(
        sent.correlation,
        Some(Correlation::Request {
            key: "ack 0".into()
        })
    );

    let reply = incoming(&mut adapter, "430[3]", now + Duration::from_millis(12));
    let decoded = reply.decoded.expect("decoded");
    assert_eq!(decoded.label, "sio ack #0 12 ms");
    assert_eq!(decoded.data, Some(json!([3])));
    assert_eq!(
        decoded.correlation,
        Some(Correlation::Response {
            key: "ack 0".into(),
            ok: true,
            latency: Some(Duration::from_millis(12)),
            more: false,
        })
    );
    let again = incoming(&mut adapter, "430[3]", now)
        .decoded
        .expect("decoded");
    assert_eq!(again.label, "sio ack #0", "a repeated ack has no request");
    let answer = adapter.on_outgoing(b"437[\"pong\"]", PayloadKind::Text, now);
    assert_eq!(
        answer.expect("decoded").correlation,
        None,
        "our answer to the server"
    );

    adapter.on_closed();
    let context = OpenContext {
        namespace: Some("/admin".into()),
        ..OpenContext::default()
    };
    adapter.on_open(&context, now);
    assert_eq!(
        composed(adapter.command("ack", "whoami")),
        r#"42/admin,2["whoami"]"#
    );
}

#[test]
fn emit_arguments_are_json_or_bare_words() {
    let mut adapter = SocketIoAdapter::new();
    assert_eq!(
        composed(adapter.command("emit", r#"chat hello {"a": [1, 2]} 2 "x y" true 1abc"#)),
        r#"42["chat","hello",{"a":[1,2]},2,"x y",true,"1abc"]"#
    );
    assert_eq!(
        composed(adapter.command("emit", r#""my event""#)),
        r#"42["my event"]"#
    );
    let bad = adapter.command("emit", r#"chat {"a":"#).expect("known");
    assert!(bad.expect_err("bad JSON").0.contains("argument 2"));
    let usage = adapter
        .command("ack", "  ")
        .expect("known")
        .expect_err("no name");
    assert!(usage.0.contains(":ack NAME"), "{usage}");
    assert!(adapter.command("emit", "5").expect("known").is_err());
    assert_eq!(adapter.command("nope", ""), None);
    assert_eq!(adapter.commands().len(), 2);
}

#[test]
fn composer_sends_arrays_as_events_and_digits_raw() {
    let mut adapter = SocketIoAdapter::new();
    let compose = |adapter: &mut SocketIoAdapter, text: &str| adapter.compose(text);
    assert_eq!(
        compose(&mut adapter, r#" ["chat",{"text":"hi"}] "#)
            .expect("event")
            .frames,
        text(r#"42["chat",{"text":"hi"}]"#)
    );
    assert_eq!(compose(&mut adapter, "2").expect("raw").frames, text("2"));
    assert_eq!(
        compose(&mut adapter, r#"42["x"]"#).expect("raw").frames,
        text(r#"42["x"]"#)
    );
    for bad in ["hello", "", "[1]", "[]", "[\"x\"", "{\"a\":1}"] {
        assert!(compose(&mut adapter, bad).is_err(), "{bad}");
    }
    assert!(
        compose(&mut adapter, "hi")
            .expect_err("forms")
            .0
            .contains(":emit")
    );
    let context = OpenContext {
        namespace: Some("/admin".into()),
        ..OpenContext::default()
    };
    adapter.on_open(&context, Instant::now());
    assert_eq!(
        compose(&mut adapter, r#"["a"]"#).expect("event").frames,
        text(r#"42/admin,["a"]"#)
    );
}

#[test]
fn binary_attachments_follow_their_packet() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    let header = incoming(
        &mut adapter,
        r#"451-["blob",{"_placeholder":true,"num":0}]"#,
        now,
    );
    assert_eq!(label(&header), r#"sio event "blob""#);
    let attachment = adapter.on_incoming(&[1, 2, 3], PayloadKind::Binary, now);
    let decoded = attachment.decoded.expect("decoded");
    assert_eq!(decoded.label, r#"sio attachment 1/1 of "blob""#);
    assert_eq!(decoded.summary, "3 bytes");
    assert_eq!(decoded.error, None);
    let stray = adapter.on_incoming(&[4], PayloadKind::Binary, now);
    assert_eq!(label(&stray), "sio malformed");

    incoming(
        &mut adapter,
        r#"462-4[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
        now,
    );
    let first = adapter.on_incoming(&[], PayloadKind::Binary, now);
    assert_eq!(label(&first), "sio attachment 1/2 of ack #4");
    let second = adapter.on_incoming(&[0; 9], PayloadKind::Binary, now);
    assert_eq!(label(&second), "sio attachment 2/2 of ack #4");

    incoming(
        &mut adapter,
        r#"451-["x",{"_placeholder":true,"num":0}]"#,
        now,
    );
    incoming(&mut adapter, "2", now);
    let late = adapter.on_incoming(&[1], PayloadKind::Binary, now);
    assert_eq!(
        label(&late),
        "sio malformed",
        "a text frame ends the sequence"
    );

    adapter.on_outgoing(
        br#"451-["up",{"_placeholder":true,"num":0}]"#,
        PayloadKind::Text,
        now,
    );
    let up = adapter
        .on_outgoing(&[7], PayloadKind::Binary, now)
        .expect("decoded");
    assert_eq!(up.label, r#"sio attachment 1/1 of "up""#);
}

#[test]
fn malformed_frames_are_reported_not_fatal() {
    let now = Instant::now();
    let mut adapter = opened(OpenContext::default(), now);
    for frame in [
        "",
        "9",
        "x",
        "4",
        "47",
        "42{",
        "42[1]",
        "42",
        "43[1]",
        "430{}",
        "45[\"a\"]",
        "45x-[\"a\"]",
        "4299999999999999999999[\"a\"]",
        "42[\"a\"] trailing",
    ] {
        let reaction = incoming(&mut adapter, frame, now);
        let decoded = reaction.decoded.expect("decoded");
        assert_eq!(decoded.label, "sio malformed", "{frame:?}");
        assert!(decoded.error.is_some(), "{frame:?}");
        assert_eq!(reaction.auth, None);
    }
    let invalid = adapter.on_incoming(&[0x34, 0xff], PayloadKind::Text, now);
    assert_eq!(label(&invalid), "sio malformed");
    assert_eq!(adapter.close_code(4401), None);
}

proptest::proptest! {
    #[test]
    fn arbitrary_input_never_panics(bytes: Vec<u8>, text: String) {
        let now = Instant::now();
        let mut adapter = opened(OpenContext::default(), now);
        let (message, binary_event) = (format!("4{text}"), format!("45{text}"));
        let payloads = [&bytes, text.as_bytes(), message.as_bytes(), binary_event.as_bytes()];
        crate::protocol::testing::exercise(&mut adapter, &payloads, &["emit", "ack"], now, now);
    }
}
