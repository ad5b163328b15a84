//! Unit tests of the Socket.IO adapter: every Engine.IO and Socket.IO packet type,
//! valid and malformed, in Engine.IO 4 and 3 and telling the two apart, plus property
//! tests that no input panics.

use super::link::VERSION_GRACE;
use super::*;
use crate::wire::{AuthVerdict, Correlation};

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

// Engine.IO 3 (Socket.IO 2) and telling the revisions apart.

/// An Engine.IO 3 open packet: no `maxPayload`.
const OPEN_V3: &str = r#"0{"sid":"e3","upgrades":[],"pingInterval":1000,"pingTimeout":500}"#;

fn url(query: &str) -> Option<url::Url> {
    let url = format!("ws://127.0.0.1:3000/socket.io/?{query}");
    Some(url::Url::parse(&url).expect("url"))
}

fn eio3(namespace: Option<&str>) -> OpenContext {
    OpenContext {
        url: url("EIO=3&transport=websocket"),
        namespace: namespace.map(String::from),
        ..OpenContext::default()
    }
}

fn status(adapter: &SocketIoAdapter, label: &str) -> String {
    let lines = adapter.status();
    let line = lines.iter().find(|line| line.label == label);
    line.unwrap_or_else(|| panic!("no {label} in {lines:?}"))
        .value
        .clone()
}

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

#[test]
fn eio3_from_the_url_pings_every_interval_and_pongs_clear_the_timeout() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    assert_eq!(
        status(&adapter, "engine.io"),
        "Engine.IO 3 (EIO=3 in the URL)"
    );
    let open = incoming(&mut adapter, OPEN_V3, now);
    let decoded = open.decoded.expect("decoded");
    assert_eq!(decoded.label, "sio open (Engine.IO 3)");
    assert_eq!(
        decoded.summary,
        "sid e3 · we ping every 1000 ms, pong timeout 500 ms · Engine.IO 3 (EIO=3 in the URL)"
    );
    assert_eq!(decoded.error, None);
    assert!(open.send.is_empty(), "Socket.IO 2 connects `/` by itself");
    assert_eq!(adapter.next_deadline(), Some(now + ms(1000)));
    assert_eq!(
        status(&adapter, "ping interval"),
        "1000 ms, we ping (pong timeout 500 ms)"
    );

    assert_eq!(adapter.on_timer(now + ms(999)), Reaction::default());
    let ping = adapter.on_timer(now + ms(1000));
    assert_eq!(ping.send, vec![Outgoing::automatic("2")]);
    assert_eq!(ping.reconnect, None);
    assert_eq!(adapter.next_deadline(), Some(now + ms(1500)), "pong due");
    let sent = adapter
        .on_outgoing(b"2", PayloadKind::Text, now + ms(1000))
        .expect("decoded");
    assert_eq!((sent.label.as_str(), sent.heartbeat), ("sio ping", true));

    let pong = incoming(&mut adapter, "3", now + ms(1012));
    let decoded = pong.decoded.expect("decoded");
    assert_eq!(
        (decoded.label.as_str(), decoded.heartbeat),
        ("sio pong 12 ms", true)
    );
    assert!(pong.send.is_empty());
    assert_eq!(pong.reconnect, None);
    assert_eq!(
        adapter.next_deadline(),
        Some(now + ms(2012)),
        "the next ping a pingInterval after the pong"
    );
    assert_eq!(adapter.on_timer(now + ms(1600)), Reaction::default());
    let again = adapter.on_timer(now + ms(2012));
    assert_eq!(again.send, vec![Outgoing::automatic("2")]);

    // A maxPayload (engine.io 6.2+ in its EIO3 mode) does not overrule EIO=3.
    let mut adapter = opened(eio3(None), now);
    let open = incoming(&mut adapter, OPEN, now);
    assert_eq!(label(&open), "sio open (Engine.IO 3)");
    assert!(open.send.is_empty());
    assert_eq!(adapter.next_deadline(), Some(now + ms(300)));
}

#[test]
fn eio3_missing_pong_means_reconnect() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    incoming(&mut adapter, OPEN_V3, now);
    incoming(&mut adapter, "40", now);
    assert_eq!(
        adapter.on_timer(now + ms(1000)).send,
        vec![Outgoing::automatic("2")]
    );
    // Other traffic is no pong.
    incoming(&mut adapter, r#"42["chat","hi"]"#, now + ms(1200));
    assert_eq!(adapter.on_timer(now + ms(1499)), Reaction::default());
    let dead = adapter.on_timer(now + ms(1500));
    let why = dead.reconnect.expect("reconnect");
    assert!(why.contains("pong") && why.contains("500 ms"), "{why}");
    assert!(dead.send.is_empty());
    assert_eq!(adapter.next_deadline(), None, "fires once");
    adapter.on_closed();
    assert_eq!(adapter.next_deadline(), None);
}

