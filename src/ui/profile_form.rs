//! Draws the profile form: one row per field with its check mark or error, the
//! focused field's hint, and the keys. A selected value (a preset's placeholder URL)
//! is shown in reverse video.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::fit::fit;
use super::fit::fit_line;
use super::picker_text::{draw_titled_border, fit_padded, hint_rows, input_window, wrap_rows};
use super::theme;
use crate::state::profile_form::{FormField, ProfileForm};

/// Width of the label column.
const LABEL_WIDTH: usize = 13;

/// Columns before a value: the marker and the label.
const VALUE_COLUMN: usize = 2 + LABEL_WIDTH;

/// Rows the focused field's hint or error may wrap to.
const HINT_ROWS: usize = 2;

/// Draws the form over the whole `area`. Whatever is cut to fit ends with "…"; the
/// focused value scrolls to keep the cursor in view.
///
/// ```text
/// ┌ wsdeck · new profile ─────────────────────────────┐
/// │✓ name         graphql-ws                          │
/// │▶ url          ws://localhost:4000/graphql         │
/// │               ws://HOST[:PORT]/PATH or wss://…    │
/// │✗ token                                            │
/// │Tab/↑↓ move · Ctrl-S save and connect · Esc cancel…│
/// └───────────────────────────────────────────────────┘
/// ```
pub fn render_profile_form(frame: &mut Frame, area: Rect, form: &ProfileForm) {
    let inner = draw_titled_border(frame, area, &title(form));
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let rows = FormRows::inside(inner);
    let mut y = inner.y;
    for field in FormField::ALL {
        if y >= rows.fields_bottom {
            break;
        }
        y = rows.draw_field(frame, y, form, field);
    }
    if inner.height < 2 {
        return;
    }
    frame.buffer_mut().set_line(
        inner.x,
        inner.bottom() - 1,
        &footer(form, rows.width),
        inner.width,
    );
}

/// The form's title: which profile is edited, or that it is a new one.
fn title(form: &ProfileForm) -> String {
    if form.is_editing() {
        format!(" wsdeck · edit profile {} ", form.text(FormField::Name))
    } else {
        " wsdeck · new profile ".to_string()
    }
}

/// Where the field rows go inside the border.
struct FormRows {
    inner: Rect,
    width: usize,
    value_width: usize,
    /// The last row is the footer's when there is room for a field too.
    fields_bottom: u16,
}

impl FormRows {
    /// The rows of a (non-empty) `inner` area.
    fn inside(inner: Rect) -> Self {
        let width = usize::from(inner.width);
        Self {
            inner,
            width,
            value_width: width.saturating_sub(VALUE_COLUMN),
            fields_bottom: if inner.height > 1 {
                inner.bottom() - 1
            } else {
                inner.bottom()
            },
        }
    }

    /// Draws one line at row `y`, cut to fit.
    fn draw(&self, frame: &mut Frame, y: u16, line: Line<'static>) {
        frame.buffer_mut().set_line(
            self.inner.x,
            y,
            &fit_line(&line, self.width),
            self.inner.width,
        );
    }

    /// Draws a field's row at `y` and, when it is focused, places the cursor and
    /// draws its hint or error below; returns the next free row.
    fn draw_field(&self, frame: &mut Frame, y: u16, form: &ProfileForm, field: FormField) -> u16 {
        let focused = field == form.focus();
        let error = form.error(field);
        let (line, cursor_column) = field_line(form, field, error.is_some(), self.value_width);
        self.draw(frame, y, line);
        if !focused {
            return y + 1;
        }
        let x = self
            .inner
            .x
            .saturating_add(u16::try_from(VALUE_COLUMN + cursor_column).unwrap_or(u16::MAX))
            .min(self.inner.right().saturating_sub(1));
        frame.set_cursor_position(Position::new(x, y));
        self.draw_hint(frame, y + 1, field, error)
    }

