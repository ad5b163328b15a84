//! Reconnecting with a protocol adapter, over real loopback sockets: a session with a
//! provider, a handshake payload and one on-connect subscription connects, the user
//! subscribes once more through the composer, and the server drops the TCP link
//! without a close frame. On the second connection the scripted server checks that
//! the handshake runs again and that each subscription arrives exactly once: the
//! user's resumed by the adapter, the profile's re-sent by the session (`>!` takes
//! the very next frame, so a duplicate fails; `= silent` fails on anything more).
//! On tokio's paused clock: the backoff and the silent windows take no real time,
//! while the sockets stay real.

use crate::common;

use std::time::Duration;

use bytes::Bytes;
use wsdeck::session::auth::AuthMethod;
use wsdeck::session::config::OnConnectMessage;
use wsdeck::session::secret::Secret;
use wsdeck::session::{ConnectionState, Event, PayloadKind, SessionConfig};

use common::transcript::{ScriptedServer, parse_connections};
use common::{WAIT, fast_config, incoming_text, wait_for_state};

/// One protocol's run.
struct Case {
    provider: &'static str,
    /// Both connections' scripts, separated by `= next connection`; the second ends
    /// by sending `marker`.
    transcript: &'static str,
    /// The profile's on-connect message.
    on_connect: &'static str,
    /// What the user types once the first connection is ready.
    interactive: &'static str,
    /// The state that says the first connection is ready for the user.
    ready: ConnectionState,
    /// The last frame of the second script: the session got through it.
    marker: &'static str,
}

/// Runs a case: connect, compose, get dropped, reconnect, and let the server's
/// scripts judge both connections. Returns the text frames of each connection.
async fn run(case: Case, adjust: impl FnOnce(&mut SessionConfig)) -> Vec<Vec<String>> {
    let scripts = parse_connections(case.transcript);
    assert_eq!(scripts.len(), 2, "two connections scripted");
    let server = ScriptedServer::start_connections(scripts, "").await;
    let mut config = fast_config(&server.url);
    config.provider = case.provider.into();
    config.on_connect.push(OnConnectMessage {
        payload: Bytes::from_static(case.on_connect.as_bytes()),
        kind: PayloadKind::Text,
        template: None,
    });
    adjust(&mut config);
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, case.ready).await;
    handle.compose(case.interactive).expect("compose");
    // The server drops the link; the session reconnects on its own.
    let marked = tokio::time::timeout(WAIT, async {
        let mut reconnected = false;
        while let Some(event) = events.recv().await {
            reconnected |= matches!(event, Event::ReconnectScheduled { .. });
            if reconnected && incoming_text(&event).as_deref() == Some(case.marker) {
                return true;
            }
        }
        false
    })
    .await;
    if marked != Ok(true) {
        // The scripts say what went wrong (and panic with it).
        server.finished().await;
        panic!(
            "{}: the second connection's last frame never arrived",
            case.provider
        );
    }
    handle.shutdown().expect("shutdown");
    let replay = server.finished().await;
    assert_eq!(replay.connections.len(), 2);
    replay.connections
}

/// Home Assistant's first-message auth with the token the scripts expect.
fn home_assistant_auth(config: &mut SessionConfig) {
    config.auth.method = AuthMethod::FirstMessage;
    config.auth.template = r#"{"type":"auth","access_token":"{{token}}"}"#.into();
    config.auth.token = Some(Secret::new("ha-token"));
}

fn handshake_payload(config: &mut SessionConfig) {
    config.handshake_payload = Some(serde_json::json!({"token": "t"}));
}

#[tokio::test(start_paused = true)]
async fn graphql_ws_resubscribes_each_subscription_once() {
    let transcript = r#"
>! {"type":"connection_init","payload":{"token":"t"}}
< {"type":"connection_ack"}
>! {"id":"ticks","type":"subscribe","payload":{"query":"subscription { ticks }"}}
>! {"id":"1","type":"subscribe","payload":{"query":"subscription { news }"}}
< {"id":"1","type":"next","payload":{"data":{"news":"a"}}}
= drop
= next connection
>! {"type":"connection_init","payload":{"token":"t"}}
< {"type":"connection_ack"}
>! {"id":"2","type":"subscribe","payload":{"query":"subscription { news }"}}
>! {"id":"ticks","type":"subscribe","payload":{"query":"subscription { ticks }"}}
= silent 500
< {"id":"ticks","type":"next","payload":{"data":{"ticks":1}}}
"#;
    let case = Case {
        provider: "graphql-ws",
        transcript,
        on_connect: r#"{"id":"ticks","type":"subscribe","payload":{"query":"subscription { ticks }"}}"#,
        interactive: "subscription { news }",
        ready: ConnectionState::Authenticated,
        marker: r#"{"id":"ticks","type":"next","payload":{"data":{"ticks":1}}}"#,
    };
    let connections = run(case, handshake_payload).await;
    assert_eq!(connections[1].len(), 3, "{connections:?}");
}

