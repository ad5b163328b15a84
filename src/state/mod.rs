//! The TUI's state, kept apart from drawing: what each pane and popup shows,
//! changed only by `App::update` and read by `ui::screen::draw`. It uses
//! ratatui's value types (text lines, styles, the composer's text area) but never
//! draws.

pub mod app;
pub mod capture;
pub mod close_dialog;
pub mod command_line;
pub mod composer;
pub mod connection;
pub mod every_command;
pub mod export_view;
pub mod filter_expr;
pub mod hex_dump;
pub mod history;
pub mod inspector;
pub mod json;
pub mod line_input;
pub mod log;
pub mod log_view;
pub mod picker;
pub mod picker_recency;
pub mod profile_form;
pub mod prompt;
pub mod recording_view;
pub mod snippets;
