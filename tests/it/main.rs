//! The integration tests, as one crate so they compile and link once. Each module
//! was a file of its own under tests/; what they share (servers to talk to, a
//! session to wait on, the wsdeck binary run with a clean environment, the
//! reference servers, transcripts) lives in [`common`].
//!
//! Run one module with `cargo test --test it MODULE::` (say `cargo test --test it
//! engine_reconnect::`).

mod common;

mod adapter_graphql;
mod adapter_reconnect;
mod adapter_socketio;
mod adapter_transcripts;
mod app_capture;
mod app_every;
mod app_jq;
mod app_snippets;
mod app_update;
mod cli;
mod completions;
mod docs;
mod engine_auth;
mod engine_basics;
mod engine_capture;
mod engine_close;
mod engine_connect;
mod engine_every;
mod engine_reconnect;
mod export;
mod layers;
mod listen_jq;
mod listen_output;
mod log_file;
mod open;
mod presets_connect;
mod profiles;
mod profiles_cli;
mod proxy;
mod readme_picture;
mod recording;
mod reference_servers;
mod replay;
mod serve;
mod serve_script;
mod snapshots;
mod terminal_safety;
mod themes;
mod tls;
mod tui_e2e;
mod tui_loop;
