//! The `:` command line: a one-line input for the less common actions, the parser
//! that turns its text into a [`UserCommand`], a small recall of earlier commands and
//! the single-line editor ([`LineInput`]) that the close dialog reuses.

use std::path::PathBuf;

use ratatui::crossterm::event::{KeyCode, KeyEvent};

pub use super::line_input::LineInput;
use crate::keymap::{Bindings, PromptAction};
use crate::session::close_code::validate_close;

/// Every command with its arguments, for error messages and the help overlay.
pub const COMMANDS_USAGE: &str = "close CODE [REASON], reconnect, disconnect, connect, resend-unconfirmed, provider NAME, every DURATION SNIPPET|MESSAGE, every off, capture [NAME JQ], capture off NAME, clear, save FILE, export FILE, save-profile NAME, snippets, ping, quit, help";

/// Command names offered by Tab completion, in the order the help lists them.
pub const COMMAND_NAMES: &[&str] = &[
    "close",
    "reconnect",
    "disconnect",
    "connect",
    "resend-unconfirmed",
    "provider",
    "every",
    "capture",
    "clear",
    "save",
    "export",
    "save-profile",
    "snippets",
    "ping",
    "quit",
    "help",
];

/// How many earlier commands Up/Down can recall.
pub const HISTORY_LIMIT: usize = 50;

/// An action typed on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserCommand {
    /// `close CODE [REASON]`: close the connection with this code and reason.
    Close {
        /// A code that passed `validate_close`.
        code: u16,
        /// The rest of the line, trimmed; may be empty.
        reason: String,
    },
    /// `reconnect`.
    Reconnect,
    /// `disconnect`.
    Disconnect,
    /// `connect`.
    Connect,
    /// `resend-unconfirmed`: send again what a broken link left unconfirmed.
    ResendUnconfirmed,
    /// `provider NAME`: speak NAME's protocol, reconnecting with its adapter.
    Provider(String),
    /// `every DURATION SNIPPET|MESSAGE` or `every off`: a scheduled send.
    Every(super::every_command::EveryRequest),
    /// `capture NAME JQ`, `capture off NAME` or `capture`: take `{{var.NAME}}` from
    /// an incoming message.
    Capture(super::capture::CaptureRequest),
    /// `clear`: empty the log.
    Clear,
    /// `save FILE`: write the log to a file.
    Save(PathBuf),
    /// `export FILE` (`export! FILE` overwrites): write the log's current view as a
    /// recording, text or HAR, by the file's extension.
    Export {
        /// The file; its extension was checked.
        path: PathBuf,
        /// Whether an existing file is replaced.
        overwrite: bool,
    },
    /// `save-profile NAME`: save the current connection as a new profile.
    SaveProfile(String),
    /// `snippets`: open the snippets popup.
    Snippets,
    /// `ping`.
    Ping,
    /// `q` or `quit`.
    Quit,
    /// `h` or `help`.
    Help,
    /// Any other name: a shortcut of the session's protocol adapter (`:emit`,
    /// `:stop`, …), which the session checks.
    Shortcut {
        /// The name, without the colon.
        name: String,
        /// The rest of the line, trimmed.
        args: String,
    },
}

