//! Themes as drawn: `NO_COLOR` leaves no colour on screen (in a `TestBackend` and
//! through the real binary in a pty), the light theme keeps text off the colours a
//! white background swallows, a `theme.toml` style reaches the cell it names, and a
//! broken `theme.toml` stops the binary before the TUI opens.
//!
//! Each `TestBackend` test gives its own thread the theme it draws with
//! (`theme::active::use_on_this_thread`), before the app is built: some panes lay
//! out their styled lines when a message arrives.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use tokio::time::Instant;

use wsdeck::app::Overlay;
use wsdeck::theme::{self, Theme};

use crate::common::pty::PtyApp;
use crate::common::screen::screen_text;
use crate::snapshots::{key, select_trade, session_app};

/// The screens every theme is drawn on: the main screen with the log focused and
/// a JSON message selected, then the inspector on that message.
fn drawn_screens(theme: Theme) -> Vec<Buffer> {
    let _theme = theme::active::use_on_this_thread(theme);
    let now = Instant::now();
    let mut app = session_app(now);
    select_trade(&mut app, now);
    let draw = |app: &wsdeck::app::App| {
        let mut terminal = Terminal::new(TestBackend::new(120, 36)).expect("a test terminal");
        terminal
            .draw(|frame| wsdeck::ui::screen::draw(frame, &app.state, now))
            .expect("drawing works");
        terminal.backend().buffer().clone()
    };
    let main = draw(&app);
    app.update(key(KeyCode::Enter), now);
    assert!(matches!(app.state.overlay, Some(Overlay::Inspector(_))));
    vec![main, draw(&app)]
}

/// Every drawn cell with its position and screen.
fn cells(screens: &[Buffer]) -> impl Iterator<Item = (usize, &ratatui::buffer::Cell)> {
    screens
        .iter()
        .enumerate()
        .flat_map(|(screen, buffer)| buffer.content.iter().map(move |cell| (screen, cell)))
}

#[test]
fn no_color_draws_no_colour_but_keeps_focus_mode_and_selection_visible() {
    let screens = drawn_screens(Theme::dark().without_colour());
    for (screen, cell) in cells(&screens) {
        assert_eq!(
            (cell.fg, cell.bg, cell.underline_color),
            (Color::Reset, Color::Reset, Color::Reset),
            "screen {screen}, '{}' is coloured",
            cell.symbol()
        );
    }
    let main = &screens[0];
    let text = screen_text(main);
    let bottom = main.area.height - 1;
    let mode = &main[(1, bottom)];
    assert!(
        mode.modifier.contains(Modifier::REVERSED | Modifier::BOLD),
        "the mode label stands out: {mode:?}\n{text}"
    );
    assert!(
        text.contains("▶ log"),
        "the focused pane is marked:\n{text}"
    );
    let selected_row = text
        .lines()
        .position(|line| line.contains("\"trade\""))
        .expect("the trade message is on screen");
    let row_cells = main
        .content
        .chunks(usize::from(main.area.width))
        .nth(selected_row);
    assert!(
        row_cells
            .expect("the row")
            .iter()
            .any(|cell| cell.modifier.contains(Modifier::REVERSED)),
        "the selected row is reversed"
    );
}

#[test]
fn the_light_theme_differs_from_dark_and_writes_no_text_white_or_yellow_on_the_background() {
    let light = drawn_screens(Theme::light());
    let dark = drawn_screens(Theme::dark());
    assert_eq!(
        light.iter().map(screen_text).collect::<Vec<_>>(),
        dark.iter().map(screen_text).collect::<Vec<_>>(),
        "the same text"
    );
    assert_ne!(light, dark, "in other styles");
    let swallowed = [Color::White, Color::Yellow, Color::LightYellow];
    for (screen, cell) in cells(&light) {
        if cell.bg == Color::Reset && !cell.symbol().trim().is_empty() {
            assert!(
                !swallowed.contains(&cell.fg),
                "screen {screen}: '{}' is {} on the background",
                cell.symbol(),
                cell.fg
            );
        }
    }
    assert!(
        cells(&dark).any(|(_, cell)| cell.fg == Color::Yellow && cell.bg == Color::Reset),
        "the check would catch dark's yellow"
    );
}

#[test]
fn a_theme_file_style_reaches_the_cells_of_its_role() {
    let theme = theme::file::parse(
        "base = \"light\"\n[styles]\nincoming = { fg = \"#123456\", underlined = true }\n",
    )
    .expect("a valid theme");
    let screens = drawn_screens(theme);
    let main = &screens[0];
    let text = screen_text(main);
    let width = usize::from(main.area.width);
    let (row, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains("← text") && line.contains("subscribed"))
        .expect("an incoming frame on screen");
    let column = line.chars().position(|c| c == '←').expect("the arrow");
    let arrow = &main.content[row * width + column];
    assert_eq!(arrow.symbol(), "←");
    assert_eq!(arrow.fg, Color::Rgb(0x12, 0x34, 0x56));
    assert!(arrow.modifier.contains(Modifier::UNDERLINED));
    let outgoing = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains("→ text"))
        .map(|(row, line)| {
            let column = line.chars().position(|c| c == '→').expect("the arrow");
            main.content[row * width + column].fg
        });
    assert_eq!(
        outgoing,
        Theme::light().style(theme::Role::Outgoing).fg,
        "other roles from the base"
    );
}

#[test]
fn a_broken_theme_toml_stops_the_binary_before_the_tui_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().to_str().expect("utf-8 path").to_string();
    std::fs::write(
        dir.path().join("theme.toml"),
        "base = \"light\"\n[styles]\nincoming = { fg = \"cyann\" }\n",
    )
    .expect("theme.toml written");
    let mut broken = PtyApp::start_with_env(&["demo"], &[("WSDECK_CONFIG_DIR", &config)], 24, 100);
    let status = broken.wait_exit();
    assert_eq!(status.exit_code(), 2, "screen:\n{}", broken.contents());
    let screen = broken.wait_for("the error", |s| {
        s.contains("theme.toml:3:19: unknown colour")
    });
    assert!(!screen.contains("connected"), "{screen}");
}

#[test]
fn no_color_reaches_the_real_binary() {
    let mut app = PtyApp::start_with_env(&["demo"], &[("NO_COLOR", "1")], 30, 110);
    app.wait_for("the demo to connect", |s| s.contains("● connected"));
    app.type_text("{\"hello\":1}");
    app.key(b"\r");
    app.wait_for("the echo", |s| s.contains("← text"));
    let (coloured, reversed) = {
        let parser = app.screen.lock().expect("the screen");
        let screen = parser.screen();
        let (rows, cols) = screen.size();
        let mut coloured = Vec::new();
        let mut reversed = 0;
        for row in 0..rows {
            for col in 0..cols {
                let cell = screen.cell(row, col).expect("a cell");
                if cell.fgcolor() != vt100::Color::Default
                    || cell.bgcolor() != vt100::Color::Default
                {
                    coloured.push((row, col, cell.contents().to_string()));
                }
                reversed += usize::from(cell.inverse());
            }
        }
        (coloured, reversed)
    };
    assert!(
        coloured.is_empty(),
        "coloured cells: {coloured:?}\n{}",
        app.contents()
    );
    assert!(
        reversed > 0,
        "the mode label is reversed:\n{}",
        app.contents()
    );
    app.quit();
}
