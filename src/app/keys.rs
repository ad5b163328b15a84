//! Key routing: a popup gets keys first, then the focused pane, then the global
//! bindings. Text boxes get raw keys, so typing never triggers a command.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{App, Effect, Focus, Overlay, StatusLevel, log_rows};
use crate::config::apply::render_message;
use crate::config::profile::{MessageFormat, Snippet};
use crate::session::{Command, ConnectionState, PayloadKind};
use crate::state::close_dialog::{CloseDialog, CloseDialogOutcome};
use crate::state::command_line::{
    COMMANDS_USAGE, ColonText, CommandLineOutcome, UserCommand, colon_text, parse_command_with,
};
use crate::state::composer::ComposerMode;
use crate::state::composer::ComposerOutcome;
use crate::state::inspector::{Inspector, InspectorOutcome};
use crate::state::log_view::LogViewOutcome;
use crate::state::prompt::{LinePrompt, PromptOutcome};
use crate::state::snippets::{SnippetList, SnippetsOutcome};

impl App {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // A status message lasts until the next key; so does a pending "q again".
        self.state.status = None;
        let quit_armed = std::mem::take(&mut self.state.quit_armed);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => return self.quit(),
            KeyCode::Char('z') if ctrl => return vec![Effect::Suspend],
            KeyCode::F(1) => {
                self.state.overlay = Some(Overlay::Help { scroll: 0 });
                return Vec::new();
            }
            _ => {}
        }
        if self.state.overlay.is_some() {
            return self.overlay_key(key);
        }
        if self.state.focus == Focus::Composer
            && key.code == KeyCode::Enter
            && key.modifiers.is_empty()
            && let Some(effects) = self.composer_colon_command()
        {
            return effects;
        }
        match self.state.focus {
            Focus::Composer => match self.state.composer.handle_key(key) {
                ComposerOutcome::Send {
                    payload,
                    kind,
                    text,
                } => self.send(payload, kind, text),
                ComposerOutcome::None => Vec::new(),
                ComposerOutcome::Ignored => self.global_key(key),
            },
            Focus::Log => match self
                .state
                .log_view
                .handle_key(key, log_rows(&self.state.log, &self.state.filter))
            {
                LogViewOutcome::Inspect(seq) => {
                    if let Some(entry) = self.state.log.get(seq) {
                        let inspector = Inspector::open(entry);
                        self.state.overlay = Some(Overlay::Inspector(Box::new(inspector)));
                    }
                    Vec::new()
                }
                LogViewOutcome::None => Vec::new(),
                LogViewOutcome::Ignored => self.log_key(key, quit_armed),
            },
        }
    }

    /// Enter on composer text that starts with `:`: a known command runs (the text
    /// leaves the composer), `::` sends the text without its first colon, an unknown
    /// `:word` is refused in JSON mode with a hint and sent as typed otherwise.
    /// `None` lets the composer send as usual.
    fn composer_colon_command(&mut self) -> Option<Vec<Effect>> {
        let text = self.state.composer.text();
        let shortcuts = self.state.extras.shortcut_names();
        match colon_text(&text, &shortcuts) {
            ColonText::Message => None,
            ColonText::Escaped(message) => {
                let message = message.to_string();
                self.state.composer.set_text(&message);
                None
            }
            ColonText::Command(line) => match parse_command_with(line, &shortcuts) {
                Ok(command) => {
                    self.state.composer.set_text("");
                    Some(self.run_command(command))
                }
                Err(error) => {
                    self.set_status(error, StatusLevel::Error);
                    Some(Vec::new())
                }
            },
            ColonText::Unknown(name) if self.state.composer.mode() == ComposerMode::Json => {
                self.set_status(
                    format!(
                        "':{name}' is not a command ({COMMANDS_USAGE}); to send it as a message, start it with '::' or switch to Text mode (Ctrl-T)"
                    ),
                    StatusLevel::Error,
                );
                Some(Vec::new())
            }
            ColonText::Unknown(_) => None,
        }
    }

    /// Keys neither pane used.
    fn global_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Tab | KeyCode::BackTab => self.toggle_focus(),
            KeyCode::Esc => self.state.focus = Focus::Log,
            KeyCode::Char('x') if ctrl => self.open_close_dialog(),
            KeyCode::Char('o') if ctrl => self.open_snippets(),
            KeyCode::F(2) => self.open_snippets(),
            KeyCode::PageUp | KeyCode::PageDown => {
                // From the composer, page the log without leaving the editor.
                let rows = log_rows(&self.state.log, &self.state.filter);
                let _ = self.state.log_view.handle_key(key, rows);
            }
            _ => {}
        }
        Vec::new()
    }

    /// Single-letter commands, only while the log has focus.
    fn log_key(&mut self, key: KeyEvent, quit_armed: bool) -> Vec<Effect> {
        // Letters are commands only when typed plainly: Ctrl-q or Alt-n mean nothing here.
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
        {
            return self.global_key(key);
        }
        match key.code {
            KeyCode::Char('q') => return self.quit_unless_something_is_lost(quit_armed),
            KeyCode::Char('y') if quit_armed => return self.quit(),
            KeyCode::Char('?') => self.state.overlay = Some(Overlay::Help { scroll: 0 }),
            KeyCode::Char(':') => {
                // One command line for the session, so ↑ recalls earlier commands.
                let mut line = self.state.saved_command_line.take().unwrap_or_default();
                line.reset();
                line.set_shortcuts(self.state.extras.shortcut_names());
                self.state.overlay = Some(Overlay::CommandLine(line));
            }
            KeyCode::Char('/') => self.state.overlay = Some(Overlay::Search(LinePrompt::new())),
            KeyCode::Char('n') => self.jump_to_hit(true),
            KeyCode::Char('N') => self.jump_to_hit(false),
            KeyCode::Char('f') => self.open_filter_prompt(),
            KeyCode::Char('F') => self.clear_filter(),
            KeyCode::Char('c') => self.open_close_dialog(),
            KeyCode::Char('i') | KeyCode::Char('a') => self.state.focus = Focus::Composer,
            _ => return self.global_key(key),
        }
        Vec::new()
    }

    pub(super) fn overlay_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(overlay) = self.state.overlay.as_mut() else {
            return Vec::new();
        };
        match overlay {
            Overlay::Help { scroll } => {
                match key.code {
                    KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => {
                        *scroll = help_scroll(*scroll, 1, &self.state.extras)
                    }
                    KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                    KeyCode::PageDown => *scroll = help_scroll(*scroll, 10, &self.state.extras),
                    KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('?') | KeyCode::Enter => {
                        self.state.overlay = None
                    }
                    _ => {}
                }
                Vec::new()
            }
            Overlay::Inspector(inspector) => match inspector.handle_key(key) {
                InspectorOutcome::None => Vec::new(),
                InspectorOutcome::Close => {
                    self.state.overlay = None;
                    Vec::new()
                }
                InspectorOutcome::Copy(text) => {
                    self.set_status("copied to the clipboard", StatusLevel::Info);
                    vec![Effect::Copy(text)]
                }
            },
            Overlay::CloseDialog(dialog) => match dialog.handle_key(key) {
                CloseDialogOutcome::None => Vec::new(),
                CloseDialogOutcome::Cancel => {
                    self.state.overlay = None;
                    Vec::new()
                }
                CloseDialogOutcome::Close { code, reason } => {
                    self.state.overlay = None;
                    vec![Effect::Command(Command::Close { code, reason })]
                }
            },
            Overlay::CommandLine(line) => match line.handle_key(key) {
                CommandLineOutcome::None => Vec::new(),
                CommandLineOutcome::Cancel => {
                    self.put_command_line_away();
                    Vec::new()
                }
                CommandLineOutcome::Run(command) => {
                    self.put_command_line_away();
                    self.run_command(command)
                }
            },
            Overlay::Snippets(list) => match list.handle_key(key) {
                SnippetsOutcome::None => Vec::new(),
                SnippetsOutcome::Cancel => {
                    self.state.overlay = None;
                    Vec::new()
                }
                SnippetsOutcome::Insert(snippet) => {
                    self.insert_snippet(&snippet);
                    Vec::new()
                }
            },
            Overlay::Search(_)
                if key.code == KeyCode::Char('r')
                    && key.modifiers.contains(KeyModifiers::CONTROL) =>
            {
                self.state.search_regex = !self.state.search_regex;
                Vec::new()
            }
            Overlay::Search(prompt) => match prompt.handle_key(key) {
                PromptOutcome::None => Vec::new(),
                PromptOutcome::Cancel => {
                    self.state.overlay = None;
                    Vec::new()
                }
                PromptOutcome::Submit(query) => {
                    self.state.overlay = None;
                    self.start_search(query, self.state.search_regex);
                    Vec::new()
                }
            },
            Overlay::Filter(prompt) => match prompt.handle_key(key) {
                PromptOutcome::None => Vec::new(),
                // Esc empties the line first, then closes (the filter stays as it was).
                PromptOutcome::Cancel if !prompt.text().is_empty() => {
                    *prompt = LinePrompt::new();
                    Vec::new()
                }
                PromptOutcome::Cancel => {
                    self.state.overlay = None;
                    Vec::new()
                }
                PromptOutcome::Submit(input) => {
                    if self.apply_filter(&input) {
                        self.state.overlay = None;
                    }
                    Vec::new()
                }
            },
        }
    }

    /// Closes the command line, keeping it (and its recall) for the next `:`.
    fn put_command_line_away(&mut self) {
        if let Some(Overlay::CommandLine(line)) = self.state.overlay.take() {
            self.state.saved_command_line = Some(line);
        }
    }

    fn run_command(&mut self, command: UserCommand) -> Vec<Effect> {
        let to_session = |command| vec![Effect::Command(command)];
        match command {
            UserCommand::Close { code, reason } => to_session(Command::Close { code, reason }),
            UserCommand::Reconnect => to_session(Command::Reconnect),
            UserCommand::Disconnect => to_session(Command::Disconnect),
            UserCommand::Connect => to_session(Command::Connect),
            UserCommand::Ping => to_session(Command::Ping),
            UserCommand::Provider(name) => to_session(Command::SetProvider(name)),
            UserCommand::ResendUnconfirmed => to_session(Command::ResendUnconfirmed),
            UserCommand::Clear => {
                self.state.log.clear();
                self.state.log_view = crate::state::log_view::LogView::new();
                self.state.search = None;
                Vec::new()
            }
            UserCommand::Save(path) => vec![Effect::SaveLog(path)],
            UserCommand::SaveProfile(name) => vec![Effect::SaveProfile(name)],
            UserCommand::Snippets => {
                self.open_snippets();
                Vec::new()
            }
            UserCommand::Quit => self.quit(),
            UserCommand::Help => {
                self.state.overlay = Some(Overlay::Help { scroll: 0 });
                Vec::new()
            }
            UserCommand::Shortcut { name, args } => {
                if !self.state.extras.has_adapter() {
                    self.set_status(
                        format!("unknown command '{name}'; try {COMMANDS_USAGE}"),
                        StatusLevel::Error,
                    );
                    return Vec::new();
                }
                let id = self.state.ids.next();
                to_session(Command::Shortcut { id, name, args })
            }
        }
    }

    fn toggle_focus(&mut self) {
        self.state.focus = match self.state.focus {
            Focus::Composer => Focus::Log,
            Focus::Log => Focus::Composer,
        };
    }

    /// Opens the snippets popup, or says why not.
    fn open_snippets(&mut self) {
        if self.state.extras.snippets.is_empty() {
            let why = match &self.state.extras.profile_name {
                Some(name) => format!(
                    "profile '{name}' has no snippets; add [[snippets]] with name and text to its file (wsdeck profiles edit {name})"
                ),
                None => "no snippets: they come from a profile's [[snippets]] (wsdeck -p NAME, or --preset binance / home-assistant)".to_string(),
            };
            self.set_status(why, StatusLevel::Info);
            return;
        }
        let list = SnippetList::new(self.state.extras.snippets.clone());
        self.state.overlay = Some(Overlay::Snippets(list));
    }

    /// Renders the snippet's template (a new `{{seq}}`, `{{uuid}}`…) into the composer
    /// at the cursor. On an error the popup stays open with the reason below.
    fn insert_snippet(&mut self, snippet: &Snippet) {
        let format = match self.state.composer.mode() {
            ComposerMode::Json => MessageFormat::Json,
            ComposerMode::Text => MessageFormat::Text,
            ComposerMode::Binary => MessageFormat::Binary,
        };
        match render_message(&snippet.text, format, &self.state.extras.templates) {
            Ok(text) => {
                self.state.overlay = None;
                self.state.focus = Focus::Composer;
                self.state.composer.insert_text(&text);
                self.set_status(
                    format!("snippet '{}' inserted: Enter sends it", snippet.name),
                    StatusLevel::Info,
                );
            }
            Err(error) => self.set_status(
                format!("snippet '{}': {error}", snippet.name),
                StatusLevel::Error,
            ),
        }
    }

    fn open_close_dialog(&mut self) {
        self.state.overlay = Some(Overlay::CloseDialog(CloseDialog::new()));
    }

    /// `q` in the log: when quitting would lose something (a draft in the composer,
    /// the log, an open connection), ask once first; `q` again or `y` quits, any
    /// other key stays. Ctrl-C still quits at once.
    fn quit_unless_something_is_lost(&mut self, armed: bool) -> Vec<Effect> {
        if armed {
            return self.quit();
        }
        let draft = !self.state.composer.is_empty();
        let entries = self.state.log.len();
        let connected = !matches!(
            self.state.connection.state,
            ConnectionState::Disconnected | ConnectionState::Error
        );
        if !draft && entries == 0 && !connected {
            return self.quit();
        }
        let mut lost = Vec::new();
        if draft {
            lost.push("the composer's unsent message".to_string());
        }
        if entries > 0 {
            lost.push(format!(
                "the log ({entries} entr{})",
                if entries == 1 { "y" } else { "ies" }
            ));
        }
        let mut text = String::from("quit? ");
        if !lost.is_empty() {
            text.push_str(&format!("{} will be lost", lost.join(" and ")));
            if connected {
                text.push_str(", and ");
            }
        }
        if connected {
            text.push_str("the connection closes with 1000");
        }
        text.push_str(" — q or y quits, any other key stays");
        self.state.quit_armed = true;
        self.set_status(text, StatusLevel::Info);
        Vec::new()
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.state.quitting = true;
        vec![Effect::Quit]
    }

    fn send(&mut self, payload: bytes::Bytes, kind: PayloadKind, text: String) -> Vec<Effect> {
        let id = self.state.ids.next();
        let remembered = match &self.state.extras.token {
            Some(token) if !token.expose().is_empty() => {
                text.replace(token.expose(), crate::session::TOKEN_PLACEHOLDER)
            }
            _ => text.clone(),
        };
        if let Some(error) = self.state.composer.mark_sent(&remembered) {
            self.set_status(format!("history not saved: {error}"), StatusLevel::Error);
        }
        self.state.welcome = None;
        let command = if self.state.extras.has_adapter() && kind == PayloadKind::Text {
            Command::Compose {
                id,
                text: text.clone(),
            }
        } else {
            Command::Send { id, payload, kind }
        };
        self.state.in_flight.insert(id, text);
        vec![Effect::Command(command)]
    }
}

/// The help overlay's scroll after moving down by `by`, never past its last line.
pub(super) fn help_scroll(scroll: u16, by: u16, extras: &super::SessionExtras) -> u16 {
    let provider = crate::ui::help::ProviderHelp {
        provider: &extras.provider,
        shortcuts: &extras.shortcuts,
    };
    let total = crate::ui::help::help_line_count(provider);
    let last = u16::try_from(total.saturating_sub(1)).unwrap_or(u16::MAX);
    scroll.saturating_add(by).min(last)
}
