//! Connecting over real sockets on 127.0.0.1, against independent server
//! implementations (raw TCP, axum, tokio-tungstenite, tokio-rustls): each way a
//! connection can fail is classified and explained (refused, timeout, HTTP status,
//! auth, subprotocol, TLS, oversized message), and the happy paths (headers, Origin,
//! subprotocol negotiation, Bearer auth, wss:// with a CA file or --insecure) work.

use crate::common;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ws::{Message as AxumMessage, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use common::peer::{Background, echo_data_messages, tls_echo_server};
use common::{fast_config, incoming_text, wait_for, wait_for_state};
use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response as WsResponse,
};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use wsdeck::session::{
    AuthMethod, ConnectionInfo, ConnectionState, ErrorKind, Event, EventReceiver, Secret,
    SessionConfig, SessionHandle,
};

/// Bound for waiting on what a test server observed.
const SHORT: Duration = Duration::from_secs(5);

/// A fast config for `url` that never reconnects, so the first failure is final.
fn no_reconnect(url: &str) -> SessionConfig {
    let mut config = fast_config(url);
    config.reconnect.enabled = false;
    config
}

/// Waits for the first `Event::Error`; returns its kind, message and what came before.
async fn next_error(events: &mut EventReceiver) -> (ErrorKind, String, Vec<Event>) {
    let (event, seen) = wait_for(events, "an error", |e| matches!(e, Event::Error { .. })).await;
    let Event::Error { kind, message } = event else {
        unreachable!()
    };
    (kind, message, seen)
}

/// Waits for `Event::Opened`.
async fn next_opened(events: &mut EventReceiver) -> ConnectionInfo {
    let (event, seen) = wait_for(events, "opened", |e| matches!(e, Event::Opened(_))).await;
    let Event::Opened(info) = event else {
        unreachable!()
    };
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Error { .. })),
        "errors before opening: {seen:#?}"
    );
    *info
}

/// Sends a text message and checks that the server echoes it back.
async fn assert_echo(handle: &SessionHandle, events: &mut EventReceiver, text: &str) {
    handle.send_text(text).expect("actor is running");
    let (echo, _) = wait_for(events, "the echo", |e| incoming_text(e).is_some()).await;
    assert_eq!(incoming_text(&echo).as_deref(), Some(text));
}

/// Shuts the session down and waits (bounded) for the actor to stop.
async fn stop(handle: SessionHandle, events: &mut EventReceiver) {
    handle.shutdown().expect("actor is running");
    wait_for(events, "stopped", |e| *e == Event::Stopped).await;
}

/// Asserts the session ended in the Error state without scheduling a reconnect.
async fn assert_ends_in_error(events: &mut EventReceiver, before: &[Event]) {
    let seen = wait_for_state(events, ConnectionState::Error).await;
    let all: Vec<&Event> = before.iter().chain(seen.iter()).collect();
    assert!(
        !all.iter()
            .any(|e| matches!(e, Event::ReconnectScheduled { .. })),
        "reconnect was disabled: {all:#?}"
    );
}

async fn bind_local() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local addr").port();
    (listener, port)
}

// ---- 1. refused ----

#[tokio::test]
async fn refused_port_names_the_address_and_asks_if_the_server_runs() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("local addr").port()
    };
    let (_handle, mut events) =
        common::connected_session(no_reconnect(&format!("ws://127.0.0.1:{port}/")));
    let (kind, message, seen) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::Refused, "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("is the server running?"), "{message}");
    assert_eq!(
        seen.first(),
        Some(&Event::StateChanged(ConnectionState::Connecting))
    );
    assert_ends_in_error(&mut events, &seen).await;
}

// ---- 2. timeout ----

