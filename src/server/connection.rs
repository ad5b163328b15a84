//! One client connection of the built-in server: the connection limit,
//! authentication, echo and commands, heart-beats, broadcasts, and the ways a
//! connection ends.
//!
//! Each connection is one task that owns its socket and `select!`s over the
//! socket, the shutdown signal, its heart-beat timer and the broadcast feed.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use tokio::time::{Instant, Interval, sleep, sleep_until, timeout};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message, Utf8Bytes};

use super::commands::{self, Command};
use super::handshake::{TokenCheck, Ws, tokens_match, upgrade};
use super::script_player::Player;
use super::{Shared, maybe_tick, periodic, shutdown_requested};

/// Longest wait for the `{"type":"authenticate",…}` message.
/// Longest wait for the client's half of a close handshake the server started.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
const SHUTDOWN_REASON: &str = "server shutting down";
const INVALID_TOKEN: &str = "invalid token";
const PING_PAYLOAD: &[u8] = b"wsdeck";

/// Serves one accepted TCP connection until it ends; never panics on client input.
pub(super) async fn serve(stream: TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    // Small echoes and pongs should leave at once, not wait for Nagle.
    let _ = stream.set_nodelay(true);
    let mut shutdown = shared.shutdown.subscribe();
    let Some((mut ws, check)) = upgrade(stream, peer, &shared, &mut shutdown).await else {
        return;
    };
    let Some(slot) = shared.try_reserve() else {
        let max = shared.config.max_connections;
        shared.log(format_args!(
            "{peer} refused: server busy ({max} connections)"
        ));
        let reason = format!("server busy: {max} connections");
        close_and_finish(&mut ws, CloseCode::Again, reason).await;
        return;
    };
    shared.log(format_args!(
        "{peer} connected ({} open)",
        shared.open_count()
    ));
    if let Some(script) = shared.config.script.clone() {
        let end = Player::new(ws, script, Arc::clone(&shared), shutdown)
            .run()
            .await;
        drop(slot);
        shared.log(format_args!("{peer} {end} ({} open)", shared.open_count()));
        return;
    }
    let end = Connection::new(ws, shutdown, Arc::clone(&shared))
        .run(check)
        .await;
    drop(slot);
    shared.log(format_args!("{peer} {end} ({} open)", shared.open_count()));
}

/// How a connection ended, for the log line.
enum End {
    /// The server sent a close frame (command, auth failure, shutdown).
    ServerClosed(u16, String),
    /// The client sent a close frame.
    ClientClosed(Option<CloseFrame>),
    /// The server dropped the TCP connection on purpose.
    Dropped(&'static str),
    /// The connection broke.
    Lost(String),
}

/// `closed by WHO: CODE REASON`, the reason left out when empty.
pub(crate) fn closed_by(who: &str, code: impl fmt::Display, reason: &str) -> String {
    if reason.is_empty() {
        format!("closed by {who}: {code}")
    } else {
        format!("closed by {who}: {code} {reason}")
    }
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::ServerClosed(code, reason) => f.write_str(&closed_by("server", code, reason)),
            End::ClientClosed(Some(frame)) => {
                f.write_str(&closed_by("client", frame.code, &frame.reason))
            }
            End::ClientClosed(None) => write!(f, "closed by client (no code)"),
            End::Dropped(why) => write!(f, "dropped: {why}"),
            End::Lost(why) => write!(f, "connection lost: {why}"),
        }
    }
}

/// What the connection loop does next.
enum Step {
    Continue,
    Close(CloseCode, String),
    Drop(&'static str),
    Stall,
    End(End),
}

/// A client waiting to send its `authenticate` message.
struct PendingAuth {
    deadline: Instant,
    token: String,
}

/// An upgraded connection that holds a slot.
struct Connection {
    ws: Ws,
    shutdown: watch::Receiver<bool>,
    shared: Arc<Shared>,
    heartbeat: Option<Interval>,
    awaiting_pong: bool,
    /// Broadcasts and ticks; subscribed once the client is authenticated.
    feed: Option<broadcast::Receiver<Utf8Bytes>>,
    pending_auth: Option<PendingAuth>,
}

impl Connection {
    fn new(ws: Ws, shutdown: watch::Receiver<bool>, shared: Arc<Shared>) -> Self {
        Self {
            ws,
            shutdown,
            heartbeat: periodic(shared.config.heartbeat),
            shared,
            awaiting_pong: false,
            feed: None,
            pending_auth: None,
        }
    }

