//! Key routing through the keymap ([`crate::keymap`]): quit, suspend and help
//! first, then the popup on top or the focused pane, then the global bindings.
//! Keys no action takes go to text boxes as typed, so typing never triggers a
//! command.

use std::sync::Arc;

use ratatui::crossterm::event::KeyEvent;

use super::{App, Effect, Focus, Overlay, StatusLevel, log_rows};
use crate::config::apply::render_message;
use crate::config::profile::{MessageFormat, Snippet};
use crate::keymap::{ComposerAction, GlobalAction, HelpAction, Keymap, LogAction, PromptAction};
use crate::session::{Command, ConnectionState, PayloadKind};
use crate::state::close_dialog::{CloseDialog, CloseDialogOutcome};
use crate::state::command_line::{
    COMMANDS_USAGE, ColonText, CommandLineOutcome, UserCommand, colon_text, parse_command_with,
};
use crate::state::composer::ComposerOutcome;
use crate::state::inspector::{Inspector, InspectorOutcome};
use crate::state::log_view::LogViewOutcome;
use crate::state::prompt::{LinePrompt, PromptOutcome};
use crate::state::snippets::{SnippetList, SnippetsOutcome};

impl App {
    /// A key press (releases never get here: the runtime drops them). The
    /// always-global keys first, then the popup on top or the focused pane, then
    /// the global keys neither used.
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        // A status message lasts until the next key; so does a pending "q again".
        self.state.status = None;
        let quit_armed = std::mem::take(&mut self.state.quit_armed);
        let keymap = Arc::clone(&self.state.keymap);
        if let Some(action) = keymap.always(key) {
            return self.global_action(action);
        }
        if self.state.overlay.is_some() {
            return self.overlay_key(key);
        }
        match self.state.focus {
            Focus::Composer => {
                let outcome = match keymap.composer.action(key) {
                    Some(ComposerAction::Send) => {
                        if let Some(effects) = self.composer_colon_command() {
                            return effects;
                        }
                        // A recording sends nothing; the text stays in the composer.
                        if self.refuse_if_read_only() {
                            return Vec::new();
                        }
                        if let Some(effects) = self.send_with_captured_values() {
                            return effects;
                        }
                        self.state.composer.apply(ComposerAction::Send)
                    }
                    Some(action) => self.state.composer.apply(action),
                    None => self.state.composer.edit_key(key),
                };
                match outcome {
                    ComposerOutcome::Send {
                        payload,
                        kind,
                        text,
                    } => return self.send(payload, kind, text),
                    ComposerOutcome::None => return Vec::new(),
                    ComposerOutcome::Ignored => {}
                }
            }
            Focus::Log => {
                if let Some(action) = keymap.log.action(key) {
                    return self.log_action(action, quit_armed);
                }
            }
        }
        match keymap.global.action(key) {
            Some(action) => self.global_action(action),
            None => Vec::new(),
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
                Ok(command) if Self::needs_a_session(&command) && self.refuse_if_read_only() => {
                    Some(Vec::new())
                }
                Ok(command) => {
                    self.state.composer.set_text("");
                    Some(self.run_command(command))
                }
                Err(error) => {
                    self.set_status(error, StatusLevel::Error);
                    Some(Vec::new())
                }
            },
            ColonText::Unknown(name) if self.state.composer.mode() == MessageFormat::Json => {
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

    /// What a global key does.
    fn global_action(&mut self, action: GlobalAction) -> Vec<Effect> {
        match action {
            GlobalAction::Quit => return self.quit(),
            GlobalAction::Suspend => return vec![Effect::Suspend],
            GlobalAction::Help => self.open_help(),
            GlobalAction::SwitchFocus => self.toggle_focus(),
            GlobalAction::FocusLog => self.state.focus = Focus::Log,
            GlobalAction::CloseDialog | GlobalAction::Snippets if self.refuse_if_read_only() => {}
            GlobalAction::CloseDialog => self.open_close_dialog(),
            GlobalAction::Snippets => self.open_snippets(),
            // From the composer, page the log without leaving the editor.
            GlobalAction::PageLogUp => self.log_view_action(LogAction::PageUp),
            GlobalAction::PageLogDown => self.log_view_action(LogAction::PageDown),
        }
        Vec::new()
    }

    /// Applies a moving action to the log view.
    fn log_view_action(&mut self, action: LogAction) {
        let rows = log_rows(&self.state.log, &self.state.filter);
        let _ = self.state.log_view.apply(action, rows);
    }

    /// What a log key does while the log has focus.
    fn log_action(&mut self, action: LogAction, quit_armed: bool) -> Vec<Effect> {
        let rows = log_rows(&self.state.log, &self.state.filter);
        match self.state.log_view.apply(action, rows) {
            LogViewOutcome::Inspect(seq) => {
                self.inspect(seq);
                return Vec::new();
            }
            LogViewOutcome::None => return Vec::new(),
            LogViewOutcome::Ignored => {}
        }
        match action {
            LogAction::Quit => return self.quit_unless_something_is_lost(quit_armed),
            LogAction::ConfirmQuit if quit_armed => return self.quit(),
            LogAction::Help => self.open_help(),
            LogAction::CommandLine => {
                // One command line for the session, so ↑ recalls earlier commands.
                let mut line = self.state.saved_command_line.take().unwrap_or_default();
                line.reset();
                line.set_shortcuts(self.state.extras.shortcut_names());
                self.state.overlay = Some(Overlay::CommandLine(line));
            }
            LogAction::Search => self.state.overlay = Some(Overlay::Search(LinePrompt::new())),
            LogAction::NextHit => self.jump_to_hit(true),
            LogAction::PreviousHit => self.jump_to_hit(false),
            LogAction::Filter => self.open_filter_prompt(),
            LogAction::ClearFilter => self.clear_filter(),
            LogAction::CloseDialog if self.refuse_if_read_only() => {}
            LogAction::CloseDialog => self.open_close_dialog(),
            LogAction::FocusComposer => self.state.focus = Focus::Composer,
            _ => {}
        }
        Vec::new()
    }

    /// Opens the inspector on entry `seq`, if the log still holds it.
    pub(super) fn inspect(&mut self, seq: crate::state::log::EntrySeq) {
        if let Some(entry) = self.state.log.get(seq) {
            let inspector = Inspector::open(entry);
            self.state.overlay = Some(Overlay::Inspector(Box::new(inspector)));
        }
    }

    fn open_help(&mut self) {
        self.state.overlay = Some(Overlay::Help { scroll: 0 });
    }

    /// A key while a popup is open: the popup's own keymap table.
    pub(super) fn overlay_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let keymap = Arc::clone(&self.state.keymap);
        let Some(overlay) = self.state.overlay.as_mut() else {
            return Vec::new();
        };
        match overlay {
            Overlay::Help { .. } => {
                if let Some(action) = keymap.help.action(key) {
                    self.help_action(action, &keymap);
                }
                Vec::new()
            }
            Overlay::Inspector(inspector) => match keymap.inspector.action(key) {
                Some(action) => {
                    let outcome = inspector.apply(action);
                    self.after_inspector(outcome)
                }
                None => Vec::new(),
            },
            Overlay::CloseDialog(dialog) => {
                let outcome = dialog.handle(key, &keymap.close_dialog);
                self.after_close_dialog(outcome)
            }
            Overlay::CommandLine(line) => {
                let outcome = line.handle(key, &keymap.prompt);
                self.after_command_line(outcome)
            }
            Overlay::Snippets(list) => {
                let outcome = list.handle(key, &keymap.snippets);
                self.after_snippets(outcome)
            }
            Overlay::Search(_) if keymap.prompt.action(key) == Some(PromptAction::ToggleRegex) => {
                self.state.search_regex = !self.state.search_regex;
                Vec::new()
            }
            Overlay::Search(prompt) => {
                let outcome = prompt.handle(key, &keymap.prompt);
                self.after_search_prompt(outcome)
            }
            Overlay::Filter(prompt) => {
                let outcome = prompt.handle(key, &keymap.prompt);
                self.after_filter_prompt(outcome)
            }
        }
    }

