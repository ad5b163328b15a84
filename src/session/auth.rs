//! The four ways to authenticate (plus none): where the token goes on the wire, how
//! the first-message template is rendered, and how a server's reply is judged.
//! Pure functions; the actor calls them.

use std::time::Duration;

use serde_json::Value;
use url::Url;

use crate::secret::Secret;
use crate::template::{self, Context, TemplateError};
pub use crate::wire::AuthVerdict;

/// Default first-message template.
pub const DEFAULT_TEMPLATE: &str = r#"{"type":"{{type}}","token":"{{token}}"}"#;
/// Default `{{type}}` value for the first-message template.
pub const DEFAULT_MESSAGE_TYPE: &str = "authenticate";
/// Default query parameter name for `query-param` auth.
pub const DEFAULT_TOKEN_PARAM: &str = "token";
/// Default time to wait for the server's verdict on a first-message auth.
pub const DEFAULT_AUTH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the token travels: one enum for the session, profiles (`[auth] method`,
/// serde) and the command line (`--auth`, clap), all spelling it in kebab-case
/// (`none`, `query-param`, `first-message`, `subprotocol`, `header`). The variant
/// docs are also the `--help` text of each value.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "kebab-case")]
#[value(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// No token.
    #[default]
    None,
    /// `?token=…` in the URL (name set by --token-param).
    QueryParam,
    /// A first message rendered from --auth-template.
    FirstMessage,
    /// The token as a Sec-WebSocket-Protocol value.
    Subprotocol,
    /// `Authorization: Bearer …`.
    Header,
}

impl AuthMethod {
    /// The name used on the command line and in profiles.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::QueryParam => "query-param",
            AuthMethod::FirstMessage => "first-message",
            AuthMethod::Subprotocol => "subprotocol",
            AuthMethod::Header => "header",
        }
    }

    /// Whether this method carries a token in the handshake (so an accepted upgrade
    /// means accepted credentials).
    pub fn is_handshake(self) -> bool {
        matches!(
            self,
            AuthMethod::QueryParam | AuthMethod::Subprotocol | AuthMethod::Header
        )
    }
}

/// A top-level JSON field that must equal one of some values.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMatch {
    /// Top-level field name.
    pub field: String,
    /// Values that count as a match.
    pub values: Vec<Value>,
}

impl FieldMatch {
    /// A matcher for `field` equal to any of the given string values.
    pub fn strings(field: &str, values: &[&str]) -> Self {
        Self {
            field: field.to_string(),
            values: values.iter().map(|v| Value::from(*v)).collect(),
        }
    }

    fn matches(&self, object: &serde_json::Map<String, Value>) -> bool {
        object
            .get(&self.field)
            .is_some_and(|value| self.values.contains(value))
    }
}

/// How to tell an auth success reply from a failure reply.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthReplyRules {
    /// Any match means accepted.
    pub success: Vec<FieldMatch>,
    /// Any match means refused (checked first).
    pub failure: Vec<FieldMatch>,
}

impl Default for AuthReplyRules {
    fn default() -> Self {
        Self {
            success: vec![
                FieldMatch::strings(
                    "type",
                    &["authenticated", "auth_ok", "auth_success", "connection_ack"],
                ),
                FieldMatch {
                    field: "success".into(),
                    values: vec![Value::Bool(true)],
                },
            ],
            failure: vec![
                FieldMatch::strings(
                    "type",
                    &[
                        "auth_invalid",
                        "auth_failed",
                        "auth_error",
                        "unauthorized",
                        "error",
                    ],
                ),
                FieldMatch {
                    field: "success".into(),
                    values: vec![Value::Bool(false)],
                },
            ],
        }
    }
}

impl AuthReplyRules {
    /// The verdict a text frame carries, if it is a JSON object that matches a rule.
    pub fn verdict(&self, text: &str) -> Option<AuthVerdict> {
        let Ok(Value::Object(object)) = serde_json::from_str::<Value>(text) else {
            return None;
        };
        if self.failure.iter().any(|rule| rule.matches(&object)) {
            Some(AuthVerdict::Refused)
        } else if self.success.iter().any(|rule| rule.matches(&object)) {
            Some(AuthVerdict::Accepted)
        } else {
            None
        }
    }
}

