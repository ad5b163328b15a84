//! Timers: reconnect, keep-alive pings and pong deadlines, auth and close
//! deadlines, the rate limiter and the adapter's heartbeat, all read from one list
//! ([`Actor::link_timers`]); and the stats tick.

use tokio::time::Instant;

use super::{Actor, Link, OpenPhase, STATS_INTERVAL, Timer, after};
use crate::session::event::{ErrorKind, Event};

impl Actor {
    /// Every link timer that is set, with when it fires, most decisive first. The
    /// actor sleeps until the earliest ([`Actor::next_deadline`]) and runs those whose
    /// time has come ([`Actor::on_timers`]): both read this one list, so what wakes
    /// the actor and what it then does cannot drift apart.
    pub(super) fn link_timers(&self) -> Vec<(Timer, Instant)> {
        let mut timers = self.timers_of_the_link();
        // Last: it runs whatever the link does, counting a skip while it is down.
        timers.extend(self.schedule_due_at().map(|at| (Timer::Scheduled, at)));
        timers
    }

    /// The timers that belong to the link's state.
    fn timers_of_the_link(&self) -> Vec<(Timer, Instant)> {
        let mut timers = Vec::with_capacity(6);
        match &self.link {
            Link::Waiting { at, .. } => timers.push((Timer::Reconnect, *at)),
            Link::Open(open) => {
                if let Some(deadline) = open.close_deadline {
                    // Closing: only the close handshake's deadline still counts.
                    timers.push((Timer::CloseHandshake, deadline));
                    return timers;
                }
                if let Some((_, sent_at)) = open.pending_ping {
                    let pong_timeout = self.config.keepalive.pong_timeout;
                    timers.push((Timer::PongTimeout, after(sent_at, pong_timeout)));
                }
                if let OpenPhase::Authenticating { deadline } = open.phase {
                    timers.push((Timer::AuthTimeout, deadline));
                }
                if open.pending_ping.is_none() {
                    timers.extend(open.next_ping_at.map(|at| (Timer::Ping, at)));
                }
                // A rate-limit wait matters only while data may flow: the link
                // becoming ready drains the queue anyway.
                if self.is_ready() {
                    timers.extend(self.rate_wait_until.map(|at| (Timer::RateLimit, at)));
                }
                timers.extend(self.adapter_deadline().map(|at| (Timer::Adapter, at)));
            }
            Link::Idle | Link::Failed | Link::Connecting { .. } => {}
        }
        timers
    }

    /// When the actor must wake up next: the earliest link timer, or the stats tick,
    /// which keeps it awake while a link is open or opening.
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let stats = matches!(self.link, Link::Open(_) | Link::Connecting { .. })
            .then_some(self.next_stats_at);
        let timers = self.link_timers().into_iter().map(|(_, at)| at);
        timers.chain(stats).min()
    }

    /// Runs what is due: the stats tick, then the link timers whose time has come,
    /// in [`Actor::link_timers`]' order, until one ends the link.
    pub(super) async fn on_timers(&mut self) {
        let now = Instant::now();
        if now >= self.next_stats_at {
            self.stats.tick(now);
            self.next_stats_at = now + STATS_INTERVAL;
            self.emit_stats(false).await;
        }
        let due: Vec<Timer> = self
            .link_timers()
            .into_iter()
            .filter(|(_, at)| now >= *at)
            .map(|(timer, _)| timer)
            .collect();
        for timer in due {
            match timer {
                Timer::Reconnect => {
                    self.stats.reconnect_attempted();
                    self.start_connecting(self.link.attempt()).await;
                }
                Timer::CloseHandshake => self.finish_link(None).await,
                Timer::PongTimeout => {
                    let waited = humantime::format_duration(self.config.keepalive.pong_timeout);
                    let why = format!("no pong within {waited}; the link is dead");
                    self.finish_link(Some((ErrorKind::Timeout, why))).await;
                }
                Timer::AuthTimeout => {
                    let waited = humantime::format_duration(self.config.auth.timeout);
                    self.emit(Event::Notice(format!(
                        "no auth reply within {waited}; carrying on as authenticated"
                    )))
                    .await;
                    self.on_ready(true).await;
                }
                Timer::Ping => {
                    if let Link::Open(open) = &mut self.link {
                        open.next_ping_at = Some(after(now, self.config.keepalive.ping_interval));
                    }
                    self.send_ping().await;
                }
                Timer::RateLimit => {
                    self.rate_wait_until = None;
                    self.drain_queue().await;
                }
                Timer::Adapter => self.on_adapter_timer().await,
                Timer::Scheduled => self.on_schedule_due(now).await,
            }
            if !matches!(self.link, Link::Open(_)) {
                break;
            }
        }
    }

    /// The adapter's next heartbeat deadline, on the actor's clock.
    fn adapter_deadline(&self) -> Option<Instant> {
        self.adapter.next_deadline().map(Instant::from_std)
    }

    pub(super) async fn emit_stats(&mut self, force: bool) {
        let snapshot = self.stats.snapshot(Instant::now(), self.queue.len());
        if force || self.last_stats != Some(snapshot) {
            self.last_stats = Some(snapshot);
            self.emit(Event::Stats(Box::new(snapshot))).await;
        }
        self.emit_adapter_status().await;
    }
}
