//! Draws the snippets popup: the filter line, the snippet names (with their
//! descriptions), and the selected snippet's template as it will be inserted.
//! Names, descriptions, the filter line and the template cut to fit end with "…".
//!
//! ```text
//! ┌ Snippets ─────────────────────────────────────────┐
//! │filter: tog                                        │
//! │▶ toggle kitchen   call_service light.toggle       │
//! │  …                                                │
//! │{"type":"call_service","domain":"light",…}         │  template (wrapped)
//! └───────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph};

use super::close_dialog::wrap_to_rows;
use super::fit::{fit, fit_line};
use super::help::{popup_area, popup_frame};
use super::theme;
use crate::config::profile::Snippet;
use crate::state::snippets::SnippetList;

/// Widest the popup gets.
const WIDTH: u16 = 80;
/// Rows for the selected template's preview.
const PREVIEW_ROWS: u16 = 4;
/// Cells of the highlight symbol in front of each name.
const SYMBOL_CELLS: usize = 2;
/// Cells between a name and its description.
const GAP: &str = "  ";

/// Draws the popup centred in `area` (the whole screen), clearing what is under it.
pub fn render_snippets(frame: &mut Frame, area: Rect, list: &SnippetList) {
    let list_rows = u16::try_from(list.shown_count().max(1)).unwrap_or(u16::MAX);
    // Filter line, list, a rule's worth of space, preview, borders.
    let popup = popup_area(area, WIDTH, list_rows + PREVIEW_ROWS + 4);
    if popup.is_empty() {
        return;
    }
    let inner = popup_frame(frame, popup, "Snippets");
    let [filter_area, list_area, preview_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(PREVIEW_ROWS + 1),
    ])
    .areas(inner);

    let filter = Line::from(vec![
        Span::styled("filter: ", theme::key()),
        Span::raw(list.filter().to_string()),
        Span::styled(
            if list.filter().is_empty() {
                "  type to narrow · ↑↓ pick · Enter insert · Esc close"
            } else {
                ""
            },
            theme::dim(),
        ),
    ]);
    let filter = fit_line(&filter, usize::from(filter_area.width));
    frame.render_widget(Paragraph::new(filter), filter_area);

    if list.shown_count() == 0 {
        frame.render_widget(
            Paragraph::new(Span::styled("no snippet matches", theme::dim())),
            list_area,
        );
    } else {
        let room = usize::from(list_area.width).saturating_sub(SYMBOL_CELLS);
        let name_width = name_column_width(list.shown(), room);
        let items: Vec<ListItem> = list
            .shown()
            .map(|snippet| ListItem::new(list_row(snippet, name_width, room)))
            .collect();
        let widget = List::new(items)
            .highlight_style(theme::selected())
            .highlight_symbol("▶ ")
            .highlight_spacing(HighlightSpacing::Always);
        let mut state = ListState::default().with_selected(Some(list.selected_index()));
        frame.render_stateful_widget(widget, list_area, &mut state);
    }

    let [_, preview_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(preview_area);
    if let Some(snippet) = list.selected() {
        let rows = wrap_to_rows(
            &snippet.text,
            usize::from(preview_area.width),
            usize::from(preview_area.height),
        );
        let lines: Vec<Line> = rows.into_iter().map(Line::raw).collect();
        frame.render_widget(Paragraph::new(lines).style(theme::decoded()), preview_area);
    }
}

/// Cells for the name column: the widest name, but at most `room`, and when
/// some snippet has a description, at most two thirds of it so descriptions
/// keep some room.
fn name_column_width<'a>(snippets: impl Iterator<Item = &'a Snippet>, room: usize) -> usize {
    let mut widest = 0;
    let mut described = false;
    for snippet in snippets {
        widest = widest.max(Span::raw(snippet.name.as_str()).width());
        described |= snippet.description.is_some();
    }
    let cap = if described { room * 2 / 3 } else { room };
    widest.min(cap)
}

/// One list row: the name cut to and padded to `name_width` cells, then the
/// description in what is left of `room`.
fn list_row(snippet: &Snippet, name_width: usize, room: usize) -> Line<'static> {
    let name = fit(&snippet.name, name_width);
    let padding = " ".repeat(name_width.saturating_sub(Span::raw(name.as_str()).width()));
    let mut spans = vec![Span::raw(name + &padding)];
    if let Some(description) = &snippet.description {
        let left = room.saturating_sub(name_width + GAP.len());
        spans.push(Span::styled(
            format!("{GAP}{}", fit(description, left)),
            theme::dim(),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    fn snippet(name: &str, description: Option<&str>, text: &str) -> Snippet {
        Snippet {
            name: name.to_owned(),
            text: text.to_owned(),
            description: description.map(str::to_owned),
        }
    }

    fn draw(list: &SnippetList, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| render_snippets(frame, frame.area(), list))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| (0..width).map(|x| buffer[(x, y)].symbol()).collect())
            .collect()
    }

    #[test]
    fn cut_names_descriptions_filter_hint_and_template_end_with_an_ellipsis() {
        let list = SnippetList::new(vec![
            snippet(
                "subscribe to every trade of the day",
                Some("opens a stream of all trades on the exchange"),
                &"{\"op\": \"subscribe\", \"channel\": \"trades\"}\n".repeat(5),
            ),
            snippet("ping", None, "{}"),
        ]);
        let rows = draw(&list, 44, 16);
        let text = rows.join("\n");
        assert!(
            text.contains("│ filter:   type to narrow · ↑↓ pick · En… │"),
            "{text}"
        );
        assert!(
            text.contains("│ ▶ subscribe to every trade…  opens a st… │"),
            "{text}"
        );
        assert!(
            text.contains("│   ping                                   │"),
            "{text}"
        );
        let preview: Vec<&String> = rows.iter().filter(|r| r.contains("\"op\"")).collect();
        assert_eq!(preview.len(), 4, "{text}");
        assert!(
            preview[3].contains("{\"op\": \"subscribe\", \"channel\": \"trades\"… │"),
            "the last preview row says more follows: {text}"
        );
    }

    #[test]
    fn short_names_and_descriptions_are_not_cut() {
        let list = SnippetList::new(vec![
            snippet("ping", Some("keeps the line open"), "{\"op\": \"ping\"}"),
            snippet("subscribe", None, "{}"),
        ]);
        let text = draw(&list, 80, 12).join("\n");
        assert!(text.contains("▶ ping       keeps the line open"), "{text}");
        assert!(text.contains("  subscribe"), "{text}");
        assert!(text.contains("{\"op\": \"ping\"}"), "{text}");
        assert!(!text.contains('…'), "{text}");
    }
}