/// Parses the text after ':', e.g. `close 4001 bye bye`. Errors are ready to show.
pub fn parse_command(text: &str) -> Result<UserCommand, String> {
    let text = text.trim();
    let (name, rest) = match text.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (text, ""),
    };
    let no_args = |command: UserCommand| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(format!("'{name}' takes no arguments; try {COMMANDS_USAGE}"))
        }
    };
    match name {
        "" => Err(format!("type a command; try {COMMANDS_USAGE}")),
        "close" => parse_close(rest),
        "reconnect" => no_args(UserCommand::Reconnect),
        "disconnect" => no_args(UserCommand::Disconnect),
        "connect" => no_args(UserCommand::Connect),
        "resend-unconfirmed" => no_args(UserCommand::ResendUnconfirmed),
        "clear" => no_args(UserCommand::Clear),
        "ping" => no_args(UserCommand::Ping),
        "q" | "quit" => no_args(UserCommand::Quit),
        "h" | "help" => no_args(UserCommand::Help),
        "save" if rest.is_empty() => {
            Err("save needs a file name, e.g. save session.log".to_owned())
        }
        "save" => Ok(UserCommand::Save(PathBuf::from(rest))),
        "export" | "export!" => parse_export(rest, name == "export!"),
        "save-profile" if rest.is_empty() => {
            Err("save-profile needs a name, e.g. save-profile staging-feed".to_owned())
        }
        "save-profile" => match crate::config::store::validate_name(rest) {
            Ok(()) => Ok(UserCommand::SaveProfile(rest.to_string())),
            Err(error) => Err(error.to_string()),
        },
        "snippets" => no_args(UserCommand::Snippets),
        "provider" => parse_provider(rest),
        "every" => super::every_command::parse_every(rest).map(UserCommand::Every),
        "capture" => super::capture::parse_capture(rest).map(UserCommand::Capture),
        other => Err(format!("unknown command '{other}'; try {COMMANDS_USAGE}")),
    }
}

/// Like [`parse_command`], but a name in `shortcuts` (the protocol adapter's `:`
/// commands, such as `emit` or `stop`) becomes a [`UserCommand::Shortcut`].
pub fn parse_command_with(text: &str, shortcuts: &[&str]) -> Result<UserCommand, String> {
    let text = text.trim();
    let (name, rest) = match text.split_once(char::is_whitespace) {
        Some((name, rest)) => (name, rest.trim()),
        None => (text, ""),
    };
    if !COMMAND_NAMES.contains(&name) && shortcuts.contains(&name) {
        return Ok(UserCommand::Shortcut {
            name: name.to_string(),
            args: rest.to_string(),
        });
    }
    parse_command(text).map_err(|error| {
        if shortcuts.is_empty() || !error.starts_with("unknown command") {
            error
        } else {
            format!("{error}; or the provider's: {}", shortcuts.join(", "))
        }
    })
}

/// What composer text that starts with `:` means (a user who types `:connect` in the
/// composer wants the command, not a text message saying so).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColonText<'a> {
    /// Not one line starting with a single `:`: a message like any other.
    Message,
    /// `:NAME …` with a known command (or adapter shortcut) name: run the command
    /// line after the colon.
    Command(&'a str),
    /// `::…`: a message whose first colon is the escape (sent without it).
    Escaped(&'a str),
    /// `:NAME …` with a name that is no command.
    Unknown(&'a str),
}

/// Reads composer text that may be a `:` command; `shortcuts` are the adapter's.
pub fn colon_text<'a>(text: &'a str, shortcuts: &[&str]) -> ColonText<'a> {
    let Some(rest) = text.strip_prefix(':') else {
        return ColonText::Message;
    };
    if text.contains('\n') {
        return ColonText::Message;
    }
    if rest.starts_with(':') {
        return ColonText::Escaped(rest);
    }
    let name = rest.split_whitespace().next().unwrap_or_default();
    let known = COMMAND_NAMES.contains(&name)
        || matches!(name, "q" | "h" | "export!")
        || shortcuts.contains(&name);
    match name {
        "" => ColonText::Message,
        _ if known => ColonText::Command(rest),
        _ => ColonText::Unknown(name),
    }
}

/// `export FILE` after the word `export` (or `export!`, which overwrites).
fn parse_export(file: &str, overwrite: bool) -> Result<UserCommand, String> {
    if file.is_empty() {
        return Err(format!(
            "export needs a file name ending in {}, e.g. export session.har",
            crate::recording::export::EXTENSIONS
        ));
    }
    let path = PathBuf::from(file);
    crate::recording::export::ExportFormat::for_path(&path)?;
    Ok(UserCommand::Export { path, overwrite })
}

