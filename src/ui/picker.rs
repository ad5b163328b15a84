//! Draws the profile picker: the filter line, the matching profiles and presets
//! (recent first, broken ones in red with their error), and the keys.
//!
//! ```text
//! ┌ wsdeck · open a connection ────────────────────────────┐
//! │ > hom▏                                                 │
//! │ ▶ home            home-assistant  ws://ha.local/api/…  │
//! │   home-assistant  preset          Home Assistant …     │
//! │                                                        │
//! │ Enter open · Ctrl-N new · Ctrl-E edit · Ctrl-D demo …  │
//! └────────────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::theme;
use crate::state::picker::{Picker, PickerItem, PickerSource};

/// The keys, shown at the bottom.
const HINTS: &[(&str, &str)] = &[
    ("Enter", "open"),
    ("↑↓", "select"),
    ("Ctrl-N", "new profile"),
    ("Ctrl-E", "edit"),
    ("Ctrl-D", "demo"),
    ("Esc", "quit"),
];

/// Draws the picker over the whole `area`.
pub fn render_picker(frame: &mut Frame, area: Rect, picker: &Picker) {
    let block = Block::bordered()
        .border_style(theme::focused_border())
        .title(Span::styled(" wsdeck · open a connection ", theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let prompt = Line::from(vec![
        Span::styled("> ", theme::key()),
        Span::raw(picker.query().to_string()),
    ]);
    frame
        .buffer_mut()
        .set_line(inner.x, inner.y, &prompt, inner.width);
    let typed_before_cursor = picker.query()[..picker.cursor()].chars().count();
    let cursor_x = inner
        .x
        .saturating_add(2)
        .saturating_add(u16::try_from(typed_before_cursor).unwrap_or(u16::MAX))
        .min(inner.right().saturating_sub(1));
    frame.set_cursor_position(Position::new(cursor_x, inner.y));

    let footer_rows = 2u16;
    let list_top = inner.y + 1;
    let list_rows = inner.height.saturating_sub(1 + footer_rows);
    let rows = usize::from(list_rows);
    let first = picker.selected().saturating_sub(rows.saturating_sub(1));
    let name_width = picker
        .items()
        .iter()
        .map(|item| item.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(8, 24);
    if let Some(url) = picker.typed_url() {
        let line = Line::from(vec![
            Span::styled("▶ ", theme::key()),
            Span::raw(format!("open {url}")),
        ]);
        frame
            .buffer_mut()
            .set_line(inner.x, list_top, &line, inner.width);
    } else if picker.visible_len() == 0 {
        let text = if picker.items().is_empty() {
            "no profiles yet: type a ws:// URL, Ctrl-N for a new profile, Enter for the demo"
        } else {
            "nothing matches: type a ws:// URL to open it, or Ctrl-N for a new profile"
        };
        let line = Line::styled(text, theme::dim());
        frame
            .buffer_mut()
            .set_line(inner.x, list_top, &line, inner.width);
    } else {
        for (row, (index, item)) in picker
            .visible()
            .enumerate()
            .skip(first)
            .take(rows)
            .enumerate()
        {
            let line = item_line(item, index == picker.selected(), name_width, width);
            let y = list_top + u16::try_from(row).unwrap_or(u16::MAX);
            frame.buffer_mut().set_line(inner.x, y, &line, inner.width);
        }
    }

    let footer = Rect::new(
        inner.x,
        inner.bottom().saturating_sub(footer_rows),
        inner.width,
        footer_rows,
    );
    let footer_line = match picker.error() {
        Some(error) => Line::styled(error.to_string(), theme::error()),
        None => hints_line(),
    };
    frame.render_widget(
        Paragraph::new(footer_line).wrap(Wrap { trim: true }),
        footer,
    );
}

fn item_line(item: &PickerItem, selected: bool, name_width: usize, width: usize) -> Line<'static> {
    let marker = if selected { "▶ " } else { "  " };
    let name_style = if selected {
        theme::selected()
    } else {
        theme::title()
    };
    let mut spans = vec![
        Span::styled(marker, theme::key()),
        Span::styled(format!("{:<name_width$}  ", item.name), name_style),
    ];
    let kind = match &item.source {
        PickerSource::Preset => "preset".to_string(),
        PickerSource::Profile { .. } => item.provider.clone(),
    };
    spans.push(Span::styled(format!("{kind:<15} "), theme::decoded()));
    let used = 2 + name_width + 2 + 16;
    let rest = width.saturating_sub(used);
    match item.broken() {
        Some(error) => spans.push(Span::styled(
            cut(&format!("BROKEN: {error}"), rest),
            theme::error(),
        )),
        None => {
            let detail = if item.url.is_empty() {
                item.description.clone()
            } else if item.description.is_empty() {
                item.url.clone()
            } else {
                format!("{} · {}", item.url, item.description)
            };
            spans.push(Span::styled(cut(&detail, rest), theme::dim()));
        }
    }
    Line::from(spans)
}

fn hints_line() -> Line<'static> {
    let mut spans = Vec::new();
    for (index, (key, what)) in HINTS.iter().enumerate() {
        if index > 0 {
            spans.push(Span::styled(" · ", theme::dim()));
        }
        spans.push(Span::styled(*key, theme::key()));
        spans.push(Span::styled(format!(" {what}"), theme::dim()));
    }
    spans.push(Span::styled(
        " · type to filter or paste a ws:// URL",
        theme::dim(),
    ));
    Line::from(spans)
}

/// `text` cut to `max` characters, an ellipsis marking the cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    fn screen(picker: &Picker, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| render_picker(frame, frame.area(), picker))
            .expect("draw");
        let buffer = terminal.backend().buffer().clone();
        (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn shows_profiles_presets_and_broken_ones() {
        let picker = Picker::new(vec![
            PickerItem {
                name: "ha".into(),
                url: "ws://127.0.0.1:8123/api/websocket".into(),
                provider: "home-assistant".into(),
                description: String::new(),
                source: PickerSource::Profile { broken: None },
                recent: Some(0),
            },
            PickerItem {
                name: "old".into(),
                url: String::new(),
                provider: "raw".into(),
                description: String::new(),
                source: PickerSource::Profile {
                    broken: Some("unknown key `tokn` at line 3, column 1".into()),
                },
                recent: None,
            },
            PickerItem {
                name: "binance".into(),
                url: String::new(),
                provider: "binance".into(),
                description: "Binance public market streams".into(),
                source: PickerSource::Preset,
                recent: None,
            },
        ]);
        let text = screen(&picker, 100, 10);
        assert!(text.contains("▶ ha"), "{text}");
        assert!(text.contains("ws://127.0.0.1:8123/api/websocket"), "{text}");
        assert!(text.contains("BROKEN: unknown key `tokn`"), "{text}");
        assert!(text.contains("preset"), "{text}");
        assert!(text.contains("Ctrl-N new profile"), "{text}");
        insta::assert_snapshot!(text);
    }
}
