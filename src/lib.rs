//! wsdeck: an interactive WebSocket client for debugging real-time systems.
//!
//! The library holds everything testable: the session engine (`session`), the
//! built-in demo/test server (`server`), the headless commands (`commands`) and the
//! command-line definitions (`cli`). `src/main.rs` only wires them together.
//!
//! Layers point down only:
//!
//! - bottom, depending on nothing else here: `wire` (the vocabulary adapters and the
//!   engine share: payload kinds, auth verdicts, decoded frames), `secret` (tokens and
//!   their redaction), `template` (`{{variable}}` rendering) and `units`;
//! - `protocol`: the adapters, on top of `wire`;
//! - `session`: the engine, driving an adapter;
//! - `config`: profiles, turned into session settings;
//! - above them all: `commands`, `app`, `state`, `ui`, `tui`, `cli`.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod keymap;
pub mod protocol;
pub mod secret;
pub mod server;
pub mod session;
pub mod state;
pub mod template;
pub mod terminal_text;
pub mod tui;
pub mod ui;
pub mod units;
pub mod wire;
