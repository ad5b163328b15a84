//! The whole screen: the layout of the panes and the status line, and the overlays
//! drawn on top.

use super::{
    close_dialog, command_line, composer, help, inspector, log_pane, snippets, state_pane, theme,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tokio::time::Instant;

use crate::keymap::hints::{Hint, HintPlace, hints};
use crate::state::app::{AppState, Focus, Overlay, StatusLevel};
use crate::state::command_line::{ColonText, colon_text};
use crate::state::filter_expr;

/// From this width and height on, the connection state is a pane beside the log;
/// below, it is a one-line bar above the log.
const STATE_PANE_MIN_WIDTH: u16 = 72;
const STATE_PANE_MIN_HEIGHT: u16 = 16;
/// The log keeps at least this many rows (its borders and one entry) before the
/// state bar takes one.
const LOG_MIN_HEIGHT: u16 = 3;
/// The composer shows at most this many lines of text before it scrolls.
const COMPOSER_MAX_LINES: u16 = 8;

/// The screen's regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScreenLayout {
    /// The connection-state pane beside the log, where it fits.
    pub state_pane: Option<Rect>,
    /// The one-line connection state above the log, on screens too small for the
    /// pane (and not when even that line would leave the log no row).
    pub state_bar: Option<Rect>,
    /// The message log.
    pub log: Rect,
    /// The editor.
    pub composer: Rect,
    /// Hints, status messages, or the `:` / `/` prompt.
    pub status: Rect,
}

/// Splits the screen:
///
/// ```text
/// ┌ connection ─┐┌ log ─────────────────────────┐
/// │ ● connected ││ 12:00:01.123 → text 11 B {…} │
/// │ url …       ││ 12:00:01.124 ← text 11 B {…} │
/// └─────────────┘└──────────────────────────────┘
/// ┌ composer · JSON ────────────────────────────┐
/// │ {"hello":1}                                 │
/// └─────────────────────────────────────────────┘
///  Enter send · Tab log · Ctrl-X close · F1 help
/// ```
///
/// Under 72 columns or 16 rows the connection pane becomes one line above the log:
///
/// ```text
/// ● connected · ws://127.0.0.1:8765/ · rtt 3.90ms
/// ┌ log ───────────────────────────────────────┐
/// │12:00:01.123 → text       11 B  {"hello":1} │
/// └────────────────────────────────────────────┘
/// ```
pub fn layout(area: Rect, composer_lines: u16) -> ScreenLayout {
    let composer_height = composer_lines.clamp(1, COMPOSER_MAX_LINES) + 2;
    let [main, composer, status] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Min(LOG_MIN_HEIGHT),
            Constraint::Length(composer_height),
            Constraint::Length(1),
        ])
        .areas(area);
    if area.width >= STATE_PANE_MIN_WIDTH && area.height >= STATE_PANE_MIN_HEIGHT {
        let state_width = (area.width / 3).clamp(28, 40);
        let [state, log] = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Length(state_width), Constraint::Min(20)])
            .areas(main);
        ScreenLayout {
            state_pane: Some(state),
            state_bar: None,
            log,
            composer,
            status,
        }
    } else if main.height > LOG_MIN_HEIGHT {
        let [bar, log] = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Length(1), Constraint::Min(LOG_MIN_HEIGHT)])
            .areas(main);
        ScreenLayout {
            state_pane: None,
            state_bar: Some(bar),
            log,
            composer,
            status,
        }
    } else {
        ScreenLayout {
            state_pane: None,
            state_bar: None,
            log: main,
            composer,
            status,
        }
    }
}

/// The regions for `state` on a screen of `area`: [`layout`] with the composer as
/// tall as its text. Drawing and the mouse both use it, so a click lands in the
/// pane drawn under it.
pub fn screen_layout(area: Rect, state: &AppState) -> ScreenLayout {
    let composer_lines = u16::try_from(state.composer.line_count()).unwrap_or(u16::MAX);
    layout(area, composer_lines)
}

