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

use super::fit::fit_line;
use super::picker_text::{
    display_width, draw_titled_border, fit_padded, hint_rows, input_window, wrap_rows,
};
use super::theme;
use crate::state::picker::{Picker, PickerItem, PickerSource};

/// The keys, shown at the bottom; the last entry is a plain remark.
const HINTS: &[(&str, &str)] = &[
    ("Enter", "open"),
    ("↑↓", "select"),
    ("Ctrl-N", "new profile"),
    ("Ctrl-E", "edit"),
    ("Ctrl-D", "demo"),
    ("Esc", "quit"),
    ("", "type to filter or paste a ws:// URL"),
];

/// Rows kept at the bottom for the keys or an error.
const FOOTER_ROWS: u16 = 2;

/// Width of the kind column (provider or "preset").
const KIND_WIDTH: usize = 15;

/// Draws the picker over the whole `area`. Whatever is cut to fit ends with "…".
pub fn render_picker(frame: &mut Frame, area: Rect, picker: &Picker) {
    let inner = draw_titled_border(frame, area, " wsdeck · open a connection ");
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    draw_prompt(frame, inner, picker);
    draw_list(frame, inner, picker);
    draw_footer(frame, inner, picker);
}

/// Draws the filter line on the first row, with the cursor in it.
fn draw_prompt(frame: &mut Frame, inner: Rect, picker: &Picker) {
    let width = usize::from(inner.width);
    let (query, cursor_column) =
        input_window(picker.query(), picker.cursor(), width.saturating_sub(2));
    let prompt = Line::from(vec![Span::styled("> ", theme::key()), Span::raw(query)]);
    frame
        .buffer_mut()
        .set_line(inner.x, inner.y, &fit_line(&prompt, width), inner.width);
    let cursor_x = inner
        .x
        .saturating_add(2)
        .saturating_add(u16::try_from(cursor_column).unwrap_or(u16::MAX))
        .min(inner.right().saturating_sub(1));
    frame.set_cursor_position(Position::new(cursor_x, inner.y));
}

/// Draws the rows between the filter line and the footer: the matching items,
/// scrolled to keep the selected one in view, or a message in their place.
fn draw_list(frame: &mut Frame, inner: Rect, picker: &Picker) {
    let width = usize::from(inner.width);
    let list_top = inner.y + 1;
    let list_rows = inner.height.saturating_sub(1 + FOOTER_ROWS);
    if let Some(line) = list_message(picker) {
        if list_rows > 0 {
            frame
                .buffer_mut()
                .set_line(inner.x, list_top, &fit_line(&line, width), inner.width);
        }
        return;
    }
    let rows = usize::from(list_rows);
    let first = picker.selected().saturating_sub(rows.saturating_sub(1));
    let name_width = name_width(picker, width);
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

/// The width of the name column: the longest name, within bounds.
fn name_width(picker: &Picker, width: usize) -> usize {
    picker
        .items()
        .iter()
        .map(|item| display_width(&item.name))
        .max()
        .unwrap_or(0)
        .clamp(8, 24)
        // A narrow screen keeps room for the URL and description.
        .min((width / 3).max(8))
}

/// What the list shows instead of items: the typed URL to open, or why there is
/// nothing to choose.
fn list_message(picker: &Picker) -> Option<Line<'static>> {
    if let Some(url) = picker.typed_url() {
        Some(Line::from(vec![
            Span::styled("▶ ", theme::key()),
            Span::raw(format!("open {url}")),
        ]))
    } else if picker.visible_len() == 0 {
        let text = if picker.items().is_empty() {
            "no profiles yet: type a ws:// URL, Ctrl-N for a new profile, Enter for the demo"
        } else {
            "nothing matches: type a ws:// URL to open it, or Ctrl-N for a new profile"
        };
        Some(Line::styled(text, theme::dim()))
    } else {
        None
    }
}

