//! The GraphQL adapters against a real GraphQL server (async-graphql over axum) on
//! loopback, in both protocols it speaks: graphql-transport-ws (`graphql-ws`
//! provider) and Apollo's legacy subscriptions-transport-ws (`apollo-legacy`).
//! Queries, subscriptions to completion, ping/pong, and refused auth.

use crate::common;

use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols};
use async_graphql::{Data, EmptyMutation, Object, Schema, Subscription};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::WebSocketUpgrade;
use axum::routing::get;
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use wsdeck::protocol::Correlation;
use wsdeck::session::{self, ConnectionState, Direction, Event, EventReceiver, Frame};

use common::{fast_config, wait_for, wait_for_error_of_kind, wait_for_state};

struct Query;

#[Object]
impl Query {
    async fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }
}

struct Ticks;

#[Subscription]
impl Ticks {
    async fn ticks(&self, n: i32) -> impl Stream<Item = i32> {
        futures_util::stream::iter(0..n)
    }
}

type TestSchema = Schema<Query, EmptyMutation, Ticks>;

/// A GraphQL server at `/graphql` that accepts `connection_init` only with
/// `{"authorization":"Bearer good"}`.
async fn server() -> String {
    let schema: TestSchema = Schema::build(Query, EmptyMutation, Ticks).finish();
    let app = axum::Router::new().route(
        "/graphql",
        get(
            move |protocol: GraphQLProtocol, upgrade: WebSocketUpgrade| async move {
                upgrade
                    .protocols(ALL_WEBSOCKET_PROTOCOLS)
                    .on_upgrade(move |stream| {
                        GraphQLWebSocket::new(stream, schema, protocol)
                            .on_connection_init(|payload: Value| async move {
                                if payload.get("authorization") == Some(&json!("Bearer good")) {
                                    Ok(Data::default())
                                } else {
                                    Err("forbidden: bad token".into())
                                }
                            })
                            .serve()
                    })
            },
        ),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("ws://{address}/graphql")
}

fn config(url: &str, protocol: WebSocketProtocols, token: &str) -> session::SessionConfig {
    let mut config = fast_config(url);
    let (provider, subprotocol) = match protocol {
        WebSocketProtocols::GraphQLWS => ("graphql-ws", "graphql-transport-ws"),
        WebSocketProtocols::SubscriptionsTransportWS => ("apollo-legacy", "graphql-ws"),
    };
    config.provider = provider.into();
    config.subprotocols = vec![subprotocol.into()];
    config.handshake_payload = Some(json!({ "authorization": format!("Bearer {token}") }));
    config.reconnect.enabled = false;
    config
}

/// Waits for an incoming frame whose JSON `type` is `kind`.
async fn incoming_of_type(events: &mut EventReceiver, kind: &str) -> Frame {
    let (event, _) = wait_for(events, kind, |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text().and_then(|text| serde_json::from_str::<Value>(text).ok())
                .is_some_and(|value| value["type"] == kind))
    })
    .await;
    match event {
        Event::Frame(frame) => frame,
        _ => unreachable!(),
    }
}

fn response_more(frame: &Frame) -> Option<bool> {
    match frame.decoded.as_ref()?.correlation.as_ref()? {
        Correlation::Response { more, .. } => Some(*more),
        Correlation::Request { .. } => None,
    }
}