/// Draws the whole screen; reads the state only (the app has sized the panes to
/// the screen, see [`crate::app::App::update`]).
pub fn draw(frame: &mut Frame, state: &AppState, now: Instant) {
    let area = frame.area();
    let regions = screen_layout(area, state);
    if let Some(state_area) = regions.state_pane {
        state_pane::render_state_pane(
            frame,
            state_area,
            &state.connection,
            state.log.evicted(),
            now,
        );
    }
    if let Some(bar_area) = regions.state_bar {
        state_pane::render_state_bar(frame, bar_area, &state.connection, state.log.evicted(), now);
    }
    let highlight = state.search.as_ref().map(|search| search.search.matcher());
    log_pane::render_log(
        frame,
        regions.log,
        state.log_rows(),
        &state.log_view,
        state.focus == Focus::Log && state.overlay.is_none(),
        log_pane::RowMarks {
            highlight,
            unconfirmed: Some(&state.unconfirmed),
            projection: state
                .filter
                .as_ref()
                .and_then(|filter| filter.projection.as_ref()),
        },
    );
    composer::render_composer(
        frame,
        regions.composer,
        &state.composer,
        state.focus == Focus::Composer && state.overlay.is_none(),
    );
    draw_status(frame, regions.status, state);
    match &state.overlay {
        Some(Overlay::Help { scroll }) => {
            let provider = help::ProviderHelp {
                provider: &state.extras.provider,
                shortcuts: &state.extras.shortcuts,
            };
            help::render_help(frame, area, *scroll, provider, &state.keymap)
        }
        Some(Overlay::Inspector(inspector)) => {
            inspector::render_inspector(frame, area, inspector, &state.keymap);
        }
        Some(Overlay::CloseDialog(dialog)) => {
            close_dialog::render_close_dialog(frame, area, dialog, &state.keymap)
        }
        Some(Overlay::Snippets(list)) => snippets::render_snippets(frame, area, list),
        Some(Overlay::CommandLine(_))
        | Some(Overlay::Search(_))
        | Some(Overlay::Filter(_))
        | None => {}
    }
}

/// The bottom line: a prompt when one is open, else the status message or the hints
/// for the focused pane.
fn draw_status(frame: &mut Frame, area: Rect, state: &AppState) {
    match &state.overlay {
        Some(Overlay::CommandLine(line)) => {
            return command_line::render_command_line(frame, area, line);
        }
        Some(Overlay::Search(prompt)) => {
            let label = if state.search_regex { "/(regex) " } else { "/" };
            let mut spans = vec![
                Span::styled(label, theme::key()),
                Span::raw(prompt.text().to_string()),
                Span::raw("  "),
            ];
            spans.extend(help::hint_spans(&hints(
                &state.keymap,
                HintPlace::SearchPrompt,
            )));
            return draw_prompt(frame, area, Line::from(spans), label, prompt.cursor());
        }
        Some(Overlay::Filter(prompt)) => {
            let label = "filter: ";
            let mut spans = vec![
                Span::styled(label, theme::key()),
                Span::raw(prompt.text().to_string()),
            ];
            let jq_error = state
                .filter_jq_error
                .as_ref()
                .filter(|(text, _)| text == prompt.text())
                .map(|(_, error)| error.as_str());
            spans.extend(filter_feedback(prompt.text(), jq_error, &state.keymap));
            return draw_prompt(frame, area, Line::from(spans), label, prompt.cursor());
        }
        _ => {}
    }
    let mode = mode_name(state);
    let width = usize::from(area.width).saturating_sub(mode.chars().count() + 2);
    // The mode first, so a capture without colour still shows where keys go.
    let mut spans = vec![Span::styled(format!(" {mode} "), theme::mode())];
    spans.extend(status_line(state, width).spans);
    let line = super::fit::fit_spans(spans, usize::from(area.width));
    frame.render_widget(Paragraph::new(Line::from(line)), area);
}

/// What the filter prompt says of the expression typed so far: what it keeps,
/// what it can say, or why it is wrong.
fn filter_feedback(
    text: &str,
    jq_error: Option<&str>,
    keymap: &crate::keymap::Keymap,
) -> Vec<Span<'static>> {
    // A jq program is compiled by the app on Enter, never here: its error is
    // shown as long as the text it was found in is unchanged.
    if let Some(error) = jq_error {
        return vec![Span::styled(
            format!("  ✗ {}", crate::terminal_text::one_line(error)),
            theme::error(),
        )];
    }
    // The expression is short: reading it on every draw costs nothing.
    match filter_expr::parse(text) {
        Ok(Some(expr)) => {
            let mut spans = vec![
                Span::styled("  → ", theme::dim()),
                Span::styled(expr.summary, theme::ok()),
                Span::raw("  "),
            ];
            spans.extend(help::hint_spans(&hints(keymap, HintPlace::FilterPrompt)));
            spans
        }
        Ok(None) => vec![Span::styled(
            "  in out text binary ping pong close -system, jq: PROGRAM, | PROJECTION, or text to find · Enter (empty: no filter)",
            theme::dim(),
        )],
        Err(error) => vec![Span::styled(format!("  ✗ {error}"), theme::error())],
    }
}

