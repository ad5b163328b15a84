//! `:export FILE`: the log's current view written off the UI loop, in the format
//! the file's extension names (see [`crate::recording::export`]).

use std::path::PathBuf;

use tokio::sync::mpsc;

use crate::app::{App, StatusLevel};
use crate::recording::export::{ExportFormat, export_to_file};
use crate::state::export_view::export_source;

/// Collects the view's entries now and writes them on a blocking thread, so a
/// large log or a slow disk never holds the screen; the outcome comes back through
/// `done` as the status line. Returns the status to show meanwhile. An export
/// still running when the user quits finishes before the process exits.
pub fn start_export(
    app: &App,
    path: PathBuf,
    overwrite: bool,
    done: mpsc::UnboundedSender<(String, StatusLevel)>,
) -> (String, StatusLevel) {
    let format = match ExportFormat::for_path(&path) {
        Ok(format) => format,
        Err(error) => return (error, StatusLevel::Error),
    };
    let source = export_source(&app.state);
    let shown = crate::terminal_text::one_line(&path.display().to_string()).into_owned();
    let exporting = format!("exporting {} entries to {shown}…", source.entry_count());
    tokio::task::spawn_blocking(move || {
        let status = match export_to_file(&source, &path, format, overwrite) {
            Ok(count) => (
                format!("exported {count} entries to {shown}"),
                StatusLevel::Info,
            ),
            Err(error) => (error.to_string(), StatusLevel::Error),
        };
        let _ = done.send(status);
    });
    (exporting, StatusLevel::Info)
}
