//! A scripted loopback WebSocket server that replays a protocol transcript from
//! tests/fixtures/transcripts: `< TEXT` is sent to the client, `> TEXT` must arrive
//! from the client (a JSON subset match where `"*"` matches any value; exact text
//! otherwise), `= close CODE` closes. `#` lines are comments; `\x1e` in a line is
//! the record separator byte. Frames from the client that match no expected line
//! (heartbeats, say) are skipped and kept for the test to look at.
//!
//! For reconnects, the server can serve several connections in turn, each with its
//! own script ([`ScriptedServer::start_connections`], or `= next connection` between
//! them in one text): `= drop` ends a connection by dropping TCP without a close
//! frame, `>! TEXT` says the client's very next text frame must match (nothing is
//! skipped, so a duplicate fails), and `= silent MS` says no text frame at all may
//! arrive within MS milliseconds.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;

/// One step of a transcript.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The server sends this text frame.
    Send(String),
    /// The client must send a frame matching this.
    Expect(String),
    /// The server closes with this code.
    Close(u16),
    /// The client's very next text frame must match this (nothing is skipped).
    ExpectNext(String),
    /// No text frame may arrive from the client for this long.
    Silent(Duration),
    /// The server drops the TCP connection without a close frame.
    Drop,
}

/// Reads a transcript file's text into steps (of one connection: use
/// [`parse_connections`] for a text with `= next connection` lines).
pub fn parse(text: &str) -> Vec<Step> {
    text.lines().filter_map(step).collect()
}

/// Reads a transcript of several connections, separated by `= next connection`
/// lines, into one script per connection.
pub fn parse_connections(text: &str) -> Vec<Vec<Step>> {
    let mut connections = vec![Vec::new()];
    for line in text.lines() {
        if line.trim_end() == "= next connection" {
            connections.push(Vec::new());
        } else if let Some(step) = step(line)
            && let Some(current) = connections.last_mut()
        {
            current.push(step);
        }
    }
    connections
}

/// One transcript line as a step; `None` for comments and blank lines.
fn step(line: &str) -> Option<Step> {
    let line = line.trim_end();
    let unescape = |rest: &str| rest.trim().replace("\\x1e", "\u{1e}");
    if let Some(rest) = line.strip_prefix("< ") {
        Some(Step::Send(unescape(rest)))
    } else if let Some(rest) = line.strip_prefix(">! ") {
        Some(Step::ExpectNext(unescape(rest)))
    } else if let Some(rest) = line.strip_prefix("> ") {
        Some(Step::Expect(unescape(rest)))
    } else if line == "= drop" {
        Some(Step::Drop)
    } else if let Some(rest) = line.strip_prefix("= silent") {
        let millis = rest.trim().parse().expect("= silent MILLISECONDS");
        Some(Step::Silent(Duration::from_millis(millis)))
    } else {
        line.strip_prefix("= close")
            .map(|rest| Step::Close(rest.trim().parse().expect("a close code")))
    }
}

/// What the scripted server saw.
#[derive(Debug, Default)]
pub struct Replay {
    /// Every text frame the client sent, in order, over all connections.
    pub received: Vec<String>,
    /// The text frames of each connection, in order.
    pub connections: Vec<Vec<String>>,
}

/// A running scripted server.
pub struct ScriptedServer {
    /// `ws://127.0.0.1:PORT/PATH`.
    pub url: String,
    /// How long [`ScriptedServer::finished`] waits.
    limit: Duration,
    done: oneshot::Receiver<Result<Replay, String>>,
}

impl ScriptedServer {
    /// Starts a server on a free loopback port that replays `steps` to the first
    /// client; `path` is appended to the URL (e.g. `/api/websocket`).
    pub async fn start(steps: Vec<Step>, path: &str) -> Self {
        Self::start_connections(vec![steps], path).await
    }

    /// Starts a server that replays each script to one connection, in turn: the
    /// first client connection gets the first script, the next one (a reconnect) the
    /// second, and so on.
    pub async fn start_connections(scripts: Vec<Vec<Step>>, path: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let limit = Duration::from_secs(10) * scripts.len().max(1) as u32;
        let (report, done) = oneshot::channel();
        tokio::spawn(async move {
            let mut replay = Replay::default();
            let mut result = Ok(());
            for (number, steps) in scripts.into_iter().enumerate() {
                replay.connections.push(Vec::new());
                result = serve(&listener, steps, &mut replay)
                    .await
                    .map_err(|error| format!("connection {}: {error}", number + 1));
                if result.is_err() {
                    break;
                }
            }
            let _ = report.send(result.map(|()| replay));
        });
        Self {
            url: format!("ws://{address}{path}"),
            limit,
            done,
        }
    }

    /// Waits for every script to finish; panics with what went wrong.
    pub async fn finished(self) -> Replay {
        let limit = self.limit;
        match tokio::time::timeout(limit, self.done).await {
            Ok(Ok(Ok(replay))) => replay,
            Ok(Ok(Err(error))) => panic!("the transcript did not play out: {error}"),
            Ok(Err(_)) => panic!("the scripted server stopped without a result"),
            Err(_) => panic!("the transcript did not finish within {limit:?}"),
        }
    }
}