/// The bottom line after the mode: the open popup's keys, a status message, what
/// Enter will run, the welcome, the search's progress, or the focused pane's keys.
fn status_line(state: &AppState, width: usize) -> Line<'static> {
    // What just happened comes first, also under a popup ("copied to the
    // clipboard" from the inspector): the popup's keys are in its border.
    if let Some((text, level)) = &state.status {
        let style = match level {
            StatusLevel::Info => theme::dim(),
            StatusLevel::Error => theme::error(),
        };
        return Line::from(Span::styled(format!(" {text}"), style));
    }
    if let Some(popup_keys) = popup_hints(state) {
        // The panes' keys would mislead under a popup.
        return hint_line(&popup_keys, width);
    }
    if let Some(name) = composer_command(state) {
        return Line::from(vec![
            Span::styled(format!(" Enter runs :{name}"), theme::key()),
            Span::styled(
                " · :: sends the text with a leading colon instead",
                theme::dim(),
            ),
        ]);
    }
    if let Some(welcome) = &state.welcome {
        return Line::from(Span::styled(format!(" {welcome}"), theme::ok()));
    }
    match state.search.as_ref().filter(|_| state.focus == Focus::Log) {
        Some(search) => search_status(search, &state.keymap),
        None => hint_line(&pane_hints(state), width),
    }
}

/// `/query · 3 matches · n/N next/previous · …` while a search is on.
fn search_status(
    search: &crate::state::app::SearchState,
    keymap: &crate::keymap::Keymap,
) -> Line<'static> {
    let count = search.search.hit_count();
    let progress = if search.done { "" } else { " · searching…" };
    let mode = if search.search.matcher().is_regex() {
        "(regex) "
    } else {
        ""
    };
    let mut spans = vec![
        Span::styled(format!(" /{mode}{}", search.query), theme::key()),
        Span::styled(
            format!(
                " · {count} match{}{progress}",
                if count == 1 { "" } else { "es" }
            ),
            theme::dim(),
        ),
    ];
    for (keys, what) in hints(keymap, HintPlace::Search) {
        spans.push(Span::styled(format!(" · {keys} {what}"), theme::dim()));
    }
    Line::from(spans)
}

/// Where keys go now: `COMPOSE`, `LOG`, `INSPECT`, or the open popup's name.
fn mode_name(state: &AppState) -> &'static str {
    match &state.overlay {
        Some(Overlay::Inspector(_)) => "INSPECT",
        Some(Overlay::Help { .. }) => "HELP",
        Some(Overlay::CloseDialog(_)) => "CLOSE",
        Some(Overlay::Snippets(_)) => "SNIPPETS",
        Some(_) => "COMMAND",
        None => match state.focus {
            Focus::Composer => "COMPOSE",
            Focus::Log => "LOG",
        },
    }
}

/// A prompt on the status line, with the cursor after `label` + `cursor` characters.
fn draw_prompt(frame: &mut Frame, area: Rect, line: Line, label: &str, cursor: usize) {
    frame.render_widget(Paragraph::new(line), area);
    let offset = u16::try_from(label.chars().count() + cursor).unwrap_or(u16::MAX);
    let cursor_x = area.x.saturating_add(offset);
    frame.set_cursor_position((cursor_x.min(area.right().saturating_sub(1)), area.y));
}

/// The keys that matter in the focused pane (and the one clearing a filter while
/// one is on), from the keymap.
fn pane_hints(state: &AppState) -> Vec<Hint> {
    let place = match state.focus {
        Focus::Composer => HintPlace::Composer,
        Focus::Log => HintPlace::Log {
            filtered: state.filter.is_some(),
        },
    };
    hints(&state.keymap, place)
}

/// The keys of an open popup, when it has no line of its own at the bottom.
fn popup_hints(state: &AppState) -> Option<Vec<Hint>> {
    let place = match state.overlay.as_ref()? {
        Overlay::Help { .. } => HintPlace::Help,
        Overlay::Inspector(inspector) => HintPlace::Inspector {
            json: inspector.is_json(),
            tree: inspector.mode() == crate::state::inspector::InspectorMode::Tree,
        },
        Overlay::CloseDialog(_) => HintPlace::CloseDialog,
        Overlay::Snippets(_) => HintPlace::Snippets,
        _ => return None,
    };
    Some(hints(&state.keymap, place))
}

/// The command a composer line such as `:connect` will run on Enter, if any.
fn composer_command(state: &AppState) -> Option<String> {
    if state.focus != Focus::Composer || state.overlay.is_some() {
        return None;
    }
    let text = state.composer.text();
    let shortcuts = state.extras.shortcut_names();
    match colon_text(&text, &shortcuts) {
        ColonText::Command(line) => line.split_whitespace().next().map(str::to_owned),
        _ => None,
    }
}

/// `key action · key action …`, keeping only the pairs that fit whole in `width`.
fn hint_line(keys: &[Hint], width: usize) -> Line<'static> {
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (index, (key, action)) in keys.iter().enumerate() {
        let separator = if index > 0 { " · " } else { "" };
        let cost = separator.chars().count() + key.chars().count() + 1 + action.chars().count();
        if used + cost > width {
            break;
        }
        used += cost;
        if index > 0 {
            spans.push(Span::styled(separator, theme::dim()));
        }
        spans.push(Span::styled(key.clone(), theme::key()));
        spans.push(Span::styled(format!(" {action}"), theme::dim()));
    }
    Line::from(spans)
}

#[cfg(test)]
#[path = "screen_tests.rs"]
mod tests;
