//! The fast path for programs that are a plain path (`.p`, `.data.p`, `.b[0]`):
//! the message's bytes are checked as strict JSON and the value at the path is
//! found by scanning them, without building jaq's values for the rest of the
//! message or running the interpreter. Under a flood this is the difference
//! between parsing every field of every message and reading one.
//!
//! The scan only answers when the answer is certainly the one jaq gives: the whole
//! message is plain, strict JSON (no comments, NaN or lone surrogates, nested at
//! most [`MAX_DEPTH`] deep), each step lands on an object (or array, for an
//! index) or on null, and the keys on the way have no escapes. Anything else
//! returns `None` and the caller runs jaq, which decides (and words any error).

/// One step of a plain path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `.name`
    Key(Box<[u8]>),
    /// `[n]`
    Index(usize),
}

/// Deeper nesting than this is left to jaq.
const MAX_DEPTH: usize = 128;

/// The steps of `source` when it is a plain path: `.` then `.name` / `[n]` steps
/// (names as jq allows them bare: letters, digits and `_`, not starting with a
/// digit), surrounding spaces allowed. `.` alone is not a path worth a fast path.
pub fn parse_steps(source: &str) -> Option<Vec<Step>> {
    let text = source.trim().as_bytes();
    if text.first() != Some(&b'.') {
        return None;
    }
    let mut steps = Vec::new();
    let mut at = 0;
    while at < text.len() {
        match text[at] {
            b'.' if text.get(at + 1) == Some(&b'[') => at += 1,
            b'.' => {
                let start = at + 1;
                let mut end = start;
                while end < text.len() && (text[end].is_ascii_alphanumeric() || text[end] == b'_') {
                    end += 1;
                }
                if end == start || text[start].is_ascii_digit() {
                    return None;
                }
                steps.push(Step::Key(text[start..end].into()));
                at = end;
            }
            b'[' => {
                let start = at + 1;
                let mut end = start;
                while end < text.len() && text[end].is_ascii_digit() {
                    end += 1;
                }
                if end == start || end - start > 9 || text.get(end) != Some(&b']') {
                    return None;
                }
                let index = std::str::from_utf8(&text[start..end]).ok()?.parse().ok()?;
                steps.push(Step::Index(index));
                at = end + 1;
            }
            _ => return None,
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// What a plain path finds in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found<'a> {
    /// The JSON text of the value at the path.
    Value(&'a [u8]),
    /// Nothing there: jq gives `null`.
    Null,
}

/// The value at `steps` in the JSON message `bytes`, when the scan can be sure
/// of jaq's answer; `None` leaves it to jaq.
pub fn find<'a>(bytes: &'a [u8], steps: &[Step]) -> Option<Found<'a>> {
    std::str::from_utf8(bytes).ok()?;
    let start = skip_space(bytes, 0);
    // The first step is taken while the message is checked: one pass over it.
    let (end, first) = match (steps.first()?, bytes.get(start)?) {
        (Step::Key(key), b'{') => {
            let mut found = None;
            let mut escaped_key = false;
            let end = skip_container(bytes, start, 0, b'}', true, &mut |item| {
                escaped_key |= item.key.contains(&b'\\');
                if item.key == &key[..] {
                    found = Some(item.value);
                }
            })?;
            if escaped_key {
                return None;
            }
            (end, Some(found))
        }
        (Step::Index(index), b'[') => {
            let mut found = None;
            let end = skip_container(bytes, start, 0, b']', false, &mut |item| {
                if item.index == *index {
                    found = Some(item.value);
                }
            })?;
            (end, Some(found))
        }
        _ => (skip_value(bytes, start, 0)?, None),
    };
    if skip_space(bytes, end) != bytes.len() {
        return None;
    }
    let (mut value, rest) = match first {
        Some(Some(range)) => (&bytes[range], &steps[1..]),
        Some(None) => return Some(Found::Null),
        None => (&bytes[start..end], steps),
    };
    for step in rest {
        let found = match (step, value.first()) {
            (_, Some(b'n')) => return Some(Found::Null),
            (Step::Key(key), Some(b'{')) => member(value, key)?,
            (Step::Index(index), Some(b'[')) => element(value, *index),
            // A string, number or boolean indexed, or an object by number: jaq's
            // error message.
            _ => return None,
        };
        match found {
            Some(inner) => value = inner,
            None => return Some(Found::Null),
        }
    }
    Some(Found::Value(value))
}

/// The last value under `key` in the (valid) object `object`, `Some(None)` when
/// there is none; `None` when a key has escapes (compared only after decoding).
fn member<'a>(object: &'a [u8], key: &[u8]) -> Option<Option<&'a [u8]>> {
    let mut found = None;
    let mut at = skip_space(object, 1);
    if object.get(at) == Some(&b'}') {
        return Some(None);
    }
    loop {
        let key_end = skip_string(object, at)?;
        let name = &object[at + 1..key_end - 1];
        if name.contains(&b'\\') {
            return None;
        }
        at = skip_space(object, key_end) + 1; // the colon
        let start = skip_space(object, at);
        let end = skip_value(object, start, 0)?;
        if name == key {
            found = Some(&object[start..end]);
        }
        at = skip_space(object, end);
        if object.get(at) != Some(&b',') {
            return Some(found);
        }
        at = skip_space(object, at + 1);
    }
}

