//! One client connection of `serve --script`: the script's steps played in order,
//! from the start, whatever other clients are doing; each step logged on stderr
//! ("client 1: step 3/7 matched (line 5)").
//!
//! The socket is read all the time, so pings are answered and a close is noticed
//! while a reply waits for its delay; a data message that arrives early is kept for
//! the next step that expects one.

use std::collections::VecDeque;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use super::handshake::Ws;
use super::script::{OnMismatch, Script, Step, StepAction, matches};
use super::{Shared, shutdown_requested};
use crate::session::FrameKind;
use crate::terminal_text;

/// How much of each side a mismatch line shows.
const SHOWN_CHARS: usize = 120;

/// How a scripted connection ended, for the log line.
pub(super) enum Finish {
    /// The server closed it (as scripted, on a mismatch or at shutdown).
    Closed(u16, String),
    /// The client closed it or the link broke.
    Left(String),
}

impl std::fmt::Display for Finish {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Finish::Closed(code, reason) => {
                f.write_str(&super::connection::closed_by("server", code, reason))
            }
            Finish::Left(why) => f.write_str(why),
        }
    }
}

/// What reading the socket gave.
enum Read {
    /// A text or binary message.
    Data(FrameKind, Bytes),
    /// The connection is over.
    Over(Finish),
}

/// A client being played the script.
pub(super) struct Player {
    ws: Ws,
    script: Arc<Script>,
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    client: usize,
    /// Data messages read while a step was not waiting for one.
    early: VecDeque<(FrameKind, Bytes)>,
}

impl Player {
    /// A player for one upgraded connection.
    pub(super) fn new(
        ws: Ws,
        script: Arc<Script>,
        shared: Arc<Shared>,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        let client = script.next_client();
        Self {
            ws,
            script,
            shared,
            shutdown,
            client,
            early: VecDeque::new(),
        }
    }

    /// Plays every step, then keeps the connection until the client leaves.
    pub(super) async fn run(mut self) -> Finish {
        let script = Arc::clone(&self.script);
        let total = script.steps.len();
        self.log(format_args!("playing {} ({total} steps)", script.path));
        for (index, step) in script.steps.iter().enumerate() {
            let at = format!("step {}/{total} (line {})", index + 1, step.line);
            if let Some(finish) = self.play(step, &at).await {
                return finish;
            }
        }
        self.log(format_args!("script done; waiting for the client to close"));
        loop {
            match self.read(None).await {
                Some(Read::Over(finish)) => return finish,
                Some(Read::Data(kind, payload)) => self.log(format_args!(
                    "after the script: ignored {} ({} bytes)",
                    kind.as_str(),
                    payload.len()
                )),
                None => {}
            }
        }
    }

    /// Plays one step; `Some` when the connection ended.
    async fn play(&mut self, step: &Step, at: &str) -> Option<Finish> {
        match &step.action {
            StepAction::Expect { kind, payload } => self.expect(*kind, payload, step, at).await,
            StepAction::Send {
                kind,
                payload,
                delay,
            } => match self.pause(*delay).await {
                Some(finish) => Some(finish),
                None => self.send(*kind, payload, at).await,
            },
            StepAction::Close {
                code,
                reason,
                delay,
            } => match self.pause(*delay).await {
                Some(finish) => Some(finish),
                None => {
                    self.log(format_args!("{at} closing with {code}"));
                    Some(self.close(*code, reason.clone()).await)
                }
            },
        }
    }

    /// Waits a recorded delay at the script's speed, reading the socket meanwhile.
    async fn pause(&mut self, delay: std::time::Duration) -> Option<Finish> {
        let deadline = Instant::now() + self.script.scaled(delay);
        self.wait_until(deadline).await
    }

    /// Sends a recorded message, byte for byte.
    async fn send(&mut self, kind: FrameKind, payload: &Bytes, at: &str) -> Option<Finish> {
        let message = match kind {
            FrameKind::Text => match std::str::from_utf8(payload) {
                Ok(text) => Message::text(text),
                Err(_) => Message::Binary(payload.clone()),
            },
            _ => Message::Binary(payload.clone()),
        };
        if let Err(error) = self.ws.send(message).await {
            return Some(Finish::Left(format!("connection lost: {error}")));
        }
        self.log(format_args!(
            "{at} sent {} ({} bytes)",
            kind.as_str(),
            payload.len()
        ));
        None
    }

