//! A profile to a [`SessionConfig`] ([`session_from_profile`]): secret references
//! resolved (token, URL, header values), the URL checked, every field mapped,
//! on-connect messages and the handshake payload rendered through the template
//! engine. What the session config has no place for (the composer's format, the
//! snippets) comes back as [`ProfileExtras`].

use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde_json::Value;
use url::Url;

use super::error::ProfileError;
use super::profile::{MessageFormat, Profile, ReplyMatcher, Snippet};
use super::secrets::{self, expand_tilde};
use crate::protocol::registry;
use crate::session::auth::FieldMatch;
use crate::session::config::{
    OnConnectMessage, OnConnectTemplate, SessionConfig, parse_ws_url, scheme_notice,
};
use crate::session::event::PayloadKind;
use crate::session::proxy;
use crate::session::secret::Secret;
use crate::session::tls_verify::parse_pin;
use crate::template::{self, Context, TemplateError};

/// What a profile says that a [`SessionConfig`] has no field for: how the TUI's
/// composer starts and what it offers. (The TUI's own
/// [`crate::app::SessionExtras`] is built from it, the session and the adapter.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileExtras {
    /// How the composer treats messages (`text` when the profile says nothing).
    pub message_format: MessageFormat,
    /// The snippets, unrendered (render them when used, with [`render_message`]).
    pub snippets: Vec<Snippet>,
}

/// Turns a profile (every layer already merged: preset, saved profile, command-line
/// flags) into the session settings: fields the profile sets replace the defaults
/// of [`SessionConfig::new`]. The one way from settings to a session; the command
/// line reaches it as a profile layer too.
///
/// References in the URL are resolved before it is parsed, so
/// `wss://${env:API_ID}.example.com/` works; the http(s) notice speaks of the URL as
/// written. The token for templates (on-connect messages, handshake payload, app
/// key) is the context's when it has one, else the profile's.
pub fn session_from_profile(
    profile: &Profile,
    context: &Context,
) -> Result<(SessionConfig, ProfileExtras), ProfileError> {
    let url = resolve_url(profile, context)?.ok_or_else(|| ProfileError::Field {
        field: "url".into(),
        message: "missing; give a URL (ws://HOST[:PORT]/PATH) or set url in the profile".into(),
    })?;
    let mut session = SessionConfig::new(url.as_str()).map_err(|error| ProfileError::Field {
        field: "url".into(),
        message: error.to_string(),
    })?;
    session.notices = profile
        .url
        .as_deref()
        .and_then(scheme_notice)
        .into_iter()
        .collect();
    apply_request(profile, &mut session, context)?;
    apply_auth(profile, &mut session, context)?;
    apply_limits(profile, &mut session);
    apply_tls(profile, &mut session)?;
    apply_proxy(profile, &mut session, context)?;
    let context = if context.token.is_none() && session.auth.token.is_some() {
        Context {
            token: session.auth.token.clone(),
            ..context.clone()
        }
    } else {
        context.clone()
    };
    let message_format = apply_messages(profile, &mut session, &context)?;
    Ok((
        session,
        ProfileExtras {
            message_format,
            snippets: profile.snippets.clone(),
        },
    ))
}

/// The profile's URL with references resolved, checked as a ws:// or wss:// URL; the
/// error shows the URL as written, never the resolved secret.
pub fn resolve_url(profile: &Profile, context: &Context) -> Result<Option<Url>, ProfileError> {
    let Some(raw) = &profile.url else {
        return Ok(None);
    };
    let resolved = resolve_field("url", raw, context)?;
    parse_ws_url(&resolved)
        .map(Some)
        .map_err(|error| ProfileError::Field {
            field: "url".into(),
            message: error.to_string().replace(&resolved, raw),
        })
}

/// The profile's auth token, resolved.
pub fn resolve_token(profile: &Profile, context: &Context) -> Result<Option<Secret>, ProfileError> {
    profile
        .auth
        .token
        .as_deref()
        .map(|raw| resolve_field("auth.token", raw, context).map(Secret::new))
        .transpose()
}

/// Resolves the references in one field, naming the field in the error.
pub fn resolve_field(field: &str, raw: &str, context: &Context) -> Result<String, ProfileError> {
    secrets::resolve_with(raw, &|name| context.env_var(name)).map_err(|source| {
        ProfileError::Secret {
            field: field.to_string(),
            source,
        }
    })
}

/// Renders a message template for a format: JSON-escaped values for `json`, values
/// as they are for `text` and `binary`.
pub fn render_message(
    text: &str,
    format: MessageFormat,
    context: &Context,
) -> Result<String, TemplateError> {
    match format {
        MessageFormat::Json => template::render(text, context),
        MessageFormat::Text | MessageFormat::Binary => template::render_plain(text, context),
    }
}

/// A field error naming the profile field.
fn field_error(field: &str, message: String) -> ProfileError {
    ProfileError::Field {
        field: field.to_string(),
        message,
    }
}

