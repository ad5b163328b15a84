//! What the engine writes to the debug log (`--log-file`): every [`Event`] on its way
//! to the consumer, as one line with its facts. Only sizes, kinds and ids of frames,
//! never their payloads; the texts logged (URLs, close reasons, error messages) are
//! the ones the user is shown, already redacted. Without a subscriber each call is a
//! check of a cached flag.

use super::event::{Direction, Event, Frame, FrameKind};

/// Writes `event` to the debug log, at the level that suits it: frames at `trace`
/// (heartbeats, pings and pongs at `debug`), errors at `warn`, the rest at `debug`.
pub(crate) fn event(event: &Event) {
    match event {
        Event::Frame(frame) => self::frame(frame),
        Event::StateChanged(state) => tracing::debug!(state = state.as_str(), "state"),
        Event::Opened(info) => tracing::debug!(
            url = %info.url,
            subprotocol = info.subprotocol.as_deref().unwrap_or("-"),
            tls = info.tls,
            peer = info.peer_addr.map(tracing::field::display),
            "opened"
        ),
        Event::Closed(outcome) => tracing::debug!(
            code = outcome.code,
            reason = %outcome.reason,
            by = if outcome.by_peer { "peer" } else { "us" },
            clean = outcome.clean,
            "closed"
        ),
        Event::ReconnectScheduled {
            attempt,
            max_attempts,
            delay,
        } => {
            tracing::debug!(attempt, max_attempts = *max_attempts, delay = ?delay, "reconnect scheduled")
        }
        Event::Error { kind, message } => tracing::warn!(kind = ?kind, why = %message, "error"),
        Event::SendFailed { id, kind, message } => {
            tracing::warn!(id, kind = ?kind, why = %message, "send failed")
        }
        Event::Queued { id, queue_len } => tracing::debug!(id, queue_len, "queued"),
        Event::Notice(text) => tracing::debug!(%text, "notice"),
        Event::Rtt(rtt) => tracing::trace!(last = ?rtt.last, "rtt"),
        Event::Unconfirmed { ids, total } => {
            tracing::debug!(newly = ids.len(), total, "unconfirmed")
        }
        Event::ProviderRecognised { provider, evidence } => {
            tracing::debug!(provider, evidence, "provider recognised")
        }
        Event::ProviderChanged { provider, .. } => tracing::debug!(provider, "provider changed"),
        Event::AdapterStatus(lines) => tracing::trace!(lines = lines.len(), "adapter status"),
        // The label is left out: for a message typed after `:every` it is the payload.
        Event::Schedule(Some(status)) => tracing::trace!(
            interval = ?status.interval,
            sent = status.sent,
            skipped = status.skipped,
            "schedule"
        ),
        Event::Schedule(None) => tracing::debug!("schedule stopped"),
        Event::Stats(_) => {}
        Event::Stopped => tracing::debug!("stopped"),
    }
}

/// A frame's kind, direction, id and size; heartbeats (the adapter's, or
/// WebSocket pings and pongs) at `debug`, so a dead keep-alive shows without `trace`.
fn frame(frame: &Frame) {
    let heartbeat = frame
        .decoded
        .as_ref()
        .is_some_and(|decoded| decoded.heartbeat)
        || matches!(frame.kind, FrameKind::Ping | FrameKind::Pong);
    let direction = match frame.direction {
        Direction::Outgoing => "out",
        Direction::Incoming => "in",
    };
    let kind = frame.kind.as_str();
    if heartbeat {
        tracing::debug!(
            id = frame.id,
            direction,
            kind,
            bytes = frame.size(),
            "heartbeat"
        );
    } else {
        tracing::trace!(
            id = frame.id,
            direction,
            kind,
            bytes = frame.size(),
            close_code = frame.close_code,
            "frame"
        );
    }
}
