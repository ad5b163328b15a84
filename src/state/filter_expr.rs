//! The little language of the log filter prompt (`f`): words separated by spaces,
//! read into a [`Filter`].
//!
//! - `in`, `out`: frames that went this way (both, or neither: either way);
//! - `text`, `binary`, `ping`, `pong`, `close`, and `data` (text + binary),
//!   `control` (ping + pong + close): frames of these kinds (combinable; none
//!   named: every kind);
//! - `-system`: hide system lines; they are shown with no direction and no kind
//!   named, and hidden when a direction or kind is (a system line has neither):
//!   `system` (or `+system`) shows them then;
//! - `-heartbeat` (or `-auto`): hide protocol heartbeats and automatic replies,
//!   as the provider's adapter marks them;
//! - any other word is text to find, case-insensitively (several words: the
//!   words joined by single spaces). Double quotes keep a text as it is, spaces
//!   included, and make a keyword plain text: `"close"`.
//!
//! - `jq: PROGRAM`: keep the messages for which the jq program yields a value
//!   that is not `false` or `null` (`jq: select(.e == "trade")`); the program
//!   runs to the end of the input or to the projection. Messages that are not
//!   JSON are not kept; system lines follow the rules above.
//! - `| PROGRAM`: a projection: the log's preview column shows the program's
//!   first output for each message (`in | .data.p`). It starts at the first `|`
//!   outside quotes and brackets, so a jq filter that needs a pipe puts it in
//!   parentheses: `jq: (.data | .e == "trade") | .data.p`.
//!
//! Keywords are case-insensitive. Empty input, or conditions that keep
//! everything, mean no filter. The jq programs are only split off here; the app
//! compiles them (see [`crate::jq`]).

use crate::session::{Direction, FrameKind};
use crate::state::log::{Filter, KindSet};

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterExpr {
    /// What the log pane keeps.
    pub filter: Filter,
    /// The conditions in words, normalised: `in text "foo"` (see [`describe`]),
    /// then ` jq: PROGRAM` and ` | PROJECTION` when given.
    pub summary: String,
    /// The program after `jq:`, trimmed: a condition on messages.
    pub jq: Option<String>,
    /// The program after `|`, trimmed: what the preview column shows.
    pub projection: Option<String>,
}

/// The frame kinds in the order a summary lists them.
const KINDS: [FrameKind; 5] = FrameKind::ALL;

/// Reads a filter expression. `Ok(None)`: no filter (empty input, or conditions
/// that keep everything). `Err`: a one-line reason, saying what to do.
pub fn parse(input: &str) -> Result<Option<FilterExpr>, String> {
    let (head, projection) = split_projection(input);
    let (words_part, jq) = split_jq(head);
    let projection = match projection.map(str::trim) {
        Some("") => {
            return Err("a projection needs a program after |, e.g. | .data.p".into());
        }
        other => other.map(str::to_owned),
    };
    let jq = match jq.map(str::trim) {
        Some("") => {
            return Err("jq: needs a program, e.g. jq: select(.e == \"trade\")".into());
        }
        other => other.map(str::to_owned),
    };
    let Some(mut expr) = parse_words(words_part)?.or_else(|| {
        (jq.is_some() || projection.is_some()).then(|| FilterExpr {
            filter: Filter::default(),
            summary: String::new(),
            jq: None,
            projection: None,
        })
    }) else {
        return Ok(None);
    };
    if let Some(program) = &jq {
        push_part(&mut expr.summary, &format!("jq: {program}"));
    }
    if let Some(program) = &projection {
        push_part(&mut expr.summary, &format!("| {program}"));
    }
    expr.jq = jq;
    expr.projection = projection;
    Ok(Some(expr))
}

fn push_part(summary: &mut String, part: &str) {
    if !summary.is_empty() {
        summary.push(' ');
    }
    summary.push_str(part);
}

/// Splits at the first `|` outside double quotes and brackets: the filter, and
/// the projection after it.
fn split_projection(input: &str) -> (&str, Option<&str>) {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in input.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '|' if depth == 0 => return (&input[..at], Some(&input[at + 1..])),
            _ => {}
        }
    }
    (input, None)
}

/// Splits at a `jq:` that starts a word outside double quotes: the words, and the
/// program after it.
fn split_jq(input: &str) -> (&str, Option<&str>) {
    let mut quoted = false;
    let mut previous = ' ';
    for (at, c) in input.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted
            && previous.is_whitespace()
            && input[at..]
                .get(..3)
                .is_some_and(|word| word.eq_ignore_ascii_case("jq:"))
        {
            return (&input[..at], Some(&input[at + 3..]));
        }
        previous = c;
    }
    (input, None)
}