/// Authentication settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthConfig {
    /// Where the token goes.
    pub method: AuthMethod,
    /// The token; required by every method but `None`.
    pub token: Option<Secret>,
    /// Query parameter name for `QueryParam`.
    pub token_param: String,
    /// `{{type}}` in the first-message template.
    pub message_type: String,
    /// The first-message template (`{{token}}`, `{{type}}`).
    pub template: String,
    /// Recognises the server's verdict on a first-message auth.
    pub reply_rules: AuthReplyRules,
    /// How long to wait for that verdict; when it passes without one, the session
    /// carries on as authenticated and says so.
    pub timeout: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            method: AuthMethod::None,
            token: None,
            token_param: DEFAULT_TOKEN_PARAM.to_string(),
            message_type: DEFAULT_MESSAGE_TYPE.to_string(),
            template: DEFAULT_TEMPLATE.to_string(),
            reply_rules: AuthReplyRules::default(),
            timeout: DEFAULT_AUTH_TIMEOUT,
        }
    }
}

/// Problems with auth settings, found before connecting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthConfigError {
    /// The method needs a token and none was given.
    #[error("auth mode '{0}' needs a token: pass --token TOKEN or --token-env NAME")]
    MissingToken(&'static str),
    /// The first-message template cannot be rendered (unknown variable, unclosed `{{`…).
    #[error("auth template: {0}")]
    Template(#[from] TemplateError),
    /// The token contains characters a header or subprotocol cannot carry.
    #[error(
        "the token contains characters that cannot go in an HTTP header (spaces, commas or control characters); use --auth query-param or first-message"
    )]
    TokenNotHeaderSafe,
    /// The token is too short to hide without hiding ordinary text too; the text
    /// says so (see [`crate::secret::short_token_problem`]).
    #[error("{0}")]
    TokenTooShort(String),
}