    fn help_action(&mut self, action: HelpAction, keymap: &Keymap) {
        let Some(Overlay::Help { scroll }) = self.state.overlay.as_mut() else {
            return;
        };
        match action {
            HelpAction::ScrollUp => *scroll = scroll.saturating_sub(1),
            HelpAction::ScrollDown => *scroll = help_scroll(*scroll, 1, &self.state.extras, keymap),
            HelpAction::PageUp => *scroll = scroll.saturating_sub(10),
            HelpAction::PageDown => *scroll = help_scroll(*scroll, 10, &self.state.extras, keymap),
            HelpAction::Close => self.state.overlay = None,
        }
    }

    fn after_inspector(&mut self, outcome: InspectorOutcome) -> Vec<Effect> {
        match outcome {
            InspectorOutcome::None => Vec::new(),
            InspectorOutcome::Close => {
                self.state.overlay = None;
                Vec::new()
            }
            InspectorOutcome::Copy(text) => {
                self.set_status("copied to the clipboard", StatusLevel::Info);
                vec![Effect::Copy(text)]
            }
        }
    }

    fn after_close_dialog(&mut self, outcome: CloseDialogOutcome) -> Vec<Effect> {
        match outcome {
            CloseDialogOutcome::None => Vec::new(),
            CloseDialogOutcome::Cancel => {
                self.state.overlay = None;
                Vec::new()
            }
            CloseDialogOutcome::Close { code, reason } => {
                self.state.overlay = None;
                vec![Effect::Command(Command::Close { code, reason })]
            }
        }
    }

