//! The connection-state pane: state with its colour, URL, auth, subprotocol, TLS,
//! uptime, RTT with a sparkline, counters, rate, queue, reconnect countdown and the
//! last close code with its name and meaning; and its one-line form for screens
//! too small for the pane ([`state_bar_line`]). Every value is cut to the room it
//! has, with "…" where the cut is.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use tokio::time::Instant;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::fit::{fit, fit_spans};
use super::theme;
use crate::session::{ConnectionState, close_code};
use crate::state::connection::ConnectionView;

/// Sparkline glyphs, lowest to highest.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Draws the pane into `area`.
pub fn render_state_pane(
    frame: &mut Frame,
    area: Rect,
    view: &ConnectionView,
    dropped: u64,
    now: Instant,
) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme::border())
        .title(Span::styled(" connection ", theme::title()));
    let inner_width = area.width.saturating_sub(2) as usize;
    let lines = state_lines(view, dropped, now, inner_width);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}

/// Draws the one-line form of the pane into `area`, for screens too small for the
/// pane: see [`state_bar_line`].
pub fn render_state_bar(
    frame: &mut Frame,
    area: Rect,
    view: &ConnectionView,
    dropped: u64,
    now: Instant,
) {
    let line = state_bar_line(view, dropped, now, usize::from(area.width));
    frame.render_widget(Paragraph::new(line), area);
}

/// The URL keeps at least this many columns before the bar shows RTT or counters.
const BAR_URL_MIN_WIDTH: usize = 20;

/// The connection in one line of `width` columns:
/// `● connected · ws://127.0.0.1:8765/ · rtt 3.90ms · →2 ←4`.
///
/// The state (with the reconnect countdown) always shows and the URL is cut to the
/// room left; after them come, as long as each fits whole and the URL keeps
/// `BAR_URL_MIN_WIDTH` columns: INSECURE, the last close while not connected, the
/// round-trip time, messages sent and received, the queue, unconfirmed messages and
/// entries dropped from the log.
pub fn state_bar_line(
    view: &ConnectionView,
    dropped: u64,
    now: Instant,
    width: usize,
) -> Line<'static> {
    const SEPARATOR: &str = " · ";
    if let Some(recording) = &view.recording {
        return super::recording_pane::recording_bar(recording, width);
    }
    let state = state_spans(view, now);
    let state_width: usize = state.iter().map(Span::width).sum();
    let url_reserve = SEPARATOR.width() + view.url.width().min(BAR_URL_MIN_WIDTH);
    let mut room = width.saturating_sub(state_width + url_reserve);
    let mut extras = Vec::new();
    let mut extras_width = 0;
    for (text, style) in bar_extras(view, dropped) {
        let cost = SEPARATOR.width() + text.width();
        if cost <= room {
            room -= cost;
            extras_width += cost;
            extras.push(Span::styled(SEPARATOR, theme::dim()));
            extras.push(Span::styled(text, style));
        }
    }
    let url_room = width.saturating_sub(state_width + extras_width + SEPARATOR.width());
    let mut spans = state;
    if url_room > 0 {
        spans.push(Span::styled(SEPARATOR, theme::dim()));
        spans.push(Span::raw(fit_url(&view.url, url_room)));
    }
    spans.extend(extras);
    Line::from(fit_spans(spans, width))
}

