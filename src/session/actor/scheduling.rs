//! The scheduled send (`:every`): started, replaced and stopped by commands, fired
//! by its timer in [`Actor::link_timers`]. A due send while the link is not ready is
//! skipped and counted, not queued: queued ticks would pile up and burst out on
//! reconnect.

use bytes::Bytes;
use tokio::time::Instant;

use super::{Actor, after};
use crate::session::event::{ErrorKind, Event};
use crate::session::schedule::{MIN_INTERVAL, Schedule, ScheduleStatus};
use crate::template::{Context, Escape, render_with};
use crate::wire::PayloadKind;

/// A schedule and its counters.
pub(super) struct RunningSchedule {
    schedule: Schedule,
    /// When the next send is due.
    due_at: Instant,
    sent: u64,
    skipped: u64,
}

impl Actor {
    /// Starts `schedule` (in place of any other); its first send is one interval away.
    pub(super) async fn start_schedule(&mut self, schedule: Schedule) {
        if schedule.interval < MIN_INTERVAL {
            let least = humantime::format_duration(MIN_INTERVAL);
            self.error(
                ErrorKind::InvalidInput,
                format!("a scheduled send needs an interval of at least {least}"),
            )
            .await;
            return;
        }
        let due_at = after(Instant::now(), schedule.interval);
        self.schedule = Some(RunningSchedule {
            schedule,
            due_at,
            sent: 0,
            skipped: 0,
        });
        self.report_schedule().await;
    }

    /// Stops the schedule, if one runs.
    pub(super) async fn stop_schedule(&mut self) {
        if self.schedule.take().is_some() {
            self.report_schedule().await;
        }
    }

    /// When the scheduled send is due, if there is one.
    pub(super) fn schedule_due_at(&self) -> Option<Instant> {
        self.schedule.as_ref().map(|running| running.due_at)
    }

    /// The scheduled send's time came: send it when the link is ready, else count a
    /// skip; either way the next is one interval after this one was due.
    pub(super) async fn on_schedule_due(&mut self, now: Instant) {
        let ready = self.is_ready();
        let Some(running) = self.schedule.as_mut() else {
            return;
        };
        let interval = running.schedule.interval;
        running.due_at = after(running.due_at, interval);
        if running.due_at <= now {
            // The actor fell behind (a stalled write): no burst to catch up.
            running.due_at = after(now, interval);
        }
        if !ready {
            running.skipped += 1;
            self.report_schedule().await;
            return;
        }
        running.sent += 1;
        let (template, json) = (running.schedule.template.clone(), running.schedule.json);
        self.report_schedule().await;
        self.send_scheduled(&template, json).await;
    }

    /// Renders the template afresh and hands it to the user's send path.
    async fn send_scheduled(&mut self, template: &str, json: bool) {
        let context = Context {
            token: self.config.auth.token.clone(),
            seq: self.template_seq.clone(),
            vars: self.template_vars.clone(),
            ..Context::default()
        };
        let escape = if json { Escape::Json } else { Escape::None };
        let text = match render_with(template, &context, escape) {
            Ok(text) => text,
            Err(error) => {
                let why = format!("scheduled message not sent: {error}");
                self.error(ErrorKind::InvalidInput, why).await;
                return;
            }
        };
        let id = self.next_id();
        if self.adapter_reads_incoming {
            self.on_compose(id, text).await;
        } else {
            self.on_send(id, Bytes::from(text), PayloadKind::Text).await;
        }
    }

    /// Reports the schedule as it stands now.
    async fn report_schedule(&mut self) {
        let now = Instant::now();
        let status = self.schedule.as_ref().map(|running| {
            Box::new(ScheduleStatus {
                interval: running.schedule.interval,
                label: running.schedule.label.clone(),
                next_in: running.due_at.saturating_duration_since(now),
                sent: running.sent,
                skipped: running.skipped,
            })
        });
        self.emit(Event::Schedule(status)).await;
    }
}