#[tokio::test]
async fn transport_ws_query_subscription_and_ping() {
    let url = server().await;
    let (handle, mut events) =
        common::connected_session(config(&url, WebSocketProtocols::GraphQLWS, "good"));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;

    handle
        .compose("query { add(a: 1, b: 2) }")
        .expect("compose");
    let next = incoming_of_type(&mut events, "next").await;
    let decoded = next.decoded.clone().expect("decoded next");
    assert!(decoded.label.contains("next"), "{decoded:?}");
    assert_eq!(decoded.data, Some(json!({"data": {"add": 3}})));
    assert_eq!(response_more(&next), Some(true));
    let complete = incoming_of_type(&mut events, "complete").await;
    assert_eq!(response_more(&complete), Some(false));

    handle
        .compose("subscription { ticks(n: 3) }")
        .expect("compose");
    let (_, seen) = wait_for(&mut events, "the subscription's complete", |event| {
        matches!(event, Event::Frame(frame) if frame.direction == Direction::Incoming
            && frame.text().is_some_and(|text| text.contains("\"complete\"")))
    })
    .await;
    let ticks: Vec<Value> = seen
        .iter()
        .filter_map(|event| match event {
            Event::Frame(frame) if frame.direction == Direction::Incoming => {
                frame.decoded.as_ref()?.data.clone()
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        ticks,
        vec![
            json!({"data": {"ticks": 0}}),
            json!({"data": {"ticks": 1}}),
            json!({"data": {"ticks": 2}})
        ]
    );

    handle.compose(r#"{"type":"ping"}"#).expect("compose");
    let pong = incoming_of_type(&mut events, "pong").await;
    assert!(pong.decoded.expect("decoded pong").heartbeat);
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn transport_ws_refused_auth_closes() {
    let url = server().await;
    let (handle, mut events) =
        common::connected_session(config(&url, WebSocketProtocols::GraphQLWS, "bad"));
    let (closed, seen) = wait_for(&mut events, "the close", |event| {
        matches!(event, Event::Closed(_))
    })
    .await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert!(
        matches!(outcome.code, Some(4403) | Some(1002)),
        "refused with 4403 or async-graphql's 1002: {outcome:?}"
    );
    assert!(outcome.reason.contains("forbidden"), "{outcome:?}");
    assert!(
        !seen
            .iter()
            .any(|event| matches!(event, Event::StateChanged(ConnectionState::Authenticated))),
        "never authenticated: {seen:?}"
    );
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn legacy_subscription_to_completion_and_stop() {
    let url = server().await;
    let (handle, mut events) = common::connected_session(config(
        &url,
        WebSocketProtocols::SubscriptionsTransportWS,
        "good",
    ));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    handle
        .compose("subscription { ticks(n: 2) }")
        .expect("compose");
    let first = incoming_of_type(&mut events, "data").await;
    let decoded = first.decoded.clone().expect("decoded data");
    assert!(decoded.label.contains("data"), "{decoded:?}");
    assert_eq!(decoded.data, Some(json!({"data": {"ticks": 0}})));
    let complete = incoming_of_type(&mut events, "complete").await;
    assert_eq!(response_more(&complete), Some(false));
    handle.shutdown().expect("shutdown");
}

#[tokio::test]
async fn legacy_refused_auth_is_an_auth_error() {
    let url = server().await;
    let (handle, mut events) = common::connected_session(config(
        &url,
        WebSocketProtocols::SubscriptionsTransportWS,
        "bad",
    ));
    wait_for_error_of_kind(&mut events, "the auth error", session::ErrorKind::Auth).await;
    handle.shutdown().expect("shutdown");
}

/// The graphql-ws and apollo-legacy presets as shipped (their path, subprotocol and
/// `authorization = "Bearer {{token}}"` handshake payload) are accepted by
/// async-graphql with the token from the environment, and a query answers.
#[tokio::test]
async fn the_graphql_presets_connect_with_their_handshake_payload() {
    let url = server().await;
    let address = url
        .trim_start_matches("ws://")
        .trim_end_matches("/graphql")
        .to_string();
    for preset in ["graphql-ws", "apollo-legacy"] {
        // The presets leave the token line commented out: give it as --token would.
        let config = common::preset_config_with_token(preset, &address, &[], Some("good"));
        let payload = config.handshake_payload.clone();
        let (handle, mut events) = common::connected_session(config);
        wait_for_state(&mut events, ConnectionState::Authenticated).await;
        handle
            .compose("query { add(a: 1, b: 2) }")
            .expect("compose");
        let data = incoming_of_type(
            &mut events,
            if preset == "graphql-ws" {
                "next"
            } else {
                "data"
            },
        )
        .await;
        assert!(
            data.text().is_some_and(|text| text.contains(r#""add":3"#)),
            "{preset}: {data:?} (payload {payload:?})"
        );
        handle.shutdown().expect("shutdown");
    }
}
