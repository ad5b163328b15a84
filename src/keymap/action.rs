//! What keys can do, one enum per context. Each action has its `keys.toml`
//! name, the words the help shows and its default keys: the one table the key
//! handling, the hint line, the help overlay and the README are derived from.

use super::Context;

/// An action of one context, with what the keymap needs to know about it.
pub trait ContextAction: Copy + Eq + std::hash::Hash + std::fmt::Debug + 'static {
    /// Where the action works.
    const CONTEXT: Context;
    /// Every action of the context, in the order the help lists them.
    const ALL: &'static [Self];
    /// The action's name in `keys.toml` (`select-up`).
    fn name(self) -> &'static str;
    /// What it does, as the help says it.
    fn description(self) -> &'static str;
    /// The keys it has unless `keys.toml` says otherwise, as `keys.toml` writes them.
    fn default_keys(self) -> &'static [&'static str];
}

/// Defines one context's action enum from rows of
/// `Variant = "name", "description", ["default", "keys"];`.
macro_rules! context_actions {
    (
        $(#[$meta:meta])*
        $enum:ident in $context:ident {
            $($variant:ident = $name:literal, $description:literal, [$($key:literal),*];)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $enum {
            $(#[doc = $description] $variant,)*
        }

        impl ContextAction for $enum {
            const CONTEXT: Context = Context::$context;
            const ALL: &'static [Self] = &[$(Self::$variant),*];

            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => $description,)*
                }
            }

            fn default_keys(self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => &[$($key),*],)*
                }
            }
        }
    };
}

context_actions! {
    /// Keys that work wherever no pane or popup used them first; `quit`,
    /// `suspend` and `help` work even with a popup open.
    GlobalAction in Global {
        Quit = "quit", "quit at once (closes with 1000)", ["ctrl-c"];
        Suspend = "suspend", "suspend (fg resumes)", ["ctrl-z"];
        Help = "help", "this help", ["f1"];
        SwitchFocus = "switch-focus", "move focus between composer and log", ["tab", "shift-tab"];
        FocusLog = "focus-log", "go back to the log", ["esc"];
        CloseDialog = "close-dialog", "close dialog: pick a code, type a reason", ["ctrl-x"];
        Snippets = "snippets", "snippets: insert one of the profile's messages", ["f2", "ctrl-o"];
        PageLogUp = "page-log-up", "page the log up, from the composer too", ["pgup"];
        PageLogDown = "page-log-down", "page the log down, from the composer too", ["pgdn"];
    }
}

context_actions! {
    /// Keys of the message log while it has focus.
    LogAction in Log {
        SelectUp = "select-up", "select the row above", ["up", "k"];
        SelectDown = "select-down", "select the row below", ["down", "j"];
        PageUp = "page-up", "page up", ["pgup"];
        PageDown = "page-down", "page down", ["pgdn"];
        First = "first", "go to the first entry", ["home", "g"];
        Follow = "follow", "follow the newest entry", ["end", "G"];
        Inspect = "inspect", "inspect the selected message (or the newest)", ["enter"];
        Search = "search", "search the log", ["/"];
        NextHit = "next-hit", "next search hit", ["n"];
        PreviousHit = "previous-hit", "previous search hit", ["N"];
        Filter = "filter", "filter: in/out, text/binary/ping/pong/close, data/control, system, words, jq: PROGRAM, a projection (docs/JQ.md)", ["f"];
        ClearFilter = "clear-filter", "clear the filter", ["F"];
        CloseDialog = "close-dialog", "close dialog", ["c"];
        CommandLine = "command-line", "command line (: commands below)", [":"];
        Help = "help", "this help", ["?"];
        FocusComposer = "focus-composer", "back to the composer", ["i", "a"];
        Quit = "quit", "quit; asks first when the log, a draft or the connection would be lost", ["q"];
        ConfirmQuit = "confirm-quit", "quit when quitting was just asked", ["y"];
    }
}