#[tokio::test(start_paused = true)]
async fn apollo_legacy_restarts_each_operation_once() {
    let transcript = r#"
>! {"type":"connection_init","payload":{"token":"t"}}
< {"type":"connection_ack"}
>! {"id":"ticks","type":"start","payload":{"query":"subscription { ticks }"}}
>! {"id":"1","type":"start","payload":{"query":"subscription { news }"}}
= drop
= next connection
>! {"type":"connection_init","payload":{"token":"t"}}
< {"type":"connection_ack"}
>! {"id":"2","type":"start","payload":{"query":"subscription { news }"}}
>! {"id":"ticks","type":"start","payload":{"query":"subscription { ticks }"}}
= silent 500
< {"id":"ticks","type":"data","payload":{"data":{"ticks":1}}}
"#;
    let case = Case {
        provider: "apollo-legacy",
        transcript,
        on_connect: r#"{"id":"ticks","type":"start","payload":{"query":"subscription { ticks }"}}"#,
        interactive: "subscription { news }",
        ready: ConnectionState::Authenticated,
        marker: r#"{"id":"ticks","type":"data","payload":{"data":{"ticks":1}}}"#,
    };
    run(case, handshake_payload).await;
}

/// Home Assistant also needs ids that increase within each connection: the user's
/// subscription is resumed under the next id and the profile's command, written
/// without an id, is numbered after it.
#[tokio::test(start_paused = true)]
async fn home_assistant_resubscribes_with_increasing_ids() {
    let transcript = r#"
< {"type":"auth_required","ha_version":"2024.1.0"}
>! {"type":"auth","access_token":"ha-token"}
< {"type":"auth_ok","ha_version":"2024.1.0"}
>! {"id":1,"type":"subscribe_events","event_type":"state_changed"}
< {"id":1,"type":"result","success":true,"result":null}
>! {"id":2,"type":"subscribe_events","event_type":"call_service"}
< {"id":2,"type":"result","success":true,"result":null}
= drop
= next connection
< {"type":"auth_required","ha_version":"2024.1.0"}
>! {"type":"auth","access_token":"ha-token"}
< {"type":"auth_ok","ha_version":"2024.1.0"}
>! {"id":3,"type":"subscribe_events","event_type":"call_service"}
>! {"id":4,"type":"subscribe_events","event_type":"state_changed"}
= silent 500
< {"id":4,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"light.kitchen"}}}
"#;
    let case = Case {
        provider: "home-assistant",
        transcript,
        on_connect: r#"{"type":"subscribe_events","event_type":"state_changed"}"#,
        interactive: r#"{"type":"subscribe_events","event_type":"call_service"}"#,
        ready: ConnectionState::Authenticated,
        marker: r#"{"id":4,"type":"event","event":{"event_type":"state_changed","data":{"entity_id":"light.kitchen"}}}"#,
    };
    let connections = run(case, home_assistant_auth).await;
    assert_eq!(connections[1].len(), 3, "{connections:?}");
}

