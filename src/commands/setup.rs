//! From the command line to a session: the layers preset → profile → flags, with the
//! URL taken from the command line or the profile. Shared by the TUI and every
//! headless command, so `-p NAME` means the same everywhere.

use crate::cli::{ConnectionArgs, check_session, token_has_a_place};
use crate::config::apply::{ProfileExtras, session_from_profile};
use crate::config::presets;
use crate::config::profile::Profile;
use crate::config::store::ProfileStore;
use crate::config::template;
use crate::session::SessionConfig;
use crate::session::config::{parse_ws_url, scheme_notice};

use super::outcome::{Failure, FailureClass};

/// A session's settings and what the profile adds beyond them.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The settings for the engine.
    pub session: SessionConfig,
    /// Provider, message format, snippets… (defaults when no profile or preset).
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
    let invalid = |message: String| Failure::new(FailureClass::InvalidInput, message);
    let mut profile = Profile::default();
    if let Some(name) = &args.preset {
        let preset = presets::find(name).ok_or_else(|| {
            let known: Vec<&str> = presets::all().iter().map(|preset| preset.name).collect();
            invalid(format!(
                "unknown preset '{name}'; known presets: {}",
                known.join(", ")
            ))
        })?;
        profile = preset
            .profile()
            .map_err(|error| invalid(error.to_string()))?;
    }
    let mut profile_name = None;
    if let Some(name) = &args.profile {
        let store = ProfileStore::from_env().map_err(|error| invalid(error.to_string()))?;
        let saved = store
            .load(name)
            .map_err(|error| invalid(error.to_string()))?;
        profile = saved.merged_over(&profile);
        let _ = store.mark_used(name);
        profile_name = Some(name.clone());
    }
    resolve_profile(profile, profile_name, url, args)
}

/// Builds the session from `profile` (already layered: preset, then saved
/// profile, or a form's unsaved values), the URL given and the flags.
pub fn resolve_profile(
    mut profile: Profile,
    profile_name: Option<String>,
    url: Option<&str>,
    args: &ConnectionArgs,
) -> Result<Resolved, Failure> {
    let invalid = |message: String| Failure::new(FailureClass::InvalidInput, message);
    if let Some(url) = url {
        // Checked here so that its error speaks of the URL given, not of a profile.
        if !url.contains("${") {
            parse_ws_url(url).map_err(|error| invalid(error.to_string()))?;
        }
        profile.url = Some(url.to_string());
    }
    if profile.url.is_none() {
        return Err(invalid(
            "no URL: give one (ws://HOST[:PORT]/PATH) or a profile with -p NAME (wsdeck profiles list)"
                .into(),
        ));
    }
    // The command line's token is known before the profile's templates are rendered,
    // so `--token-env` feeds the handshake payload and on-connect messages too.
    let context = template::Context::with_token(args.token()?);
    let (mut session, extras) =
        session_from_profile(&profile, &context).map_err(|error| invalid(error.to_string()))?;
    args.apply(&mut session)?;
    if let Some(raw) = url {
        // The command line's URL replaced the profile's: its notice, not the profile's.
        session.notices = scheme_notice(raw).into_iter().collect();
    }
    session
        .apply_provider_defaults()
        .map_err(|error| invalid(error.to_string()))?;
    if args.token_is_from_environment() && !token_has_a_place(&session) {
        session.auth.token = None;
    }
    check_session(&session)?;
    let mut profile = args.to_profile()?.merged_over(&profile);
    profile.name = None;
    Ok(Resolved {
        session,
        extras,
        profile_name,
        profile,
    })
}
