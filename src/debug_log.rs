//! The debug log: with `--log-file PATH`, what the engine traces (connect attempts,
//! handshakes, closes, reconnects, auth verdicts, heartbeats, frame sizes) goes to
//! that file, filtered by `WSDECK_LOG` (`RUST_LOG` syntax, [`DEFAULT_FILTER`] when
//! unset). Never to the terminal: the TUI owns it. Without `--log-file` no
//! subscriber is installed and every trace call is a check of a cached flag.
//!
//! The file is opened before anything else starts, appended to, and readable by its
//! owner only (mode 0600: it names servers, and carries close reasons and errors).
//! Lines are written by a background thread; [`DebugLog`] flushes them when dropped.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::outcome::{Failure, FailureClass};

/// The environment variable that holds the filter (`wsdeck=trace`,
/// `wsdeck::session::connect=debug,wsdeck=info`).
pub const FILTER_ENV: &str = "WSDECK_LOG";

/// The filter when [`FILTER_ENV`] is unset or empty: everything wsdeck says at
/// `debug` and above; frame sizes are at `trace`.
pub const DEFAULT_FILTER: &str = "wsdeck=debug";

/// The running debug log. Keep it alive while the program runs; dropping it writes
/// out the lines still waiting.
#[derive(Debug)]
pub struct DebugLog {
    _flush_on_drop: WorkerGuard,
}

/// Starts the debug log into `path`, with the filter from [`FILTER_ENV`]: installs the
/// global subscriber. Fails with [`FailureClass::InvalidInput`] (exit 2) when the
/// file cannot be opened or the filter is not valid; fails the same way if a
/// subscriber is already installed (only a second call in one process could do that).
pub fn start(path: &Path) -> Result<DebugLog, Failure> {
    let filter = filter_from(std::env::var(FILTER_ENV).ok().as_deref())?;
    let file = open(path).map_err(|error| {
        invalid(format!(
            "cannot open the log file {}: {error}",
            path.display()
        ))
    })?;
    let (writer, guard) = tracing_appender::non_blocking(EscapedLines(file));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|error| invalid(format!("cannot start the debug log: {error}")))?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        "wsdeck started"
    );
    Ok(DebugLog {
        _flush_on_drop: guard,
    })
}

/// A writer that escapes control and bidi characters in each line it is given (the
/// line's final newline kept): close reasons, error texts and URLs come from
/// servers, and a log read with `cat` or `tail -f` must not run their escape
/// sequences. It runs on the log's background thread, off the connection's path.
struct EscapedLines<W>(W);

impl<W: io::Write> io::Write for EscapedLines<W> {
    fn write(&mut self, line: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(line);
        let (content, newline) = match text.strip_suffix('\n') {
            Some(content) => (content, "\n"),
            None => (&*text, ""),
        };
        let escaped = crate::terminal_text::one_line(content);
        self.0.write_all(escaped.as_bytes())?;
        self.0.write_all(newline.as_bytes())?;
        Ok(line.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The filter `value` spells (unset or blank: [`DEFAULT_FILTER`]).
fn filter_from(value: Option<&str>) -> Result<EnvFilter, Failure> {
    let text = value
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .unwrap_or(DEFAULT_FILTER);
    EnvFilter::builder().parse(text).map_err(|error| {
        invalid(format!(
            "{FILTER_ENV}={text:?} is not a valid filter: {error}"
        ))
    })
}

/// Opens `path` for appending, creating it with mode 0600. A regular file that
/// others could read is made private; anything else (`/dev/null`, a FIFO) is left
/// as it is.
fn open(path: &Path) -> io::Result<File> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_file() && metadata.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// An invalid-input failure saying `message`.
fn invalid(message: String) -> Failure {
    Failure::new(FailureClass::InvalidInput, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_servers_escape_sequences_reach_the_file_escaped() {
        use std::io::Write as _;
        let mut out = EscapedLines(Vec::new());
        out.write_all("closed reason=a\x1b]0;pwned\x07b\u{202e}c\n".as_bytes())
            .expect("written");
        let written = String::from_utf8(out.0).expect("UTF-8");
        assert_eq!(written, "closed reason=a\\x1b]0;pwned\\x07b\\u202ec\n");
    }

    #[test]
    fn an_unset_or_blank_filter_is_the_default() {
        for value in [None, Some(""), Some("  ")] {
            let filter = filter_from(value).expect("the default parses");
            assert_eq!(filter.to_string(), DEFAULT_FILTER);
        }
    }

    #[test]
    fn a_broken_filter_is_invalid_input_naming_the_variable() {
        let failure = filter_from(Some("wsdeck=loud")).expect_err("not a level");
        assert_eq!(failure.class, FailureClass::InvalidInput);
        assert!(
            failure.message.starts_with("WSDECK_LOG="),
            "{}",
            failure.message
        );
    }

    #[test]
    fn a_new_file_is_private_and_an_open_one_is_made_private() {
        let dir = tempfile::tempdir().expect("temp dir");
        let fresh = dir.path().join("fresh.log");
        open(&fresh).expect("created");
        let mode = |path: &Path| {
            std::fs::metadata(path)
                .expect("exists")
                .permissions()
                .mode()
        };
        assert_eq!(mode(&fresh) & 0o777, 0o600);
        let shared = dir.path().join("shared.log");
        std::fs::write(&shared, "old line\n").expect("written");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        open(&shared).expect("opened");
        assert_eq!(mode(&shared) & 0o777, 0o600);
        assert_eq!(
            std::fs::read_to_string(&shared).expect("read"),
            "old line\n"
        );
    }
}