/// What the bar adds after the URL when there is room, most important first.
fn bar_extras(view: &ConnectionView, dropped: u64) -> Vec<(String, Style)> {
    let mut extras = Vec::new();
    if view.insecure {
        extras.push(("INSECURE".to_string(), theme::warning()));
    }
    let connected = matches!(
        view.state,
        ConnectionState::Connected
            | ConnectionState::Authenticating
            | ConnectionState::Authenticated
    );
    if let Some(close) = view.last_close.as_ref().filter(|_| !connected) {
        let code = close.code.unwrap_or(1005);
        let style = if close.clean {
            theme::title()
        } else {
            theme::warning()
        };
        extras.push((format!("close {code}"), style));
    }
    if let Some(rtt) = view.rtt {
        extras.push((format!("rtt {}", millis(rtt.last)), theme::ok()));
    }
    let stats = &view.stats;
    extras.push((
        format!("→{} ←{}", stats.messages_sent, stats.messages_received),
        Style::new(),
    ));
    if let Some(schedule) = &view.schedule {
        extras.push((
            super::schedule_text::schedule_short(schedule),
            theme::decoded(),
        ));
    }
    if stats.queue_len > 0 {
        extras.push((format!("queue {}", stats.queue_len), theme::dim()));
    }
    if view.unconfirmed > 0 {
        extras.push((
            format!("{} unconfirmed", view.unconfirmed),
            theme::warning(),
        ));
    }
    if dropped > 0 {
        extras.push((format!("{dropped} dropped"), theme::warning()));
    }
    extras
}

/// The pane's lines, for drawing and for tests.
pub fn state_lines(
    view: &ConnectionView,
    dropped: u64,
    now: Instant,
    width: usize,
) -> Vec<Line<'static>> {
    if let Some(recording) = &view.recording {
        return super::recording_pane::recording_lines(view, recording, width);
    }
    let mut lines = Vec::with_capacity(14);
    lines.push(Line::from(fit_spans(state_spans(view, now), width)));
    if let Some(profile) = &view.profile {
        lines.push(pair("prof", profile, width));
    }
    let url = fit_url(&view.url, width.saturating_sub(LABEL_WIDTH));
    lines.push(Line::from(vec![label("url"), Span::raw(url)]));
    if let Some(proxy) = &view.proxy {
        // Cut in the middle like the URL, so the scheme and host:port both show.
        let proxy = fit_url(proxy, width.saturating_sub(LABEL_WIDTH));
        lines.push(Line::from(vec![label("proxy"), Span::raw(proxy)]));
    }
    let subprotocol = view
        .info
        .as_ref()
        .and_then(|info| info.subprotocol.clone())
        .unwrap_or_else(|| "—".into());
    lines.push(pair("auth", view.auth_mode, width));
    lines.push(pair("proto", &subprotocol, width));
    if view.provider != "raw" {
        lines.push(pair("via", &view.provider, width));
    }
    lines.push(tls_line(view, width));
    let uptime = view
        .uptime(now)
        .map_or_else(|| "—".to_string(), format_uptime);
    lines.push(pair("up", &uptime, width));
    lines.push(rtt_line(view, width));
    lines.extend(traffic_lines(view, dropped, width));
    if let Some(schedule) = &view.schedule {
        let (what, progress) = super::schedule_text::schedule_values(schedule, now);
        lines.push(pair("every", &what, width));
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(LABEL_WIDTH)),
            Span::styled(
                fit(&progress, width.saturating_sub(LABEL_WIDTH)),
                theme::dim(),
            ),
        ]));
    }
    lines.extend(close_lines(view, width));
    if let Some(provider) = view.recognised {
        let text = format!("looks like {provider} · :provider {provider}");
        lines.push(Line::from(Span::styled(
            fit(&text, width),
            theme::decoded(),
        )));
    }
    for status in &view.adapter_status {
        let text = format!("{} {}", status.label, status.value);
        lines.push(Line::from(Span::styled(
            fit(&text, width),
            theme::decoded(),
        )));
    }
    if let Some(error) = &view.last_error
        && matches!(
            view.state,
            ConnectionState::Error | ConnectionState::Reconnecting
        )
    {
        // Wrapped, not cut: the whole reason matters and the pane has the rows.
        lines.push(Line::from(Span::styled(error.clone(), theme::error())));
    }
    lines
}

