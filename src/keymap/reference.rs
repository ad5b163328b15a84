//! The key reference made from a [`Keymap`]: the help overlay's groups and the
//! README's table (`wsdeck keys --markdown`) are both [`sections`].

use super::{Bindings, Context, ContextAction, Keymap};

/// One group of the reference: a heading and its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The heading (`Log (when focused)`).
    pub title: &'static str,
    /// The context's name in `keys.toml`, for groups that can be rebound.
    pub context: Option<&'static str>,
    /// One row per action (then the keys that are not actions).
    pub rows: Vec<Row>,
}

/// One line of the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The keys as the help writes them (`End / G`); empty when none is bound.
    pub keys: String,
    /// What they do.
    pub what: &'static str,
    /// The action's name in `keys.toml`; `None` for fixed keys and commands.
    pub action: Option<&'static str>,
}

/// Keys that are not actions and cannot be rebound: text editing and the mouse.
fn fixed_rows(context: Context) -> &'static [(&'static str, &'static str)] {
    match context {
        Context::Log => &[(
            "mouse",
            "wheel scrolls, click selects, double click inspects",
        )],
        Context::Composer => &[
            (
                "Ctrl-A/E/B/K/W, Alt-B/F/D",
                "edit as in emacs (ratatui-textarea); Ctrl-R redo",
            ),
            (
                "paste",
                "goes into the composer (into a prompt: its first line)",
            ),
        ],
        Context::CloseDialog => &[("type", "a code in the list, or the code and reason fields")],
        Context::Prompt => &[
            ("\"some words\"", "filter on text as typed, keywords too"),
            ("Backspace", "on an empty command line: cancel"),
        ],
        Context::Snippets => &[("type", "filter the list")],
        _ => &[],
    }
}

/// The `:` commands, as the command line takes them.
pub const COMMANDS: &[(&str, &str)] = &[
    (
        "close CODE [REASON]",
        "close the connection, e.g. close 4001 bye",
    ),
    ("reconnect", "drop the connection and connect again"),
    ("disconnect", "close the connection and stay offline"),
    ("connect", "connect again after a disconnect"),
    (
        "resend-unconfirmed",
        "send again what a broken link left unconfirmed",
    ),
    ("provider NAME", "switch adapter (socket-io…) and reconnect"),
    (
        "every DURATION WHAT",
        "send snippet/message WHAT every 5s, 500ms…",
    ),
    ("every off", "stop the scheduled send"),
    ("capture NAME JQ", "keep {{var.NAME}} from the next match"),
    ("capture off NAME", "cancel an armed capture"),
    ("capture", "list the captures and their values"),
    ("clear", "clear the log"),
    ("save FILE", "save the log to FILE (JSON lines)"),
    ("export FILE", "write the shown log as .jsonl, .txt or .har"),
    ("save-profile NAME", "save this connection as profile NAME"),
    ("snippets", "the snippets popup"),
    ("ping", "send a ping"),
    ("quit, q", "quit"),
    ("help, h", "this help"),
];

/// The heading of the [`COMMANDS`] group.
pub const COMMANDS_TITLE: &str =
    "Commands (: in the log, or a line starting with : in the composer)";

fn section<A: ContextAction>(bindings: &Bindings<A>) -> Section {
    let mut rows: Vec<Row> = A::ALL
        .iter()
        .map(|&action| Row {
            keys: bindings.describe_keys(action),
            what: action.description(),
            action: Some(action.name()),
        })
        .collect();
    rows.extend(fixed_rows(A::CONTEXT).iter().map(|(keys, what)| Row {
        keys: keys.to_string(),
        what,
        action: None,
    }));
    Section {
        title: A::CONTEXT.title(),
        context: Some(A::CONTEXT.name()),
        rows,
    }
}

