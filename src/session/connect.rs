//! Opening one connection: DNS, TCP, TLS and the WebSocket upgrade, each failure told
//! apart (bad input, DNS, refused, timeout, TLS, HTTP status, protocol) in a message
//! that says what to do next and never shows the token.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rustls::ClientConfig;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::{HeaderMap, HeaderName, HeaderValue, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use url::{Host, Url};

use super::config::{SessionConfig, TlsOptions};
use super::event::{ConnectionInfo, ErrorKind, Handshake};
use super::proxy::{self, ProxyConfig};
use super::tls;
use super::tls_probe;
use super::tls_verify::CertProblem;
use crate::secret::Redactor;

/// The socket type the actor owns.
pub type WsStream = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How many bytes of a refused upgrade's body are shown.
const BODY_PREVIEW_BYTES: usize = 200;

/// A failed connection attempt, classified, with a user-facing message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConnectError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// What happened and what to do (secrets redacted).
    pub message: String,
    /// The HTTP status of a refused upgrade.
    pub http_status: Option<u16>,
}

impl ConnectError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            http_status: None,
        }
    }
}

/// An open connection and what is known about it.
pub struct Established {
    /// The socket.
    pub stream: WsStream,
    /// Facts for display.
    pub info: ConnectionInfo,
}

/// The rustls configuration for a wss:// URL (None for ws://). The actor builds it
/// once per session and reuses it across reconnects.
pub fn tls_config_for(config: &SessionConfig) -> Result<Option<Arc<ClientConfig>>, ConnectError> {
    if config.url.scheme() != "wss" {
        return Ok(None);
    }
    tls::client_config(&config.tls)
        .map(Some)
        .map_err(|error| ConnectError::new(ErrorKind::InvalidInput, error.to_string()))
}

/// Connects once, within the configured timeout.
pub async fn connect(
    config: Arc<SessionConfig>,
    tls_config: Option<Arc<ClientConfig>>,
    redactor: Redactor,
) -> Result<Established, ConnectError> {
    let config = &*config;
    let redactor = &redactor;
    let url = config.auth.url_with_token(&config.url);
    let shown_url = redactor.text(url.as_str()).into_owned();
    let shown_proxy = config.proxy.as_ref().map(|proxy| proxy.described());
    tracing::debug!(
        url = %shown_url,
        timeout = ?config.connect_timeout,
        proxy = shown_proxy.as_deref().unwrap_or("none"),
        "connecting"
    );
    let request = build_request(config, &url).map_err(|error| redact(error, redactor))?;
    let secure = url.scheme() == "wss";
    let connector = match tls_config {
        Some(tls_config) if secure => Connector::Rustls(tls_config),
        None if secure => {
            return Err(ConnectError::new(
                ErrorKind::InvalidInput,
                "internal: wss:// without TLS settings",
            ));
        }
        _ => Connector::Plain,
    };
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(config.max_message_size))
        .max_frame_size(Some(config.max_message_size));

    let tcp_connected = AtomicBool::new(false);
    let attempt = async {
        let (tcp, peer_addr) = open_tcp(&url, config.proxy.as_ref()).await?;
        tcp_connected.store(true, Ordering::Relaxed);
        let _ = tcp.set_nodelay(true);
        let request_headers = shown_headers(request.headers(), redactor);
        let handshake = tokio_tungstenite::client_async_tls_with_config(
            request,
            tcp,
            Some(ws_config),
            Some(connector),
        )
        .await;
        let (stream, response) = match handshake {
            Ok(done) => done,
            Err(error) => {
                let proxied = config.proxy.is_some();
                return Err(
                    explain_failed_upgrade(error, &url, peer_addr, proxied, &config.tls).await,
                );
            }
        };
        let subprotocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|value| value.to_str().ok())
            .map(|value| redactor.text(value).into_owned());
        tracing::debug!(
            status = response.status().as_u16(),
            subprotocol = subprotocol.as_deref().unwrap_or("-"),
            peer = %peer_addr,
            "handshake done"
        );
        Ok(Established {
            stream,
            info: ConnectionInfo {
                url: shown_url.clone(),
                subprotocol,
                tls: secure,
                insecure: secure && config.tls.insecure,
                peer_addr: Some(peer_addr),
                proxy: config.proxy.as_ref().map(|proxy| proxy.masked()),
                handshake: Handshake {
                    request_headers,
                    status: response.status().as_u16(),
                    response_headers: shown_headers(response.headers(), redactor),
                },
            },
        })
    };
    let result = match tokio::time::timeout(config.connect_timeout, attempt).await {
        Ok(result) => result.map_err(|error| redact(error, redactor)),
        Err(_) => Err(timed_out(
            &shown_url,
            config.connect_timeout,
            secure,
            tcp_connected.load(Ordering::Relaxed),
            shown_proxy.as_deref(),
        )),
    };
    if let Err(error) = &result {
        tracing::debug!(
            kind = ?error.kind,
            http_status = error.http_status,
            why = %error.message,
            "connect failed"
        );
    }
    result
}