/// The upgrade request: headers (references resolved), Origin, subprotocols and
/// the adapter.
fn apply_request(
    profile: &Profile,
    session: &mut SessionConfig,
    context: &Context,
) -> Result<(), ProfileError> {
    for (name, raw) in &profile.headers {
        let value = resolve_field(&format!("headers.{name}"), raw, context)?;
        session
            .headers
            .retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        session.headers.push((name.clone(), value));
    }
    if let Some(origin) = &profile.origin {
        session.origin = Some(resolve_field("origin", origin, context)?);
    }
    if !profile.subprotocols.is_empty() {
        session.subprotocols = profile.subprotocols.clone();
    }
    if let Some(provider) = &profile.provider {
        if let Err(unknown) = registry::find(provider) {
            return Err(field_error("provider", unknown.to_string()));
        }
        session.provider = provider.clone();
    }
    Ok(())
}

/// `[auth]`: the method, the token (references resolved), the first-message
/// template and how replies are judged.
fn apply_auth(
    profile: &Profile,
    session: &mut SessionConfig,
    context: &Context,
) -> Result<(), ProfileError> {
    let auth = &profile.auth;
    if let Some(method) = auth.method {
        session.auth.method = method;
    }
    session.auth.token = resolve_token(profile, context)?;
    if let Some(param) = &auth.token_param {
        session.auth.token_param = param.clone();
    }
    if let Some(kind) = &auth.message_type {
        session.auth.message_type = kind.clone();
    }
    if let Some(text) = &auth.template {
        template::check_names(text, &["type"]).map_err(|source| ProfileError::Template {
            field: "auth.template".into(),
            source,
        })?;
        session.auth.template = text.clone();
    }
    if let Some(timeout) = auth.timeout {
        session.auth.timeout = timeout;
    }
    if !auth.success.is_empty() {
        session.auth.reply_rules.success = auth.success.iter().map(to_field_match).collect();
    }
    if !auth.failure.is_empty() {
        session.auth.reply_rules.failure = auth.failure.iter().map(to_field_match).collect();
    }
    Ok(())
}

/// `[keepalive]`, `[reconnect]` and the limits: timeouts, rate, sizes.
fn apply_limits(profile: &Profile, session: &mut SessionConfig) {
    let keepalive = &profile.keepalive;
    if let Some(interval) = keepalive.ping_interval {
        session.keepalive.ping_interval = interval;
    }
    if let Some(timeout) = keepalive.pong_timeout {
        session.keepalive.pong_timeout = timeout;
    }
    let reconnect = &profile.reconnect;
    if let Some(enabled) = reconnect.enabled {
        session.reconnect.enabled = enabled;
    }
    if let Some(attempts) = reconnect.max_attempts {
        session.reconnect.max_attempts = attempts;
    }
    if let Some(delay) = reconnect.initial_delay {
        session.reconnect.backoff.initial_delay = delay;
    }
    if let Some(delay) = reconnect.max_delay {
        session.reconnect.backoff.max_delay = delay;
    }
    if let Some(timeout) = profile.connect_timeout {
        session.connect_timeout = timeout;
    }
    if let Some(rate) = profile.rate_limit {
        session.rate_limit = rate;
    }
    if let Some(size) = profile.max_message_size {
        session.max_message_size = size;
    }
    if let Some(limit) = profile.queue_limit {
        session.queue_capacity = limit;
    }
}

/// `proxy`: the profile's (references resolved; `none` for no proxy), else the
/// environment's for this URL (`HTTPS_PROXY`…, `NO_PROXY` honoured), read through
/// the context like every `${env:…}` reference.
fn apply_proxy(
    profile: &Profile,
    session: &mut SessionConfig,
    context: &Context,
) -> Result<(), ProfileError> {
    session.proxy = match &profile.proxy {
        Some(raw) => {
            let resolved = resolve_field("proxy", raw, context)?;
            proxy::parse_setting(&resolved)
                .map_err(|error| field_error("proxy", error.to_string().replace(&resolved, raw)))?
        }
        None => proxy::from_env(&session.url, &|name| context.env_var(name))
            .map_err(|error| field_error("proxy", error.to_string()))?,
    };
    Ok(())
}

/// `[tls]`: files checked to exist (`~` expanded), pins parsed.
fn apply_tls(profile: &Profile, session: &mut SessionConfig) -> Result<(), ProfileError> {
    let tls = &profile.tls;
    if let Some(insecure) = tls.insecure {
        session.tls.insecure = insecure;
    }
    for file in &tls.ca_files {
        let path = existing_file("tls.ca_files", file)?;
        if !session.tls.ca_files.contains(&path) {
            session.tls.ca_files.push(path);
        }
    }
    for pin in &tls.pin_sha256 {
        let pin = parse_pin(pin).map_err(|reason| field_error("tls.pin_sha256", reason))?;
        if !session.tls.pin_sha256.contains(&pin) {
            session.tls.pin_sha256.push(pin);
        }
    }
    if tls.cert.is_some() != tls.key.is_some() {
        return Err(field_error(
            "tls.cert",
            "give both cert and key (PEM files) for a client certificate".to_string(),
        ));
    }
    if let Some(file) = &tls.cert {
        session.tls.client_cert = Some(existing_file("tls.cert", file)?);
    }
    if let Some(file) = &tls.key {
        session.tls.client_key = Some(existing_file("tls.key", file)?);
    }
    Ok(())
}

