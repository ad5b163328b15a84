//! The profile: one saved connection as a TOML file. Every field is optional so a
//! profile can be layered over a preset and under command-line flags
//! ([`Profile::merged_over`]); unknown keys are refused with their line and column
//! ([`Profile::parse`]); saved files stay small (empty fields are left out); secrets
//! written as they are, not as references, are found ([`Profile::literal_secrets`])
//! and hidden for printing ([`Profile::masked`]).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::ProfileError;
use super::fields;
use super::secrets::{is_secret_header, is_secret_param, looks_literal_token};
use crate::session::auth::AuthMethod;

/// What a message is sent as: the profile's `message_format`, an on-connect
/// message's `format` and the composer's mode are this one enum. Spelled `json`,
/// `text` and `binary` in profiles (serde) and on a command line (clap).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum MessageFormat {
    /// JSON text frames (checked before sending).
    Json,
    /// Plain text frames.
    #[default]
    Text,
    /// Binary frames, typed as hex or `base64:…`.
    Binary,
}

impl MessageFormat {
    /// The name used in profiles: `json`, `text` or `binary`.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageFormat::Json => "json",
            MessageFormat::Text => "text",
            MessageFormat::Binary => "binary",
        }
    }

    /// The format after this one in the composer's `Ctrl-T` cycle.
    pub fn next(self) -> Self {
        match self {
            Self::Json => Self::Text,
            Self::Text => Self::Binary,
            Self::Binary => Self::Json,
        }
    }
}

/// A reply matcher: the top-level JSON `field` equals one of `values`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyMatcher {
    /// Top-level field name, e.g. `type`.
    pub field: String,
    /// Values that count as a match, e.g. `["auth_ok"]`.
    pub values: Vec<Value>,
}

/// `[auth]`: how to authenticate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Where the token goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<AuthMethod>,
    /// The token: a reference (`${env:NAME}`, `${file:PATH}`); a literal only when the
    /// user asked to store it in plain text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::references"
    )]
    pub token: Option<String>,
    /// Query parameter name for `query-param` (default `token`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_param: Option<String>,
    /// `{{type}}` in the first-message template (default `authenticate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_type: Option<String>,
    /// The first-message template (`{{token}}`, `{{type}}` and the other variables).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::auth_template"
    )]
    pub template: Option<String>,
    /// How long to wait for the server's verdict on a first-message auth.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::duration"
    )]
    pub timeout: Option<Duration>,
    /// Replies meaning "accepted", when the provider does not define them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success: Vec<ReplyMatcher>,
    /// Replies meaning "refused", when the provider does not define them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failure: Vec<ReplyMatcher>,
}

/// `[keepalive]`: WebSocket ping/pong.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeepaliveSettings {
    /// How often to ping; `0s` switches keep-alive off.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::duration"
    )]
    pub ping_interval: Option<Duration>,
    /// How long to wait for the pong.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::duration"
    )]
    pub pong_timeout: Option<Duration>,
}

/// `[reconnect]`: what to do when the link is lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReconnectSettings {
    /// Whether to reconnect at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Attempts before giving up; 0 means unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// The delay before the first attempt (doubling from there).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::duration"
    )]
    pub initial_delay: Option<Duration>,
    /// The cap on the delay.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::duration"
    )]
    pub max_delay: Option<Duration>,
}

/// `[tls]`: certificate checks for wss:// URLs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsSettings {
    /// Skip certificate verification (dangerous; shown as INSECURE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Extra CA certificates (PEM files) to trust; `~` is expanded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ca_files: Vec<PathBuf>,
    /// SHA-256 of the server certificate to trust exactly (hex or base64; one or a list).
    #[serde(
        default,
        deserialize_with = "fields::pins",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub pin_sha256: Vec<String>,
    /// Client certificate (PEM) for mutual TLS; `~` is expanded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cert: Option<PathBuf>,
    /// Its private key (PEM); `~` is expanded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
}

/// `[[on_connect]]`: a message sent after every (re)connect, e.g. a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnConnect {
    /// The message, a template (`{{token}}`, `{{uuid}}`…); hex or `base64:…` for binary.
    #[serde(deserialize_with = "fields::template")]
    pub text: String,
    /// How to send it; the profile's `message_format` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<MessageFormat>,
}

