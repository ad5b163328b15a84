//! One key with its modifiers, as written in `keys.toml` (`ctrl-x`, `shift-tab`,
//! `pgup`, `G`, `?`) and as shown in the help (`Ctrl-X`, `Shift-Tab`, `PgUp`).

use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key press a binding matches: the key and exactly these modifiers.
///
/// Built from a [`KeyEvent`] with [`KeyCombo::from_event`], which folds the
/// ways terminals report the same key (Shift with an upper-case letter,
/// `BackTab` with or without Shift) into one form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt and Shift (Shift only for keys without a case).
    pub modifiers: KeyModifiers,
}

/// Why a key name could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyParseError {
    /// Nothing was written.
    #[error("an empty key name")]
    Empty,
    /// A modifier wsdeck does not know.
    #[error("unknown modifier '{0}' (ctrl, alt or shift)")]
    UnknownModifier(String),
    /// A key name wsdeck does not know.
    #[error(
        "unknown key '{0}' (a single character, or enter, esc, tab, backspace, delete, insert, space, up, down, left, right, home, end, pgup, pgdn, f1–f12)"
    )]
    UnknownKey(String),
}

const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("space", KeyCode::Char(' ')),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
];

/// Other spellings people write for the same keys.
const ALIASES: &[(&str, &str)] = &[
    ("return", "enter"),
    ("escape", "esc"),
    ("del", "delete"),
    ("ins", "insert"),
    ("pageup", "pgup"),
    ("pagedown", "pgdn"),
    ("pgdown", "pgdn"),
];

impl KeyCombo {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// The combination a key event stands for, in the one form bindings use:
    /// a character's case carries Shift, `Ctrl` letters are lower case, and
    /// Shift-Tab is `BackTab` without Shift.
    pub fn from_event(key: KeyEvent) -> Self {
        Self::normalized(key.code, key.modifiers)
    }

    fn normalized(code: KeyCode, modifiers: KeyModifiers) -> Self {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                if !c.is_ascii_alphabetic() || !modifiers.contains(KeyModifiers::CONTROL) {
                    // `?` and `G` arrive with or without Shift depending on the terminal.
                    if c != ' ' {
                        modifiers.remove(KeyModifiers::SHIFT);
                    }
                    KeyCode::Char(c)
                } else {
                    // Ctrl-Shift-X is read as Ctrl-X: terminals rarely tell them apart.
                    modifiers.remove(KeyModifiers::SHIFT);
                    KeyCode::Char(c.to_ascii_lowercase())
                }
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Self { code, modifiers }
    }

    /// Whether typing this key inserts text (a character without Ctrl or Alt),
    /// so that binding it where a text box listens would swallow typing.
    pub fn is_typing(self) -> bool {
        matches!(self.code, KeyCode::Char(_))
            && !self
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    }
}

impl FromStr for KeyCombo {
    type Err = KeyParseError;

    /// Reads `ctrl-x`, `alt-enter`, `shift-tab`, `f1`, `pgup`, `G`, `?`, `-`.
    /// Names and modifiers ignore case; a single character keeps its case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyParseError::Empty);
        }
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        // `-` alone, or a trailing `-` as in `ctrl--`, is the minus key.
        while let Some((prefix, tail)) = rest.split_once(['-', '+']) {
            if prefix.is_empty() || tail.is_empty() {
                break;
            }
            modifiers |= match prefix.to_ascii_lowercase().as_str() {
                "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
                "alt" | "meta" | "option" | "a" | "m" => KeyModifiers::ALT,
                "shift" | "s" => KeyModifiers::SHIFT,
                _ => return Err(KeyParseError::UnknownModifier(prefix.to_string())),
            };
            rest = tail;
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                let name = ALIASES
                    .iter()
                    .find(|(alias, _)| *alias == lower)
                    .map_or(lower.as_str(), |(_, name)| name);
                if let Some(number) = name.strip_prefix('f').and_then(|n| n.parse::<u8>().ok())
                    && (1..=12).contains(&number)
                {
                    KeyCode::F(number)
                } else {
                    NAMED_KEYS
                        .iter()
                        .find(|(known, _)| *known == name)
                        .map(|(_, code)| *code)
                        .ok_or_else(|| KeyParseError::UnknownKey(rest.to_string()))?
                }
            }
        };
        Ok(Self::normalized(code, modifiers))
    }
}

