//! The one table of providers: for each protocol wsdeck speaks, its name, the adapter
//! that speaks it, the subprotocol its servers require, how a URL as people paste it
//! is completed, its built-in preset, which of its close codes mean "do not retry",
//! and how its first frames give it away. `--provider`, `--preset`, a profile's
//! `provider`, the picker, the profile form and `profiles presets` all read this table.

use std::sync::LazyLock;

use url::Url;

use super::{
    Adapter, UnknownProvider, ably, action_cable, apollo_legacy, binance, graphql_ws,
    home_assistant, phoenix, pusher, raw, signalr, socketio,
};

/// How a provider completes a URL whose path is empty or `/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlCompletion {
    /// The URL is used as given.
    AsGiven,
    /// Socket.IO: path `/socket.io/` when none is given, and `EIO=4` (or `EIO=3` for
    /// Socket.IO 2) and `transport=websocket` added to the query when missing.
    SocketIo,
    /// A fixed endpoint path (`/api/websocket`, `/cable`).
    Path(&'static str),
    /// Phoenix: `/socket/websocket` (the transport suffix is added to a given
    /// endpoint such as `/socket`), and `vsn=2.0.0` when missing.
    Phoenix,
    /// Pusher: `/app/KEY` from the profile's `app_key`, and `protocol=7` with the
    /// client's name and version when missing.
    Pusher,
}

/// What a provider's first frames look like, for recognising it when the user left
/// the provider at `raw`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// Not recognisable from what the server sends first.
    None,
    /// A text frame that starts with these bytes.
    Prefix(&'static str),
    /// A text frame that contains this.
    Contains(&'static str),
    /// A text frame that is exactly this.
    Exact(&'static str),
}

/// One provider: everything wsdeck knows about a protocol outside its adapter.
#[derive(Debug, Clone, Copy)]
pub struct Provider {
    /// The name used by `--provider`, profiles and presets (`socket-io`).
    pub name: &'static str,
    /// One line about it, shown in lists (and the preset's `description`).
    pub description: &'static str,
    adapter: fn() -> Box<dyn Adapter>,
    /// The subprotocols a connection offers when neither the flags nor the profile
    /// name any; its servers refuse a connection that offers none of them.
    pub subprotocols: &'static [&'static str],
    /// How a bare host or a path of `/` becomes the endpoint.
    pub url: UrlCompletion,
    /// The built-in preset's TOML, when the provider has one.
    pub preset: Option<&'static str>,
    /// Close codes (inclusive ranges) after which reconnecting cannot help: the
    /// session stops in `error` instead of retrying.
    pub permanent_close_codes: &'static [(u16, u16)],
    /// How the server's first frame gives the protocol away.
    pub signature: Signature,
    /// Whether the adapter sends the token in its own handshake (Socket.IO's
    /// CONNECT auth, GraphQL's `connection_init` payload), so a token needs no
    /// `--auth` mode.
    pub token_in_handshake: bool,
}

impl Provider {
    /// A fresh adapter for this provider.
    pub fn adapter(&self) -> Box<dyn Adapter> {
        (self.adapter)()
    }

    /// The name and meaning of a close code this protocol defines.
    pub fn close_code(&self, code: u16) -> Option<(&'static str, &'static str)> {
        self.adapter().close_code(code)
    }

    /// Whether a close with `code` from the server means retrying cannot help.
    pub fn is_permanent_close(&self, code: u16) -> bool {
        self.permanent_close_codes
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&code))
    }

    /// Whether a text frame the server sent first looks like this protocol.
    pub fn recognises(&self, first_frame: &str) -> bool {
        match self.signature {
            Signature::None => false,
            Signature::Prefix(prefix) => first_frame.starts_with(prefix),
            Signature::Contains(part) => first_frame.contains(part),
            Signature::Exact(text) => first_frame == text,
        }
    }

    /// `url` completed for this provider (see [`UrlCompletion`]); `None` when there
    /// is nothing to add. Completing a completed URL adds nothing.
    pub fn complete_url(&self, url: &Url, hints: &UrlHints) -> Option<Url> {
        let mut completed = url.clone();
        let bare = matches!(url.path(), "" | "/");
        match self.url {
            UrlCompletion::AsGiven => {}
            UrlCompletion::SocketIo => {
                if bare || url.path() == "/socket.io" {
                    completed.set_path("/socket.io/");
                }
                // A URL copied from the browser's dev tools is a polling request:
                // the WebSocket transport wants no session id or cache buster.
                let polling = |name: &str, value: &str| {
                    matches!(name, "sid" | "t") || (name == "transport" && value != "websocket")
                };
                let kept: Vec<(String, String)> = completed
                    .query_pairs()
                    .filter(|(name, value)| !polling(name, value))
                    .map(|(name, value)| (name.into_owned(), value.into_owned()))
                    .collect();
                if kept.len() != completed.query_pairs().count() {
                    let mut pairs = completed.query_pairs_mut();
                    pairs.clear();
                    for (name, value) in &kept {
                        pairs.append_pair(name, value);
                    }
                }
                let version = match hints.socket_io_version {
                    Some(2) => "3",
                    _ => "4",
                };
                add_query_defaults(
                    &mut completed,
                    &[("EIO", version), ("transport", "websocket")],
                );
            }
            UrlCompletion::Path(path) => {
                if bare {
                    completed.set_path(path);
                }
            }
            UrlCompletion::Phoenix => {
                let path = url.path().trim_end_matches('/');
                if path.is_empty() {
                    completed.set_path("/socket/websocket");
                } else if !path.ends_with("/websocket") {
                    completed.set_path(&format!("{path}/websocket"));
                }
                add_query_defaults(&mut completed, &[("vsn", "2.0.0")]);
            }
            UrlCompletion::Pusher => {
                if let Some(key) = hints.app_key.as_deref().filter(|_| bare) {
                    completed.set_path(&format!("/app/{key}"));
                }
                if completed.path().starts_with("/app/") {
                    add_query_defaults(
                        &mut completed,
                        &[
                            ("protocol", "7"),
                            ("client", "wsdeck"),
                            ("version", env!("CARGO_PKG_VERSION")),
                        ],
                    );
                }
            }
        }
        (completed != *url).then_some(completed)
    }
}

