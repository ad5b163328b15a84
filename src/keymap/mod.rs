//! The keymap as data: what each key does in each context.
//!
//! Every action is a variant of its context's enum ([`action`]) with a name, a
//! description and default keys. A [`Keymap`] holds one [`Bindings`] table per
//! context, built from those defaults and the user's `keys.toml`
//! ([`user_file`]). The app asks the table for the action of a key; the hint
//! line ([`hints`]), the help overlay and the README's key table
//! ([`reference`](mod@reference)) are all made from the same tables, so they cannot drift.
//!
//! Modelled on slumber's input bindings (an action enum, a binding table, one
//! lookup at the edge).

pub mod action;
pub mod hints;
pub mod key;
pub mod reference;
pub mod user_file;

use std::collections::HashMap;
use std::sync::LazyLock;

pub use action::{
    CloseDialogAction, ComposerAction, ContextAction, GlobalAction, HelpAction, InspectorAction,
    LogAction, PromptAction, SnippetsAction,
};
pub use key::{KeyCombo, KeyParseError};
pub use user_file::KeymapError;

use ratatui::crossterm::event::KeyEvent;

/// Where a key is pressed: each context has its own table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Anywhere, after the focused pane or popup.
    Global,
    /// The message log.
    Log,
    /// The composer.
    Composer,
    /// The inspector popup.
    Inspector,
    /// The close dialog.
    CloseDialog,
    /// The search, filter and command-line prompts.
    Prompt,
    /// The snippets popup.
    Snippets,
    /// The help popup.
    Help,
}

impl Context {
    /// Every context, in the order the help lists them.
    pub const ALL: [Context; 8] = [
        Context::Global,
        Context::Log,
        Context::Composer,
        Context::Inspector,
        Context::CloseDialog,
        Context::Prompt,
        Context::Snippets,
        Context::Help,
    ];

    /// The table's name in `keys.toml` (`[log]`).
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Log => "log",
            Context::Composer => "composer",
            Context::Inspector => "inspector",
            Context::CloseDialog => "close-dialog",
            Context::Prompt => "prompt",
            Context::Snippets => "snippets",
            Context::Help => "help",
        }
    }

    /// The heading in the help and the README.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Log => "Log (when focused)",
            Context::Composer => "Composer",
            Context::Inspector => "Inspector (Enter on a message)",
            Context::CloseDialog => "Close dialog",
            Context::Prompt => "Prompts: search /, filter f, command line :",
            Context::Snippets => "Snippets popup",
            Context::Help => "This help",
        }
    }

    /// The context named `name` in `keys.toml`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|context| context.name() == name)
    }
}

/// One context's table: the action of each key, and the keys of each action.
#[derive(Debug, Clone)]
pub struct Bindings<A: ContextAction> {
    by_key: HashMap<KeyCombo, A>,
    keys: HashMap<A, Vec<KeyCombo>>,
}

impl<A: ContextAction> Bindings<A> {
    /// The table with every action's default keys.
    pub fn defaults() -> Self {
        let mut bindings = Self {
            by_key: HashMap::new(),
            keys: HashMap::new(),
        };
        for &action in A::ALL {
            let keys = action
                .default_keys()
                .iter()
                .map(|key| key.parse().expect("default keys are valid key names"))
                .collect();
            bindings.bind(action, keys);
        }
        bindings
    }

    /// What `key` does here, if anything.
    pub fn action(&self, key: KeyEvent) -> Option<A> {
        self.by_key.get(&KeyCombo::from_event(key)).copied()
    }

    /// The action bound to `combo`, if any.
    pub fn action_of(&self, combo: KeyCombo) -> Option<A> {
        self.by_key.get(&combo).copied()
    }

    /// The keys of `action`, in the order they were given; empty when unbound.
    pub fn keys(&self, action: A) -> &[KeyCombo] {
        self.keys.get(&action).map_or(&[], Vec::as_slice)
    }

