//! `:save FILE`: the log written as JSON lines, readable by its owner only.

use std::io::Write;
use std::path::Path;

use crate::commands::output::{LineFormat, format_time, write_frame};
use crate::state::log::LogEntry;

/// Writes the entries as JSON lines (frames as `listen --jsonl` prints them, system
/// lines as `{"time":…,"system":…}`) and returns how many. Payloads were redacted
/// by the engine.
pub fn save_log(entries: &[LogEntry], path: &Path) -> std::io::Result<usize> {
    // The log holds what the server sent: readable by its owner only, like the history.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    let mut out = std::io::BufWriter::new(file);
    for entry in entries {
        match entry {
            LogEntry::Frame(frame) => write_frame(&mut out, frame, LineFormat::JsonLines)?,
            LogEntry::System {
                timestamp, text, ..
            } => {
                let line = serde_json::json!({"time": format_time(*timestamp), "system": text});
                crate::terminal_text::write_json(&mut out, &line)?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_saved_log_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("session.jsonl");
        let entries = [LogEntry::System {
            timestamp: std::time::SystemTime::now(),
            text: "connected".into(),
            level: crate::state::log::SystemLevel::Info,
        }];
        assert_eq!(save_log(&entries, &path).expect("saved"), 1);
        let mode = std::fs::metadata(&path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
