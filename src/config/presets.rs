//! Built-in presets: one ready profile per provider, kept as TOML in `profiles/` at
//! the repository root and compiled in with `include_str!` by the provider registry
//! ([`crate::protocol::registry`]), which says which provider has which preset. A preset is used as is
//! (`--preset NAME`) or as the base of a new profile; each file cites the provider's
//! documentation it follows.

use std::sync::LazyLock;

use super::error::ProfileError;
use super::profile::Profile;
use crate::protocol::registry;

/// One built-in preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// Its name, the same as its provider (`home-assistant`, `binance`…).
    pub name: &'static str,
    /// One line about it (the same as the TOML's `description`).
    pub description: &'static str,
    /// The TOML text.
    pub source: &'static str,
}

impl Preset {
    /// The preset as a profile. Presets are tested to parse, so this fails only if
    /// the binary was built from a broken `profiles/` file.
    pub fn profile(&self) -> Result<Profile, ProfileError> {
        Profile::parse(self.source, &format!("built-in preset '{}'", self.name))
    }
}

static PRESETS: LazyLock<Vec<Preset>> = LazyLock::new(|| {
    registry::all()
        .iter()
        .filter_map(|provider| {
            provider.preset.map(|source| Preset {
                name: provider.name,
                description: provider.description,
                source,
            })
        })
        .collect()
});

/// Every built-in preset, in the order they are listed to users (the provider
/// registry's order).
pub fn all() -> &'static [Preset] {
    &PRESETS
}

/// The preset with this name.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|preset| preset.name == name)
}

/// The preset names, for messages.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|preset| preset.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_parses_and_matches_its_entry() {
        for preset in all() {
            let profile = preset.profile().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                profile.name.as_deref(),
                Some(preset.name),
                "{}",
                preset.name
            );
            assert_eq!(
                profile.description.as_deref(),
                Some(preset.description),
                "{}",
                preset.name
            );
            assert_eq!(profile.provider.as_deref(), Some(preset.name));
            assert!(profile.url.is_some(), "{} has no url", preset.name);
            let head: String = preset.source.lines().take(6).collect();
            assert!(
                head.contains("https://"),
                "{} cites no doc URL",
                preset.name
            );
            // Written back and read again, it is the same profile.
            let again = Profile::parse(&profile.to_toml(), "round trip").unwrap();
            assert_eq!(again, profile, "{}", preset.name);
        }
    }

    #[test]
    fn every_provider_but_raw_has_a_preset() {
        for provider in registry::names().iter().filter(|name| **name != "raw") {
            assert!(find(provider).is_some(), "no preset for {provider}");
        }
        assert!(find("nope").is_none());
        assert_eq!(names().len(), all().len());
    }
}