    async fn run(mut self, check: TokenCheck) -> End {
        match (check, self.shared.config.require_token.clone()) {
            (TokenCheck::Rejected, _) => {
                return self.close(CloseCode::Policy, INVALID_TOKEN.into()).await;
            }
            (TokenCheck::Missing, Some(token)) => {
                let deadline = Instant::now() + self.shared.config.auth_timeout;
                self.pending_auth = Some(PendingAuth { deadline, token });
            }
            _ => self.authenticated(),
        }
        loop {
            match self.next_step().await {
                Step::Continue => {}
                Step::Close(code, reason) => return self.close(code, reason).await,
                Step::Drop(why) => return End::Dropped(why),
                Step::Stall => return self.stall().await,
                Step::End(end) => return end,
            }
        }
    }

    async fn next_step(&mut self) -> Step {
        let auth_deadline = self.pending_auth.as_ref().map(|auth| auth.deadline);
        // Biased so a pong already waiting in the socket is seen before the
        // heart-beat tick that would otherwise call the client dead.
        tokio::select! {
            biased;
            _ = shutdown_requested(&mut self.shutdown) => {
                Step::Close(CloseCode::Away, SHUTDOWN_REASON.into())
            }
            incoming = self.ws.next() => self.on_incoming(incoming).await,
            text = next_broadcast(&mut self.feed) => self.send(Message::Text(text)).await,
            _ = maybe_tick(&mut self.heartbeat) => self.on_heartbeat().await,
            _ = sleep_until_some(auth_deadline) => {
                Step::Close(CloseCode::Policy, "authentication timeout".into())
            }
        }
    }

    async fn on_incoming(&mut self, incoming: Option<Result<Message, WsError>>) -> Step {
        let message = match incoming {
            None => return Step::End(End::Lost("stream ended".into())),
            Some(Err(error)) => return Step::End(End::Lost(error.to_string())),
            Some(Ok(message)) => message,
        };
        match message {
            Message::Text(text) if self.pending_auth.is_some() => self.on_auth_message(&text).await,
            Message::Binary(_) if self.pending_auth.is_some() => {
                Step::Close(CloseCode::Policy, INVALID_TOKEN.into())
            }
            Message::Text(text) => self.on_text(text).await,
            Message::Binary(data) => self.send(Message::Binary(data)).await,
            // tungstenite queued the pong; flush it now in case nothing else is sent.
            Message::Ping(_) => self.flush().await,
            Message::Pong(_) => {
                self.awaiting_pong = false;
                Step::Continue
            }
            Message::Close(frame) => {
                finish(&mut self.ws).await;
                Step::End(End::ClientClosed(frame))
            }
            Message::Frame(_) => Step::Continue,
        }
    }

    async fn on_auth_message(&mut self, text: &str) -> Step {
        let given = commands::authenticate_token(text);
        let expected = self.pending_auth.as_ref().map(|auth| auth.token.as_str());
        match (given, expected) {
            (Some(given), Some(expected)) if tokens_match(&given, expected) => {
                self.authenticated();
                self.send(commands::authenticated_reply()).await
            }
            _ => Step::Close(CloseCode::Policy, INVALID_TOKEN.into()),
        }
    }

    fn authenticated(&mut self) {
        self.pending_auth = None;
        self.feed = Some(self.shared.broadcast.subscribe());
    }

    async fn on_text(&mut self, text: Utf8Bytes) -> Step {
        match commands::parse(&text) {
            None => self.send(Message::Text(text)).await,
            Some(Err(explanation)) => self.send(commands::error_reply(&explanation)).await,
            Some(Ok(command)) => self.run_command(command).await,
        }
    }

    async fn run_command(&mut self, command: Command) -> Step {
        match command {
            Command::Close { code, reason } => Step::Close(CloseCode::from(code), reason),
            Command::Drop => Step::Drop("drop command"),
            Command::Flood { count, size } => self.flood(count, size).await,
            Command::Broadcast(data) => {
                self.shared.publish(commands::broadcast_text(data));
                Step::Continue
            }
            Command::Stall => Step::Stall,
        }
    }