/// `provider NAME` after the word `provider`: a name from the provider registry.
fn parse_provider(name: &str) -> Result<UserCommand, String> {
    let known = crate::protocol::registry::names();
    if name.is_empty() {
        return Err(format!("provider needs a name: {}", known.join(", ")));
    }
    crate::protocol::registry::find(name)
        .map(|provider| UserCommand::Provider(provider.name.to_string()))
        .map_err(|error| error.to_string())
}

/// `close CODE [REASON]` after the word `close`.
fn parse_close(args: &str) -> Result<UserCommand, String> {
    let (code_text, reason) = match args.split_once(char::is_whitespace) {
        Some((code, reason)) => (code, reason.trim()),
        None => (args, ""),
    };
    if code_text.is_empty() {
        return Err("close needs a code, e.g. close 1000 or close 4001 done here".to_owned());
    }
    if !code_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{code_text}' is not a close code; use a number, e.g. close 1000 or close 4001 done here"
        ));
    }
    // Too big for a u16: say it the way the engine says out-of-range codes.
    let code: u16 = code_text.parse().map_err(|_| {
        format!(
            "close code {code_text} is out of range; valid codes are 1000-1003, 1007-1014 and 3000-4999"
        )
    })?;
    validate_close(code, reason).map_err(|e| e.to_string())?;
    Ok(UserCommand::Close {
        code,
        reason: reason.to_owned(),
    })
}

/// What the app should do after a key on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandLineOutcome {
    /// Keep the command line open.
    None,
    /// Close it without running anything (Esc, Enter on an empty line, Backspace on an
    /// empty line).
    Cancel,
    /// Close it and run this command.
    Run(UserCommand),
}

/// The state of the `:` command line.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    input: LineInput,
    error: Option<String>,
    /// Completion candidates after an ambiguous Tab.
    candidates: Vec<&'static str>,
    /// Earlier commands, oldest first, at most [`HISTORY_LIMIT`].
    history: Vec<String>,
    /// Which history entry is shown while recalling; `None` when editing the draft.
    recall: Option<usize>,
    /// The text being typed before Up started recalling.
    draft: String,
    /// The protocol adapter's `:` commands, accepted and completed besides ours.
    shortcuts: Vec<&'static str>,
}

impl CommandLine {
    /// An empty command line with no history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also accepts (and completes) these protocol adapter commands.
    pub fn set_shortcuts(&mut self, shortcuts: Vec<&'static str>) {
        self.shortcuts = shortcuts;
    }

    /// Empties the line and clears the error, keeping the history: call this when
    /// opening the command line again.
    pub fn reset(&mut self) {
        self.input.clear();
        self.error = None;
        self.candidates.clear();
        self.recall = None;
        self.draft.clear();
    }

    /// The text typed so far (without the ':').
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// The cursor as a byte offset into [`CommandLine::text`].
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    /// Why the last Enter did not run anything.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Command names that matched an ambiguous Tab; empty otherwise.
    pub fn candidates(&self) -> &[&'static str] {
        &self.candidates
    }

    /// Earlier commands, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Handles one key. Enter parses the line: a good command is returned as
    /// [`CommandLineOutcome::Run`] and the line is emptied; a bad one keeps the text and
    /// sets [`CommandLine::error`].
    pub fn handle(
        &mut self,
        key: KeyEvent,
        bindings: &Bindings<PromptAction>,
    ) -> CommandLineOutcome {
        match bindings.action(key) {
            Some(PromptAction::Cancel) => return CommandLineOutcome::Cancel,
            Some(PromptAction::Submit) => return self.submit(),
            Some(PromptAction::RecallOlder) => self.recall_older(),
            Some(PromptAction::RecallNewer) => self.recall_newer(),
            Some(PromptAction::Complete) => self.complete(),
            Some(PromptAction::ToggleRegex) => {}
            None if key.code == KeyCode::Backspace && self.input.text().is_empty() => {
                return CommandLineOutcome::Cancel;
            }
            None => {
                let before = self.input.text().to_owned();
                if self.input.handle_key(key) && self.input.text() != before {
                    // The user is fixing the line: the old error no longer applies.
                    self.error = None;
                    self.candidates.clear();
                    self.recall = None;
                }
            }
        }
        CommandLineOutcome::None
    }

