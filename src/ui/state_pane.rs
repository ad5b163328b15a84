//! The connection-state pane: state with its colour, URL, auth, subprotocol, TLS,
//! uptime, RTT with a sparkline, counters, rate, queue, reconnect countdown and the
//! last close code with its name and meaning.

use std::time::Duration;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use tokio::time::Instant;

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

/// The pane's lines, for drawing and for tests.
pub fn state_lines(
    view: &ConnectionView,
    dropped: u64,
    now: Instant,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = Vec::with_capacity(14);
    let mut state = vec![Span::styled(
        format!("● {}", view.state.as_str()),
        theme::state(view.state),
    )];
    if view.state == ConnectionState::Reconnecting
        && let (Some(pending), Some(left)) = (view.reconnect, view.reconnect_in(now))
    {
        let max = pending
            .max_attempts
            .map_or_else(|| "∞".to_string(), |max| max.to_string());
        state.push(Span::raw(format!(
            " in {:.1}s ({}/{max})",
            left.as_secs_f64(),
            pending.attempt
        )));
    }
    lines.push(Line::from(state));
    if let Some(profile) = &view.profile {
        lines.push(pair("prof", shorten(profile, width.saturating_sub(6))));
    }
    lines.push(pair("url", shorten(&view.url, width.saturating_sub(6))));
    let subprotocol = view
        .info
        .as_ref()
        .and_then(|info| info.subprotocol.clone())
        .unwrap_or_else(|| "—".into());
    lines.push(pair("auth", view.auth_mode.to_string()));
    lines.push(pair("proto", subprotocol));
    if view.provider != "raw" {
        lines.push(pair("via", view.provider.clone()));
    }
    let tls = view.info.as_ref().is_some_and(|info| info.tls) || view.url.starts_with("wss:");
    let mut tls_line = vec![label("tls"), Span::raw(if tls { "yes" } else { "no" })];
    if view.insecure {
        tls_line.push(Span::raw(" "));
        tls_line.push(Span::styled("INSECURE", theme::warning()));
    }
    lines.push(Line::from(tls_line));
    let uptime = view
        .uptime(now)
        .map_or_else(|| "—".to_string(), format_uptime);
    lines.push(pair("up", uptime));
    lines.push(rtt_line(view, width));
    let stats = &view.stats;
    lines.push(pair(
        "sent",
        format!("{} ({})", stats.messages_sent, bytes(stats.bytes_sent)),
    ));
    lines.push(pair(
        "recv",
        format!(
            "{} ({})",
            stats.messages_received,
            bytes(stats.bytes_received)
        ),
    ));
    lines.push(pair(
        "rate",
        format!("{:.1} msg/s", stats.messages_per_second),
    ));
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
    lines.push(Line::from(queue));
    if dropped > 0 {
        lines.push(Line::from(vec![
            label("log"),
            Span::styled(format!("{dropped} dropped from view"), theme::warning()),
        ]));
    }
    let connected = matches!(
        view.state,
        ConnectionState::Connected
            | ConnectionState::Authenticating
            | ConnectionState::Authenticated
    );
    if let Some(close) = view.last_close.as_ref().filter(|_| connected) {
        // A close from before the current connection is history: one dim line.
        let code = close.code.unwrap_or(1005);
        let text = format!("{code} {}", close_code::name(code));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL_WIDTH$}", "last"), theme::dim()),
            Span::styled(
                shorten(&format!("close {text}"), width.saturating_sub(LABEL_WIDTH)),
                theme::dim(),
            ),
        ]));
    } else if let Some(close) = &view.last_close {
        let code = close.code.unwrap_or(1005);
        let who = if close.by_peer { "server" } else { "wsdeck" };
        lines.push(Line::from(vec![
            label("close"),
            Span::styled(
                format!("{code} {}", close_code::name(code)),
                if close.clean {
                    theme::title()
                } else {
                    theme::warning()
                },
            ),
        ]));
        let how = if code == 1006 && !close.clean {
            "connection lost, no close frame".to_string()
        } else {
            format!(
                "by {who}{}",
                if close.clean {
                    ", clean"
                } else {
                    ", not clean"
                }
            )
        };
        lines.extend(indented(&how, width, theme::dim()));
        if !close.reason.is_empty() {
            let reason = format!("\"{}\"", crate::terminal_text::for_screen(&close.reason));
            lines.extend(indented(&reason, width, theme::title()));
        }
        lines.extend(indented(close_code::meaning(code), width, theme::dim()));
    }
    if let Some(provider) = view.recognised {
        let text = format!("looks like {provider} · :provider {provider}");
        lines.push(Line::from(Span::styled(
            shorten(&text, width),
            theme::decoded(),
        )));
    }
    for status in &view.adapter_status {
        let text = format!("{} {}", status.label, status.value);
        lines.push(Line::from(Span::styled(
            shorten(&text, width),
            theme::decoded(),
        )));
    }
    if let Some(error) = &view.last_error
        && matches!(
            view.state,
            ConnectionState::Error | ConnectionState::Reconnecting
        )
    {
        lines.push(Line::from(Span::styled(error.clone(), theme::error())));
    }
    lines
}

/// Width of the label column ("queue ").
const LABEL_WIDTH: usize = 6;

/// `text` word-wrapped into the value column, so continuation lines line up under
/// the values rather than under the labels.
fn indented(text: &str, width: usize, style: ratatui::style::Style) -> Vec<Line<'static>> {
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

fn pair(name: &str, value: String) -> Line<'static> {
    Line::from(vec![label(name), Span::raw(value)])
}

/// `rtt   0.21ms avg 0.30ms ▂▄█▅`: the last round trip, the mean, and as much
/// history as fits.
fn rtt_line(view: &ConnectionView, width: usize) -> Line<'static> {
    let Some(rtt) = view.rtt else {
        return pair("rtt", "—".into());
    };
    let numbers = format!("{} avg {} ", millis(rtt.last), millis(rtt.avg));
    let room = width.saturating_sub(LABEL_WIDTH + numbers.chars().count());
    Line::from(vec![
        label("rtt"),
        Span::raw(numbers),
        Span::styled(
            sparkline(view.rtt_history.iter().copied(), room.min(16)),
            theme::ok(),
        ),
    ])
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

/// Cuts the middle out of a long text so both ends stay readable.
fn shorten(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width || width < 5 {
        return text.to_string();
    }
    let keep = width - 1;
    let head: String = text.chars().take(keep / 2).collect();
    let tail: String = text.chars().skip(count - (keep - keep / 2)).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn shows_reconnect_countdown_and_close_meaning() {
        let now = Instant::now();
        let mut view = ConnectionView::new("ws://127.0.0.1:9/".into(), "none", true);
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
                max_attempts: Some(10),
                delay: Duration::from_millis(2100),
            },
            now,
        );
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

    #[test]
    fn helpers() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(2048), "2.0 KiB");
        assert_eq!(
            shorten("ws://example.com/very/long/path", 12),
            "ws://…g/path"
        );
        assert_eq!(sparkline([1, 2, 4, 8].into_iter(), 3), "▂▄█");
        assert_eq!(format_uptime(Duration::from_secs(3725)), "01:02:05");
    }
}