/// What a URL completion may use beyond the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlHints {
    /// The Socket.IO major version of the server (2 means Engine.IO 3).
    pub socket_io_version: Option<u8>,
    /// The application key (Pusher's `/app/KEY`).
    pub app_key: Option<String>,
}

/// Adds `name=value` pairs whose name the query does not have yet.
fn add_query_defaults(url: &mut Url, defaults: &[(&str, &str)]) {
    let present: Vec<String> = url
        .query_pairs()
        .map(|(name, _)| name.into_owned())
        .collect();
    let missing: Vec<&(&str, &str)> = defaults
        .iter()
        .filter(|(name, _)| !present.iter().any(|have| have == name))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut pairs = url.query_pairs_mut();
    for (name, value) in missing {
        pairs.append_pair(name, value);
    }
}

macro_rules! preset {
    ($name:literal) => {
        Some(include_str!(concat!("../../profiles/", $name, ".toml")))
    };
}

fn raw_adapter() -> Box<dyn Adapter> {
    Box::new(raw::RawAdapter::new("raw"))
}

static PROVIDERS: &[Provider] = &[
    Provider {
        name: "raw",
        description: "frames as they are, no protocol adapter",
        adapter: raw_adapter,
        subprotocols: &[],
        url: UrlCompletion::AsGiven,
        preset: None,
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::None,
    },
    Provider {
        name: "echo",
        description: "wsdeck's built-in echo server (wsdeck serve)",
        adapter: || Box::new(raw::RawAdapter::new("echo")),
        subprotocols: &[],
        url: UrlCompletion::AsGiven,
        preset: preset!("echo"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::None,
    },
    Provider {
        name: "socket-io",
        description: "Socket.IO v4 server over the WebSocket transport",
        adapter: || Box::new(socketio::SocketIoAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::SocketIo,
        preset: preset!("socket-io"),
        permanent_close_codes: &[],
        token_in_handshake: true,
        signature: Signature::Prefix("0{\"sid\""),
    },
    Provider {
        name: "graphql-ws",
        description: "GraphQL over WebSocket (graphql-transport-ws)",
        adapter: || Box::new(graphql_ws::GraphqlWsAdapter::new()),
        subprotocols: &["graphql-transport-ws"],
        url: UrlCompletion::AsGiven,
        preset: preset!("graphql-ws"),
        // Bad request, unauthorized, forbidden, subprotocol not acceptable, and a
        // subscriber that already exists: the same request gets the same answer.
        permanent_close_codes: &[(4400, 4401), (4403, 4403), (4406, 4406), (4409, 4409)],
        token_in_handshake: true,
        signature: Signature::None,
    },
    Provider {
        name: "apollo-legacy",
        description: "Apollo subscriptions-transport-ws (legacy graphql-ws)",
        adapter: || Box::new(apollo_legacy::ApolloLegacyAdapter::new()),
        subprotocols: &["graphql-ws"],
        url: UrlCompletion::AsGiven,
        preset: preset!("apollo-legacy"),
        permanent_close_codes: &[],
        token_in_handshake: true,
        signature: Signature::None,
    },
    Provider {
        name: "home-assistant",
        description: "Home Assistant WebSocket API",
        adapter: || Box::new(home_assistant::HomeAssistantAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::Path("/api/websocket"),
        preset: preset!("home-assistant"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::Contains("\"type\":\"auth_required\""),
    },
    Provider {
        name: "binance",
        description: "Binance public market data streams",
        adapter: || Box::new(binance::BinanceAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::AsGiven,
        preset: preset!("binance"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::None,
    },
    Provider {
        name: "pusher",
        description: "Pusher Channels (protocol 7)",
        adapter: || Box::new(pusher::PusherAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::Pusher,
        preset: preset!("pusher"),
        // 4000-4099: the app or the connection is wrong; Pusher says do not reconnect.
        permanent_close_codes: &[(4000, 4099)],
        token_in_handshake: false,
        signature: Signature::Contains("pusher:connection_established"),
    },
    Provider {
        name: "ably",
        description: "Ably Realtime over WebSocket (JSON)",
        adapter: || Box::new(ably::AblyAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::AsGiven,
        preset: preset!("ably"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::Prefix("{\"action\":4,"),
    },
    Provider {
        name: "phoenix",
        description: "Phoenix Channels (V2 JSON serializer)",
        adapter: || Box::new(phoenix::PhoenixAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::Phoenix,
        preset: preset!("phoenix"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::None,
    },
    Provider {
        name: "action-cable",
        description: "Rails Action Cable",
        adapter: || Box::new(action_cable::ActionCableAdapter::new()),
        subprotocols: &["actioncable-v1-json", "actioncable-unsupported"],
        url: UrlCompletion::Path("/cable"),
        preset: preset!("action-cable"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::Exact("{\"type\":\"welcome\"}"),
    },
    Provider {
        name: "signalr",
        description: "ASP.NET Core SignalR hub (JSON protocol)",
        adapter: || Box::new(signalr::SignalRAdapter::new()),
        subprotocols: &[],
        url: UrlCompletion::AsGiven,
        preset: preset!("signalr"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::Prefix("{}\u{1e}"),
    },
    Provider {
        name: "aws-api-gateway",
        description: "Amazon API Gateway WebSocket API",
        adapter: || Box::new(raw::RawAdapter::new("aws-api-gateway")),
        subprotocols: &[],
        url: UrlCompletion::AsGiven,
        preset: preset!("aws-api-gateway"),
        permanent_close_codes: &[],
        token_in_handshake: false,
        signature: Signature::None,
    },
];

/// Every provider, in the order they are listed to users; `raw` (the default) first.
pub fn all() -> &'static [Provider] {
    PROVIDERS
}

/// The provider with this name.
pub fn find(name: &str) -> Result<&'static Provider, UnknownProvider> {
    PROVIDERS
        .iter()
        .find(|provider| provider.name == name)
        .ok_or_else(|| UnknownProvider(name.to_string()))
}

/// The provider a mistyped name most likely meant: the one whose name, compared
/// without case and punctuation, equals it or contains it or is contained in it.
pub fn closest(name: &str) -> Option<&'static str> {
    fn letters(name: &str) -> String {
        name.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }
    let typed = letters(name);
    if typed.len() < 3 {
        return None;
    }
    names().iter().copied().find(|known| {
        let known = letters(known);
        known == typed || known.contains(&typed) || typed.contains(&known)
    })
}

/// The provider names, in the order they are listed to users.
pub fn names() -> &'static [&'static str] {
    static NAMES: LazyLock<Vec<&'static str>> =
        LazyLock::new(|| PROVIDERS.iter().map(|provider| provider.name).collect());
    &NAMES
}

/// The provider whose protocol a connection seems to speak, from the subprotocol the
/// server agreed to or the first text frame it sent. `raw` is never the answer.
pub fn recognise(
    subprotocol: Option<&str>,
    first_frame: Option<&str>,
) -> Option<(&'static Provider, &'static str)> {
    if let Some(agreed) = subprotocol
        && let Some(provider) = PROVIDERS
            .iter()
            .find(|provider| provider.subprotocols.first() == Some(&agreed))
    {
        return Some((provider, "the subprotocol the server agreed to"));
    }
    let frame = first_frame?;
    PROVIDERS
        .iter()
        .find(|provider| provider.recognises(frame))
        .map(|provider| (provider, "the server's first message"))
}

/// Which providers a close right after the upgrade points to, when the connection
/// offered none of their subprotocols: graphql-ws answers 4406 "Subprotocol not
/// acceptable"; subscriptions-transport-ws and others answer 1002.
pub fn subprotocol_refusal(code: u16) -> Vec<&'static Provider> {
    let wanted: &[&str] = match code {
        4406 => &["graphql-ws"],
        1002 => &["apollo-legacy", "graphql-ws"],
        _ => &[],
    };
    wanted.iter().filter_map(|name| find(name).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_provider_gets_the_one_it_meant() {
        assert_eq!(closest("socketio"), Some("socket-io"));
        assert_eq!(closest("Socket.IO"), Some("socket-io"));
        assert_eq!(closest("graphql"), Some("graphql-ws"));
        assert_eq!(closest("home_assistant"), Some("home-assistant"));
        assert_eq!(closest("xy"), None);
        assert_eq!(closest("kafka"), None);
        let Err(unknown) = find("socketio") else {
            panic!("socketio is not a provider's name");
        };
        let message = unknown.to_string();
        assert!(
            message.starts_with(
                "unknown provider 'socketio' (did you mean socket-io?); known providers: raw, echo,"
            ),
            "{message}"
        );
    }

    fn completed(provider: &str, url: &str, hints: &UrlHints) -> String {
        let url = Url::parse(url).unwrap();
        find(provider)
            .unwrap()
            .complete_url(&url, hints)
            .unwrap_or(url)
            .to_string()
    }

    #[test]
    fn every_provider_builds_its_adapter_under_its_own_name() {
        for provider in all() {
            assert_eq!(provider.adapter().name(), provider.name);
        }
        assert!(find("nope").is_err());
        assert_eq!(names().len(), all().len());
        assert_eq!(names()[0], "raw");
    }

    #[test]
    fn socket_io_urls_are_completed_as_its_clients_do() {
        let none = UrlHints::default();
        let full = "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket";
        assert_eq!(completed("socket-io", "ws://127.0.0.1:3000", &none), full);
        assert_eq!(completed("socket-io", "ws://127.0.0.1:3000/", &none), full);
        assert_eq!(completed("socket-io", full, &none), full);
        assert_eq!(
            completed("socket-io", "ws://h/custom-path/", &none),
            "ws://h/custom-path/?EIO=4&transport=websocket"
        );
        assert_eq!(
            completed(
                "socket-io",
                "ws://h/socket.io/?EIO=3&transport=websocket",
                &none
            ),
            "ws://h/socket.io/?EIO=3&transport=websocket"
        );
        let v2 = UrlHints {
            socket_io_version: Some(2),
            ..UrlHints::default()
        };
        assert_eq!(
            completed("socket-io", "ws://h", &v2),
            "ws://h/socket.io/?EIO=3&transport=websocket"
        );
        assert_eq!(
            completed("socket-io", "ws://h/socket.io/?token=x", &none),
            "ws://h/socket.io/?token=x&EIO=4&transport=websocket"
        );
        assert_eq!(
            completed("socket-io", "ws://h/socket.io", &none),
            "ws://h/socket.io/?EIO=4&transport=websocket"
        );
        assert_eq!(
            completed(
                "socket-io",
                "ws://h/socket.io/?EIO=4&transport=polling&t=P1a2b3&sid=abc",
                &none
            ),
            "ws://h/socket.io/?EIO=4&transport=websocket",
            "a dev-tools polling URL becomes the WebSocket one"
        );
    }

    #[test]
    fn other_providers_complete_their_endpoints() {
        let none = UrlHints::default();
        assert_eq!(
            completed("home-assistant", "ws://ha:8123", &none),
            "ws://ha:8123/api/websocket"
        );
        assert_eq!(
            completed("home-assistant", "ws://ha:8123/other", &none),
            "ws://ha:8123/other"
        );
        assert_eq!(
            completed("phoenix", "ws://p:4000/", &none),
            "ws://p:4000/socket/websocket?vsn=2.0.0"
        );
        assert_eq!(
            completed("phoenix", "ws://p:4000/live", &none),
            "ws://p:4000/live/websocket?vsn=2.0.0"
        );
        assert_eq!(
            completed("phoenix", "ws://p/socket/websocket?vsn=2.0.0", &none),
            "ws://p/socket/websocket?vsn=2.0.0"
        );
        assert_eq!(completed("action-cable", "ws://r", &none), "ws://r/cable");
        let key = UrlHints {
            app_key: Some("abc".into()),
            ..UrlHints::default()
        };
        let pusher = completed("pusher", "wss://ws-mt1.pusher.com", &key);
        assert!(
            pusher.starts_with("wss://ws-mt1.pusher.com/app/abc?protocol=7&client=wsdeck&version="),
            "{pusher}"
        );
        assert_eq!(completed("pusher", "wss://p/", &none), "wss://p/");
        assert_eq!(completed("raw", "ws://h", &none), "ws://h/");
        assert_eq!(
            completed("graphql-ws", "ws://h/graphql", &none),
            "ws://h/graphql"
        );
    }

    #[test]
    fn permanent_close_codes_and_subprotocols_come_from_the_table() {
        let graphql = find("graphql-ws").unwrap();
        assert_eq!(graphql.subprotocols, ["graphql-transport-ws"]);
        for code in [4400, 4401, 4403, 4406, 4409] {
            assert!(graphql.is_permanent_close(code), "{code}");
        }
        assert!(!graphql.is_permanent_close(4500));
        assert!(!graphql.is_permanent_close(1006));
        assert_eq!(find("apollo-legacy").unwrap().subprotocols, ["graphql-ws"]);
        assert_eq!(
            find("action-cable").unwrap().subprotocols[0],
            "actioncable-v1-json"
        );
        assert!(find("pusher").unwrap().is_permanent_close(4001));
        assert!(!find("pusher").unwrap().is_permanent_close(4200));
        assert_eq!(
            graphql.close_code(4406).map(|(name, _)| name),
            Some("Subprotocol not acceptable")
        );
    }

    #[test]
    fn first_frames_give_the_protocol_away() {
        let name = |subprotocol, frame| recognise(subprotocol, frame).map(|(p, _)| p.name);
        assert_eq!(
            name(
                None,
                Some(r#"0{"sid":"x","upgrades":[],"pingInterval":25000}"#)
            ),
            Some("socket-io")
        );
        assert_eq!(
            name(
                None,
                Some(r#"{"type":"auth_required","ha_version":"2024.1"}"#)
            ),
            Some("home-assistant")
        );
        assert_eq!(
            name(
                None,
                Some(r#"{"event":"pusher:connection_established","data":"{}"}"#)
            ),
            Some("pusher")
        );
        assert_eq!(
            name(None, Some(r#"{"type":"welcome"}"#)),
            Some("action-cable")
        );
        assert_eq!(name(None, Some("{}\u{1e}")), Some("signalr"));
        assert_eq!(name(Some("graphql-transport-ws"), None), Some("graphql-ws"));
        assert_eq!(name(Some("graphql-ws"), None), Some("apollo-legacy"));
        assert_eq!(name(None, Some(r#"{"hello":1}"#)), None);
        assert_eq!(name(Some("chat"), None), None);
    }

    #[test]
    fn refusals_point_to_the_subprotocol_wanted() {
        let names = |code| {
            subprotocol_refusal(code)
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(4406), ["graphql-ws"]);
        assert_eq!(names(1002), ["apollo-legacy", "graphql-ws"]);
        assert!(names(1000).is_empty());
    }
}
