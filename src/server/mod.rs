//! The built-in WebSocket server behind `wsdeck serve`: the demo peer, the test
//! peer for the client engine, and a way to show every close code.
//!
//! It echoes text and binary messages and understands a few JSON control
//! commands (`{"cmd":"close"|"drop"|"flood"|"broadcast"|"stall",…}`); see
//! [`ServerConfig`] for authentication, heart-beats, periodic ticks and the
//! connection limit. Until a client is authenticated nothing is echoed to it and
//! it gets no broadcasts. [`Server`] is the library handle (quiet); [`run`] is
//! the command (logs to stderr, stops on Ctrl-C).

mod commands;
mod connection;
mod handshake;
mod script;
mod script_player;

pub use script::{OnMismatch, Script, ScriptError, json_contains, matches};

use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use tokio::net::{TcpListener, TcpSocket, lookup_host};
use tokio::sync::{broadcast, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep, timeout};
use tokio_tungstenite::tungstenite::Utf8Bytes;

/// How long [`Server::shutdown`] waits for clients to finish the close handshake.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);
/// Pause after a failed `accept` (e.g. out of file descriptors) before retrying.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// Broadcasts a slow client may fall behind by before it skips some.
const BROADCAST_CAPACITY: usize = 1024;

/// Settings for the built-in server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Host name or address to listen on (default `127.0.0.1`).
    pub host: String,
    /// Port to listen on (default 8765); 0 picks any free port.
    pub port: u16,
    /// Most simultaneous clients (default 100). One more is upgraded, then closed
    /// with 1013 "server busy: N connections".
    pub max_connections: usize,
    /// Ping every client each period; a client that has not answered the previous
    /// ping is dropped (TCP only, no close frame). `None` or zero disables it.
    pub heartbeat: Option<Duration>,
    /// Token clients must present (query `token`, a `Sec-WebSocket-Protocol`
    /// value, `Authorization: Bearer`, or a first `{"type":"authenticate",…}`
    /// message). `None` lets everyone in.
    pub require_token: Option<String>,
    /// Send `{"type":"tick","seq":N,"time_ms":…,"clients":K}` to every client each
    /// period. `None` or zero disables it.
    pub broadcast_every: Option<Duration>,
    /// With `require_token`: how long a client that sent no token in the handshake
    /// may take to send its authenticate message (default 10 s).
    pub auth_timeout: Duration,
    /// `serve --script`: play this recording's server side to every client instead
    /// of echoing (see [`Script`]).
    pub script: Option<Arc<Script>>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_owned(),
            port: 8765,
            max_connections: 100,
            heartbeat: None,
            require_token: None,
            broadcast_every: None,
            auth_timeout: Duration::from_secs(10),
            script: None,
        }
    }
}

/// Where connection events are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Log {
    /// Library use and tests: say nothing.
    Quiet,
    /// `wsdeck serve`: one short line per event on stderr.
    Stderr,
}

/// State every task of one server shares.
struct Shared {
    config: ServerConfig,
    open: AtomicUsize,
    /// Flipped to `true` once by [`Server::shutdown`]. Kept here (not in
    /// `Server`) so dropping the handle does not look like a shutdown.
    shutdown: watch::Sender<bool>,
    /// Broadcast commands and ticks, fanned out to authenticated clients.
    broadcast: broadcast::Sender<Utf8Bytes>,
    log: Log,
}

impl Shared {
    /// Takes a connection slot unless the server is full.
    fn try_reserve(self: &Arc<Self>) -> Option<Slot> {
        let max = self.config.max_connections;
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(Arc::clone(self)))
    }

    fn open_count(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    fn publish(&self, text: Utf8Bytes) {
        // An error only means nobody is subscribed right now.
        let _ = self.broadcast.send(text);
    }

    fn log(&self, line: std::fmt::Arguments<'_>) {
        if self.log == Log::Stderr {
            // A line may carry what a client sent (a close reason, a handshake
            // error): its control characters are shown escaped. A stderr that
            // cannot be written to is no reason to stop serving.
            let line = format!("{}\n", crate::terminal_text::one_line(&line.to_string()));
            let _ = io::stderr().lock().write_all(line.as_bytes());
        }
    }
}

