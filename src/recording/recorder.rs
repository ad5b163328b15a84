//! The recorder: turns a session's [`Event`]s into [`Record`]s and writes them to a
//! file on a thread of its own, so the UI never waits for the disk.
//!
//! The caller's side is cheap: [`Recorder::record`] clones a frame (its payload is
//! shared, not copied) or builds the record of a rare lifecycle event, and keeps it
//! in a buffer; [`Recorder::hand_off`] passes the buffer to the writer in one
//! channel send (call it once per batch of events). Nothing is written or
//! serialised on the caller's thread, and no system call is made per event.
//!
//! The writer holds the file in a [`BufWriter`], flushes when the channel goes quiet
//! for [`QUIET`] and at least every [`FLUSH_EVERY`] while records keep coming, and
//! writes the [`Record::End`] line when the recorder is finished. If it falls more
//! than [`MAX_IN_FLIGHT`] records behind, what the caller hands off is dropped and
//! counted instead of blocking it, and a system record says how many were lost. A
//! write error stops the recording, never the session: it comes back once as a
//! [`RecordingProblem`] ([`Recorder::problem`], [`Recorder::try_problem`] or in
//! [`Finished`]).

use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::{mpsc as async_mpsc, oneshot};

use super::Timestamp;
use super::store::{self, StoreError};
use super::{FORMAT_VERSION, FrameRecord, HandshakeRecord, Record, RecordWriter, SessionHeader};
use crate::session::{Event, Frame};

/// How long the channel must stay quiet before what is buffered is written out.
pub const QUIET: Duration = Duration::from_millis(100);
/// The longest records stay buffered while they keep coming.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How many records may wait for the writer before new ones are dropped (and
/// counted): a bound on memory when the disk cannot keep up with a flood.
pub const MAX_IN_FLIGHT: usize = 64 * 1024;
/// Records the caller buffers before handing them off by itself.
const HAND_OFF_AT: usize = 1024;

/// Writing the recording failed; the session goes on without it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recording stopped: {message} — the session goes on")]
pub struct RecordingProblem {
    /// The recording's file.
    pub path: PathBuf,
    /// What went wrong (the system's words).
    pub message: String,
}

/// How a recording ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// The file written.
    pub path: PathBuf,
    /// Records written, the header and end line included.
    pub records: u64,
    /// Records dropped because the writer could not keep up.
    pub lost: u64,
    /// The failure that stopped the recording, if one did.
    pub problem: Option<RecordingProblem>,
    /// Whether the caller already took that failure ([`Recorder::problem`],
    /// [`Recorder::try_problem`]).
    pub problem_told: bool,
}

/// What the caller hands the writer.
enum Entry {
    /// A frame, made into a record on the writer's thread.
    Frame(Frame),
    /// Any other record.
    Record(Box<Record>),
    /// This many records were dropped here.
    Lost(u64),
}

/// The header of a recording of a session on `url` starting now.
pub fn header(url: &str, profile: Option<String>, provider: &str) -> SessionHeader {
    SessionHeader {
        version: FORMAT_VERSION,
        wsdeck: env!("CARGO_PKG_VERSION").to_owned(),
        started: Timestamp::truncated(SystemTime::now()),
        url: url.to_owned(),
        profile,
        provider: (provider != "raw" && !provider.is_empty()).then(|| provider.to_owned()),
    }
}

