//! Close codes over real sockets: every sendable code round-trips with its reason in
//! both directions; invalid codes and reasons are refused before anything is sent.

use crate::common;

use common::peer::serve_each;
use common::{fast_config, wait_for, wait_for_state};
use wsdeck::session::close_code::{CloseCodeError, validate_close};
use wsdeck::session::{self, CloseOutcome, CloseRequestError, ConnectionState, Event};

fn sendable_codes() -> Vec<u16> {
    let mut codes: Vec<u16> = (1000..=1003).chain(1007..=1014).collect();
    codes.extend([3000, 3001, 3999, 4000, 4001, 4500, 4999]);
    codes
}

#[tokio::test]
async fn user_close_round_trips_every_sendable_code() {
    let server = common::echo_server().await;
    for code in sendable_codes() {
        let reason = format!("bye {code} ✓");
        let (handle, mut events) = common::connected_session(fast_config(&server.url()));
        wait_for_state(&mut events, ConnectionState::Connected).await;
        handle.close(code, reason.clone()).unwrap();
        let (closed, seen) =
            wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
        assert_eq!(
            closed,
            Event::Closed(CloseOutcome {
                code: Some(code),
                reason: reason.clone(),
                by_peer: false,
                clean: true,
            })
        );
        // The peer's close frame echoed our code.
        let echoed = seen.iter().any(|event| {
            matches!(event,
            Event::Frame(frame) if frame.direction == session::Direction::Incoming
                && frame.close_code == Some(code))
        });
        assert!(echoed, "code {code}: no echoed close frame in {seen:#?}");
        let after = wait_for(&mut events, "state after close", |e| {
            matches!(e, Event::StateChanged(_))
        })
        .await
        .0;
        assert_eq!(
            after,
            Event::StateChanged(ConnectionState::Disconnected),
            "code {code}"
        );
        handle.shutdown().unwrap();
    }
    server.shutdown().await;
}

#[tokio::test]
async fn server_close_round_trips_every_sendable_code() {
    let server = common::echo_server().await;
    for code in sendable_codes() {
        let reason = format!("server says {code}");
        let mut config = fast_config(&server.url());
        config.reconnect.enabled = false;
        let (handle, mut events) = common::connected_session(config);
        wait_for_state(&mut events, ConnectionState::Connected).await;
        let command = serde_json::json!({"cmd": "close", "code": code, "reason": reason});
        handle.send_text(command.to_string()).unwrap();
        let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
        assert_eq!(
            closed,
            Event::Closed(CloseOutcome {
                code: Some(code),
                reason: reason.clone(),
                by_peer: true,
                clean: true,
            }),
            "code {code}"
        );
        handle.shutdown().unwrap();
    }
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_codes_and_reasons_are_refused_before_sending() {
    let server = common::echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
        let error = handle.close(code, "x").unwrap_err();
        assert!(
            matches!(error, CloseRequestError::Invalid(_)),
            "{code}: {error:?}"
        );
        assert!(!error.to_string().is_empty());
    }
    let long_reason = "r".repeat(124);
    assert_eq!(
        validate_close(1000, &long_reason),
        Err(CloseCodeError::ReasonTooLong { len: 124 })
    );
    assert!(handle.close(1000, long_reason).is_err());
    // Nothing was sent: the link is still up and echoes.
    handle.send_text("still here").unwrap();
    let (echo, seen) = wait_for(&mut events, "echo", |e| common::incoming_text(e).is_some()).await;
    assert_eq!(common::incoming_text(&echo).as_deref(), Some("still here"));
    assert!(!seen.iter().any(|e| matches!(e, Event::Closed(_))));
    // The actor itself refuses an invalid code sent as a raw command, with a clear error.
    handle
        .command(session::Command::Close {
            code: 1005,
            reason: String::new(),
        })
        .unwrap();
    let (error, _) = wait_for(&mut events, "error", |e| matches!(e, Event::Error { .. })).await;
    let Event::Error { kind, message } = error else {
        unreachable!()
    };
    assert_eq!(kind, session::ErrorKind::InvalidInput);
    assert!(message.contains("1005"), "{message}");
    handle.shutdown().unwrap();
    server.shutdown().await;
}

