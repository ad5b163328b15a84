//! The scheduled send (`:every`) in words: the state pane's values
//! (`every 5s · ping` over `next in 3s · sent 4`) and the status bar's short
//! form (`every 5s ×4`).

use std::time::Duration;

use tokio::time::Instant;

use crate::state::connection::ScheduleView;

/// The state pane's two values: what is sent how often (`5s · ping`), and how it
/// goes (`next in 3s · sent 4`, and `· skipped 2` when sends were skipped while
/// the link was down).
pub fn schedule_values(schedule: &ScheduleView, now: Instant) -> (String, String) {
    let what = format!(
        "{} · {}",
        humantime::format_duration(schedule.interval),
        schedule.label
    );
    let next_in = schedule.next_at.saturating_duration_since(now);
    let mut progress = format!("next in {} · sent {}", countdown(next_in), schedule.sent);
    if schedule.skipped > 0 {
        progress.push_str(&format!(" · skipped {}", schedule.skipped));
    }
    (what, progress)
}

/// The status bar's short form: the interval and how many were sent.
pub fn schedule_short(schedule: &ScheduleView) -> String {
    format!(
        "every {} ×{}",
        humantime::format_duration(schedule.interval),
        schedule.sent
    )
}

/// Whole seconds (rounded up) from a second on, milliseconds below.
fn countdown(left: Duration) -> String {
    if left >= Duration::from_secs(1) {
        format!("{}s", left.as_millis().div_ceil(1000))
    } else {
        format!("{}ms", left.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(now: Instant) -> ScheduleView {
        ScheduleView {
            interval: Duration::from_secs(5),
            label: "ping".into(),
            next_at: now + Duration::from_millis(2_300),
            sent: 4,
            skipped: 0,
        }
    }

    #[test]
    fn says_interval_name_countdown_and_counts() {
        let now = Instant::now();
        let mut view = schedule(now);
        assert_eq!(
            schedule_values(&view, now),
            ("5s · ping".to_owned(), "next in 3s · sent 4".to_owned())
        );
        view.skipped = 2;
        view.next_at = now + Duration::from_millis(250);
        assert_eq!(
            schedule_values(&view, now).1,
            "next in 250ms · sent 4 · skipped 2"
        );
        assert_eq!(schedule_short(&view), "every 5s ×4");
    }
}