#[tokio::test(start_paused = true)]
async fn silent_server_times_out_within_the_connect_timeout() {
    let (listener, port) = bind_local().await;
    // Accepts and holds every socket, never writing a byte.
    let _server = Background(tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    }));
    let mut config = no_reconnect(&format!("ws://127.0.0.1:{port}/"));
    config.connect_timeout = Duration::from_millis(300);
    let started = tokio::time::Instant::now();
    let (_handle, mut events) = common::connected_session(config);
    let (kind, message, seen) =
        tokio::time::timeout(Duration::from_millis(1500), next_error(&mut events))
            .await
            .expect("the timeout is reported within ~1 s");
    let elapsed = started.elapsed();
    assert_eq!(kind, ErrorKind::Timeout, "{message}");
    assert!(message.contains("timed out"), "{message}");
    assert!(message.contains("300ms"), "{message}");
    assert!(message.contains("--connect-timeout"), "{message}");
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_millis(1200),
        "reported after {elapsed:?}"
    );
    assert_ends_in_error(&mut events, &seen).await;
}

// ---- 3. refused upgrade (axum) ----

const NOT_FOUND_HEAD: &str = "NOT-FOUND-START: no such endpoint here.";
const NOT_FOUND_TAIL: &str = "NOT-FOUND-TAIL";

fn not_found_body() -> String {
    // > 300 bytes, ASCII, with a distinct start and tail.
    format!("{NOT_FOUND_HEAD}{}{NOT_FOUND_TAIL}", "x".repeat(400))
}

async fn axum_ws(headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let authorized = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        == Some("Bearer good-token");
    if !authorized {
        return (StatusCode::UNAUTHORIZED, "bad token").into_response();
    }
    ws.on_upgrade(axum_echo)
}

async fn axum_echo(mut socket: WebSocket) {
    // Keep reading after a Close so the library's close reply is flushed.
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, AxumMessage::Text(_) | AxumMessage::Binary(_))
            && socket.send(message).await.is_err()
        {
            break;
        }
    }
}

async fn start_axum() -> (Background, u16) {
    let (listener, port) = bind_local().await;
    let app = Router::new()
        .route("/ws", get(axum_ws))
        .fallback(|| async { (StatusCode::NOT_FOUND, not_found_body()) });
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (Background(task), port)
}

#[tokio::test]
async fn wrong_path_is_an_http_status_error_with_a_short_body_preview() {
    let (_server, port) = start_axum().await;
    let (_handle, mut events) =
        common::connected_session(no_reconnect(&format!("ws://127.0.0.1:{port}/nope")));
    let (kind, message, seen) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::HttpStatus, "{message}");
    assert!(message.contains("404"), "{message}");
    assert!(message.contains(NOT_FOUND_HEAD), "{message}");
    assert!(!message.contains(NOT_FOUND_TAIL), "{message}");
    // Only the first 200 bytes of the body are shown.
    let xs = message.matches('x').count();
    let expected_xs = 200 - NOT_FOUND_HEAD.len();
    assert!(
        xs >= expected_xs && xs <= expected_xs + 5,
        "{xs} x's in the preview: {message}"
    );
    assert_ends_in_error(&mut events, &seen).await;
}

#[tokio::test]
async fn missing_token_is_an_auth_error_with_the_body() {
    let (_server, port) = start_axum().await;
    let (_handle, mut events) =
        common::connected_session(no_reconnect(&format!("ws://127.0.0.1:{port}/ws")));
    let (kind, message, seen) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::Auth, "{message}");
    assert!(message.contains("401"), "{message}");
    assert!(message.contains("bad token"), "{message}");
    assert_ends_in_error(&mut events, &seen).await;
}

