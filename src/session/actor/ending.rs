//! How a link ends: the close outcome, the error that explains it, and what comes
//! next (stay, stop, connect again, or reconnect with backoff).

use super::*;
use crate::session::close_verdict::{self, PeerClose};
use crate::session::delivery::Written;

impl Actor {
    /// The link broke (write failure or dead peer): drop it as an abnormal closure.
    pub(super) async fn link_failed(&mut self, why: String) {
        self.finish_link(Some((ErrorKind::Io, why))).await;
    }

    /// Ends the open link, reports how it closed and applies what comes next.
    pub(super) async fn finish_link(&mut self, failure: Option<(ErrorKind, String)>) {
        let Link::Open(open) = std::mem::replace(&mut self.link, Link::Idle) else {
            return;
        };
        let OpenLink {
            our_close,
            peer_close,
            after_close,
            ready_since,
            auth,
            opened_at,
            agreed_subprotocol,
            mut delivery,
            ..
        } = *open;
        // Only a broken link leaves messages unconfirmed: one that ended without the
        // server's close frame (dropped, timed out, our close unanswered). Our close
        // answered confirms everything written before it (frames are read in order);
        // a close the server chose ends the conversation on its terms.
        if failure.is_some() || peer_close.is_none() {
            self.report_unconfirmed(delivery.take_unconfirmed()).await;
        }
        self.stats.connection_closed();
        self.adapter.on_closed();
        let mut outcome = match (&our_close, &peer_close) {
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
        // The peer's reason (or an error text) may quote the token.
        outcome.reason = self.redactor.text(&outcome.reason).into_owned();
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
        let verdict = match (by_peer, code) {
            (true, Some(code)) => close_verdict::judge(&PeerClose {
                code,
                reason: &outcome.reason,
                provider: self.provider,
                offered: &self.config.auth.subprotocols(&self.config.subprotocols),
                agreed: agreed_subprotocol.as_deref(),
                during_handshake: matches!(auth, AuthPhase::Waiting { .. }),
                early: opened_at.elapsed() < close_verdict::EARLY_CLOSE,
            }),
            _ => None,
        };
        let permanent = verdict.as_ref().is_some_and(|verdict| verdict.permanent);
        if let Some(verdict) = verdict {
            self.error(verdict.kind, verdict.message).await;
        } else if by_peer && code == Some(1008) {
            let hint = if self.config.auth.token.is_some() {
                "the token was probably refused"
            } else {
                "it probably wants credentials (--auth and --token-env)"
            };
            let reason = if outcome.reason.is_empty() {
                String::new()
            } else {
                format!(" (\"{}\")", outcome.reason)
            };
            self.error(
                ErrorKind::Auth,
                format!("the server closed with 1008 Policy Violation{reason} — {hint}"),
            )
            .await;
        }
        self.emit(Event::Closed(outcome)).await;
        self.emit_stats(true).await;
        if ready_since.is_some_and(|since| since.elapsed() >= self.config.reconnect.stable_after) {
            self.backoff_step = 0;
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
                let retry = self.config.reconnect.enabled
                    && !permanent
                    && close_code::should_reconnect(
                        code,
                        self.config.reconnect.retry_policy_violation,
                    );
                // A clean close the policy does not retry simply ends the session;
                // a dropped link or a policy (auth) refusal is an error.
                if retry {
                    self.schedule_reconnect().await;
                } else if clean && code != Some(1008) && !permanent {
                    self.set_state(ConnectionState::Disconnected).await;
                } else {
                    self.set_state(ConnectionState::Error).await;
                }
            }
        }
    }

    /// Keeps what a broken link left unconfirmed for re-sending and says so.
    async fn report_unconfirmed(&mut self, written: Vec<Written>) {
        if written.is_empty() {
            return;
        }
        let ids = written.iter().map(|written| written.message.id).collect();
        self.unconfirmed
            .extend(written.into_iter().map(|written| written.message));
        self.emit(Event::Unconfirmed {
            ids,
            total: self.unconfirmed.len(),
        })
        .await;
    }

    pub(super) async fn schedule_reconnect(&mut self) {
        if !self.config.reconnect.enabled {
            self.set_state(ConnectionState::Error).await;
            return;
        }
        self.attempt += 1;
        self.backoff_step += 1;
        let limit = self.config.reconnect.attempt_limit();
        if limit.is_some_and(|max| self.attempt > max) {
            let failed = self.attempt - 1;
            let mut message = format!(
                "gave up reconnecting after {failed} failed attempt{}",
                if failed == 1 { "" } else { "s" }
            );
            if let Some(last) = self.last_error.clone().filter(|last| !last.is_empty()) {
                message.push_str(&format!("; last error: {last}"));
            }
            self.error(ErrorKind::GaveUp, message).await;
            self.attempt = 0;
            self.backoff_step = 0;
            self.link = Link::Idle;
            self.set_state(ConnectionState::Error).await;
            return;
        }
        let delay = self.config.reconnect.backoff.delay(self.backoff_step);
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
}
