//! The bottom line's hints (`Enter send · Tab log · F1 help`), made from the
//! keymap so that a rebound key shows as it is bound.

use super::{
    Bindings, CloseDialogAction, ComposerAction, ContextAction, GlobalAction, HelpAction,
    InspectorAction, Keymap, LogAction, PromptAction, SnippetsAction,
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
    /// The search prompt (`/`).
    SearchPrompt,
    /// The filter prompt (`f`) once what is typed reads as a filter.
    FilterPrompt,
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
    match place {
        HintPlace::Composer => composer_hints(&mut hints, keymap),
        HintPlace::Log { filtered } => log_hints(&mut hints, keymap, filtered),
        HintPlace::Search => search_hints(&mut hints, keymap),
        HintPlace::SearchPrompt => {
            let prompt = &keymap.prompt;
            push(&mut hints, prompt, &[PromptAction::Submit], "search");
            push(&mut hints, prompt, &[PromptAction::ToggleRegex], "regex");
            push(&mut hints, prompt, &[PromptAction::Cancel], "cancel");
        }
        HintPlace::FilterPrompt => {
            let prompt = &keymap.prompt;
            push(&mut hints, prompt, &[PromptAction::Submit], "apply");
            push(&mut hints, prompt, &[PromptAction::Cancel], "clear");
        }
        HintPlace::Help => help_hints(&mut hints, keymap),
        HintPlace::Inspector { json, tree } => inspector_hints(&mut hints, keymap, json, tree),
        HintPlace::CloseDialog => close_dialog_hints(&mut hints, keymap),
        HintPlace::Snippets => snippets_hints(&mut hints, keymap),
    }
    hints
}

fn composer_hints(hints: &mut Vec<Hint>, keymap: &Keymap) {
    let global = &keymap.global;
    let composer = &keymap.composer;
    push(hints, composer, &[ComposerAction::Send], "send");
    push(hints, composer, &[ComposerAction::Newline], "newline");
    push(hints, composer, &[ComposerAction::CycleMode], "mode");
    push(hints, global, &[GlobalAction::SwitchFocus], "log");
    push(hints, global, &[GlobalAction::CloseDialog], "close");
    push(hints, global, &[GlobalAction::Help], "help");
    push(hints, global, &[GlobalAction::Quit], "quit");
}

fn log_hints(hints: &mut Vec<Hint>, keymap: &Keymap, filtered: bool) {
    let global = &keymap.global;
    let log = &keymap.log;
    push(
        hints,
        log,
        &[LogAction::SelectUp, LogAction::SelectDown],
        "select",
    );
    push(hints, log, &[LogAction::Inspect], "inspect");
    push(hints, log, &[LogAction::Search], "search");
    push(hints, log, &[LogAction::Filter], "filter");
    if filtered {
        push(hints, log, &[LogAction::ClearFilter], "clear filter");
    }
    push(hints, log, &[LogAction::CloseDialog], "close");
    push(hints, log, &[LogAction::CommandLine], "command");
    push(hints, global, &[GlobalAction::SwitchFocus], "composer");
    push(hints, log, &[LogAction::Help], "help");
    push(hints, log, &[LogAction::Quit], "quit");
}

fn search_hints(hints: &mut Vec<Hint>, keymap: &Keymap) {
    let log = &keymap.log;
    push(
        hints,
        log,
        &[LogAction::NextHit, LogAction::PreviousHit],
        "next/previous",
    );
    push(hints, log, &[LogAction::Inspect], "inspect the hit");
    push(hints, log, &[LogAction::Search], "new search");
}

fn help_hints(hints: &mut Vec<Hint>, keymap: &Keymap) {
    let help = &keymap.help;
    push(
        hints,
        help,
        &[HelpAction::ScrollUp, HelpAction::ScrollDown],
        "scroll",
    );
    push(hints, help, &[HelpAction::Close], "close");
}

fn inspector_hints(hints: &mut Vec<Hint>, keymap: &Keymap, json: bool, tree: bool) {
    let inspector = &keymap.inspector;
    push(
        hints,
        inspector,
        &[InspectorAction::ScrollUp, InspectorAction::ScrollDown],
        "scroll",
    );
    if json {
        push(
            hints,
            inspector,
            &[InspectorAction::Unfold, InspectorAction::Fold],
            "fold",
        );
        let toggle = if tree { "pretty" } else { "tree" };
        push(hints, inspector, &[InspectorAction::ToggleTree], toggle);
    }
    push(hints, inspector, &[InspectorAction::Copy], "copy");
    push(hints, inspector, &[InspectorAction::Close], "close");
}

fn close_dialog_hints(hints: &mut Vec<Hint>, keymap: &Keymap) {
    let dialog = &keymap.close_dialog;
    push(
        hints,
        dialog,
        &[CloseDialogAction::PickUp, CloseDialogAction::PickDown],
        "pick",
    );
    push(hints, dialog, &[CloseDialogAction::NextField], "next field");
    push(hints, dialog, &[CloseDialogAction::Confirm], "close");
    push(hints, dialog, &[CloseDialogAction::Cancel], "cancel");
}

fn snippets_hints(hints: &mut Vec<Hint>, keymap: &Keymap) {
    let snippets = &keymap.snippets;
    push(
        hints,
        snippets,
        &[SnippetsAction::PickUp, SnippetsAction::PickDown],
        "pick",
    );
    hints.push(("type".to_string(), "filter"));
    push(hints, snippets, &[SnippetsAction::Insert], "insert");
    push(hints, snippets, &[SnippetsAction::Cancel], "close");
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