#[tokio::test]
async fn bearer_header_is_accepted_by_axum_and_echo_works() {
    let (_server, port) = start_axum().await;
    let mut config = no_reconnect(&format!("ws://127.0.0.1:{port}/ws"));
    config.auth.method = AuthMethod::Header;
    config.auth.token = Some(Secret::new("good-token"));
    let (handle, mut events) = common::connected_session(config);
    let info = next_opened(&mut events).await;
    assert!(!info.tls && !info.insecure, "{info:?}");
    assert_eq!(info.peer_addr.map(|a| a.port()), Some(port));
    // The handshake is kept for recordings with the credential masked.
    assert_eq!(info.handshake.status, 101);
    assert_eq!(
        header_value(&info.handshake.request_headers, "authorization"),
        Some("Bearer ***"),
        "{info:?}"
    );
    assert!(!format!("{info:?}").contains("good-token"), "{info:?}");
    assert_eq!(info.handshake.response_header("upgrade"), Some("websocket"));
    wait_for_state(&mut events, ConnectionState::Authenticated).await;
    assert_echo(&handle, &mut events, "hello axum").await;
    stop(handle, &mut events).await;
}

// ---- 4. headers, Origin, subprotocols (tokio-tungstenite) ----

/// How the tungstenite test server answers an offered subprotocol.
#[derive(Clone, Copy)]
enum Select {
    /// Selects "v2.chat" when it was offered.
    V2,
    /// Selects nothing, whatever was offered.
    Nothing,
}

/// Headers of one upgrade request, names in lower case.
type RequestHeaders = Vec<(String, String)>;

/// The handshake callback: records the request's headers and picks a subprotocol.
struct Recorder {
    select: Select,
    seen: mpsc::UnboundedSender<RequestHeaders>,
}

impl Callback for Recorder {
    fn on_request(
        self,
        request: &Request,
        mut response: WsResponse,
    ) -> Result<WsResponse, ErrorResponse> {
        let headers: RequestHeaders = request
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let offered_v2 = request
            .headers()
            .get_all("sec-websocket-protocol")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .any(|name| name.trim() == "v2.chat");
        let _ = self.seen.send(headers);
        if matches!(self.select, Select::V2) && offered_v2 {
            response.headers_mut().insert(
                "sec-websocket-protocol",
                HeaderValue::from_static("v2.chat"),
            );
        }
        Ok(response)
    }
}

/// A tokio-tungstenite echo server that reports each upgrade request's headers on
/// the returned channel.
async fn start_recording_server(
    select: Select,
) -> (Background, u16, mpsc::UnboundedReceiver<RequestHeaders>) {
    let (listener, port) = bind_local().await;
    let (seen_sender, seen) = mpsc::unbounded_channel();
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let recorder = Recorder {
                select,
                seen: seen_sender.clone(),
            };
            tokio::spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_hdr_async(socket, recorder).await {
                    echo_data_messages(ws).await;
                }
            });
        }
    });
    (Background(task), port, seen)
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn headers_origin_and_subprotocol_reach_the_server_and_v2_is_selected() {
    let (_server, port, mut requests) = start_recording_server(Select::V2).await;
    let mut config = no_reconnect(&format!("ws://127.0.0.1:{port}/chat"));
    config.headers = vec![("X-Trace".into(), "abc".into())];
    config.origin = Some("http://example.test".into());
    config.subprotocols = vec!["v1.chat".into(), "v2.chat".into()];
    let (handle, mut events) = common::connected_session(config);
    let info = next_opened(&mut events).await;
    assert_eq!(info.subprotocol.as_deref(), Some("v2.chat"), "{info:?}");
    assert!(!info.tls && !info.insecure, "{info:?}");
    assert_eq!(info.url, format!("ws://127.0.0.1:{port}/chat"));
    assert_eq!(
        header_value(&info.handshake.request_headers, "x-trace"),
        Some("abc")
    );
    assert_eq!(
        info.handshake.response_header("sec-websocket-protocol"),
        Some("v2.chat")
    );

    let headers = tokio::time::timeout(SHORT, requests.recv())
        .await
        .expect("server saw the request")
        .expect("server is running");
    assert_eq!(
        header_value(&headers, "x-trace"),
        Some("abc"),
        "{headers:?}"
    );
    assert_eq!(
        header_value(&headers, "origin"),
        Some("http://example.test"),
        "{headers:?}"
    );
    assert_eq!(
        header_value(&headers, "sec-websocket-protocol"),
        Some("v1.chat, v2.chat"),
        "{headers:?}"
    );
    assert_eq!(header_value(&headers, "authorization"), None, "{headers:?}");

    wait_for_state(&mut events, ConnectionState::Connected).await;
    assert_echo(&handle, &mut events, "hi tungstenite").await;
    stop(handle, &mut events).await;
}

