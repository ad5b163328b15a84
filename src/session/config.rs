//! Everything a session needs to connect and behave: URL, headers, auth, keep-alive,
//! reconnect policy, queue and rate limits. Built by the CLI (and later profiles);
//! validated once by [`SessionConfig::new`] so the actor never sees a bad URL.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use crate::protocol::UnknownProvider;
use crate::protocol::registry::{self, UrlHints};

use super::auth::AuthConfig;
use super::backoff::BackoffPolicy;

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default maximum incoming message size (64 MiB).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 64 * 1024 * 1024;
/// Default outgoing queue bound.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1000;
/// Default send rate limit, messages per second.
pub const DEFAULT_RATE_LIMIT: u32 = 300;

/// Errors in the settings themselves, found before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The URL does not parse.
    #[error("'{url}' is not a valid URL: {reason}; expected ws://HOST[:PORT]/PATH or wss://…")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// The parser's complaint.
        reason: String,
    },
    /// The URL's scheme is not ws or wss.
    #[error("'{url}' uses scheme '{scheme}'; wsdeck connects to ws:// or wss:// URLs")]
    BadScheme {
        /// The URL as given.
        url: String,
        /// The scheme found.
        scheme: String,
    },
    /// The URL has no scheme (`localhost:8080/x`).
    #[error("'{url}' has no scheme; did you mean ws://{url} (or wss:// for TLS)?")]
    MissingScheme {
        /// The URL as given.
        url: String,
    },
    /// A header line does not have the form `Name: value`.
    #[error("header '{0}' is not of the form 'Name: value'")]
    BadHeader(String),
}

/// Parses and checks a ws:// or wss:// URL. `http(s)://` is accepted and mapped to
/// `ws(s)://`, as wscat does; anything else is refused with a clear error.
pub fn parse_ws_url(input: &str) -> Result<Url, ConfigError> {
    let trimmed = input.trim();
    let parsed = Url::parse(trimmed);
    let missing_scheme = !trimmed.contains("://")
        && !trimmed.contains(char::is_whitespace)
        && match &parsed {
            Err(url::ParseError::RelativeUrlWithoutBase) => true,
            // `localhost:8080/x` parses with `localhost` as its scheme.
            Ok(url) => url.cannot_be_a_base() && !url.scheme().starts_with("ws"),
            Err(_) => false,
        };
    if missing_scheme {
        return Err(ConfigError::MissingScheme {
            url: trimmed.to_string(),
        });
    }
    let mut url = parsed.map_err(|error| ConfigError::BadUrl {
        url: input.to_string(),
        reason: error.to_string(),
    })?;
    let mapped = match url.scheme() {
        "ws" | "wss" => None,
        "http" => Some("ws"),
        "https" => Some("wss"),
        other => {
            return Err(ConfigError::BadScheme {
                url: input.to_string(),
                scheme: other.to_string(),
            });
        }
    };
    if let Some(scheme) = mapped {
        // Infallible for http(s) → ws(s): both are special schemes with hosts.
        let _ = url.set_scheme(scheme);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::BadUrl {
            url: input.to_string(),
            reason: "it has no host".to_string(),
        });
    }
    Ok(url)
}

/// What to tell the user about a URL given as `http://` or `https://`, which wsdeck
/// takes to mean `ws://` or `wss://`.
pub fn scheme_notice(input: &str) -> Option<String> {
    let (scheme, _) = input.trim().split_once("://")?;
    let mapped = match scheme.to_ascii_lowercase().as_str() {
        "http" => "ws",
        "https" => "wss",
        _ => return None,
    };
    Some(format!(
        "{scheme}:// means {mapped}:// for a WebSocket: connecting with {mapped}://"
    ))
}

/// Parses `Name: value` into a header pair.
pub fn parse_header(line: &str) -> Result<(String, String), ConfigError> {
    let (name, value) = line
        .split_once(':')
        .ok_or_else(|| ConfigError::BadHeader(line.to_string()))?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(ConfigError::BadHeader(line.to_string()));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// TLS settings for wss:// URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Skip certificate verification entirely (shown loudly as INSECURE).
    pub insecure: bool,
    /// Extra CA certificates (PEM files) to trust besides the system roots.
    pub ca_files: Vec<PathBuf>,
    /// SHA-256 hashes of server certificates (DER) to trust exactly; when any is
    /// given, no other certificate is accepted.
    pub pin_sha256: Vec<[u8; 32]>,
    /// Client certificate chain (PEM) for mutual TLS; needs `client_key`.
    pub client_cert: Option<PathBuf>,
    /// Private key (PEM) for `client_cert`.
    pub client_key: Option<PathBuf>,
}

