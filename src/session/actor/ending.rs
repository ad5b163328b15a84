//! How a link ends: the close outcome, the error that explains it, and what comes
//! next (stay, stop, connect again, or reconnect with backoff).

use tokio::time::Instant;

use super::{Actor, AfterClose, Link, OpenLink, OpenPhase, OurClose};
use crate::session::close_code;
use crate::session::close_verdict::{self, PeerClose};
use crate::session::delivery::Written;
use crate::session::event::{CloseOutcome, ErrorKind, Event};

impl Actor {
    /// The link broke (write failure or dead peer): drop it as an abnormal closure.
    pub(super) async fn link_failed(&mut self, why: String) {
        self.finish_link(Some((ErrorKind::Io, why))).await;
    }

    /// Ends the open link, reports how it closed and applies what comes next.
    pub(super) async fn finish_link(&mut self, failure: Option<(ErrorKind, String)>) {
        let open = match std::mem::replace(&mut self.link, Link::Idle) {
            Link::Open(open) => open,
            other => {
                self.link = other;
                return;
            }
        };
        let OpenLink {
            our_close,
            peer_close,
            after_close,
            phase,
            failed,
            attempt,
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
        let mut outcome = close_outcome(our_close.as_ref(), peer_close.as_ref(), failure.as_ref());
        // The peer's reason (or an error text) may quote the token.
        outcome.reason = self.redactor.text(&outcome.reason).into_owned();
        if our_close.is_none() && peer_close.is_none() {
            self.report_link_lost(failure).await;
        }
        let permanent = self
            .explain_peer_close(&outcome, &phase, agreed_subprotocol.as_deref(), opened_at)
            .await;
        let (code, clean) = (outcome.code, outcome.clean);
        self.emit(Event::Closed(outcome)).await;
        self.emit_stats(true).await;
        if let OpenPhase::Ready { since, .. } = phase
            && since.elapsed() >= self.config.reconnect.stable_after
        {
            self.backoff_step = 0;
        }
        match after_close {
            AfterClose::Stop => {
                self.report_state().await;
                self.stopped = true;
            }
            AfterClose::StayDisconnected => {
                if failed {
                    self.link = Link::Failed;
                }
                self.report_state().await;
            }
            AfterClose::ConnectAgain => self.start_connecting(0).await,
            AfterClose::Policy => {
                self.apply_reconnect_policy(code, clean, permanent, attempt)
                    .await
            }
        }
    }

    /// Reports a link that ended without a close frame from either side, as a 1006
    /// abnormal closure.
    async fn report_link_lost(&mut self, failure: Option<(ErrorKind, String)>) {
        let (kind, why) = failure.unwrap_or_else(|| {
            (
                ErrorKind::Io,
                "the connection dropped without a close frame".into(),
            )
        });
        self.error(kind, format!("link lost (1006 abnormal closure): {why}"))
            .await;
    }

    /// Reports what a close the peer chose most likely means (its verdict, else the
    /// likely cause of a 1008); returns whether retrying is pointless.
    async fn explain_peer_close(
        &mut self,
        outcome: &CloseOutcome,
        phase: &OpenPhase,
        agreed_subprotocol: Option<&str>,
        opened_at: Instant,
    ) -> bool {
        let verdict = match (outcome.by_peer, outcome.code) {
            (true, Some(code)) => close_verdict::judge(&PeerClose {
                code,
                reason: &outcome.reason,
                provider: self.provider,
                offered: &self.config.auth.subprotocols(&self.config.subprotocols),
                agreed: agreed_subprotocol,
                during_handshake: matches!(phase, OpenPhase::Authenticating { .. }),
                early: opened_at.elapsed() < close_verdict::EARLY_CLOSE,
            }),
            _ => None,
        };
        let permanent = verdict.as_ref().is_some_and(|verdict| verdict.permanent);
        if let Some(verdict) = verdict {
            self.error(verdict.kind, verdict.message).await;
        } else if outcome.by_peer && outcome.code == Some(1008) {
            self.explain_policy_violation(&outcome.reason).await;
        }
        permanent
    }

    /// The server closed with 1008 Policy Violation and nothing more specific is
    /// known: most likely our credentials, or their absence.
    async fn explain_policy_violation(&mut self, reason: &str) {
        let hint = if self.config.auth.token.is_some() {
            "the token was probably refused"
        } else {
            "it probably wants credentials (--auth and --token-env)"
        };
        let reason = if reason.is_empty() {
            String::new()
        } else {
            format!(" (\"{reason}\")")
        };
        self.error(
            ErrorKind::Auth,
            format!("the server closed with 1008 Policy Violation{reason} — {hint}"),
        )
        .await;
    }

    /// After a link that closed on its own (not at the user's request): reconnect
    /// when the policy says so, else stay down, as an error unless the close was
    /// clean and ordinary. `attempt` is the attempt that opened the link.
    async fn apply_reconnect_policy(
        &mut self,
        code: Option<u16>,
        clean: bool,
        permanent: bool,
        attempt: u32,
    ) {
        let retry = self.config.reconnect.enabled
            && !permanent
            && close_code::should_reconnect(code, self.config.reconnect.retry_policy_violation);
        // A clean close the policy does not retry simply ends the session;
        // a dropped link or a policy (auth) refusal is an error.
        if retry {
            self.schedule_reconnect(attempt).await;
        } else if clean && code != Some(1008) && !permanent {
            self.report_state().await;
        } else {
            self.fail().await;
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

    /// Attempt `failed_attempt` did not reach a ready link: schedules the next one
    /// after the backoff delay, or gives up at the attempt limit.
    pub(super) async fn schedule_reconnect(&mut self, failed_attempt: u32) {
        if !self.config.reconnect.enabled {
            self.fail().await;
            return;
        }
        let attempt = failed_attempt + 1;
        self.backoff_step += 1;
        let limit = self.config.reconnect.attempt_limit();
        if limit.is_some_and(|max| attempt > max) {
            let failed = attempt - 1;
            let mut message = format!(
                "gave up reconnecting after {failed} failed attempt{}",
                if failed == 1 { "" } else { "s" }
            );
            if let Some(last) = self.last_error.clone().filter(|last| !last.is_empty()) {
                message.push_str(&format!("; last error: {last}"));
            }
            self.error(ErrorKind::GaveUp, message).await;
            self.backoff_step = 0;
            self.fail().await;
            return;
        }
        let delay = self.config.reconnect.backoff.delay(self.backoff_step);
        self.link = Link::Waiting {
            at: Instant::now() + delay,
            attempt,
        };
        self.report_state().await;
        self.emit(Event::ReconnectScheduled {
            attempt,
            max_attempts: limit,
            delay,
        })
        .await;
    }
}

/// How a link ended, from the close frames each side sent (`ours`, the peer's) and the
/// failure that ended it, if one did. The reason is not yet redacted.
fn close_outcome(
    ours: Option<&OurClose>,
    peer: Option<&(Option<u16>, String)>,
    failure: Option<&(ErrorKind, String)>,
) -> CloseOutcome {
    match (ours, peer) {
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
            reason: failure.map_or_else(|| "connection dropped".into(), |(_, why)| why.clone()),
            by_peer: false,
            clean: false,
        },
    }
}
