//! jq programs over messages, with jaq (the Rust jq implementation): compiled once
//! from what the user typed, then run over one JSON value at a time.
//!
//! [`Program::compile`] includes jaq's standard library (`select`, `map`, `test`,
//! …) and turns a mistake into a [`CompileError`] that says where it is
//! (`jq: expected term at 12: select(.e==)`). [`Program::run`] feeds the outputs of
//! one run to a callback, stopping after a given number of them, and turns a
//! runtime error into a message ([`RunError`]). [`parse`] reads a message's bytes
//! straight into jaq's value type, and [`write_compact`] writes an output back as
//! one line of compact JSON in which everything a terminal could act on is escaped
//! (so the line is still valid JSON). Nothing here knows about sockets or screens.
//!
//! [`Program::run_message`] runs over a message's bytes: a program that is a plain
//! path (`.p`, `.data.p`) is answered by scanning the bytes ([`plain_path`]), so a
//! flood is not parsed field by field; every other program (and every message the
//! scan is not sure of) goes through jaq, with the same outputs either way.

mod plain_path;

use std::fmt::{self, Write as _};

use jaq_core::data::JustLut;
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars};

use crate::terminal_text;

/// A JSON value as jq programs see it (jaq's value type).
pub use jaq_json::Val as Value;

/// The data a compiled filter runs on: plain values, no inputs or variables.
type Data = JustLut<Value>;

/// A compiled jq program, ready to run over any number of values.
pub struct Program {
    filter: jaq_core::Filter<Data>,
    source: String,
    /// The steps, when the program is a plain path.
    plain: Option<Vec<plain_path::Step>>,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Why a jq program does not compile, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("jq: {what} at {column}: {shown}", shown = terminal_text::one_line(.program))]
pub struct CompileError {
    /// What is wrong (`expected term`, `undefined filter foo/0`).
    pub what: String,
    /// The column (1-based, in characters) where it is.
    pub column: usize,
    /// The program as the user typed it.
    pub program: String,
}

impl CompileError {
    /// The program on one line and a caret under the mistake, for a terminal:
    ///
    /// ```text
    /// jq: expected term at 12
    ///   select(.e==)
    ///              ^
    /// ```
    pub fn with_caret(&self) -> String {
        let shown = terminal_text::one_line(&self.program);
        let pad = " ".repeat(self.column.saturating_sub(1));
        format!("jq: {} at {}\n  {shown}\n  {pad}^", self.what, self.column)
    }
}

/// A jq program failed on one value (`cannot index number with "e"`). The text
/// comes from the value, so it is the server's: escape it before showing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("jq error: {message}")]
pub struct RunError {
    /// What jaq said, cut to [`RunError::MAX_LEN`] characters.
    pub message: String,
}

impl RunError {
    /// The longest message kept: jaq puts whole values into its messages.
    pub const MAX_LEN: usize = 200;

    fn new(message: impl fmt::Display) -> Self {
        let mut text = message.to_string();
        if let Some((at, _)) = text.char_indices().nth(Self::MAX_LEN) {
            text.truncate(at);
            text.push('…');
        }
        Self { message: text }
    }
}

/// What a run did: how many outputs it gave, and whether it stopped at the bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ran {
    /// Outputs handed to the callback.
    pub outputs: usize,
    /// Whether more outputs may have followed (the run stopped at the bound).
    pub cut: bool,
}