/// Ping/pong keep-alive settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepaliveConfig {
    /// How often to send a WebSocket Ping; zero switches keep-alive off.
    pub ping_interval: Duration,
    /// How long to wait for the Pong before declaring the link dead.
    pub pong_timeout: Duration,
}

impl Default for KeepaliveConfig {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(5),
        }
    }
}

/// When and how to reconnect after a lost link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconnectConfig {
    /// Whether to reconnect at all.
    pub enabled: bool,
    /// Attempts before giving up; zero means unlimited.
    pub max_attempts: u32,
    /// Delay schedule.
    pub backoff: BackoffPolicy,
    /// Whether a 1008 (policy violation, usually auth) close is retried.
    pub retry_policy_violation: bool,
    /// A connection that stays ready this long resets the attempt counter.
    pub stable_after: Duration,
}

impl Default for ReconnectConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: 10,
            backoff: BackoffPolicy::default(),
            retry_policy_violation: false,
            stable_after: Duration::from_secs(10),
        }
    }
}

impl ReconnectConfig {
    /// The attempt limit as an option: `None` when unlimited.
    pub fn attempt_limit(&self) -> Option<u32> {
        (self.max_attempts > 0).then_some(self.max_attempts)
    }
}

/// A message sent after every (re)connect, once the session is ready (subscriptions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnConnectMessage {
    /// The payload (for a template: as rendered when the profile was applied).
    pub payload: bytes::Bytes,
    /// Text or binary.
    pub kind: super::event::PayloadKind,
    /// A text template rendered again before every send, so `{{uuid}}`, `{{now}}`
    /// and `{{seq}}` are fresh on each (re)connect; `None` sends `payload` as is.
    pub template: Option<OnConnectTemplate>,
}

/// The template of an on-connect message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnConnectTemplate {
    /// The text with `{{…}}` variables.
    pub text: String,
    /// Whether values are JSON-escaped (a JSON message) or inserted as they are.
    pub json: bool,
}

impl OnConnectMessage {
    /// The payload to send now: the template rendered with `token` and the session's
    /// `{{seq}}` counter, or the fixed payload.
    pub fn render(
        &self,
        token: Option<&crate::secret::Secret>,
        seq: &std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Result<bytes::Bytes, crate::template::TemplateError> {
        use crate::template::{Context, Escape, render_with};
        let Some(template) = &self.template else {
            return Ok(self.payload.clone());
        };
        let context = Context {
            token: token.cloned(),
            seq: seq.clone(),
            ..Context::default()
        };
        let escape = if template.json {
            Escape::Json
        } else {
            Escape::None
        };
        render_with(&template.text, &context, escape).map(bytes::Bytes::from)
    }
}

/// The full settings of one session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Where to connect (ws:// or wss://), without the auth query parameter.
    pub url: Url,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// The Origin header, if any.
    pub origin: Option<String>,
    /// Subprotocols to offer, in order of preference.
    pub subprotocols: Vec<String>,
    /// How to authenticate.
    pub auth: AuthConfig,
    /// Ping/pong settings.
    pub keepalive: KeepaliveConfig,
    /// Reconnect policy.
    pub reconnect: ReconnectConfig,
    /// How long TCP + TLS + the upgrade may take.
    pub connect_timeout: Duration,
    /// TLS settings.
    pub tls: TlsOptions,
    /// Bound of the outgoing queue.
    pub queue_capacity: usize,
    /// Send rate limit in messages per second; zero means unlimited.
    pub rate_limit: u32,
    /// Largest incoming message accepted; larger ones close the link with 1009.
    pub max_message_size: usize,
    /// Messages sent after every (re)connect.
    pub on_connect: Vec<OnConnectMessage>,
    /// The protocol adapter (`raw`, `socket-io`, `graphql-ws`, …; see
    /// [`crate::protocol::registry`]).
    pub provider: String,
    /// The adapter's handshake payload (Socket.IO `40` auth, graphql `connection_init`).
    pub handshake_payload: Option<serde_json::Value>,
    /// The Socket.IO namespace, when not the default.
    pub namespace: Option<String>,
    /// The Socket.IO server's major version (2 means Engine.IO 3), for completing
    /// the URL.
    pub socket_io_version: Option<u8>,
    /// The application key some providers put in the URL (Pusher).
    pub app_key: Option<String>,
    /// Things to tell the user once, when the session starts (a URL that was
    /// completed or whose scheme was mapped).
    pub notices: Vec<String>,
    /// The proxy every connection goes through; `None` connects directly.
    pub proxy: Option<super::proxy::ProxyConfig>,
}