#[tokio::test]
async fn server_selecting_no_subprotocol_is_a_protocol_error() {
    let (_server, port, _requests) = start_recording_server(Select::Nothing).await;
    let mut config = no_reconnect(&format!("ws://127.0.0.1:{port}/"));
    config.subprotocols = vec!["v1.chat".into(), "v2.chat".into()];
    let (_handle, mut events) = common::connected_session(config);
    let (kind, message, seen) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::Protocol, "{message}");
    assert!(message.contains("subprotocol"), "{message}");
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Opened(_))),
        "{seen:#?}"
    );
    assert_ends_in_error(&mut events, &seen).await;
}

// ---- 5. TLS ----

/// A self-signed certificate for localhost and 127.0.0.1, its PEM in a temp file
/// (removed on drop), and a TLS acceptor serving it.
struct TestCert {
    pem_path: PathBuf,
    acceptor: TlsAcceptor,
}

impl Drop for TestCert {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.pem_path);
    }
}

fn test_cert() -> TestCert {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let rcgen::CertifiedKey { cert, key_pair } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("certificate generates");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let pem_path = std::env::temp_dir().join(format!(
        "wsdeck-engine-connect-{}-{nanos}-{}.pem",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&pem_path, cert.pem()).expect("write the PEM");
    let cert_der: CertificateDer<'static> = cert.der().clone();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der()));
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![cert_der], key_der)
    .expect("server certificate");
    TestCert {
        pem_path,
        acceptor: TlsAcceptor::from(Arc::new(server_config)),
    }
}

/// A plain ws:// echo server (tokio-tungstenite, no TLS).
async fn start_plain_echo() -> (Background, u16) {
    let (listener, port) = bind_local().await;
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(ws) = tokio_tungstenite::accept_async(socket).await {
                    echo_data_messages(ws).await;
                }
            });
        }
    });
    (Background(task), port)
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error_suggesting_cacert_or_insecure() {
    let cert = test_cert();
    let (_server, port) = tls_echo_server(cert.acceptor.clone()).await;
    let (_handle, mut events) =
        common::connected_session(no_reconnect(&format!("wss://127.0.0.1:{port}/")));
    let (kind, message, seen) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::Tls, "{message}");
    assert!(message.contains("--cacert"), "{message}");
    assert!(message.contains("--insecure"), "{message}");
    assert_ends_in_error(&mut events, &seen).await;
}

#[tokio::test]
async fn ca_file_makes_the_self_signed_server_trusted() {
    let cert = test_cert();
    let (_server, port) = tls_echo_server(cert.acceptor.clone()).await;
    let mut config = no_reconnect(&format!("wss://127.0.0.1:{port}/"));
    config.tls.ca_files = vec![cert.pem_path.clone()];
    let (handle, mut events) = common::connected_session(config);
    let info = next_opened(&mut events).await;
    assert!(info.tls, "{info:?}");
    assert!(!info.insecure, "{info:?}");
    wait_for_state(&mut events, ConnectionState::Connected).await;
    assert_echo(&handle, &mut events, "hello over tls").await;
    stop(handle, &mut events).await;
}

