//! The user's `keys.toml`: rebinds actions by name, context by context.
//!
//! ```toml
//! [log]
//! quit = "ctrl-q"              # one key
//! inspect = ["enter", "l"]     # or several
//!
//! [composer]
//! newline = ["shift-enter", "alt-enter"]
//! send = "enter"
//! ```
//!
//! An action listed gets exactly the keys given (`[]` unbinds it); actions not
//! listed keep their defaults. Every mistake — an unknown section, action or
//! key name, a key given twice, a plain character in `[global]` — is an error
//! naming the line and column.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::file_mistake::{FileMistake, read_if_present};

use super::{ALWAYS, Bindings, Context, ContextAction, KeyCombo, Keymap};

/// The file's name in the configuration directory.
pub const KEYS_FILE: &str = "keys.toml";

/// What is wrong with a `keys.toml`, and where.
pub type KeymapError = FileMistake;

impl Keymap {
    /// The defaults with `text` (a `keys.toml`) applied.
    pub fn from_toml(text: &str) -> Result<Keymap, KeymapError> {
        let at = |span: Range<usize>, message: String| error_at(text, span, message);
        let document = DeTable::parse(text).map_err(|error| {
            at(
                error.span().unwrap_or(0..0),
                error.message().trim().to_string(),
            )
        })?;
        let mut keymap = Keymap::default();
        let mut given = Vec::new();
        let mut sections: Vec<_> = document.get_ref().iter().collect();
        sections.sort_by_key(|(section, _)| section.span().start);
        for (section, value) in sections {
            let Some(context) = Context::from_name(section.get_ref()) else {
                let known: Vec<_> = Context::ALL.iter().map(|c| c.name()).collect();
                return Err(at(
                    section.span(),
                    format!(
                        "unknown section [{}]; the sections are {}",
                        section.get_ref(),
                        known.join(", ")
                    ),
                ));
            };
            let DeValue::Table(table) = value.get_ref() else {
                return Err(at(
                    value.span(),
                    format!("[{}] must be a table of action = keys", context.name()),
                ));
            };
            let read = |line| at_text(text, line);
            let keys = match context {
                Context::Global => apply(&mut keymap.global, table, read)?,
                Context::Log => apply(&mut keymap.log, table, read)?,
                Context::Composer => apply(&mut keymap.composer, table, read)?,
                Context::Inspector => apply(&mut keymap.inspector, table, read)?,
                Context::CloseDialog => apply(&mut keymap.close_dialog, table, read)?,
                Context::Prompt => apply(&mut keymap.prompt, table, read)?,
                Context::Snippets => apply(&mut keymap.snippets, table, read)?,
                Context::Help => apply(&mut keymap.help, table, read)?,
            };
            given.extend(keys.into_iter().map(|(key, span)| (context, key, span)));
        }
        for (context, key, span) in given {
            if context == Context::Global {
                if key.is_typing() {
                    return Err(at(
                        span,
                        format!(
                            "'{key}' types text; a [global] key must use Ctrl, Alt or a named key, or the composer could never receive it"
                        ),
                    ));
                }
            } else if let Some(action) = keymap
                .global
                .action_of(key)
                .filter(|action| ALWAYS.contains(action))
            {
                return Err(at(
                    span,
                    format!(
                        "'{key}' is [global] {} and works everywhere first, so it would never reach [{}]; give {} another key first",
                        action.name(),
                        context.name(),
                        action.name()
                    ),
                ));
            }
        }
        Ok(keymap)
    }

    /// The defaults with `dir/keys.toml` applied, or the defaults when there is
    /// no such file.
    pub fn load(dir: &Path) -> Result<Keymap, KeymapError> {
        let path = dir.join(KEYS_FILE);
        match read_if_present(KEYS_FILE, &path)? {
            Some(text) => Keymap::from_toml(&text).map_err(|error| error.in_file(path)),
            None => Ok(Keymap::default()),
        }
    }
}

fn at_text(text: &str, (span, message): (Range<usize>, String)) -> KeymapError {
    error_at(text, span, message)
}

/// Applies one section to `bindings`; returns the keys given, with where they
/// were written.
fn apply<A: ContextAction>(
    bindings: &mut Bindings<A>,
    table: &DeTable,
    at: impl Fn((Range<usize>, String)) -> KeymapError,
) -> Result<Vec<(KeyCombo, Range<usize>)>, KeymapError> {
    let context = A::CONTEXT.name();
    let mut given: HashMap<KeyCombo, (A, Range<usize>)> = HashMap::new();
    let mut order = Vec::new();
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(name, _)| name.span().start);
    for (name, value) in entries {
        let Some(action) = A::ALL
            .iter()
            .copied()
            .find(|action| action.name() == name.get_ref())
        else {
            let known: Vec<_> = A::ALL.iter().map(|action| action.name()).collect();
            return Err(at((
                name.span(),
                format!(
                    "unknown action '{}' in [{context}]; the actions there are {}",
                    name.get_ref(),
                    known.join(", ")
                ),
            )));
        };
        let mut keys = Vec::new();
        for written in key_names(value).map_err(|span| {
            at((
                span,
                format!(
                    "{} needs a key name or a list of them, like \"ctrl-x\" or [\"q\", \"ctrl-q\"]",
                    action.name()
                ),
            ))
        })? {
            let key: KeyCombo = written
                .get_ref()
                .parse()
                .map_err(|error| at((written.span(), format!("{error}"))))?;
            if let Some((other, _)) = given.insert(key, (action, written.span())) {
                return Err(at((
                    written.span(),
                    format!(
                        "'{key}' is given to both {} and {} in [{context}]",
                        other.name(),
                        action.name()
                    ),
                )));
            }
            keys.push(key);
            order.push((key, written.span()));
        }
        bindings.bind(action, keys);
    }
    Ok(order)
}

