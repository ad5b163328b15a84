//! `wsdeck keys`: the key reference, as the TUI will use it (with the user's
//! `keys.toml`) or as built in (`--defaults`), in text or Markdown.

use crate::cli::KeysArgs;
use crate::commands::output;
use crate::config::store::ProfileStore;
use crate::keymap::user_file::KEYS_FILE;
use crate::keymap::{Keymap, reference};
use crate::outcome::{Failure, FailureClass};

/// Prints the key reference; a broken `keys.toml` is INVALID_INPUT with its
/// line and column.
pub fn run(args: KeysArgs) -> Result<(), Failure> {
    if args.path {
        let store = ProfileStore::from_env()
            .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
        return output::print(&format!(
            "{}\n",
            store.config_dir().join(KEYS_FILE).display()
        ));
    }
    let keymap = if args.defaults {
        Keymap::default()
    } else {
        user_keymap()?
    };
    let text = if args.markdown {
        reference::markdown(&keymap)
    } else {
        reference::plain(&keymap)
    };
    output::print(&text)
}

/// The keymap the TUI uses: the defaults with `keys.toml` from the configuration
/// directory applied (`WSDECK_CONFIG_DIR` or the platform's).
pub fn user_keymap() -> Result<Keymap, Failure> {
    let Ok(store) = ProfileStore::from_env() else {
        return Ok(Keymap::default());
    };
    Keymap::load(store.config_dir())
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.to_string()))
}
