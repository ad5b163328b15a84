//! Draws the profile form: one row per field with its check mark or error, the
//! focused field's hint, and the keys.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

use super::theme;
use crate::state::profile_form::{FormField, ProfileForm};

/// Width of the label column.
const LABEL_WIDTH: usize = 13;

/// Draws the form over the whole `area`.
pub fn render_profile_form(frame: &mut Frame, area: Rect, form: &ProfileForm) {
    let title = if form.is_editing() {
        format!(" wsdeck · edit profile {} ", form.text(FormField::Name))
    } else {
        " wsdeck · new profile ".to_string()
    };
    let block = Block::bordered()
        .border_style(theme::focused_border())
        .title(Span::styled(title, theme::title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut y = inner.y;
    let width = inner.width;
    for field in FormField::ALL {
        if y >= inner.bottom() {
            return;
        }
        let focused = field == form.focus();
        let error = form.error(field);
        let marker = match (&error, focused) {
            (_, true) => Span::styled("▶ ", theme::key()),
            (Some(_), false) => Span::styled("✗ ", theme::error()),
            (None, false) => Span::styled("✓ ", theme::ok()),
        };
        let label_style = if focused {
            theme::title()
        } else {
            theme::label()
        };
        let line = Line::from(vec![
            marker,
            Span::styled(format!("{:<LABEL_WIDTH$}", field.label()), label_style),
            Span::raw(form.text(field).to_string()),
        ]);
        frame.buffer_mut().set_line(inner.x, y, &line, width);
        if focused {
            let before = form.text(field)[..form.cursor(field)].chars().count();
            let x = inner
                .x
                .saturating_add(u16::try_from(2 + LABEL_WIDTH + before).unwrap_or(u16::MAX))
                .min(inner.right().saturating_sub(1));
            frame.set_cursor_position(Position::new(x, y));
            y += 1;
            if y < inner.bottom() {
                let (text, style) = match error {
                    Some(error) => (error, theme::error()),
                    None => (field.hint(), theme::dim()),
                };
                let hint = Line::styled(
                    format!("{:width$}{text}", "", width = 2 + LABEL_WIDTH),
                    style,
                );
                frame.buffer_mut().set_line(inner.x, y, &hint, width);
            }
        }
        y += 1;
    }
    if inner.height == 0 {
        return;
    }
    let footer = match &form.notice {
        Some(notice) => Line::styled(notice.clone(), theme::warning()),
        None => Line::from(vec![
            Span::styled("Tab/↑↓", theme::key()),
            Span::styled(" move · ", theme::dim()),
            Span::styled("Ctrl-S", theme::key()),
            Span::styled(" save · ", theme::dim()),
            Span::styled("Esc", theme::key()),
            Span::styled(
                " cancel · the file keeps any other settings (snippets, headers)",
                theme::dim(),
            ),
        ]),
    };
    frame
        .buffer_mut()
        .set_line(inner.x, inner.bottom() - 1, &footer, width);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::state::profile_form::FormValues;

    #[test]
    fn shows_fields_errors_and_hint() {
        let form = ProfileForm::new(
            &FormValues {
                name: "ha".into(),
                description: None,
                url: "ws://127.0.0.1:8123/api/websocket".into(),
                provider: "home-assistant".into(),
                auth: "first-message".into(),
                token: None,
                subprotocols: Vec::new(),
                format: "json".into(),
            },
            false,
        );
        let mut terminal = Terminal::new(TestBackend::new(90, 16)).expect("terminal");
        terminal
            .draw(|frame| render_profile_form(frame, frame.area(), &form))
            .expect("draw");
        let buffer = terminal.backend().buffer().clone();
        let text: Vec<String> = (0..16)
            .map(|y| {
                (0..90)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect();
        let text = text.join("\n");
        assert!(text.contains("▶ name"), "{text}");
        assert!(text.contains("✓ url"), "{text}");
        assert!(text.contains("✗ token"), "{text}");
        assert!(text.contains("Ctrl-S save"), "{text}");
        insta::assert_snapshot!(text);
    }
}
