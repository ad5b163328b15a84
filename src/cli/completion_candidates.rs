//! The names a shell completes for flags whose values are not fixed: saved
//! profiles, presets and providers. They are looked up each time the shell asks
//! (`COMPLETE=SHELL wsdeck -- WORDS…`), so a profile saved after the completion
//! script was installed is still offered.

use clap_complete::engine::CompletionCandidate;

use crate::config::presets;
use crate::config::store::ProfileStore;
use crate::protocol::registry;
use crate::terminal_text::one_line;

/// The saved profiles in the configuration directory (`WSDECK_CONFIG_DIR` or the
/// platform's), each with its description or URL as help. An unreadable folder
/// offers nothing: completing must never print an error into the command line.
pub(super) fn profile_names() -> Vec<CompletionCandidate> {
    ProfileStore::from_env()
        .map(|store| profiles_in(&store))
        .unwrap_or_default()
}

/// The built-in presets, each with its description as help.
pub(super) fn preset_names() -> Vec<CompletionCandidate> {
    presets::all()
        .iter()
        .map(|preset| CompletionCandidate::new(preset.name).help(Some(preset.description.into())))
        .collect()
}

/// The protocol providers, each with its description as help.
pub(super) fn provider_names() -> Vec<CompletionCandidate> {
    registry::all()
        .iter()
        .map(|provider| {
            CompletionCandidate::new(provider.name).help(Some(provider.description.into()))
        })
        .collect()
}

/// The profiles `store` holds, broken ones included (`profiles show`, `edit` and
/// `rm` are how they get fixed).
fn profiles_in(store: &ProfileStore) -> Vec<CompletionCandidate> {
    let entries = store.list().unwrap_or_default();
    entries
        .into_iter()
        .map(|entry| {
            let help = entry.profile.ok().and_then(|profile| {
                profile
                    .description
                    .or(profile.url)
                    .map(|text| one_line(&text).into_owned().into())
            });
            CompletionCandidate::new(entry.name).help(help)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(candidates: &[CompletionCandidate]) -> Vec<String> {
        candidates
            .iter()
            .map(|candidate| candidate.get_value().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn profiles_are_read_from_the_store_each_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = ProfileStore::at(dir.path());
        assert!(profiles_in(&store).is_empty(), "no folder yet, no names");
        let profiles = store.profiles_dir();
        std::fs::create_dir_all(&profiles).expect("profiles folder");
        std::fs::write(
            profiles.join("staging.toml"),
            "description = \"the staging\\u001b[31m feed\"\nurl = \"wss://staging.example/ws\"\n",
        )
        .expect("profile");
        std::fs::write(profiles.join("broken.toml"), "url = [").expect("profile");
        let found = profiles_in(&store);
        assert_eq!(values(&found), ["broken", "staging"]);
        assert_eq!(found[0].get_help(), None);
        let help = found[1].get_help().expect("a description").to_string();
        assert!(
            help.starts_with("the staging") && !help.contains('\u{1b}'),
            "{help}"
        );
    }

    #[test]
    fn presets_and_providers_are_the_built_in_lists() {
        assert_eq!(values(&preset_names()), presets::names());
        assert_eq!(values(&provider_names()), registry::names());
    }
}
