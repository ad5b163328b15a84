//! `:save-profile NAME`: writes the connection the TUI is on as a new profile, with
//! the same rules as `wsdeck profiles new` (references only, never over an existing
//! or broken file, atomic and 0600).

use crate::app::StatusLevel;
use crate::config::ProfileError;
use crate::config::profile::Profile;
use crate::config::store::{ProfileStore, SaveMode};

/// Saves `profile` as `name` in the user's profile store; returns the status line
/// to show. `profile` is `None` when there is nothing worth saving (the demo).
pub fn save_current_profile(profile: Option<&Profile>, name: &str) -> (String, StatusLevel) {
    let Some(profile) = profile else {
        return (
            "nothing to save: the demo's server lives only as long as the demo".to_string(),
            StatusLevel::Error,
        );
    };
    match ProfileStore::from_env().and_then(|store| save_into(&store, profile, name)) {
        Ok(message) => (message, StatusLevel::Info),
        Err(ProfileError::LiteralSecret { .. }) => (
            format!(
                "not saved: the token was given literally; reconnect with --token-env NAME (saved as ${{env:NAME}}) or run: wsdeck profiles new {name} --store-token-in-plaintext …"
            ),
            StatusLevel::Error,
        ),
        Err(error) => (format!("not saved: {error}"), StatusLevel::Error),
    }
}

/// Saves into a given store (tests use a temporary one).
pub fn save_into(
    store: &ProfileStore,
    profile: &Profile,
    name: &str,
) -> Result<String, ProfileError> {
    let mut profile = profile.clone();
    profile.name = Some(name.to_string());
    let path = store.save(name, &profile, SaveMode::CreateNew)?;
    Ok(format!(
        "saved profile '{name}' to {} (open it with wsdeck -p {name})",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(token: &str) -> Profile {
        let mut profile = Profile {
            url: Some("ws://127.0.0.1:9/feed".into()),
            provider: Some("binance".into()),
            ..Profile::default()
        };
        profile.auth.token = Some(token.into());
        profile
    }

    #[test]
    fn saves_a_new_profile_once_and_refuses_literal_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().to_path_buf());
        let message = save_into(&store, &profile("${env:FEED_TOKEN}"), "feed").unwrap();
        assert!(message.contains("wsdeck -p feed"), "{message}");
        let loaded = store.load("feed").unwrap();
        assert_eq!(loaded.name.as_deref(), Some("feed"));
        assert_eq!(loaded.provider.as_deref(), Some("binance"));
        assert_eq!(loaded.auth.token.as_deref(), Some("${env:FEED_TOKEN}"));

        assert!(matches!(
            save_into(&store, &profile("${env:OTHER}"), "feed"),
            Err(ProfileError::AlreadyExists { .. })
        ));
        assert_eq!(
            store.load("feed").unwrap().auth.token.as_deref(),
            Some("${env:FEED_TOKEN}")
        );
        assert!(matches!(
            save_into(&store, &profile("literal-secret"), "other"),
            Err(ProfileError::LiteralSecret { .. })
        ));
        assert!(!store.path_of("other").unwrap().exists());
    }
}
