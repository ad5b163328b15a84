//! `wsdeck profiles …`: list, show, create (from a preset and flags), edit in
//! $EDITOR (re-validated after), remove saved profiles; list presets; print the
//! folder.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{NewProfileArgs, ProfilesAction};
use crate::config::presets;
use crate::config::profile::Profile;
use crate::config::store::{ProfileStore, SaveMode, SaveOptions};

use crate::terminal_text::{multi_line, one_line};

use super::output::{print, report};
use crate::outcome::{Failure, FailureClass};

fn invalid(message: impl Into<String>) -> Failure {
    Failure::new(FailureClass::InvalidInput, message.into())
}

fn store() -> Result<ProfileStore, Failure> {
    ProfileStore::from_env().map_err(|error| invalid(error.to_string()))
}

/// Runs one `profiles` action.
pub fn run(action: ProfilesAction) -> Result<(), Failure> {
    match action {
        ProfilesAction::List => list(),
        ProfilesAction::Show { name } => show(&name),
        ProfilesAction::New(args) => new(&args),
        ProfilesAction::Edit { name } => edit(&name),
        ProfilesAction::Rm { name } => {
            let store = store()?;
            let path = store.path_of(&name).map_err(|e| invalid(e.to_string()))?;
            store.remove(&name).map_err(|e| invalid(e.to_string()))?;
            print(&format!("removed {}\n", shown_path(&path)))
        }
        ProfilesAction::Presets => {
            let mut text = String::new();
            for preset in presets::all() {
                text.push_str(&format!("{:<16} {}\n", preset.name, preset.description));
            }
            print(&text)
        }
        ProfilesAction::Path => print(&format!("{}\n", shown_path(&store()?.profiles_dir()))),
    }
}

/// A path as shown on a terminal (a file name may hold control characters).
fn shown_path(path: &std::path::Path) -> String {
    one_line(&path.display().to_string()).into_owned()
}

fn list() -> Result<(), Failure> {
    let store = store()?;
    let entries = store.list().map_err(|e| invalid(e.to_string()))?;
    if entries.is_empty() {
        return print(&format!(
            "no profiles in {} — create one with: wsdeck profiles new NAME --preset PRESET --url URL\n",
            shown_path(&store.profiles_dir())
        ));
    }
    let recent = store.recent();
    let mut text = String::new();
    for entry in entries {
        let used = if recent.first() == Some(&entry.name) {
            " (last used)"
        } else {
            ""
        };
        // Everything here comes from files: one line per profile, controls escaped.
        let line = match &entry.profile {
            Ok(profile) => format!(
                "{:<20} {:<15} {}{used}\n",
                one_line(&entry.name),
                one_line(profile.provider.as_deref().unwrap_or("raw")),
                one_line(profile.url.as_deref().unwrap_or("(no url)")),
            ),
            Err(error) => format!(
                "{:<20} BROKEN          {}\n",
                one_line(&entry.name),
                multi_line(&error.to_string())
            ),
        };
        text.push_str(&line);
    }
    print(&text)
}

fn show(name: &str) -> Result<(), Failure> {
    let store = store()?;
    let profile = store.load(name).map_err(|e| invalid(e.to_string()))?;
    let path = store.path_of(name).map_err(|e| invalid(e.to_string()))?;
    // A secret stored in plain text on purpose is still not printed.
    let shown = profile.masked();
    print(&format!(
        "# {}\n{}",
        shown_path(&path),
        multi_line(&shown.to_toml())
    ))
}

fn new(args: &NewProfileArgs) -> Result<(), Failure> {
    let store = store()?;
    let base = match &args.connection.preset {
        Some(name) => super::setup::preset_layer(name)?,
        None => Profile::default(),
    };
    let mut overrides = args.connection.to_profile()?;
    overrides.description = args.description.clone();
    overrides.url = args.url.clone();
    let mut profile = overrides.merged_over(&base);
    profile.name = Some(args.name.clone());
    if profile.url.is_none() {
        return Err(invalid(
            "a profile needs a URL: pass --url ws://HOST[:PORT]/PATH (or a --preset that has one)",
        ));
    }
    let plaintext = !profile.literal_secrets().is_empty();
    if plaintext && !args.store_token_in_plaintext {
        return Err(invalid(
            "refusing to write a secret in plain text; use --token-env NAME (stored as ${env:NAME}) or pass --store-token-in-plaintext",
        ));
    }
    let options = SaveOptions {
        mode: SaveMode::CreateNew,
        allow_plaintext_token: args.store_token_in_plaintext,
    };
    let path = store
        .save_with(&args.name, &profile, options)
        .map_err(|e| invalid(e.to_string()))?;
    if plaintext {
        report(&format!(
            "WARNING: the token is stored in plain text in {} (mode 0600)",
            shown_path(&path)
        ));
    }
    print(&format!("created {}\n", shown_path(&path)))
}

/// Opens the profile in $VISUAL/$EDITOR on a copy; the copy replaces the profile only
/// when it parses, so a mistake never breaks a working profile.
fn edit(name: &str) -> Result<(), Failure> {
    let store = store()?;
    let path = store.path_of(name).map_err(|e| invalid(e.to_string()))?;
    if !path.is_file() {
        return Err(invalid(format!(
            "no profile '{name}' in {} — create it with: wsdeck profiles new {name} --preset PRESET --url URL",
            store.profiles_dir().display()
        )));
    }
    let editor = std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .unwrap_or_else(|_| "vi".to_string());
    let draft: PathBuf = path.with_extension("toml.draft");
    std::fs::copy(&path, &draft)
        .map_err(|e| invalid(format!("cannot copy {}: {e}", path.display())))?;
    loop {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&draft)
            .status()
            .map_err(|e| invalid(format!("cannot run the editor '{editor}': {e}")))?;
        if !status.success() {
            return Err(invalid(format!(
                "the editor '{editor}' failed ({status}); your draft is kept in {}",
                draft.display()
            )));
        }
        let text = std::fs::read_to_string(&draft)
            .map_err(|e| invalid(format!("cannot read {}: {e}", draft.display())))?;
        match Profile::parse(&text, &format!("profile '{name}' ({})", path.display())) {
            Ok(_) => {
                // What the user typed in their editor is saved as they typed it: a
                // literal token is theirs to write, and a broken file is fixed this way.
                let options = SaveOptions {
                    mode: SaveMode::Repair,
                    allow_plaintext_token: true,
                };
                store
                    .save_text(name, &text, options)
                    .map_err(|e| invalid(e.to_string()))?;
                let _ = std::fs::remove_file(&draft);
                return print(&format!("saved {}\n", shown_path(&path)));
            }
            Err(error) if std::io::stdin().is_terminal() => {
                report(&error.to_string());
                let _ = std::io::Write::write_all(&mut std::io::stderr(), b"edit again? [Y/n] ");
                let mut answer = String::new();
                let _ = std::io::stdin().read_line(&mut answer);
                if answer.trim().eq_ignore_ascii_case("n") {
                    return Err(invalid(format!(
                        "not saved; the profile is unchanged and your draft is in {}",
                        draft.display()
                    )));
                }
            }
            Err(error) => {
                return Err(invalid(format!(
                    "{error}\nnot saved; the profile is unchanged and your draft is in {}",
                    draft.display()
                )));
            }
        }
    }
}
