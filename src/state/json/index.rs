//! The checking indexer behind [`JsonDoc`](super::JsonDoc): one pass over the text
//! that accepts what serde_json accepts into a `Value` (its grammar, its nesting
//! limit, paired surrogate escapes, numbers within `f64`'s range) and records every
//! value as a [`Node`], in document order. It loops with an explicit stack, so deep
//! nesting costs no recursion, and it decodes nothing.

/// How many containers may be open at once: serde_json's recursion limit.
pub(super) const MAX_NESTING: usize = 127;
/// The longest text indexed: offsets fit a `u32` and node indexes leave the top bit
/// free (see `JsonLayout`).
pub(super) const MAX_TEXT: usize = i32::MAX as usize;
/// [`Node::key`] of a value that is not an object member.
pub(super) const NO_KEY: u32 = u32::MAX;
/// A number whose integer digits plus exponent stay at or below this is below
/// 10^300, so it cannot overflow `f64`; nearer the edge serde_json decides.
const SAFE_MAGNITUDE: i64 = 300;

/// One value of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Node {
    /// Offset of the value's first byte.
    pub start: u32,
    /// Scalars: offset just past the value. Containers: how many members.
    size: u32,
    /// Offset of the opening quote of the value's key, or [`NO_KEY`].
    pub key: u32,
    /// Index of the first node after this value and everything inside it.
    pub next: u32,
    /// Containers around the value (0 for the document itself).
    pub depth: u8,
    /// Whether a comma follows the value in its container.
    pub comma: bool,
}

impl Node {
    /// The first byte of the value: `{`, `[`, `"`, `t`, `f`, `n`, `-` or a digit.
    pub fn first_byte(&self, text: &[u8]) -> u8 {
        text[self.start as usize]
    }

    /// Whether the value is an object or an array.
    pub fn is_container(&self, text: &[u8]) -> bool {
        matches!(self.first_byte(text), b'{' | b'[')
    }

    /// Members of a container (0 for a scalar).
    pub fn members(&self, text: &[u8]) -> u32 {
        if self.is_container(text) {
            self.size
        } else {
            0
        }
    }

    /// Offset just past the value, for a scalar.
    pub fn scalar_end(&self, text: &[u8]) -> Option<usize> {
        (!self.is_container(text)).then_some(self.size as usize)
    }
}

/// Checks `text` and lists its values in document order; `None` when it is not
/// JSON (or longer than [`MAX_TEXT`]). `text` must be UTF-8: only ASCII bytes are
/// looked at outside strings, and inside strings anything but control characters,
/// quotes and backslashes passes.
pub(super) fn index(text: &[u8]) -> Option<Vec<Node>> {
    if text.len() > MAX_TEXT {
        return None;
    }
    Indexer::new(text).run().ok()
}

/// Offset just past the string whose opening quote is at `start`, in checked JSON.
pub(super) fn string_end(text: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while let Some(found) = memchr::memchr2(b'"', b'\\', &text[at..]) {
        at += found;
        if text[at] == b'"' {
            return at + 1;
        }
        // Skips the escaped byte; a `\u` escape's hex digits need no care.
        at += 2;
    }
    text.len()
}

/// The text is not JSON.
#[derive(Debug)]
struct Invalid;

/// A container whose members are being read.
struct Open {
    node: usize,
    object: bool,
    members: u32,
    last_member: usize,
}

struct Indexer<'a> {
    text: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
    open: Vec<Open>,
}

