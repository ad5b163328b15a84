//! Drawing: one module and one render function per pane or overlay. [`screen::draw`] lays
//! the screen out and calls them; nothing here changes what the app knows, it only
//! records the page sizes the panes got so scrolling can page by screenfuls.

pub mod close_dialog;
pub mod command_line;
pub mod composer;
pub mod fit;
pub mod help;
pub mod inspector;
pub mod json;
pub mod log_pane;
pub mod picker;
pub mod picker_text;
pub mod profile_form;
pub mod recording_pane;
pub mod schedule_text;
pub mod screen;
pub mod snippets;
pub mod state_pane;
pub use crate::theme;