    /// Draws the focused field's error, or else its hint, from row `y` on (wrapped
    /// up to [`HINT_ROWS`]); returns the next free row.
    fn draw_hint(
        &self,
        frame: &mut Frame,
        mut y: u16,
        field: FormField,
        error: Option<String>,
    ) -> u16 {
        let (hint, style) = match error {
            Some(error) => (error, theme::error()),
            None => (field.hint(), theme::dim()),
        };
        for row in wrap_rows(&hint, self.value_width, HINT_ROWS) {
            if y >= self.fields_bottom {
                break;
            }
            self.draw(
                frame,
                y,
                Line::styled(format!("{:VALUE_COLUMN$}{row}", ""), style),
            );
            y += 1;
        }
        y
    }
}

/// A field's row (marker, label, value) and, when focused, the cursor's column in
/// its value.
fn field_line(
    form: &ProfileForm,
    field: FormField,
    has_error: bool,
    value_width: usize,
) -> (Line<'static>, usize) {
    let focused = field == form.focus();
    let marker = match (has_error, focused) {
        (_, true) => Span::styled("▶ ", theme::key()),
        (true, false) => Span::styled("✗ ", theme::error()),
        (false, false) => Span::styled("✓ ", theme::ok()),
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
    let text = form.text(field);
    let (value, cursor_column) = if focused {
        input_window(text, form.cursor(field), value_width)
    } else {
        (fit(text, value_width), 0)
    };
    let line = Line::from(vec![
        marker,
        Span::styled(fit_padded(field.label(), LABEL_WIDTH), label_style),
        Span::styled(value, value_style),
    ]);
    (line, cursor_column)
}

/// The bottom row: the form's notice, or else the keys.
fn footer(form: &ProfileForm, width: usize) -> Line<'static> {
    if let Some(notice) = &form.notice {
        return fit_line(&Line::styled(notice.clone(), theme::warning()), width);
    }
    let save = if form.connects_on_save() {
        "save and connect"
    } else {
        "save"
    };
    let mut hints = vec![("Tab/↑↓", "move"), ("Ctrl-S", save)];
    if form.connects_on_save() {
        hints.push(("Ctrl-O", "connect without saving"));
    }
    hints.push(("Esc", "cancel"));
    hints.push(("", "the file keeps any other settings (snippets, headers)"));
    hint_rows(&hints, width, 1)
        .into_iter()
        .next()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::buffer::Buffer;
    use ratatui::crossterm::event::{KeyCode, KeyEvent};
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

    #[test]
    fn whatever_is_cut_to_fit_ends_with_an_ellipsis() {
        let mut values = home_assistant();
        values.name = "a-very-long-profile-name-for-the-title".into();
        values.url = "wss://homeassistant.example.org:8123/api/websocket".into();
        let mut form = ProfileForm::new(&values, true);
        for _ in 0..2 {
            form.handle_key(KeyEvent::from(KeyCode::Tab));
        }
        assert_eq!(form.focus(), FormField::Provider);
        let (_, text) = render(&form, 44, 14);
        let rows: Vec<&str> = text.lines().collect();
        assert!(
            rows[0].contains("edit profile a-very-long-profil…┐"),
            "{text}"
        );
        assert!(
            rows[3].starts_with("│✓ url          wss://homeassistan"),
            "{text}"
        );
        assert!(rows[3].ends_with("…│"), "{text}");
        assert!(rows[4].starts_with("│▶ provider"), "{text}");
        assert!(
            rows[6].ends_with("…│"),
            "the provider list wraps, then is cut: {text}"
        );
        assert!(rows[12].ends_with("…│"), "the keys are cut: {text}");
        insta::assert_snapshot!(text);

        form.handle_key(KeyEvent::from(KeyCode::BackTab));
        assert_eq!(form.focus(), FormField::Url);
        let (_, text) = render(&form, 44, 14);
        let url_row = text.lines().nth(3).expect("the URL row");
        assert_eq!(
            url_row, "│▶ url          …le.org:8123/api/websocket │",
            "the focused URL shows its end and the cursor"
        );
    }
}
