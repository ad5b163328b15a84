//! Timers: reconnect, keep-alive pings and pong deadlines, auth and close
//! deadlines, the rate limiter and the stats tick.

use super::*;

impl Actor {
    pub(super) fn next_deadline(&self) -> Option<Instant> {
        let mut deadlines: Vec<Instant> = Vec::with_capacity(6);
        match &self.link {
            Link::Waiting { at, .. } => deadlines.push(*at),
            Link::Open(open) => {
                if let Some(deadline) = open.close_deadline {
                    deadlines.push(deadline);
                } else {
                    match open.pending_ping {
                        Some((_, sent_at)) => {
                            deadlines.push(after(sent_at, self.config.keepalive.pong_timeout))
                        }
                        None => deadlines.extend(open.next_ping_at),
                    }
                    if let OpenPhase::Authenticating { deadline } = open.phase {
                        deadlines.push(deadline);
                    }
                    if self.is_ready() {
                        deadlines.extend(self.rate_wait_until);
                    }
                    deadlines.extend(self.adapter_deadline());
                }
                deadlines.push(self.next_stats_at);
            }
            Link::Connecting { .. } => deadlines.push(self.next_stats_at),
            Link::Idle | Link::Failed => {}
        }
        deadlines.into_iter().min()
    }

    pub(super) async fn on_timers(&mut self) {
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
                    self.start_connecting(self.link.attempt()).await;
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
                    self.on_ready(true).await;
                }
                Due::Ping => {
                    if let Link::Open(open) = &mut self.link {
                        open.next_ping_at = Some(after(now, self.config.keepalive.ping_interval));
                    }
                    self.send_ping().await;
                }
                Due::RateLimit => {
                    self.rate_wait_until = None;
                    self.drain_queue().await;
                }
                Due::Adapter => self.on_adapter_timer().await,
            }
            if !matches!(self.link, Link::Open(_)) {
                break;
            }
        }
    }

    /// The timers that have fired at `now`, most decisive first.
    pub(super) fn due_timers(&self, now: Instant) -> Vec<Due> {
        let mut due = Vec::new();
        match &self.link {
            Link::Waiting { at, .. } if now >= *at => due.push(Due::Reconnect),
            Link::Open(open) => {
                if let Some(deadline) = open.close_deadline {
                    if now >= deadline {
                        due.push(Due::CloseHandshake);
                    }
                    return due;
                }
                let pong_timeout = self.config.keepalive.pong_timeout;
                if open
                    .pending_ping
                    .is_some_and(|(_, sent_at)| now >= after(sent_at, pong_timeout))
                {
                    due.push(Due::PongTimeout);
                }
                if matches!(open.phase, OpenPhase::Authenticating { deadline } if now >= deadline) {
                    due.push(Due::AuthTimeout);
                }
                if open.pending_ping.is_none() && open.next_ping_at.is_some_and(|at| now >= at) {
                    due.push(Due::Ping);
                }
                if self.rate_wait_until.is_some_and(|at| now >= at) {
                    due.push(Due::RateLimit);
                }
                if self.adapter_deadline().is_some_and(|at| now >= at) {
                    due.push(Due::Adapter);
                }
            }
            _ => {}
        }
        due
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