impl<'a> Indexer<'a> {
    fn new(text: &'a [u8]) -> Self {
        Indexer {
            text,
            pos: 0,
            // Typical documents hold a value every 5 to 10 bytes; capacity reserved
            // beyond what is used is never touched, and given back at the end.
            nodes: Vec::with_capacity(text.len() / 4 + 4),
            open: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Vec<Node>, Invalid> {
        self.skip_whitespace();
        self.value(NO_KEY)?;
        while let Some(open) = self.open.last() {
            let object = open.object;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                    let key = if object { self.member_key()? } else { NO_KEY };
                    self.value(key)?;
                }
                Some(b'}') if object => self.close(),
                Some(b']') if !object => self.close(),
                _ => return Err(Invalid),
            }
        }
        self.skip_whitespace();
        if self.pos != self.text.len() {
            return Err(Invalid);
        }
        if let Some(root) = self.nodes.first_mut() {
            root.comma = false;
        }
        self.nodes.shrink_to_fit();
        Ok(self.nodes)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.pos += 1;
        }
    }

    /// `"key"` and the colon after it, whitespace around them skipped; returns the
    /// key's offset.
    fn member_key(&mut self) -> Result<u32, Invalid> {
        if self.peek() != Some(b'"') {
            return Err(Invalid);
        }
        let key = self.pos as u32;
        self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(Invalid);
        }
        self.pos += 1;
        self.skip_whitespace();
        Ok(key)
    }

    /// The value at the current position, recorded as a node. A container that is
    /// not empty stays open, its first member (and that member's key) read.
    fn value(&mut self, mut key: u32) -> Result<(), Invalid> {
        loop {
            let index = self.nodes.len();
            let depth = self.open.len();
            if let Some(open) = self.open.last_mut() {
                open.members += 1;
                open.last_member = index;
            }
            let first = self.peek().ok_or(Invalid)?;
            // Fits: the text is shorter than 2^31 bytes, so there are fewer nodes,
            // and the depth is at most MAX_NESTING.
            self.nodes.push(Node {
                start: self.pos as u32,
                size: 0,
                key,
                next: index as u32 + 1,
                depth: depth as u8,
                comma: true,
            });
            match first {
                b'{' | b'[' => {
                    if depth >= MAX_NESTING {
                        return Err(Invalid);
                    }
                    self.pos += 1;
                    self.skip_whitespace();
                    let object = first == b'{';
                    if self.peek() == Some(if object { b'}' } else { b']' }) {
                        self.pos += 1;
                        return Ok(());
                    }
                    self.open.push(Open {
                        node: index,
                        object,
                        members: 0,
                        last_member: index,
                    });
                    key = if object { self.member_key()? } else { NO_KEY };
                    continue;
                }
                b'"' => self.string()?,
                b'-' | b'0'..=b'9' => self.number()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                _ => return Err(Invalid),
            }
            self.nodes[index].size = self.pos as u32;
            return Ok(());
        }
    }

    /// The closing bracket of the innermost open container.
    fn close(&mut self) {
        self.pos += 1;
        let next = self.nodes.len() as u32;
        if let Some(open) = self.open.pop() {
            let node = &mut self.nodes[open.node];
            node.size = open.members;
            node.next = next;
            self.nodes[open.last_member].comma = false;
        }
    }

    /// A string, its opening quote at the current position.
    fn string(&mut self) -> Result<(), Invalid> {
        let text = self.text;
        let mut at = self.pos + 1;
        loop {
            match *text.get(at).ok_or(Invalid)? {
                b'"' => {
                    self.pos = at + 1;
                    return Ok(());
                }
                b'\\' => at = escape_end(text, at)?,
                0x00..=0x1f => return Err(Invalid),
                _ => at += 1,
            }
        }
    }

    /// A number, as JSON writes them and within `f64`'s range.
    fn number(&mut self) -> Result<(), Invalid> {
        let text = self.text;
        let start = self.pos;
        let integer = start + usize::from(text[start] == b'-');
        let mut at = match text.get(integer) {
            Some(b'0') => integer + 1,
            Some(b'1'..=b'9') => skip_digits(text, integer + 1),
            _ => return Err(Invalid),
        };
        let integer_digits = (at - integer) as i64;
        if text.get(at) == Some(&b'.') {
            let after = skip_digits(text, at + 1);
            if after == at + 1 {
                return Err(Invalid);
            }
            at = after;
        }
        let mut exponent = 0i64;
        if matches!(text.get(at), Some(b'e' | b'E')) {
            at += 1;
            let negative = text.get(at) == Some(&b'-');
            if matches!(text.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let after = skip_digits(text, at);
            if after == at {
                return Err(Invalid);
            }
            let magnitude = text[at..after].iter().fold(0i64, |value, digit| {
                value
                    .saturating_mul(10)
                    .saturating_add(i64::from(digit - b'0'))
            });
            exponent = if negative { -magnitude } else { magnitude };
            at = after;
        }
        // serde_json's own arithmetic decides near f64's limit: its rounding is not
        // `str::parse`'s.
        if integer_digits.saturating_add(exponent) > SAFE_MAGNITUDE
            && serde_json::from_slice::<serde_json::Number>(&text[start..at]).is_err()
        {
            return Err(Invalid);
        }
        self.pos = at;
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Invalid> {
        if self.text.get(self.pos..self.pos + word.len()) != Some(word) {
            return Err(Invalid);
        }
        self.pos += word.len();
        Ok(())
    }
}

/// Offset just past the escape whose backslash is at `at`. A `\u` escape of a
/// UTF-16 surrogate must be a high one followed by a `\u` escape of a low one, as
/// serde_json requires for strings.
fn escape_end(text: &[u8], at: usize) -> Result<usize, Invalid> {
    match text.get(at + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u') => {
            let unit = hex4(text, at + 2)?;
            match unit {
                0xDC00..=0xDFFF => Err(Invalid),
                0xD800..=0xDBFF => {
                    let low = text
                        .get(at + 6..at + 8)
                        .filter(|next| *next == b"\\u")
                        .ok_or(Invalid)
                        .and_then(|_| hex4(text, at + 8))?;
                    if (0xDC00..=0xDFFF).contains(&low) {
                        Ok(at + 12)
                    } else {
                        Err(Invalid)
                    }
                }
                _ => Ok(at + 6),
            }
        }
        _ => Err(Invalid),
    }
}

