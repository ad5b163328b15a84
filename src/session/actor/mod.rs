//! The session actor: one task that owns the socket, the state machine, the
//! outgoing queue, the rate limiter, keep-alive and reconnect timers. It `select!`s
//! over commands, the link (connecting or open) and the earliest timer, and reports
//! everything as [`Event`]s.

mod adapting;
mod commands;
mod ending;
mod lifecycle;
mod receiving;
mod recognising;
mod scheduling;
mod sending;
mod timers;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::{FutureExt, StreamExt};
use rustls::ClientConfig;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tokio_tungstenite::tungstenite::error::Error as WsError;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use super::config::SessionConfig;
use super::connect::{ConnectError, Established, WsStream};
use super::delivery::DeliveryTracker;
use super::event::{ConnectionState, Direction, ErrorKind, Event, Frame, FrameKind, MessageId};
use super::event_channel::EventSender;
use super::queue::{OutgoingQueue, PendingMessage};
use super::rate_limit::TokenBucket;
use super::stats::{Stats, StatsSnapshot};
use crate::protocol::Adapter;
use crate::protocol::registry::{self, Provider};
use crate::secret::Redactor;
use crate::wire::{Decoded, PayloadKind, StatusLine};

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
    /// Send composer text through the protocol adapter (queued while not ready).
    Compose {
        /// Id given to the caller; names the first frame the adapter makes.
        id: MessageId,
        /// The text as typed.
        text: String,
    },
    /// Run a protocol adapter shortcut (`:emit`, `:stop`, …).
    Shortcut {
        /// Id given to the caller; names the first frame it makes.
        id: MessageId,
        /// The shortcut's name, without the colon.
        name: String,
        /// Everything after the name.
        args: String,
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
    /// Send the messages left unconfirmed by a broken link again (queued until the
    /// link is ready).
    ResendUnconfirmed,
    /// Close with 1000 and stay disconnected.
    Disconnect,
    /// Zero the counters.
    ResetStats,
    /// Switch to another provider's adapter (and its subprotocol and endpoint, where
    /// the user gave none) and reconnect with it.
    SetProvider(String),
    /// Send a message every so often while the link is ready (`:every`), in place
    /// of any schedule before.
    Every(super::schedule::Schedule),
    /// Stop the scheduled send (`:every off`).
    StopEvery,
    /// Set `{{var.NAME}}` for the templates the session renders (`:every` sends):
    /// a value `:capture` took from an incoming message.
    SetVariable {
        /// The name after `var.`.
        name: String,
        /// The value, as templates put it in.
        value: String,
    },
    /// Close with 1000 if open and stop the actor.
    Shutdown,
}

/// Said on every connection made with certificate verification off.
pub const INSECURE_NOTICE: &str = "INSECURE: TLS certificate verification is off (--insecure); the server's identity is not checked";

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
}

/// Where an open link stands before data may flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenPhase {
    /// Just opened: the adapter's opening frames and the auth message go out.
    Opening,
    /// Waiting for the server's verdict on our credentials or on the protocol
    /// handshake, until the deadline.
    Authenticating { deadline: Instant },
    /// Data may flow.
    Ready {
        /// Since when (a link ready for `stable_after` resets the backoff).
        since: Instant,
        /// Whether credentials were accepted (or assumed, after the auth timeout).
        authenticated: bool,
    },
}

/// An open link and its per-connection state.
struct OpenLink {
    stream: WsStream,
    /// When the upgrade completed.
    opened_at: Instant,
    /// The subprotocol the server agreed to.
    agreed_subprotocol: Option<String>,
    /// The attempt that opened this link (see [`Link::Connecting`]); 0 once it is
    /// ready, since the give-up limit counts consecutive failures only.
    attempt: u32,
    /// Text frames still to look at for recognising the protocol (raw adapter only).
    frames_to_recognise: u8,
    /// User messages written on this link that nothing has confirmed yet.
    delivery: DeliveryTracker,
    /// Whether a delivery probe waits for its pong.
    probe_in_flight: bool,
    phase: OpenPhase,
    /// An error that ends the session was reported on this link: the state shows
    /// Error while it closes, and a close that does not reconnect leaves it there.
    failed: bool,
    next_ping_at: Option<Instant>,
    pending_ping: Option<(u64, Instant)>,
    our_close: Option<OurClose>,
    peer_close: Option<(Option<u16>, String)>,
    /// Once either side sent a close frame: when to stop waiting for the other
    /// side and drop TCP.
    close_deadline: Option<Instant>,
    after_close: AfterClose,
}