/// One open client connection; frees its slot when dropped.
struct Slot(Arc<Shared>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Waits until shutdown is requested.
async fn shutdown_requested(rx: &mut watch::Receiver<bool>) {
    // The sender lives in `Shared`, which outlives every receiver, so an error is
    // impossible; returning on it would be the safe choice anyway.
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Ticks a period that may be absent (then never completes).
async fn maybe_tick(interval: &mut Option<tokio::time::Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// An interval whose first tick is one period from now; `None` for no or zero period.
fn periodic(period: Option<Duration>) -> Option<tokio::time::Interval> {
    let period = period.filter(|p| !p.is_zero())?;
    let mut interval = interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    Some(interval)
}

/// A running server. Dropping it does NOT stop it; call [`Server::shutdown`].
pub struct Server {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl Server {
    /// Binds, spawns the accept loop on the current tokio runtime and returns at once.
    pub async fn bind(config: ServerConfig) -> io::Result<Server> {
        Self::start(config, Log::Quiet).await
    }

    async fn start(config: ServerConfig, log: Log) -> io::Result<Server> {
        let listener = listen(&config.host, config.port).await?;
        let local_addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            config,
            open: AtomicUsize::new(0),
            shutdown: watch::channel(false).0,
            broadcast: broadcast::channel(BROADCAST_CAPACITY).0,
            log,
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(Server {
            local_addr,
            shared,
            accept_task,
        })
    }

    /// The address the server listens on (with the real port when bound to 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL clients connect to, e.g. `ws://127.0.0.1:8765`.
    pub fn url(&self) -> String {
        format!("ws://{}", self.local_addr)
    }

    /// Client connections currently open (authenticated or not).
    pub fn connection_count(&self) -> usize {
        self.shared.open_count()
    }

    /// Stops accepting, releases the port, closes every client with 1001 "server
    /// shutting down" (waiting at most about a second for them), then returns.
    pub async fn shutdown(self) {
        self.shared.shutdown.send_replace(true);
        if let Err(error) = self.accept_task.await {
            self.shared
                .log(format_args!("server task ended badly: {error}"));
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("connections", &self.connection_count())
            .finish_non_exhaustive()
    }
}

/// Runs the server until Ctrl-C. Prints `listening on ws://HOST:PORT` on stdout
/// first, then one short line per connection event on stderr.
pub async fn run(config: ServerConfig) -> anyhow::Result<()> {
    let (host, port) = (config.host.clone(), config.port);
    let server = Server::start(config, Log::Stderr).await.with_context(|| {
        format!("cannot listen on {host}:{port} — is the port in use? try another --port, or 0")
    })?;
    let announced = announce(&server.url());
    let stopped = match announced {
        Ok(()) => tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C"),
        Err(error) => Err(error),
    };
    let _ = io::stderr().lock().write_all(b"shutting down\n");
    server.shutdown().await;
    stopped
}

fn announce(url: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "listening on {url}").context("cannot write to stdout")?;
    out.flush().context("cannot write to stdout")
}

/// Binds the first address `host` resolves to, with `SO_REUSEADDR` so a restarted
/// server can take the port while old connections linger in TIME_WAIT.
async fn listen(host: &str, port: u16) -> io::Result<TcpListener> {
    let mut last_error = None;
    for addr in lookup_host((host, port)).await? {
        match bind_addr(addr) {
            Ok(listener) => return Ok(listener),
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!("{host} did not resolve to any address"),
        )
    }))
}

fn bind_addr(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Accepts connections until shutdown, then gives them [`SHUTDOWN_GRACE`] to
/// close and aborts the rest. The listener is dropped before that wait.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.subscribe();
    let mut tasks = JoinSet::new();
    if let Some(ticks) = periodic(shared.config.broadcast_every) {
        tasks.spawn(tick_loop(Arc::clone(&shared), ticks));
    }
    loop {
        tokio::select! {
            _ = shutdown_requested(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    tasks.spawn(connection::serve(stream, peer, Arc::clone(&shared)));
                }
                Err(error) => {
                    shared.log(format_args!("accept failed: {error}; retrying"));
                    sleep(ACCEPT_BACKOFF).await;
                }
            },
            Some(done) = tasks.join_next(), if !tasks.is_empty() => report_panic(&shared, done),
        }
    }
    drop(listener);
    let drained = timeout(SHUTDOWN_GRACE, async {
        while let Some(done) = tasks.join_next().await {
            report_panic(&shared, done);
        }
    })
    .await;
    if drained.is_err() {
        shared.log(format_args!("some clients did not close in time; dropped"));
    }
    tasks.shutdown().await;
}

fn report_panic(shared: &Shared, done: Result<(), tokio::task::JoinError>) {
    if let Err(error) = done {
        shared.log(format_args!("connection task failed: {error}"));
    }
}

/// Publishes a `tick` to every authenticated client each period.
async fn tick_loop(shared: Arc<Shared>, mut ticks: tokio::time::Interval) {
    let mut shutdown = shared.shutdown.subscribe();
    for seq in 1u64.. {
        tokio::select! {
            _ = shutdown_requested(&mut shutdown) => return,
            _ = ticks.tick() => {}
        }
        let time_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        shared.publish(commands::tick_text(seq, time_ms, shared.open_count()));
    }
}
