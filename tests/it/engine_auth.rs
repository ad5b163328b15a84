//! Auth modes over real sockets against the built-in server's --require-token: each
//! mode accepted and each refused; and the token never appears in any event.

use crate::common;

use common::{collect_for, fast_config, incoming_text, wait_for, wait_for_state};
use std::time::Duration;
use wsdeck::server::{Server, ServerConfig};
use wsdeck::session::{self, AuthMethod, ConnectionState, ErrorKind, Event, Secret, SessionConfig};

const TOKEN: &str = "s3cr3t-T0KEN_value";

async fn server_requiring_token() -> Server {
    common::server_with(ServerConfig {
        require_token: Some(TOKEN.to_string()),
        // A wrong token offered only as a subprotocol looks like an unknown protocol
        // name to the server, which then waits for a first message: keep that short.
        auth_timeout: Duration::from_millis(500),
        ..ServerConfig::default()
    })
    .await
}

fn config_with(url: &str, method: AuthMethod, token: &str) -> SessionConfig {
    let mut config = fast_config(url);
    config.auth.method = method;
    config.auth.token = Some(Secret::new(token));
    config
}

const METHODS: [AuthMethod; 4] = [
    AuthMethod::QueryParam,
    AuthMethod::FirstMessage,
    AuthMethod::Subprotocol,
    AuthMethod::Header,
];