impl Program {
    /// Compiles `source` with jaq's core and standard library.
    pub fn compile(source: &str) -> Result<Self, CompileError> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(
                &arena,
                File {
                    code: source,
                    path: (),
                },
            )
            .map_err(|errors| load_error(source, errors))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| undefined_error(source, errors))?;
        Ok(Self {
            filter,
            source: source.to_string(),
            plain: plain_path::parse_steps(source),
        })
    }

    /// The program as it was typed.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Runs the program over `input`, handing each output to `output` until it has
    /// had `max_outputs` of them (`output` returning `false` stops earlier too).
    /// The first runtime error ends the run.
    pub fn run(
        &self,
        input: Value,
        max_outputs: usize,
        mut output: impl FnMut(Value) -> bool,
    ) -> Result<Ran, RunError> {
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([]));
        let mut ran = Ran::default();
        let mut outputs = self.filter.id.run((ctx, input));
        while ran.outputs < max_outputs {
            let Some(next) = outputs.next() else {
                return Ok(ran);
            };
            let value = next.map_err(|exception| match exception.get_err() {
                Ok(error) => RunError::new(error),
                // `halt` and `halt_error` would end the process in jaq's own
                // runner; here they end this run only.
                Err(other) => match other.get_halt() {
                    Ok(code) => RunError::new(format_args!("halt with exit code {code}")),
                    Err(_) => RunError::new("the program ended in an unexpected way"),
                },
            })?;
            ran.outputs += 1;
            if !output(value) {
                ran.cut = true;
                return Ok(ran);
            }
        }
        ran.cut = true;
        Ok(ran)
    }

    /// Runs the program over the JSON message `bytes`, handing each output to
    /// `output` as [`Program::run`] does. A plain path is answered by scanning the
    /// bytes; anything else is parsed and run through jaq.
    pub fn run_message(
        &self,
        bytes: &[u8],
        max_outputs: usize,
        mut output: impl FnMut(&Output<'_>) -> bool,
    ) -> Result<Ran, MessageError> {
        if let Some(steps) = &self.plain
            && let Some(found) = plain_path::find(bytes, steps)
        {
            if max_outputs == 0 {
                return Ok(Ran {
                    outputs: 0,
                    cut: true,
                });
            }
            let found = match found {
                plain_path::Found::Value(text) => Output(Out::Text(text)),
                plain_path::Found::Null => Output(Out::Value(Value::Null)),
            };
            output(&found);
            return Ok(Ran {
                outputs: 1,
                cut: false,
            });
        }
        let input = parse(bytes).ok_or(MessageError::NotJson)?;
        self.run(input, max_outputs, |value| {
            output(&Output(Out::Value(value)))
        })
        .map_err(MessageError::Run)
    }

    /// Whether the program keeps the JSON message `bytes`, as [`Program::keeps`].
    pub fn keeps_message(&self, bytes: &[u8]) -> Result<bool, MessageError> {
        let mut kept = false;
        self.run_message(bytes, KEEP_LOOKAHEAD, |output| {
            kept = output.is_truthy();
            !kept
        })?;
        Ok(kept)
    }

    /// The first output of the program over `input`, if it gives any.
    pub fn first(&self, input: Value) -> Result<Option<Value>, RunError> {
        let mut first = None;
        self.run(input, 1, |value| {
            first = Some(value);
            false
        })?;
        Ok(first)
    }

    /// Whether the program keeps `input` as a filter does: it yields at least one
    /// value that is neither `false` nor `null` (`select(…)` yields its input or
    /// nothing; `.e == "trade"` yields a boolean). Only the first few outputs are
    /// looked at.
    pub fn keeps(&self, input: Value) -> Result<bool, RunError> {
        let mut kept = false;
        self.run(input, KEEP_LOOKAHEAD, |value| {
            kept = is_truthy(&value);
            !kept
        })?;
        Ok(kept)
    }
}

/// Why a program gave nothing for a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The message is not one JSON value.
    #[error("not JSON")]
    NotJson,
    /// The program failed on it.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// One output of [`Program::run_message`]: a value, or the JSON text a plain path
/// found in the message.
#[derive(Debug)]
pub struct Output<'a>(Out<'a>);

#[derive(Debug)]
enum Out<'a> {
    /// Valid, strict JSON text from the message.
    Text(&'a [u8]),
    Value(Value),
}

impl Output<'_> {
    /// Appends the output as [`write_compact`] writes it.
    pub fn write_compact(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Out::Value(value) => write_compact(out, value),
            Out::Text(text) => match text.first() {
                Some(b'"') if is_plain_string(text) => out.extend_from_slice(text),
                Some(b't' | b'f' | b'n') => out.extend_from_slice(text),
                Some(b'-' | b'0'..=b'9') => match jaq_json::read::parse_single_num(text) {
                    Some(number) => write_number(out, &number),
                    None => out.extend_from_slice(b"null"),
                },
                _ => write_compact(out, &parse(text).unwrap_or_default()),
            },
        }
    }

    /// Appends the output as [`write_raw`] writes it.
    pub fn write_raw(&self, out: &mut Vec<u8>) {
        match &self.0 {
            Out::Value(value) => write_raw(out, value),
            Out::Text(text) if is_plain_string(text) => {
                out.extend_from_slice(&text[1..text.len() - 1])
            }
            Out::Text(text) if text.first() == Some(&b'"') => {
                write_raw(out, &parse(text).unwrap_or_default())
            }
            Out::Text(_) => self.write_compact(out),
        }
    }

    /// Whether jq counts the output as true (see [`is_truthy`]).
    pub fn is_truthy(&self) -> bool {
        match &self.0 {
            Out::Value(value) => is_truthy(value),
            Out::Text(text) => !matches!(*text, b"null" | b"false"),
        }
    }

    /// The output as [`text_of`] gives it.
    pub fn text(&self) -> String {
        match &self.0 {
            Out::Value(value) => text_of(value),
            Out::Text(_) => {
                let mut out = Vec::new();
                self.write_raw(&mut out);
                String::from_utf8_lossy(&out).into_owned()
            }
        }
    }
}

