//! The `{{variable}}` template language of snippets, on-connect messages, handshake
//! payloads and auth messages.
//!
//! Variables: `{{token}}` (the resolved auth token), `{{uuid}}` (a fresh random UUID
//! v4), `{{now}}` (milliseconds since the Unix epoch), `{{now_iso}}` (RFC 3339, UTC,
//! milliseconds: `2024-05-01T12:00:00.123Z`), `{{seq}}` (a per-session counter: every
//! use takes the next number, starting at 1), `{{env.NAME}}` (the environment variable
//! `NAME`), `{{var.NAME}}` (a value captured from an incoming message with
//! `:capture NAME JQ`), plus any extras the caller adds (e.g. `{{type}}` for the auth message).
//! Spaces inside the braces are allowed (`{{ token }}`). An unknown variable, a missing
//! token or environment variable, or a `{{` without its `}}` is an error — never an
//! empty string.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::secret::Secret;

/// The built-in variable names, as listed in error messages.
pub const BUILTIN_VARIABLES: &[&str] = &[
    "token", "uuid", "now", "now_iso", "seq", "env.NAME", "var.NAME",
];

/// Why a template cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A name that is neither built in nor an extra.
    #[error("unknown template variable '{{{{{name}}}}}'; known: {}", known_list(.known))]
    UnknownVariable {
        /// The name as written (trimmed).
        name: String,
        /// Every name that would have worked.
        known: Vec<String>,
    },
    /// A `{{` without its `}}`.
    #[error("template has '{{{{' without a closing '}}}}' at character {position}")]
    Unclosed {
        /// 1-based character position of the `{{`.
        position: usize,
    },
    /// `{{}}` or `{{env.}}`.
    #[error("template has an empty variable name at character {position}")]
    EmptyName {
        /// 1-based character position of the `{{`.
        position: usize,
    },
    /// `{{token}}` is used but there is no token.
    #[error(
        "the template uses {{{{token}}}} but there is no token; set the profile's auth.token (e.g. \"${{env:MY_TOKEN}}\") or pass --token-env NAME"
    )]
    MissingToken,
    /// `{{env.NAME}}` names an unset (or non-UTF-8) variable.
    #[error(
        "environment variable {0} is not set (used in a template as {{{{env.{0}}}}}); export it or change the template"
    )]
    MissingEnv(String),
    /// `{{var.NAME}}` names a value that `:capture` has not captured (yet).
    #[error("{{{{var.{0}}}}} is not captured yet — :capture {0} JQ")]
    NotCaptured(String),
}

fn known_list(known: &[String]) -> String {
    known
        .iter()
        .map(|name| format!("{{{{{name}}}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a template can refer to. Cloning shares the `{{seq}}` counter, so every clone
/// used by one session numbers from the same sequence.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The resolved token for `{{token}}`; `None` makes `{{token}}` an error.
    pub token: Option<Secret>,
    /// The last `{{seq}}` value handed out (0 before the first use).
    pub seq: Arc<AtomicU64>,
    /// Extra variables, e.g. `("type", "authenticate")` for the auth message. Built-in
    /// names take precedence over extras of the same name.
    pub extra: Vec<(String, String)>,
    /// Where `{{env.NAME}}` (and `${env:NAME}` secret references resolved with this
    /// context) look: `None` is the process environment; `Some` is exactly these
    /// variables (for tests and previews).
    pub env: Option<BTreeMap<String, String>>,
    /// The values captured with `:capture NAME JQ`, for `{{var.NAME}}`.
    pub vars: BTreeMap<String, String>,
}

impl Context {
    /// A context with a token and nothing else.
    pub fn with_token(token: Option<Secret>) -> Self {
        Self {
            token,
            ..Self::default()
        }
    }

    /// Adds an extra variable (builder style).
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// Takes the next `{{seq}}` number (1 on the first call).
    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }

    /// The last `{{seq}}` number handed out (0 before the first).
    pub fn current_seq(&self) -> u64 {
        self.seq.load(Ordering::Relaxed)
    }

    /// Looks an environment variable up where this context says to.
    pub fn env_var(&self, name: &str) -> Option<String> {
        match &self.env {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        }
    }

    /// Every variable name this context knows, for error messages.
    pub fn known_names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN_VARIABLES.iter().map(|s| s.to_string()).collect();
        for (name, _) in &self.extra {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        names
    }
}

/// How substituted values are written into the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// As JSON string content (quotes and backslashes escaped, no surrounding quotes):
    /// for templates that are JSON text, so `"{{token}}"` stays valid whatever the token.
    Json,
    /// As is: for plain text, URLs and values already inside a structured document.
    None,
}

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece<'a> {
    Literal(&'a str),
    Variable { name: &'a str, position: usize },
}

fn parse(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    let mut consumed = 0;
    while let Some(start) = rest.find("{{") {
        let position = template[..consumed + start].chars().count() + 1;
        if start > 0 {
            pieces.push(Piece::Literal(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or(TemplateError::Unclosed { position })?;
        let name = after[..end].trim();
        if name.is_empty() || name == "env." || name == "var." {
            return Err(TemplateError::EmptyName { position });
        }
        pieces.push(Piece::Variable { name, position });
        consumed += start + 2 + end + 2;
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest));
    }
    Ok(pieces)
}

/// The variable names a template uses, in order (duplicates kept); only syntax is
/// checked. For validation as the user types.
pub fn variables(template: &str) -> Result<Vec<String>, TemplateError> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Variable { name, .. } => Some(name.to_string()),
            Piece::Literal(_) => None,
        })
        .collect())
}