/// Every event's debug text, to search for the token.
fn assert_token_absent(events: &[Event], token: &str) {
    for event in events {
        let text = format!("{event:?}");
        assert!(!text.contains(token), "token leaked in {text}");
        if let Event::Frame(frame) = event {
            let payload = String::from_utf8_lossy(&frame.payload);
            assert!(
                !payload.contains(token),
                "token leaked in payload {payload}"
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn each_mode_is_accepted_and_the_token_never_shows() {
    let server = server_requiring_token().await;
    for method in METHODS {
        let (handle, mut events) =
            common::connected_session(config_with(&server.url(), method, TOKEN));
        let mut seen = wait_for_state(&mut events, ConnectionState::Authenticated).await;
        if method == AuthMethod::FirstMessage {
            assert!(
                seen.contains(&Event::StateChanged(ConnectionState::Authenticating)),
                "{method:?}: {seen:#?}"
            );
        }
        handle
            .send_text(format!("hello via {}", method.as_str()))
            .unwrap();
        let (echo, before) = wait_for(&mut events, "echo", |e| {
            incoming_text(e).is_some_and(|t| t.starts_with("hello"))
        })
        .await;
        assert_eq!(
            incoming_text(&echo),
            Some(format!("hello via {}", method.as_str()))
        );
        seen.extend(before);
        seen.push(echo);
        handle.shutdown().unwrap();
        seen.extend(collect_for(&mut events, Duration::from_millis(300)).await);
        assert_token_absent(&seen, TOKEN);
        let opened = seen.iter().find_map(|e| match e {
            Event::Opened(info) => Some(info.clone()),
            _ => None,
        });
        let opened = opened.expect("opened event");
        if method == AuthMethod::QueryParam {
            assert!(opened.url.contains("token=***"), "{}", opened.url);
        }
        if method == AuthMethod::Subprotocol {
            // The server had only the token to select; it is shown redacted.
            assert_eq!(opened.subprotocol.as_deref(), Some("***"));
        }
    }
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn each_mode_is_refused_with_a_wrong_token() {
    let server = server_requiring_token().await;
    let wrong = "wrong-token-123";
    for method in METHODS {
        let (handle, mut events) =
            common::connected_session(config_with(&server.url(), method, wrong));
        let seen = wait_for_state(&mut events, ConnectionState::Error).await;
        let auth_error = seen.iter().find_map(|e| match e {
            Event::Error {
                kind: ErrorKind::Auth,
                message,
            } => Some(message.clone()),
            _ => None,
        });
        let message =
            auth_error.unwrap_or_else(|| panic!("{method:?}: no auth error in {seen:#?}"));
        assert!(
            message.contains("1008") || message.contains("refused"),
            "{message}"
        );
        let closed = seen.iter().find_map(|e| match e {
            Event::Closed(outcome) => Some(outcome.clone()),
            _ => None,
        });
        assert_eq!(closed.and_then(|c| c.code), Some(1008), "{method:?}");
        // 1008 is not retried.
        let later = collect_for(&mut events, Duration::from_millis(400)).await;
        assert!(
            !later
                .iter()
                .any(|e| matches!(e, Event::ReconnectScheduled { .. })),
            "{method:?} retried: {later:#?}"
        );
        let mut all = seen;
        all.extend(later);
        assert_token_absent(&all, wrong);
        handle.shutdown().unwrap();
    }
    server.shutdown().await;
}

#[tokio::test]
async fn missing_token_is_refused_before_connecting() {
    let mut config = fast_config("ws://127.0.0.1:9");
    config.auth.method = AuthMethod::Header;
    let error = session::spawn(config).unwrap_err();
    assert!(error.to_string().contains("needs a token"), "{error}");
}

#[tokio::test(start_paused = true)]
async fn first_message_auth_without_reply_carries_on_after_timeout() {
    // A server without --require-token just echoes the auth message back; that is no
    // verdict, so after the auth timeout the session carries on and says so.
    let server = common::echo_server().await;
    let mut config = config_with(&server.url(), AuthMethod::FirstMessage, TOKEN);
    config.auth.timeout = Duration::from_millis(300);
    let (handle, mut events) = common::connected_session(config);
    let id = handle.send_text("waits for auth").unwrap();
    let mut seen = wait_for_state(&mut events, ConnectionState::Authenticated).await;
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Notice(n) if n.contains("no auth reply")))
    );
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Queued { id: queued, .. } if *queued == id))
    );
    let (echo, before) = wait_for(&mut events, "queued echo", |e| {
        incoming_text(e).as_deref() == Some("waits for auth")
    })
    .await;
    seen.extend(before);
    seen.push(echo);
    // The echoed auth message is redacted too.
    assert_token_absent(&seen, TOKEN);
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn auth_runs_again_after_a_reconnect() {
    let server = server_requiring_token().await;
    let (handle, mut events) =
        common::connected_session(config_with(&server.url(), AuthMethod::FirstMessage, TOKEN));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle.send_text(r#"{"cmd":"drop"}"#).unwrap();
    wait_for(&mut events, "reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    // Sent while the link is down: must wait for the new auth, then go out.
    let id = handle.send_text("after reconnect").unwrap();
    let seen = wait_for_state(&mut events, ConnectionState::Authenticated).await;
    assert!(
        seen.contains(&Event::StateChanged(ConnectionState::Authenticating)),
        "{seen:#?}"
    );
    let auth_frames = seen
        .iter()
        .filter(|e| matches!(e, Event::Frame(f) if f.direction == session::Direction::Outgoing))
        .count();
    assert_eq!(
        auth_frames, 1,
        "exactly the auth message before auth: {seen:#?}"
    );
    let (echo, before) = wait_for(&mut events, "echo", |e| incoming_text(e).is_some()).await;
    assert_eq!(incoming_text(&echo).as_deref(), Some("after reconnect"));
    assert!(
        before
            .iter()
            .any(|e| matches!(e, Event::Frame(f) if f.id == id))
            || seen
                .iter()
                .any(|e| matches!(e, Event::Queued { id: q, .. } if *q == id)),
        "the message was queued or sent under its id"
    );
    handle.shutdown().unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn a_close_reason_quoting_the_token_is_redacted() {
    let server = server_requiring_token().await;
    let (handle, mut events) =
        common::connected_session(config_with(&server.url(), AuthMethod::Header, TOKEN));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    let command = format!(r#"{{"cmd":"close","code":4001,"reason":"bad {TOKEN}"}}"#);
    handle.send_text(command).unwrap();
    let (closed, mut seen) =
        wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = &closed else {
        unreachable!()
    };
    assert_eq!(outcome.reason, "bad ***");
    seen.push(closed);
    handle.shutdown().unwrap();
    seen.extend(collect_for(&mut events, Duration::from_millis(300)).await);
    assert_token_absent(&seen, TOKEN);
    server.shutdown().await;
}

/// A message the user sends may say `{{token}}` (snippets insert it so): the server
/// gets the token, JSON-escaped inside a JSON message, and every event shows `***`.
/// Without a token the message is refused and nothing is sent.
#[tokio::test]
async fn a_token_placeholder_is_filled_on_the_wire_and_redacted_in_events() {
    use common::transcript::{ScriptedServer, parse};
    let token = r#"to"k\en-42"#;
    let script = parse(
        r#"
>! {"type":"auth","access_token":"to\"k\\en-42"}
>! key=to"k\en-42
< done
"#,
    );
    let server = ScriptedServer::start(script, "").await;
    let config = config_with(&server.url, AuthMethod::Header, token);
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .send_text(r#"{"type":"auth","access_token":"{{token}}"}"#)
        .expect("send");
    handle.compose("key={{token}}").expect("compose");
    let (_, seen) = wait_for(&mut events, "the server's reply", |event| {
        incoming_text(event).as_deref() == Some("done")
    })
    .await;
    assert_token_absent(&seen, token);
    let sent: Vec<String> = seen
        .iter()
        .filter_map(|event| match event {
            Event::Frame(frame) if frame.direction == session::Direction::Outgoing => {
                Some(String::from_utf8_lossy(&frame.payload).into_owned())
            }
            _ => None,
        })
        .collect();
    assert_eq!(sent, [r#"{"type":"auth","access_token":"***"}"#, "key=***"]);
    handle.shutdown().expect("shutdown");
    server.finished().await;

    let echo = common::echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&echo.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let id = handle.send_text("key={{token}}").expect("send");
    let (refused, before) = wait_for(
        &mut events,
        "the refusal",
        |event| matches!(event, Event::SendFailed { id: failed, .. } if *failed == id),
    )
    .await;
    let Event::SendFailed { kind, message, .. } = refused else {
        unreachable!()
    };
    assert_eq!(kind, ErrorKind::InvalidInput);
    assert!(message.contains("no token"), "{message}");
    assert!(!before.iter().any(|event| matches!(event, Event::Frame(_))));
    handle.shutdown().expect("shutdown");
}

/// A frame carrying the token is shown with `***` but keeps the size it had on the
/// wire: the log says 43 B, not the 36 B of the redacted text.
#[tokio::test]
async fn a_redacted_frame_keeps_its_real_size() {
    let token = "s3cret-tok";
    let echo = common::echo_server().await;
    let config = config_with(&echo.url(), AuthMethod::Header, token);
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Connected).await;
    let text = format!(r#"{{"type":"auth","access_token":"{token}"}}"#);
    assert_eq!(text.len(), 43);
    handle.send_text(text).expect("send");
    let (echoed, seen) = wait_for(&mut events, "the echo", |event| {
        incoming_text(event).is_some()
    })
    .await;
    let shown = r#"{"type":"auth","access_token":"***"}"#;
    let Event::Frame(incoming) = &echoed else {
        unreachable!()
    };
    assert_eq!(incoming.text(), Some(shown));
    assert_eq!((incoming.size(), incoming.payload.len()), (43, 36));
    let outgoing = seen
        .iter()
        .find_map(|event| match event {
            Event::Frame(frame) if frame.direction == session::Direction::Outgoing => Some(frame),
            _ => None,
        })
        .expect("the sent frame is reported");
    assert_eq!(outgoing.text(), Some(shown));
    assert_eq!(outgoing.size(), 43);
    // A frame without the token: the size is the payload's.
    handle.send_text("plain").expect("send");
    let (plain, _) = wait_for(&mut events, "the plain echo", |event| {
        incoming_text(event).as_deref() == Some("plain")
    })
    .await;
    let Event::Frame(plain) = plain else {
        unreachable!()
    };
    assert_eq!(plain.size(), 5);
    assert_token_absent(&seen, token);
    handle.shutdown().expect("shutdown");
    echo.shutdown().await;
}

/// The engine itself refuses a token shorter than 8 characters: hiding it would hide
/// ordinary text too. Nothing is started, so nothing connects.
#[tokio::test]
async fn a_short_token_is_refused_by_the_engine() {
    let server = server_requiring_token().await;
    for method in METHODS {
        let Err(error) = session::spawn(config_with(&server.url(), method, "e")) else {
            panic!("{method:?}: a 1-character token must be refused");
        };
        assert!(
            matches!(error, session::SessionError::Auth(_)),
            "{method:?}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("the token is 1 character;"), "{message}");
        assert!(message.contains("shorter than 8"), "{message}");
    }
    server.shutdown().await;
}
