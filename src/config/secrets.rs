//! Secret references in profiles: a token (or a URL or header value) is written as
//! `${env:NAME}` (an environment variable) or `${file:PATH}` (the first line of a
//! file, `~` expanded) and resolved only when connecting, so profiles never hold the
//! secret itself. References may sit inside other text
//! (`wss://host/app/${env:KEY}?v=7`); `$${` stands for a literal `${`.

use std::path::PathBuf;

/// Why a reference cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// `${env:NAME}` with NAME unset (or not valid UTF-8).
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
    /// `${env:NAME}` with NAME set to the empty string.
    #[error("environment variable {0} is set but empty")]
    EmptyEnv(String),
    /// `${file:PATH}` that cannot be read.
    #[error("cannot read secret file {}: {reason}", .path.display())]
    FileUnreadable {
        /// The path as written in the reference.
        written: String,
        /// The path after `~` expansion.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// `${file:PATH}` whose first line is empty.
    #[error("secret file {} is empty (its first line is used)", .path.display())]
    EmptyFile {
        /// The path as written in the reference.
        written: String,
        /// The path after `~` expansion.
        path: PathBuf,
    },
    /// `${` without its `}`.
    #[error("'{0}' has '${{' without a closing '}}'")]
    Unclosed(String),
    /// `${kind:…}` with a kind other than env or file, or no kind at all.
    #[error("'{reference}' is not a secret reference; use ${{env:NAME}} or ${{file:PATH}}")]
    UnknownKind {
        /// The whole `${…}` text.
        reference: String,
    },
    /// `${env:}` or `${file:}`.
    #[error("'{0}' names nothing; use ${{env:NAME}} or ${{file:PATH}}")]
    EmptyName(String),
}

impl SecretError {
    /// What to do about it, for messages that add the profile field.
    pub fn hint(&self) -> &'static str {
        match self {
            SecretError::MissingEnv(_) | SecretError::EmptyEnv(_) => {
                "export it or change the profile"
            }
            SecretError::FileUnreadable { .. } | SecretError::EmptyFile { .. } => {
                "create the file (the token on its first line) or change the profile"
            }
            _ => "fix the reference in the profile",
        }
    }

    /// The reference that failed, as written (`${env:NAME}`, `${file:PATH}`), when
    /// the error is about one reference.
    pub fn reference(&self) -> Option<String> {
        match self {
            SecretError::MissingEnv(name) | SecretError::EmptyEnv(name) => {
                Some(Reference::Env(name.clone()).to_text())
            }
            SecretError::FileUnreadable { written, .. }
            | SecretError::EmptyFile { written, .. } => {
                Some(Reference::File(written.clone()).to_text())
            }
            _ => None,
        }
    }
}

/// One `${kind:name}` reference found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `${env:NAME}`.
    Env(String),
    /// `${file:PATH}` (as written, before `~` expansion).
    File(String),
}

impl Reference {
    /// The reference as written in a profile.
    pub fn to_text(&self) -> String {
        match self {
            Reference::Env(name) => format!("${{env:{name}}}"),
            Reference::File(path) => format!("${{file:{path}}}"),
        }
    }
}

enum Part<'a> {
    Literal(&'a str),
    Reference(Reference),
}

fn split(text: &str) -> Result<Vec<Part<'_>>, SecretError> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        let after = &rest[start + 1..];
        if let Some(tail) = after.strip_prefix("${") {
            // `$${` is a literal `${`.
            parts.push(Part::Literal(&rest[..start]));
            parts.push(Part::Literal("${"));
            rest = tail;
            continue;
        }
        if !after.starts_with('{') {
            parts.push(Part::Literal(&rest[..start + 1]));
            rest = after;
            continue;
        }
        parts.push(Part::Literal(&rest[..start]));
        let end = after
            .find('}')
            .ok_or_else(|| SecretError::Unclosed(text.to_string()))?;
        let whole = &rest[start..start + 1 + end + 1];
        let inner = &after[1..end];
        let reference = match inner.split_once(':') {
            Some(("env", name)) => Reference::Env(name.trim().to_string()),
            Some(("file", path)) => Reference::File(path.trim().to_string()),
            _ => {
                return Err(SecretError::UnknownKind {
                    reference: whole.to_string(),
                });
            }
        };
        if matches!(&reference, Reference::Env(n) | Reference::File(n) if n.is_empty()) {
            return Err(SecretError::EmptyName(whole.to_string()));
        }
        parts.push(Part::Reference(reference));
        rest = &after[end + 1..];
    }
    parts.push(Part::Literal(rest));
    Ok(parts)
}