impl fmt::Display for KeyCombo {
    /// `Ctrl-X`, `Alt-Enter`, `Shift-Tab`, `PgUp`, `↑`, `G`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "F{n}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Insert => f.write_str("Insert"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            other => write!(f, "{other:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn combo(text: &str) -> KeyCombo {
        text.parse().unwrap()
    }

    #[test]
    fn reads_names_modifiers_and_characters() {
        assert_eq!(
            combo("ctrl-x"),
            KeyCombo {
                code: KeyCode::Char('x'),
                modifiers: KeyModifiers::CONTROL
            }
        );
        assert_eq!(combo("Ctrl+X"), combo("ctrl-x"));
        assert_eq!(combo("shift-tab"), KeyCombo::plain(KeyCode::BackTab));
        assert_eq!(combo("PageUp"), KeyCombo::plain(KeyCode::PageUp));
        assert_eq!(combo("f12"), KeyCombo::plain(KeyCode::F(12)));
        assert_eq!(combo("G"), KeyCombo::plain(KeyCode::Char('G')));
        assert_eq!(combo("-"), KeyCombo::plain(KeyCode::Char('-')));
        assert_eq!(
            combo("alt--"),
            KeyCombo {
                code: KeyCode::Char('-'),
                modifiers: KeyModifiers::ALT
            }
        );
        assert_eq!(combo("space"), KeyCombo::plain(KeyCode::Char(' ')));
    }

    #[test]
    fn refuses_unknown_names_saying_what_is_known() {
        assert_eq!(
            "hyper-x".parse::<KeyCombo>(),
            Err(KeyParseError::UnknownModifier("hyper".into()))
        );
        let error = "pgupp".parse::<KeyCombo>().unwrap_err();
        assert!(error.to_string().contains("unknown key 'pgupp'"), "{error}");
        assert!(error.to_string().contains("pgdn"), "{error}");
        assert_eq!(
            "f13".parse::<KeyCombo>().unwrap_err(),
            KeyParseError::UnknownKey("f13".into())
        );
        assert_eq!("".parse::<KeyCombo>(), Err(KeyParseError::Empty));
    }

    #[test]
    fn events_fold_into_the_form_bindings_use() {
        let event = |code, modifiers| KeyCombo::from_event(KeyEvent::new(code, modifiers));
        assert_eq!(event(KeyCode::Char('G'), KeyModifiers::SHIFT), combo("G"));
        assert_eq!(event(KeyCode::Char('?'), KeyModifiers::SHIFT), combo("?"));
        assert_eq!(
            event(KeyCode::BackTab, KeyModifiers::SHIFT),
            combo("shift-tab")
        );
        assert_eq!(
            event(
                KeyCode::Char('X'),
                KeyModifiers::CONTROL | KeyModifiers::SHIFT
            ),
            combo("ctrl-x")
        );
        assert_eq!(event(KeyCode::Enter, KeyModifiers::ALT), combo("alt-enter"));
        assert_ne!(event(KeyCode::Char('q'), KeyModifiers::CONTROL), combo("q"));
    }

    #[test]
    fn shows_keys_as_the_help_writes_them() {
        for (written, shown) in [
            ("ctrl-x", "Ctrl-X"),
            ("alt-enter", "Alt-Enter"),
            ("shift-tab", "Shift-Tab"),
            ("pgdn", "PgDn"),
            ("up", "↑"),
            ("G", "G"),
            ("f1", "F1"),
        ] {
            assert_eq!(combo(written).to_string(), shown);
        }
    }

    #[test]
    fn knows_which_keys_type_text() {
        assert!(combo("q").is_typing());
        assert!(combo("space").is_typing());
        assert!(!combo("ctrl-q").is_typing());
        assert!(!combo("f2").is_typing());
    }
}
