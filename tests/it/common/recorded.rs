//! Recordings for the replay and `serve --script` tests, written with the
//! library's own [`RecordWriter`], and the two commands run as real processes:
//! `serve --script` in the background (its URL read from its first line, its stderr
//! collected), `replay` with the time each stdout line arrived.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use wsdeck::recording::{
    FORMAT_VERSION, FrameRecord, Record, RecordWriter, RecordedDirection, SessionHeader, Timestamp,
};
use wsdeck::session::FrameKind;

use super::binary::{LIMIT, Reaped, Run, drain, wait_within_limit, wsdeck};

/// A recording built by hand: records at given milliseconds after its start.
pub struct Recorded {
    start: SystemTime,
    records: Vec<Record>,
}

impl Default for Recorded {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorded {
    /// An empty recording starting now (rounded to a millisecond, as written).
    pub fn new() -> Self {
        Self {
            start: Timestamp::truncated(SystemTime::now()).0,
            records: Vec::new(),
        }
    }

    fn at(&self, millis: u64) -> Timestamp {
        Timestamp(self.start + Duration::from_millis(millis))
    }

    /// Adds a frame.
    pub fn frame(
        mut self,
        millis: u64,
        direction: RecordedDirection,
        kind: FrameKind,
        bytes: &[u8],
    ) -> Self {
        let time = self.at(millis);
        self.records.push(Record::Frame(FrameRecord::data(
            time, direction, kind, bytes,
        )));
        self
    }

    /// A text message sent by the client.
    pub fn out_text(self, millis: u64, text: &str) -> Self {
        self.frame(
            millis,
            RecordedDirection::Outgoing,
            FrameKind::Text,
            text.as_bytes(),
        )
    }

    /// A text message sent by the server.
    pub fn in_text(self, millis: u64, text: &str) -> Self {
        self.frame(
            millis,
            RecordedDirection::Incoming,
            FrameKind::Text,
            text.as_bytes(),
        )
    }

    /// A binary message sent by the client.
    pub fn out_binary(self, millis: u64, bytes: &[u8]) -> Self {
        self.frame(
            millis,
            RecordedDirection::Outgoing,
            FrameKind::Binary,
            bytes,
        )
    }

    /// A binary message sent by the server.
    pub fn in_binary(self, millis: u64, bytes: &[u8]) -> Self {
        self.frame(
            millis,
            RecordedDirection::Incoming,
            FrameKind::Binary,
            bytes,
        )
    }

    /// The server closed the connection with `code` and `reason`.
    pub fn closed_by_server(mut self, millis: u64, code: u16, reason: &str) -> Self {
        self.records.push(Record::Closed {
            time: self.at(millis),
            code: Some(code),
            reason: reason.into(),
            by_peer: true,
            clean: true,
        });
        self
    }

    /// Writes it (a session header first) to `dir/name` and returns the path.
    pub fn write(&self, dir: &Path, name: &str) -> PathBuf {
        let header = Record::Session(SessionHeader {
            version: FORMAT_VERSION,
            wsdeck: "test".into(),
            started: Timestamp(self.start),
            url: "ws://127.0.0.1:9/".into(),
            profile: None,
            provider: None,
        });
        write_records(dir, name, std::iter::once(&header).chain(&self.records))
    }
}

/// Writes `records` to `dir/name` with [`RecordWriter`] and returns the path.
pub fn write_records<'a>(
    dir: &Path,
    name: &str,
    records: impl IntoIterator<Item = &'a Record>,
) -> PathBuf {
    let mut writer = RecordWriter::new(Vec::new());
    for record in records {
        writer.write(record).expect("a record is written");
    }
    let path = dir.join(name);
    std::fs::write(&path, writer.into_inner()).expect("the recording is written");
    path
}

/// `wsdeck serve --port 0 --script FILE ARGS…`, running until dropped.
pub struct ScriptServer {
    /// `ws://127.0.0.1:PORT`.
    pub url: String,
    stderr: Arc<Mutex<String>>,
    _child: Reaped,
}

impl ScriptServer {
    /// Starts it and waits (bounded) for the URL it announces.
    pub fn start(script: &Path, args: &[&str]) -> ScriptServer {
        let mut command = wsdeck(&["serve", "--port", "0", "--script"]);
        command.arg(script).args(args);
        let mut child = Reaped(command.spawn().expect("spawn wsdeck serve --script"));
        let stdout = child.0.stdout.take().expect("piped stdout");
        let mut stderr_pipe = child.0.stderr.take().expect("piped stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(read) = stderr_pipe.read(&mut buffer) {
                if read == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buffer[..read]).into_owned();
                collected.lock().expect("stderr lock").push_str(&text);
            }
        });
        let (first_tx, first_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut first = String::new();
            let _ = BufReader::new(stdout).read_line(&mut first);
            let _ = first_tx.send(first);
        });
        let first = first_rx.recv_timeout(LIMIT).unwrap_or_else(|_| {
            panic!(
                "serve --script announced no URL; stderr: {}",
                stderr.lock().expect("stderr lock")
            )
        });
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {first:?}; stderr: {}",
                    stderr.lock().expect("stderr lock")
                )
            })
            .to_owned();
        ScriptServer {
            url,
            stderr,
            _child: child,
        }
    }

    /// Waits (bounded) until its stderr holds `needle`, and returns all of it.
    pub fn stderr_with(&self, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.stderr.lock().expect("stderr lock").clone();
            if text.contains(needle) {
                return text;
            }
            assert!(
                started.elapsed() < LIMIT,
                "serve --script never wrote {needle:?}; stderr: {text}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// A run of a command whose stdout lines were timed as they arrived (from spawn).
pub struct TimedRun {
    /// Each stdout line and when it came.
    pub lines: Vec<(Duration, String)>,
    /// The finished run (its `stdout` is empty: the lines are above).
    pub run: Run,
}

impl TimedRun {
    /// The time between the lines `first` and `second` (panics if either is missing).
    pub fn gap(&self, first: &str, second: &str) -> Duration {
        let at = |text: &str| {
            self.lines
                .iter()
                .find(|(_, line)| line == text)
                .unwrap_or_else(|| panic!("no line {text:?} in {:?}", self.lines))
                .0
        };
        at(second).saturating_sub(at(first))
    }
}

/// Runs `command` to its end, timing each stdout line; kills it past [`LIMIT`].
pub fn run_timed(mut command: Command) -> TimedRun {
    let what = format!("{command:?}");
    let started = Instant::now();
    let mut child = Reaped(command.spawn().expect("spawn wsdeck"));
    let stdout = child.0.stdout.take().expect("piped stdout");
    let stderr_pipe = child.0.stderr.take().expect("piped stderr");
    let lines = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .map(|line| (started.elapsed(), line))
            .collect::<Vec<_>>()
    });
    let stderr = drain(Some(stderr_pipe));
    let status = wait_within_limit(child, started, &what);
    let elapsed = started.elapsed();
    TimedRun {
        lines: lines.join().expect("stdout reader"),
        run: Run {
            what,
            code: status.code().unwrap_or(-1),
            stdout: String::new(),
            stderr: stderr.join().expect("stderr reader"),
            elapsed,
        },
    }
}

/// [`run_timed`] off the async worker threads.
pub async fn finish_timed(command: Command) -> TimedRun {
    tokio::task::spawn_blocking(move || run_timed(command))
        .await
        .unwrap_or_else(|error| std::panic::resume_unwind(error.into_panic()))
}