/// The value of the four hex digits at `at`.
fn hex4(text: &[u8], at: usize) -> Result<u32, Invalid> {
    let digits = text.get(at..at + 4).ok_or(Invalid)?;
    digits.iter().try_fold(0, |value, &digit| {
        let digit = char::from(digit).to_digit(16).ok_or(Invalid)?;
        Ok(value * 16 + digit)
    })
}

/// Offset of the first byte at or after `at` that is not an ASCII digit.
fn skip_digits(text: &[u8], mut at: usize) -> usize {
    while text.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(text: &str) -> Vec<Node> {
        index(text.as_bytes()).expect("valid JSON")
    }

    /// (start, members or end, key, next, depth, comma) of every node.
    fn fields(text: &str) -> Vec<(u32, u32, u32, u32, u8, bool)> {
        nodes(text)
            .iter()
            .map(|n| (n.start, n.size, n.key, n.next, n.depth, n.comma))
            .collect()
    }

    #[test]
    fn records_every_value_in_document_order() {
        let text = r#"{"a": [1, {}], "b": "x"}"#;
        assert_eq!(
            fields(text),
            [
                (0, 2, NO_KEY, 5, 0, false),
                (6, 2, 1, 4, 1, true),
                (7, 8, NO_KEY, 3, 2, true),
                // Empty containers have no members and no node inside.
                (10, 0, NO_KEY, 4, 2, false),
                (20, 23, 15, 5, 1, false),
            ]
        );
        let all = nodes(text);
        let bytes = text.as_bytes();
        assert_eq!(all[0].members(bytes), 2);
        assert_eq!(all[0].scalar_end(bytes), None);
        assert_eq!(all[2].members(bytes), 0);
        assert_eq!(all[2].scalar_end(bytes), Some(8));
    }

    #[test]
    fn scalars_and_whitespace() {
        for (text, end) in [
            ("  0 ", 3),
            ("-0.5e+7\n", 7),
            ("\t\"a\\\"b\"\r", 7),
            ("true", 4),
            ("false", 5),
            ("null", 4),
        ] {
            let all = nodes(text);
            assert_eq!(all.len(), 1, "{text:?}");
            assert_eq!(all[0].scalar_end(text.as_bytes()), Some(end), "{text:?}");
            assert!(!all[0].comma);
        }
    }

    #[test]
    fn string_end_skips_escapes() {
        let text = br#""a\"b\\" x"#;
        assert_eq!(string_end(text, 0), 8);
        assert_eq!(string_end(br#""\u0022""#, 0), 8);
    }

    #[test]
    fn nesting_stops_at_serde_json_limit() {
        let deepest = format!("{}{}", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
        let all = nodes(&deepest);
        assert_eq!(all.last().map(|n| n.depth), Some(126));
        let too_deep = format!("[{deepest}]");
        assert!(index(too_deep.as_bytes()).is_none());
        let objects = format!("{}1{}", "{\"k\":".repeat(127), "}".repeat(127));
        assert_eq!(nodes(&objects).last().map(|n| n.depth), Some(127));
        let objects = format!("{}1{}", "{\"k\":".repeat(128), "}".repeat(128));
        assert!(index(objects.as_bytes()).is_none());
    }
}
