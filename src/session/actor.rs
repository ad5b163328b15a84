//! The session actor: one task that owns the socket, the state machine, the
//! outgoing queue, the rate limiter, keep-alive and reconnect timers. It `select!`s
//! over commands, the link (connecting or open) and the earliest timer, and reports
//! everything as [`Event`]s.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use rustls::ClientConfig;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::error::{CapacityError, Error as WsError};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::auth::{AuthMethod, AuthVerdict};
use super::close_code;
use super::config::SessionConfig;
use super::connect::{self, ConnectError, Established, WsStream};
use super::event::{
    CloseOutcome, ConnectionState, Direction, ErrorKind, Event, Frame, FrameKind, MessageId,
    PayloadKind,
};
use super::queue::{OutgoingQueue, PendingMessage};
use super::rate_limit::TokenBucket;
use super::secret::Redactor;
use super::stats::Stats;

/// What callers ask of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Open the connection (no-op when open or opening).
    Connect,
    /// Send a data message (queued while not ready).
    Send {
        /// Id given to the caller.
        id: MessageId,
        /// Payload.
        payload: Bytes,
        /// Text or binary.
        kind: PayloadKind,
    },
    /// Close with a code and reason; no reconnect follows.
    Close {
        /// Close code (validated again here).
        code: u16,
        /// Reason, at most 123 bytes.
        reason: String,
    },
    /// Send a WebSocket Ping now and report its RTT.
    Ping,
    /// Drop the current link (closing with 1000) and connect again at once.
    Reconnect,
    /// Close with 1000 and stay disconnected.
    Disconnect,
    /// Zero the counters.
    ResetStats,
    /// Close with 1000 if open and stop the actor.
    Shutdown,
}

/// How long we wait for the peer to answer our close frame before dropping TCP.
const CLOSE_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often statistics are reported while something is going on.
const STATS_INTERVAL: Duration = Duration::from_secs(1);
/// A write that cannot complete within this long means the peer stopped reading.
const MIN_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

type ConnectFuture = Pin<Box<dyn Future<Output = Result<Established, ConnectError>> + Send>>;

/// What to do once the current link has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AfterClose {
    /// Apply the reconnect policy.
    Policy,
    /// Stay disconnected (the user closed).
    StayDisconnected,
    /// Connect again immediately (the user asked to reconnect).
    ConnectAgain,
    /// Stop the actor.
    Stop,
}

/// A close we started.
#[derive(Debug, Clone)]
struct OurClose {
    code: u16,
    reason: String,
    deadline: Instant,
}

/// Where authentication stands on an open link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthPhase {
    /// Data may flow (no auth, or auth done).
    Ready,
    /// Waiting for the server's verdict until the deadline.
    Waiting { deadline: Instant },
}

/// An open link and its per-connection state.
struct OpenLink {
    stream: WsStream,
    auth: AuthPhase,
    ready_since: Option<Instant>,
    next_ping_at: Option<Instant>,
    pending_ping: Option<(u64, Instant)>,
    our_close: Option<OurClose>,
    peer_close: Option<(Option<u16>, String)>,
    after_close: AfterClose,
}

/// The link's lifecycle; each variant carries what it needs.
enum Link {
    /// No link; `state` is Disconnected or Error.
    Idle,
    /// A connection attempt in flight.
    Connecting(ConnectFuture),
    /// Waiting to reconnect.
    Waiting { at: Instant },
    /// Open socket.
    Open(Box<OpenLink>),
}

/// A timer that fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    Reconnect,
    CloseHandshake,
    PongTimeout,
    AuthTimeout,
    Ping,
    RateLimit,
}

/// What woke the actor up from the link.
enum LinkEvent {
    ConnectDone(Box<Result<Established, ConnectError>>),
    Incoming(Option<Result<Message, WsError>>),
}

/// The actor's whole state.
pub(crate) struct Actor {
    config: Arc<SessionConfig>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::Sender<Event>,
    ids: Arc<AtomicU64>,
    redactor: Redactor,
    tls_config: Option<Arc<ClientConfig>>,
    state: ConnectionState,
    link: Link,
    queue: OutgoingQueue,
    bucket: TokenBucket,
    head_delayed: bool,
    rate_wait_until: Option<Instant>,
    stats: Stats,
    last_stats: Option<super::stats::StatsSnapshot>,
    next_stats_at: Instant,
    attempt: u32,
    ping_counter: u64,
    last_error: Option<String>,
    stopped: bool,
}

