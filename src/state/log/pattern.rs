//! Text matching shared by search and filter: a query compiled once, then run
//! against many payloads without allocating.
//!
//! The rules, in one place:
//! - Matching works on the raw payload bytes, so a valid UTF-8 payload matches by
//!   substring exactly as its text would, and printable runs inside a binary payload
//!   (strings in a protobuf, say) can be found too.
//! - Case-insensitive with an ASCII query: ASCII case folding on both sides, no
//!   allocation. Non-ASCII characters of the payload then only match themselves
//!   (the KELVIN SIGN does not match `k`).
//! - Case-insensitive with a non-ASCII query: both sides are compared character by
//!   character after [`char::to_lowercase`] (a lowercase mapping, not full case
//!   folding: `ß` does not match `SS`). Bytes that are not valid UTF-8 never match.
//! - Binary frames also match when the query reads as hex bytes (`de ad be ef`,
//!   `0xDEADBEEF`; spaces ignored, an even number of digits) and those bytes occur
//!   in the payload, i.e. a substring of the hex dump at byte boundaries.
//! - A frame matches on its payload only (for a close frame, the reason text); a
//!   system line matches on its text.

use std::ops::Range;

use memchr::memmem::Finder;

use super::LogEntry;
use crate::session::FrameKind;

/// The stack buffer an ASCII-folded chunk of payload is lowered into. Small enough
/// to zero on every call, large enough that typical payloads take one pass.
const FOLD_CHUNK: usize = 512;

/// A compiled search query.
#[derive(Debug, Clone)]
pub struct Pattern {
    query: String,
    case_sensitive: bool,
    text: TextMatcher,
    hex: Option<Finder<'static>>,
}

#[derive(Debug, Clone)]
enum TextMatcher {
    /// The empty query: matches everywhere.
    Empty,
    /// Byte-for-byte.
    Exact(Finder<'static>),
    /// ASCII query, case-insensitive: the finder holds the lowercased query.
    AsciiFold(Finder<'static>),
    /// Non-ASCII query, case-insensitive: the query lowercased, as characters.
    Unicode {
        needle: Vec<char>,
        /// Whether the lowercased query has a non-ASCII character, in which case
        /// pure-ASCII text cannot match (ASCII lowercases to ASCII).
        needs_non_ascii: bool,
    },
}

impl Pattern {
    /// Compiles `query`; matching is exact when `case_sensitive`, otherwise as the
    /// module documentation describes.
    pub fn new(query: &str, case_sensitive: bool) -> Self {
        let text = if query.is_empty() {
            TextMatcher::Empty
        } else if case_sensitive {
            TextMatcher::Exact(Finder::new(query.as_bytes()).into_owned())
        } else if query.is_ascii() {
            let lower = query.to_ascii_lowercase();
            TextMatcher::AsciiFold(Finder::new(lower.as_bytes()).into_owned())
        } else {
            let needle: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
            let needs_non_ascii = needle.iter().any(|c| !c.is_ascii());
            TextMatcher::Unicode {
                needle,
                needs_non_ascii,
            }
        };
        let hex = parse_hex(query).map(|bytes| Finder::new(&bytes).into_owned());
        Pattern {
            query: query.to_owned(),
            case_sensitive,
            text,
            hex,
        }
    }

    /// The query as typed.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Whether matching is case-sensitive.
    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    /// Whether the query is empty (it then matches everything).
    pub fn is_empty(&self) -> bool {
        matches!(self.text, TextMatcher::Empty)
    }

    /// The first occurrence of the query in `haystack` (text rules, no hex), as a
    /// byte range: what the log pane highlights. Call again on the rest of the line
    /// for the following ones.
    pub fn find(&self, haystack: &[u8]) -> Option<Range<usize>> {
        match &self.text {
            TextMatcher::Empty => Some(0..0),
            TextMatcher::Exact(finder) => {
                let at = finder.find(haystack)?;
                Some(at..at + finder.needle().len())
            }
            TextMatcher::AsciiFold(finder) => find_ascii_fold(finder, haystack),
            TextMatcher::Unicode {
                needle,
                needs_non_ascii,
            } => find_unicode_fold(needle, *needs_non_ascii, haystack),
        }
    }

    /// Whether the query occurs in `haystack` (text rules, no hex).
    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.find(haystack).is_some()
    }

    /// Whether a log entry matches: its payload or text, plus hex for binary frames.
    pub fn matches_entry(&self, entry: &LogEntry) -> bool {
        match entry {
            LogEntry::Frame(frame) => {
                self.is_match(&frame.payload)
                    || (frame.kind == FrameKind::Binary
                        && self
                            .hex
                            .as_ref()
                            .is_some_and(|hex| hex.find(&frame.payload).is_some()))
            }
            LogEntry::System { text, .. } => self.is_match(text.as_bytes()),
        }
    }
}

/// Two patterns are equal when they were compiled from the same query and case mode.
impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.query == other.query && self.case_sensitive == other.case_sensitive
    }
}