#[tokio::test(start_paused = true)]
async fn binance_resubscribes_each_stream_once() {
    let transcript = r#"
>! {"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}
< {"result":null,"id":1}
>! {"method":"SUBSCRIBE","params":["ethusdt@depth"],"id":2}
< {"result":null,"id":2}
= drop
= next connection
>! {"method":"SUBSCRIBE","params":["ethusdt@depth"],"id":3}
>! {"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}
= silent 500
< {"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"43000.10","q":"0.005","T":1,"m":true}
"#;
    let case = Case {
        provider: "binance",
        transcript,
        on_connect: r#"{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}"#,
        interactive: r#"{"method":"SUBSCRIBE","params":["ethusdt@depth"]}"#,
        ready: ConnectionState::Connected,
        marker: r#"{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"43000.10","q":"0.005","T":1,"m":true}"#,
    };
    let connections = run(case, |_| {}).await;
    assert_eq!(connections[1].len(), 2, "{connections:?}");
}

/// Socket.IO has no subscriptions to resume: the namespace CONNECT (with the
/// handshake payload as its auth) runs again and the profile's event is emitted
/// again; the event the user emitted once is not repeated.
#[tokio::test(start_paused = true)]
async fn socket_io_reconnects_the_namespace_and_re_emits_the_profile_event() {
    let transcript = r#"
< 0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
>! 40{"token":"t"}
< 40{"sid":"s1"}
>! 42["subscribe","news"]
>! 42["subscribe","sport"]
= drop
= next connection
< 0{"sid":"e2","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
>! 40{"token":"t"}
< 40{"sid":"s2"}
>! 42["subscribe","news"]
= silent 500
< 42["news",{"n":1}]
"#;
    let case = Case {
        provider: "socket-io",
        transcript,
        on_connect: r#"42["subscribe","news"]"#,
        interactive: r#"["subscribe","sport"]"#,
        ready: ConnectionState::Authenticated,
        marker: r#"42["news",{"n":1}]"#,
    };
    let connections = run(case, handshake_payload).await;
    assert_eq!(
        connections[1],
        [r#"40{"token":"t"}"#, r#"42["subscribe","news"]"#]
    );
}

#[tokio::test(start_paused = true)]
async fn pusher_resubscribes_each_channel_once() {
    let transcript = r#"
< {"event":"pusher:connection_established","data":"{\"socket_id\":\"1.1\",\"activity_timeout\":120}"}
>! {"event":"pusher:subscribe","data":{"channel":"news"}}
< {"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"}
>! {"event":"pusher:subscribe","data":{"channel":"sport"}}
= drop
= next connection
< {"event":"pusher:connection_established","data":"{\"socket_id\":\"2.2\",\"activity_timeout\":120}"}
>! {"event":"pusher:subscribe","data":{"channel":"sport"}}
>! {"event":"pusher:subscribe","data":{"channel":"news"}}
= silent 500
< {"event":"update","channel":"news","data":"{}"}
"#;
    let case = Case {
        provider: "pusher",
        transcript,
        on_connect: r#"{"event":"pusher:subscribe","data":{"channel":"news"}}"#,
        interactive: r#"{"event":"pusher:subscribe","data":{"channel":"sport"}}"#,
        ready: ConnectionState::Authenticated,
        marker: r#"{"event":"update","channel":"news","data":"{}"}"#,
    };
    run(case, |_| {}).await;
}

#[tokio::test(start_paused = true)]
async fn phoenix_rejoins_each_topic_once() {
    let transcript = r#"
>! ["1","1","room:lobby","phx_join",{}]
>! ["2","2","room:b","phx_join",{}]
= drop
= next connection
>! ["3","3","room:b","phx_join",{}]
>! ["1","1","room:lobby","phx_join",{}]
= silent 500
< [null,null,"room:lobby","new_msg",{"body":"hi"}]
"#;
    let case = Case {
        provider: "phoenix",
        transcript,
        on_connect: r#"["1","1","room:lobby","phx_join",{}]"#,
        interactive: r#"[null,null,"room:b","phx_join",{}]"#,
        ready: ConnectionState::Connected,
        marker: r#"[null,null,"room:lobby","new_msg",{"body":"hi"}]"#,
    };
    run(case, |_| {}).await;
}

#[tokio::test(start_paused = true)]
async fn action_cable_resubscribes_each_channel_once() {
    let transcript = r#"
< {"type":"welcome"}
>! {"command":"subscribe","identifier":"{\"channel\":\"ChatChannel\"}"}
>! {"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\"}"}
= drop
= next connection
< {"type":"welcome"}
>! {"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\"}"}
>! {"command":"subscribe","identifier":"{\"channel\":\"ChatChannel\"}"}
= silent 500
< {"identifier":"{\"channel\":\"ChatChannel\"}","message":{"text":"hi"}}
"#;
    let case = Case {
        provider: "action-cable",
        transcript,
        on_connect: r#"{"command":"subscribe","identifier":"{\"channel\":\"ChatChannel\"}"}"#,
        interactive: r#"{"command":"subscribe","identifier":"{\"channel\":\"RoomChannel\"}"}"#,
        ready: ConnectionState::Authenticated,
        marker: r#"{"identifier":"{\"channel\":\"ChatChannel\"}","message":{"text":"hi"}}"#,
    };
    run(case, |_| {}).await;
}

#[tokio::test(start_paused = true)]
async fn ably_reattaches_each_channel_once() {
    let transcript = r#"
< {"action":4,"connectionId":"c1"}
>! {"action":10,"channel":"news"}
>! {"action":10,"channel":"sport"}
= drop
= next connection
< {"action":4,"connectionId":"c2"}
>! {"action":10,"channel":"sport"}
>! {"action":10,"channel":"news"}
= silent 500
< {"action":15,"channel":"news","messages":[{"name":"n","data":"x"}]}
"#;
    let case = Case {
        provider: "ably",
        transcript,
        on_connect: r#"{"action":10,"channel":"news"}"#,
        interactive: r#"{"action":10,"channel":"sport"}"#,
        ready: ConnectionState::Authenticated,
        marker: r#"{"action":15,"channel":"news","messages":[{"name":"n","data":"x"}]}"#,
    };
    run(case, |_| {}).await;
}

/// The scripted server's own checks can fail: a duplicate where `>!` wants another
/// frame, and anything arriving in a `= silent` window.
#[tokio::test(start_paused = true)]
async fn the_scripts_catch_duplicates_and_extra_frames() {
    for (script, error) in [
        ("> a\n>! b\n", "expected b next, got a"),
        ("> a\n= silent 300\n", "nothing was to arrive"),
    ] {
        let server = ScriptedServer::start_connections(parse_connections(script), "").await;
        let (handle, mut events) = common::connected_session(fast_config(&server.url));
        wait_for_state(&mut events, ConnectionState::Connected).await;
        for text in ["a", "a"] {
            handle.send_text(text).expect("send");
        }
        let failed = tokio::spawn(server.finished())
            .await
            .expect_err("the script fails");
        let panic = failed.into_panic();
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains(error), "{message}");
        handle.shutdown().expect("shutdown");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A Home Assistant command typed while the link is down gets its id when it goes
/// out: after the resumed subscription and the profile's command took the next ids
/// on the new link, the id it was composed with would be refused (`id_reuse`).
#[tokio::test(start_paused = true)]
async fn home_assistant_numbers_a_queued_command_when_it_goes_out() {
    let transcript = r#"
< {"type":"auth_required","ha_version":"2024.1.0"}
>! {"type":"auth","access_token":"ha-token"}
< {"type":"auth_ok","ha_version":"2024.1.0"}
>! {"id":1,"type":"subscribe_events","event_type":"state_changed"}
>! {"id":2,"type":"subscribe_events","event_type":"call_service"}
= drop
= next connection
< {"type":"auth_required","ha_version":"2024.1.0"}
>! {"type":"auth","access_token":"ha-token"}
< {"type":"auth_ok","ha_version":"2024.1.0"}
>! {"id":4,"type":"subscribe_events","event_type":"call_service"}
>! {"id":5,"type":"subscribe_events","event_type":"state_changed"}
>! {"id":6,"type":"get_states"}
< {"id":6,"type":"result","success":true,"result":[]}
"#;
    let scripts = parse_connections(transcript);
    let server = ScriptedServer::start_connections(scripts, "").await;
    let mut config = fast_config(&server.url);
    config.provider = "home-assistant".into();
    config.on_connect.push(OnConnectMessage {
        payload: Bytes::from_static(br#"{"type":"subscribe_events","event_type":"state_changed"}"#),
        kind: PayloadKind::Text,
        template: None,
    });
    home_assistant_auth(&mut config);
    config.reconnect.backoff.initial_delay = Duration::from_millis(300);
    config.reconnect.backoff.jitter = 0.0;
    let (handle, mut events) = common::connected_session(config);
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .compose(r#"{"type":"subscribe_events","event_type":"call_service"}"#)
        .expect("compose");
    let answered = tokio::time::timeout(WAIT, async {
        let (mut composed_while_down, mut waited_in_queue) = (false, false);
        while let Some(event) = events.recv().await {
            if matches!(event, Event::ReconnectScheduled { .. }) && !composed_while_down {
                handle.compose(r#"{"type":"get_states"}"#).expect("compose");
                composed_while_down = true;
            }
            waited_in_queue |= composed_while_down && matches!(event, Event::Queued { .. });
            let text = incoming_text(&event);
            if text.as_deref() == Some(r#"{"id":6,"type":"result","success":true,"result":[]}"#) {
                return waited_in_queue;
            }
        }
        false
    })
    .await;
    handle.shutdown().expect("shutdown");
    let replay = server.finished().await;
    assert_eq!(answered, Ok(true), "{:?}", replay.connections);
}