    async fn flood(&mut self, count: u64, size: usize) -> Step {
        let sent = tokio::select! {
            sent = commands::flood(&mut self.ws, count, size) => sent,
            _ = shutdown_requested(&mut self.shutdown) => {
                return Step::Close(CloseCode::Away, SHUTDOWN_REASON.into());
            }
        };
        // The client could not answer pings while it was being flooded.
        if let Some(heartbeat) = &mut self.heartbeat {
            heartbeat.reset();
        }
        self.awaiting_pong = false;
        match sent {
            Ok(()) => self.send(commands::flood_done_reply(count)).await,
            Err(error) => Step::End(End::Lost(error.to_string())),
        }
    }

    async fn on_heartbeat(&mut self) -> Step {
        if self.awaiting_pong {
            return Step::Drop("no pong since the last heart-beat ping");
        }
        self.awaiting_pong = true;
        self.send(Message::Ping(Bytes::from_static(PING_PAYLOAD)))
            .await
    }

    async fn send(&mut self, message: Message) -> Step {
        match self.ws.send(message).await {
            Ok(()) => Step::Continue,
            Err(error) => Step::End(End::Lost(error.to_string())),
        }
    }

    async fn flush(&mut self) -> Step {
        match self.ws.flush().await {
            Ok(()) => Step::Continue,
            Err(error) => Step::End(End::Lost(error.to_string())),
        }
    }

    async fn close(mut self, code: CloseCode, reason: String) -> End {
        close_and_finish(&mut self.ws, code, reason.clone()).await;
        End::ServerClosed(code.into(), reason)
    }

    /// Sends nothing and answers no pings until the client leaves, the server
    /// shuts down, or (with heart-beats on) two periods pass.
    async fn stall(mut self) -> End {
        let limit = self.shared.config.heartbeat.filter(|p| !p.is_zero());
        tokio::select! {
            end = discard_until_eof(self.ws.get_mut()) => end,
            _ = shutdown_requested(&mut self.shutdown) => {
                // Best effort: the frames read so far were discarded, so do not
                // wait for a reply that could no longer be parsed.
                let frame = close_frame(CloseCode::Away, SHUTDOWN_REASON.into());
                let _ = timeout(CLOSE_TIMEOUT, self.ws.close(Some(frame))).await;
                End::ServerClosed(CloseCode::Away.into(), SHUTDOWN_REASON.into())
            }
            _ = sleep_some(limit.map(|period| period * 2)) => {
                End::Dropped("stalled and missed heart-beats")
            }
        }
    }
}

/// Reads raw bytes and throws them away, so a stalled connection never answers
/// a ping yet still notices when the client hangs up (and frees its slot).
async fn discard_until_eof(stream: &mut TcpStream) -> End {
    let mut sink = vec![0u8; 16 * 1024];
    loop {
        match stream.read(&mut sink).await {
            Ok(0) => return End::Lost("client left while stalled".into()),
            Ok(_) => {}
            Err(error) => return End::Lost(error.to_string()),
        }
    }
}

/// The next broadcast for an authenticated client; never completes otherwise.
async fn next_broadcast(feed: &mut Option<broadcast::Receiver<Utf8Bytes>>) -> Utf8Bytes {
    let Some(feed) = feed else {
        return std::future::pending().await;
    };
    loop {
        match feed.recv().await {
            Ok(text) => return text,
            // A slow client skips what it missed rather than holding everyone back.
            Err(RecvError::Lagged(_)) => {}
            // `Shared` owns the sender, so this cannot happen while we run.
            Err(RecvError::Closed) => return std::future::pending().await,
        }
    }
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn sleep_some(duration: Option<Duration>) {
    match duration {
        Some(duration) => sleep(duration).await,
        None => std::future::pending().await,
    }
}

fn close_frame(code: CloseCode, reason: String) -> CloseFrame {
    CloseFrame {
        code,
        reason: reason.into(),
    }
}

/// Starts the close handshake and waits (bounded) for the client's reply.
async fn close_and_finish(ws: &mut Ws, code: CloseCode, reason: String) {
    let handshake = async {
        if ws.close(Some(close_frame(code, reason))).await.is_ok() {
            drain(ws).await;
        }
    };
    let _ = timeout(CLOSE_TIMEOUT, handshake).await;
}

/// Lets tungstenite finish a close handshake the client started (bounded).
async fn finish(ws: &mut Ws) {
    let _ = timeout(CLOSE_TIMEOUT, drain(ws)).await;
}

/// Reads until the connection is closed, discarding messages.
async fn drain(ws: &mut Ws) {
    while let Some(Ok(_)) = ws.next().await {}
}