/// The link's lifecycle; each variant carries what it needs. The state the user
/// sees is read from it ([`Link::connection_state`]), never kept beside it.
enum Link {
    /// No link, and none wanted until the user connects.
    Idle,
    /// No link: the last one ended on an error (credentials refused, attempts
    /// exhausted, a protocol breach); the session waits for the user.
    Failed,
    /// A connection attempt in flight.
    Connecting {
        connection: ConnectFuture,
        /// Which attempt of a series of consecutive failures this is: 0 for the
        /// connect the user asked for, `n` for the `n`-th reconnect.
        attempt: u32,
    },
    /// Waiting to reconnect.
    Waiting {
        /// When the attempt starts.
        at: Instant,
        /// Which attempt it will be (see [`Link::Connecting`]).
        attempt: u32,
    },
    /// Open socket.
    Open(Box<OpenLink>),
}

impl Link {
    /// The connection's state as the user sees it.
    fn connection_state(&self) -> ConnectionState {
        match self {
            Link::Idle => ConnectionState::Disconnected,
            Link::Failed => ConnectionState::Error,
            Link::Connecting { .. } => ConnectionState::Connecting,
            Link::Waiting { .. } => ConnectionState::Reconnecting,
            Link::Open(open) if open.failed => ConnectionState::Error,
            Link::Open(open) => match open.phase {
                OpenPhase::Opening
                | OpenPhase::Ready {
                    authenticated: false,
                    ..
                } => ConnectionState::Connected,
                OpenPhase::Authenticating { .. } => ConnectionState::Authenticating,
                OpenPhase::Ready {
                    authenticated: true,
                    ..
                } => ConnectionState::Authenticated,
            },
        }
    }

    /// The attempt this link is on (see [`Link::Connecting`]); 0 without one.
    fn attempt(&self) -> u32 {
        match self {
            Link::Connecting { attempt, .. } | Link::Waiting { attempt, .. } => *attempt,
            Link::Open(open) => open.attempt,
            Link::Idle | Link::Failed => 0,
        }
    }
}

/// A timer of the link (see [`Actor::link_timers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    /// Time for the next connection attempt.
    Reconnect,
    /// The peer did not finish the close handshake in time: drop TCP.
    CloseHandshake,
    /// Our ping got no pong in time: the link is dead.
    PongTimeout,
    /// No verdict on our credentials in time: carry on as authenticated.
    AuthTimeout,
    /// Time for a keep-alive ping.
    Ping,
    /// The rate limiter allows the next queued message.
    RateLimit,
    /// The adapter's app-level heartbeat.
    Adapter,
    /// The scheduled send (`:every`) is due.
    Scheduled,
}

/// A frame that crossed the wire, as the actor saw it, before redaction:
/// [`Actor::emit_frame`] reports it as an [`Event::Frame`].
struct FrameReport {
    id: MessageId,
    direction: Direction,
    kind: FrameKind,
    /// The payload as it went out or came in (for a close frame: the reason).
    payload: Bytes,
    /// For a close frame: its code, if it had one.
    close_code: Option<u16>,
    /// The adapter's reading of the frame.
    decoded: Option<Decoded>,
}

impl FrameReport {
    /// A frame we sent.
    fn outgoing(id: MessageId, kind: FrameKind, payload: Bytes) -> Self {
        Self {
            id,
            direction: Direction::Outgoing,
            kind,
            payload,
            close_code: None,
            decoded: None,
        }
    }

    /// A frame the peer sent.
    fn incoming(id: MessageId, kind: FrameKind, payload: Bytes) -> Self {
        Self {
            direction: Direction::Incoming,
            ..Self::outgoing(id, kind, payload)
        }
    }

    /// A close frame's code.
    fn close_code(self, close_code: Option<u16>) -> Self {
        Self { close_code, ..self }
    }