/// Draws the bottom rows: the picker's error, or else the keys.
fn draw_footer(frame: &mut Frame, inner: Rect, picker: &Picker) {
    let width = usize::from(inner.width);
    let footer_height = FOOTER_ROWS.min(inner.height.saturating_sub(1));
    let footer_top = inner.bottom().saturating_sub(footer_height);
    let footer_rows = usize::from(footer_height);
    let footer: Vec<Line<'static>> = match picker.error() {
        Some(error) => wrap_rows(error, width, footer_rows)
            .into_iter()
            .map(|row| Line::styled(row, theme::error()))
            .collect(),
        None => hint_rows(HINTS, width, footer_rows),
    };
    for (row, line) in footer.iter().enumerate() {
        let y = footer_top + u16::try_from(row).unwrap_or(u16::MAX);
        frame.buffer_mut().set_line(inner.x, y, line, inner.width);
    }
}

/// One entry: marker, name, kind (provider or "preset"), then the URL and
/// description, or why a broken profile does not load, cut to `width` with "…".
fn item_line(item: &PickerItem, selected: bool, name_width: usize, width: usize) -> Line<'static> {
    let marker = if selected { "▶ " } else { "  " };
    let name_style = if selected {
        theme::selected()
    } else {
        theme::title()
    };
    let kind = match &item.source {
        PickerSource::Preset => "preset",
        PickerSource::Profile { .. } => item.provider.as_str(),
    };
    let mut spans = vec![
        Span::styled(marker, theme::key()),
        Span::styled(fit_padded(&item.name, name_width), name_style),
        Span::raw("  "),
        Span::styled(fit_padded(kind, KIND_WIDTH), theme::decoded()),
        Span::raw(" "),
    ];
    match item.broken() {
        Some(error) => spans.push(Span::styled(format!("BROKEN: {error}"), theme::error())),
        None => {
            let detail = if item.url.is_empty() {
                item.description.clone()
            } else if item.description.is_empty() {
                item.url.clone()
            } else {
                format!("{} · {}", item.url, item.description)
            };
            spans.push(Span::styled(detail, theme::dim()));
        }
    }
    fit_line(&Line::from(spans), width)
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

    #[test]
    fn whatever_is_cut_to_fit_ends_with_an_ellipsis() {
        let mut picker = Picker::new(vec![
            PickerItem {
                name: "a-profile-name-longer-than-the-column".into(),
                url: "wss://stream.binance.com:9443/ws/btcusdt@trade".into(),
                provider: "binance".into(),
                description: "Bitcoin trades".into(),
                source: PickerSource::Profile { broken: None },
                recent: Some(0),
            },
            PickerItem {
                name: "apollo-legacy".into(),
                url: String::new(),
                provider: "apollo-legacy".into(),
                description: "Apollo subscriptions-transport-ws (legacy graphql-ws)".into(),
                source: PickerSource::Preset,
                recent: None,
            },
        ]);
        let text = screen(&picker, 60, 7);
        for row in text.lines().skip(2).take(2) {
            assert!(row.ends_with("…│"), "cut without an ellipsis: {row}");
        }
        assert!(text.contains("a-profile-name-lon…"), "{text}");
        assert!(text.contains("…"), "{text}");
        insta::assert_snapshot!("cut_entries_and_hints", text);

        picker.set_error(
            "'old' does not load: unknown key `tokn` at line 3, column 1 — fix the file \
             (wsdeck profiles edit old)"
                .into(),
        );
        let text = screen(&picker, 40, 7);
        let footer: Vec<&str> = text.lines().skip(4).take(2).collect();
        assert!(footer[1].ends_with("…│"), "{text}");
        insta::assert_snapshot!("cut_error", text);
    }

    #[test]
    fn a_long_query_keeps_the_cursor_in_view() {
        let mut picker = Picker::new(Vec::new());
        for c in "wss://stream.binance.com:9443/ws/btcusdt@trade".chars() {
            picker.handle_key(ratatui::crossterm::event::KeyEvent::from(
                ratatui::crossterm::event::KeyCode::Char(c),
            ));
        }
        let text = screen(&picker, 30, 6);
        let prompt = text.lines().nth(1).expect("the prompt row");
        assert_eq!(
            prompt, "│> …om:9443/ws/btcusdt@trade │",
            "the end, then the cursor"
        );
        let open = text.lines().nth(2).expect("the open row");
        assert!(open.ends_with("…│"), "{open}");
    }
}