/// `file` with `~` expanded, if it is a file.
fn existing_file(field: &str, file: &Path) -> Result<PathBuf, ProfileError> {
    let path = expand_tilde(&file.to_string_lossy());
    if path.is_file() {
        Ok(path)
    } else {
        Err(field_error(
            field,
            format!("{}: no such file", path.display()),
        ))
    }
}

/// What is sent once connected and the adapter's extras: on-connect messages and
/// the handshake payload rendered with `context` (its token included), the
/// Socket.IO namespace and version, the app key. Returns the message format.
fn apply_messages(
    profile: &Profile,
    session: &mut SessionConfig,
    context: &Context,
) -> Result<MessageFormat, ProfileError> {
    let format = profile.message_format.unwrap_or_default();
    if !profile.on_connect.is_empty() {
        session.on_connect = profile
            .on_connect
            .iter()
            .enumerate()
            .map(|(index, message)| {
                on_connect_message(
                    &format!("on_connect[{index}].text"),
                    &message.text,
                    message.format.unwrap_or(format),
                    context,
                )
            })
            .collect::<Result<_, _>>()?;
    }
    if let Some(namespace) = &profile.namespace {
        session.namespace = Some(namespace.clone());
    }
    if let Some(version) = profile.socket_io_version {
        session.socket_io_version = Some(version);
    }
    if let Some(key) = &profile.app_key {
        session.app_key = Some(resolve_field("app_key", key, context)?);
    }
    if let Some(payload) = &profile.handshake_payload {
        let mut rendered = payload.clone();
        render_payload(&mut rendered, "handshake_payload", context)?;
        let emptied = rendered.as_object().is_some_and(|map| map.is_empty())
            && payload.as_object().is_some_and(|map| !map.is_empty());
        session.handshake_payload = (!emptied).then_some(rendered);
    }
    Ok(format)
}

fn to_field_match(matcher: &ReplyMatcher) -> FieldMatch {
    FieldMatch {
        field: matcher.field.clone(),
        values: matcher.values.clone(),
    }
}

/// Renders one on-connect message and turns it into a frame.
fn on_connect_message(
    field: &str,
    text: &str,
    format: MessageFormat,
    context: &Context,
) -> Result<OnConnectMessage, ProfileError> {
    let rendered =
        render_message(text, format, context).map_err(|source| ProfileError::Template {
            field: field.to_string(),
            source,
        })?;
    let invalid = |message: String| ProfileError::Field {
        field: field.to_string(),
        message,
    };
    // A text message with variables is rendered again for every (re)connect; this
    // first rendering checks it.
    let template = |json: bool| {
        template::variables(text)
            .is_ok_and(|names| !names.is_empty())
            .then(|| OnConnectTemplate {
                text: text.to_string(),
                json,
            })
    };
    match format {
        MessageFormat::Json => {
            serde_json::from_str::<Value>(&rendered)
                .map_err(|error| invalid(format!("not valid JSON: {error}")))?;
            Ok(text_frame(rendered, template(true)))
        }
        MessageFormat::Text => Ok(text_frame(rendered, template(false))),
        MessageFormat::Binary => {
            let bytes = crate::payload::parse_binary(&rendered)
                .map_err(|error| invalid(format!("not valid binary input: {error}")))?;
            Ok(OnConnectMessage {
                payload: Bytes::from(bytes),
                kind: PayloadKind::Binary,
                template: None,
            })
        }
    }
}

fn text_frame(text: String, template: Option<OnConnectTemplate>) -> OnConnectMessage {
    OnConnectMessage {
        payload: Bytes::from(text),
        kind: PayloadKind::Text,
        template,
    }
}

/// Renders every string in a JSON value as a plain template. Without a token, strings
/// that use `{{token}}` are left out (so a preset with optional auth works without
/// one) instead of failing.
fn render_payload(value: &mut Value, path: &str, context: &Context) -> Result<(), ProfileError> {
    let keep =
        |item: &Value| context.token.is_some() || !item.as_str().is_some_and(template::uses_token);
    match value {
        Value::String(text) => {
            *text =
                template::render_plain(text, context).map_err(|source| ProfileError::Template {
                    field: path.to_string(),
                    source,
                })?;
        }
        Value::Array(items) => {
            items.retain(|item| keep(item));
            for (index, item) in items.iter_mut().enumerate() {
                render_payload(item, &format!("{path}[{index}]"), context)?;
            }
        }
        Value::Object(map) => {
            map.retain(|_, item| keep(item));
            for (key, item) in map.iter_mut() {
                render_payload(item, &format!("{path}.{key}"), context)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
#[path = "apply_tests.rs"]
mod tests;
