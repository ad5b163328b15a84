//! Secrets (tokens) and their redaction. A [`Secret`] never prints its value; a
//! [`Redactor`] replaces the session's secrets with `***` in text and payloads
//! before they leave the engine: the raw, URL-encoded and JSON-escaped forms, each
//! only where it stands as a whole token (not inside a longer run of letters,
//! digits and `-_.~`). Tokens shorter than [`MIN_TOKEN_LEN`] are refused before
//! connecting, since hiding them would hide ordinary words too.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use memchr::memmem::Finder;

/// The shortest token wsdeck accepts, in characters.
pub const MIN_TOKEN_LEN: usize = 8;

/// Why a token is refused, or `None` when it is long enough. The text says what
/// hiding a short token would do and what to do instead.
pub fn short_token_problem(token: &str) -> Option<String> {
    let chars = token.chars().count();
    if chars == 0 || chars >= MIN_TOKEN_LEN {
        return None;
    }
    Some(format!(
        "the token is {chars} character{s}; wsdeck refuses tokens shorter than \
         {MIN_TOKEN_LEN}, since hiding it would also hide every other place those \
         characters appear in the log — use the real token",
        s = if chars == 1 { "" } else { "s" },
    ))
}

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

/// Replaces known secrets (and their URL-encoded and JSON-escaped forms) with `***`
/// where they stand as whole tokens.
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
        let mut current: Option<Vec<u8>> = None;
        for finder in &self.finders {
            let haystack = current.as_deref().unwrap_or(input);
            if let Some(replaced) = replace_whole(finder, haystack) {
                current = Some(replaced);
            }
        }
        current
    }
}