/// Checks that every variable is known, given extra names that will be available,
/// without needing a token or the environment. For profile validation.
pub fn check_names(template: &str, extra: &[&str]) -> Result<(), TemplateError> {
    for name in variables(template)? {
        let builtin = matches!(name.as_str(), "token" | "uuid" | "now" | "now_iso" | "seq")
            || name.starts_with("env.")
            || name.starts_with("var.");
        if !builtin && !extra.contains(&name.as_str()) {
            let mut known: Vec<String> = BUILTIN_VARIABLES.iter().map(|s| s.to_string()).collect();
            known.extend(extra.iter().map(|s| s.to_string()));
            return Err(TemplateError::UnknownVariable { name, known });
        }
    }
    Ok(())
}

/// Fills in only the `{{var.NAME}}` references of `text` (what the composer sends:
/// any other `{{…}}` stays as typed), escaped as `escape` says. `None` when the
/// text names no captured variable; an error names the first one not captured.
pub fn render_vars(
    text: &str,
    context: &Context,
    escape: Escape,
) -> Result<Option<String>, TemplateError> {
    let mut output = String::with_capacity(text.len() + 32);
    let mut rest = text;
    let mut found = false;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let name = after
            .find("}}")
            .map(|end| (after[..end].trim(), end))
            .and_then(|(name, end)| Some((name.strip_prefix("var.")?, end)))
            .filter(|(name, _)| !name.is_empty() && !name.contains(char::is_whitespace));
        let Some((name, end)) = name else {
            output.push_str(&rest[..start + 2]);
            rest = after;
            continue;
        };
        let value = context
            .vars
            .get(name)
            .ok_or_else(|| TemplateError::NotCaptured(name.to_string()))?;
        output.push_str(&rest[..start]);
        match escape {
            Escape::None => output.push_str(value),
            Escape::Json => push_json_escaped(&mut output, value),
        }
        found = true;
        rest = &after[end + 2..];
    }
    output.push_str(rest);
    Ok(found.then_some(output))
}

/// Whether a template uses `{{token}}`.
pub fn uses_token(template: &str) -> bool {
    variables(template).is_ok_and(|names| names.iter().any(|name| name == "token"))
}

/// Renders a JSON template: substituted values are JSON-string-escaped (see
/// [`Escape::Json`]). `{{seq}}` takes a new number at every use.
pub fn render(template: &str, context: &Context) -> Result<String, TemplateError> {
    render_with(template, context, Escape::Json)
}

/// Renders a plain-text template: values go in as they are.
pub fn render_plain(template: &str, context: &Context) -> Result<String, TemplateError> {
    render_with(template, context, Escape::None)
}

