//! `wsdeck sessions`: the recorded sessions, newest first, with their start time
//! (UTC), URL, profile, duration, frames in and out and size; `--json` for scripts,
//! `--prune` to apply the limits now, `path` for the directory.
//!
//! A listing reads each file's header and counts its frames in one streaming pass
//! (see [`crate::recording::store::summarise`]): no JSON parsing but of the first
//! and last lines, so hundreds of files list at once.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, SystemTime};

use serde_json::json;

use crate::cli::{SessionsAction, SessionsArgs};
use crate::outcome::{Failure, FailureClass};
use crate::recording::store::{self, Summary};
use crate::terminal_text;
use crate::ui::log_pane::human_size;

use super::output::print;
use super::record::{session_settings, shown_path};

/// The widest URL shown in the table; longer ones are cut with `…`.
const URL_WIDTH: usize = 48;

/// Runs `wsdeck sessions`.
pub fn run(args: SessionsArgs) -> Result<(), Failure> {
    let dir = store::default_dir().ok_or_else(|| {
        Failure::new(
            FailureClass::InvalidInput,
            "there is no data directory: set WSDECK_DATA_DIR",
        )
    })?;
    if args.action == Some(SessionsAction::Path) {
        return print(&format!("{}\n", dir.display()));
    }
    if args.prune {
        return prune(&dir);
    }
    let summaries = list(&dir)?;
    if args.json {
        let mut out = String::new();
        for summary in &summaries {
            out.push_str(&terminal_text::json_string(&summary_json(summary)));
            out.push('\n');
        }
        return print(&out);
    }
    print(&table(&dir, &summaries))
}

/// Every recording in `dir`, newest first; one that cannot be read is left out.
pub fn list(dir: &Path) -> Result<Vec<Summary>, Failure> {
    let files = store::files(dir)
        .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
    Ok(files
        .iter()
        .filter_map(|path| store::summarise(path).ok())
        .collect())
}

fn prune(dir: &Path) -> Result<(), Failure> {
    let limits = session_settings()?.limits;
    let pruned = store::prune(dir, limits, SystemTime::now(), None)
        .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
    let line = if pruned.removed.is_empty() {
        format!(
            "nothing to prune: {} keeps to {} and {}\n",
            shown_path(dir),
            human_size(usize::try_from(limits.max_bytes).unwrap_or(usize::MAX)),
            humantime::format_duration(limits.max_age)
        )
    } else {
        format!(
            "removed {} recordings ({}) from {}\n",
            pruned.removed.len(),
            human_size(usize::try_from(pruned.bytes).unwrap_or(usize::MAX)),
            shown_path(dir)
        )
    };
    print(&line)
}

/// One recording as a JSON object.
fn summary_json(summary: &Summary) -> serde_json::Value {
    let header = summary.header.as_ref();
    json!({
        "id": summary.id,
        "path": summary.path.display().to_string(),
        "started": header.map(|header| humantime::format_rfc3339_millis(header.started.0).to_string()),
        "url": header.map(|header| header.url.clone()),
        "profile": header.and_then(|header| header.profile.clone()),
        "provider": header.and_then(|header| header.provider.clone()),
        "duration_ms": summary.duration().map(|duration| duration.as_millis() as u64),
        "frames_in": summary.frames_in,
        "frames_out": summary.frames_out,
        "size": summary.size,
        "cut_short": summary.cut_short,
    })
}

/// The listing: a header line naming the directory, then one row per recording.
fn table(dir: &Path, summaries: &[Summary]) -> String {
    let mut out = String::new();
    if summaries.is_empty() {
        let _ = writeln!(out, "no recordings yet in {}", shown_path(dir));
        return out;
    }
    let _ = writeln!(
        out,
        "{} recording{} in {} (times UTC; `wsdeck open ID` opens one)",
        summaries.len(),
        if summaries.len() == 1 { "" } else { "s" },
        shown_path(dir)
    );
    let id_width = summaries
        .iter()
        .map(|summary| summary.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        out,
        "{:id_width$}  {:19}  {:URL_WIDTH$}  {:12}  {:>9}  {:>7}  {:>7}  {:>9}",
        "ID", "STARTED", "URL", "PROFILE", "DURATION", "IN", "OUT", "SIZE"
    );
    for summary in summaries {
        let header = summary.header.as_ref();
        let started = header.map_or_else(
            || "?".to_owned(),
            |header| {
                humantime::format_rfc3339_seconds(header.started.0)
                    .to_string()
                    .replace('T', " ")
                    .trim_end_matches('Z')
                    .to_owned()
            },
        );
        let url = header.map_or("?", |header| header.url.as_str());
        let profile = header
            .and_then(|header| header.profile.as_deref())
            .unwrap_or("-");
        let duration = summary
            .duration()
            .map_or_else(|| "?".to_owned(), short_duration);
        let mut line = format!(
            "{:id_width$}  {:19}  {:URL_WIDTH$}  {:12}  {:>9}  {:>7}  {:>7}  {:>9}",
            summary.id,
            started,
            cut(&terminal_text::one_line(url), URL_WIDTH),
            cut(&terminal_text::one_line(profile), 12),
            duration,
            summary.frames_in,
            summary.frames_out,
            human_size(usize::try_from(summary.size).unwrap_or(usize::MAX)),
        );
        if summary.cut_short {
            line.push_str("  (cut short)");
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// `text` cut to `width` characters, the last one `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// `4.2s`, `3m 05s`, `2h 07m`.
fn short_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds < 60 {
        format!("{:.1}s", duration.as_secs_f64())
    } else if seconds < 3600 {
        format!("{}m {:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{}h {:02}m", seconds / 3600, seconds % 3600 / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_cuts_read_well() {
        assert_eq!(short_duration(Duration::from_millis(4200)), "4.2s");
        assert_eq!(short_duration(Duration::from_secs(185)), "3m 05s");
        assert_eq!(short_duration(Duration::from_secs(7620)), "2h 07m");
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
    }
}