    /// Handles one key with the default keymap (tests).
    #[cfg(test)]
    pub fn handle_key(&mut self, key: KeyEvent) -> CommandLineOutcome {
        self.handle(key, &crate::keymap::Keymap::defaults().prompt)
    }

    fn submit(&mut self) -> CommandLineOutcome {
        let text = self.input.text().trim().to_owned();
        if text.is_empty() {
            return CommandLineOutcome::Cancel;
        }
        match parse_command_with(&text, &self.shortcuts) {
            Ok(command) => {
                self.remember(text);
                self.reset();
                CommandLineOutcome::Run(command)
            }
            Err(message) => {
                self.error = Some(message);
                self.candidates.clear();
                CommandLineOutcome::None
            }
        }
    }

    fn remember(&mut self, text: String) {
        if self.history.last() != Some(&text) {
            self.history.push(text);
        }
        if self.history.len() > HISTORY_LIMIT {
            let excess = self.history.len() - HISTORY_LIMIT;
            self.history.drain(..excess);
        }
    }

    fn recall_older(&mut self) {
        let index = match self.recall {
            None if self.history.is_empty() => return,
            None => {
                self.draft = self.input.text().to_owned();
                self.history.len() - 1
            }
            Some(i) => i.saturating_sub(1),
        };
        self.recall = Some(index);
        self.input.set(&self.history[index]);
        self.error = None;
        self.candidates.clear();
    }

    fn recall_newer(&mut self) {
        let Some(index) = self.recall else { return };
        if index + 1 < self.history.len() {
            self.recall = Some(index + 1);
            self.input.set(&self.history[index + 1]);
        } else {
            self.recall = None;
            let draft = std::mem::take(&mut self.draft);
            self.input.set(&draft);
        }
        self.error = None;
        self.candidates.clear();
    }

    /// Tab: completes the command name when the cursor is in the first word.
    fn complete(&mut self) {
        let text = self.input.text();
        if text.contains(char::is_whitespace) || self.input.cursor() != text.len() {
            return;
        }
        let matches: Vec<&'static str> = COMMAND_NAMES
            .iter()
            .chain(self.shortcuts.iter())
            .copied()
            .filter(|name| name.starts_with(text))
            .collect();
        match matches.as_slice() {
            [] => {
                self.error = Some(format!(
                    "no command starts with '{text}'; try {COMMANDS_USAGE}"
                ));
                self.candidates.clear();
            }
            [only] => {
                let takes_args = matches!(*only, "close" | "save") || self.shortcuts.contains(only);
                let completed = if takes_args {
                    format!("{only} ")
                } else {
                    (*only).to_owned()
                };
                self.input.set(&completed);
                self.candidates.clear();
                self.error = None;
            }
            several => {
                let prefix = common_prefix(several);
                self.input.set(prefix);
                self.candidates = several.to_vec();
                self.error = None;
            }
        }
    }
}

