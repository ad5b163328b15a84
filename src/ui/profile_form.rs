//! Draws the profile form: one row per field with its check mark or error, the
//! focused field's hint, and the keys. A selected value (a preset's placeholder URL)
//! is shown in reverse video.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
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
        let value_style = if focused && form.whole_text_selected() {
            theme::selected()
        } else {
            Style::new()
        };
        let line = Line::from(vec![
            marker,
            Span::styled(format!("{:<LABEL_WIDTH$}", field.label()), label_style),
            Span::styled(form.text(field).to_string(), value_style),
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
    let save = if form.connects_on_save() {
        " save and connect · "
    } else {
        " save · "
    };
    let footer = match &form.notice {
        Some(notice) => Line::styled(notice.clone(), theme::warning()),
        None => Line::from(vec![
            Span::styled("Tab/↑↓", theme::key()),
            Span::styled(" move · ", theme::dim()),
            Span::styled("Ctrl-S", theme::key()),
            Span::styled(save, theme::dim()),
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
    use ratatui::buffer::Buffer;
    use ratatui::style::Modifier;

    use super::*;
    use crate::state::profile_form::FormValues;

    fn render(form: &ProfileForm, width: u16, height: u16) -> (Buffer, String) {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| render_profile_form(frame, frame.area(), form))
            .expect("draw");
        let buffer = terminal.backend().buffer().clone();
        let text: Vec<String> = (0..height)
            .map(|y| {
                (0..width)
                    .map(|x| buffer[(x, y)].symbol().to_string())
                    .collect::<String>()
                    .trim_end()
                    .to_string()
            })
            .collect();
        (buffer, text.join("\n"))
    }

    fn home_assistant() -> FormValues {
        FormValues {
            name: "ha".into(),
            description: None,
            url: "ws://127.0.0.1:8123/api/websocket".into(),
            provider: "home-assistant".into(),
            auth: "first-message".into(),
            token: None,
            subprotocols: Vec::new(),
            format: "json".into(),
        }
    }

    #[test]
    fn shows_fields_errors_and_hint() {
        let form = ProfileForm::new(&home_assistant(), false);
        let (_, text) = render(&form, 90, 16);
        assert!(text.contains("▶ name"), "{text}");
        assert!(text.contains("✓ url"), "{text}");
        assert!(text.contains("✗ token"), "{text}");
        assert!(text.contains("Ctrl-S save"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_preset_opens_on_its_url_selected() {
        let form = ProfileForm::from_preset(&FormValues {
            name: "graphql-ws".into(),
            url: "ws://localhost:4000/graphql".into(),
            provider: "graphql-ws".into(),
            auth: "none".into(),
            ..home_assistant()
        });
        let (buffer, text) = render(&form, 80, 14);
        assert!(
            text.contains("▶ url          ws://localhost:4000/graphql"),
            "{text}"
        );
        assert!(text.contains("Ctrl-S save and connect"), "{text}");
        let url_row = 3;
        let value_start = 1 + 2 + u16::try_from(LABEL_WIDTH).expect("small");
        let url_len = u16::try_from("ws://localhost:4000/graphql".len()).expect("small");
        let reversed: Vec<(u16, u16)> = (0..buffer.area.height)
            .flat_map(|y| (0..buffer.area.width).map(move |x| (x, y)))
            .filter(|&cell| buffer[cell].modifier.contains(Modifier::REVERSED))
            .collect();
        let url_cells: Vec<(u16, u16)> = (value_start..value_start + url_len)
            .map(|x| (x, url_row))
            .collect();
        assert_eq!(reversed, url_cells, "exactly the URL is shown selected");
        let selected: String = reversed.iter().map(|&cell| buffer[cell].symbol()).collect();
        let text = format!("{text}\nin reverse video (selected): {selected}");
        insta::assert_snapshot!(text);
    }
}
