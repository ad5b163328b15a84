//! wsdeck: an interactive WebSocket client for debugging real-time systems.
//!
//! The library holds everything testable: the session engine (`session`), the
//! built-in demo/test server (`server`), the headless commands (`commands`) and the
//! command-line definitions (`cli`). `src/main.rs` only wires them together.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod keymap;
pub mod protocol;
pub mod server;
pub mod session;
pub mod state;
pub mod terminal_text;
pub mod tui;
pub mod ui;
pub mod units;
pub mod wire;