/// The longest prefix shared by every name (ASCII names, so byte slicing is safe).
fn common_prefix<'a>(names: &[&'a str]) -> &'a str {
    let Some(first) = names.first() else {
        return "";
    };
    let len = names.iter().skip(1).fold(first.len(), |len, name| {
        first
            .bytes()
            .zip(name.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count()
    });
    &first[..len]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(text: &str) -> CommandLine {
        let mut line = CommandLine::new();
        line.input.set(text);
        line
    }

    fn press(line: &mut CommandLine, codes: &[KeyCode]) -> CommandLineOutcome {
        let mut outcome = CommandLineOutcome::None;
        for &code in codes {
            outcome = line.handle_key(key(code));
        }
        outcome
    }

    fn close(code: u16, reason: &str) -> Result<UserCommand, String> {
        let reason = reason.to_owned();
        Ok(UserCommand::Close { code, reason })
    }

    #[test]
    fn parses_every_command() {
        use UserCommand::*;
        let cases = [
            ("close 1000", close(1000, "")),
            ("close 4001 bye bye", close(4001, "bye bye")),
            ("  close   3000   a  b  ", close(3000, "a  b")),
            ("reconnect", Ok(Reconnect)),
            ("disconnect", Ok(Disconnect)),
            ("connect", Ok(Connect)),
            ("clear", Ok(Clear)),
            ("ping ", Ok(Ping)),
            ("q", Ok(Quit)),
            ("quit", Ok(Quit)),
            ("h", Ok(Help)),
            ("help", Ok(Help)),
            ("save my log.txt", Ok(Save(PathBuf::from("my log.txt")))),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_command(text), expected, "{text}");
        }
    }

    #[test]
    fn refuses_bad_codes_and_reasons_with_the_engine_message() {
        for code in [1005, 999, 5000, 1016] {
            let expected = validate_close(code, "").unwrap_err().to_string();
            assert_eq!(parse_command(&format!("close {code} x")), Err(expected));
        }
        let err = parse_command("close 70000").unwrap_err();
        assert!(err.starts_with("close code 70000 is out of range"), "{err}");
        let long = format!("close 1000 {}", "a".repeat(124));
        let expected = "close reason is 124 bytes; the limit is 123 bytes (UTF-8)";
        assert_eq!(parse_command(&long), Err(expected.to_owned()));
        let max = "a".repeat(123);
        assert_eq!(
            parse_command(&format!("close 1000 {max}")),
            close(1000, &max)
        );
    }

    #[test]
    fn colon_text_in_the_composer() {
        assert_eq!(colon_text("{\"a\":1}", &[]), ColonText::Message);
        assert_eq!(colon_text(":connect", &[]), ColonText::Command("connect"));
        assert_eq!(
            colon_text(":close 4000 bye", &[]),
            ColonText::Command("close 4000 bye")
        );
        assert_eq!(
            colon_text(":emit a 1", &["emit"]),
            ColonText::Command("emit a 1")
        );
        assert_eq!(colon_text("::connect", &[]), ColonText::Escaped(":connect"));
        assert_eq!(colon_text(":nope x", &[]), ColonText::Unknown("nope"));
        assert_eq!(colon_text(":connect\nmore", &[]), ColonText::Message);
        assert_eq!(colon_text(":", &[]), ColonText::Message);
    }

    #[test]
    fn provider_takes_a_known_name() {
        assert_eq!(
            parse_command("provider socket-io"),
            Ok(UserCommand::Provider("socket-io".into()))
        );
        let unknown = parse_command("provider nope").unwrap_err();
        assert!(unknown.contains("unknown provider 'nope'"), "{unknown}");
        let missing = parse_command("provider").unwrap_err();
        assert!(missing.contains("graphql-ws"), "{missing}");
    }

    #[test]
    fn export_takes_a_file_in_a_known_format_and_export_bang_overwrites() {
        assert_eq!(
            parse_command("export  out/session.HAR "),
            Ok(UserCommand::Export {
                path: PathBuf::from("out/session.HAR"),
                overwrite: false
            })
        );
        assert_eq!(
            parse_command("export! log.txt"),
            Ok(UserCommand::Export {
                path: PathBuf::from("log.txt"),
                overwrite: true
            })
        );
        let unknown = parse_command("export log.csv").unwrap_err();
        assert!(unknown.contains(".jsonl, .txt or .har"), "{unknown}");
        assert!(
            parse_command("export")
                .unwrap_err()
                .contains("needs a file name")
        );
        assert_eq!(
            colon_text(":export! a.har", &[]),
            ColonText::Command("export! a.har")
        );
    }

    #[test]
    fn refuses_malformed_commands() {
        assert_eq!(
            parse_command("foo").unwrap_err(),
            "unknown command 'foo'; try close CODE [REASON], reconnect, disconnect, connect, \
             resend-unconfirmed, provider NAME, every DURATION SNIPPET|MESSAGE, every off, capture [NAME JQ], capture off NAME, clear, save FILE, export FILE, save-profile NAME, snippets, ping, quit, help"
        );
        let cases = [
            ("", COMMANDS_USAGE),
            ("close", "needs a code"),
            ("close bye", "'bye' is not a close code"),
            ("close -1", "not a close code"),
            ("save  ", "needs a file name"),
            ("ping now", "'ping' takes no arguments"),
            ("Quit", "unknown command 'Quit'"),
        ];
        for (text, part) in cases {
            let err = parse_command(text).unwrap_err();
            assert!(err.contains(part), "{text}: {err}");
        }
    }

    #[test]
    fn enter_runs_a_good_command_and_remembers_it() {
        let mut line = CommandLine::new();
        for c in "close 4001 bye bye".chars() {
            assert_eq!(
                press(&mut line, &[KeyCode::Char(c)]),
                CommandLineOutcome::None
            );
        }
        let outcome = press(&mut line, &[KeyCode::Enter]);
        let Ok(expected) = close(4001, "bye bye") else {
            unreachable!()
        };
        assert_eq!(outcome, CommandLineOutcome::Run(expected));
        assert_eq!((line.text(), line.error()), ("", None));
        assert_eq!(line.history(), ["close 4001 bye bye"]);
    }

    #[test]
    fn enter_on_a_bad_command_keeps_the_text_and_shows_the_error() {
        let mut line = typed("close 1005");
        assert_eq!(
            press(&mut line, &[KeyCode::Enter]),
            CommandLineOutcome::None
        );
        assert_eq!(line.text(), "close 1005");
        assert!(
            line.error()
                .is_some_and(|e| e.contains("1005 (No Status Received)"))
        );
        // Editing clears the error; the fixed line runs.
        press(&mut line, &[KeyCode::Backspace]);
        assert_eq!(line.error(), None);
        let outcome = press(&mut line, &[KeyCode::Char('1'), KeyCode::Enter]);
        assert!(matches!(
            outcome,
            CommandLineOutcome::Run(UserCommand::Close { code: 1001, .. })
        ));
    }

    #[test]
    fn cancel_paths() {
        use CommandLineOutcome::{Cancel, None};
        assert_eq!(press(&mut typed("clo"), &[KeyCode::Esc]), Cancel);
        assert_eq!(press(&mut typed("  "), &[KeyCode::Enter]), Cancel);
        let mut line = typed("x");
        assert_eq!(press(&mut line, &[KeyCode::Backspace]), None);
        assert_eq!(press(&mut line, &[KeyCode::Backspace]), Cancel);
    }

    #[test]
    fn history_recall_with_up_and_down() {
        let mut line = CommandLine::new();
        assert_eq!(press(&mut line, &[KeyCode::Up]), CommandLineOutcome::None);
        for text in ["ping", "clear", "ping", "ping"] {
            line.input.set(text);
            assert!(matches!(
                press(&mut line, &[KeyCode::Enter]),
                CommandLineOutcome::Run(_)
            ));
        }
        // Repeats in a row are stored once.
        assert_eq!(line.history(), ["ping", "clear", "ping"]);
        line.input.set("dra");
        let steps = [
            (KeyCode::Up, "ping"),
            (KeyCode::Up, "clear"),
            (KeyCode::Up, "ping"),
            (KeyCode::Up, "ping"),
            (KeyCode::Down, "clear"),
            (KeyCode::Down, "ping"),
            (KeyCode::Down, "dra"),
            (KeyCode::Down, "dra"),
        ];
        for (code, expected) in steps {
            press(&mut line, &[code]);
            assert_eq!(line.text(), expected, "{code:?}");
        }
    }

    #[test]
    fn history_keeps_the_last_fifty() {
        let mut line = CommandLine::new();
        for i in 0..60 {
            line.input.set(&format!("save f{i}"));
            press(&mut line, &[KeyCode::Enter]);
        }
        assert_eq!(line.history().len(), HISTORY_LIMIT);
        assert_eq!(
            (&*line.history()[0], &*line.history()[49]),
            ("save f10", "save f59")
        );
    }

    #[test]
    fn tab_completes_command_names() {
        let mut line = typed("rec");
        press(&mut line, &[KeyCode::Tab]);
        assert_eq!(line.text(), "reconnect");
        let mut line = typed("cl");
        press(&mut line, &[KeyCode::Tab]);
        assert_eq!(
            (line.text(), line.candidates()),
            ("cl", &["close", "clear"][..])
        );
        press(&mut line, &[KeyCode::Char('o')]);
        assert!(line.candidates().is_empty());
        press(&mut line, &[KeyCode::Tab]);
        assert_eq!(line.text(), "close ");
        let mut line = typed("c");
        press(&mut line, &[KeyCode::Tab]);
        assert_eq!(line.candidates(), ["close", "connect", "capture", "clear"]);
        let mut line = typed("zz");
        press(&mut line, &[KeyCode::Tab]);
        assert!(
            line.error()
                .is_some_and(|e| e.contains("no command starts with 'zz'"))
        );
        // Inside the arguments Tab does nothing.
        let mut line = typed("save a");
        press(&mut line, &[KeyCode::Tab]);
        assert_eq!(line.text(), "save a");
    }

    #[test]
    fn line_editing_keys() {
        let mut input = LineInput::new();
        for c in "héllo wörld".chars() {
            assert!(input.handle_key(key(KeyCode::Char(c))));
        }
        let steps = [
            (key(KeyCode::Left), "héllo wörld", 12),
            (key(KeyCode::Backspace), "héllo wörd", 11),
            (key(KeyCode::Home), "héllo wörd", 0),
            (key(KeyCode::Left), "héllo wörd", 0),
            (key(KeyCode::Backspace), "héllo wörd", 0),
            (key(KeyCode::Right), "héllo wörd", 1),
            (key(KeyCode::Delete), "hllo wörd", 1),
            (key(KeyCode::End), "hllo wörd", 10),
            (key(KeyCode::Right), "hllo wörd", 10),
            (key(KeyCode::Delete), "hllo wörd", 10),
            (
                KeyEvent::new(
                    KeyCode::Char('@'),
                    KeyModifiers::CONTROL | KeyModifiers::ALT,
                ),
                "hllo wörd@",
                11,
            ),
            (
                KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL),
                "",
                0,
            ),
        ];
        for (key, text, cursor) in steps {
            assert!(input.handle_key(key), "{key:?}");
            assert_eq!((input.text(), input.cursor()), (text, cursor), "{key:?}");
        }
        assert!(!input.handle_key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::CONTROL)));
        assert!(!input.handle_key(key(KeyCode::F(2))));
    }

    #[test]
    fn adapter_shortcuts_are_accepted_only_when_offered() {
        assert_eq!(
            parse_command_with("emit chat {\"a\":1}", &["emit", "ack"]),
            Ok(UserCommand::Shortcut {
                name: "emit".into(),
                args: "chat {\"a\":1}".into()
            })
        );
        let error = parse_command_with("emit chat", &[]).unwrap_err();
        assert!(error.starts_with("unknown command 'emit'"), "{error}");
        let error = parse_command_with("stop 1", &["emit"]).unwrap_err();
        assert!(error.ends_with("or the provider's: emit"), "{error}");
        // Our own commands win over a shortcut of the same name.
        assert_eq!(parse_command_with("ping", &["ping"]), Ok(UserCommand::Ping));
    }
}