/// The word language alone (no `jq:`, no projection).
fn parse_words(input: &str) -> Result<Option<FilterExpr>, String> {
    let mut incoming = false;
    let mut outgoing = false;
    let mut kinds = KindSet::NONE;
    let mut hide_system = false;
    let mut want_system = false;
    let mut hide_heartbeats = false;
    let mut words: Vec<String> = Vec::new();
    for token in tokenize(input)? {
        let word = match token {
            Token::Quoted(text) => {
                if !text.is_empty() {
                    words.push(text);
                }
                continue;
            }
            Token::Word(word) => word,
        };
        match word.to_ascii_lowercase().as_str() {
            "in" => incoming = true,
            "out" => outgoing = true,
            "text" => kinds = kinds.with(FrameKind::Text),
            "binary" => kinds = kinds.with(FrameKind::Binary),
            "ping" => kinds = kinds.with(FrameKind::Ping),
            "pong" => kinds = kinds.with(FrameKind::Pong),
            "close" => kinds = kinds.with(FrameKind::Close),
            "data" => kinds = kinds.with(FrameKind::Text).with(FrameKind::Binary),
            "control" => {
                kinds = kinds
                    .with(FrameKind::Ping)
                    .with(FrameKind::Pong)
                    .with(FrameKind::Close)
            }
            "-system" => hide_system = true,
            "system" | "+system" => want_system = true,
            "-heartbeat" | "-heartbeats" | "-auto" => hide_heartbeats = true,
            _ if word.starts_with('-') && word[1..].starts_with(char::is_alphabetic) => {
                return Err(format!(
                    "unknown option '{word}': the options are -system and -heartbeat (\"{word}\" finds the text)"
                ));
            }
            _ => words.push(word),
        }
    }
    let direction = match (incoming, outgoing) {
        (true, false) => Some(Direction::Incoming),
        (false, true) => Some(Direction::Outgoing),
        _ => None,
    };
    let kinds = if kinds == KindSet::NONE {
        KindSet::ALL
    } else {
        kinds
    };
    // `in`, `out` or a kind asks for frames: system lines only when asked for too.
    let frames_asked = direction.is_some() || !kinds.is_all();
    let show_system = !hide_system && (want_system || !frames_asked);
    let filter = Filter::default()
        .with_direction(direction)
        .with_kinds(kinds)
        .with_text(&words.join(" "), false)
        .with_system(show_system)
        .with_heartbeats(!hide_heartbeats);
    if filter.is_everything() {
        return Ok(None);
    }
    let summary = describe(&filter);
    Ok(Some(FilterExpr {
        filter,
        summary,
        jq: None,
        projection: None,
    }))
}

/// A filter's conditions in words, as the filter language writes them:
/// direction, kinds, `-system`, then the text in double quotes. Empty when the
/// filter keeps everything.
pub fn describe(filter: &Filter) -> String {
    let mut parts: Vec<String> = Vec::new();
    match filter.direction() {
        Some(Direction::Incoming) => parts.push("in".into()),
        Some(Direction::Outgoing) => parts.push("out".into()),
        None => {}
    }
    let kinds = filter.kinds();
    if kinds == KindSet::DATA {
        parts.push("data".into());
    } else if kinds == KindSet::CONTROL {
        parts.push("control".into());
    } else if !kinds.is_all() {
        parts.extend(
            KINDS
                .into_iter()
                .filter(|&kind| kinds.contains(kind))
                .map(|kind| kind.as_str().to_owned()),
        );
    }
    let frames_asked = filter.direction().is_some() || !kinds.is_all();
    match (filter.shows_system(), frames_asked) {
        (false, false) => parts.push("-system".into()),
        (true, true) => parts.push("system".into()),
        _ => {}
    }
    if !filter.shows_heartbeats() {
        parts.push("-heartbeat".into());
    }
    if let Some(text) = filter.text() {
        parts.push(format!("\"{}\"", text.query()));
    }
    if let Some(program) = filter.jq() {
        parts.push(format!("jq: {}", program.source()));
    }
    parts.join(" ")
}

enum Token {
    Word(String),
    Quoted(String),
}