/// An attempt that ran out of time: before TCP connected (is the host reachable?),
/// before the proxy's tunnel opened (is the proxy reachable?) or in the upgrade after
/// it (is it a WebSocket endpoint?).
fn timed_out(
    shown_url: &str,
    timeout: Duration,
    secure: bool,
    tcp_connected: bool,
    proxy: Option<&str>,
) -> ConnectError {
    let waited = humantime::format_duration(timeout);
    let message = if let (Some(proxy), false) = (proxy, tcp_connected) {
        format!(
            "connecting to {shown_url} through the proxy {proxy} timed out after {waited} — is the proxy reachable, and can it reach the server? (--connect-timeout to wait longer)"
        )
    } else if tcp_connected {
        format!(
            "{shown_url} accepted the TCP connection but the {} upgrade timed out after {waited} — is it a WebSocket endpoint? (--connect-timeout to wait longer)",
            if secure {
                "TLS and WebSocket"
            } else {
                "WebSocket"
            }
        )
    } else {
        format!(
            "connecting to {shown_url} timed out after {waited} — is the host reachable? (--connect-timeout to wait longer)"
        )
    };
    ConnectError::new(ErrorKind::Timeout, message)
}

fn redact(mut error: ConnectError, redactor: &Redactor) -> ConnectError {
    error.message = redactor.text(&error.message).into_owned();
    error
}

/// The upgrade request with Origin, subprotocols, Authorization and custom headers.
fn build_request(config: &SessionConfig, url: &Url) -> Result<Request, ConnectError> {
    let invalid = |message: String| ConnectError::new(ErrorKind::InvalidInput, message);
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|error| invalid(format!("cannot build a request for {url}: {error}")))?;
    let mut extra: Vec<(String, String)> = config.headers.clone();
    if let Some(origin) = &config.origin {
        extra.push(("Origin".into(), origin.clone()));
    }
    let offered = config.auth.subprotocols(&config.subprotocols);
    if !offered.is_empty() {
        extra.push(("Sec-WebSocket-Protocol".into(), offered.join(", ")));
    }
    if let Some(authorization) = config.auth.authorization_header() {
        extra.push(("Authorization".into(), authorization));
    }
    let headers = request.headers_mut();
    for (name, value) in extra {
        let header_name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| invalid(format!("'{name}' is not a valid HTTP header name")))?;
        let header_value = HeaderValue::from_str(&value).map_err(|_| {
            invalid(format!(
                "the value of header '{name}' contains characters HTTP headers cannot carry"
            ))
        })?;
        headers.insert(header_name, header_value);
    }
    Ok(request)
}

/// Headers as a recording keeps them: in order, credentials masked (an
/// `Authorization` keeps its scheme, `Bearer ***`; cookies become `***`) and any
/// known token replaced wherever it appears.
fn shown_headers(headers: &HeaderMap, redactor: &Redactor) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = match name.as_str() {
                "authorization" | "proxy-authorization" => match value.split_once(' ') {
                    Some((scheme, _)) => format!("{scheme} ***"),
                    None => "***".to_owned(),
                },
                "cookie" | "set-cookie" => "***".to_owned(),
                _ => redactor.text(&value).into_owned(),
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

/// Resolves the host and opens TCP to the first address that answers, or, with a
/// proxy, opens a tunnel through it (the address returned is then the proxy's).
async fn open_tcp(
    url: &Url,
    proxy: Option<&ProxyConfig>,
) -> Result<(TcpStream, SocketAddr), ConnectError> {
    let port = url.port_or_known_default().unwrap_or(80);
    if let Some(proxy) = proxy {
        let host = url.host_str().unwrap_or_default();
        return proxy::open_tunnel(proxy, host, port)
            .await
            .map_err(|error| ConnectError::new(error.kind, error.message));
    }
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(Host::Domain(name)) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|error| {
                ConnectError::new(
                    ErrorKind::Dns,
                    format!("cannot resolve host '{name}': {error} — check the spelling and your network"),
                )
            })?
            .collect(),
        None => {
            return Err(ConnectError::new(
                ErrorKind::InvalidInput,
                format!("{url} has no host"),
            ));
        }
    };
    let mut last_error = None;
    for address in &addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok((stream, *address)),
            Err(error) => last_error = Some((*address, error)),
        }
    }
    Err(match last_error {
        Some((address, error)) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
            ConnectError::new(
                ErrorKind::Refused,
                format!("connection refused by {address} — is the server running?"),
            )
        }
        Some((address, error)) => ConnectError::new(
            ErrorKind::Refused,
            format!("cannot reach {address}: {error}"),
        ),
        None => ConnectError::new(
            ErrorKind::Dns,
            format!(
                "host '{}' resolved to no addresses",
                url.host_str().unwrap_or("")
            ),
        ),
    })
}