/// Whether a byte can be part of a token: the unreserved URL characters. A match
/// next to one of these is part of a longer word (`xTOKENx`), not the token.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// `haystack` with every whole occurrence of the finder's needle replaced by `***`;
/// `None` when there is none. Boundaries are checked only at a match, so text
/// without the needle costs one `memmem` scan, as before.
fn replace_whole(finder: &Finder<'_>, haystack: &[u8]) -> Option<Vec<u8>> {
    let needle = finder.needle();
    // An edge of the needle that is not a token character cannot extend a run of
    // token characters, so what is next to it does not matter.
    let check_before = needle.first().is_some_and(|&byte| is_token_byte(byte));
    let check_after = needle.last().is_some_and(|&byte| is_token_byte(byte));
    let mut output: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut from = 0;
    while let Some(offset) = finder.find(&haystack[from..]) {
        let start = from + offset;
        let end = start + needle.len();
        let joined_before = check_before && start > 0 && is_token_byte(haystack[start - 1]);
        let joined_after = check_after && haystack.get(end).is_some_and(|&b| is_token_byte(b));
        if joined_before || joined_after {
            from = start + 1;
            continue;
        }
        let out = output.get_or_insert_with(|| Vec::with_capacity(haystack.len()));
        out.extend_from_slice(&haystack[copied..start]);
        out.extend_from_slice(REDACTED.as_bytes());
        copied = end;
        from = end;
    }
    output.map(|mut out| {
        out.extend_from_slice(&haystack[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn secret_never_prints() {
        let secret = Secret::new("hunter22");
        assert_eq!(format!("{secret} {secret:?}"), "*** ***");
        assert_eq!(secret.expose(), "hunter22");
    }

    #[test]
    fn redacts_raw_encoded_and_escaped_forms() {
        let secret = Secret::new("a b/\"c-long");
        let redactor = Redactor::new([&secret]);
        assert_eq!(redactor.text("x a b/\"c-long y"), "x *** y");
        assert_eq!(redactor.text("?token=a+b%2F%22c-long&z"), "?token=***&z");
        assert_eq!(redactor.text(r#"{"t":"a b/\"c-long"}"#), r#"{"t":"***"}"#);
        assert!(matches!(redactor.text("clean"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_whole_tokens_are_hidden() {
        let redactor = Redactor::new([&Secret::new("abcdefgh")]);
        for (text, shown) in [
            ("token=abcdefgh&x", "token=***&x"),
            (r#"{"token":"abcdefgh"}"#, r#"{"token":"***"}"#),
            ("abcdefgh", "***"),
            (
                "Bearer abcdefgh, then (abcdefgh).",
                "Bearer ***, then (***).",
            ),
            ("a/abcdefgh/b:abcdefgh;", "a/***/b:***;"),
            ("xabcdefghx", "xabcdefghx"),
            ("abcdefgh1 1abcdefgh", "abcdefgh1 1abcdefgh"),
            (
                "abcdefgh-x x_abcdefgh abcdefgh.x ~abcdefgh",
                "abcdefgh-x x_abcdefgh abcdefgh.x ~abcdefgh",
            ),
            ("abcdefghabcdefgh", "abcdefghabcdefgh"),
            ("abcdefgh abcdefghh abcdefgh", "*** abcdefghh ***"),
            ("é abcdefgh é", "é *** é"),
        ] {
            assert_eq!(redactor.text(text), shown, "in {text:?}");
        }
        assert!(matches!(redactor.text("xabcdefghx"), Cow::Borrowed(_)));
    }

    #[test]
    fn encoded_and_escaped_forms_are_hidden_as_whole_tokens_too() {
        // `~` is percent-encoded by form encoding; `"` and `\\` are escaped in JSON.
        let redactor = Redactor::new([&Secret::new("to~ken\"12")]);
        assert_eq!(redactor.text("?t=to%7Eken%2212&x"), "?t=***&x");
        assert_eq!(redactor.text("?t=to%7Eken%2212x"), "?t=to%7Eken%2212x");
        assert_eq!(redactor.text(r#"{"t":"to~ken\"12"}"#), r#"{"t":"***"}"#);
        assert_eq!(
            redactor.text(r#"{"t":"to~ken\"123"}"#),
            r#"{"t":"to~ken\"123"}"#
        );
        // An edge that is not a token character needs no boundary on that side.
        let redactor = Redactor::new([&Secret::new("\"quoted-token")]);
        assert_eq!(redactor.text("a\"quoted-token b"), "a*** b");
        assert_eq!(redactor.text("a\"quoted-tokens"), "a\"quoted-tokens");
    }

    #[test]
    fn payload_untouched_without_match() {
        let redactor = Redactor::new([&Secret::new("tok-1234")]);
        let payload = Bytes::from_static(b"nothing here, not even xtok-1234");
        let same = redactor.payload(payload.clone());
        assert_eq!(same.as_ptr(), payload.as_ptr());
        assert_eq!(
            &redactor.payload(Bytes::from_static(b"tok-1234 tok-1234"))[..],
            b"*** ***"
        );
    }

    #[test]
    fn empty_redactor_is_noop() {
        let redactor = Redactor::new([&Secret::new("")]);
        assert!(redactor.is_empty());
        assert_eq!(redactor.text("anything"), "anything");
    }

    #[test]
    fn short_tokens_are_refused_with_a_reason() {
        assert_eq!(short_token_problem(""), None);
        assert_eq!(short_token_problem("12345678"), None);
        assert_eq!(short_token_problem("ééééééééé"), None);
        let problem = short_token_problem("t-123").expect("refused");
        assert!(problem.contains("5 characters"), "{problem}");
        assert!(problem.contains("shorter than 8"), "{problem}");
        assert!(problem.contains("use the real token"), "{problem}");
        assert!(
            !problem.contains("t-123"),
            "the refusal must not show the token"
        );
        let problem = short_token_problem("x").expect("refused");
        assert!(problem.contains("1 character;"), "{problem}");
    }

    /// Where `token` occurs in `text` as a whole token (not inside a longer run of
    /// token characters; an edge of `token` that is not one, like the `%` of `%7E`,
    /// stands apart from anything).
    fn whole_occurrence(text: &str, token: &str) -> Option<usize> {
        let bytes = text.as_bytes();
        let token = token.as_bytes();
        let joins = |edge: u8, next: Option<&u8>| {
            is_token_byte(edge) && next.is_some_and(|&b| is_token_byte(b))
        };
        (0..bytes.len()).find(|&i| {
            bytes[i..].starts_with(token)
                && !joins(token[0], i.checked_sub(1).map(|j| &bytes[j]))
                && !joins(token[token.len() - 1], bytes.get(i + token.len()))
        })
    }

    proptest! {
        #[test]
        fn redacted_text_never_holds_the_token_as_a_whole_token(
            token in "[A-Za-z0-9._~-]{8,14}",
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just(0u8).prop_map(|_| None),
                    "[A-Za-z0-9._~-]{0,3}".prop_map(Some),
                    "[ =&\"/:,{}\\\\%+*é]{1,2}".prop_map(Some),
                ],
                0..12,
            ),
        ) {
            let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
            let text: String = pieces
                .iter()
                .enumerate()
                .map(|(i, piece)| match piece {
                    Some(piece) => piece.clone(),
                    None if i % 2 == 0 => token.clone(),
                    None => encoded.clone(),
                })
                .collect();
            let redactor = Redactor::new([&Secret::new(token.clone())]);
            let shown = redactor.text(&text);
            prop_assert_eq!(whole_occurrence(&shown, &token), None, "{} -> {}", text, shown);
            prop_assert_eq!(whole_occurrence(&shown, &encoded), None, "{} -> {}", text, shown);
            // Text without any whole occurrence is left as it was.
            if whole_occurrence(&text, &token).is_none() && whole_occurrence(&text, &encoded).is_none() {
                prop_assert_eq!(shown.as_ref(), text.as_str());
            }
        }
    }
}
