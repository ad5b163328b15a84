//! What a search looks for: a [`Pattern`] (substring, the default) or a regular
//! expression. Both run on the same text: a frame's payload bytes, a system line's
//! text. The log pane highlights with the same [`Matcher`] the search used, so what
//! is highlighted is what was found.
//!
//! Regular expressions use the `regex` crate's syntax (`regex::bytes`, so payloads
//! that are not UTF-8 are searched too) and are always case-insensitive: `(?-i)`
//! inside the expression turns that off. They run in linear time, so no query can
//! hang the UI. Unlike substring queries, they do not also match binary frames on
//! their hex dump.

use std::ops::Range;

use regex::bytes::{Regex, RegexBuilder};

use super::LogEntry;
use super::pattern::Pattern;

/// Compiled regular expressions larger than this are refused (a query like
/// `\w{1000}{1000}` would otherwise take memory and time to build).
const REGEX_SIZE_LIMIT: usize = 4 << 20;

/// A compiled search query.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// A plain substring: see [`Pattern`] for the rules.
    Substring(Box<Pattern>),
    /// A regular expression, case-insensitive.
    Regex {
        /// The expression as typed.
        query: String,
        /// The compiled expression.
        regex: Regex,
    },
}

impl Matcher {
    /// A substring matcher ([`Pattern::new`]).
    pub fn substring(query: &str, case_sensitive: bool) -> Self {
        Matcher::Substring(Box::new(Pattern::new(query, case_sensitive)))
    }

    /// A case-insensitive regular expression, or why `query` is not one, in one
    /// line ("unclosed group").
    pub fn regex(query: &str) -> Result<Self, String> {
        let regex = RegexBuilder::new(query)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|error| regex_error(&error))?;
        Ok(Matcher::Regex {
            query: query.to_owned(),
            regex,
        })
    }

    /// The query as typed.
    pub fn query(&self) -> &str {
        match self {
            Matcher::Substring(pattern) => pattern.query(),
            Matcher::Regex { query, .. } => query,
        }
    }

    /// Whether this is a regular expression.
    pub fn is_regex(&self) -> bool {
        matches!(self, Matcher::Regex { .. })
    }

    /// Whether the query is empty (a search for it finds nothing).
    pub fn is_empty(&self) -> bool {
        self.query().is_empty()
    }

    /// Whether a log entry matches: its payload or text (substring queries also
    /// match binary frames on hex, see [`Pattern::matches_entry`]).
    pub fn matches_entry(&self, entry: &LogEntry) -> bool {
        match self {
            Matcher::Substring(pattern) => pattern.matches_entry(entry),
            Matcher::Regex { regex, .. } => match entry {
                LogEntry::Frame(frame) => regex.is_match(&frame.payload),
                LogEntry::System { text, .. } => regex.is_match(text.as_bytes()),
            },
        }
    }

    /// The first non-empty match starting at or after byte `start` of `haystack`,
    /// as a byte range of `haystack` (text rules, no hex).
    pub fn find_at(&self, haystack: &[u8], start: usize) -> Option<Range<usize>> {
        if self.is_empty() {
            return None;
        }
        let mut from = start;
        while from <= haystack.len() {
            let found = match self {
                Matcher::Substring(pattern) => pattern
                    .find(&haystack[from..])
                    .map(|range| from + range.start..from + range.end),
                Matcher::Regex { regex, .. } => {
                    regex.find_at(haystack, from).map(|found| found.range())
                }
            }?;
            if !found.is_empty() {
                return Some(found);
            }
            // An empty match (`x*`, the empty query) marks nothing: look further.
            from = found.start + 1;
        }
        None
    }

    /// Every non-empty, non-overlapping match in `haystack`, in order: what the log
    /// pane highlights.
    pub fn find_iter<'a>(&'a self, haystack: &'a [u8]) -> impl Iterator<Item = Range<usize>> + 'a {
        let mut from = 0;
        std::iter::from_fn(move || {
            let found = self.find_at(haystack, from)?;
            from = found.end;
            Some(found)
        })
    }
}

