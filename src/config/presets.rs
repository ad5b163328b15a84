//! Built-in presets: one ready profile per provider, kept as TOML in `profiles/` at
//! the repository root and compiled in with `include_str!`. A preset is used as is
//! (`--preset NAME`) or as the base of a new profile; each file cites the provider's
//! documentation it follows.

use super::error::ProfileError;
use super::profile::Profile;

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

macro_rules! preset {
    ($name:literal, $description:literal) => {
        Preset {
            name: $name,
            description: $description,
            source: include_str!(concat!("../../profiles/", $name, ".toml")),
        }
    };
}

static PRESETS: &[Preset] = &[
    preset!("echo", "wsdeck's built-in echo server (wsdeck serve)"),
    preset!(
        "socket-io",
        "Socket.IO v4 server over the WebSocket transport"
    ),
    preset!(
        "graphql-ws",
        "GraphQL over WebSocket (graphql-transport-ws)"
    ),
    preset!(
        "apollo-legacy",
        "Apollo subscriptions-transport-ws (legacy graphql-ws)"
    ),
    preset!("home-assistant", "Home Assistant WebSocket API"),
    preset!("binance", "Binance public market data streams"),
    preset!("pusher", "Pusher Channels (protocol 7)"),
    preset!("ably", "Ably Realtime over WebSocket (JSON)"),
    preset!("phoenix", "Phoenix Channels (V2 JSON serializer)"),
    preset!("action-cable", "Rails Action Cable"),
    preset!("signalr", "ASP.NET Core SignalR hub (JSON protocol)"),
    preset!("aws-api-gateway", "Amazon API Gateway WebSocket API"),
];

/// Every built-in preset, in the order they are listed to users.
pub fn all() -> &'static [Preset] {
    PRESETS
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
    use crate::protocol::PROVIDER_NAMES;

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
        for provider in PROVIDER_NAMES.iter().filter(|name| **name != "raw") {
            assert!(find(provider).is_some(), "no preset for {provider}");
        }
        assert!(find("nope").is_none());
        assert_eq!(names().len(), all().len());
    }
}