/// The references a text contains, in order (syntax errors included).
pub fn references(text: &str) -> Result<Vec<Reference>, SecretError> {
    Ok(split(text)?
        .into_iter()
        .filter_map(|part| match part {
            Part::Reference(reference) => Some(reference),
            Part::Literal(_) => None,
        })
        .collect())
}

/// Whether the whole text is exactly one reference (`${env:NAME}` or `${file:PATH}`).
pub fn is_reference(text: &str) -> bool {
    match split(text.trim()) {
        Ok(parts) => {
            let mut references = 0;
            for part in &parts {
                match part {
                    Part::Reference(_) => references += 1,
                    Part::Literal("") => {}
                    Part::Literal(_) => return false,
                }
            }
            references == 1
        }
        Err(_) => false,
    }
}

/// Whether a value would put a secret on disk as is: it is non-empty and contains no
/// reference at all. Used to refuse saving literal tokens unless asked to.
pub fn looks_literal_token(value: &str) -> bool {
    !value.trim().is_empty() && !references(value).is_ok_and(|found| !found.is_empty())
}

/// `text` with every `${` written `$${`, so that resolving it gives `text` back:
/// how a literal value (a `--token`) is kept from being read as a reference.
pub fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

/// Resolves every reference in `text` from the process environment and the files
/// named; text around them is kept.
pub fn resolve(text: &str) -> Result<String, SecretError> {
    resolve_with(text, &|name| std::env::var(name).ok())
}

/// Like [`resolve`], with environment lookups going through `env`.
pub fn resolve_with(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, SecretError> {
    let mut output = String::with_capacity(text.len());
    for part in split(text)? {
        match part {
            Part::Literal(literal) => output.push_str(literal),
            Part::Reference(Reference::Env(name)) => match env(&name) {
                None => return Err(SecretError::MissingEnv(name)),
                Some(value) if value.is_empty() => return Err(SecretError::EmptyEnv(name)),
                Some(value) => output.push_str(&value),
            },
            Part::Reference(Reference::File(path)) => output.push_str(&read_first_line(&path)?),
        }
    }
    Ok(output)
}

/// The first line of the file at `path` (after `~` expansion), without its line end.
fn read_first_line(path: &str) -> Result<String, SecretError> {
    let expanded = expand_tilde(path);
    let text = std::fs::read_to_string(&expanded).map_err(|error| SecretError::FileUnreadable {
        written: path.to_string(),
        path: expanded.clone(),
        reason: error.to_string(),
    })?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.trim().is_empty() {
        return Err(SecretError::EmptyFile {
            written: path.to_string(),
            path: expanded,
        });
    }
    Ok(line.to_string())
}

/// Expands a leading `~` or `~/` to the home directory; other paths are unchanged.
pub fn expand_tilde(path: &str) -> PathBuf {
    let home = || directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    if path == "~" {
        if let Some(home) = home() {
            return home;
        }
    } else if let Some(rest) = path.strip_prefix("~/")
        && let Some(home) = home()
    {
        return home.join(rest);
    }
    PathBuf::from(path)
}

/// Header names whose values are secrets, checked before saving.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "api-key",
    "x-auth-token",
];
/// Query parameter names whose values are secrets, checked before saving.
const SECRET_PARAMS: &[&str] = &[
    "token",
    "access_token",
    "accesstoken",
    "api_key",
    "apikey",
    "auth",
    "password",
    "secret",
    "key",
    "signature",
];

/// Whether a header of this name carries a secret (`Authorization`, `Cookie`,
/// `X-Api-Key`…), compared case-insensitively.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

/// Whether a URL query parameter of this name carries a secret (`token`,
/// `access_token`, `api_key`…), compared case-insensitively.
pub fn is_secret_param(name: &str) -> bool {
    SECRET_PARAMS.contains(&name.to_ascii_lowercase().as_str())
}

#[cfg(test)]
#[path = "secrets_tests.rs"]
mod tests;
