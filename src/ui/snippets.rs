//! Draws the snippets popup: the filter line, the snippet names (with their
//! descriptions), and the selected snippet's template as it will be inserted.
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
use ratatui::widgets::{HighlightSpacing, List, ListItem, ListState, Paragraph, Wrap};

use super::help::{popup_area, popup_frame};
use super::theme;
use crate::state::snippets::SnippetList;

/// Widest the popup gets.
const WIDTH: u16 = 80;
/// Rows for the selected template's preview.
const PREVIEW_ROWS: u16 = 4;

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
    frame.render_widget(Paragraph::new(filter), filter_area);

    if list.shown_count() == 0 {
        frame.render_widget(
            Paragraph::new(Span::styled("no snippet matches", theme::dim())),
            list_area,
        );
    } else {
        let name_width = list
            .shown()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        let items: Vec<ListItem> = list
            .shown()
            .map(|snippet| {
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{:<name_width$}", snippet.name)),
                    Span::styled(
                        format!("  {}", snippet.description.as_deref().unwrap_or("")),
                        theme::dim(),
                    ),
                ]))
            })
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
        frame.render_widget(
            Paragraph::new(snippet.text.as_str())
                .style(theme::decoded())
                .wrap(Wrap { trim: false }),
            preview_area,
        );
    }
}