/// The element at `index` of the (valid) array `array`.
fn element(array: &[u8], index: usize) -> Option<&[u8]> {
    let mut at = skip_space(array, 1);
    if array.get(at) == Some(&b']') {
        return None;
    }
    let mut position = 0;
    loop {
        let end = skip_value(array, at, 0)?;
        if position == index {
            return Some(&array[at..end]);
        }
        position += 1;
        at = skip_space(array, end);
        if array.get(at) != Some(&b',') {
            return None;
        }
        at = skip_space(array, at + 1);
    }
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// Where the strict JSON value starting at `at` ends; `None` if it is not one.
fn skip_value(bytes: &[u8], at: usize, depth: usize) -> Option<usize> {
    match *bytes.get(at)? {
        b'{' => skip_container(bytes, at, depth, b'}', true, &mut |_| {}),
        b'[' => skip_container(bytes, at, depth, b']', false, &mut |_| {}),
        b'"' => skip_string(bytes, at),
        b't' => literal(bytes, at, b"true"),
        b'f' => literal(bytes, at, b"false"),
        b'n' => literal(bytes, at, b"null"),
        b'-' | b'0'..=b'9' => skip_number(bytes, at),
        _ => None,
    }
}

fn literal(bytes: &[u8], at: usize, word: &[u8]) -> Option<usize> {
    bytes[at..].starts_with(word).then_some(at + word.len())
}

/// One member of an object (or element of an array) met by [`skip_container`].
struct Item<'a> {
    /// Its position, from 0.
    index: usize,
    /// An object member's key as written, without quotes (empty in an array).
    key: &'a [u8],
    /// Where its value is.
    value: std::ops::Range<usize>,
}

