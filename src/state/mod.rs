//! The TUI's state, kept apart from rendering: what each pane and overlay shows,
//! changed only by `App::update` and read by `ui::draw`. Nothing here depends on
//! ratatui.

pub mod close_dialog;
pub mod command_line;
pub mod composer;
pub mod connection;
pub mod filter_expr;
pub mod history;
pub mod inspector;
pub mod json;
pub mod line_input;
pub mod log;
pub mod log_view;
pub mod payload;
pub mod picker;
pub mod picker_recency;
pub mod profile_form;
pub mod prompt;
pub mod snippets;
