//! The session engine: one actor task per connection that owns the socket and all
//! connection state. Callers talk to it through a [`SessionHandle`] and hear back
//! through a stream of [`Event`]s. Nothing here knows about terminals.

mod actor;
pub mod auth;
pub mod backoff;
pub mod close_code;
pub mod close_verdict;
pub mod config;
pub mod connect;
pub mod delivery;
pub mod event;
pub mod event_channel;
pub mod proxy;
pub mod queue;
pub mod rate_limit;
pub mod schedule;
pub mod stats;
pub mod tls;
pub mod tls_probe;
pub mod tls_verify;
mod trace;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use tokio::sync::mpsc;

/// Secrets and their redaction, kept at their old path too (`session::secret::Redactor`).
pub use crate::secret;
pub use crate::secret::Secret;
pub use actor::{Command, INSECURE_NOTICE};
pub use auth::{AuthConfig, AuthMethod};
pub use config::{ConfigError, SessionConfig};
pub use event::{
    CloseOutcome, ConnectionInfo, ConnectionState, Direction, ErrorKind, Event, Frame, FrameKind,
    Handshake, MessageId, PayloadKind,
};

pub use event_channel::EventReceiver;

/// Written in a message the user sends (`Command::Send` text or `Command::Compose`),
/// the session puts its token there when it sends it; every frame it reports is
/// redacted, so the token is shown as `***`. Snippets insert it instead of the token,
/// which keeps the secret off the screen and out of the composer's history.
pub const TOKEN_PLACEHOLDER: &str = "{{token}}";

/// Why a session could not be started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The connection settings are unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The auth settings are unusable.
    #[error(transparent)]
    Auth(#[from] auth::AuthConfigError),
    /// An on-connect message marked as text is not UTF-8.
    #[error("on-connect message {0} is marked as text but is not valid UTF-8; send it as binary")]
    OnConnectNotUtf8(usize),
    /// The provider names no adapter.
    #[error(transparent)]
    Provider(#[from] crate::protocol::UnknownProvider),
}

/// The session's actor has stopped; commands can no longer be delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the session has ended")]
pub struct SessionEnded;

/// Hands out message ids shared with the actor, so a caller that builds
/// [`Command::Send`] itself (the TUI's pure update) gets ids that never collide with
/// the ids of received frames.
#[derive(Debug, Clone, Default)]
pub struct MessageIds(Arc<AtomicU64>);

impl MessageIds {
    /// The next unused id.
    pub fn next(&self) -> MessageId {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// A cloneable handle to a running session actor.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    commands: mpsc::UnboundedSender<Command>,
    ids: Arc<AtomicU64>,
}

impl SessionHandle {
    /// The id source shared with the actor.
    pub fn ids(&self) -> MessageIds {
        MessageIds(self.ids.clone())
    }

    /// Sends a raw command.
    pub fn command(&self, command: Command) -> Result<(), SessionEnded> {
        self.commands.send(command).map_err(|_| SessionEnded)
    }

    /// Opens the connection.
    pub fn connect(&self) -> Result<(), SessionEnded> {
        self.command(Command::Connect)
    }

    /// Sends (or queues) a message; the returned id identifies it in later events.
    pub fn send(
        &self,
        payload: impl Into<Bytes>,
        kind: PayloadKind,
    ) -> Result<MessageId, SessionEnded> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        self.command(Command::Send {
            id,
            payload: payload.into(),
            kind,
        })?;
        Ok(id)
    }

    /// Sends (or queues) a text message.
    pub fn send_text(&self, text: impl Into<String>) -> Result<MessageId, SessionEnded> {
        self.send(Bytes::from(text.into()), PayloadKind::Text)
    }

    /// Sends composer text through the protocol adapter, which may turn it into
    /// protocol frames (a Socket.IO event, a GraphQL `subscribe`, a Home Assistant
    /// command with the next id). The id names the first frame; a text the adapter
    /// refuses comes back as [`Event::SendFailed`] with that id.
    pub fn compose(&self, text: impl Into<String>) -> Result<MessageId, SessionEnded> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        self.command(Command::Compose {
            id,
            text: text.into(),
        })?;
        Ok(id)
    }

    /// Runs an adapter shortcut such as `:emit chat {"text":"hi"}` (`name` without
    /// the colon). An unknown shortcut or bad arguments come back as
    /// [`Event::SendFailed`] with the returned id.
    pub fn shortcut(
        &self,
        name: impl Into<String>,
        args: impl Into<String>,
    ) -> Result<MessageId, SessionEnded> {
        let id = self.ids.fetch_add(1, Ordering::Relaxed);
        self.command(Command::Shortcut {
            id,
            name: name.into(),
            args: args.into(),
        })?;
        Ok(id)
    }

    /// Closes with a code and reason, after checking them; no reconnect follows.
    pub fn close(&self, code: u16, reason: impl Into<String>) -> Result<(), CloseRequestError> {
        let reason = reason.into();
        close_code::validate_close(code, &reason)?;
        self.command(Command::Close { code, reason })?;
        Ok(())
    }

    /// Sends a Ping now.
    pub fn ping(&self) -> Result<(), SessionEnded> {
        self.command(Command::Ping)
    }

    /// Drops the link and connects again at once.
    pub fn reconnect(&self) -> Result<(), SessionEnded> {
        self.command(Command::Reconnect)
    }

    /// Closes with 1000 and stays disconnected.
    pub fn disconnect(&self) -> Result<(), SessionEnded> {
        self.command(Command::Disconnect)
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) -> Result<(), SessionEnded> {
        self.command(Command::ResetStats)
    }

    /// Closes with 1000 (when open) and stops the actor; `Event::Stopped` follows.
    pub fn shutdown(&self) -> Result<(), SessionEnded> {
        self.command(Command::Shutdown)
    }
}

/// Why a close request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloseRequestError {
    /// The code or reason cannot be sent.
    #[error(transparent)]
    Invalid(#[from] close_code::CloseCodeError),
    /// The session is gone.
    #[error(transparent)]
    Ended(#[from] SessionEnded),
}

/// Starts a session actor on the current tokio runtime. It stays disconnected until
/// [`SessionHandle::connect`]. Settings are checked first, so a bad URL, header or
/// auth setting is refused before anything touches the network.
pub fn spawn(mut config: SessionConfig) -> Result<(SessionHandle, EventReceiver), SessionError> {
    config.auth.validate()?;
    config.apply_provider_defaults()?;
    let adapter = crate::protocol::adapter_for(&config.provider)?;
    for (index, message) in config.on_connect.iter().enumerate() {
        if message.kind == PayloadKind::Text && std::str::from_utf8(&message.payload).is_err() {
            return Err(SessionError::OnConnectNotUtf8(index + 1));
        }
    }
    for (name, value) in &config.headers {
        let line = format!("{name}: {value}");
        config::parse_header(&line)?;
    }
    let (command_sender, command_receiver) = mpsc::unbounded_channel();
    let (event_sender, event_receiver) = event_channel::channel();
    let ids = Arc::new(AtomicU64::new(1));
    let actor = actor::Actor::new(config, adapter, command_receiver, event_sender, ids.clone());
    tokio::spawn(actor.run());
    Ok((
        SessionHandle {
            commands: command_sender,
            ids,
        },
        event_receiver,
    ))
}