/// Whether `text` is a JSON string of printable ASCII without escapes: written
/// as it is by [`write_compact`].
fn is_plain_string(text: &[u8]) -> bool {
    text.len() >= 2
        && text[0] == b'"'
        && text[1..text.len() - 1]
            .iter()
            .all(|byte| (0x20..0x7f).contains(byte) && *byte != b'"' && *byte != b'\\')
}

/// How many outputs [`Program::keeps`] looks at before deciding "not kept".
const KEEP_LOOKAHEAD: usize = 16;

/// Whether jq counts `value` as true: anything but `false` and `null`.
pub fn is_truthy(value: &Value) -> bool {
    !matches!(value, Value::Null | Value::Bool(false))
}

/// Reads one JSON value from `bytes` (surrounding whitespace allowed); `None` when
/// they are not one JSON value.
pub fn parse(bytes: &[u8]) -> Option<Value> {
    jaq_json::read::parse_single(bytes).ok()
}

/// Appends `value` as compact JSON: strings with every control, DEL, C1 and bidi
/// character as a `\u` escape, so the line is valid JSON and safe on a terminal.
/// Values JSON cannot hold are written as jq writes them: NaN and infinities as
/// `null`, byte strings as text strings (invalid UTF-8 replaced), non-string
/// object keys as their JSON text in a string.
pub fn write_compact(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Num(number) => write_number(out, number),
        Value::TStr(bytes) | Value::BStr(bytes) => write_string(out, bytes),
        Value::Arr(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_compact(out, item);
            }
            out.push(b']');
        }
        Value::Obj(entries) => {
            out.push(b'{');
            for (index, (key, item)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                match key {
                    Value::TStr(bytes) | Value::BStr(bytes) => write_string(out, bytes),
                    other => {
                        let mut text = Vec::new();
                        write_compact(&mut text, other);
                        write_string(out, &text);
                    }
                }
                out.push(b':');
                write_compact(out, item);
            }
            out.push(b'}');
        }
    }
}

/// `value` as [`write_compact`] writes it, in a `String`.
pub fn compact_string(value: &Value) -> String {
    let mut out = Vec::new();
    write_compact(&mut out, value);
    // Everything written is UTF-8: numbers and punctuation are ASCII, strings are
    // written through `from_utf8_lossy`.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `value` as `jq -r` prints it: a string's text as it is (unescaped), any
/// other value as [`write_compact`] does. The caller decides whether the text is
/// fit for its destination (a pipe takes it as it is; a terminal needs escaping).
pub fn write_raw(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::TStr(bytes) | Value::BStr(bytes) => {
            out.extend_from_slice(String::from_utf8_lossy(bytes).as_bytes())
        }
        other => write_compact(out, other),
    }
}

