//! The state pane for a recording opened read-only (`wsdeck open`): what was
//! connected to, when and for how long, what went each way, and that nothing here
//! is live: no round-trip time, no countdown.

use std::time::Duration;

use ratatui::text::{Line, Span};

use super::fit::{fit, fit_spans};
use super::theme;
use crate::session::close_code;
use crate::state::connection::ConnectionView;
use crate::state::recording_view::RecordingSummary;

/// Width of the label column, as in the live pane.
const LABEL_WIDTH: usize = 6;

/// The pane's lines for `recording`, at most `width` columns each.
pub fn recording_lines(
    view: &ConnectionView,
    recording: &RecordingSummary,
    width: usize,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(Span::styled(
        fit("● recording · read-only", width),
        theme::title(),
    ))];
    let file = crate::terminal_text::for_screen(&recording.file).into_owned();
    lines.push(pair("file", &file, width));
    if let Some(profile) = &view.profile {
        lines.push(pair("prof", profile, width));
    }
    lines.push(pair("url", &view.url, width));
    if view.provider != "raw" {
        lines.push(pair("via", &view.provider, width));
    }
    let started = recording.started.map_or_else(
        || "—".to_string(),
        |time| {
            let text = crate::recording::text::time_text(time);
            text.replace('T', " ").trim_end_matches('Z').to_string()
        },
    );
    lines.push(pair("start", &started, width));
    lines.push(pair("dur", &duration_text(recording.duration), width));
    let subprotocol = recording.subprotocol.as_deref().unwrap_or("—");
    lines.push(pair("proto", subprotocol, width));
    lines.push(pair("conns", &recording.connections.to_string(), width));
    let (sent, sent_bytes) = recording.sent;
    let (received, received_bytes) = recording.received;
    lines.push(pair(
        "sent",
        &format!("{sent} ({})", super::state_pane::bytes(sent_bytes)),
        width,
    ));
    lines.push(pair(
        "recv",
        &format!("{received} ({})", super::state_pane::bytes(received_bytes)),
        width,
    ));
    if let Some(close) = &recording.last_close {
        let code = close.code.unwrap_or(1005);
        lines.push(pair(
            "close",
            &format!("{code} {}", close_code::name(code)),
            width,
        ));
    }
    if recording.cut_short {
        lines.push(Line::from(Span::styled(
            fit("cut short: last line left out", width),
            theme::warning(),
        )));
    }
    lines
}

/// The one-line form: `● recording · read-only · FILE · →3 ←4`.
pub fn recording_bar(recording: &RecordingSummary, width: usize) -> Line<'static> {
    let file = crate::terminal_text::for_screen(&recording.file).into_owned();
    let spans = vec![
        Span::styled("● recording · read-only", theme::title()),
        Span::styled(" · ", theme::dim()),
        Span::raw(file),
        Span::styled(" · ", theme::dim()),
        Span::raw(format!("→{} ←{}", recording.sent.0, recording.received.0)),
    ];
    Line::from(fit_spans(spans, width))
}

/// `01:02:03.456`.
fn duration_text(duration: Duration) -> String {
    let seconds = duration.as_secs();
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60,
        duration.subsec_millis()
    )
}

/// `name  value`, the value cut to what is left of `width`.
fn pair(name: &str, value: &str, width: usize) -> Line<'static> {
    let value = fit(value, width.saturating_sub(LABEL_WIDTH));
    Line::from(vec![
        Span::styled(format!("{name:<LABEL_WIDTH$}"), theme::label()),
        Span::raw(value),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::Timestamp;
    use crate::session::CloseOutcome;

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|line| {
                line.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn says_what_the_recording_holds_and_nothing_live() {
        let mut view = ConnectionView::new("ws://example/feed".into(), "none", false);
        view.profile = Some("staging".into());
        let summary = RecordingSummary {
            file: "s\x1b.jsonl".into(),
            header: None,
            started: Some(Timestamp(
                std::time::UNIX_EPOCH + Duration::from_millis(1_796_381_787_000),
            )),
            duration: Duration::from_millis(3_723_456),
            sent: (2, 16),
            received: (4, 2048),
            connections: 2,
            subprotocol: Some("chat".into()),
            last_close: Some(CloseOutcome {
                code: Some(1000),
                reason: String::new(),
                by_peer: true,
                clean: true,
            }),
            cut_short: true,
        };
        let shown = text(&recording_lines(&view, &summary, 40));
        for expected in [
            "● recording · read-only",
            "file  s .jsonl",
            "prof  staging",
            "url   ws://example/feed",
            "start 2026-12-04 10:56:27.000",
            "dur   01:02:03.456",
            "proto chat",
            "conns 2",
            "sent  2 (16 B)",
            "recv  4 (2.0 KiB)",
            "close 1000 Normal Closure",
            "cut short",
        ] {
            assert!(shown.contains(expected), "{expected:?} in\n{shown}");
        }
        assert!(!shown.contains("rtt"), "{shown}");
        let bar = text(&[recording_bar(&summary, 60)]);
        assert_eq!(bar, "● recording · read-only · s .jsonl · →2 ←4\n");
    }
}