impl Replay {
    fn push(&mut self, text: String) {
        if let Some(connection) = self.connections.last_mut() {
            connection.push(text.clone());
        }
        self.received.push(text);
    }
}

/// Plays one connection's script on the next client to connect. The first client
/// may take its time (a test may start a binary first); a reconnect must come within
/// 10 s.
async fn serve(
    listener: &TcpListener,
    steps: Vec<Step>,
    replay: &mut Replay,
) -> Result<(), String> {
    let accept = listener.accept();
    let (stream, _) = if replay.connections.len() <= 1 {
        accept.await
    } else {
        tokio::time::timeout(Duration::from_secs(10), accept)
            .await
            .map_err(|_| "the client did not connect again within 10 s".to_string())?
    }
    .map_err(|e| e.to_string())?;
    let mut socket = tokio_tungstenite::accept_hdr_async(stream, select)
        .await
        .map_err(|e| e.to_string())?;
    for step in steps {
        match step {
            Step::Send(text) => socket
                .send(Message::text(text))
                .await
                .map_err(|e| e.to_string())?,
            Step::Close(code) => {
                let frame = CloseFrame {
                    code: code.into(),
                    reason: "".into(),
                };
                socket
                    .send(Message::Close(Some(frame)))
                    .await
                    .map_err(|e| e.to_string())?;
                return Ok(());
            }
            Step::Drop => {
                // Gone without a close frame, as when a process dies or a NAT forgets.
                drop(socket);
                return Ok(());
            }
            Step::Expect(expected) => loop {
                let text = next_text(&mut socket, &expected, replay).await?;
                if frame_matches(&expected, &text) {
                    break;
                }
            },
            Step::ExpectNext(expected) => {
                let text = next_text(&mut socket, &expected, replay).await?;
                if !frame_matches(&expected, &text) {
                    return Err(format!(
                        "expected {expected} next, got {text}; this connection so far: {:?}",
                        replay.connections.last()
                    ));
                }
            }
            Step::Silent(window) => {
                let deadline = tokio::time::Instant::now() + window;
                while let Ok(next) = tokio::time::timeout_at(deadline, socket.next()).await {
                    match next {
                        Some(Ok(Message::Text(text))) => {
                            let text = text.to_string();
                            replay.push(text.clone());
                            return Err(format!(
                                "nothing was to arrive within {window:?}, got {text}; \
                                 this connection so far: {:?}",
                                replay.connections.last()
                            ));
                        }
                        Some(Ok(_)) => {}
                        other => {
                            return Err(format!("client went away while silent: {other:?}"));
                        }
                    }
                }
            }
        }
    }
    // Keep the link open until the client closes, answering its close.
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(5), socket.next()).await
    {
        if let Message::Text(text) = message {
            replay.push(text.to_string());
        }
    }
    Ok(())
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

/// The client's next text frame (other frames are passed over), recorded; an error
/// naming `expected` when none comes within 5 s or the client goes away.
async fn next_text(
    socket: &mut Socket,
    expected: &str,
    replay: &mut Replay,
) -> Result<String, String> {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .map_err(|_| {
                format!(
                    "no client frame matching {expected} within 5 s; got {:?}",
                    replay.received
                )
            })?;
        let message = match next {
            Some(Ok(message)) => message,
            other => return Err(format!("client went away expecting {expected}: {other:?}")),
        };
        if let Message::Text(text) = message {
            let text = text.to_string();
            replay.push(text.clone());
            return Ok(text);
        }
    }
}

/// Selects the first subprotocol offered, as real servers of these protocols do.
#[allow(clippy::result_large_err)] // the signature tungstenite's callback requires
fn select(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    if let Some(offered) = request.headers().get("sec-websocket-protocol")
        && let Some(first) = offered.to_str().ok().and_then(|v| v.split(',').next())
        && let Ok(value) = first.trim().parse()
    {
        response
            .headers_mut()
            .insert("sec-websocket-protocol", value);
    }
    Ok(response)
}

/// Whether a client frame matches an expected line: each record (split on 0x1E)
/// compared as a JSON subset, or as exact text when the line is not JSON.
pub fn frame_matches(expected: &str, actual: &str) -> bool {
    let records = |text: &str| -> Vec<String> {
        text.split('\u{1e}')
            .filter(|record| !record.is_empty())
            .map(str::to_string)
            .collect()
    };
    let (expected, actual) = (records(expected), records(actual));
    expected.len() == actual.len()
        && expected.iter().zip(&actual).all(|(want, got)| {
            match (
                serde_json::from_str::<Value>(want),
                serde_json::from_str::<Value>(got),
            ) {
                (Ok(want), Ok(got)) => subset(&want, &got),
                _ => want == got,
            }
        })
}

/// Whether every key and value of `want` is in `got` (`"*"` matches anything;
/// arrays must have the same length and match element-wise).
pub fn subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::String(star), _) if star == "*" => true,
        (Value::Object(want), Value::Object(got)) => want
            .iter()
            .all(|(key, value)| got.get(key).is_some_and(|other| subset(value, other))),
        (Value::Array(want), Value::Array(got)) => {
            want.len() == got.len() && want.iter().zip(got).all(|(a, b)| subset(a, b))
        }
        _ => want == got,
    }
}
