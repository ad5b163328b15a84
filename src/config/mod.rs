//! Profiles: saved connections, built-in provider presets, secret references and
//! message templates.
//!
//! - [`profile`] — the [`Profile`] TOML format, parsing with precise errors, layering
//!   (preset → profile → flags) and writing back.
//! - [`presets`] — one built-in profile per provider, from `profiles/*.toml`.
//! - [`secrets`] — `${env:NAME}` / `${file:PATH}` references, resolved at connect time.
//! - [`template`] — `{{token}}`, `{{uuid}}`, `{{now}}`, `{{seq}}`, `{{env.NAME}}`… in
//!   snippets and messages (it lives in [`crate::template`], below `session` too).
//! - [`store`] — the profile directory: list, load, atomic 0600 saves, recent use.
//! - [`apply`] — the merged profile to a [`crate::session::SessionConfig`], the one
//!   mapping (the command line reaches it as a layer, `cli::ConnectionArgs::to_profile`).
//! - [`merge`] — layering one profile over another.
//! - [`atomic`] — atomic 0600 file writes and 0700 directories.
//! - [`fields`] — how individual fields are read, written and reported.
//! - [`settings`] — `settings.toml`: how sessions are recorded (`[sessions]`).
//! - [`error`] — [`ProfileError`].

pub mod apply;
pub mod atomic;
pub mod error;
pub mod fields;
pub mod merge;
pub mod presets;
pub mod profile;
pub mod secrets;
pub mod settings;
pub mod store;

pub use crate::template;
pub use error::ProfileError;
pub use profile::{MessageFormat, Profile};