    /// The keys of `action` as the help writes them: `↑ / k`.
    pub fn describe_keys(&self, action: A) -> String {
        self.keys(action)
            .iter()
            .map(KeyCombo::to_string)
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// Gives `action` exactly `keys`; another action holding one of them loses it.
    pub fn bind(&mut self, action: A, keys: Vec<KeyCombo>) {
        if let Some(old) = self.keys.remove(&action) {
            for key in old {
                self.by_key.remove(&key);
            }
        }
        for &key in &keys {
            if let Some(previous) = self.by_key.insert(key, action)
                && previous != action
                && let Some(list) = self.keys.get_mut(&previous)
            {
                list.retain(|held| *held != key);
            }
        }
        self.keys.insert(action, keys);
    }
}

/// Every context's table.
#[derive(Debug, Clone)]
pub struct Keymap {
    /// Keys that work everywhere.
    pub global: Bindings<GlobalAction>,
    /// The message log.
    pub log: Bindings<LogAction>,
    /// The composer.
    pub composer: Bindings<ComposerAction>,
    /// The inspector.
    pub inspector: Bindings<InspectorAction>,
    /// The close dialog.
    pub close_dialog: Bindings<CloseDialogAction>,
    /// Search, filter and command line.
    pub prompt: Bindings<PromptAction>,
    /// The snippets popup.
    pub snippets: Bindings<SnippetsAction>,
    /// The help popup.
    pub help: Bindings<HelpAction>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            global: Bindings::defaults(),
            log: Bindings::defaults(),
            composer: Bindings::defaults(),
            inspector: Bindings::defaults(),
            close_dialog: Bindings::defaults(),
            prompt: Bindings::defaults(),
            snippets: Bindings::defaults(),
            help: Bindings::defaults(),
        }
    }
}

/// The global actions that work even with a popup open, before anything else.
pub const ALWAYS: [GlobalAction; 3] = [
    GlobalAction::Quit,
    GlobalAction::Suspend,
    GlobalAction::Help,
];

impl Keymap {
    /// The built-in keymap, shared (what tests and the README use).
    pub fn defaults() -> &'static Keymap {
        static DEFAULTS: LazyLock<Keymap> = LazyLock::new(Keymap::default);
        &DEFAULTS
    }

    /// The global action of `key` if it is one that works everywhere, popups
    /// included (quit, suspend, help).
    pub fn always(&self, key: KeyEvent) -> Option<GlobalAction> {
        self.global
            .action(key)
            .filter(|action| ALWAYS.contains(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn default_tables_answer_the_keys_people_know() {
        let keymap = Keymap::defaults();
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(
            keymap.log.action(key(KeyCode::Char('q'))),
            Some(LogAction::Quit)
        );
        assert_eq!(
            keymap
                .log
                .action(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(LogAction::Follow)
        );
        assert_eq!(
            keymap.always(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(GlobalAction::Quit)
        );
        assert_eq!(keymap.always(key(KeyCode::Tab)), None);
        assert_eq!(
            keymap
                .composer
                .action(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT)),
            Some(ComposerAction::Newline)
        );
        assert_eq!(keymap.composer.action(key(KeyCode::Char('q'))), None);
    }

    #[test]
    fn every_action_has_default_keys_and_no_key_is_bound_twice_in_a_context() {
        fn check<A: ContextAction>() {
            let bindings = Bindings::<A>::defaults();
            let mut seen = HashMap::new();
            for &action in A::ALL {
                assert!(!bindings.keys(action).is_empty(), "{action:?} has no keys");
                for key in bindings.keys(action) {
                    if let Some(other) = seen.insert(*key, action) {
                        panic!("{key} is bound to {other:?} and {action:?}");
                    }
                }
            }
        }
        check::<GlobalAction>();
        check::<LogAction>();
        check::<ComposerAction>();
        check::<InspectorAction>();
        check::<CloseDialogAction>();
        check::<PromptAction>();
        check::<SnippetsAction>();
        check::<HelpAction>();
    }

    #[test]
    fn global_keys_never_type_text() {
        for &action in GlobalAction::ALL {
            for key in Keymap::defaults().global.keys(action) {
                assert!(!key.is_typing(), "{key} would swallow typing");
            }
        }
    }

    #[test]
    fn binding_a_key_takes_it_from_the_action_that_had_it() {
        let mut log = Bindings::<LogAction>::defaults();
        log.bind(LogAction::Inspect, vec!["q".parse().unwrap()]);
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(log.action(q), Some(LogAction::Inspect));
        assert!(log.keys(LogAction::Quit).is_empty());
        assert_eq!(
            log.action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            None
        );
    }
}
