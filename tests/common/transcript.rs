//! A scripted loopback WebSocket server that replays a protocol transcript from
//! tests/fixtures/transcripts: `< TEXT` is sent to the client, `> TEXT` must arrive
//! from the client (a JSON subset match where `"*"` matches any value; exact text
//! otherwise), `= close CODE` closes. `#` lines are comments; `\x1e` in a line is
//! the record separator byte. Frames from the client that match no expected line
//! (heartbeats, say) are skipped and kept for the test to look at.

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
}

/// Reads a transcript file's text into steps.
pub fn parse(text: &str) -> Vec<Step> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let unescape = |rest: &str| rest.trim().replace("\\x1e", "\u{1e}");
            if let Some(rest) = line.strip_prefix("< ") {
                Some(Step::Send(unescape(rest)))
            } else if let Some(rest) = line.strip_prefix("> ") {
                Some(Step::Expect(unescape(rest)))
            } else {
                line.strip_prefix("= close")
                    .map(|rest| Step::Close(rest.trim().parse().expect("a close code")))
            }
        })
        .collect()
}

/// What the scripted server saw.
#[derive(Debug, Default)]
pub struct Replay {
    /// Every text frame the client sent, in order.
    pub received: Vec<String>,
}

/// A running scripted server.
pub struct ScriptedServer {
    /// `ws://127.0.0.1:PORT/PATH`.
    pub url: String,
    done: oneshot::Receiver<Result<Replay, String>>,
}

impl ScriptedServer {
    /// Starts a server on a free loopback port that replays `steps` to the first
    /// client; `path` is appended to the URL (e.g. `/api/websocket`).
    pub async fn start(steps: Vec<Step>, path: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address");
        let (report, done) = oneshot::channel();
        tokio::spawn(async move {
            let result = serve(listener, steps).await;
            let _ = report.send(result);
        });
        Self {
            url: format!("ws://{address}{path}"),
            done,
        }
    }

    /// Waits for the script to finish; panics with what went wrong.
    pub async fn finished(self) -> Replay {
        match tokio::time::timeout(Duration::from_secs(10), self.done).await {
            Ok(Ok(Ok(replay))) => replay,
            Ok(Ok(Err(error))) => panic!("the transcript did not play out: {error}"),
            Ok(Err(_)) => panic!("the scripted server stopped without a result"),
            Err(_) => panic!("the transcript did not finish within 10 s"),
        }
    }
}

async fn serve(listener: TcpListener, steps: Vec<Step>) -> Result<Replay, String> {
    let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
    let mut socket = tokio_tungstenite::accept_hdr_async(stream, select)
        .await
        .map_err(|e| e.to_string())?;
    let mut replay = Replay::default();
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
                return Ok(replay);
            }
            Step::Expect(expected) => loop {
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
                    other => {
                        return Err(format!("client went away expecting {expected}: {other:?}"));
                    }
                };
                let Message::Text(text) = message else {
                    continue;
                };
                let text = text.to_string();
                replay.received.push(text.clone());
                if frame_matches(&expected, &text) {
                    break;
                }
            },
        }
    }
    // Keep the link open until the client closes, answering its close.
    while let Ok(Some(Ok(message))) =
        tokio::time::timeout(Duration::from_secs(5), socket.next()).await
    {
        if let Message::Text(text) = message {
            replay.received.push(text.to_string());
        }
    }
    Ok(replay)
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
