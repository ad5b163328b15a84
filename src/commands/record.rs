//! Starting a recording of a session, for `listen --record`, `request --record`
//! and the TUI: into the store (`<data dir>/sessions/`, pruned to the user's limits
//! first) or into a file the user named.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::config::settings::{self, SessionSettings};
use crate::outcome::{Failure, FailureClass};
use crate::recording::recorder::{Finished, Recorder, header};
use crate::recording::store;
use crate::session::{Event, SessionConfig};

use super::output::report;

/// Where a recording goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordTo {
    /// A new file in the store.
    Store,
    /// This file (never overwritten).
    File(PathBuf),
}

impl RecordTo {
    /// What `--record [PATH]` asks for: nothing, the store, or a file.
    pub fn from_flag(flag: Option<&Option<PathBuf>>) -> Option<RecordTo> {
        flag.map(|path| match path {
            Some(path) => RecordTo::File(path.clone()),
            None => RecordTo::Store,
        })
    }
}

/// The user's `[sessions]` settings; a broken `settings.toml` is INVALID_INPUT
/// with its line and column.
pub fn session_settings() -> Result<SessionSettings, Failure> {
    settings::user_settings()
        .map(|settings| settings.sessions)
        .map_err(|mistake| Failure::new(FailureClass::InvalidInput, mistake.to_string()))
}

/// Starts recording the session `config` (started from `profile`, if any) to
/// `to`. A store that is over its limits is pruned first (the oldest recordings
/// go); a failure to prune becomes a warning line in the recording, never an error.
pub fn start(
    to: &RecordTo,
    config: &SessionConfig,
    profile: Option<String>,
    settings: &SessionSettings,
) -> Result<Recorder, String> {
    let header = header(
        &super::request::shown_url(config),
        profile,
        &config.provider,
    );
    match to {
        RecordTo::File(path) => Recorder::to_path(path, header).map_err(|error| error.to_string()),
        RecordTo::Store => {
            let dir = store::default_dir().ok_or_else(|| {
                "there is no data directory to record into: set WSDECK_DATA_DIR".to_string()
            })?;
            let mut recorder =
                Recorder::in_store(&dir, header).map_err(|error| error.to_string())?;
            let keep = recorder.path().to_path_buf();
            if let Err(error) = store::prune(&dir, settings.limits, SystemTime::now(), Some(&keep))
            {
                recorder.note(
                    "warning",
                    format!("old recordings were not pruned: {error}"),
                );
            }
            Ok(recorder)
        }
    }
}

/// `path` as shown to the user: the home directory as `~`, control characters
/// escaped.
pub fn shown_path(path: &Path) -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let shown = match home
        .as_deref()
        .and_then(|home| path.strip_prefix(home).ok())
    {
        Some(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    };
    crate::terminal_text::one_line(&shown).into_owned()
}

/// The recorder `--record [PATH]` asks for, started before connecting; a file
/// that cannot be created is INVALID_INPUT (nothing was sent yet).
pub fn for_command(
    flag: Option<&Option<PathBuf>>,
    config: &SessionConfig,
    profile: Option<String>,
) -> Result<Option<Recorder>, Failure> {
    let Some(to) = RecordTo::from_flag(flag) else {
        return Ok(None);
    };
    let settings = session_settings()?;
    start(&to, config, profile, &settings)
        .map(Some)
        .map_err(|message| {
            Failure::new(
                FailureClass::InvalidInput,
                format!("cannot record: {message}"),
            )
        })
}

/// Gives a batch of events to `recorder` (if recording) and hands them off; a
/// write failure is said on stderr, once, and the command goes on.
pub fn take_batch(recorder: Option<&mut Recorder>, batch: &[Event]) {
    let Some(recorder) = recorder else {
        return;
    };
    for event in batch {
        recorder.record(event);
    }
    recorder.hand_off();
    if let Some(problem) = recorder.try_problem() {
        report(&problem.to_string());
    }
}

/// Finishes `recorder` (if recording) and names its file on stderr, or says why
/// it stopped early.
pub async fn finish(recorder: Option<Recorder>) {
    let Some(recorder) = recorder else {
        return;
    };
    let finished = recorder.finish().await;
    report(&finished_line(&finished));
}

/// What is said about a finished recording.
pub fn finished_line(finished: &Finished) -> String {
    let path = shown_path(&finished.path);
    match &finished.problem {
        Some(problem) if !finished.problem_told => {
            format!("{problem}; what was written is in {path}")
        }
        Some(_) => format!("the recording stopped early; what was written is in {path}"),
        None if finished.lost > 0 => format!(
            "session recorded in {path} ({} records lost: the disk could not keep up)",
            finished.lost
        ),
        None => format!("session recorded in {path}"),
    }
}