impl SessionConfig {
    /// Settings with defaults for everything but the URL, which is checked here.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            url: parse_ws_url(url)?,
            notices: scheme_notice(url).into_iter().collect(),
            headers: Vec::new(),
            origin: None,
            subprotocols: Vec::new(),
            auth: AuthConfig::default(),
            keepalive: KeepaliveConfig::default(),
            reconnect: ReconnectConfig::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            tls: TlsOptions::default(),
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            rate_limit: DEFAULT_RATE_LIMIT,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            on_connect: Vec::new(),
            provider: "raw".to_string(),
            handshake_payload: None,
            namespace: None,
            socket_io_version: None,
            app_key: None,
            proxy: None,
        })
    }

    /// Fills in what the provider needs and the user did not say: its subprotocol
    /// when none is offered, and its endpoint when the URL is a bare host (see
    /// [`crate::protocol::registry`]). Each change is added to [`Self::notices`].
    /// Applying it twice changes nothing the second time.
    pub fn apply_provider_defaults(&mut self) -> Result<(), UnknownProvider> {
        let provider = registry::find(&self.provider)?;
        if self.subprotocols.is_empty() && !provider.subprotocols.is_empty() {
            self.subprotocols = provider
                .subprotocols
                .iter()
                .map(ToString::to_string)
                .collect();
        }
        let hints = UrlHints {
            socket_io_version: self.socket_io_version,
            app_key: self.app_key.clone(),
        };
        if let Some(completed) = provider.complete_url(&self.url, &hints) {
            self.notices.push(format!(
                "{} endpoint completed: connecting to {completed}",
                provider.name
            ));
            self.url = completed;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ws_and_wss_and_maps_http() {
        assert_eq!(parse_ws_url("ws://a/b").unwrap().as_str(), "ws://a/b");
        assert_eq!(parse_ws_url("wss://a:9/").unwrap().as_str(), "wss://a:9/");
        assert_eq!(parse_ws_url("http://a/x").unwrap().scheme(), "ws");
        assert_eq!(parse_ws_url("https://a/x").unwrap().scheme(), "wss");
    }

    #[test]
    fn refuses_other_schemes_and_garbage() {
        let error = parse_ws_url("ftp://a").unwrap_err();
        assert!(error.to_string().contains("ws:// or wss://"), "{error}");
        assert!(matches!(
            parse_ws_url("not a url"),
            Err(ConfigError::BadUrl { .. })
        ));
    }

    #[test]
    fn a_url_without_a_scheme_gets_a_suggestion() {
        for input in ["localhost:8080/x", "127.0.0.1:8080", "example.com/ws"] {
            let error = parse_ws_url(input).unwrap_err();
            assert_eq!(
                error,
                ConfigError::MissingScheme {
                    url: input.to_string()
                }
            );
            assert!(
                error
                    .to_string()
                    .contains(&format!("did you mean ws://{input}")),
                "{error}"
            );
        }
    }

    #[test]
    fn http_urls_are_mapped_and_said_once() {
        let config = SessionConfig::new("http://127.0.0.1:3000/x").unwrap();
        assert_eq!(config.url.as_str(), "ws://127.0.0.1:3000/x");
        assert_eq!(
            config.notices,
            ["http:// means ws:// for a WebSocket: connecting with ws://"]
        );
        assert!(SessionConfig::new("ws://h/").unwrap().notices.is_empty());
    }

    #[test]
    fn provider_defaults_fill_what_the_user_left_out() {
        let mut config = SessionConfig::new("ws://127.0.0.1:3000").unwrap();
        config.provider = "socket-io".into();
        config.apply_provider_defaults().unwrap();
        assert_eq!(
            config.url.as_str(),
            "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket"
        );
        assert_eq!(config.notices.len(), 1);
        config.apply_provider_defaults().unwrap();
        assert_eq!(config.notices.len(), 1, "applying twice adds nothing");

        let mut graphql = SessionConfig::new("ws://h/graphql").unwrap();
        graphql.provider = "graphql-ws".into();
        graphql.apply_provider_defaults().unwrap();
        assert_eq!(graphql.subprotocols, ["graphql-transport-ws"]);
        assert!(graphql.notices.is_empty());

        let mut chosen = SessionConfig::new("ws://h/graphql").unwrap();
        chosen.provider = "graphql-ws".into();
        chosen.subprotocols = vec!["custom".into()];
        chosen.apply_provider_defaults().unwrap();
        assert_eq!(chosen.subprotocols, ["custom"], "the user's choice stays");

        let mut unknown = SessionConfig::new("ws://h/").unwrap();
        unknown.provider = "nope".into();
        assert!(unknown.apply_provider_defaults().is_err());
    }

    #[test]
    fn parses_headers() {
        assert_eq!(
            parse_header("X-Key:  v: w ").unwrap(),
            ("X-Key".to_string(), "v: w".to_string())
        );
        assert!(parse_header("novalue").is_err());
        assert!(parse_header(": v").is_err());
    }
}