    /// The adapter's reading of the frame.
    fn decoded(self, decoded: Option<Decoded>) -> Self {
        Self { decoded, ..self }
    }
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
    events: EventSender,
    ids: Arc<AtomicU64>,
    redactor: Redactor,
    tls_config: Option<Arc<ClientConfig>>,
    link: Link,
    /// The state last reported, so that [`Actor::report_state`] reports changes only.
    reported_state: ConnectionState,
    queue: OutgoingQueue,
    bucket: TokenBucket,
    head_delayed: bool,
    rate_wait_until: Option<Instant>,
    stats: Stats,
    last_stats: Option<StatsSnapshot>,
    next_stats_at: Instant,
    /// The step of the backoff schedule. A connection that stays ready for
    /// `stable_after` resets it; one that flaps keeps the delays growing.
    backoff_step: u32,
    ping_counter: u64,
    last_error: Option<String>,
    /// Messages a broken link left unconfirmed, kept for `ResendUnconfirmed`.
    unconfirmed: Vec<PendingMessage>,
    /// The reply that refused our credentials, quoted by the auth error.
    refusal_reply: Option<String>,
    stopped: bool,
    commands_open: bool,
    adapter: Box<dyn Adapter>,
    /// The provider's entry in the registry (permanent close codes, explanations).
    provider: &'static Provider,
    /// Notices from the settings, said once when the first connection starts.
    pending_notices: Vec<String>,
    /// [`Adapter::reads_incoming`], asked once: data frames skip an adapter that
    /// does not read them.
    adapter_reads_incoming: bool,
    opened_before: bool,
    last_adapter_status: Vec<StatusLine>,
    /// See [`Actor::read_clock`]; cleared at the start of every step.
    step_clock: Option<(std::time::Instant, SystemTime)>,
    /// The `{{seq}}` counter of on-connect templates, across reconnects.
    template_seq: Arc<AtomicU64>,
    /// The captured `{{var.NAME}}` values ([`Command::SetVariable`]).
    template_vars: std::collections::BTreeMap<String, String>,
    /// The scheduled send (`:every`), if one runs.
    schedule: Option<scheduling::RunningSchedule>,
}

impl Actor {
    pub(crate) fn new(
        config: SessionConfig,
        adapter: Box<dyn Adapter>,
        commands: mpsc::UnboundedReceiver<Command>,
        events: EventSender,
        ids: Arc<AtomicU64>,
    ) -> Self {
        let now = Instant::now();
        let redactor = Redactor::new(config.auth.token.iter());
        let provider = registry::find(adapter.name()).unwrap_or(&registry::all()[0]);
        Self {
            provider,
            pending_notices: config.notices.clone(),
            queue: OutgoingQueue::new(config.queue_capacity),
            bucket: TokenBucket::new(config.rate_limit, now),
            config: Arc::new(config),
            commands,
            events,
            ids,
            redactor,
            tls_config: None,
            link: Link::Idle,
            reported_state: ConnectionState::Disconnected,
            head_delayed: false,
            rate_wait_until: None,
            stats: Stats::new(now),
            last_stats: None,
            next_stats_at: now + STATS_INTERVAL,
            backoff_step: 0,
            ping_counter: 0,
            last_error: None,
            refusal_reply: None,
            unconfirmed: Vec::new(),
            stopped: false,
            commands_open: true,
            adapter_reads_incoming: adapter.reads_incoming(),
            adapter,
            opened_before: false,
            last_adapter_status: Vec::new(),
            step_clock: None,
            template_seq: Arc::default(),
            template_vars: Default::default(),
            schedule: None,
        }
    }

    /// Runs until `Shutdown` (or every handle is dropped).
    pub(crate) async fn run(mut self) {
        while !self.stopped {
            self.step_clock = None;
            let deadline = self.next_deadline();
            tokio::select! {
                biased;
                command = self.commands.recv(), if self.commands_open => match command {
                    Some(command) => self.on_command(command).await,
                    None => {
                        // Every handle is gone: shut down once, then stop polling the
                        // closed channel (it would be ready forever).
                        self.commands_open = false;
                        self.on_command(Command::Shutdown).await;
                    }
                },
                event = link_event(&mut self.link) => match event {
                    LinkEvent::ConnectDone(result) => self.on_connect_done(*result).await,
                    LinkEvent::Incoming(message) => {
                        self.on_incoming(message).await;
                        self.read_ready_frames().await;
                        // Under a steady flood the timer branch may never win the
                        // select: run what is due (stats, pings, deadlines) here.
                        if self.next_deadline().is_some_and(|at| at <= Instant::now()) {
                            self.on_timers().await;
                        }
                    }
                },
                _ = sleep_or_forever(deadline) => self.on_timers().await,
            }
            // Everything this step reported goes out as one batch.
            self.events.flush().await;
        }
        self.emit_stats(true).await;
        self.emit(Event::Stopped).await;
        self.events.flush().await;
    }

