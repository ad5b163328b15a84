//! wsdeck: an interactive WebSocket client for debugging real-time systems.
//!
//! The library holds everything testable; `src/main.rs` only wires it together.
//! The modules, from the bottom layer up: each uses only modules with a smaller
//! number (or its own), never one with a larger.
//!
//! 1. `wire` — the vocabulary adapters and the engine share: payload kinds, auth
//!    verdicts, decoded frames, status lines.
//! 2. `units`, `terminal_text`, `secret`, `template` — humane durations and sizes;
//!    making server text safe for a terminal; tokens and their redaction; the
//!    `{{variable}}` template language.
//! 3. `protocol` — the protocol adapters (Socket.IO, graphql-ws, Home Assistant…)
//!    and the provider registry.
//! 4. `session` — the engine: one actor task per connection, commands in, events out.
//! 5. `server` — the built-in demo and test server.
//! 6. `config` — profiles, presets and their store, turned into session settings.
//! 7. `keymap` — what each key does in each context, and the key reference.
//! 8. `state` — the TUI's state: panes, popups, the log, the composer.
//! 9. `ui` — drawing that state with ratatui.
//! 10. `app` — `App::update`: messages in, state changed, effects out.
//! 11. `cli`, `commands` — the command line and the headless commands (and the
//!     settings resolution the TUI shares with them).
//! 12. `tui` — the terminal runtime: the event loop, the picker, launching.
//!
//! Known exceptions, left for later: `state` reads `ui::theme` (the composer's text
//! area styles) and `ui` formatting helpers (hex dumps, log times), and
//! `config::apply` reads `state::payload::parse_binary`.

pub mod wire;

pub mod secret;
pub mod template;
pub mod terminal_text;
pub mod units;

pub mod protocol;

pub mod session;

pub mod server;

pub mod config;

pub mod keymap;

pub mod state;

pub mod ui;

pub mod app;

pub mod cli;
pub mod commands;

pub mod tui;