#[tokio::test]
async fn insecure_skips_verification_and_says_so() {
    let cert = test_cert();
    let (_server, port) = tls_echo_server(cert.acceptor.clone()).await;
    let mut config = no_reconnect(&format!("wss://127.0.0.1:{port}/"));
    config.tls.insecure = true;
    let (handle, mut events) = common::connected_session(config);
    let info = next_opened(&mut events).await;
    assert!(info.tls && info.insecure, "{info:?}");
    let seen = wait_for_state(&mut events, ConnectionState::Connected).await;
    assert!(
        seen.iter()
            .any(|e| matches!(e, Event::Notice(n) if n == wsdeck::session::INSECURE_NOTICE)),
        "no INSECURE notice in {seen:#?}"
    );
    assert_echo(&handle, &mut events, "hello insecurely").await;
    stop(handle, &mut events).await;
}

#[tokio::test]
async fn wss_against_a_plain_server_fails_fast() {
    let (_server, port) = start_plain_echo().await;
    let mut config = no_reconnect(&format!("wss://127.0.0.1:{port}/"));
    config.connect_timeout = Duration::from_secs(5);
    config.tls.insecure = true;
    let started = Instant::now();
    let (_handle, mut events) = common::connected_session(config);
    let (kind, message, seen) = next_error(&mut events).await;
    let elapsed = started.elapsed();
    assert_eq!(kind, ErrorKind::Tls, "{message}");
    assert!(message.contains("try ws://"), "{message}");
    assert!(
        elapsed < Duration::from_secs(2),
        "took {elapsed:?}: {message}"
    );
    assert_ends_in_error(&mut events, &seen).await;
}

#[tokio::test]
async fn wss_against_a_plain_http_server_hints_at_ws() {
    // axum (hyper) answers the ClientHello with an HTTP 400, which is not TLS.
    let (_server, port) = start_axum().await;
    let mut config = no_reconnect(&format!("wss://127.0.0.1:{port}/ws"));
    config.connect_timeout = Duration::from_secs(5);
    let started = Instant::now();
    let (_handle, mut events) = common::connected_session(config);
    let (kind, message, seen) = next_error(&mut events).await;
    let elapsed = started.elapsed();
    assert!(
        matches!(kind, ErrorKind::Tls | ErrorKind::Io),
        "{kind:?}: {message}"
    );
    if kind == ErrorKind::Tls {
        assert!(message.contains("ws://"), "{message}");
    }
    assert!(
        elapsed < Duration::from_secs(2),
        "took {elapsed:?}: {message}"
    );
    assert_ends_in_error(&mut events, &seen).await;
}

// ---- 6. max message size ----

#[tokio::test]
async fn oversized_message_closes_with_1009() {
    let (listener, port) = bind_local().await;
    let (code_sender, code_received) = oneshot::channel::<Option<u16>>();
    let _server = Background(tokio::spawn(async move {
        let Ok((socket, _)) = listener.accept().await else {
            return;
        };
        let Ok(mut ws) = tokio_tungstenite::accept_async(socket).await else {
            return;
        };
        if ws.send(Message::text("a".repeat(2000))).await.is_err() {
            return;
        }
        while let Some(Ok(message)) = ws.next().await {
            if let Message::Close(frame) = message {
                let _ = code_sender.send(frame.map(|f| u16::from(f.code)));
                break;
            }
        }
    }));
    let mut config = no_reconnect(&format!("ws://127.0.0.1:{port}/"));
    config.max_message_size = 1000;
    let (_handle, mut events) = common::connected_session(config);
    let (kind, message, seen) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::MessageTooBig, "{message}");
    assert!(message.contains("2000"), "{message}");
    assert!(message.contains("1000"), "{message}");
    assert!(
        seen.iter().any(|e| matches!(e, Event::Opened(_))),
        "{seen:#?}"
    );
    let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(outcome.code, Some(1009), "{outcome:?}");
    assert!(!outcome.by_peer, "{outcome:?}");

    // Best effort: the server should have received our close frame with 1009.
    match tokio::time::timeout(Duration::from_secs(1), code_received).await {
        Ok(Ok(code)) => assert_eq!(code, Some(1009)),
        Ok(Err(_)) => eprintln!("note: the server ended without seeing a close frame"),
        Err(_) => eprintln!("note: no close frame reached the server within 1 s"),
    }
}

