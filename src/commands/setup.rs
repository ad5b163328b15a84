//! From the command line to a session, one path for every command: the layers
//! preset → saved profile → flags (with the URL given), each a [`Profile`] merged
//! over the ones below by [`Profile::merged_over`], and the merged profile turned
//! into the session by [`session_from_profile`]. Shared by the TUI and every
//! headless command, so `-p NAME` means the same everywhere.

use crate::cli::ConnectionArgs;
use crate::config::apply::{ProfileExtras, session_from_profile};
use crate::config::presets;
use crate::config::profile::Profile;
use crate::config::store::ProfileStore;
use crate::protocol::registry;
use crate::session::SessionConfig;
use crate::session::auth::AuthMethod;
use crate::session::config::parse_ws_url;
use crate::session::secret::short_token_problem;
use crate::template;

use crate::outcome::{Failure, FailureClass};

/// A session's settings and what the profile adds beyond them.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The settings for the engine.
    pub session: SessionConfig,
    /// Message format and snippets (defaults when no profile or preset).
    pub extras: ProfileExtras,
    /// The profile's name, when one was used.
    pub profile_name: Option<String>,
    /// Everything that made this connection as one profile (preset, then profile,
    /// then the flags and URL given), unresolved: what `:save-profile` writes.
    pub profile: Profile,
}

/// Builds the session for `url` (or the profile's URL) from `--preset`, `-p` and the
/// flags. Every problem is an INVALID_INPUT failure saying what to fix.
pub fn resolve(url: Option<&str>, args: &ConnectionArgs) -> Result<Resolved, Failure> {
    let mut profile = match &args.preset {
        Some(name) => preset_layer(name)?,
        None => Profile::default(),
    };
    if let Some(name) = &args.profile {
        let store = ProfileStore::from_env().map_err(|error| invalid(error.to_string()))?;
        let saved = store
            .load(name)
            .map_err(|error| invalid(error.to_string()))?;
        profile = saved.merged_over(&profile);
        let _ = store.mark_used(name);
    }
    resolve_profile(profile, args.profile.clone(), url, args)
}

/// The built-in preset `name` as the bottom layer.
pub fn preset_layer(name: &str) -> Result<Profile, Failure> {
    let preset = presets::find(name).ok_or_else(|| {
        let known: Vec<&str> = presets::all().iter().map(|preset| preset.name).collect();
        invalid(format!(
            "unknown preset '{name}'; known presets: {}",
            known.join(", ")
        ))
    })?;
    preset.profile().map_err(|error| invalid(error.to_string()))
}

/// Builds the session from `profile` (already layered: preset, then saved
/// profile, or a form's unsaved values) with the flags and the URL given as the
/// top layer.
pub fn resolve_profile(
    profile: Profile,
    profile_name: Option<String>,
    url: Option<&str>,
    args: &ConnectionArgs,
) -> Result<Resolved, Failure> {
    if let Some(url) = url {
        // Checked here so that its error speaks of the URL given, not of a profile.
        if !url.contains("${") {
            parse_ws_url(url).map_err(|error| invalid(error.to_string()))?;
        }
    } else if profile.url.is_none() {
        return Err(invalid(
            "no URL: give one (ws://HOST[:PORT]/PATH) or a profile with -p NAME (wsdeck profiles list)"
                .into(),
        ));
    }
    let mut flags = args.to_profile()?;
    flags.url = url.map(str::to_string);
    args.check_files()?;
    let mut profile = flags.merged_over(&profile);
    // Read here, so a `--token-env` variable that is not set is reported as the
    // flag's problem; it is the token the layer above holds, known before the
    // profile's templates are rendered, so it feeds the handshake payload and
    // on-connect messages too.
    let context = template::Context::with_token(args.token()?);
    let (mut session, extras) =
        session_from_profile(&profile, &context).map_err(|error| invalid(error.to_string()))?;
    session
        .apply_provider_defaults()
        .map_err(|error| invalid(error.to_string()))?;
    // An exported WSDECK_TOKEN is meant for connections that use one: elsewhere it
    // is dropped instead of refused.
    if args.token_is_from_environment() && !token_has_a_place(&session) {
        session.auth.token = None;
    }
    check_session(&session)?;
    profile.name = None;
    Ok(Resolved {
        session,
        extras,
        profile_name,
        profile,
    })
}

/// Whether a session's token has somewhere to go: an `--auth` mode, the adapter's own
/// handshake (Socket.IO's CONNECT, GraphQL's `connection_init`) or a handshake payload.
fn token_has_a_place(session: &SessionConfig) -> bool {
    session.auth.method != AuthMethod::None
        || session.handshake_payload.is_some()
        || registry::find(&session.provider).is_ok_and(|provider| provider.token_in_handshake)
}

/// Checks settings once every layer (preset, profile, flags) is applied.
fn check_session(session: &SessionConfig) -> Result<(), Failure> {
    registry::find(&session.provider).map_err(|error| invalid(error.to_string()))?;
    // First, so a short token is explained whatever else is wrong with the settings.
    if let Some(problem) = session
        .auth
        .token
        .as_ref()
        .and_then(|token| short_token_problem(token.expose()))
    {
        return Err(invalid(problem));
    }
    if session.auth.token.is_some() && !token_has_a_place(session) {
        return Err(invalid(
            "a token was given but --auth is none; choose --auth query-param, first-message, subprotocol or header".into(),
        ));
    }
    session
        .auth
        .validate()
        .map_err(|error| invalid(error.to_string()))?;
    Ok(())
}

fn invalid(message: String) -> Failure {
    Failure::new(FailureClass::InvalidInput, message)
}

#[cfg(test)]
#[path = "setup_tests.rs"]
mod tests;