/// Where the object (`keys`) or array starting at `at` ends, showing `visit`
/// each member; `None` if it is not strict JSON.
fn skip_container(
    bytes: &[u8],
    at: usize,
    depth: usize,
    close: u8,
    keys: bool,
    visit: &mut impl FnMut(Item<'_>),
) -> Option<usize> {
    if depth >= MAX_DEPTH {
        return None;
    }
    let mut at = skip_space(bytes, at + 1);
    if bytes.get(at) == Some(&close) {
        return Some(at + 1);
    }
    let mut index = 0;
    loop {
        let mut key: &[u8] = &[];
        if keys {
            if bytes.get(at) != Some(&b'"') {
                return None;
            }
            let key_end = skip_string(bytes, at)?;
            key = &bytes[at + 1..key_end - 1];
            at = skip_space(bytes, key_end);
            if bytes.get(at) != Some(&b':') {
                return None;
            }
            at = skip_space(bytes, at + 1);
        }
        let end = skip_value(bytes, at, depth + 1)?;
        visit(Item {
            index,
            key,
            value: at..end,
        });
        index += 1;
        at = skip_space(bytes, end);
        match bytes.get(at) {
            Some(b',') => at = skip_space(bytes, at + 1),
            Some(byte) if *byte == close => return Some(at + 1),
            _ => return None,
        }
    }
}

/// Where the string starting at `at` (a quote) ends, past its closing quote.
fn skip_string(bytes: &[u8], at: usize) -> Option<usize> {
    let mut at = at + 1;
    loop {
        at += plain_run(bytes.get(at..)?)?;
        match bytes[at] {
            b'"' => return Some(at + 1),
            b'\\' => {
                match *bytes.get(at + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 2,
                    b'u' => {
                        let hex = bytes.get(at + 2..at + 6)?;
                        let text = std::str::from_utf8(hex).ok()?;
                        let code = u16::from_str_radix(text, 16).ok()?;
                        // Surrogates (paired or not) are left to jaq's decoder.
                        if (0xd800..0xe000).contains(&code) {
                            return None;
                        }
                        at += 6;
                    }
                    _ => return None,
                }
            }
            // memchr2 stops only at a quote or a backslash.
            _ => return None,
        }
    }
}

/// How many bytes from the start of `rest` hold no quote, backslash or control
/// character (`None` at a control character). Most keys and values in a message
/// are short: a byte loop answers those in one pass; past
/// [`SHORT_STRING`] bytes `memchr` takes over.
fn plain_run(rest: &[u8]) -> Option<usize> {
    let short = rest.len().min(SHORT_STRING);
    for (index, byte) in rest[..short].iter().enumerate() {
        match byte {
            b'"' | b'\\' => return Some(index),
            0..=0x1f => return None,
            _ => {}
        }
    }
    let tail = &rest[short..];
    let skipped = memchr::memchr2(b'"', b'\\', tail)?;
    if tail[..skipped].iter().any(|byte| *byte < 0x20) {
        return None;
    }
    Some(short + skipped)
}

/// Strings up to this length are scanned a byte at a time (see [`plain_run`]).
const SHORT_STRING: usize = 24;

/// A number as JSON writes it: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn skip_number(bytes: &[u8], mut at: usize) -> Option<usize> {
    let digits = |bytes: &[u8], mut at: usize| {
        let start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        (at > start).then_some(at)
    };
    if bytes.get(at) == Some(&b'-') {
        at += 1;
    }
    at = match bytes.get(at)? {
        b'0' => at + 1,
        b'1'..=b'9' => digits(bytes, at)?,
        _ => return None,
    };
    if bytes.get(at) == Some(&b'.') {
        at = digits(bytes, at + 1)?;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        at = digits(bytes, at)?;
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Step {
        Step::Key(name.as_bytes().into())
    }

    #[test]
    fn plain_paths_are_recognised_and_nothing_else() {
        assert_eq!(parse_steps(".p"), Some(vec![key("p")]));
        assert_eq!(
            parse_steps(" .data.b[0][12].x_1 "),
            Some(vec![
                key("data"),
                key("b"),
                Step::Index(0),
                Step::Index(12),
                key("x_1")
            ])
        );
        assert_eq!(parse_steps(".[3]"), Some(vec![Step::Index(3)]));
        for not in [
            ".", "", ".a | .b", ".a?", ".[]", ".a[-1]", ".\"a\"", ".1a", "p", ".a.", ".a[1:2]",
            "..a",
        ] {
            assert_eq!(parse_steps(not), None, "{not}");
        }
    }

    #[test]
    fn the_value_is_found_in_strict_json_only() {
        let tick = br#" {"e":"trade","p":"43000.10","n":[1,{"x":true}],"p":2} "#;
        assert_eq!(
            find(tick, &[key("p")]),
            Some(Found::Value(b"2")),
            "the last duplicate wins"
        );
        assert_eq!(
            find(tick, &[key("n"), Step::Index(1), key("x")]),
            Some(Found::Value(b"true"))
        );
        assert_eq!(find(tick, &[key("n"), Step::Index(5)]), Some(Found::Null));
        assert_eq!(find(tick, &[key("zz"), key("y")]), Some(Found::Null));
        // Indexing a string, or anything jaq reads differently, is left to jaq.
        assert_eq!(find(tick, &[key("e"), key("y")]), None);
        assert_eq!(find(br#"{"a":1} x"#, &[key("a")]), None);
        assert_eq!(find(br#"{"a":NaN}"#, &[key("a")]), None);
        assert_eq!(find(br#"{"a":"\ud800"}"#, &[key("a")]), None);
        assert_eq!(find(br#"{"a\u0062":1}"#, &[key("ab")]), None);
        assert_eq!(find(b"{\"a\":\"\x01\"}", &[key("a")]), None);
        assert_eq!(find(br#"{"a":01}"#, &[key("a")]), None);
        assert_eq!(find(br#"[1,]"#, &[Step::Index(0)]), None);
    }
}