/// A server that completes the upgrade, writes `frame` as raw bytes (unmasked, as a
/// server does), reads the client's answer and drops the connection.
async fn raw_frame_server(frame: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let peer = serve_each(move |mut socket| async move {
        let raw = socket.get_mut();
        let _ = raw.write_all(frame).await;
        let mut answer = [0_u8; 256];
        let _ = raw.read(&mut answer).await;
    })
    .await;
    peer.url
}

/// What a session says about one hostile frame: the error and how the link closed.
async fn session_meets(frame: &'static [u8]) -> (String, CloseOutcome) {
    let url = raw_frame_server(frame).await;
    let mut config = fast_config(&url);
    config.reconnect.enabled = false;
    let (handle, mut events) = common::connected_session(config);
    let (error, _) = wait_for(&mut events, "protocol error", |e| {
        matches!(
            e,
            Event::Error {
                kind: session::ErrorKind::Protocol,
                ..
            }
        )
    })
    .await;
    let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    handle.shutdown().unwrap();
    let (Event::Error { message, .. }, Event::Closed(outcome)) = (error, closed) else {
        unreachable!()
    };
    (message, outcome)
}

#[tokio::test]
async fn an_invalid_close_frame_is_told_as_the_servers_and_answered_with_1002() {
    let code = |code: u16| {
        let [high, low] = code.to_be_bytes();
        Box::leak(Box::new([0x88, 0x02, high, low])) as &'static [u8]
    };
    for invalid in [1004, 1005, 1006, 1015, 999, 2999, 5000] {
        let (message, outcome) = session_meets(code(invalid)).await;
        assert_eq!(
            message,
            format!(
                "the server sent an invalid close frame (code {invalid}, which may not be sent); wsdeck closed with 1002"
            )
        );
        assert_eq!(outcome.code, Some(1002), "{invalid}: {outcome:?}");
        assert!(!outcome.by_peer, "{invalid}: wsdeck closed, not the server");
    }
    let (message, outcome) = session_meets(&[0x88, 0x01, 0x03]).await;
    assert_eq!(
        message,
        "the server sent an invalid close frame (a close frame with a 1-byte payload); wsdeck closed with 1002"
    );
    assert_eq!((outcome.code, outcome.by_peer), (Some(1002), false));
    let (message, _) = session_meets(&[0x88, 0x04, 0x03, 0xE8, 0xFF, 0xFE]).await;
    assert!(message.contains("reason is not UTF-8"), "{message}");
}

#[tokio::test]
async fn text_that_is_not_utf8_is_closed_with_1007() {
    let (message, outcome) = session_meets(&[0x81, 0x02, 0xFF, 0xFE]).await;
    assert_eq!(
        message,
        "the server sent a text message that is not valid UTF-8; wsdeck closed with 1007"
    );
    assert_eq!((outcome.code, outcome.by_peer), (Some(1007), false));
}

#[tokio::test]
async fn a_protocol_violation_exits_listen_with_6_and_is_not_retried() {
    let url = raw_frame_server(&[0x81, 0x02, 0xFF, 0xFE]).await;
    let run = common::binary::run_wsdeck(&["listen", &url], &[]).await;
    assert_eq!(run.code, 6, "{run:#?}");
    assert!(
        run.stderr
            .contains("not valid UTF-8; wsdeck closed with 1007")
            && !run.stderr.contains("reconnecting"),
        "{run:#?}"
    );
}

#[tokio::test]
async fn a_close_frame_counts_its_code_in_its_size() {
    let server = common::echo_server().await;
    let (handle, mut events) = common::connected_session(fast_config(&server.url()));
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle
        .send_text(r#"{"cmd":"close","code":4000,"reason":"bye"}"#)
        .unwrap();
    let (close, _) = wait_for(
        &mut events,
        "the server's close frame",
        |e| matches!(e, Event::Frame(frame) if frame.kind == session::FrameKind::Close),
    )
    .await;
    let Event::Frame(close) = close else {
        unreachable!()
    };
    assert_eq!(close.payload.as_ref(), b"bye");
    assert_eq!(close.size(), 5, "2 bytes of code and the reason");
    handle.shutdown().unwrap();
    server.shutdown().await;
}