/// Two matchers are equal when they were compiled from the same query the same way.
impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Matcher::Substring(a), Matcher::Substring(b)) => a == b,
            (Matcher::Regex { query: a, .. }, Matcher::Regex { query: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Eq for Matcher {}

/// A regex error on one line: the `error: …` line of a syntax error (the rest is a
/// caret diagram), or the whole message otherwise.
fn regex_error(error: &regex::Error) -> String {
    let text = error.to_string();
    let reason = text
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix("error: "))
        .map(str::to_owned)
        .unwrap_or_else(|| text.lines().next().unwrap_or_default().to_owned());
    format!("invalid regex: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::{Direction, FrameKind};
    use crate::state::log::SystemLevel;
    use crate::state::log::testing::{frame, text_in};

    fn ranges(matcher: &Matcher, haystack: &str) -> Vec<Range<usize>> {
        matcher.find_iter(haystack.as_bytes()).collect()
    }

    #[test]
    fn regexes_match_entries_case_insensitively() {
        let matcher = Matcher::regex(r#"seq":\d+"#).unwrap();
        assert!(matcher.is_regex());
        assert_eq!(matcher.query(), r#"seq":\d+"#);
        assert!(matcher.matches_entry(&text_in(r#"{"SEQ":12}"#)));
        assert!(!matcher.matches_entry(&text_in(r#"{"seq":"x"}"#)));
        assert!(
            Matcher::regex("^auth (ok|refused)$")
                .unwrap()
                .matches_entry(&LogEntry::system(SystemLevel::Info, "AUTH OK"))
        );
        assert!(
            !Matcher::regex("(?-i)auth")
                .unwrap()
                .matches_entry(&LogEntry::system(SystemLevel::Info, "AUTH OK"))
        );
        // Bytes that are not UTF-8 do not get in the way.
        let binary = frame(
            Direction::Incoming,
            FrameKind::Binary,
            &b"\xff\xfeuser=ann"[..],
        );
        assert!(Matcher::regex("user=\\w+").unwrap().matches_entry(&binary));
        // No hex matching for regexes.
        let bytes = frame(Direction::Incoming, FrameKind::Binary, vec![0xca, 0xfe]);
        assert!(!Matcher::regex("cafe").unwrap().matches_entry(&bytes));
        assert!(Matcher::substring("cafe", false).matches_entry(&bytes));
    }

    #[test]
    fn invalid_regexes_explain_themselves_on_one_line() {
        let error = Matcher::regex(r#"seq":(\d+"#).unwrap_err();
        assert_eq!(error, "invalid regex: unclosed group");
        let error = Matcher::regex("a{99999}{99999}").unwrap_err();
        assert!(error.starts_with("invalid regex: "), "{error}");
        assert!(!error.contains('\n'), "{error}");
    }

    #[test]
    fn finds_every_match_for_highlighting() {
        let regex = Matcher::regex(r"\d+").unwrap();
        assert_eq!(ranges(&regex, "a1 b22 c333"), [1..2, 4..6, 8..11]);
        let substring = Matcher::substring("ab", false);
        assert_eq!(ranges(&substring, "xABxaBabx"), [1..3, 4..6, 6..8]);
        assert_eq!(substring.find_at(b"xABxaBabx", 2), Some(4..6));
        // Empty matches mark nothing and do not loop.
        assert_eq!(
            ranges(&Matcher::regex("x*").unwrap(), "axxbx"),
            [1..3, 4..5]
        );
        assert!(ranges(&Matcher::substring("", false), "abc").is_empty());
        assert!(Matcher::substring("", false).is_empty());
        // Anchors see the whole line, not the rest after the previous match.
        let anchored = ranges(&Matcher::regex("^a").unwrap(), "aaa");
        assert_eq!((anchored.len(), anchored.first()), (1, Some(&(0..1))));
    }

    #[test]
    fn matchers_compare_by_kind_and_query() {
        assert_eq!(Matcher::regex("a").unwrap(), Matcher::regex("a").unwrap());
        assert_ne!(Matcher::regex("a").unwrap(), Matcher::substring("a", false));
        assert_ne!(Matcher::regex("a").unwrap(), Matcher::regex("b").unwrap());
    }
}
