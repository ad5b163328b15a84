//! Secrets (tokens) and their redaction. A [`Secret`] never prints its value; a
//! [`Redactor`] replaces every occurrence of the session's secrets with `***` in
//! text and payloads before they leave the engine.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use memchr::memmem::Finder;

/// What a redacted secret is replaced with.
pub const REDACTED: &str = "***";

/// A token or password. `Debug` and `Display` show `***`; only [`Secret::expose`]
/// gives the value, and only the code that puts it on the wire calls it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for the wire only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Replaces known secrets (and their URL-encoded forms) with `***`.
#[derive(Clone, Default)]
pub struct Redactor {
    finders: Vec<Finder<'static>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} patterns)", self.finders.len())
    }
}

impl Redactor {
    /// A redactor for the given secrets; empty secrets are ignored.
    pub fn new<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> Self {
        let mut patterns: Vec<String> = Vec::new();
        for secret in secrets {
            let raw = secret.expose();
            if raw.is_empty() {
                continue;
            }
            let encoded: String = url::form_urlencoded::byte_serialize(raw.as_bytes()).collect();
            let escaped = serde_json::to_string(raw).unwrap_or_default();
            let escaped = escaped.trim_matches('"').to_string();
            for pattern in [raw.to_string(), encoded, escaped] {
                if !pattern.is_empty() && !patterns.contains(&pattern) {
                    patterns.push(pattern);
                }
            }
        }
        // Longest first, so a secret that contains another is replaced whole.
        patterns.sort_by_key(|pattern| std::cmp::Reverse(pattern.len()));
        let finders = patterns
            .iter()
            .map(|pattern| Finder::new(pattern.as_bytes()).into_owned())
            .collect();
        Self { finders }
    }

    /// Whether there is anything to redact at all.
    pub fn is_empty(&self) -> bool {
        self.finders.is_empty()
    }

    /// The text with every secret replaced.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.bytes_owned_if_changed(text.as_bytes()) {
            None => Cow::Borrowed(text),
            // Replacing whole UTF-8 needles with ASCII keeps the text valid UTF-8.
            Some(bytes) => Cow::Owned(String::from_utf8_lossy(&bytes).into_owned()),
        }
    }

    /// The payload with every secret replaced; the same buffer when nothing matched.
    pub fn payload(&self, payload: Bytes) -> Bytes {
        match self.bytes_owned_if_changed(&payload) {
            None => payload,
            Some(bytes) => Bytes::from(bytes),
        }
    }

    fn bytes_owned_if_changed(&self, input: &[u8]) -> Option<Vec<u8>> {
        if self.finders.is_empty() || !self.finders.iter().any(|f| f.find(input).is_some()) {
            return None;
        }
        let mut current = input.to_vec();
        for finder in &self.finders {
            let needle_len = finder.needle().len();
            let mut output = Vec::with_capacity(current.len());
            let mut rest = &current[..];
            while let Some(position) = finder.find(rest) {
                output.extend_from_slice(&rest[..position]);
                output.extend_from_slice(REDACTED.as_bytes());
                rest = &rest[position + needle_len..];
            }
            output.extend_from_slice(rest);
            current = output;
        }
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_prints() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn redacts_raw_encoded_and_escaped_forms() {
        let secret = Secret::new("a b/\"c");
        let redactor = Redactor::new([&secret]);
        assert_eq!(redactor.text("x a b/\"c y"), "x *** y");
        assert_eq!(redactor.text("?token=a+b%2F%22c&z"), "?token=***&z");
        assert_eq!(redactor.text(r#"{"t":"a b/\"c"}"#), r#"{"t":"***"}"#);
        assert!(matches!(redactor.text("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn payload_untouched_without_match() {
        let redactor = Redactor::new([&Secret::new("tok")]);
        let payload = Bytes::from_static(b"nothing here");
        let same = redactor.payload(payload.clone());
        assert_eq!(same.as_ptr(), payload.as_ptr());
        assert_eq!(
            &redactor.payload(Bytes::from_static(b"tok tok"))[..],
            b"*** ***"
        );
    }

    #[test]
    fn empty_redactor_is_noop() {
        let redactor = Redactor::new([&Secret::new("")]);
        assert!(redactor.is_empty());
        assert_eq!(redactor.text("anything"), "anything");
    }
}
