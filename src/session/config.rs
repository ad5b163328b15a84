//! Everything a session needs to connect and behave: URL, headers, auth, keep-alive,
//! reconnect policy, queue and rate limits. Built by the CLI (and later profiles);
//! validated once by [`SessionConfig::new`] so the actor never sees a bad URL.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

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
    /// A header line does not have the form `Name: value`.
    #[error("header '{0}' is not of the form 'Name: value'")]
    BadHeader(String),
}

/// Parses and checks a ws:// or wss:// URL. `http(s)://` is accepted and mapped to
/// `ws(s)://`, as wscat does; anything else is refused with a clear error.
pub fn parse_ws_url(input: &str) -> Result<Url, ConfigError> {
    let mut url = Url::parse(input.trim()).map_err(|error| ConfigError::BadUrl {
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
        token: Option<&super::secret::Secret>,
        seq: &std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> Result<bytes::Bytes, crate::config::template::TemplateError> {
        use crate::config::template::{Context, Escape, render_with};
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
    /// [`crate::protocol::PROVIDER_NAMES`]).
    pub provider: String,
    /// The adapter's handshake payload (Socket.IO `40` auth, graphql `connection_init`).
    pub handshake_payload: Option<serde_json::Value>,
    /// The Socket.IO namespace, when not the default.
    pub namespace: Option<String>,
}

impl SessionConfig {
    /// Settings with defaults for everything but the URL, which is checked here.
    pub fn new(url: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            url: parse_ws_url(url)?,
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
        })
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
    fn parses_headers() {
        assert_eq!(
            parse_header("X-Key:  v: w ").unwrap(),
            ("X-Key".to_string(), "v: w".to_string())
        );
        assert!(parse_header("novalue").is_err());
        assert!(parse_header(": v").is_err());
    }
}