context_actions! {
    /// Keys of the composer; every other key edits the text.
    ComposerAction in Composer {
        Send = "send", "send (a line starting with :command runs it; :: sends a leading colon)", ["enter", "ctrl-enter"];
        Newline = "newline", "new line (Shift-Enter only where the terminal reports it)", ["alt-enter", "ctrl-j", "shift-enter"];
        HistoryOlder = "history-older", "older sent message (on the first line)", ["up", "ctrl-p"];
        HistoryNewer = "history-newer", "newer sent message (on the last line)", ["down", "ctrl-n"];
        FormatJson = "format-json", "format the JSON", ["ctrl-f"];
        CycleMode = "cycle-mode", "mode JSON → Text → Binary (hex, or base64:…)", ["ctrl-t"];
        Clear = "clear", "clear (Ctrl-Y pastes it back)", ["ctrl-u"];
    }
}

context_actions! {
    /// Keys of the inspector, the popup showing one message whole.
    InspectorAction in Inspector {
        ScrollUp = "scroll-up", "scroll up", ["up", "k"];
        ScrollDown = "scroll-down", "scroll down", ["down", "j"];
        PageUp = "page-up", "page up", ["pgup"];
        PageDown = "page-down", "page down", ["pgdn"];
        Top = "top", "top", ["home", "g"];
        Bottom = "bottom", "bottom", ["end", "G"];
        Unfold = "unfold", "show one level deeper (JSON)", ["+", "="];
        Fold = "fold", "show one level less (JSON)", ["-"];
        ToggleTree = "toggle-tree", "tree or pretty JSON", ["t"];
        Copy = "copy", "copy the message (OSC 52, works over SSH)", ["y"];
        Close = "close", "close", ["esc", "enter", "q"];
    }
}

context_actions! {
    /// Keys of the close dialog; other keys type the code or the reason.
    CloseDialogAction in CloseDialog {
        PickUp = "pick-up", "previous code", ["up"];
        PickDown = "pick-down", "next code", ["down"];
        NextField = "next-field", "next field (list, code, reason)", ["tab"];
        PreviousField = "previous-field", "previous field", ["shift-tab"];
        Confirm = "confirm", "close the connection with this code and reason", ["enter"];
        Cancel = "cancel", "cancel", ["esc"];
    }
}

context_actions! {
    /// Keys of the one-line prompts: search (`/`), filter (`f`) and the command
    /// line (`:`); other keys edit the line.
    PromptAction in Prompt {
        Submit = "submit", "search, apply the filter or run the command (empty: none)", ["enter"];
        Cancel = "cancel", "cancel (in the filter: clear the line, then cancel)", ["esc"];
        ToggleRegex = "toggle-regex", "search with a regular expression (case-insensitive)", ["ctrl-r"];
        RecallOlder = "recall-older", "earlier command (command line)", ["up"];
        RecallNewer = "recall-newer", "later command (command line)", ["down"];
        Complete = "complete", "complete the command's name (command line)", ["tab"];
    }
}

context_actions! {
    /// Keys of the snippets popup; typing filters the list.
    SnippetsAction in Snippets {
        PickUp = "pick-up", "previous snippet", ["up", "ctrl-p"];
        PickDown = "pick-down", "next snippet", ["down", "ctrl-n"];
        First = "first", "first snippet", ["home"];
        Last = "last", "last snippet", ["end"];
        Insert = "insert", "insert it into the composer", ["enter"];
        Cancel = "cancel", "close", ["esc"];
    }
}

context_actions! {
    /// Keys of the help popup.
    HelpAction in Help {
        ScrollUp = "scroll-up", "scroll up", ["up", "k"];
        ScrollDown = "scroll-down", "scroll down", ["down", "j"];
        PageUp = "page-up", "page up", ["pgup"];
        PageDown = "page-down", "page down", ["pgdn"];
        Close = "close", "close", ["esc", "q", "?", "enter"];
    }
}