/// Every context's keys, in [`Context::ALL`] order, then the `:` commands.
pub fn sections(keymap: &Keymap) -> Vec<Section> {
    let mut sections = Context::ALL
        .into_iter()
        .map(|context| match context {
            Context::Global => section(&keymap.global),
            Context::Log => section(&keymap.log),
            Context::Composer => section(&keymap.composer),
            Context::Inspector => section(&keymap.inspector),
            Context::CloseDialog => section(&keymap.close_dialog),
            Context::Prompt => section(&keymap.prompt),
            Context::Snippets => section(&keymap.snippets),
            Context::Help => section(&keymap.help),
        })
        .collect::<Vec<_>>();
    sections.push(Section {
        title: COMMANDS_TITLE,
        context: None,
        rows: COMMANDS
            .iter()
            .map(|(usage, what)| Row {
                keys: format!(":{usage}"),
                what,
                action: None,
            })
            .collect(),
    });
    sections
}

/// The reference as a Markdown table (the README's, between its `keys` markers):
/// where, keys, what they do, and the name to rebind them by in `keys.toml`.
pub fn markdown(keymap: &Keymap) -> String {
    let cell = |text: &str| text.replace('|', "\\|");
    let mut out = String::from("| where | keys | what | keys.toml |\n| --- | --- | --- | --- |\n");
    for section in sections(keymap) {
        for (index, row) in section.rows.iter().enumerate() {
            let place = if index == 0 { section.title } else { "" };
            let keys = if row.keys.is_empty() {
                "(none)".to_string()
            } else if row.action.is_none() && section.context.is_none() {
                format!("`{}`", cell(&row.keys))
            } else {
                cell(&row.keys)
            };
            let name = match (section.context, row.action) {
                (Some(context), Some(action)) => format!("`[{context}] {action}`"),
                _ => String::new(),
            };
            out.push_str(&format!(
                "| {} | {keys} | {} | {name} |\n",
                cell(place),
                cell(row.what)
            ));
        }
    }
    out
}

/// The reference as plain text: a heading per group and aligned rows.
pub fn plain(keymap: &Keymap) -> String {
    let mut out = String::new();
    for (index, section) in sections(keymap).iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(section.title);
        if let Some(context) = section.context {
            out.push_str(&format!("  [{context}]"));
        }
        out.push('\n');
        let width = section
            .rows
            .iter()
            .map(|row| row.keys.chars().count())
            .max()
            .unwrap_or(0)
            .min(28);
        for row in &section.rows {
            let keys = if row.keys.is_empty() {
                "(none)"
            } else {
                &row.keys
            };
            out.push_str(&format!("  {keys:<width$}  {}", row.what));
            if let Some(action) = row.action {
                out.push_str(&format!("  ({action})"));
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::LogAction;

    #[test]
    fn every_action_of_every_context_is_in_the_reference() {
        let sections = sections(Keymap::defaults());
        assert_eq!(sections.len(), Context::ALL.len() + 1);
        let log = sections
            .iter()
            .find(|section| section.title == Context::Log.title())
            .unwrap();
        assert!(log.rows.contains(&Row {
            keys: "End / G".to_string(),
            what: LogAction::Follow.description(),
            action: Some("follow"),
        }));
    }

    #[test]
    fn a_rebound_key_shows_in_the_reference() {
        let keymap = Keymap::from_toml("[log]\nquit = \"ctrl-q\"\n").unwrap();
        let text = markdown(&keymap);
        assert!(
            text.contains(&format!(
                "|  | Ctrl-Q | {} | `[log] quit` |",
                LogAction::Quit.description()
            )),
            "{text}"
        );
        let unbound = Keymap::from_toml("[log]\nquit = []\n").unwrap();
        assert!(markdown(&unbound).contains("|  | (none) | quit;"));
    }

    #[test]
    fn plain_text_aligns_rows_under_headings() {
        let text = plain(Keymap::defaults());
        assert!(text.starts_with("Everywhere  [global]\n  Ctrl-C"), "{text}");
        assert!(text.contains("(confirm-quit)"), "{text}");
        assert!(text.contains("\nCommands (:"), "{text}");
    }
}