/// `tls   yes INSECURE`.
fn tls_line(view: &ConnectionView, width: usize) -> Line<'static> {
    let tls = view.info.as_ref().is_some_and(|info| info.tls) || view.url.starts_with("wss:");
    let mut spans = vec![label("tls"), Span::raw(if tls { "yes" } else { "no" })];
    if view.insecure {
        spans.push(Span::raw(" "));
        spans.push(Span::styled("INSECURE", theme::warning()));
    }
    Line::from(fit_spans(spans, width))
}

/// Sent, received, rate, the queue (rate-limited, unconfirmed) and entries the log
/// dropped.
fn traffic_lines(view: &ConnectionView, dropped: u64, width: usize) -> Vec<Line<'static>> {
    let stats = &view.stats;
    let sent = format!("{} ({})", stats.messages_sent, bytes(stats.bytes_sent));
    let received = format!(
        "{} ({})",
        stats.messages_received,
        bytes(stats.bytes_received)
    );
    let rate = format!("{:.1} msg/s", stats.messages_per_second);
    let mut lines = vec![
        pair("sent", &sent, width),
        pair("recv", &received, width),
        pair("rate", &rate, width),
    ];
    let mut queue = vec![label("queue"), Span::raw(stats.queue_len.to_string())];
    if stats.rate_limited > 0 {
        queue.push(Span::styled(
            format!(" · {} rate-limited", stats.rate_limited),
            theme::dim(),
        ));
    }
    if view.unconfirmed > 0 {
        queue.push(Span::styled(
            format!(" · {} unconfirmed", view.unconfirmed),
            theme::warning(),
        ));
    }
    lines.push(Line::from(fit_spans(queue, width)));
    if dropped > 0 {
        let log = vec![
            label("log"),
            Span::styled(format!("{dropped} dropped from view"), theme::warning()),
        ];
        lines.push(Line::from(fit_spans(log, width)));
    }
    lines
}

/// The last close: one dim `last` line once connected again, else its code, who
/// closed and how, the reason and what the code means.
fn close_lines(view: &ConnectionView, width: usize) -> Vec<Line<'static>> {
    let Some(close) = &view.last_close else {
        return Vec::new();
    };
    let code = close.code.unwrap_or(1005);
    let connected = matches!(
        view.state,
        ConnectionState::Connected
            | ConnectionState::Authenticating
            | ConnectionState::Authenticated
    );
    if connected {
        // A close from before the current connection is history: one dim line.
        let text = format!("{code} {}", close_code::name(code));
        return vec![Line::from(vec![
            Span::styled(format!("{:<LABEL_WIDTH$}", "last"), theme::dim()),
            Span::styled(
                fit(&format!("close {text}"), width.saturating_sub(LABEL_WIDTH)),
                theme::dim(),
            ),
        ])];
    }
    let who = if close.by_peer { "server" } else { "wsdeck" };
    let style = if close.clean {
        theme::title()
    } else {
        theme::warning()
    };
    let close_line = vec![
        label("close"),
        Span::styled(format!("{code} {}", close_code::name(code)), style),
    ];
    let mut lines = vec![Line::from(fit_spans(close_line, width))];
    let how = if code == 1006 && !close.clean {
        "connection lost, no close frame".to_string()
    } else {
        let clean = if close.clean {
            ", clean"
        } else {
            ", not clean"
        };
        format!("by {who}{clean}")
    };
    lines.extend(indented(&how, width, theme::dim()));
    if !close.reason.is_empty() {
        let reason = format!("\"{}\"", crate::terminal_text::for_screen(&close.reason));
        lines.extend(indented(&reason, width, theme::title()));
    }
    lines.extend(indented(close_code::meaning(code), width, theme::dim()));
    lines
}