/// A failed upgrade, explained; a `ws://` upgrade that got no HTTP answer is checked
/// for a TLS port first.
async fn explain_failed_upgrade(
    error: WsError,
    url: &Url,
    peer_addr: SocketAddr,
    proxied: bool,
    tls: &TlsOptions,
) -> ConnectError {
    let unanswered = matches!(
        error,
        WsError::Protocol(ProtocolError::HandshakeIncomplete | ProtocolError::HttparseError(_))
    );
    let host = url.host_str().unwrap_or_default();
    // Through a proxy, `peer_addr` is the proxy's: probing it would say nothing about
    // the server.
    if unanswered
        && !proxied
        && url.scheme() == "ws"
        && tls_probe::speaks_tls(peer_addr, host).await
    {
        return ConnectError::new(
            ErrorKind::Protocol,
            format!(
                "{host} speaks TLS on port {}: use wss:// instead of ws://",
                peer_addr.port()
            ),
        );
    }
    classify_handshake_error(error, url, tls)
}

/// Turns a tungstenite handshake error into a classified, actionable message.
fn classify_handshake_error(error: WsError, url: &Url, tls: &TlsOptions) -> ConnectError {
    let host = url.host_str().unwrap_or("the server");
    match error {
        WsError::Http(response) => refused_upgrade(&response),
        WsError::Tls(tokio_tungstenite::tungstenite::error::TlsError::Rustls(error)) => {
            rustls_failure(host, &error, tls)
        }
        WsError::Tls(error) => tls_error(host, &error.to_string()),
        WsError::Io(error) => handshake_io_failure(host, &error, url.scheme() == "wss", tls),
        WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(kind)) => {
            subprotocol_failure(host, kind)
        }
        WsError::Protocol(ProtocolError::HandshakeIncomplete) => ConnectError::new(
            ErrorKind::Io,
            format!(
                "{host} closed the connection without answering the WebSocket upgrade — check the path ({UPGRADE_PATH_HINT})"
            ),
        ),
        WsError::Protocol(ProtocolError::HttparseError(error)) if url.scheme() == "ws" => {
            ConnectError::new(
                ErrorKind::Protocol,
                format!(
                    "{host} did not answer the upgrade in HTTP ({error}) — the server seems to speak TLS; try wss://"
                ),
            )
        }
        WsError::Protocol(ProtocolError::HttparseError(error)) => ConnectError::new(
            ErrorKind::Protocol,
            format!(
                "{host} did not answer the upgrade in HTTP ({error}) — is it a WebSocket endpoint?"
            ),
        ),
        WsError::Url(error) => {
            ConnectError::new(ErrorKind::InvalidInput, format!("bad URL: {error}"))
        }
        WsError::ConnectionClosed | WsError::AlreadyClosed => ConnectError::new(
            ErrorKind::Io,
            format!(
                "{host} closed the connection during the handshake — is it a WebSocket endpoint?"
            ),
        ),
        other => ConnectError::new(
            ErrorKind::Protocol,
            format!("WebSocket handshake with {host} failed: {other}"),
        ),
    }
}

/// An upgrade the server answered with an HTTP status other than 101: its status,
/// a hint for the common ones, and the start of its body.
fn refused_upgrade(response: &Response<Option<Vec<u8>>>) -> ConnectError {
    let status = response.status();
    let body = response
        .body()
        .as_deref()
        .map(body_preview)
        .unwrap_or_default();
    let kind = if matches!(status.as_u16(), 401 | 403) {
        ErrorKind::Auth
    } else {
        ErrorKind::HttpStatus
    };
    let hint = match status.as_u16() {
        401 | 403 => " — check the token and --auth mode",
        404 => " — check the URL path",
        _ => "",
    };
    let mut message = format!(
        "server refused the WebSocket upgrade: HTTP {} {}{hint}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    if !body.is_empty() {
        message.push_str(&format!("; body: {body}"));
    }
    ConnectError {
        kind,
        message,
        http_status: Some(status.as_u16()),
    }
}