impl Eq for Pattern {}

/// Finds the lowercased ASCII needle of `finder` in `haystack`, folding ASCII case.
/// The haystack is lowered chunk by chunk into a stack buffer (chunks overlap by
/// the needle's length minus one) so the SIMD substring search does the work.
fn find_ascii_fold(finder: &Finder<'_>, haystack: &[u8]) -> Option<Range<usize>> {
    let needle = finder.needle();
    let n = needle.len();
    if n > FOLD_CHUNK / 2 {
        // Rare (a query of hundreds of characters): the plain way is good enough.
        let at = haystack
            .windows(n)
            .position(|window| window.eq_ignore_ascii_case(needle))?;
        return Some(at..at + n);
    }
    let mut buf = [0u8; FOLD_CHUNK];
    let mut start = 0;
    loop {
        let end = (start + FOLD_CHUNK).min(haystack.len());
        let chunk = &mut buf[..end - start];
        for (lowered, byte) in chunk.iter_mut().zip(&haystack[start..end]) {
            *lowered = byte.to_ascii_lowercase();
        }
        if let Some(at) = finder.find(chunk) {
            return Some(start + at..start + at + n);
        }
        if end == haystack.len() {
            return None;
        }
        start = end + 1 - n;
    }
}

/// Finds the lowercased `needle` in the valid UTF-8 parts of `haystack`.
fn find_unicode_fold(
    needle: &[char],
    needs_non_ascii: bool,
    haystack: &[u8],
) -> Option<Range<usize>> {
    // The common case, checked a word at a time: an ASCII payload and a query
    // needing non-ASCII text.
    if needs_non_ascii && haystack.is_ascii() {
        return None;
    }
    let mut offset = 0;
    for chunk in haystack.utf8_chunks() {
        let text = chunk.valid();
        if !(needs_non_ascii && text.is_ascii()) {
            let found = text.char_indices().find_map(|(start, _)| {
                lowercase_prefix_len(needle, &text[start..]).map(|len| start..start + len)
            });
            if let Some(range) = found {
                return Some(offset + range.start..offset + range.end);
            }
        }
        offset += text.len() + chunk.invalid().len();
    }
    None
}

/// If `text` lowercased starts with `needle`, the byte length of `text` it takes
/// (whole characters: a match ending inside a character's expansion covers it).
fn lowercase_prefix_len(needle: &[char], text: &str) -> Option<usize> {
    let mut matched = 0;
    for (at, c) in text.char_indices() {
        for lower in c.to_lowercase() {
            if matched == needle.len() {
                break;
            }
            if lower != needle[matched] {
                return None;
            }
            matched += 1;
        }
        if matched == needle.len() {
            return Some(at + c.len_utf8());
        }
    }
    None
}