    fn after_command_line(&mut self, outcome: CommandLineOutcome) -> Vec<Effect> {
        match outcome {
            CommandLineOutcome::None => Vec::new(),
            CommandLineOutcome::Cancel => {
                self.put_command_line_away();
                Vec::new()
            }
            CommandLineOutcome::Run(command) => {
                self.put_command_line_away();
                self.run_command(command)
            }
        }
    }

    fn after_snippets(&mut self, outcome: SnippetsOutcome) -> Vec<Effect> {
        match outcome {
            SnippetsOutcome::None => {}
            SnippetsOutcome::Cancel => self.state.overlay = None,
            SnippetsOutcome::Insert(snippet) => self.insert_snippet(&snippet),
        }
        Vec::new()
    }

    fn after_search_prompt(&mut self, outcome: PromptOutcome) -> Vec<Effect> {
        match outcome {
            PromptOutcome::None => {}
            PromptOutcome::Cancel => self.state.overlay = None,
            PromptOutcome::Submit(query) => {
                self.state.overlay = None;
                self.start_search(query, self.state.search_regex);
            }
        }
        Vec::new()
    }

    fn after_filter_prompt(&mut self, outcome: PromptOutcome) -> Vec<Effect> {
        match outcome {
            PromptOutcome::None => {}
            // Esc empties the line first, then closes (the filter stays as it was).
            PromptOutcome::Cancel => match self.state.overlay.as_mut() {
                Some(Overlay::Filter(prompt)) if !prompt.text().is_empty() => {
                    *prompt = LinePrompt::new();
                }
                _ => self.state.overlay = None,
            },
            PromptOutcome::Submit(input) => {
                if self.apply_filter(&input) {
                    self.state.overlay = None;
                }
            }
        }
        Vec::new()
    }

    /// Closes the command line, keeping it (and its recall) for the next `:`.
    fn put_command_line_away(&mut self) {
        if let Some(Overlay::CommandLine(line)) = self.state.overlay.take() {
            self.state.saved_command_line = Some(line);
        }
    }