/// `● reconnecting in 2.1s (2/10)`: the state in its colour, with the countdown to
/// the next attempt while one is pending.
fn state_spans(view: &ConnectionView, now: Instant) -> Vec<Span<'static>> {
    let mut spans = vec![Span::styled(
        format!("● {}", view.state.as_str()),
        theme::state(view.state),
    )];
    if view.state == ConnectionState::Reconnecting
        && let (Some(pending), Some(left)) = (view.reconnect, view.reconnect_in(now))
    {
        let max = pending
            .max_attempts
            .map_or_else(|| "∞".to_string(), |max| max.to_string());
        spans.push(Span::raw(format!(
            " in {:.1}s ({}/{max})",
            left.as_secs_f64(),
            pending.attempt
        )));
    }
    spans
}

/// Width of the label column ("queue ").
const LABEL_WIDTH: usize = 6;

/// `text` word-wrapped into the value column, so continuation lines line up under
/// the values rather than under the labels.
fn indented(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let room = width.saturating_sub(LABEL_WIDTH).max(10);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
        .into_iter()
        .map(|line| {
            Line::from(vec![
                Span::raw(" ".repeat(LABEL_WIDTH)),
                Span::styled(line, style),
            ])
        })
        .collect()
}

fn label(name: &str) -> Span<'static> {
    Span::styled(format!("{name:<LABEL_WIDTH$}"), theme::label())
}

/// `name  value`, the value cut to what is left of `width`.
fn pair(name: &str, value: &str, width: usize) -> Line<'static> {
    let value = fit(value, width.saturating_sub(LABEL_WIDTH));
    Line::from(vec![label(name), Span::raw(value)])
}

/// `rtt   0.21ms avg 0.30ms ▂▄█▅`: the last round trip, the mean, and as much
/// history as fits.
fn rtt_line(view: &ConnectionView, width: usize) -> Line<'static> {
    let Some(rtt) = view.rtt else {
        return pair("rtt", "—", width);
    };
    let numbers = format!("{} avg {} ", millis(rtt.last), millis(rtt.avg));
    let room = width.saturating_sub(LABEL_WIDTH + numbers.chars().count());
    let spans = vec![
        label("rtt"),
        Span::raw(numbers),
        Span::styled(
            sparkline(view.rtt_history.iter().copied(), room.min(16)),
            theme::ok(),
        ),
    ];
    Line::from(fit_spans(spans, width))
}

/// The last `width` samples as bar glyphs scaled to their maximum.
pub fn sparkline(samples: impl DoubleEndedIterator<Item = u64>, width: usize) -> String {
    let mut recent: Vec<u64> = samples.rev().take(width).collect();
    recent.reverse();
    let max = recent.iter().copied().max().unwrap_or(0).max(1);
    recent
        .iter()
        .map(|sample| {
            let index = (sample * (BARS.len() as u64 - 1)) / max;
            BARS[index as usize]
        })
        .collect()
}

fn millis(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2}ms")
    } else {
        format!("{ms:.0}ms")
    }
}

/// A URL in `width` columns. When it is too long, "…" replaces its middle, so the
/// host and the end of the path (where a completed `transport=websocket` or an
/// endpoint shows) both stay readable; too narrow for that, its start is kept.
fn fit_url(url: &str, width: usize) -> String {
    if url.width() <= width || width < 5 {
        return fit(url, width);
    }
    let room = width - 1;
    let head = url
        .chars()
        .scan(0, |used, c| {
            *used += c.width().unwrap_or(0);
            (*used <= room / 2).then_some(c)
        })
        .collect::<String>();
    let mut tail = url
        .chars()
        .rev()
        .scan(0, |used, c| {
            *used += c.width().unwrap_or(0);
            (*used <= room - room / 2).then_some(c)
        })
        .collect::<Vec<char>>();
    tail.reverse();
    format!("{head}…{}", tail.into_iter().collect::<String>())
}