    fn next_id(&self) -> MessageId {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    async fn emit(&mut self, event: Event) {
        if let Event::Error { .. } = event {
            self.stats.error();
        }
        self.events.push(event).await;
    }

    /// Reports the state read from the link, when it changed since last reported.
    async fn report_state(&mut self) {
        let state = self.link.connection_state();
        if self.reported_state != state {
            self.reported_state = state;
            self.emit(Event::StateChanged(state)).await;
        }
    }

    /// An error that ends the session until the user acts: the state shows Error,
    /// and an open link that closes without reconnecting stays there.
    async fn fail(&mut self) {
        match &mut self.link {
            Link::Open(open) => open.failed = true,
            _ => self.link = Link::Failed,
        }
        self.report_state().await;
    }

    async fn error(&mut self, kind: ErrorKind, message: impl Into<String>) {
        let message = self.redactor.text(&message.into()).into_owned();
        self.last_error = Some(message.clone());
        self.emit(Event::Error { kind, message }).await;
    }

    /// Reports a frame with the adapter's reading of it (secrets redacted in both).
    /// A close frame that comes without one gets the adapter's name for its code.
    async fn emit_frame(&mut self, mut frame: FrameReport) {
        if frame.decoded.is_none() {
            frame.decoded = frame
                .close_code
                .and_then(|code| self.adapter.close_code(code))
                .map(|(name, meaning)| Decoded {
                    label: format!("{} close {name}", self.adapter.name()),
                    summary: meaning.to_string(),
                    ..Decoded::default()
                });
        }
        let event = self.frame_event(frame, SystemTime::now());
        self.emit(event).await;
    }

    /// A frame event, with secrets redacted from the payload and the decoding.
    fn frame_event(&self, frame: FrameReport, timestamp: SystemTime) -> Event {
        let FrameReport {
            id,
            direction,
            kind,
            payload,
            close_code,
            decoded,
        } = frame;
        // The size is taken before redaction: the log shows what crossed the wire,
        // for a close frame its 2-byte code too.
        let code_len = if close_code.is_some() { 2 } else { 0 };
        let wire_len = u32::try_from(payload.len() + code_len).unwrap_or(u32::MAX);
        let payload = self.redactor.payload(payload);
        let decoded = decoded.map(|decoded| Box::new(self.redact_decoded(decoded)));
        Event::Frame(Frame {
            id,
            direction,
            kind,
            payload,
            wire_len,
            timestamp,
            close_code,
            decoded,
        })
    }

    /// The clock for frames read in this step. Frames read back-to-back from what is
    /// already buffered arrived together, so they share one reading of the clocks
    /// instead of two clock calls each (12 % of a 100-byte flood's CPU in `perf`).
    fn read_clock(&mut self) -> (std::time::Instant, SystemTime) {
        *self
            .step_clock
            .get_or_insert_with(|| (std::time::Instant::now(), SystemTime::now()))
    }

    fn redact_decoded(&self, mut decoded: Decoded) -> Decoded {
        if self.redactor.is_empty() {
            return decoded;
        }
        decoded.label = self.redactor.text(&decoded.label).into_owned();
        decoded.summary = self.redactor.text(&decoded.summary).into_owned();
        if let Some(error) = &decoded.error {
            decoded.error = Some(self.redactor.text(error).into_owned());
        }
        if let Some(data) = &decoded.data {
            let text = data.to_string();
            if let std::borrow::Cow::Owned(redacted) = self.redactor.text(&text) {
                decoded.data = serde_json::from_str(&redacted).ok();
            }
        }
        decoded
    }
}

/// How many already-buffered frames are handled in one go before the actor looks at
/// commands and timers again.
const READ_BATCH: usize = 1024;

impl Actor {
    /// Handles frames that are already buffered, without waiting: under a flood this
    /// turns one wake-up per frame into one per batch.
    async fn read_ready_frames(&mut self) {
        for _ in 0..READ_BATCH {
            let Link::Open(open) = &mut self.link else {
                return;
            };
            // Data messages take the short path: `on_incoming`'s future holds every
            // kind of frame's handling and costs a large copy per call.
            match open.stream.next().now_or_never() {
                Some(Some(Ok(Message::Text(text)))) => {
                    let id = self.next_id();
                    self.on_data(id, Bytes::from(text), PayloadKind::Text).await
                }
                Some(Some(Ok(Message::Binary(payload)))) => {
                    let id = self.next_id();
                    self.on_data(id, payload, PayloadKind::Binary).await
                }
                Some(message) => Box::pin(self.on_incoming(message)).await,
                None => return,
            }
        }
    }
}

/// Waits for the link's next event; never resolves when there is no link.
async fn link_event(link: &mut Link) -> LinkEvent {
    match link {
        Link::Connecting { connection, .. } => LinkEvent::ConnectDone(Box::new(connection.await)),
        Link::Open(open) => LinkEvent::Incoming(open.stream.next().await),
        Link::Idle | Link::Failed | Link::Waiting { .. } => std::future::pending().await,
    }
}

async fn sleep_or_forever(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// `at + duration`, saturating far in the future instead of overflowing, so an
/// absurd setting (a ping interval of 10^19 s) means "never" rather than a panic.
fn after(at: Instant, duration: Duration) -> Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(30 * 365 * 24 * 3600);
    at.checked_add(duration).unwrap_or_else(|| at + FAR_FUTURE)
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