impl Actor {
    pub(crate) fn new(
        config: SessionConfig,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::Sender<Event>,
        ids: Arc<AtomicU64>,
    ) -> Self {
        let now = Instant::now();
        let redactor = Redactor::new(config.auth.token.iter());
        Self {
            queue: OutgoingQueue::new(config.queue_capacity),
            bucket: TokenBucket::new(config.rate_limit, now),
            config: Arc::new(config),
            commands,
            events,
            ids,
            redactor,
            tls_config: None,
            state: ConnectionState::Disconnected,
            link: Link::Idle,
            head_delayed: false,
            rate_wait_until: None,
            stats: Stats::new(now),
            last_stats: None,
            next_stats_at: now + STATS_INTERVAL,
            attempt: 0,
            ping_counter: 0,
            last_error: None,
            stopped: false,
        }
    }

    /// Runs until `Shutdown` (or every handle is dropped).
    pub(crate) async fn run(mut self) {
        while !self.stopped {
            let deadline = self.next_deadline();
            tokio::select! {
                biased;
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command).await,
                    None => self.on_command(Command::Shutdown).await,
                },
                event = link_event(&mut self.link) => match event {
                    LinkEvent::ConnectDone(result) => self.on_connect_done(*result).await,
                    LinkEvent::Incoming(message) => self.on_incoming(message).await,
                },
                _ = sleep_or_forever(deadline) => self.on_timers().await,
            }
        }
        self.emit_stats(true).await;
        self.emit(Event::Stopped).await;
    }

    fn next_id(&self) -> MessageId {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    async fn emit(&mut self, event: Event) {
        if let Event::Error { .. } = event {
            self.stats.error();
        }
        // A caller that dropped its receiver no longer listens; the session goes on.
        let _ = self.events.send(event).await;
    }

    async fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            self.state = state;
            self.emit(Event::StateChanged(state)).await;
        }
    }

    async fn error(&mut self, kind: ErrorKind, message: impl Into<String>) {
        let message = self.redactor.text(&message.into()).into_owned();
        self.last_error = Some(message.clone());
        self.emit(Event::Error { kind, message }).await;
    }

    async fn emit_frame(
        &mut self,
        id: MessageId,
        direction: Direction,
        kind: FrameKind,
        payload: Bytes,
        close_code: Option<u16>,
    ) {
        let payload = self.redactor.payload(payload);
        self.emit(Event::Frame(Frame {
            id,
            direction,
            kind,
            payload,
            timestamp: SystemTime::now(),
            close_code,
        }))
        .await;
    }

    // ---- commands ----

    async fn on_command(&mut self, command: Command) {
        match command {
            Command::Connect => match self.link {
                Link::Idle | Link::Waiting { .. } => self.start_connecting().await,
                _ => {}
            },
            Command::Send { id, payload, kind } => self.on_send(id, payload, kind).await,
            Command::Close { code, reason } => self.on_user_close(code, reason).await,
            Command::Ping => self.send_ping().await,
            Command::Reconnect => {
                self.attempt = 0;
                match self.link {
                    Link::Open(_) => {
                        self.begin_close(1000, "reconnecting".into(), AfterClose::ConnectAgain)
                            .await
                    }
                    _ => self.start_connecting().await,
                }
            }
            Command::Disconnect => match self.link {
                Link::Open(_) => {
                    self.begin_close(1000, String::new(), AfterClose::StayDisconnected)
                        .await
                }
                _ => {
                    self.link = Link::Idle;
                    self.set_state(ConnectionState::Disconnected).await;
                }
            },
            Command::ResetStats => {
                self.stats.reset(Instant::now());
                self.emit_stats(true).await;
            }
            Command::Shutdown => match self.link {
                Link::Open(ref open) if open.our_close.is_none() => {
                    self.begin_close(1000, String::new(), AfterClose::Stop)
                        .await
                }
                Link::Open(ref mut open) => open.after_close = AfterClose::Stop,
                _ => {
                    self.link = Link::Idle;
                    self.set_state(ConnectionState::Disconnected).await;
                    self.stopped = true;
                }
            },
        }
    }

    async fn on_send(&mut self, id: MessageId, payload: Bytes, kind: PayloadKind) {
        if kind == PayloadKind::Text && std::str::from_utf8(&payload).is_err() {
            let message =
                "a text message must be valid UTF-8; send it as binary instead".to_string();
            self.emit(Event::SendFailed {
                id,
                kind: ErrorKind::InvalidInput,
                message,
            })
            .await;
            return;
        }
        let message = PendingMessage { id, payload, kind };
        match self.queue.push(message) {
            Ok(queue_len) => {
                self.drain_queue().await;
                if self.queue_contains_tail(id) {
                    self.emit(Event::Queued { id, queue_len }).await;
                }
            }
            Err(_) => {
                let capacity = self.queue.capacity();
                let message = format!(
                    "outgoing queue is full ({capacity} messages waiting while {}); the message was not queued — wait for the connection or raise the queue limit",
                    self.state.as_str()
                );
                self.stats.error();
                self.emit(Event::SendFailed {
                    id,
                    kind: ErrorKind::QueueFull,
                    message,
                })
                .await;
            }
        }
    }

    fn queue_contains_tail(&self, id: MessageId) -> bool {
        // Only the message just pushed can be at the tail with this id.
        !self.queue.is_empty() && self.queue.last_id() == Some(id)
    }

    async fn on_user_close(&mut self, code: u16, reason: String) {
        if let Err(error) = close_code::validate_close(code, &reason) {
            self.error(ErrorKind::InvalidInput, error.to_string()).await;
            return;
        }
        match self.link {
            Link::Open(ref open) if open.our_close.is_none() => {
                self.begin_close(code, reason, AfterClose::StayDisconnected)
                    .await
            }
            Link::Open(_) => {}
            Link::Connecting(_) | Link::Waiting { .. } => {
                self.link = Link::Idle;
                self.set_state(ConnectionState::Disconnected).await;
            }
            Link::Idle => {
                self.error(
                    ErrorKind::InvalidInput,
                    "not connected: there is nothing to close",
                )
                .await;
            }
        }
    }

    // ---- connecting ----

    async fn start_connecting(&mut self) {
        if self.tls_config.is_none() {
            match connect::tls_config_for(&self.config) {
                Ok(tls_config) => self.tls_config = tls_config,
                Err(error) => {
                    self.error(error.kind, error.message).await;
                    self.link = Link::Idle;
                    self.set_state(ConnectionState::Error).await;
                    return;
                }
            }
        }
        let future = connect::connect(
            self.config.clone(),
            self.tls_config.clone(),
            self.redactor.clone(),
        );
        self.link = Link::Connecting(Box::pin(future));
        self.set_state(ConnectionState::Connecting).await;
    }

    async fn on_connect_done(&mut self, result: Result<Established, ConnectError>) {
        match result {
            Ok(established) => self.on_opened(established).await,
            Err(error) => {
                self.link = Link::Idle;
                let retry = is_transient(&error);
                self.error(error.kind, error.message).await;
                if retry {
                    self.schedule_reconnect().await;
                } else {
                    self.set_state(ConnectionState::Error).await;
                }
            }
        }
    }

    async fn on_opened(&mut self, established: Established) {
        let now = Instant::now();
        self.stats.connection_opened(now);
        let interval = self.config.keepalive.ping_interval;
        self.link = Link::Open(Box::new(OpenLink {
            stream: established.stream,
            auth: AuthPhase::Ready,
            ready_since: None,
            next_ping_at: (!interval.is_zero()).then(|| now + interval),
            pending_ping: None,
            our_close: None,
            peer_close: None,
            after_close: AfterClose::Policy,
        }));
        self.emit(Event::Opened(established.info)).await;
        self.set_state(ConnectionState::Connected).await;
        match self.config.auth.method {
            AuthMethod::FirstMessage => self.send_auth_message().await,
            method if method.is_handshake() => {
                self.set_state(ConnectionState::Authenticated).await;
                self.on_ready().await;
            }
            _ => self.on_ready().await,
        }
    }

    async fn send_auth_message(&mut self) {
        let text = match self.config.auth.first_message() {
            Ok(text) => text,
            Err(error) => {
                // validate() ran at spawn, so this is unexpected; still report it.
                self.error(ErrorKind::InvalidInput, error.to_string()).await;
                self.begin_close(1000, String::new(), AfterClose::StayDisconnected)
                    .await;
                return;
            }
        };
        let payload = Bytes::from(text);
        let id = self.next_id();
        if self.write(Message::Text(utf8(payload.clone()))).await {
            self.emit_frame(id, Direction::Outgoing, FrameKind::Text, payload, None)
                .await;
            let deadline = Instant::now() + self.config.auth.timeout;
            if let Link::Open(open) = &mut self.link {
                open.auth = AuthPhase::Waiting { deadline };
            }
            self.set_state(ConnectionState::Authenticating).await;
        }
    }

    /// The link is ready for data: on-connect messages, then the queue.
    async fn on_ready(&mut self) {
        if let Link::Open(open) = &mut self.link {
            open.auth = AuthPhase::Ready;
            open.ready_since = Some(Instant::now());
        }
        for message in self.config.on_connect.clone() {
            let id = self.next_id();
            if !self.write_data(id, message.payload, message.kind).await {
                return;
            }
        }
        self.drain_queue().await;
    }

    fn is_ready(&self) -> bool {
        matches!(&self.link, Link::Open(open) if open.auth == AuthPhase::Ready && open.our_close.is_none() && open.peer_close.is_none())
    }

    // ---- sending ----

    /// Sends queued messages while the link is ready and the rate limiter allows.
    async fn drain_queue(&mut self) {
        let mut wrote = false;
        while self.is_ready() && !self.queue.is_empty() {
            let now = Instant::now();
            if !self.bucket.try_take(now) {
                if !self.head_delayed {
                    self.head_delayed = true;
                    self.stats.rate_limited();
                }
                self.rate_wait_until = self.bucket.next_available(now);
                break;
            }
            let Some(message) = self.queue.pop() else {
                break;
            };
            self.head_delayed = false;
            let PendingMessage { id, payload, kind } = message;
            if !self.feed_data(id, payload, kind).await {
                break;
            }
            wrote = true;
        }
        if self.queue.is_empty() {
            self.rate_wait_until = None;
        }
        if wrote {
            self.flush().await;
        }
    }

    fn data_message(payload: &Bytes, kind: PayloadKind) -> Message {
        match kind {
            PayloadKind::Text => Message::Text(utf8(payload.clone())),
            PayloadKind::Binary => Message::Binary(payload.clone()),
        }
    }

    /// Writes one data message and flushes.
    async fn write_data(&mut self, id: MessageId, payload: Bytes, kind: PayloadKind) -> bool {
        let sent = self.feed_data(id, payload, kind).await;
        sent && self.flush().await
    }

    /// Buffers one data message (flushed later), reporting the frame.
    async fn feed_data(&mut self, id: MessageId, payload: Bytes, kind: PayloadKind) -> bool {
        let message = Self::data_message(&payload, kind);
        let Link::Open(open) = &mut self.link else {
            return false;
        };
        let timeout = write_timeout(&self.config);
        match tokio::time::timeout(timeout, open.stream.feed(message)).await {
            Ok(Ok(())) => {
                self.stats.message_sent(payload.len());
                self.emit_frame(id, Direction::Outgoing, kind.into(), payload, None)
                    .await;
                true
            }
            Ok(Err(error)) => {
                // The message never left: keep it, first in line, for the next link.
                self.queue.push_front(PendingMessage { id, payload, kind });
                self.link_failed(format!("sending failed: {error}")).await;
                false
            }
            Err(_) => {
                self.queue.push_front(PendingMessage { id, payload, kind });
                self.link_failed("the peer stopped reading (write timed out)".into())
                    .await;
                false
            }
        }
    }

    async fn flush(&mut self) -> bool {
        let Link::Open(open) = &mut self.link else {
            return false;
        };
        let timeout = write_timeout(&self.config);
        match tokio::time::timeout(timeout, open.stream.flush()).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                self.link_failed(format!("sending failed: {error}")).await;
                false
            }
            Err(_) => {
                self.link_failed("the peer stopped reading (write timed out)".into())
                    .await;
                false
            }
        }
    }

    /// Writes and flushes a control or auth message.
    async fn write(&mut self, message: Message) -> bool {
        let Link::Open(open) = &mut self.link else {
            return false;
        };
        let timeout = write_timeout(&self.config);
        match tokio::time::timeout(timeout, open.stream.send(message)).await {
            Ok(Ok(())) => true,
            Ok(Err(error)) => {
                self.link_failed(format!("sending failed: {error}")).await;
                false
            }
            Err(_) => {
                self.link_failed("the peer stopped reading (write timed out)".into())
                    .await;
                false
            }
        }
    }

    async fn send_ping(&mut self) {
        if !matches!(self.link, Link::Open(_)) {
            self.error(ErrorKind::InvalidInput, "not connected: cannot ping")
                .await;
            return;
        }
        self.ping_counter += 1;
        let counter = self.ping_counter;
        let payload = Bytes::copy_from_slice(&counter.to_be_bytes());
        if self.write(Message::Ping(payload.clone())).await {
            let now = Instant::now();
            if let Link::Open(open) = &mut self.link {
                open.pending_ping = Some((counter, now));
            }
            let id = self.next_id();
            self.emit_frame(id, Direction::Outgoing, FrameKind::Ping, payload, None)
                .await;
        }
    }

    /// Starts a close handshake we initiate.
    async fn begin_close(&mut self, code: u16, reason: String, after: AfterClose) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: Utf8Bytes::from(reason.clone()),
        };
        let Link::Open(open) = &mut self.link else {
            return;
        };
        open.after_close = after;
        if open.our_close.is_some() {
            return;
        }
        open.our_close = Some(OurClose {
            code,
            reason: reason.clone(),
            deadline: Instant::now() + CLOSE_HANDSHAKE_TIMEOUT,
        });
        let peer_already_closed = open.peer_close.is_some();
        let timeout = write_timeout(&self.config);
        let result = tokio::time::timeout(timeout, open.stream.close(Some(frame))).await;
        if !peer_already_closed && matches!(result, Ok(Ok(()))) {
            let id = self.next_id();
            self.emit_frame(
                id,
                Direction::Outgoing,
                FrameKind::Close,
                Bytes::from(reason),
                Some(code),
            )
            .await;
        }
        if !matches!(result, Ok(Ok(()))) {
            self.finish_link(None).await;
        }
    }

    // ---- receiving ----

    async fn on_incoming(&mut self, message: Option<Result<Message, WsError>>) {
        match message {
            Some(Ok(message)) => self.on_message(message).await,
            None | Some(Err(WsError::ConnectionClosed)) | Some(Err(WsError::AlreadyClosed)) => {
                self.finish_link(None).await
            }
            Some(Err(WsError::Capacity(CapacityError::MessageTooLong { size, max_size }))) => {
                self.error(
                    ErrorKind::MessageTooBig,
                    format!(
                        "incoming message of {size} bytes exceeds the limit of {max_size} bytes; closed with 1009 (raise --max-message-size to accept it)"
                    ),
                )
                .await;
                self.begin_close(1009, "message too big".into(), AfterClose::Policy)
                    .await;
                self.finish_link(None).await;
            }
            Some(Err(WsError::Protocol(error))) => {
                self.error(
                    ErrorKind::Protocol,
                    format!("the peer broke the WebSocket protocol: {error}"),
                )
                .await;
                self.finish_link(None).await;
            }
            Some(Err(error)) => {
                self.finish_link(Some((ErrorKind::Io, error.to_string())))
                    .await
            }
        }
    }

    async fn on_message(&mut self, message: Message) {
        let id = self.next_id();
        match message {
            Message::Text(text) => {
                let payload = Bytes::from(text);
                self.stats.message_received(payload.len());
                let verdict = self.auth_verdict(&payload);
                self.emit_frame(id, Direction::Incoming, FrameKind::Text, payload, None)
                    .await;
                match verdict {
                    Some(AuthVerdict::Accepted) => {
                        self.set_state(ConnectionState::Authenticated).await;
                        self.on_ready().await;
                    }
                    Some(AuthVerdict::Refused) => {
                        self.error(ErrorKind::Auth, "the server refused the credentials (see its reply in the log) — check the token").await;
                        self.begin_close(
                            1000,
                            "authentication refused".into(),
                            AfterClose::StayDisconnected,
                        )
                        .await;
                        self.set_state(ConnectionState::Error).await;
                    }
                    None => {}
                }
            }
            Message::Binary(payload) => {
                self.stats.message_received(payload.len());
                self.emit_frame(id, Direction::Incoming, FrameKind::Binary, payload, None)
                    .await;
            }
            Message::Ping(payload) => {
                self.emit_frame(
                    id,
                    Direction::Incoming,
                    FrameKind::Ping,
                    payload.clone(),
                    None,
                )
                .await;
                // tungstenite queued the pong; push it out now.
                if self.flush().await {
                    let pong_id = self.next_id();
                    self.emit_frame(pong_id, Direction::Outgoing, FrameKind::Pong, payload, None)
                        .await;
                }
            }
            Message::Pong(payload) => {
                self.emit_frame(
                    id,
                    Direction::Incoming,
                    FrameKind::Pong,
                    payload.clone(),
                    None,
                )
                .await;
                self.on_pong(&payload).await;
            }
            Message::Close(frame) => {
                let (code, reason) = match frame {
                    Some(frame) => (Some(u16::from(frame.code)), frame.reason.to_string()),
                    None => (None, String::new()),
                };
                self.emit_frame(
                    id,
                    Direction::Incoming,
                    FrameKind::Close,
                    Bytes::from(reason.clone()),
                    code,
                )
                .await;
                if let Link::Open(open) = &mut self.link {
                    if open.peer_close.is_none() {
                        open.peer_close = Some((code, reason));
                    }
                    // tungstenite queued the close reply; flush it so the peer sees it.
                    let _ =
                        tokio::time::timeout(CLOSE_HANDSHAKE_TIMEOUT, open.stream.flush()).await;
                }
            }
            Message::Frame(_) => {}
        }
    }

    fn auth_verdict(&self, payload: &Bytes) -> Option<AuthVerdict> {
        let Link::Open(open) = &self.link else {
            return None;
        };
        if !matches!(open.auth, AuthPhase::Waiting { .. }) {
            return None;
        }
        let text = std::str::from_utf8(payload).ok()?;
        self.config.auth.reply_rules.verdict(text)
    }

    async fn on_pong(&mut self, payload: &[u8]) {
        let Link::Open(open) = &mut self.link else {
            return;
        };
        let Some((counter, sent_at)) = open.pending_ping else {
            return;
        };
        if payload != counter.to_be_bytes() {
            return;
        }
        open.pending_ping = None;
        let rtt = self.stats.rtt(Instant::now() - sent_at);
        self.emit(Event::Rtt(rtt)).await;
    }

    // ---- link end ----

    /// The link broke (write failure or dead peer): drop it as an abnormal closure.
    async fn link_failed(&mut self, why: String) {
        self.finish_link(Some((ErrorKind::Io, why))).await;
    }

    /// Ends the open link, reports how it closed and applies what comes next.
    async fn finish_link(&mut self, failure: Option<(ErrorKind, String)>) {
        let Link::Open(open) = std::mem::replace(&mut self.link, Link::Idle) else {
            return;
        };
        let OpenLink {
            our_close,
            peer_close,
            after_close,
            ready_since,
            auth,
            ..
        } = *open;
        self.stats.connection_closed();
        let outcome = match (&our_close, &peer_close) {
            (Some(ours), Some(_)) => CloseOutcome {
                code: Some(ours.code),
                reason: ours.reason.clone(),
                by_peer: false,
                clean: failure.is_none(),
            },
            (Some(ours), None) => CloseOutcome {
                code: Some(ours.code),
                reason: ours.reason.clone(),
                by_peer: false,
                clean: false,
            },
            (None, Some((code, reason))) => CloseOutcome {
                code: Some(code.unwrap_or(1005)),
                reason: reason.clone(),
                by_peer: true,
                clean: failure.is_none(),
            },
            (None, None) => CloseOutcome {
                code: Some(1006),
                reason: failure
                    .as_ref()
                    .map_or_else(|| "connection dropped".into(), |(_, why)| why.clone()),
                by_peer: false,
                clean: false,
            },
        };
        if our_close.is_none() && peer_close.is_none() {
            let (kind, why) = failure.unwrap_or_else(|| {
                (
                    ErrorKind::Io,
                    "the connection dropped without a close frame".into(),
                )
            });
            self.error(kind, format!("link lost (1006 abnormal closure): {why}"))
                .await;
        }
        let code = outcome.code;
        let by_peer = outcome.by_peer;
        let clean = outcome.clean;
        if by_peer && code == Some(1008) && self.config.auth.method != AuthMethod::None {
            self.error(
                ErrorKind::Auth,
                format!("the server closed with 1008 Policy Violation ({}) — the token was probably refused", outcome.reason),
            )
            .await;
        } else if by_peer && matches!(auth, AuthPhase::Waiting { .. }) {
            self.error(
                ErrorKind::Auth,
                "the server closed the connection during authentication",
            )
            .await;
        }
        self.emit(Event::Closed(outcome)).await;
        self.emit_stats(true).await;
        if let Some(since) = ready_since {
            if since.elapsed() >= self.config.reconnect.stable_after {
                self.attempt = 0;
            }
        }
        match after_close {
            AfterClose::Stop => {
                self.set_state(ConnectionState::Disconnected).await;
                self.stopped = true;
            }
            AfterClose::StayDisconnected => {
                if self.state != ConnectionState::Error {
                    self.set_state(ConnectionState::Disconnected).await;
                }
            }
            AfterClose::ConnectAgain => self.start_connecting().await,
            AfterClose::Policy => {
                let user = false;
                let retry = self.config.reconnect.enabled
                    && close_code::should_reconnect(
                        code,
                        user,
                        self.config.reconnect.retry_policy_violation,
                    );
                // A clean close the policy does not retry simply ends the session;
                // a dropped link or a policy (auth) refusal is an error.
                if retry {
                    self.schedule_reconnect().await;
                } else if clean && code != Some(1008) {
                    self.set_state(ConnectionState::Disconnected).await;
                } else {
                    self.set_state(ConnectionState::Error).await;
                }
            }
        }
    }

    async fn schedule_reconnect(&mut self) {
        if !self.config.reconnect.enabled {
            self.set_state(ConnectionState::Error).await;
            return;
        }
        self.attempt += 1;
        let limit = self.config.reconnect.attempt_limit();
        if limit.is_some_and(|max| self.attempt > max) {
            let last = self.last_error.clone().unwrap_or_default();
            self.error(
                ErrorKind::GaveUp,
                format!(
                    "gave up reconnecting after {} attempts; last error: {last}",
                    self.attempt - 1
                ),
            )
            .await;
            self.attempt = 0;
            self.link = Link::Idle;
            self.set_state(ConnectionState::Error).await;
            return;
        }
        let delay = self.config.reconnect.backoff.delay(self.attempt);
        self.link = Link::Waiting {
            at: Instant::now() + delay,
        };
        self.set_state(ConnectionState::Reconnecting).await;
        self.emit(Event::ReconnectScheduled {
            attempt: self.attempt,
            max_attempts: limit,
            delay,
        })
        .await;
    }

    // ---- timers ----

    fn next_deadline(&self) -> Option<Instant> {
        let mut deadlines: Vec<Instant> = Vec::with_capacity(6);
        match &self.link {
            Link::Waiting { at } => deadlines.push(*at),
            Link::Open(open) => {
                if let Some(close) = &open.our_close {
                    deadlines.push(close.deadline);
                } else {
                    match open.pending_ping {
                        Some((_, sent_at)) => {
                            deadlines.push(sent_at + self.config.keepalive.pong_timeout)
                        }
                        None => deadlines.extend(open.next_ping_at),
                    }
                    if let AuthPhase::Waiting { deadline } = open.auth {
                        deadlines.push(deadline);
                    }
                    if self.is_ready() {
                        deadlines.extend(self.rate_wait_until);
                    }
                }
                deadlines.push(self.next_stats_at);
            }
            Link::Connecting(_) => deadlines.push(self.next_stats_at),
            Link::Idle => {}
        }
        deadlines.into_iter().min()
    }

    async fn on_timers(&mut self) {
        let now = Instant::now();
        if now >= self.next_stats_at {
            self.stats.tick(now);
            self.next_stats_at = now + STATS_INTERVAL;
            self.emit_stats(false).await;
        }
        for due in self.due_timers(now) {
            match due {
                Due::Reconnect => {
                    self.stats.reconnect_attempted();
                    self.start_connecting().await;
                }
                Due::CloseHandshake => self.finish_link(None).await,
                Due::PongTimeout => {
                    let waited = humantime::format_duration(self.config.keepalive.pong_timeout);
                    let why = format!("no pong within {waited}; the link is dead");
                    self.finish_link(Some((ErrorKind::Timeout, why))).await;
                }
                Due::AuthTimeout => {
                    let waited = humantime::format_duration(self.config.auth.timeout);
                    self.emit(Event::Notice(format!(
                        "no auth reply within {waited}; carrying on as authenticated"
                    )))
                    .await;
                    self.set_state(ConnectionState::Authenticated).await;
                    self.on_ready().await;
                }
                Due::Ping => {
                    if let Link::Open(open) = &mut self.link {
                        open.next_ping_at = Some(now + self.config.keepalive.ping_interval);
                    }
                    self.send_ping().await;
                }
                Due::RateLimit => {
                    self.rate_wait_until = None;
                    self.drain_queue().await;
                }
            }
            if !matches!(self.link, Link::Open(_)) {
                break;
            }
        }
    }

    /// The timers that have fired at `now`, most decisive first.
    fn due_timers(&self, now: Instant) -> Vec<Due> {
        let mut due = Vec::new();
        match &self.link {
            Link::Waiting { at } if now >= *at => due.push(Due::Reconnect),
            Link::Open(open) => {
                if let Some(close) = &open.our_close {
                    if now >= close.deadline {
                        due.push(Due::CloseHandshake);
                    }
                    return due;
                }
                let pong_timeout = self.config.keepalive.pong_timeout;
                if open
                    .pending_ping
                    .is_some_and(|(_, sent_at)| now >= sent_at + pong_timeout)
                {
                    due.push(Due::PongTimeout);
                }
                if matches!(open.auth, AuthPhase::Waiting { deadline } if now >= deadline) {
                    due.push(Due::AuthTimeout);
                }
                if open.pending_ping.is_none() && open.next_ping_at.is_some_and(|at| now >= at) {
                    due.push(Due::Ping);
                }
                if self.rate_wait_until.is_some_and(|at| now >= at) {
                    due.push(Due::RateLimit);
                }
            }
            _ => {}
        }
        due
    }

    async fn emit_stats(&mut self, force: bool) {
        let snapshot = self.stats.snapshot(Instant::now(), self.queue.len());
        if force || self.last_stats != Some(snapshot) {
            self.last_stats = Some(snapshot);
            self.emit(Event::Stats(snapshot)).await;
        }
    }
}

/// Waits for the link's next event; never resolves when there is no link.
async fn link_event(link: &mut Link) -> LinkEvent {
    match link {
        Link::Connecting(future) => LinkEvent::ConnectDone(Box::new(future.await)),
        Link::Open(open) => LinkEvent::Incoming(open.stream.next().await),
        Link::Idle | Link::Waiting { .. } => std::future::pending().await,
    }
}

async fn sleep_or_forever(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn write_timeout(config: &SessionConfig) -> Duration {
    MIN_WRITE_TIMEOUT.max(config.keepalive.pong_timeout)
}

/// Whether a failed connection attempt is worth retrying.
fn is_transient(error: &ConnectError) -> bool {
    match error.kind {
        ErrorKind::Refused | ErrorKind::Timeout | ErrorKind::Io => true,
        ErrorKind::HttpStatus => error.http_status.is_some_and(|status| status >= 500),
        _ => false,
    }
}

/// Bytes already checked to be UTF-8 (or produced from a String) as tungstenite text.
fn utf8(payload: Bytes) -> Utf8Bytes {
    Utf8Bytes::try_from(payload).unwrap_or_default()
}
