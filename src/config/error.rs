//! [`ProfileError`]: everything that can go wrong with profiles and presets, each
//! message saying what is wrong, where, and what to do next.

use std::io;
use std::path::PathBuf;

use super::secrets::SecretError;
use crate::template::TemplateError;

/// A problem loading, checking, applying or saving a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The TOML does not parse, or a key or value is wrong; `line`/`column` are
    /// 1-based and present whenever the parser knows where (the message says them too).
    #[error("{origin}: {message}")]
    Parse {
        /// Which file or preset, e.g. `profile 'ha' (/home/me/.config/wsdeck/profiles/ha.toml)`.
        origin: String,
        /// What is wrong and where (for unknown keys: the key, the section, the
        /// position and the known keys).
        message: String,
        /// 1-based line.
        line: Option<usize>,
        /// 1-based column (in characters).
        column: Option<usize>,
        /// The unknown key, when that is the problem.
        key: Option<String>,
    },
    /// A value parsed but does not make sense (e.g. a template naming an unknown variable).
    #[error("{origin}: {field}: {message}")]
    Invalid {
        /// Which file or preset.
        origin: String,
        /// The field, e.g. `snippets[2].text`.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A secret reference could not be resolved at connect time.
    #[error("{source} (referenced by the profile's {field}{}); {}",
        .source.reference().map(|r| format!(" as {r}")).unwrap_or_default(), .source.hint())]
    Secret {
        /// The field holding the reference, e.g. `auth.token`, `url`, `headers.X-Key`.
        field: String,
        /// Why it failed.
        source: SecretError,
    },
    /// A template (on-connect message, handshake payload) could not be rendered.
    #[error("the profile's {field}: {source}")]
    Template {
        /// The field, e.g. `on_connect[1].text`.
        field: String,
        /// Why it failed.
        source: TemplateError,
    },
    /// A field's value is unusable once resolved (bad URL, header, JSON…).
    #[error("the profile's {field}: {message}")]
    Field {
        /// The field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// No profile by that name.
    #[error(
        "no profile named '{name}' (looked for {}); create it with `wsdeck profiles new {name} --preset NAME` (see `wsdeck profiles presets`) or list yours with `wsdeck profiles list`",
        .path.display()
    )]
    NotFound {
        /// The name asked for.
        name: String,
        /// The file looked for.
        path: PathBuf,
    },
    /// Creating a profile that already exists.
    #[error(
        "profile '{name}' already exists ({}); choose another name, or edit it with `wsdeck profiles edit {name}`",
        .path.display()
    )]
    AlreadyExists {
        /// The name.
        name: String,
        /// Its file.
        path: PathBuf,
    },
    /// Overwriting a file that does not parse: broken files are never overwritten.
    #[error(
        "profile '{name}' ({}) is broken, so it is left as it is rather than overwritten: {error}; fix or remove the file by hand first",
        .path.display()
    )]
    Broken {
        /// The name.
        name: String,
        /// Its file.
        path: PathBuf,
        /// Why it does not load.
        error: Box<ProfileError>,
    },
    /// A profile name that cannot be a file name.
    #[error(
        "'{name}' is not a valid profile name: {reason}; use letters, digits, '-', '_' and '.'"
    )]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Saving would write literal secrets to disk.
    #[error(
        "refusing to save a literal secret in {}: write it as \"${{env:NAME}}\" or \"${{file:PATH}}\" so it is read when connecting, or pass --store-token-in-plaintext to store it as is",
        .fields.join(", ")
    )]
    LiteralSecret {
        /// The fields holding literal secrets (`auth.token`, `headers.Authorization`…).
        fields: Vec<String>,
    },
    /// Neither `WSDECK_CONFIG_DIR` nor a home directory.
    #[error(
        "cannot find a configuration directory (no home directory); set WSDECK_CONFIG_DIR to a directory for wsdeck's profiles"
    )]
    NoConfigDir,
    /// A file system operation failed.
    #[error("cannot {action} {}: {message}", .path.display())]
    Io {
        /// What was being done (`read`, `write`, `create directory`…).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The error's kind.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// The profile cannot be written as TOML.
    #[error("cannot write the profile as TOML: {0}")]
    Serialize(String),
}

impl ProfileError {
    /// An [`ProfileError::Io`] from an `io::Error`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, error: &io::Error) -> Self {
        ProfileError::Io {
            action,
            path: path.into(),
            kind: error.kind(),
            message: error.to_string(),
        }
    }

    /// The 1-based line and column, for parse errors that have them.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            ProfileError::Parse {
                line: Some(line),
                column: Some(column),
                ..
            } => Some((*line, *column)),
            ProfileError::Broken { error, .. } => error.position(),
            _ => None,
        }
    }
}