/// The strings of a `"key"` or `["key", …]` value, or the span of what is not one.
fn key_names<'v>(value: &'v Spanned<DeValue<'_>>) -> Result<Vec<Spanned<&'v str>>, Range<usize>> {
    match value.get_ref() {
        DeValue::String(text) => Ok(vec![Spanned::new(value.span(), text.as_ref())]),
        DeValue::Array(items) => items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(text) => Ok(Spanned::new(item.span(), text.as_ref())),
                _ => Err(item.span()),
            })
            .collect(),
        _ => Err(value.span()),
    }
}

/// An error at byte `span.start` of `text`, as line and column.
fn error_at(text: &str, span: Range<usize>, message: String) -> KeymapError {
    FileMistake::at(KEYS_FILE, text, span, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::{ComposerAction, GlobalAction, LogAction};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn error(text: &str) -> KeymapError {
        Keymap::from_toml(text).unwrap_err()
    }

    #[test]
    fn rebinds_what_is_listed_and_keeps_the_rest() {
        let keymap = Keymap::from_toml(
            "[log]\nquit = \"ctrl-q\"\ninspect = [\"enter\", \"l\"]\n\n[composer]\nnewline = []\n",
        )
        .unwrap();
        let key = |code, modifiers| KeyEvent::new(code, modifiers);
        assert_eq!(
            keymap
                .log
                .action(key(KeyCode::Char('q'), KeyModifiers::CONTROL)),
            Some(LogAction::Quit)
        );
        assert_eq!(
            keymap
                .log
                .action(key(KeyCode::Char('q'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            keymap
                .log
                .action(key(KeyCode::Char('l'), KeyModifiers::NONE)),
            Some(LogAction::Inspect)
        );
        assert_eq!(
            keymap
                .log
                .action(key(KeyCode::Char('/'), KeyModifiers::NONE)),
            Some(LogAction::Search)
        );
        assert!(keymap.composer.keys(ComposerAction::Newline).is_empty());
        assert_eq!(
            keymap.global.keys(GlobalAction::Quit),
            Keymap::defaults().global.keys(GlobalAction::Quit)
        );
    }

    #[test]
    fn names_line_and_column_of_an_unknown_action() {
        let error = error("[log]\n\n  quitt = \"q\"\n");
        assert_eq!((error.line, error.column), (3, 3));
        assert!(
            error.message.contains("unknown action 'quitt' in [log]"),
            "{error}"
        );
        assert!(error.message.contains("quit, confirm-quit"), "{error}");
        assert_eq!(
            error.to_string(),
            format!("keys.toml:3:3: {}", error.message)
        );
    }

    #[test]
    fn names_line_and_column_of_an_unknown_key() {
        let error = error("[composer]\nsend = [\"enter\", \"ctrl-entr\"]\n");
        assert_eq!((error.line, error.column), (2, 18));
        assert!(error.message.contains("unknown key 'entr'"), "{error}");
    }

    #[test]
    fn refuses_unknown_sections_and_values_that_are_not_keys() {
        let section = error("[logs]\nquit = \"q\"\n");
        assert_eq!((section.line, section.column), (1, 2));
        assert!(
            section.message.contains("unknown section [logs]"),
            "{section}"
        );
        let value = error("[log]\nquit = 7\n");
        assert_eq!((value.line, value.column), (2, 8));
        assert!(value.message.contains("a key name or a list"), "{value}");
    }

    #[test]
    fn refuses_a_key_given_twice_in_one_section() {
        let error = error("[log]\nquit = \"x\"\ninspect = \"x\"\n");
        assert_eq!(error.line, 3);
        assert!(
            error
                .message
                .contains("'x' is given to both quit and inspect"),
            "{error}"
        );
    }

    #[test]
    fn refuses_typing_keys_in_global_and_keys_that_global_takes_first() {
        let typing = error("[global]\nsnippets = \"s\"\n");
        assert!(typing.message.contains("types text"), "{typing}");
        let shadowed = error("[log]\ninspect = \"ctrl-c\"\n");
        assert!(shadowed.message.contains("[global] quit"), "{shadowed}");
        // Moving quit off Ctrl-C first makes it free.
        Keymap::from_toml("[global]\nquit = \"ctrl-q\"\n[log]\ninspect = \"ctrl-c\"\n").unwrap();
    }

    #[test]
    fn reports_toml_syntax_errors_with_their_position() {
        let error = error("[log]\nquit = \"q\n");
        assert_eq!(error.line, 2);
        assert!(!error.message.is_empty());
    }

    #[test]
    fn a_missing_file_means_the_defaults_and_a_broken_one_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let keymap = Keymap::load(dir.path()).unwrap();
        assert_eq!(
            keymap.log.keys(LogAction::Quit),
            Keymap::defaults().log.keys(LogAction::Quit)
        );
        std::fs::write(dir.path().join(KEYS_FILE), "[log]\nquitt = \"q\"\n").unwrap();
        let error = Keymap::load(dir.path()).unwrap_err();
        assert!(
            error.to_string().starts_with(&format!(
                "{}:2:1: unknown action",
                dir.path().join(KEYS_FILE).display()
            )),
            "{error}"
        );
    }
}