    /// Waits for the client's next data message and checks it against the step.
    async fn expect(
        &mut self,
        kind: FrameKind,
        payload: &Bytes,
        step: &Step,
        at: &str,
    ) -> Option<Finish> {
        loop {
            let (got_kind, got) = match self.early.pop_front() {
                Some(message) => message,
                None => match self.read(None).await {
                    Some(Read::Over(finish)) => {
                        self.log(format_args!("{at}: the client left before sending it"));
                        return Some(finish);
                    }
                    Some(Read::Data(kind, payload)) => (kind, payload),
                    None => continue,
                },
            };
            if matches(kind, payload, got_kind, &got) {
                self.log(format_args!("{at} matched"));
                return None;
            }
            self.log(format_args!(
                "{at} MISMATCH in {}: expected {} {}, got {} {}",
                self.script.path,
                kind.as_str(),
                shown(payload),
                got_kind.as_str(),
                shown(&got)
            ));
            match self.script.on_mismatch {
                OnMismatch::Close => {
                    let reason = format!("script mismatch at line {}", step.line);
                    return Some(self.close(1008, reason).await);
                }
                OnMismatch::Skip => return None,
                OnMismatch::Wait => {}
            }
        }
    }

    /// Reads the socket until `deadline`, keeping data messages for later.
    async fn wait_until(&mut self, deadline: Instant) -> Option<Finish> {
        loop {
            match self.read(Some(deadline)).await {
                None => return None,
                Some(Read::Over(finish)) => return Some(finish),
                Some(Read::Data(kind, payload)) => self.early.push_back((kind, payload)),
            }
        }
    }

    /// The next data message or the end; `None` when `deadline` passed first or a
    /// control frame was handled.
    async fn read(&mut self, deadline: Option<Instant>) -> Option<Read> {
        let incoming = tokio::select! {
            biased;
            _ = shutdown_requested(&mut self.shutdown) => None,
            incoming = self.ws.next() => Some(incoming),
            _ = sleep_some_until(deadline) => return None,
        };
        let Some(incoming) = incoming else {
            return Some(Read::Over(
                self.close(1001, "server shutting down".into()).await,
            ));
        };
        match incoming {
            None => Some(Read::Over(Finish::Left(
                "connection lost: stream ended".into(),
            ))),
            Some(Err(error)) => Some(Read::Over(Finish::Left(format!(
                "connection lost: {error}"
            )))),
            Some(Ok(Message::Text(text))) => Some(Read::Data(
                FrameKind::Text,
                Bytes::copy_from_slice(text.as_bytes()),
            )),
            Some(Ok(Message::Binary(data))) => Some(Read::Data(FrameKind::Binary, data)),
            // tungstenite queued the pong; send it now.
            Some(Ok(Message::Ping(_))) => match self.ws.flush().await {
                Ok(()) => None,
                Err(error) => Some(Read::Over(Finish::Left(format!(
                    "connection lost: {error}"
                )))),
            },
            Some(Ok(Message::Close(frame))) => {
                let _ = tokio::time::timeout(super::SHUTDOWN_GRACE, self.drain()).await;
                Some(Read::Over(Finish::Left(match frame {
                    Some(frame) => {
                        super::connection::closed_by("client", frame.code, &frame.reason)
                    }
                    None => "closed by client (no code)".into(),
                })))
            }
            Some(Ok(Message::Pong(_) | Message::Frame(_))) => None,
        }
    }

    /// Closes with `code` and `reason` and waits (bounded) for the client's answer.
    async fn close(&mut self, code: u16, reason: String) -> Finish {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.clone().into(),
        };
        let handshake = async {
            if self.ws.close(Some(frame)).await.is_ok() {
                self.drain().await;
            }
        };
        let _ = tokio::time::timeout(super::SHUTDOWN_GRACE, handshake).await;
        Finish::Closed(code, reason)
    }

    async fn drain(&mut self) {
        while let Some(Ok(_)) = self.ws.next().await {}
    }

    fn log(&self, line: std::fmt::Arguments<'_>) {
        self.shared
            .log(format_args!("client {}: {line}", self.client));
    }
}

/// A payload for a log line: text escaped and cut to [`SHOWN_CHARS`], bytes in hex.
fn shown(payload: &[u8]) -> String {
    let text = match std::str::from_utf8(payload) {
        Ok(text) => format!("\"{}\"", terminal_text::one_line(text)),
        Err(_) => payload.iter().map(|byte| format!("{byte:02x}")).collect(),
    };
    if text.chars().count() > SHOWN_CHARS {
        let cut: String = text.chars().take(SHOWN_CHARS).collect();
        format!("{cut}… ({} bytes)", payload.len())
    } else {
        text
    }
}

async fn sleep_some_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