/// Reads `query` as hex bytes: an optional `0x`, then an even number of hex digits,
/// whitespace ignored. `None` when it is not that.
fn parse_hex(query: &str) -> Option<Vec<u8>> {
    let query = query.trim();
    let digits = query
        .strip_prefix("0x")
        .or_else(|| query.strip_prefix("0X"))
        .unwrap_or(query);
    let nibbles = digits
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<Vec<u8>>>()?;
    if nibbles.is_empty() || !nibbles.len().is_multiple_of(2) {
        return None;
    }
    Some(
        nibbles
            .chunks_exact(2)
            .map(|pair| pair[0] << 4 | pair[1])
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Direction;
    use crate::state::log::testing::frame;

    fn find(query: &str, case_sensitive: bool, haystack: &str) -> Option<Range<usize>> {
        Pattern::new(query, case_sensitive).find(haystack.as_bytes())
    }

    #[test]
    fn exact_matching_is_case_sensitive() {
        assert_eq!(find("Ping", true, "a Ping b"), Some(2..6));
        assert_eq!(find("ping", true, "a Ping b"), None);
        assert_eq!(find("é", true, "café"), Some(3..5));
    }

    #[test]
    fn ascii_folding_finds_any_case() {
        assert_eq!(find("PiNg", false, "xx pInG"), Some(3..7));
        assert_eq!(find("ping", false, "PONG"), None);
        assert_eq!(find("{\"A\":1}", false, "[{\"a\":1}]"), Some(1..8));
        // Non-ASCII payload text is left alone but does not get in the way.
        assert_eq!(find("cafe", false, "Ça CAFE"), Some(4..8));
    }

    #[test]
    fn ascii_folding_finds_matches_across_chunk_boundaries() {
        for at in [
            0,
            FOLD_CHUNK - 3,
            FOLD_CHUNK - 1,
            FOLD_CHUNK,
            3 * FOLD_CHUNK - 2,
        ] {
            let mut haystack = "x".repeat(4 * FOLD_CHUNK);
            haystack.replace_range(at..at + 6, "NeEdLe");
            assert_eq!(
                find("needle", false, &haystack),
                Some(at..at + 6),
                "at {at}"
            );
        }
        let long = "ab".repeat(FOLD_CHUNK);
        let haystack = format!("zz{}zz", long.to_uppercase());
        assert_eq!(find(&long, false, &haystack), Some(2..2 + long.len()));
    }

    #[test]
    fn non_ascii_queries_fold_unicode_lowercase() {
        assert_eq!(find("ÉTÉ", false, "un été chaud"), Some(3..8));
        assert_eq!(find("été", false, "UN ÉTÉ"), Some(3..8));
        assert_eq!(find("ΣΟΦΊΑ", false, "η σοφία"), Some(3..13));
        assert_eq!(find("été", false, "ete"), None);
        // Lowercase mapping, not full case folding.
        assert_eq!(find("straße", false, "STRASSE"), None);
        assert_eq!(find("STRAßE", false, "strasse straße"), Some(8..15));
        // A query whose lowercase is ASCII still finds ASCII text.
        assert_eq!(find("\u{212A}m", false, "5 KM"), Some(2..4));
    }

    #[test]
    fn non_ascii_queries_skip_invalid_utf8() {
        let pattern = Pattern::new("ÉTÉ", false);
        let mut haystack = b"\xff\xfe".to_vec();
        haystack.extend_from_slice("été".as_bytes());
        assert_eq!(pattern.find(&haystack), Some(2..7));
        assert_eq!(pattern.find(b"\xc3"), None);
    }

    #[test]
    fn empty_query_matches_everything() {
        let pattern = Pattern::new("", false);
        assert!(pattern.is_empty());
        assert!(pattern.is_match(b""));
        assert!(pattern.is_match(b"anything"));
    }

    #[test]
    fn hex_queries_match_binary_frames_only() {
        let payload = [0x00, 0xde, 0xad, 0xbe, 0xef, 0x01];
        let binary = frame(Direction::Incoming, FrameKind::Binary, payload.to_vec());
        let text = frame(Direction::Incoming, FrameKind::Text, &b"dead beef"[..]);
        for query in ["deadbeef", "DE AD BE EF", "0xADBE", "ef01"] {
            assert!(Pattern::new(query, true).matches_entry(&binary), "{query}");
        }
        for query in ["deadbee", "adbeef02", "xyz", "0x"] {
            assert!(
                !Pattern::new(query, false).matches_entry(&binary),
                "{query}"
            );
        }
        assert!(!Pattern::new("deadbeef", false).matches_entry(&text));
        assert!(Pattern::new("BEEF", false).matches_entry(&text));
        // Plain text inside a binary payload is found too.
        let mixed = frame(
            Direction::Incoming,
            FrameKind::Binary,
            &b"\x08\x96\x01user=ann"[..],
        );
        assert!(Pattern::new("USER=", false).matches_entry(&mixed));
    }

    #[test]
    fn patterns_compare_by_query_and_mode() {
        assert_eq!(Pattern::new("a", true), Pattern::new("a", true));
        assert_ne!(Pattern::new("a", true), Pattern::new("a", false));
        assert_ne!(Pattern::new("a", true), Pattern::new("b", true));
    }
}