/// Splits on whitespace; a double-quoted run is one token, quotes removed.
fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut text = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) => text.push(c),
                    None => {
                        return Err("a quote is not closed: add the closing \"".into());
                    }
                }
            }
            tokens.push(Token::Quoted(text));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push(Token::Word(word));
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::log::Pattern;

    fn parsed(input: &str) -> FilterExpr {
        match parse(input) {
            Ok(Some(expr)) => expr,
            other => panic!("{input:?}: {other:?}"),
        }
    }

    fn summary(input: &str) -> String {
        parsed(input).summary
    }

    #[test]
    fn directions_kinds_system_and_text() {
        let expr = parsed("in text foo");
        assert_eq!(expr.summary, "in text \"foo\"");
        assert_eq!(expr.filter.direction(), Some(Direction::Incoming));
        assert_eq!(expr.filter.kinds(), KindSet::only(FrameKind::Text));
        assert_eq!(expr.filter.text().map(Pattern::query), Some("foo"));
        assert!(!expr.filter.text().unwrap().case_sensitive());
        assert!(
            !expr.filter.shows_system(),
            "asking for frames leaves system lines out"
        );

        let expr = parsed("OUT Ping pong -system");
        assert_eq!(expr.summary, "out ping pong");
        assert_eq!(expr.filter.direction(), Some(Direction::Outgoing));
        assert!(!expr.filter.shows_system());
        assert_eq!(expr.filter.text(), None);

        let expr = parsed("in system");
        assert_eq!(expr.summary, "in system");
        assert!(expr.filter.shows_system(), "unless asked for");
        assert_eq!(parsed("in +system").filter, expr.filter);

        let expr = parsed("-system");
        assert_eq!(expr.summary, "-system");
        assert!(parsed("foo").filter.shows_system(), "words alone keep them");
    }

    #[test]
    fn kinds_combine_and_groups_read_back() {
        assert_eq!(summary("data"), "data");
        assert_eq!(summary("text binary"), "data");
        assert_eq!(summary("control"), "control");
        assert_eq!(summary("close pong ping"), "control");
        assert_eq!(summary("close text"), "text close");
        assert_eq!(summary("data close"), "text binary close");
        assert_eq!(summary("binary binary"), "binary");
        assert_eq!(parsed("data control in").filter.kinds(), KindSet::ALL);
    }

    #[test]
    fn other_words_are_the_text_in_order() {
        assert_eq!(summary("error   code in"), "in \"error code\"");
        assert_eq!(
            parsed("Needle").filter.text().map(Pattern::query),
            Some("Needle")
        );
        // Quotes keep spaces and turn keywords into text.
        assert_eq!(
            summary("\"close  reason\" close"),
            "close \"close  reason\""
        );
        assert_eq!(summary("in\"out\""), "in \"out\"");
        assert_eq!(summary("\"-system\""), "\"-system\"");
        assert_eq!(summary("-1"), "\"-1\"");
        assert_eq!(summary("a \"\" b"), "\"a b\"");
    }

    #[test]
    fn nothing_to_filter_is_no_filter() {
        for input in ["", "   ", "in out", "data control", "\"\""] {
            assert_eq!(parse(input), Ok(None), "{input:?}");
        }
    }

    #[test]
    fn errors_say_what_to_do() {
        let error = parse("in -sytem").unwrap_err();
        assert!(error.contains("unknown option '-sytem'"), "{error}");
        assert!(error.contains("\"-sytem\""), "{error}");
        let error = parse("in \"foo").unwrap_err();
        assert!(error.contains("closing \""), "{error}");
    }

    #[test]
    fn jq_conditions_and_projections_are_split_off() {
        let expr = parsed(r#"in jq: select(.e == "trade") | .data.p"#);
        assert_eq!(expr.filter.direction(), Some(Direction::Incoming));
        assert_eq!(expr.jq.as_deref(), Some(r#"select(.e == "trade")"#));
        assert_eq!(expr.projection.as_deref(), Some(".data.p"));
        assert_eq!(expr.summary, r#"in jq: select(.e == "trade") | .data.p"#);

        let expr = parsed("| .data.p");
        assert!(expr.filter.is_everything());
        assert_eq!(
            (expr.jq, expr.projection.as_deref()),
            (None, Some(".data.p"))
        );
        assert_eq!(expr.summary, "| .data.p");

        // Pipes inside brackets and quotes belong to the jq filter.
        let expr = parsed(r#"jq: (.data | .e == "a|b") | .p"#);
        assert_eq!(expr.jq.as_deref(), Some(r#"(.data | .e == "a|b")"#));
        assert_eq!(expr.projection.as_deref(), Some(".p"));
        // A quoted "jq:" is text to find.
        let expr = parsed(r#""jq: x""#);
        assert_eq!(expr.jq, None);
        assert_eq!(expr.filter.text().map(Pattern::query), Some("jq: x"));

        assert!(parse("in jq:").unwrap_err().contains("needs a program"));
        assert!(parse("in |  ").unwrap_err().contains("after |"));
    }

    #[test]
    fn describe_matches_the_language() {
        assert_eq!(describe(&Filter::default()), "");
        let filter = Filter::default()
            .with_kinds(KindSet::only(FrameKind::Binary).with(FrameKind::Ping))
            .with_text("x y", false);
        assert_eq!(describe(&filter), "binary ping system \"x y\"");
        assert_eq!(parsed(&describe(&filter)).filter, filter);
        let frames_only = filter.with_system(false);
        assert_eq!(describe(&frames_only), "binary ping \"x y\"");
        assert_eq!(parsed(&describe(&frames_only)).filter, frames_only);
    }
}