/// `[[snippets]]`: a ready message to insert into the composer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snippet {
    /// Short name shown in the picker.
    pub name: String,
    /// The message, a template rendered when the snippet is used.
    #[serde(deserialize_with = "fields::template")]
    pub text: String,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A saved connection (or a built-in preset). See the module docs and `profiles/*.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Display name (the file name is the profile's identity).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// One line about what this connects to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// ws:// or wss:// URL; may contain `${env:…}`/`${file:…}` references.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::references"
    )]
    pub url: Option<String>,
    /// The protocol adapter (see [`crate::protocol::registry`]); `raw` when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::provider"
    )]
    pub provider: Option<String>,
    /// How the composer treats messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_format: Option<MessageFormat>,
    /// The Origin header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Subprotocols to offer, in order of preference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subprotocols: Vec<String>,
    /// Socket.IO namespace (`/admin`), when not the default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The Socket.IO server's major version: `2` speaks Engine.IO 3 (`EIO=3` in the
    /// completed URL); 3 and 4 speak Engine.IO 4, the default.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::socket_io_version"
    )]
    pub socket_io_version: Option<u8>,
    /// The application key some providers put in the URL (Pusher's `/app/KEY`); may
    /// contain references.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::references"
    )]
    pub app_key: Option<String>,
    /// Send rate limit, messages per second; 0 means unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    /// Largest incoming message accepted (`64MiB`, `512KB` or bytes).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::size"
    )]
    pub max_message_size: Option<usize>,
    /// How many messages may wait while the link is down.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_limit: Option<usize>,
    /// Limit for TCP + TLS + upgrade.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "fields::duration"
    )]
    pub connect_timeout: Option<Duration>,
    /// The proxy (`http://[USER:PASS@]HOST:PORT`, `socks5://…`, `socks5h://…`, or
    /// `none` to ignore the environment); may contain references
    /// (`http://me:${env:PROXY_PASS}@proxy:3128`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "fields::references"
    )]
    pub proxy: Option<String>,
    /// Extra request headers; values may contain references.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "fields::headers"
    )]
    pub headers: BTreeMap<String, String>,
    /// The adapter's handshake payload (Socket.IO `40{…}` auth, graphql
    /// `connection_init` payload); string values are templates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handshake_payload: Option<Value>,
    /// `[auth]`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub auth: AuthSettings,
    /// `[keepalive]`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub keepalive: KeepaliveSettings,
    /// `[reconnect]`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub reconnect: ReconnectSettings,
    /// `[tls]`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub tls: TlsSettings,
    /// `[[on_connect]]` messages, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_connect: Vec<OnConnect>,
    /// `[[snippets]]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snippets: Vec<Snippet>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Profile {
    /// Parses a profile. `origin` names it in errors (e.g. `profile 'ha' (/path/ha.toml)`);
    /// errors give the line and column, and for unknown keys the key and the known ones.
    pub fn parse(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let profile: Profile =
            toml::from_str(text).map_err(|e| fields::parse_error(text, origin, &e))?;
        profile.check(origin)?;
        Ok(profile)
    }

    /// Checks what serde cannot: the templates in the handshake payload and that
    /// snippet names are unique.
    fn check(&self, origin: &str) -> Result<(), ProfileError> {
        if let Some(payload) = &self.handshake_payload {
            fields::check_payload(payload, "handshake_payload", origin)?;
        }
        for (index, snippet) in self.snippets.iter().enumerate() {
            if self.snippets[..index]
                .iter()
                .any(|s| s.name == snippet.name)
            {
                return Err(ProfileError::Invalid {
                    origin: origin.to_string(),
                    field: format!("snippets[{index}].name"),
                    message: format!(
                        "a snippet named '{}' comes earlier; names must be unique",
                        snippet.name
                    ),
                });
            }
        }
        Ok(())
    }

    /// The profile as TOML. Infallible: JSON nulls in the handshake payload or
    /// matchers (TOML has none) are left out. See [`Profile::try_to_toml`].
    pub fn to_toml(&self) -> String {
        self.try_to_toml()
            .unwrap_or_else(|error| format!("# {error}\n"))
    }

    /// The profile as TOML, or why it cannot be written.
    pub fn try_to_toml(&self) -> Result<String, ProfileError> {
        let mut clean = self.clone();
        if let Some(payload) = &mut clean.handshake_payload {
            fields::strip_nulls(payload);
        }
        for matcher in clean.auth.success.iter_mut().chain(&mut clean.auth.failure) {
            matcher.values.retain(|value| !value.is_null());
        }
        toml::to_string(&clean).map_err(|error| ProfileError::Serialize(error.to_string()))
    }
}

// What is a secret is the secrets module's knowledge; where a profile holds one is
// the profile's.
impl Profile {
    /// The fields that would put a secret on disk as is: a literal `auth.token`,
    /// literal values of secret-looking headers (`Authorization`, `Cookie`…) and URL
    /// query parameters (`token`, `access_token`…). Empty when saving is safe.
    pub fn literal_secrets(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some(token) = &self.auth.token
            && looks_literal_token(token)
        {
            found.push("auth.token".to_string());
        }
        for (name, value) in &self.headers {
            if is_secret_header(name) && looks_literal_token(value) {
                found.push(format!("headers.{name}"));
            }
        }
        if self
            .proxy
            .as_deref()
            .is_some_and(crate::session::proxy::has_literal_password)
        {
            found.push("proxy (password)".to_string());
        }
        if let Some(url) = &self.url
            && let Ok(parsed) = url::Url::parse(url)
        {
            for (name, value) in parsed.query_pairs() {
                if is_secret_param(&name) && looks_literal_token(&value) {
                    found.push(format!("url (query parameter {name})"));
                }
            }
        }
        found
    }

    /// A copy fit to print: every literal secret [`Profile::literal_secrets`] finds
    /// is replaced by `***`; references stay, since they name a place, not a value.
    pub fn masked(&self) -> Profile {
        let mut shown = self.clone();
        if let Some(token) = &mut shown.auth.token
            && looks_literal_token(token)
        {
            *token = "***".into();
        }
        for (name, value) in shown.headers.iter_mut() {
            if is_secret_header(name) && looks_literal_token(value) {
                *value = "***".into();
            }
        }
        if let Some(proxy) = &mut shown.proxy
            && crate::session::proxy::has_literal_password(proxy)
        {
            *proxy = crate::session::proxy::mask_url_text(proxy);
        }
        if let Some(url) = &mut shown.url
            && let Ok(mut parsed) = url::Url::parse(url)
            && parsed
                .query_pairs()
                .any(|(name, value)| is_secret_param(&name) && looks_literal_token(&value))
        {
            let pairs: Vec<(String, String)> = parsed
                .query_pairs()
                .map(|(name, value)| {
                    let value = if is_secret_param(&name) && looks_literal_token(&value) {
                        "***".to_string()
                    } else {
                        value.into_owned()
                    };
                    (name.into_owned(), value)
                })
                .collect();
            parsed.query_pairs_mut().clear().extend_pairs(pairs);
            *url = parsed.to_string();
        }
        shown
    }
}

#[cfg(test)]
#[path = "profile_tests.rs"]
pub(crate) mod tests;