    fn run_command(&mut self, command: UserCommand) -> Vec<Effect> {
        if Self::needs_a_session(&command) && self.refuse_if_read_only() {
            return Vec::new();
        }
        let to_session = |command| vec![Effect::Command(command)];
        match command {
            UserCommand::Close { code, reason } => to_session(Command::Close { code, reason }),
            UserCommand::Reconnect => to_session(Command::Reconnect),
            UserCommand::Disconnect => to_session(Command::Disconnect),
            UserCommand::Connect => to_session(Command::Connect),
            UserCommand::Ping => to_session(Command::Ping),
            UserCommand::Provider(name) => to_session(Command::SetProvider(name)),
            UserCommand::ResendUnconfirmed => to_session(Command::ResendUnconfirmed),
            UserCommand::Every(request) => self.every(request),
            UserCommand::Capture(request) => self.capture(request),
            UserCommand::Clear => {
                self.state.log.clear();
                self.state.log_view = crate::state::log_view::LogView::new();
                self.state.search = None;
                Vec::new()
            }
            UserCommand::Save(path) => vec![Effect::SaveLog(path)],
            UserCommand::Export { path, overwrite } => self.export(path, overwrite),
            UserCommand::SaveProfile(name) => vec![Effect::SaveProfile(name)],
            UserCommand::Snippets => {
                self.open_snippets();
                Vec::new()
            }
            UserCommand::Quit => self.quit(),
            UserCommand::Help => {
                self.open_help();
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
        let format = self.state.composer.mode();
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
        // A recording's log is in its file, and so is a recorded session's:
        // quitting loses none of it.
        let entries = if self.state.is_read_only() || self.state.recording_to.is_some() {
            0
        } else {
            self.state.log.len()
        };
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
        let log = &self.state.keymap.log;
        let keys: Vec<String> = [LogAction::Quit, LogAction::ConfirmQuit]
            .iter()
            .filter_map(|&action| log.keys(action).first().map(ToString::to_string))
            .collect();
        text.push_str(&format!(
            " — {} quits, any other key stays",
            keys.join(" or ")
        ));
        self.state.quit_armed = true;
        self.set_status(text, StatusLevel::Info);
        Vec::new()
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.state.quitting = true;
        vec![Effect::Quit]
    }

    fn send(&mut self, payload: bytes::Bytes, kind: PayloadKind, text: String) -> Vec<Effect> {
        self.send_typed(payload, kind, text.clone(), text)
    }

    /// Sends `text` (its bytes `payload`); `typed` is what the user wrote (the same,
    /// or with `{{var.NAME}}` where `text` has the value), for the history and for
    /// putting back if the session refuses.
    fn send_typed(
        &mut self,
        payload: bytes::Bytes,
        kind: PayloadKind,
        text: String,
        typed: String,
    ) -> Vec<Effect> {
        let id = self.state.ids.next();
        let remembered = match &self.state.extras.token {
            Some(token) if !token.expose().is_empty() => {
                typed.replace(token.expose(), crate::session::TOKEN_PLACEHOLDER)
            }
            _ => typed.clone(),
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
        self.state.in_flight.insert(id, typed);
        vec![Effect::Command(command)]
    }

    /// Enter on composer text naming `{{var.NAME}}` (JSON or Text mode): the
    /// captured values go in (JSON-escaped in JSON mode) and the result is sent; a
    /// value not captured yet, or a result that is not JSON in JSON mode, is refused
    /// in the status line and the text stays. `None` when the text names none.
    fn send_with_captured_values(&mut self) -> Option<Vec<Effect>> {
        let format = self.state.composer.mode();
        let escape = match format {
            MessageFormat::Json => crate::template::Escape::Json,
            MessageFormat::Text => crate::template::Escape::None,
            MessageFormat::Binary => return None,
        };
        let typed = self.state.composer.text();
        let text = match crate::template::render_vars(&typed, &self.state.extras.templates, escape)
        {
            Ok(Some(text)) => text,
            Ok(None) => return None,
            Err(error) => {
                self.set_status(error.to_string(), StatusLevel::Error);
                return Some(Vec::new());
            }
        };
        if format == MessageFormat::Json
            && let Err(error) = serde_json::from_str::<serde::de::IgnoredAny>(&text)
        {
            self.set_status(
                format!("with the captured values filled in, this is not valid JSON ({error})"),
                StatusLevel::Error,
            );
            return Some(Vec::new());
        }
        let payload = bytes::Bytes::from(text.clone());
        Some(self.send_typed(payload, PayloadKind::Text, text, typed))
    }
}

/// The help overlay's scroll after moving down by `by`, never past its last line.
pub(super) fn help_scroll(
    scroll: u16,
    by: u16,
    extras: &super::SessionExtras,
    keymap: &Keymap,
) -> u16 {
    let provider = crate::ui::help::ProviderHelp {
        provider: &extras.provider,
        shortcuts: &extras.shortcuts,
    };
    let total = crate::ui::help::help_line_count(provider, keymap);
    let last = u16::try_from(total.saturating_sub(1)).unwrap_or(u16::MAX);
    scroll.saturating_add(by).min(last)
}
