//! The bottom line's hints (`Enter send · Tab log · F1 help`), made from the
//! keymap so that a rebound key shows as it is bound.

use super::{
    Bindings, CloseDialogAction, ComposerAction, ContextAction, GlobalAction, HelpAction,
    InspectorAction, Keymap, LogAction, SnippetsAction,
};

/// Where the hints are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintPlace {
    /// The composer has focus.
    Composer,
    /// The log has focus; `filtered` adds the key that clears the filter.
    Log {
        /// Whether a filter is on.
        filtered: bool,
    },
    /// The log after a search, beside the hit count.
    Search,
    /// The help popup.
    Help,
    /// The inspector; folding and the tree only for JSON, whose toggle names
    /// the view it goes to.
    Inspector {
        /// Whether the message is JSON.
        json: bool,
        /// Whether the tree is shown (the toggle goes to pretty).
        tree: bool,
    },
    /// The close dialog.
    CloseDialog,
    /// The snippets popup.
    Snippets,
}

/// One hint: the keys (`↑/↓`) and a word or two saying what they do.
pub type Hint = (String, &'static str);

/// The first key of each action, joined with `/`; `None` if none is bound.
fn first_keys<A: ContextAction>(bindings: &Bindings<A>, actions: &[A]) -> Option<String> {
    let keys: Vec<String> = actions
        .iter()
        .filter_map(|&action| bindings.keys(action).first().map(ToString::to_string))
        .collect();
    (!keys.is_empty()).then(|| keys.join("/"))
}

fn push<A: ContextAction>(
    hints: &mut Vec<Hint>,
    bindings: &Bindings<A>,
    actions: &[A],
    what: &'static str,
) {
    if let Some(keys) = first_keys(bindings, actions) {
        hints.push((keys, what));
    }
}

/// The hints for `place`, most useful first (the line keeps those that fit).
pub fn hints(keymap: &Keymap, place: HintPlace) -> Vec<Hint> {
    let mut hints = Vec::new();
    let global = &keymap.global;
    match place {
        HintPlace::Composer => {
            let composer = &keymap.composer;
            push(&mut hints, composer, &[ComposerAction::Send], "send");
            push(&mut hints, composer, &[ComposerAction::Newline], "newline");
            push(&mut hints, composer, &[ComposerAction::CycleMode], "mode");
            push(&mut hints, global, &[GlobalAction::SwitchFocus], "log");
            push(&mut hints, global, &[GlobalAction::CloseDialog], "close");
            push(&mut hints, global, &[GlobalAction::Help], "help");
            push(&mut hints, global, &[GlobalAction::Quit], "quit");
        }
        HintPlace::Log { filtered } => {
            let log = &keymap.log;
            push(
                &mut hints,
                log,
                &[LogAction::SelectUp, LogAction::SelectDown],
                "select",
            );
            push(&mut hints, log, &[LogAction::Inspect], "inspect");
            push(&mut hints, log, &[LogAction::Search], "search");
            push(&mut hints, log, &[LogAction::Filter], "filter");
            if filtered {
                push(&mut hints, log, &[LogAction::ClearFilter], "clear filter");
            }
            push(&mut hints, log, &[LogAction::CloseDialog], "close");
            push(&mut hints, log, &[LogAction::CommandLine], "command");
            push(&mut hints, global, &[GlobalAction::SwitchFocus], "composer");
            push(&mut hints, log, &[LogAction::Help], "help");
            push(&mut hints, log, &[LogAction::Quit], "quit");
        }
        HintPlace::Search => {
            let log = &keymap.log;
            push(
                &mut hints,
                log,
                &[LogAction::NextHit, LogAction::PreviousHit],
                "next/previous",
            );
            push(&mut hints, log, &[LogAction::Inspect], "inspect the hit");
            push(&mut hints, log, &[LogAction::Search], "new search");
        }
        HintPlace::Help => {
            let help = &keymap.help;
            push(
                &mut hints,
                help,
                &[HelpAction::ScrollUp, HelpAction::ScrollDown],
                "scroll",
            );
            push(&mut hints, help, &[HelpAction::Close], "close");
        }
        HintPlace::Inspector { json, tree } => {
            let inspector = &keymap.inspector;
            push(
                &mut hints,
                inspector,
                &[InspectorAction::ScrollUp, InspectorAction::ScrollDown],
                "scroll",
            );
            if json {
                push(
                    &mut hints,
                    inspector,
                    &[InspectorAction::Unfold, InspectorAction::Fold],
                    "fold",
                );
                let toggle = if tree { "pretty" } else { "tree" };
                push(
                    &mut hints,
                    inspector,
                    &[InspectorAction::ToggleTree],
                    toggle,
                );
            }
            push(&mut hints, inspector, &[InspectorAction::Copy], "copy");
            push(&mut hints, inspector, &[InspectorAction::Close], "close");
        }
        HintPlace::CloseDialog => {
            let dialog = &keymap.close_dialog;
            push(
                &mut hints,
                dialog,
                &[CloseDialogAction::PickUp, CloseDialogAction::PickDown],
                "pick",
            );
            push(
                &mut hints,
                dialog,
                &[CloseDialogAction::NextField],
                "next field",
            );
            push(&mut hints, dialog, &[CloseDialogAction::Confirm], "close");
            push(&mut hints, dialog, &[CloseDialogAction::Cancel], "cancel");
        }
        HintPlace::Snippets => {
            let snippets = &keymap.snippets;
            push(
                &mut hints,
                snippets,
                &[SnippetsAction::PickUp, SnippetsAction::PickDown],
                "pick",
            );
            hints.push(("type".to_string(), "filter"));
            push(&mut hints, snippets, &[SnippetsAction::Insert], "insert");
            push(&mut hints, snippets, &[SnippetsAction::Cancel], "close");
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_the_bindings() {
        let composer = hints(Keymap::defaults(), HintPlace::Composer);
        assert_eq!(composer[0], ("Enter".to_string(), "send"));
        assert_eq!(composer[3], ("Tab".to_string(), "log"));
        let log = hints(Keymap::defaults(), HintPlace::Log { filtered: false });
        assert_eq!(log[0], ("↑/↓".to_string(), "select"));
        assert!(!log.iter().any(|(_, what)| *what == "clear filter"));
        assert!(
            hints(Keymap::defaults(), HintPlace::Log { filtered: true })
                .contains(&("F".to_string(), "clear filter"))
        );

        let rebound = Keymap::from_toml("[log]\nquit = \"ctrl-q\"\nsearch = []\n").unwrap();
        let log = hints(&rebound, HintPlace::Log { filtered: false });
        assert!(log.contains(&("Ctrl-Q".to_string(), "quit")), "{log:?}");
        assert!(!log.iter().any(|(_, what)| *what == "search"), "{log:?}");
    }
}
