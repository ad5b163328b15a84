//! The TUI without a terminal: an [`App`] set up for tests, and the text of a
//! screen drawn on a `TestBackend`.

use ratatui::buffer::{Buffer, CellWidth};
use wsdeck::app::AppSetup;
use wsdeck::session::MessageIds;
use wsdeck::state::history::History;

/// An app on a placeholder URL with a small history and log and one snippet,
/// `name` sending `text`.
pub fn app_with_snippet(name: &str, text: &str) -> wsdeck::app::App {
    use wsdeck::config::profile::Snippet;
    wsdeck::app::App::new(AppSetup {
        history: History::in_memory(10),
        log_capacity: 100,
        extras: wsdeck::app::SessionExtras {
            snippets: vec![Snippet {
                name: name.into(),
                text: text.into(),
                description: None,
            }],
            ..Default::default()
        },
        ..app_setup("ws://127.0.0.1:9/ws")
    })
}

/// The setup of an app showing `url`: no auth, an in-memory send history of 100, a
/// log of 1,000 entries, no welcome line, fresh message ids and no provider. Tests
/// change what they need with `AppSetup { field: …, ..app_setup(URL) }`.
pub fn app_setup(url: &str) -> AppSetup {
    AppSetup {
        url: url.to_owned(),
        auth_mode: "none",
        insecure: false,
        history: History::in_memory(100),
        log_capacity: 1_000,
        welcome: None,
        ids: MessageIds::default(),
        extras: Default::default(),
    }
}

/// The screen's text, one line per row with its trailing spaces; a wide character
/// is taken once (the cells it covers after the first are skipped).
pub fn screen_text(buffer: &Buffer) -> String {
    let width = usize::from(buffer.area.width);
    let mut text = String::new();
    for row in buffer.content.chunks(width) {
        let mut skip = 0u16;
        for cell in row {
            if skip == 0 {
                text.push_str(cell.symbol());
            }
            skip = skip.max(cell.cell_width()).saturating_sub(1);
        }
        text.push('\n');
    }
    text
}