/// `1 234 B`, `12.3 KiB`, `4.0 MiB`.
pub fn bytes(count: u64) -> String {
    const KIB: f64 = 1024.0;
    let value = count as f64;
    if value < KIB {
        format!("{count} B")
    } else if value < KIB * KIB {
        format!("{:.1} KiB", value / KIB)
    } else if value < KIB * KIB * KIB {
        format!("{:.1} MiB", value / (KIB * KIB))
    } else {
        format!("{:.1} GiB", value / (KIB * KIB * KIB))
    }
}

fn format_uptime(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::stats::{RttStats, StatsSnapshot};
    use crate::session::{CloseOutcome, Event};

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|line| line.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn names_the_profile_and_dims_a_close_from_before_the_reconnect() {
        let now = Instant::now();
        let mut view = ConnectionView::new("ws://127.0.0.1:9/".into(), "none", false);
        view.profile = Some("staging-feed".into());
        view.apply(
            &Event::Closed(CloseOutcome {
                code: Some(1006),
                reason: "lost".into(),
                by_peer: false,
                clean: false,
            }),
            now,
        );
        view.apply(&Event::StateChanged(ConnectionState::Connected), now);
        let shown = text(&state_lines(&view, 0, now, 40));
        assert!(shown.contains("prof  staging-feed"), "{shown}");
        assert!(
            shown.contains("last  close 1006 Abnormal Closure"),
            "{shown}"
        );
        assert!(
            !shown.contains("connection lost, no close frame"),
            "{shown}"
        );
    }

    /// A view of `ws://127.0.0.1:9/` that lost its link (1006) and waits 2.1 s for
    /// attempt 2 of `max_attempts`.
    fn reconnecting_after_1006(
        now: Instant,
        insecure: bool,
        max_attempts: Option<u32>,
    ) -> ConnectionView {
        let mut view = ConnectionView::new("ws://127.0.0.1:9/".into(), "none", insecure);
        view.apply(
            &Event::Closed(CloseOutcome {
                code: Some(1006),
                reason: String::new(),
                by_peer: false,
                clean: false,
            }),
            now,
        );
        view.apply(&Event::StateChanged(ConnectionState::Reconnecting), now);
        view.apply(
            &Event::ReconnectScheduled {
                attempt: 2,
                max_attempts,
                delay: Duration::from_millis(2100),
            },
            now,
        );
        view
    }

    #[test]
    fn shows_the_proxy_only_when_there_is_one() {
        let now = Instant::now();
        let mut view = ConnectionView::new("wss://example.com/".into(), "none", false);
        assert!(!text(&state_lines(&view, 0, now, 60)).contains("proxy"));
        view.proxy = Some("http://me:***@127.0.0.1:3128".into());
        let shown = text(&state_lines(&view, 0, now, 60));
        assert!(
            shown.contains("proxy http://me:***@127.0.0.1:3128"),
            "{shown}"
        );
        let narrow = text(&state_lines(&view, 0, now, 30));
        assert!(
            narrow.contains("proxy http://me:*…7.0.0.1:3128"),
            "{narrow}"
        );
    }

    #[test]
    fn shows_reconnect_countdown_and_close_meaning() {
        let now = Instant::now();
        let view = reconnecting_after_1006(now, true, Some(10));
        let shown = text(&state_lines(&view, 0, now, 40));
        assert!(shown.contains("● reconnecting in 2.1s (2/10)"), "{shown}");
        assert!(shown.contains("1006 Abnormal Closure"), "{shown}");
        assert!(shown.contains("INSECURE"), "{shown}");
        assert!(
            shown.contains("      connection lost, no close frame"),
            "{shown}"
        );
        assert!(!shown.contains("\"\""), "no empty reason line: {shown}");
        // The meaning wraps inside the value column.
        assert!(
            shown.contains("      the connection dropped without a\n      close frame"),
            "{shown}"
        );
    }

    /// A connected view with a measured round trip and some traffic.
    fn connected(url: &str, now: Instant) -> ConnectionView {
        let mut view = ConnectionView::new(url.into(), "none", false);
        view.apply(&Event::StateChanged(ConnectionState::Connected), now);
        let rtt = RttStats {
            last: Duration::from_micros(3_900),
            min: Duration::from_micros(3_900),
            avg: Duration::from_micros(3_900),
            count: 1,
        };
        view.apply(&Event::Rtt(rtt), now);
        let stats = StatsSnapshot {
            messages_sent: 2,
            messages_received: 4,
            ..StatsSnapshot::default()
        };
        view.apply(&Event::Stats(Box::new(stats)), now);
        view
    }

    #[test]
    fn the_bar_shows_rtt_and_counters_as_room_allows() {
        let now = Instant::now();
        let view = connected("ws://127.0.0.1:8765/", now);
        let bar = |width| state_bar_line(&view, 0, now, width).to_string();
        assert_eq!(
            bar(80),
            "● connected · ws://127.0.0.1:8765/ · rtt 3.90ms · →2 ←4"
        );
        assert_eq!(bar(50), "● connected · ws://127.0.0.1:8765/ · rtt 3.90ms");
        assert_eq!(bar(40), "● connected · ws://127.0.0.1:8765/");
        assert_eq!(bar(24), "● connected · ws:/…8765/");
        assert_eq!(bar(11), "● connected");
        assert_eq!(bar(8), "● conne…");
    }

    #[test]
    fn the_bar_keeps_room_for_a_long_url_and_warns_first() {
        let now = Instant::now();
        let url = "wss://stream.example.com/v1/market/trades?symbols=BTC-USD";
        let mut view = connected(url, now);
        view.insecure = true;
        view.unconfirmed = 3;
        let line = state_bar_line(&view, 12, now, 60);
        assert_eq!(
            line.to_string(),
            "● connected · wss://stre…ols=BTC-USD · INSECURE · rtt 3.90ms"
        );
        assert_eq!(line.width(), 60);
        let wide = state_bar_line(&view, 12, now, 200).to_string();
        assert!(
            wide.ends_with(&format!(
                "{url} · INSECURE · rtt 3.90ms · →2 ←4 · 3 unconfirmed · 12 dropped"
            )),
            "{wide}"
        );
    }

    #[test]
    fn the_bar_counts_down_to_a_reconnect_and_names_the_last_close() {
        let now = Instant::now();
        let view = reconnecting_after_1006(now, false, None);
        assert_eq!(
            state_bar_line(&view, 0, now, 80).to_string(),
            "● reconnecting in 2.1s (2/∞) · ws://127.0.0.1:9/ · close 1006 · →0 ←0"
        );
    }

    #[test]
    fn long_values_in_the_pane_are_cut_with_an_ellipsis() {
        let now = Instant::now();
        let mut view = connected("ws://127.0.0.1:8765/a/rather/long/path/to/the/socket", now);
        view.profile = Some("production-market-data-eu-west".into());
        view.unconfirmed = 12;
        view.stats.rate_limited = 3;
        let lines = state_lines(&view, 0, now, 26);
        for line in &lines {
            assert!(line.width() <= 26, "{line}");
        }
        let shown = text(&lines);
        assert!(shown.contains("url   ws://127.…the/socket\n"), "{shown}");
        assert!(shown.contains("prof  production-market-d…"), "{shown}");
        assert!(shown.contains("queue 0 · 3 rate-limited …"), "{shown}");
    }

    #[test]
    fn helpers() {
        assert_eq!(
            fit_url("ws://example.com/very/long/path", 12),
            "ws://…g/path"
        );
        assert_eq!(fit_url("ws://例え.jp/パス", 9), "ws:/…パス");
        assert_eq!(fit_url("ws://example.com/", 4), "ws:…");
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(2048), "2.0 KiB");
        assert_eq!(sparkline([1, 2, 4, 8].into_iter(), 3), "▂▄█");
        assert_eq!(format_uptime(Duration::from_secs(3725)), "01:02:05");
    }
}
