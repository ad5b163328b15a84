//! wsdeck: an interactive WebSocket client for debugging real-time systems.
//!
//! The library holds everything testable; `src/main.rs` only wires it together.
//! The modules, from the bottom layer up: each uses only the modules listed above
//! it, never one below (doc links aside). A test in `tests/it/docs.rs` checks it.
//!
//! 1. `wire` — the vocabulary adapters and the engine share: payload kinds, auth
//!    verdicts, decoded frames, status lines.
//! 2. `units` — humane durations and sizes.
//! 3. `terminal_text` — server text made safe for a terminal.
//! 4. `secret` — tokens, and their redaction from what is shown.
//! 5. `template` — the `{{variable}}` template language.
//! 6. `payload` — message notation: JSON checked and pretty-printed, binary as hex
//!    or base64.
//! 7. `jq` — jq programs (jaq) compiled once and run over one JSON value at a time.
//! 8. `protocol` — the protocol adapters (Socket.IO, graphql-ws, Home Assistant…)
//!    and the provider registry.
//! 9. `session` — the engine: one actor task per connection, commands in, events out.
//! 10. `recording` — sessions written down as JSON lines, and read back.
//! 11. `outcome` — how a command failed: class, exit code, message.
//! 12. `debug_log` — `--log-file`: the engine's tracing written to a file.
//! 13. `file_mistake` — a mistake in a hand-written file (`keys.toml`,
//!     `theme.toml`), with its line and column.
//! 14. `theme` — the colours and styles everything on screen is drawn with.
//! 15. `server` — the built-in demo and test server.
//! 16. `config` — profiles, presets and their store, turned into session settings.
//! 17. `keymap` — what each key does in each context, and the key reference.
//! 18. `state` — the TUI's state: panes, popups, the log, the composer.
//! 19. `ui` — drawing that state with ratatui.
//! 20. `app` — `App::update`: messages in, state changed, effects out.
//! 21. `cli` — the command line's arguments.
//! 22. `commands` — the headless commands, and the settings resolution the TUI
//!     shares with them.
//! 23. `tui` — the terminal runtime: the event loop, the picker, launching.

pub mod wire;

pub mod units;

pub mod terminal_text;

pub mod secret;

pub mod template;

pub mod payload;

pub mod jq;

pub mod protocol;

pub mod session;

pub mod recording;

pub mod outcome;

pub mod debug_log;

pub mod file_mistake;

pub mod theme;

pub mod server;

pub mod config;

pub mod keymap;

pub mod state;

pub mod ui;

pub mod app;

pub mod cli;

pub mod commands;

pub mod tui;