/// Renders with the given escaping. Nothing is consumed (no `{{seq}}` number taken)
/// unless the whole template is valid.
pub fn render_with(
    template: &str,
    context: &Context,
    escape: Escape,
) -> Result<String, TemplateError> {
    let pieces = parse(template)?;
    // Check everything first, so a failed render does not use up sequence numbers.
    for piece in &pieces {
        if let Piece::Variable { name, .. } = piece {
            value_of(name, context, false)?;
        }
    }
    let mut output = String::with_capacity(template.len() + 32);
    for piece in pieces {
        match piece {
            Piece::Literal(text) => output.push_str(text),
            Piece::Variable { name, .. } => {
                let value = value_of(name, context, true)?;
                match escape {
                    Escape::None => output.push_str(&value),
                    Escape::Json => push_json_escaped(&mut output, &value),
                }
            }
        }
    }
    Ok(output)
}

fn push_json_escaped(output: &mut String, value: &str) {
    let quoted = serde_json::Value::String(value.to_string()).to_string();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&quoted);
    output.push_str(inner);
}

/// The value of one variable. With `take` false, `{{seq}}` only peeks (validation).
fn value_of(name: &str, context: &Context, take: bool) -> Result<String, TemplateError> {
    let now = || SystemTime::now();
    match name {
        "token" => context
            .token
            .as_ref()
            .map(|token| token.expose().to_string())
            .ok_or(TemplateError::MissingToken),
        "uuid" => Ok(uuid::Uuid::new_v4().to_string()),
        "now" => Ok(now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_millis())
            .unwrap_or(0)
            .to_string()),
        "now_iso" => Ok(humantime::format_rfc3339_millis(now()).to_string()),
        "seq" if take => Ok(context.next_seq().to_string()),
        "seq" => Ok(context.current_seq().wrapping_add(1).to_string()),
        _ => {
            if let Some(variable) = name.strip_prefix("var.") {
                return context
                    .vars
                    .get(variable)
                    .cloned()
                    .ok_or_else(|| TemplateError::NotCaptured(variable.to_string()));
            }
            if let Some(variable) = name.strip_prefix("env.") {
                return context
                    .env_var(variable)
                    .ok_or_else(|| TemplateError::MissingEnv(variable.to_string()));
            }
            context
                .extra
                .iter()
                .find(|(known, _)| known == name)
                .map(|(_, value)| value.clone())
                .ok_or_else(|| TemplateError::UnknownVariable {
                    name: name.to_string(),
                    known: context.known_names(),
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Context {
        let mut env = BTreeMap::new();
        env.insert("HOME_NAME".to_string(), "den".to_string());
        Context {
            env: Some(env),
            ..Context::with_token(Some(Secret::new("t\"k-long-1")))
        }
        .extra("type", "auth")
    }

    #[test]
    fn renders_token_extras_and_env() {
        let ctx = context();
        assert_eq!(
            render(
                r#"{"type":"{{type}}","t":"{{ token }}","h":"{{env.HOME_NAME}}"}"#,
                &ctx
            )
            .unwrap(),
            r#"{"type":"auth","t":"t\"k-long-1","h":"den"}"#
        );
        assert_eq!(render_plain("{{token}}", &ctx).unwrap(), "t\"k-long-1");
        assert_eq!(render_plain("no variables", &ctx).unwrap(), "no variables");
    }

    #[test]
    fn seq_increments_per_use_and_clones_share_it() {
        let ctx = context();
        assert_eq!(render("{{seq}},{{seq}}", &ctx).unwrap(), "1,2");
        let clone = ctx.clone();
        assert_eq!(render("{{seq}}", &clone).unwrap(), "3");
        assert_eq!(ctx.current_seq(), 3);
        // A failed render takes no number.
        assert!(render("{{seq}}{{nope}}", &ctx).is_err());
        assert_eq!(render("{{seq}}", &ctx).unwrap(), "4");
    }

    #[test]
    fn time_and_uuid_have_their_shapes() {
        let ctx = context();
        let now: u128 = render("{{now}}", &ctx).unwrap().parse().unwrap();
        assert!(now > 1_600_000_000_000);
        let iso = render("{{now_iso}}", &ctx).unwrap();
        assert!(iso.ends_with('Z') && iso.len() == 24, "{iso}");
        assert!(humantime::parse_rfc3339(&iso).is_ok());
        let id = render("{{uuid}}", &ctx).unwrap();
        assert_eq!(uuid::Uuid::parse_str(&id).unwrap().get_version_num(), 4);
        assert_ne!(id, render("{{uuid}}", &ctx).unwrap());
    }

    #[test]
    fn errors_are_specific() {
        let ctx = context();
        let error = render("{{tokn}}", &ctx).unwrap_err();
        assert!(matches!(&error, TemplateError::UnknownVariable { name, .. } if name == "tokn"));
        let message = error.to_string();
        assert!(
            message.contains("'{{tokn}}'") && message.contains("{{token}}"),
            "{message}"
        );
        assert!(message.contains("{{type}}"), "{message}");
        assert_eq!(
            render("ab{{token", &ctx),
            Err(TemplateError::Unclosed { position: 3 })
        );
        assert_eq!(
            render("{{env.NOPE_X}}", &ctx),
            Err(TemplateError::MissingEnv("NOPE_X".into()))
        );
        assert!(
            TemplateError::MissingEnv("NOPE_X".into())
                .to_string()
                .contains("NOPE_X")
        );
        assert_eq!(
            render("{{token}}", &Context::default()),
            Err(TemplateError::MissingToken)
        );
        assert_eq!(
            render("{{ }}", &ctx),
            Err(TemplateError::EmptyName { position: 1 })
        );
    }

    #[test]
    fn variables_and_name_checks() {
        assert_eq!(
            variables("a {{x}} b {{ env.Y }}").unwrap(),
            vec!["x".to_string(), "env.Y".to_string()]
        );
        assert!(variables("{{x").is_err());
        assert!(check_names("{{token}}{{env.A}}{{seq}}", &[]).is_ok());
        assert!(check_names("{{type}}", &["type"]).is_ok());
        assert!(check_names("{{type}}", &[]).is_err());
        assert!(check_names("{{var.session}}", &[]).is_ok());
        assert!(uses_token("x {{ token }}"));
        assert!(!uses_token("x {{uuid}}"));
    }

    #[test]
    fn captured_variables_render_and_missing_ones_say_how_to_capture() {
        let mut ctx = context();
        assert_eq!(
            render_plain("{{ var.sid }}", &ctx).unwrap_err().to_string(),
            "{{var.sid}} is not captured yet — :capture sid JQ"
        );
        ctx.vars.insert("sid".into(), "a\"b".into());
        assert_eq!(
            render("{\"s\":\"{{var.sid}}\"}", &ctx).unwrap(),
            "{\"s\":\"a\\\"b\"}"
        );
        assert_eq!(render_plain("{{var.sid}}", &ctx).unwrap(), "a\"b");
        assert!(matches!(
            parse("{{var.}}"),
            Err(TemplateError::EmptyName { .. })
        ));
    }

    #[test]
    fn render_vars_fills_in_only_captured_variables() {
        let mut ctx = Context::default();
        ctx.vars.insert("k".into(), "K\"1".into());
        assert_eq!(render_vars("{{uuid}} {{ x", &ctx, Escape::None), Ok(None));
        assert_eq!(
            render_vars("{{uuid}} {{ var.k }}{{var.k}} {{", &ctx, Escape::None),
            Ok(Some("{{uuid}} K\"1K\"1 {{".into()))
        );
        assert_eq!(
            render_vars("\"{{var.k}}\"", &ctx, Escape::Json),
            Ok(Some("\"K\\\"1\"".into()))
        );
        assert_eq!(
            render_vars("{{var.k}} {{var.nope}}", &ctx, Escape::None),
            Err(TemplateError::NotCaptured("nope".into()))
        );
    }

    #[test]
    fn unicode_positions_count_characters() {
        assert_eq!(
            render("é{{", &context()),
            Err(TemplateError::Unclosed { position: 2 })
        );
    }
}
