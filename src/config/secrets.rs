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
        if after.starts_with("${") {
            // `$${` is a literal `${`.
            parts.push(Part::Literal(&rest[..start + 1]));
            rest = &after[1..];
            parts.push(Part::Literal("{"));
            rest = &rest[1..];
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

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "KEY" => Some("k3y".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn resolves_env_inside_text() {
        assert_eq!(
            resolve_with("wss://h/app/${env:KEY}?protocol=7", &env).unwrap(),
            "wss://h/app/k3y?protocol=7"
        );
        assert_eq!(resolve_with("${env:KEY}", &env).unwrap(), "k3y");
        assert_eq!(resolve_with("plain $5 ok", &env).unwrap(), "plain $5 ok");
        assert_eq!(
            resolve_with("lit $${env:KEY}", &env).unwrap(),
            "lit ${env:KEY}"
        );
    }

    #[test]
    fn missing_and_bad_references_are_errors() {
        let error = resolve_with("${env:HA_TOKEN}", &env).unwrap_err();
        assert_eq!(error, SecretError::MissingEnv("HA_TOKEN".into()));
        assert!(error.to_string().contains("HA_TOKEN"));
        assert_eq!(
            resolve_with("${env:EMPTY}", &env),
            Err(SecretError::EmptyEnv("EMPTY".into()))
        );
        assert!(matches!(
            resolve_with("${vault:x}", &env),
            Err(SecretError::UnknownKind { .. })
        ));
        assert!(matches!(
            resolve_with("a ${env:KEY", &env),
            Err(SecretError::Unclosed(_))
        ));
        assert!(matches!(
            resolve_with("${env:}", &env),
            Err(SecretError::EmptyName(_))
        ));
    }

    #[test]
    fn file_references_read_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret\r\nsecond line\n").unwrap();
        let reference = format!("${{file:{}}}", path.display());
        assert_eq!(resolve_with(&reference, &env).unwrap(), "s3cret");
        std::fs::write(&path, "\n").unwrap();
        assert!(matches!(
            resolve_with(&reference, &env),
            Err(SecretError::EmptyFile { .. })
        ));
        let missing = format!("${{file:{}}}", dir.path().join("nope").display());
        let error = resolve_with(&missing, &env).unwrap_err();
        assert!(error.to_string().contains("nope"), "{error}");
        assert!(error.reference().unwrap().starts_with("${file:"));
        assert_eq!(
            SecretError::MissingEnv("A".into()).reference().as_deref(),
            Some("${env:A}")
        );
    }

    #[test]
    fn tilde_expands_to_home() {
        if let Some(dirs) = directories::BaseDirs::new() {
            assert_eq!(expand_tilde("~/x"), dirs.home_dir().join("x"));
        }
        assert_eq!(expand_tilde("/a/~/b"), PathBuf::from("/a/~/b"));
    }

    #[test]
    fn classifies_references_and_literals() {
        assert!(is_reference("${env:A}"));
        assert!(is_reference(" ${file:~/t} "));
        assert!(!is_reference("Bearer ${env:A}"));
        assert!(!is_reference("abc"));
        assert!(looks_literal_token("abc"));
        assert!(!looks_literal_token("${env:A}"));
        assert!(!looks_literal_token("Bearer ${env:A}"));
        assert!(!looks_literal_token(""));
        assert_eq!(
            references("${env:A}/${file:b}").unwrap(),
            vec![Reference::Env("A".into()), Reference::File("b".into())]
        );
        assert_eq!(Reference::Env("A".into()).to_text(), "${env:A}");
    }
}