impl AuthConfig {
    /// Checks that the settings can work: a token where one is needed, a renderable template.
    pub fn validate(&self) -> Result<(), AuthConfigError> {
        // Whatever the method: a token given at all is redacted from everything shown.
        if let Some(problem) = self
            .token
            .as_ref()
            .and_then(|token| crate::secret::short_token_problem(token.expose()))
        {
            return Err(AuthConfigError::TokenTooShort(problem));
        }
        if self.method == AuthMethod::None {
            return Ok(());
        }
        let token = self
            .token
            .as_ref()
            .ok_or(AuthConfigError::MissingToken(self.method.as_str()))?;
        match self.method {
            AuthMethod::FirstMessage => self.first_message().map(|_| ()),
            AuthMethod::Subprotocol | AuthMethod::Header => {
                let bad = |c: char| c.is_control() || c == ',' || c.is_whitespace();
                if token.expose().chars().any(bad) {
                    Err(AuthConfigError::TokenNotHeaderSafe)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// The token's value, or empty when there is none.
    fn token_value(&self) -> &str {
        self.token.as_ref().map(Secret::expose).unwrap_or("")
    }

    /// The URL to connect to: for `QueryParam`, the token merged into the query,
    /// replacing any parameter of the same name.
    pub fn url_with_token(&self, url: &Url) -> Url {
        if self.method != AuthMethod::QueryParam {
            return url.clone();
        }
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(name, _)| name != &self.token_param)
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        let mut with_token = url.clone();
        with_token.set_query(None);
        {
            let mut pairs = with_token.query_pairs_mut();
            for (name, value) in &kept {
                pairs.append_pair(name, value);
            }
            pairs.append_pair(&self.token_param, self.token_value());
        }
        with_token
    }

    /// The subprotocols to offer: the configured ones, then the token for `Subprotocol`.
    pub fn subprotocols(&self, configured: &[String]) -> Vec<String> {
        let mut offered = configured.to_vec();
        if self.method == AuthMethod::Subprotocol {
            offered.push(self.token_value().to_string());
        }
        offered
    }

    /// The Authorization header value for `Header`.
    pub fn authorization_header(&self) -> Option<String> {
        (self.method == AuthMethod::Header).then(|| format!("Bearer {}", self.token_value()))
    }

    /// The rendered first message for `FirstMessage` (with the real token). Rendered
    /// afresh for every connection, so `{{uuid}}` and `{{now}}` change each time.
    pub fn first_message(&self) -> Result<String, AuthConfigError> {
        let context =
            Context::with_token(self.token.clone()).extra("type", self.message_type.clone());
        Ok(template::render(&self.template, &context)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(method: AuthMethod, token: &str) -> AuthConfig {
        AuthConfig {
            method,
            token: Some(Secret::new(token)),
            ..AuthConfig::default()
        }
    }

    #[test]
    fn query_param_merges_and_replaces() {
        let url = Url::parse("ws://h/p?a=1&token=old&b=x%20y").unwrap();
        let merged = with(AuthMethod::QueryParam, "t k&n-long").url_with_token(&url);
        assert_eq!(merged.as_str(), "ws://h/p?a=1&b=x+y&token=t+k%26n-long");
        let mut named = with(AuthMethod::QueryParam, "abcdefgh");
        named.token_param = "access_token".into();
        assert_eq!(
            named
                .url_with_token(&Url::parse("ws://h/").unwrap())
                .as_str(),
            "ws://h/?access_token=abcdefgh"
        );
        let untouched = with(AuthMethod::Header, "abcdefgh").url_with_token(&url);
        assert_eq!(untouched, url);
    }

    #[test]
    fn default_template_renders_with_escaping() {
        let config = with(AuthMethod::FirstMessage, "a\"b-long");
        assert_eq!(
            config.first_message().unwrap(),
            r#"{"type":"authenticate","token":"a\"b-long"}"#
        );
    }

    #[test]
    fn unknown_variable_and_unclosed_are_errors() {
        let mut config = with(AuthMethod::FirstMessage, "t-1234567");
        config.template = "{{nope}}".into();
        let message = config.first_message().unwrap_err().to_string();
        assert!(message.contains("'{{nope}}'"), "{message}");
        assert!(
            message.contains("{{type}}"),
            "known names listed: {message}"
        );
        config.template = "{{token".into();
        assert!(matches!(
            config.validate(),
            Err(AuthConfigError::Template(TemplateError::Unclosed { .. }))
        ));
    }

    #[test]
    fn template_variables_beyond_token_and_type_render() {
        let mut config = with(AuthMethod::FirstMessage, "t-1234567");
        config.template = r#"{"type":"{{type}}","id":"{{uuid}}","at":{{now}}}"#.into();
        let first: Value = serde_json::from_str(&config.first_message().unwrap()).unwrap();
        let second: Value = serde_json::from_str(&config.first_message().unwrap()).unwrap();
        assert_eq!(first["type"], "authenticate");
        assert_eq!(first["id"].as_str().unwrap().len(), 36);
        assert_ne!(first["id"], second["id"], "a fresh uuid per connection");
        assert!(first["at"].as_u64().unwrap() > 1_600_000_000_000);
    }

    #[test]
    fn validate_requires_token() {
        let mut config = AuthConfig {
            method: AuthMethod::Header,
            ..AuthConfig::default()
        };
        assert_eq!(
            config.validate(),
            Err(AuthConfigError::MissingToken("header"))
        );
        config.token = Some(Secret::new("has a space"));
        assert_eq!(config.validate(), Err(AuthConfigError::TokenNotHeaderSafe));
        assert!(AuthConfig::default().validate().is_ok());
    }

    #[test]
    fn validate_refuses_short_tokens_whatever_the_method() {
        for method in [
            AuthMethod::None,
            AuthMethod::QueryParam,
            AuthMethod::FirstMessage,
            AuthMethod::Subprotocol,
            AuthMethod::Header,
        ] {
            let Err(AuthConfigError::TokenTooShort(problem)) = with(method, "1234567").validate()
            else {
                panic!("{method:?}: a 7-character token must be refused");
            };
            assert!(problem.contains("7 characters"), "{problem}");
            assert_eq!(with(method, "12345678").validate(), Ok(()), "{method:?}");
        }
    }

    #[test]
    fn subprotocol_token_goes_last() {
        let offered = with(AuthMethod::Subprotocol, "tok-1234").subprotocols(&["chat".into()]);
        assert_eq!(offered, vec!["chat".to_string(), "tok-1234".to_string()]);
    }

    #[test]
    fn reply_rules_recognise_common_replies() {
        let rules = AuthReplyRules::default();
        assert_eq!(
            rules.verdict(r#"{"type":"auth_ok"}"#),
            Some(AuthVerdict::Accepted)
        );
        assert_eq!(
            rules.verdict(r#"{"type":"authenticated"}"#),
            Some(AuthVerdict::Accepted)
        );
        assert_eq!(
            rules.verdict(r#"{"type":"auth_invalid"}"#),
            Some(AuthVerdict::Refused)
        );
        assert_eq!(
            rules.verdict(r#"{"success":false}"#),
            Some(AuthVerdict::Refused)
        );
        assert_eq!(rules.verdict(r#"{"type":"tick"}"#), None);
        assert_eq!(rules.verdict("not json"), None);
    }
}
