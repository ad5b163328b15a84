//! `wsdeck profiles …`: list, show, create (from a preset and flags), edit in
//! $EDITOR (re-validated after), remove saved profiles; list presets; print the
//! folder.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{NewProfileArgs, ProfilesAction};
use crate::config::presets;
use crate::config::profile::Profile;
use crate::config::store::{ProfileStore, SaveMode, SaveOptions};

use super::outcome::{Failure, FailureClass};

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
            println!("removed {}", path.display());
            Ok(())
        }
        ProfilesAction::Presets => {
            for preset in presets::all() {
                println!("{:<16} {}", preset.name, preset.description);
            }
            Ok(())
        }
        ProfilesAction::Path => {
            println!("{}", store()?.profiles_dir().display());
            Ok(())
        }
    }
}

fn list() -> Result<(), Failure> {
    let store = store()?;
    let entries = store.list().map_err(|e| invalid(e.to_string()))?;
    if entries.is_empty() {
        println!(
            "no profiles in {} — create one with: wsdeck profiles new NAME --preset PRESET --url URL",
            store.profiles_dir().display()
        );
        return Ok(());
    }
    let recent = store.recent();
    for entry in entries {
        let used = if recent.first() == Some(&entry.name) {
            " (last used)"
        } else {
            ""
        };
        match &entry.profile {
            Ok(profile) => println!(
                "{:<20} {:<15} {}{used}",
                entry.name,
                profile.provider.as_deref().unwrap_or("raw"),
                profile.url.as_deref().unwrap_or("(no url)"),
            ),
            Err(error) => println!("{:<20} BROKEN          {error}", entry.name),
        }
    }
    Ok(())
}

fn show(name: &str) -> Result<(), Failure> {
    let store = store()?;
    let profile = store.load(name).map_err(|e| invalid(e.to_string()))?;
    let path = store.path_of(name).map_err(|e| invalid(e.to_string()))?;
    println!("# {}", path.display());
    // A secret stored in plain text on purpose is still not printed.
    let shown = profile.masked();
    print!("{}", shown.to_toml());
    Ok(())
}

fn new(args: &NewProfileArgs) -> Result<(), Failure> {
    let store = store()?;
    let mut base = Profile::default();
    if let Some(preset) = &args.connection.preset {
        let preset = presets::find(preset).ok_or_else(|| {
            let known: Vec<&str> = presets::all().iter().map(|p| p.name).collect();
            invalid(format!(
                "unknown preset '{preset}'; known presets: {}",
                known.join(", ")
            ))
        })?;
        base = preset.profile().map_err(|e| invalid(e.to_string()))?;
    }
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
        eprintln!(
            "wsdeck: WARNING: the token is stored in plain text in {} (mode 0600)",
            path.display()
        );
    }
    println!("created {}", path.display());
    Ok(())
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
                println!("saved {}", path.display());
                return Ok(());
            }
            Err(error) if std::io::stdin().is_terminal() => {
                eprintln!("wsdeck: {error}");
                eprint!("edit again? [Y/n] ");
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
