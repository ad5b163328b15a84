//! A link's life: connecting, opening, authenticating, becoming ready.

use bytes::Bytes;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::{
    Actor, AfterClose, FrameReport, INSECURE_NOTICE, Link, OpenLink, OpenPhase, after,
    is_transient, utf8,
};
use crate::session::auth::AuthMethod;
use crate::session::connect::{self, ConnectError, Established};
use crate::session::delivery::DeliveryTracker;
use crate::session::event::{ErrorKind, Event, FrameKind};
use crate::wire::{AuthVerdict, PayloadKind};

impl Actor {
    /// Starts connection attempt `attempt` (see [`Link::Connecting`]).
    pub(super) async fn start_connecting(&mut self, attempt: u32) {
        for notice in std::mem::take(&mut self.pending_notices) {
            let notice = self.redactor.text(&notice).into_owned();
            self.emit(Event::Notice(notice)).await;
        }
        if self.tls_config.is_none() {
            match connect::tls_config_for(&self.config) {
                Ok(tls_config) => self.tls_config = tls_config,
                Err(error) => {
                    self.error(error.kind, error.message).await;
                    self.link = Link::Failed;
                    self.report_state().await;
                    return;
                }
            }
        }
        let future = connect::connect(
            self.config.clone(),
            self.tls_config.clone(),
            self.redactor.clone(),
        );
        self.link = Link::Connecting {
            connection: Box::pin(future),
            attempt,
        };
        self.report_state().await;
    }

    pub(super) async fn on_connect_done(&mut self, result: Result<Established, ConnectError>) {
        match result {
            Ok(established) => self.on_opened(established).await,
            Err(error) => {
                let attempt = self.link.attempt();
                self.link = Link::Idle;
                // A name that resolved before and fails now is an outage, not a typo.
                let retry = is_transient(&error) || (error.kind == ErrorKind::Dns && attempt > 0);
                self.error(error.kind, error.message).await;
                if retry {
                    self.schedule_reconnect(attempt).await;
                } else {
                    self.fail().await;
                }
            }
        }
    }

    pub(super) async fn on_opened(&mut self, established: Established) {
        let now = Instant::now();
        self.stats.connection_opened(now);
        let interval = self.config.keepalive.ping_interval;
        self.link = Link::Open(Box::new(OpenLink {
            stream: established.stream,
            opened_at: now,
            agreed_subprotocol: established.info.subprotocol.clone(),
            attempt: self.link.attempt(),
            frames_to_recognise: 0,
            delivery: DeliveryTracker::default(),
            probe_in_flight: false,
            phase: OpenPhase::Opening,
            failed: false,
            next_ping_at: (!interval.is_zero()).then(|| after(now, interval)),
            pending_ping: None,
            our_close: None,
            close_deadline: None,
            peer_close: None,
            after_close: AfterClose::Policy,
        }));
        let insecure = established.info.insecure;
        let agreed_subprotocol = established.info.subprotocol.clone();
        self.emit(Event::Opened(Box::new(established.info))).await;
        self.start_recognising(agreed_subprotocol.as_deref()).await;
        if insecure {
            self.emit(Event::Notice(INSECURE_NOTICE.to_string())).await;
        }
        self.report_state().await;
        let handshake = self.adapter_open().await;
        if !matches!(self.link, Link::Open(_)) {
            return;
        }
        match self.config.auth.method {
            AuthMethod::FirstMessage => self.send_auth_message().await,
            _ if handshake => self.await_verdict().await,
            method if method.is_handshake() => self.on_ready(true).await,
            _ => self.on_ready(false).await,
        }
    }

    /// Waits (up to the auth timeout) for the server's verdict on our credentials or
    /// on the protocol handshake.
    pub(super) async fn await_verdict(&mut self) {
        let deadline = after(Instant::now(), self.config.auth.timeout);
        if let Link::Open(open) = &mut self.link {
            open.phase = OpenPhase::Authenticating { deadline };
        }
        self.report_state().await;
    }

    /// The server judged our credentials or handshake.
    pub(super) async fn on_verdict(&mut self, verdict: AuthVerdict) {
        tracing::debug!(verdict = ?verdict, "auth verdict");
        match verdict {
            AuthVerdict::Accepted => self.on_ready(true).await,
            AuthVerdict::Refused => {
                let reply = self
                    .refusal_reply
                    .take()
                    .map(|reply| format!(": {reply}"))
                    .unwrap_or_default();
                self.error(
                    ErrorKind::Auth,
                    format!("the server refused the credentials{reply} — check the token"),
                )
                .await;
                self.begin_close(
                    1000,
                    "authentication refused".into(),
                    AfterClose::StayDisconnected,
                )
                .await;
                self.fail().await;
            }
        }
    }

    pub(super) async fn send_auth_message(&mut self) {
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
            let decoded = self.decode_outgoing(&payload, PayloadKind::Text);
            self.emit_frame(FrameReport::outgoing(id, FrameKind::Text, payload).decoded(decoded))
                .await;
            self.await_verdict().await;
        }
    }

    /// The link is ready for data (`authenticated`: with credentials accepted, or
    /// assumed after the auth timeout): what the adapter resumes, the profile's
    /// on-connect messages (after every (re)connect: the adapter leaves what they
    /// start to us), then the queue.
    pub(super) async fn on_ready(&mut self, authenticated: bool) {
        if let Link::Open(open) = &mut self.link {
            open.phase = OpenPhase::Ready {
                since: Instant::now(),
                authenticated,
            };
            // The give-up limit counts consecutive failures only.
            open.attempt = 0;
        }
        self.report_state().await;
        let frames = self.adapter.on_ready(Instant::now().into_std());
        if !self.write_adapter_frames(frames, false).await {
            return;
        }
        self.emit_adapter_status().await;
        for message in self.config.on_connect.clone() {
            let payload = match message.render(self.config.auth.token.as_ref(), &self.template_seq)
            {
                Ok(payload) => payload,
                Err(error) => {
                    let why = format!("on-connect message not sent: {error}");
                    self.error(ErrorKind::InvalidInput, why).await;
                    continue;
                }
            };
            if !self.write_on_connect(payload, message.kind).await {
                return;
            }
        }
        self.emit_adapter_status().await;
        self.drain_queue().await;
    }

    pub(super) fn is_ready(&self) -> bool {
        matches!(&self.link, Link::Open(open) if matches!(open.phase, OpenPhase::Ready { .. }) && open.our_close.is_none() && open.peer_close.is_none())
    }
}