/// Records one session into one file.
pub struct Recorder {
    path: PathBuf,
    pending: Vec<Entry>,
    sender: Option<mpsc::Sender<Vec<Entry>>>,
    /// Emptied buffers the writer hands back, so handing off allocates nothing.
    spare: mpsc::Receiver<Vec<Entry>>,
    in_flight: Arc<AtomicUsize>,
    stopped: Arc<AtomicBool>,
    dropped: u64,
    lost: u64,
    problems: async_mpsc::UnboundedReceiver<RecordingProblem>,
    problem_taken: bool,
    done: oneshot::Receiver<WriterEnd>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

/// What the writer thread reports when it stops.
struct WriterEnd {
    records: u64,
    problem: Option<RecordingProblem>,
}

impl Recorder {
    /// Starts recording into a new file in the store's directory `dir` (created
    /// 0700 if missing), named by the header's start time and URL.
    pub fn in_store(dir: &Path, header: SessionHeader) -> Result<Recorder, StoreError> {
        let (path, file) = store::create_file(dir, header.started.0, &header.url)?;
        Self::start(path.clone(), file, header).map_err(|source| StoreError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Starts recording into the new file `path` (mode 0600); an existing file is
    /// never overwritten (a device such as `/dev/null` is written to).
    pub fn to_path(path: &Path, header: SessionHeader) -> Result<Recorder, StoreError> {
        // A device (`/dev/null`, a fifo) is written to as it is; a file never replaced.
        let device = std::fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir());
        let opened = if device {
            std::fs::OpenOptions::new().write(true).open(path)
        } else {
            store::open_private(path)
        };
        let file = opened.map_err(|source| StoreError::Io {
            path: path.display().to_string(),
            source: if source.kind() == io::ErrorKind::AlreadyExists {
                io::Error::new(
                    source.kind(),
                    "the file exists; give a new path (a recording never overwrites one)",
                )
            } else {
                source
            },
        })?;
        Self::start(path.to_path_buf(), file, header).map_err(|source| StoreError::Io {
            path: path.display().to_string(),
            source,
        })
    }

    /// Starts the writer thread on `file` (already created at `path`): it writes
    /// `header` first.
    pub fn start(path: PathBuf, file: File, header: SessionHeader) -> io::Result<Recorder> {
        let (sender, batches) = mpsc::channel();
        let (spare_sender, spare) = mpsc::channel();
        let (problem_sender, problems) = async_mpsc::unbounded_channel();
        let (done_sender, done) = oneshot::channel();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let stopped = Arc::new(AtomicBool::new(false));
        let writer = Writer {
            path: path.clone(),
            batches,
            spare: spare_sender,
            in_flight: Arc::clone(&in_flight),
            stopped: Arc::clone(&stopped),
            problems: problem_sender,
        };
        std::thread::Builder::new()
            .name("wsdeck-recorder".into())
            .spawn(move || {
                let end = writer.run(file, header);
                let _ = done_sender.send(end);
            })?;
        Ok(Recorder {
            path,
            pending: Vec::with_capacity(HAND_OFF_AT),
            sender: Some(sender),
            spare,
            in_flight,
            stopped,
            dropped: 0,
            lost: 0,
            problems,
            problem_taken: false,
            done,
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes in one event; frames and lifecycle events become records, counters
    /// and UI-only events are left out. Hand off after each batch.
    pub fn record(&mut self, event: &Event) {
        let entry = match event {
            Event::Frame(frame) => Entry::Frame(frame.clone()),
            other => match lifecycle_record(other, SystemTime::now()) {
                Some(record) => Entry::Record(Box::new(record)),
                None => return,
            },
        };
        self.pending.push(entry);
        if self.pending.len() >= HAND_OFF_AT {
            self.hand_off();
        }
    }

    /// Adds a system line of its own (`level`: `info`, `warning` or `error`).
    pub fn note(&mut self, level: &str, text: impl Into<String>) {
        self.pending.push(Entry::Record(Box::new(Record::System {
            time: Timestamp::truncated(SystemTime::now()),
            level: level.to_owned(),
            text: text.into(),
        })));
    }

    /// Passes what was recorded since the last hand-off to the writer, in one send.
    /// When the writer is too far behind it is dropped and counted instead.
    pub fn hand_off(&mut self) {
        self.hand_off_bounded(true);
    }

    fn hand_off_bounded(&mut self, bounded: bool) {
        if self.pending.is_empty() && self.dropped == 0 {
            return;
        }
        let Some(sender) = self.sender.as_ref() else {
            self.pending.clear();
            return;
        };
        if self.stopped.load(Ordering::Relaxed) {
            self.pending.clear();
            return;
        }
        let waiting = self.in_flight.load(Ordering::Relaxed);
        if bounded && waiting + self.pending.len() > MAX_IN_FLIGHT {
            self.dropped += self.pending.len() as u64;
            self.pending.clear();
            return;
        }
        if self.dropped > 0 {
            // Where the hole is: before what comes next.
            self.pending.insert(0, Entry::Lost(self.dropped));
            self.lost += self.dropped;
            self.dropped = 0;
        }
        self.in_flight
            .fetch_add(self.pending.len(), Ordering::Relaxed);
        let next = self
            .spare
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(HAND_OFF_AT));
        let batch = std::mem::replace(&mut self.pending, next);
        if sender.send(batch).is_err() {
            self.stopped.store(true, Ordering::Relaxed);
        }
    }

    /// The failure that stopped the recording, once, as soon as it happens.
    pub async fn problem(&mut self) -> Option<RecordingProblem> {
        if self.problem_taken {
            return std::future::pending().await;
        }
        let problem = self.problems.recv().await;
        match problem {
            Some(problem) => {
                self.problem_taken = true;
                Some(problem)
            }
            // The writer ended without a problem: none will come.
            None => std::future::pending().await,
        }
    }

    /// The failure that stopped the recording, if there was one and it was not
    /// taken yet.
    pub fn try_problem(&mut self) -> Option<RecordingProblem> {
        if self.problem_taken {
            return None;
        }
        let problem = self.problems.try_recv().ok()?;
        self.problem_taken = true;
        Some(problem)
    }

    /// Hands off the rest, lets the writer write the end line and flush, and
    /// waits for it: once this returns, everything recorded is in the file.
    pub async fn finish(mut self) -> Finished {
        self.hand_off_bounded(false);
        self.sender = None;
        let end = (&mut self.done).await.unwrap_or_else(|_| WriterEnd {
            records: 0,
            problem: Some(RecordingProblem {
                path: self.path.clone(),
                message: "the recorder's thread stopped unexpectedly".into(),
            }),
        });
        Finished {
            path: self.path.clone(),
            records: end.records,
            lost: self.lost + self.dropped,
            problem: end.problem,
            problem_told: self.problem_taken,
        }
    }
}

/// The record of an event other than a frame, `None` for what a recording leaves
/// out (counters, queue notes, adapter status, the actor's stop).
pub fn lifecycle_record(event: &Event, now: SystemTime) -> Option<Record> {
    let time = Timestamp::truncated(now);
    let system = |level: &str, text: String| Record::System {
        time,
        level: level.to_owned(),
        text,
    };
    Some(match event {
        Event::StateChanged(state) => Record::State {
            time,
            state: state.as_str().to_owned(),
        },
        Event::Opened(info) => Record::Handshake(HandshakeRecord::from_connection(time.0, info)),
        Event::Frame(frame) => Record::Frame(FrameRecord::from_frame(frame)),
        Event::Error { message, .. } => system("error", message.clone()),
        Event::SendFailed { id, message, .. } => {
            system("error", format!("message {id} was not sent: {message}"))
        }
        Event::Notice(message) => system("warning", message.clone()),
        Event::ReconnectScheduled {
            attempt,
            max_attempts,
            delay,
        } => {
            let max = max_attempts.map_or_else(|| "∞".to_owned(), |max| max.to_string());
            system(
                "warning",
                format!(
                    "reconnecting in {:.1} s (attempt {attempt}/{max})",
                    delay.as_secs_f64()
                ),
            )
        }
        Event::Closed(outcome) => Record::closed(now, outcome),
        Event::Unconfirmed { ids, total } if ids.is_empty() => system(
            "info",
            format!("{total} unconfirmed messages queued to be sent again"),
        ),
        Event::Unconfirmed { ids, total } => system(
            "warning",
            format!(
                "{} messages went out but nothing confirmed them before the link broke ({total} unconfirmed)",
                ids.len()
            ),
        ),
        Event::ProviderRecognised { provider, evidence } => {
            system("info", format!("this looks like {provider} ({evidence})"))
        }
        Event::ProviderChanged { provider, .. } => system(
            "info",
            format!("provider {provider}: reconnecting with its adapter"),
        ),
        Event::Queued { .. }
        | Event::Stats(_)
        | Event::Rtt(_)
        | Event::AdapterStatus(_)
        | Event::Schedule(_)
        | Event::Stopped => return None,
    })
}

/// The writer thread's side.
struct Writer {
    path: PathBuf,
    batches: mpsc::Receiver<Vec<Entry>>,
    spare: mpsc::Sender<Vec<Entry>>,
    in_flight: Arc<AtomicUsize>,
    stopped: Arc<AtomicBool>,
    problems: async_mpsc::UnboundedSender<RecordingProblem>,
}

impl Writer {
    fn run(self, file: File, header: SessionHeader) -> WriterEnd {
        let mut records = 0;
        let result = self.write_all(file, header, &mut records);
        let problem = result.err().map(|error| {
            self.stopped.store(true, Ordering::Relaxed);
            let problem = RecordingProblem {
                path: self.path.clone(),
                message: error.to_string(),
            };
            let _ = self.problems.send(problem.clone());
            problem
        });
        WriterEnd { records, problem }
    }

    fn write_all(&self, file: File, header: SessionHeader, records: &mut u64) -> io::Result<()> {
        let mut out = RecordWriter::new(BufWriter::with_capacity(64 * 1024, file));
        out.write(&Record::Session(header))?;
        *records += 1;
        out.flush()?;
        let mut dirty = false;
        let mut last_flush = Instant::now();
        loop {
            let received = if dirty {
                let until_due = FLUSH_EVERY.saturating_sub(last_flush.elapsed());
                self.batches.recv_timeout(QUIET.min(until_due))
            } else {
                // Nothing buffered: sleep until there is something to write.
                self.batches
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected)
            };
            match received {
                Ok(mut batch) => {
                    let count = batch.len();
                    for entry in batch.drain(..) {
                        out.write(&entry.into_record())?;
                    }
                    *records += count as u64;
                    self.in_flight.fetch_sub(count, Ordering::Relaxed);
                    let _ = self.spare.send(batch);
                    dirty = true;
                    if last_flush.elapsed() >= FLUSH_EVERY {
                        out.flush()?;
                        dirty = false;
                        last_flush = Instant::now();
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    out.flush()?;
                    dirty = false;
                    last_flush = Instant::now();
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        out.write(&Record::End {
            time: Timestamp::truncated(SystemTime::now()),
        })?;
        *records += 1;
        out.flush()
    }
}

impl Entry {
    fn into_record(self) -> Record {
        match self {
            Entry::Frame(frame) => Record::Frame(FrameRecord::from_frame(&frame)),
            Entry::Record(record) => *record,
            Entry::Lost(count) => Record::System {
                time: Timestamp::truncated(SystemTime::now()),
                level: "warning".to_owned(),
                text: format!(
                    "{count} records were lost here: the recording could not keep up with the session"
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;
    use std::os::fd::FromRawFd as _;

    use bytes::Bytes;

    use crate::session::ConnectionInfo;

    use super::*;
    use crate::recording::Recording;
    use crate::session::{ConnectionState, Direction, FrameKind};

    fn frame(id: u64, text: &str) -> Event {
        Event::Frame(Frame {
            id,
            direction: Direction::Incoming,
            kind: FrameKind::Text,
            payload: Bytes::copy_from_slice(text.as_bytes()),
            wire_len: text.len() as u32,
            timestamp: SystemTime::now(),
            close_code: None,
            decoded: None,
        })
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn what_was_handed_off_is_in_the_file_once_the_channel_goes_quiet() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("r.jsonl");
        let mut recorder =
            Recorder::to_path(&path, header("ws://h:1/", None, "raw")).expect("starts");
        recorder.record(&Event::StateChanged(ConnectionState::Connecting));
        recorder.record(&frame(1, "first"));
        recorder.record(&Event::Stats(Box::default()));
        recorder.hand_off();
        std::thread::sleep(QUIET * 5);
        let written = std::fs::read_to_string(&path).expect("file");
        assert_eq!(
            written.lines().count(),
            3,
            "header, state, frame:\n{written}"
        );
        assert!(written.contains(r#""data":"first""#), "{written}");
        let finished = runtime().block_on(recorder.finish());
        assert_eq!(finished.records, 4);
        assert_eq!((finished.lost, finished.problem), (0, None));
        let recording = Recording::read(&path).expect("reads");
        assert!(matches!(recording.records.last(), Some(Record::End { .. })));
    }

    #[test]
    fn a_writer_that_cannot_keep_up_drops_and_counts_instead_of_blocking() {
        let mut fds = [0; 2];
        // SAFETY: `pipe` fills two new descriptors, each owned by one File below.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let (mut reading, writing) =
            unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) };
        let mut recorder = Recorder::start(
            PathBuf::from("pipe"),
            writing,
            header("ws://h:1/", None, "raw"),
        )
        .expect("starts");
        // Nobody reads the pipe yet: the writer stalls once it and the buffer are
        // full, and every hand-off after that must return at once.
        let total = 4 * MAX_IN_FLIGHT as u64;
        for id in 0..total {
            recorder.record(&frame(id, "a frame of some forty bytes, give or take"));
        }
        recorder.hand_off();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            reading.read_to_string(&mut text).expect("pipe read");
            text
        });
        let finished = runtime().block_on(recorder.finish());
        let text = reader.join().expect("reader");
        let recording = Recording::from_reader(std::io::Cursor::new(text), "pipe").expect("reads");
        let frames = recording.frames().count() as u64;
        assert!(finished.lost > 0, "nothing was dropped");
        assert_eq!(frames + finished.lost, total);
        let lost_lines: u64 = recording
            .records
            .iter()
            .filter_map(|record| match record {
                Record::System { text, .. } => text
                    .strip_suffix(
                        " records were lost here: the recording could not keep up with the session",
                    )
                    .map(|count| count.parse::<u64>().expect("a count")),
                _ => None,
            })
            .sum();
        assert_eq!(lost_lines, finished.lost);
        assert!(matches!(recording.records.last(), Some(Record::End { .. })));
    }

    #[test]
    fn lifecycle_events_become_records_and_counters_do_not() {
        let now = SystemTime::now();
        let mut info = ConnectionInfo {
            url: "ws://h:1/?token=***".into(),
            subprotocol: Some("graphql-transport-ws".into()),
            ..ConnectionInfo::default()
        };
        info.handshake.status = 101;
        info.handshake.response_headers = vec![(
            "sec-websocket-extensions".into(),
            "permessage-deflate".into(),
        )];
        let Some(Record::Handshake(handshake)) =
            lifecycle_record(&Event::Opened(Box::new(info)), now)
        else {
            panic!("a handshake record");
        };
        assert_eq!(handshake.extensions.as_deref(), Some("permessage-deflate"));
        assert_eq!(
            handshake.subprotocol.as_deref(),
            Some("graphql-transport-ws")
        );
        assert_eq!(handshake.status, 101);
        let notice = lifecycle_record(&Event::Notice("careful".into()), now);
        assert!(
            matches!(notice, Some(Record::System { ref level, ref text, .. }) if level == "warning" && text == "careful"),
            "{notice:?}"
        );
        assert_eq!(lifecycle_record(&Event::Stats(Box::default()), now), None);
        assert_eq!(lifecycle_record(&Event::Stopped, now), None);
    }
}