#[test]
fn eio3_connect_without_sid_is_accepted() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    incoming(&mut adapter, OPEN_V3, now);
    let connected = incoming(&mut adapter, "40", now);
    let decoded = connected.decoded.expect("decoded");
    assert_eq!(decoded.label, "sio connected");
    assert_eq!(decoded.summary, "no sid (Socket.IO 2)");
    assert_eq!(connected.auth, Some(AuthVerdict::Accepted));
    assert!(connected.send.is_empty());
    assert_eq!(status(&adapter, "sid"), "e3", "the Engine.IO sid stands in");

    // Another namespace: `40/admin,` (no auth) goes out at the open packet; the
    // server's own `40` for `/` is not our verdict.
    let mut adapter = opened(eio3(Some("admin")), now);
    assert_eq!(incoming(&mut adapter, OPEN_V3, now).send, text("40/admin,"));
    assert_eq!(incoming(&mut adapter, "40", now).auth, None);
    let ours = incoming(&mut adapter, "40/admin,", now);
    assert_eq!(ours.auth, Some(AuthVerdict::Accepted));
    assert_eq!(label(&ours), "sio connected");
}

#[test]
fn eio3_error_packet_is_refused_with_its_string() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    incoming(&mut adapter, OPEN_V3, now);
    let refused = incoming(&mut adapter, r#"44"unauthorized""#, now);
    assert_eq!(refused.auth, Some(AuthVerdict::Refused));
    let decoded = refused.decoded.expect("decoded");
    assert_eq!(decoded.label, r#"sio connect error "unauthorized""#);
    assert_eq!(decoded.summary, "unauthorized");
    assert_eq!(decoded.data, Some(json!("unauthorized")));
    assert_eq!(decoded.error, None);
}

#[test]
fn eio3_detected_from_an_open_packet_without_max_payload() {
    let now = Instant::now();
    // The URL says nothing, or EIO=4 (what URL completion adds by default).
    for url in [None, url("EIO=4&transport=websocket")] {
        let context = OpenContext {
            url,
            ..OpenContext::default()
        };
        let mut adapter = opened(context, now);
        let open = incoming(&mut adapter, OPEN_V3, now);
        let decoded = open.decoded.expect("decoded");
        assert_eq!(decoded.label, "sio open (Engine.IO 3 or 4?)");
        assert!(
            decoded.summary.contains("no maxPayload in the open packet"),
            "{}",
            decoded.summary
        );
        assert!(open.send.is_empty(), "the CONNECT waits for a sign");
        assert_eq!(adapter.next_deadline(), Some(now + VERSION_GRACE));
        assert!(status(&adapter, "engine.io").starts_with("Engine.IO 3 or 4"));

        // Socket.IO 2 connects `/` unasked, without a sid: Engine.IO 3.
        let connected = incoming(&mut adapter, "40", now + ms(5));
        assert_eq!(connected.auth, Some(AuthVerdict::Accepted));
        assert!(connected.send.is_empty(), "no CONNECT for `/`");
        let decoded = connected.decoded.expect("decoded");
        assert_eq!(
            decoded.summary,
            "no sid (Socket.IO 2) · Engine.IO 3: CONNECT without a sid (Socket.IO 2)"
        );
        assert_eq!(
            status(&adapter, "engine.io"),
            "Engine.IO 3 (CONNECT without a sid (Socket.IO 2))"
        );
        assert_eq!(
            adapter.next_deadline(),
            Some(now + ms(1000)),
            "the first ping a pingInterval after the open packet"
        );
        assert_eq!(adapter.on_timer(now + VERSION_GRACE), Reaction::default());
        assert_eq!(
            adapter.on_timer(now + ms(1000)).send,
            vec![Outgoing::automatic("2")]
        );
    }
}

#[test]
fn an_open_packet_without_max_payload_may_still_be_engine_io_4() {
    let now = Instant::now();
    // Socket.IO 3.0–4.4 sends no maxPayload and waits for our CONNECT: after the
    // grace it goes out with its auth, and the server's pings are answered.
    let context = OpenContext {
        handshake_payload: Some(json!({"key": 1})),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert!(incoming(&mut adapter, OPEN_V3, now).send.is_empty());
    let late = adapter.on_timer(now + VERSION_GRACE);
    assert_eq!(late.send, text(r#"40{"key":1}"#));
    assert_eq!(late.reconnect, None);
    let accepted = incoming(&mut adapter, r#"40{"sid":"s1"}"#, now + ms(320));
    assert_eq!(accepted.auth, Some(AuthVerdict::Accepted));
    assert!(status(&adapter, "engine.io").starts_with("Engine.IO 4 (no Socket.IO 2 CONNECT"));
    assert_eq!(
        adapter.next_deadline(),
        Some(now + ms(1500)),
        "no client ping"
    );
    let ping = incoming(&mut adapter, "2", now + ms(1000));
    assert_eq!(ping.send, vec![Outgoing::automatic("3")]);
    assert_eq!(adapter.next_deadline(), Some(now + ms(2500)));

    // A server ping settles it at once (and releases the CONNECT).
    let mut adapter = opened(OpenContext::default(), now);
    incoming(&mut adapter, OPEN_V3, now);
    let ping = incoming(&mut adapter, "2", now + ms(10));
    assert_eq!(
        ping.send,
        vec![Outgoing::automatic("3"), Outgoing::text("40")]
    );
    let summary = ping.decoded.expect("decoded").summary;
    assert_eq!(summary, "Engine.IO 4: the server pings (Engine.IO 4)");
    assert_eq!(adapter.next_deadline(), Some(now + ms(1510)));

    // So does a CONNECT reply with a sid; a namespace CONNECT without auth is the
    // same in both revisions and goes out at once.
    let context = OpenContext {
        namespace: Some("/admin".into()),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert_eq!(incoming(&mut adapter, OPEN_V3, now).send, text("40/admin,"));
    let accepted = incoming(&mut adapter, r#"40/admin,{"sid":"x"}"#, now);
    assert_eq!(accepted.auth, Some(AuthVerdict::Accepted));
    assert!(accepted.send.is_empty());
    assert!(status(&adapter, "engine.io").starts_with("Engine.IO 4 (CONNECT answered"));

    // A CONNECT_ERROR object is Socket.IO 3+, a string Socket.IO 2.
    for (frame, version) in [
        (r#"44{"message":"no"}"#, "Engine.IO 4"),
        (r#"44"no""#, "Engine.IO 3"),
    ] {
        let mut adapter = opened(OpenContext::default(), now);
        incoming(&mut adapter, OPEN_V3, now);
        let refused = incoming(&mut adapter, frame, now);
        assert_eq!(refused.auth, Some(AuthVerdict::Refused), "{frame}");
        assert!(
            refused.send.is_empty(),
            "no CONNECT after a refusal: {frame}"
        );
        assert!(
            status(&adapter, "engine.io").starts_with(version),
            "{frame}"
        );
    }

    // Nothing at all: the missing server ping says so, with a hint.
    let mut adapter = opened(OpenContext::default(), now);
    incoming(&mut adapter, OPEN_V3, now);
    incoming(&mut adapter, "41", now);
    assert_eq!(adapter.on_timer(now + VERSION_GRACE).send, text("40"));
    let dead = adapter.on_timer(now + ms(1500));
    let why = dead.reconnect.expect("reconnect");
    assert!(why.contains("EIO=3"), "{why}");
}

#[test]
fn eio3_configured_auth_is_noted_not_dropped_silently() {
    let now = Instant::now();
    let context = OpenContext {
        token: Some("t0k".into()),
        ..eio3(Some("admin"))
    };
    let mut adapter = opened(context, now);
    let open = incoming(&mut adapter, OPEN_V3, now);
    assert_eq!(open.send, text("40/admin,"), "no auth payload in v2");
    let error = open.decoded.expect("decoded").error.expect("noted");
    assert!(error.contains("no CONNECT auth"), "{error}");
    assert!(!error.contains("t0k"));

    // A token already in the URL query reaches the server: nothing to note.
    let context = OpenContext {
        token: Some("t0k".into()),
        url: url("EIO=3&transport=websocket&token=t0k"),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert_eq!(
        incoming(&mut adapter, OPEN_V3, now)
            .decoded
            .expect("decoded")
            .error,
        None
    );

    // Found by the server's CONNECT: the held namespace CONNECT goes out without auth.
    let context = OpenContext {
        handshake_payload: Some(json!({"key": 1})),
        namespace: Some("/admin".into()),
        ..OpenContext::default()
    };
    let mut adapter = opened(context, now);
    assert!(incoming(&mut adapter, OPEN_V3, now).send.is_empty());
    let root = incoming(&mut adapter, "40", now);
    assert_eq!(root.auth, None, "`/` is not our namespace");
    assert_eq!(root.send, text("40/admin,"));
    let error = root.decoded.expect("decoded").error.expect("noted");
    assert!(error.contains("no CONNECT auth"), "{error}");
    let ours = incoming(&mut adapter, "40/admin,", now);
    assert_eq!(ours.auth, Some(AuthVerdict::Accepted));
    assert_eq!(adapter.on_timer(now + VERSION_GRACE), Reaction::default());
}

#[test]
fn a_server_ping_on_an_eio3_link_means_engine_io_4() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    incoming(&mut adapter, OPEN_V3, now);
    let ping = incoming(&mut adapter, "2", now + ms(100));
    assert_eq!(
        ping.send,
        vec![Outgoing::automatic("3"), Outgoing::text("40")]
    );
    assert!(status(&adapter, "engine.io").starts_with("Engine.IO 4 (the server pings"));
    assert_eq!(
        adapter.next_deadline(),
        Some(now + ms(1600)),
        "no client ping"
    );
    assert_eq!(adapter.on_timer(now + ms(1000)), Reaction::default());
}

#[test]
fn eio3_binary_attachments_carry_the_message_type_byte() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    incoming(&mut adapter, OPEN_V3, now);
    incoming(
        &mut adapter,
        r#"451-["blob",{"_placeholder":true,"num":0}]"#,
        now,
    );
    let attachment = adapter.on_incoming(&[4, 1, 2, 3], PayloadKind::Binary, now);
    let decoded = attachment.decoded.expect("decoded");
    assert_eq!(decoded.label, r#"sio attachment 1/1 of "blob""#);
    assert_eq!(decoded.summary, "3 bytes");
    assert_eq!(decoded.error, None);
    incoming(
        &mut adapter,
        r#"451-["blob",{"_placeholder":true,"num":0}]"#,
        now,
    );
    let bare = adapter.on_incoming(&[1, 2, 3], PayloadKind::Binary, now);
    assert!(bare.decoded.expect("decoded").error.is_some());
}

#[test]
fn eio3_probe_pongs_and_reconnects_are_harmless() {
    let now = Instant::now();
    let mut adapter = opened(eio3(None), now);
    incoming(&mut adapter, OPEN_V3, now);
    let probe = incoming(&mut adapter, "3probe", now);
    let decoded = probe.decoded.expect("decoded");
    assert_eq!(
        (decoded.label.as_str(), decoded.heartbeat),
        ("sio pong", true)
    );
    assert!(probe.send.is_empty());
    assert_eq!(adapter.next_deadline(), Some(now + ms(1000)));
    for frame in ["5", "6", "1"] {
        assert!(
            incoming(&mut adapter, frame, now).send.is_empty(),
            "{frame}"
        );
    }
    adapter.on_closed();
    assert_eq!(adapter.next_deadline(), None);
    assert_eq!(adapter.on_open(&eio3(None), now), Vec::new());
    assert_eq!(
        status(&adapter, "engine.io"),
        "Engine.IO 3 (EIO=3 in the URL)"
    );
    adapter.on_open(&OpenContext::default(), now);
    assert!(status(&adapter, "engine.io").starts_with("Engine.IO 3 or 4 (no EIO"));
    incoming(&mut adapter, OPEN, now);
    assert_eq!(
        status(&adapter, "engine.io"),
        "Engine.IO 4 (maxPayload in the open packet)"
    );
}

#[test]
fn huge_heartbeat_numbers_do_not_overflow_the_clock() {
    let now = Instant::now();
    for context in [eio3(None), OpenContext::default()] {
        let mut adapter = opened(context, now);
        let huge = format!(
            r#"0{{"sid":"x","pingInterval":{max},"pingTimeout":{max}}}"#,
            max = u64::MAX
        );
        incoming(&mut adapter, &huge, now);
        incoming(&mut adapter, "40", now);
        incoming(&mut adapter, "2", now);
        let deadline = adapter.next_deadline().expect("deadline");
        assert!(deadline > now);
        let _ = adapter.on_timer(deadline);
        incoming(&mut adapter, "3", deadline);
    }
}

proptest::proptest! {
    #[test]
    fn arbitrary_input_never_panics_in_either_revision(
        bytes: Vec<u8>,
        text: String,
        query in 0usize..3,
        max_payload: bool,
        millis in 0u64..3000,
    ) {
        let now = Instant::now();
        let context = OpenContext {
            url: [None, url("EIO=3"), url("EIO=4")][query].clone(),
            token: Some("t".into()),
            namespace: Some("/n".into()),
            ..OpenContext::default()
        };
        let mut adapter = opened(context, now);
        incoming(&mut adapter, if max_payload { OPEN } else { OPEN_V3 }, now);
        let later = now + Duration::from_millis(millis);
        let _ = adapter.on_timer(later);
        let (message, connect) = (format!("4{text}"), format!("40{text}"));
        let payloads = [&bytes, text.as_bytes(), message.as_bytes(), connect.as_bytes()];
        crate::protocol::testing::exercise(&mut adapter, &payloads, &["emit", "ack"], later, later);
        let _ = adapter.on_timer(later + Duration::from_secs(5));
        let _ = adapter.next_deadline();
    }
}