/// The text a captured or shown value stands for: a string's own text, anything
/// else as compact JSON.
pub fn text_of(value: &Value) -> String {
    match value {
        Value::TStr(bytes) | Value::BStr(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        other => compact_string(other),
    }
}

fn write_number(out: &mut Vec<u8>, number: &jaq_json::Num) {
    use jaq_json::Num;
    if let Num::Float(float) = number
        && !float.is_finite()
    {
        out.extend_from_slice(b"null");
        return;
    }
    if let Num::Int(int) = number {
        let mut buffer = itoa_buffer();
        out.extend_from_slice(format_int(&mut buffer, *int).as_bytes());
        return;
    }
    let mut text = String::new();
    let _ = write!(text, "{number}");
    out.extend_from_slice(text.as_bytes());
}

fn itoa_buffer() -> [u8; 24] {
    [0; 24]
}

/// `int` in decimal, written into `buffer` without allocating.
fn format_int(buffer: &mut [u8; 24], int: isize) -> &str {
    let mut at = buffer.len();
    let negative = int < 0;
    let mut rest = int.unsigned_abs();
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if negative {
        at -= 1;
        buffer[at] = b'-';
    }
    std::str::from_utf8(&buffer[at..]).unwrap_or("0")
}

fn write_string(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    // Fast path: printable ASCII with nothing to escape is copied as it is.
    if bytes
        .iter()
        .all(|byte| (0x20..0x7f).contains(byte) && *byte != b'"' && *byte != b'\\')
    {
        out.extend_from_slice(bytes);
    } else {
        let text = String::from_utf8_lossy(bytes);
        for c in text.chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\r' => out.extend_from_slice(b"\\r"),
                '\t' => out.extend_from_slice(b"\\t"),
                c if terminal_text::is_unsafe(c) => {
                    let mut escape = String::new();
                    let _ = write!(escape, "\\u{:04x}", u32::from(c));
                    out.extend_from_slice(escape.as_bytes());
                }
                c => {
                    let mut utf8 = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
    }
    out.push(b'"');
}

/// Where `part` (a slice of `source`) starts, as a 1-based character column; the
/// end of the program when it is not a slice of it.
fn column_of(source: &str, part: &str) -> usize {
    let start = (part.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
    let start = if start <= source.len() && source.is_char_boundary(start) {
        start
    } else {
        source.len()
    };
    source[..start].chars().count() + 1
}

fn load_error(source: &str, errors: jaq_core::load::Errors<&str, ()>) -> CompileError {
    use jaq_core::load::Error;
    let first = errors.into_iter().next().map(|(_, error)| error);
    let (what, at) = match first {
        Some(Error::Lex(errors)) => match errors.first() {
            Some((expect, found)) => (format!("expected {}", expect.as_str()), *found),
            None => ("cannot read the program".to_string(), ""),
        },
        Some(Error::Parse(errors)) => match errors.first() {
            Some((expect, found)) if found.is_empty() => (
                format!("expected {} but the program ends", expect.as_str()),
                *found,
            ),
            Some((expect, found)) => (
                format!(
                    "expected {}, found `{}`",
                    expect.as_str(),
                    terminal_text::one_line(found)
                ),
                *found,
            ),
            None => ("cannot parse the program".to_string(), ""),
        },
        Some(Error::Io(errors)) => match errors.first() {
            Some((path, why)) => (
                format!(
                    "cannot load module {}: {}",
                    terminal_text::one_line(path),
                    terminal_text::one_line(why)
                ),
                *path,
            ),
            None => ("cannot load a module".to_string(), ""),
        },
        None => ("cannot read the program".to_string(), ""),
    };
    let empty = source.trim().is_empty();
    CompileError {
        what: if empty {
            "the program is empty (`.` passes every message on)".to_string()
        } else {
            what
        },
        column: if empty { 1 } else { column_of(source, at) },
        program: source.to_string(),
    }
}

fn undefined_error(source: &str, errors: jaq_core::compile::Errors<&str, ()>) -> CompileError {
    use jaq_core::compile::Undefined;
    let first = errors.into_iter().flat_map(|(_, errors)| errors).next();
    let (what, at) = match first {
        Some((name, Undefined::Filter(arity))) => (
            format!(
                "undefined filter `{}/{arity}`",
                terminal_text::one_line(name)
            ),
            name,
        ),
        Some((name, kind)) => (
            format!(
                "undefined {} `{}`",
                kind.as_str(),
                terminal_text::one_line(name)
            ),
            name,
        ),
        None => ("cannot compile the program".to_string(), ""),
    };
    CompileError {
        what,
        column: column_of(source, at),
        program: source.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(program: &str, input: &str) -> Result<Vec<String>, RunError> {
        let program = Program::compile(program).unwrap();
        let mut out = Vec::new();
        program.run(parse(input.as_bytes()).unwrap(), 100, |value| {
            out.push(compact_string(&value));
            true
        })?;
        Ok(out)
    }

    #[test]
    fn paths_and_the_standard_library_run() {
        let tick = r#"{"e":"trade","p":"43000.10","q":1.50,"n":[1,2,3]}"#;
        assert_eq!(outputs(".p", tick).unwrap(), [r#""43000.10""#]);
        assert_eq!(
            outputs(".q", tick).unwrap(),
            ["1.50"],
            "decimals kept as sent"
        );
        assert_eq!(outputs(".n | map(. * 2)", tick).unwrap(), ["[2,4,6]"]);
        assert_eq!(outputs(".n[]", tick).unwrap(), ["1", "2", "3"]);
        assert_eq!(
            outputs(r#"select(.e | test("^tr"))"#, tick).unwrap(),
            [tick]
        );
        assert!(outputs(r#"select(.e == "x")"#, tick).unwrap().is_empty());
    }

    #[test]
    fn outputs_stop_at_the_bound() {
        let program = Program::compile("range(1000000000)").unwrap();
        let mut seen = 0;
        let ran = program
            .run(Value::Null, 5, |_| {
                seen += 1;
                true
            })
            .unwrap();
        assert_eq!(
            (seen, ran),
            (
                5,
                Ran {
                    outputs: 5,
                    cut: true
                }
            )
        );
        let ran = program.run(Value::Null, 5, |_| false).unwrap();
        assert_eq!(
            ran,
            Ran {
                outputs: 1,
                cut: true
            }
        );
    }

    #[test]
    fn runtime_errors_are_messages_not_exits() {
        let error = outputs(".a", "5").unwrap_err();
        assert_eq!(error.message, "cannot index 5 with \"a\"");
        assert_eq!(error.to_string(), "jq error: cannot index 5 with \"a\"");
        let halted = outputs("halt", "1").unwrap_err();
        assert!(halted.message.contains("halt"), "{halted}");
        let long = outputs(r#"error("x" * 1000)"#, "1").unwrap_err();
        assert_eq!(long.message.chars().count(), RunError::MAX_LEN + 1);
    }

    #[test]
    fn compile_errors_say_where() {
        let error = Program::compile("select(.e==)").unwrap_err();
        assert_eq!(error.column, 12, "{error}");
        assert!(
            error.to_string().starts_with("jq: expected term"),
            "{error}"
        );
        assert!(
            error.to_string().ends_with("at 12: select(.e==)"),
            "{error}"
        );
        assert_eq!(
            error.with_caret().lines().last(),
            Some("             ^"),
            "{}",
            error.with_caret()
        );
        let error = Program::compile(".a | nosuch(1)").unwrap_err();
        assert_eq!(error.what, "undefined filter `nosuch/1`");
        assert_eq!(error.column, 6);
        let error = Program::compile(r#""abc"#).unwrap_err();
        assert!(error.what.contains("closing quote"), "{error}");
        let error = Program::compile("  ").unwrap_err();
        assert!(error.what.contains("empty"), "{error}");
    }

    #[test]
    fn filters_keep_what_yields_something_true() {
        let keep = |program: &str, input: &str| {
            Program::compile(program)
                .unwrap()
                .keeps(parse(input.as_bytes()).unwrap())
                .unwrap()
        };
        assert!(keep(r#"select(.e == "trade")"#, r#"{"e":"trade"}"#));
        assert!(!keep(r#"select(.e == "trade")"#, r#"{"e":"depth"}"#));
        assert!(keep(r#".e == "trade""#, r#"{"e":"trade"}"#));
        assert!(!keep(".missing", "{}"), "null is not kept");
        assert!(keep("null, 1", "{}"), "any true output keeps it");
        assert!(!keep("empty", "{}"));
    }

    #[test]
    fn output_is_valid_json_with_terminal_controls_escaped() {
        let value =
            parse("[\"a\\u001b]0;x\\u0007\u{202e}\u{85}é\\\"\", {\"k\\n\":null}]".as_bytes())
                .unwrap();
        let text = compact_string(&value);
        assert_eq!(text, r#"["a\u001b]0;x\u0007\u202e\u0085é\"",{"k\n":null}]"#);
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back[0], "a\x1b]0;x\x07\u{202e}\u{85}é\"");
        let mut raw = Vec::new();
        write_raw(&mut raw, &parse(br#""a\tb""#).unwrap());
        assert_eq!(raw, b"a\tb");
        assert_eq!(compact_string(&Value::from(f64::NAN)), "null");
        assert_eq!(compact_string(&parse(b"-120").unwrap()), "-120");
        assert_eq!(compact_string(&parse(b"1e400").unwrap()), "1e400");
        assert_eq!(text_of(&parse(br#""k-1""#).unwrap()), "k-1");
        assert_eq!(text_of(&parse(br#"{"a":1}"#).unwrap()), r#"{"a":1}"#);
    }

    /// Every output of `program` over `bytes`, compact and raw, through
    /// [`Program::run_message`] (the plain-path scan where it applies).
    fn message_outputs(
        program: &Program,
        bytes: &[u8],
    ) -> Result<Vec<(String, String)>, MessageError> {
        let mut out = Vec::new();
        program.run_message(bytes, 100, |output| {
            let (mut compact, mut raw) = (Vec::new(), Vec::new());
            output.write_compact(&mut compact);
            output.write_raw(&mut raw);
            assert_eq!(String::from_utf8_lossy(&raw), output.text());
            out.push((
                String::from_utf8(compact).unwrap(),
                String::from_utf8_lossy(&raw).into_owned(),
            ));
            true
        })?;
        Ok(out)
    }

    /// The same through jaq alone.
    fn jaq_outputs(program: &Program, bytes: &[u8]) -> Result<Vec<(String, String)>, MessageError> {
        let input = parse(bytes).ok_or(MessageError::NotJson)?;
        let mut out = Vec::new();
        program.run(input, 100, |value| {
            let mut raw = Vec::new();
            write_raw(&mut raw, &value);
            out.push((
                compact_string(&value),
                String::from_utf8_lossy(&raw).into_owned(),
            ));
            true
        })?;
        Ok(out)
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            (-1e6f64..1e6).prop_map(|n| serde_json::json!(n)),
            "[a-c\\\"\u{1b}\u{202e}é ]{0,6}".prop_map(serde_json::Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                proptest::collection::vec(("[abp]{1,2}", inner), 0..5)
                    .prop_map(|entries| serde_json::Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn plain_paths_give_what_jaq_gives(
            value in json_value(),
            path in proptest::sample::select(vec![".p", ".a", ".a.b", ".p[0]", ".[1]", ".a[0].p", ".b.b.b"]),
            spaced in proptest::bool::ANY,
        ) {
            let text = if spaced {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let program = Program::compile(path).unwrap();
            proptest::prop_assert!(program.plain.is_some());
            proptest::prop_assert_eq!(
                message_outputs(&program, text.as_bytes()),
                jaq_outputs(&program, text.as_bytes())
            );
            // A message cut short is not JSON either way.
            let cut = &text.as_bytes()[..text.len() / 2];
            proptest::prop_assert_eq!(message_outputs(&program, cut), jaq_outputs(&program, cut));
        }
    }

    #[test]
    fn messages_run_through_jaq_or_the_plain_path_alike() {
        let tick = br#"{"e":"trade","p":"43000.10","q":1.50,"n":[-0,1e5]}"#;
        let plain = Program::compile(".p").unwrap();
        assert_eq!(
            message_outputs(&plain, tick).unwrap(),
            [(r#""43000.10""#.to_string(), "43000.10".to_string())]
        );
        let index = Program::compile(".n[0]").unwrap();
        assert_eq!(message_outputs(&index, tick), jaq_outputs(&index, tick));
        let general = Program::compile(r#"select(.e == "trade") | .q"#).unwrap();
        assert!(general.plain.is_none());
        assert_eq!(message_outputs(&general, tick).unwrap()[0].0, "1.50");
        assert_eq!(
            message_outputs(&plain, b"hello"),
            Err(MessageError::NotJson)
        );
        assert!(matches!(
            message_outputs(&plain, b"[1]"),
            Err(MessageError::Run(_))
        ));
        assert!(plain.keeps_message(tick).unwrap());
        assert!(!plain.keeps_message(br#"{"p":false}"#).unwrap());
        assert!(!plain.keeps_message(br#"{"q":1}"#).unwrap());
    }

    #[test]
    fn only_one_json_value_parses() {
        assert!(parse(b" {\"a\":1} ").is_some());
        assert!(parse(b"hello").is_none());
        assert!(parse(b"{\"a\":1} {}").is_none());
        assert!(parse(b"").is_none());
    }
}
