//! `:export FILE`: the log's current view written as a recording, text or HAR.
//! The writing happens off the UI loop (`tui::export`); here the filter, if one
//! is still looking, finishes first, so the file holds exactly what it keeps.

use std::path::PathBuf;

use super::{App, Effect};

impl App {
    /// Asks the runtime to write the view to `path`.
    pub(super) fn export(&mut self, path: PathBuf, overwrite: bool) -> Vec<Effect> {
        if let Some(filter) = self.state.filter.as_mut() {
            // In memory and bounded by the log's capacity: one pass is quick, and
            // the export must not miss entries the filter has not reached yet.
            filter.view.step(&self.state.log, usize::MAX);
        }
        vec![Effect::Export { path, overwrite }]
    }
}
