//! What the actor does with each `Command`: connect, send (or queue), close,
//! ping, reconnect, disconnect, reset and shut down.

use bytes::Bytes;
use tokio::time::Instant;

use super::{Actor, AfterClose, Command, Link};
use crate::session::TOKEN_PLACEHOLDER;
use crate::session::close_code;
use crate::session::event::{ErrorKind, Event, MessageId};
use crate::session::queue::PendingMessage;
use crate::wire::PayloadKind;

impl Actor {
    pub(super) async fn on_command(&mut self, command: Command) {
        match command {
            Command::Connect => match self.link {
                // A connect the user asks for starts a fresh series of attempts.
                Link::Idle | Link::Failed => {
                    self.backoff_step = 0;
                    self.start_connecting(0).await
                }
                Link::Waiting { attempt, .. } => self.start_connecting(attempt).await,
                Link::Connecting { .. } | Link::Open(_) => {}
            },
            Command::Send { id, payload, kind } => {
                let payload = match kind {
                    PayloadKind::Text => match self.fill_token(id, payload).await {
                        Some(filled) => filled,
                        None => return,
                    },
                    PayloadKind::Binary => payload,
                };
                self.on_send(id, payload, kind).await
            }
            Command::Compose { id, text } => {
                if let Some(filled) = self.fill_token(id, Bytes::from(text)).await {
                    let text = String::from_utf8(filled.into()).unwrap_or_default();
                    self.on_compose(id, text).await
                }
            }
            Command::Shortcut { id, name, args } => self.on_shortcut(id, name, args).await,
            Command::Close { code, reason } => self.on_user_close(code, reason).await,
            Command::Ping => self.send_ping().await,
            Command::Reconnect => self.reconnect_now().await,
            Command::ResendUnconfirmed => self.resend_unconfirmed().await,
            Command::Disconnect => match self.link {
                Link::Open(_) => {
                    self.begin_close(1000, String::new(), AfterClose::StayDisconnected)
                        .await
                }
                _ => {
                    self.link = Link::Idle;
                    self.report_state().await;
                }
            },
            Command::SetProvider(name) => self.switch_provider(&name).await,
            Command::ResetStats => {
                self.stats.reset(Instant::now());
                self.emit_stats(true).await;
            }
            Command::Every(schedule) => self.start_schedule(schedule).await,
            Command::StopEvery => self.stop_schedule().await,
            Command::SetVariable { name, value } => {
                self.template_vars.insert(name, value);
            }
            Command::Shutdown => match self.link {
                Link::Open(_) => {
                    self.begin_close(1000, String::new(), AfterClose::Stop)
                        .await
                }
                _ => {
                    self.link = Link::Idle;
                    self.report_state().await;
                    self.stopped = true;
                }
            },
        }
    }

    /// Puts the messages a broken link left unconfirmed back at the front of the
    /// queue, in order, under new ids (the log keeps the first sending as it was).
    async fn resend_unconfirmed(&mut self) {
        let messages = std::mem::take(&mut self.unconfirmed);
        if messages.is_empty() {
            self.emit(Event::Notice(
                "no unconfirmed messages to send again".into(),
            ))
            .await;
            return;
        }
        for message in messages.into_iter().rev() {
            let id = self.next_id();
            self.queue.push_front(PendingMessage { id, ..message });
        }
        self.emit(Event::Unconfirmed {
            ids: Vec::new(),
            total: 0,
        })
        .await;
        self.drain_queue().await;
    }

    /// Drops the current link (closing with 1000) and connects again at once.
    pub(super) async fn reconnect_now(&mut self) {
        self.backoff_step = 0;
        match self.link {
            // The new link starts a fresh series of attempts (attempt 0).
            Link::Open(_) => {
                self.begin_close(1000, "reconnecting".into(), AfterClose::ConnectAgain)
                    .await
            }
            _ => self.start_connecting(0).await,
        }
    }

    /// A message the user sends may say `{{token}}` where the session's token goes
    /// (a snippet inserts it so, keeping the secret off the screen and out of the
    /// composer's history): the payload with the token in its place, JSON-escaped
    /// when the message is JSON. Every frame we report is redacted, so the log shows
    /// `***`. `None` when the message needs a token the session does not have: that
    /// is reported and the message stays in the composer.
    async fn fill_token(&mut self, id: MessageId, payload: Bytes) -> Option<Bytes> {
        let text = match std::str::from_utf8(&payload) {
            Ok(text) if text.contains(TOKEN_PLACEHOLDER) => text,
            _ => return Some(payload),
        };
        let Some(token) = self.config.auth.token.as_ref() else {
            self.emit(Event::SendFailed {
                id,
                kind: ErrorKind::InvalidInput,
                message: "the message uses {{token}} but this session has no token; set the profile's auth.token or pass --token-env NAME".into(),
            })
            .await;
            return None;
        };
        let token = token.expose();
        let filled = if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
            let quoted = serde_json::Value::from(token).to_string();
            text.replace(TOKEN_PLACEHOLDER, &quoted[1..quoted.len() - 1])
        } else {
            text.replace(TOKEN_PLACEHOLDER, token)
        };
        Some(Bytes::from(filled))
    }

    pub(super) async fn on_send(&mut self, id: MessageId, payload: Bytes, kind: PayloadKind) {
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
                    self.link.connection_state().as_str()
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

    pub(super) fn queue_contains_tail(&self, id: MessageId) -> bool {
        // Only the message just pushed can be at the tail with this id.
        !self.queue.is_empty() && self.queue.last_id() == Some(id)
    }

    pub(super) async fn on_user_close(&mut self, code: u16, reason: String) {
        if let Err(error) = close_code::validate_close(code, &reason) {
            self.error(ErrorKind::InvalidInput, error.to_string()).await;
            return;
        }
        match self.link {
            // Also while a close is under way (say, a Reconnect's): no reconnect after.
            Link::Open(_) => {
                self.begin_close(code, reason, AfterClose::StayDisconnected)
                    .await
            }
            Link::Connecting { .. } | Link::Waiting { .. } => {
                self.link = Link::Idle;
                self.report_state().await;
            }
            Link::Idle | Link::Failed => {
                self.error(
                    ErrorKind::InvalidInput,
                    "not connected: there is nothing to close",
                )
                .await;
            }
        }
    }
}