/// A server that completes the upgrade, then sends a frame with a reserved bit set
/// (no extension was negotiated): a protocol violation.
async fn start_protocol_breaker() -> (Background, u16) {
    let (listener, port) = bind_local().await;
    let task = tokio::spawn(async move {
        if let Ok((socket, _)) = listener.accept().await
            && let Ok(mut ws) = tokio_tungstenite::accept_async(socket).await
        {
            use tokio::io::AsyncWriteExt;
            // FIN + RSV1 + text opcode, unmasked, empty payload.
            let _ = ws.get_mut().write_all(&[0xC1, 0x00]).await;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    (Background(task), port)
}

#[tokio::test]
async fn protocol_violation_is_one_protocol_error_and_a_1006() {
    let (_server, port) = start_protocol_breaker().await;
    let (_handle, mut events) =
        common::connected_session(no_reconnect(&format!("ws://127.0.0.1:{port}/")));
    let (kind, message, _) = next_error(&mut events).await;
    assert_eq!(kind, ErrorKind::Protocol, "{message}");
    assert!(message.contains("protocol"), "{message}");
    let (closed, between) =
        wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    assert!(
        !between.iter().any(|e| matches!(e, Event::Error { .. })),
        "one error, not two: {between:#?}"
    );
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(outcome.code, Some(1006));
    wait_for_state(&mut events, ConnectionState::Error).await;
}

/// A server that sends a Close frame with `code` after the upgrade, then keeps the
/// TCP connection open without a word (it never completes the close).
async fn start_close_and_hold(code: u16) -> (Background, u16) {
    let (listener, port) = bind_local().await;
    let task = tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut ws) = tokio_tungstenite::accept_async(socket).await {
                    use tokio::io::AsyncWriteExt;
                    let [high, low] = code.to_be_bytes();
                    // FIN + close opcode, unmasked, 2-byte payload: the code.
                    let _ = ws.get_mut().write_all(&[0x88, 0x02, high, low]).await;
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            });
        }
    });
    (Background(task), port)
}

#[tokio::test(start_paused = true)]
async fn a_peer_close_without_the_tcp_close_still_ends_the_link() {
    let (_server, port) = start_close_and_hold(1013).await;
    let (handle, mut events) =
        common::connected_session(fast_config(&format!("ws://127.0.0.1:{port}/")));
    let started = tokio::time::Instant::now();
    let (closed, _) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!((outcome.code, outcome.by_peer), (Some(1013), true));
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    // 1013 (try again later) is retried.
    wait_for(&mut events, "reconnect", |e| {
        matches!(e, Event::ReconnectScheduled { .. })
    })
    .await;
    handle.shutdown().unwrap();
}

#[tokio::test(start_paused = true)]
async fn closing_after_the_peer_closed_reports_the_peer_close() {
    let (_server, port) = start_close_and_hold(4001).await;
    let (handle, mut events) =
        common::connected_session(no_reconnect(&format!("ws://127.0.0.1:{port}/")));
    wait_for(
        &mut events,
        "the peer's close frame",
        |e| matches!(e, Event::Frame(f) if f.kind == wsdeck::session::FrameKind::Close),
    )
    .await;
    handle.close(1000, "").unwrap();
    let (closed, seen) = wait_for(&mut events, "closed", |e| matches!(e, Event::Closed(_))).await;
    let Event::Closed(outcome) = closed else {
        unreachable!()
    };
    assert_eq!(
        (outcome.code, outcome.by_peer),
        (Some(4001), true),
        "{seen:#?}"
    );
    assert!(
        !seen.iter().any(|e| matches!(e, Event::Frame(f)
            if f.kind == wsdeck::session::FrameKind::Close
                && f.direction == wsdeck::session::Direction::Outgoing
                && f.close_code == Some(1000))),
        "no 1000 close frame was sent: {seen:#?}"
    );
}