/// The start of a refused upgrade's body, as the server's words: on one line, its
/// control characters escaped, `…` when cut.
fn body_preview(bytes: &[u8]) -> String {
    let preview = &bytes[..bytes.len().min(BODY_PREVIEW_BYTES)];
    let mut text =
        crate::terminal_text::one_line(String::from_utf8_lossy(preview).trim()).into_owned();
    if bytes.len() > BODY_PREVIEW_BYTES {
        text.push('…');
    }
    text
}

/// An I/O error during the handshake: a TLS failure rustls reported through the
/// socket, a wss:// peer that hung up (not speaking TLS?), else the error itself.
fn handshake_io_failure(
    host: &str,
    error: &std::io::Error,
    secure: bool,
    tls: &TlsOptions,
) -> ConnectError {
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls_error) => rustls_failure(host, rustls_error, tls),
        None if secure && error.kind() == std::io::ErrorKind::UnexpectedEof => ConnectError::new(
            ErrorKind::Tls,
            format!(
                "TLS handshake with {host} failed: the server closed the connection — {NOT_TLS_HINT}"
            ),
        ),
        None => ConnectError::new(
            ErrorKind::Io,
            format!("connection to {host} failed during the handshake: {error}"),
        ),
    }
}

/// A server whose subprotocol choice does not fit what was offered.
fn subprotocol_failure(host: &str, kind: SubProtocolError) -> ConnectError {
    let detail = match kind {
        SubProtocolError::NoSubProtocol => {
            "the server selected none of the offered subprotocols (check -s/--subprotocol)"
        }
        SubProtocolError::InvalidSubProtocol => {
            "the server selected a subprotocol that was not offered"
        }
        SubProtocolError::ServerSentSubProtocolNoneRequested => {
            "the server selected a subprotocol although none was offered; offer it with -s NAME"
        }
    };
    ConnectError::new(
        ErrorKind::Protocol,
        format!("handshake with {host} failed: {detail}"),
    )
}

/// Said when a server drops an upgrade unanswered, as Socket.IO servers do on any
/// path but theirs.
const UPGRADE_PATH_HINT: &str = "for Socket.IO the path is usually /socket.io/?EIO=4&transport=websocket, which --provider socket-io fills in";

/// Said when a wss:// peer does not seem to speak TLS at all.
const NOT_TLS_HINT: &str = "is the server speaking TLS? try ws:// instead of wss://";

/// A rustls error in words: the verifier's own explanation when it has one, the
/// client-certificate cases of mutual TLS, else `tls_error`.
fn rustls_failure(host: &str, error: &rustls::Error, tls: &TlsOptions) -> ConnectError {
    use rustls::AlertDescription as Alert;
    let failed = |text: String| {
        ConnectError::new(
            ErrorKind::Tls,
            format!("TLS handshake with {host} failed: {text}"),
        )
    };
    let has_client_cert = tls.client_cert.is_some();
    match error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) => {
            match other.0.downcast_ref::<CertProblem>() {
                Some(problem) => failed(problem.to_string()),
                None => tls_error(host, &error.to_string()),
            }
        }
        rustls::Error::AlertReceived(Alert::CertificateRequired) => failed(
            "the server requires a client certificate — give one with --cert FILE --key FILE"
                .to_string(),
        ),
        rustls::Error::AlertReceived(Alert::HandshakeFailure) if !has_client_cert => failed(
            "the server ended the handshake (handshake_failure) — if it requires a client \
             certificate, give one with --cert FILE --key FILE"
                .to_string(),
        ),
        rustls::Error::AlertReceived(
            alert @ (Alert::BadCertificate
            | Alert::UnknownCA
            | Alert::CertificateUnknown
            | Alert::CertificateExpired
            | Alert::AccessDenied
            | Alert::DecryptError),
        ) if has_client_cert => failed(format!(
            "the server rejected the client certificate given with --cert ({alert:?}) — \
             is it signed by a CA the server trusts, and still valid?"
        )),
        _ => tls_error(host, &error.to_string()),
    }
}

fn tls_error(host: &str, detail: &str) -> ConnectError {
    let hint = if detail.contains("UnknownIssuer") || detail.contains("invalid peer certificate") {
        "trust its CA with --cacert FILE, or skip verification with --insecure"
    } else if detail.contains("CorruptMessage") || detail.contains("InvalidContentType") {
        NOT_TLS_HINT
    } else {
        ""
    };
    let separator = if hint.is_empty() { "" } else { " — " };
    ConnectError::new(
        ErrorKind::Tls,
        format!("TLS handshake with {host} failed: {detail}{separator}{hint}"),
    )
}
