//! `wsdeck replay FILE URL`: the outgoing text and binary messages of a recording
//! sent again, byte for byte, with their original timing (scaled by `--speed`),
//! over the same session engine and connection flags as `send`; replies printed as
//! `listen` prints them. A one-shot: a lost link is reported, not retried.
//!
//! Timing is measured from the first outgoing message: it goes as soon as the
//! connection is open, and each later one at its recorded time after the first,
//! divided by the speed (0: at once, as fast as the session's rate limit allows).
//! After the last one is written, replies are printed for `--linger` or until the
//! server closes; then wsdeck closes with 1000. A server that closes after
//! everything was sent, with 1000 or with the code the recorded server closed with,
//! ends the replay successfully.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;

use crate::cli::ReplayArgs;
use crate::recording::{Record, RecordedDirection, Recording};
use crate::session::{
    Direction, Event, EventReceiver, Frame, FrameKind, MessageId, PayloadKind, SessionHandle,
};

use super::output::{LineFormat, report, stdout_error, text_format, write_frame};
use super::watch::{Ending, LifecycleWatch};
use super::{shutdown_and_wait, spawn_session};
use crate::outcome::{Failure, FailureClass};

/// One message to send, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Its recorded time after the first outgoing message.
    pub offset: Duration,
    /// Text or binary.
    pub kind: PayloadKind,
    /// The bytes, as recorded.
    pub payload: Bytes,
    /// Whether the recording's adapter marked it as heartbeat traffic (left out
    /// when an adapter is in use: it keeps its own heartbeat).
    pub heartbeat: bool,
}

/// The messages of a recording to send, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The messages.
    pub messages: Vec<Planned>,
    /// Whether one holds `***`, where a token was when it was recorded.
    pub has_redacted: bool,
    /// The code the recorded server closed with, if it closed: the same close at
    /// the end of a replay is a success.
    pub recorded_close: Option<u16>,
}

impl Plan {
    /// The outgoing text and binary messages of `recording`.
    pub fn of(recording: &Recording) -> Result<Plan, base64::DecodeError> {
        let mut messages = Vec::new();
        let mut first = None;
        for frame in recording.frames() {
            let kind = match (frame.direction, frame.kind) {
                (RecordedDirection::Outgoing, FrameKind::Text) => PayloadKind::Text,
                (RecordedDirection::Outgoing, FrameKind::Binary) => PayloadKind::Binary,
                _ => continue,
            };
            let first = *first.get_or_insert(frame.time);
            messages.push(Planned {
                offset: frame.time.since(first),
                kind,
                payload: frame.payload.bytes()?,
                heartbeat: frame.heartbeat,
            });
        }
        let has_redacted = messages
            .iter()
            .any(|message| message.payload.windows(3).any(|three| three == b"***"));
        let recorded_close = recording.records.iter().find_map(|record| match record {
            Record::Closed {
                code,
                by_peer: true,
                ..
            } => *code,
            _ => None,
        });
        Ok(Plan {
            messages,
            has_redacted,
            recorded_close,
        })
    }

    /// Reads the plan of the file at `path`; a file that cannot be read or has
    /// nothing to send is INVALID_INPUT.
    pub fn load(path: &Path) -> Result<Plan, Failure> {
        let invalid = |message: String| Failure::new(FailureClass::InvalidInput, message);
        let recording = Recording::read(path).map_err(|error| invalid(error.to_string()))?;
        let plan = Plan::of(&recording).map_err(|error| {
            invalid(format!(
                "{}: a payload is not valid base64: {error}",
                path.display()
            ))
        })?;
        if plan.messages.is_empty() {
            let incoming = recording
                .frames()
                .filter(|frame| frame.direction == RecordedDirection::Incoming)
                .count();
            return Err(invalid(format!(
                "{} has no outgoing text or binary messages to replay ({incoming} incoming frame(s)); to play received messages to clients, use wsdeck serve --script {}",
                path.display(),
                path.display()
            )));
        }
        Ok(plan)
    }

    /// When message `index` is due, the first one having gone at `start`.
    fn due(&self, index: usize, start: Instant, speed: f64) -> Instant {
        if speed <= 0.0 {
            return start;
        }
        start + self.messages[index].offset.div_f64(speed)
    }
}

/// A replay under way.
struct Replaying {
    plan: Plan,
    speed: f64,
    linger: Duration,
    /// At most this many messages handed to the session and not yet written.
    window: usize,
    /// When the connection first opened (the first message's time).
    start: Option<Instant>,
    submitted: usize,
    in_flight: HashSet<MessageId>,
    written: usize,
    linger_until: Option<Instant>,
    watch: LifecycleWatch,
    format: LineFormat,
    stdout_closed: bool,
    progress: bool,
}

impl Replaying {
    /// The next thing to wait for besides events: the next message's time, or the
    /// end of the linger.
    fn next_wake(&self) -> Option<Instant> {
        if let Some(until) = self.linger_until {
            return Some(until);
        }
        let start = self.start?;
        (self.submitted < self.plan.messages.len() && self.in_flight.len() < self.window)
            .then(|| self.plan.due(self.submitted, start, self.speed))
    }

    /// Hands the session every message that is due.
    fn submit_due(&mut self, handle: &SessionHandle) -> Result<(), Failure> {
        let Some(start) = self.start else {
            return Ok(());
        };
        let now = Instant::now();
        while self.submitted < self.plan.messages.len()
            && self.in_flight.len() < self.window
            && self.plan.due(self.submitted, start, self.speed) <= now
        {
            let message = &self.plan.messages[self.submitted];
            let id = handle
                .send(message.payload.clone(), message.kind)
                .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
            self.in_flight.insert(id);
            self.submitted += 1;
        }
        Ok(())
    }

    /// Takes in one event; returns the result once it ends the replay.
    fn on_event(&mut self, event: &Event) -> Option<Result<(), Failure>> {
        match event {
            Event::StateChanged(state) if state.is_ready() && self.start.is_none() => {
                self.start = Some(Instant::now());
            }
            Event::Frame(frame) if frame.direction == Direction::Outgoing => self.on_written(frame),
            Event::Frame(frame)
                if frame.direction == Direction::Incoming
                    && matches!(frame.kind, FrameKind::Text | FrameKind::Binary) =>
            {
                if let Err(failure) = self.print_reply(frame) {
                    return Some(Err(failure));
                }
            }
            Event::Notice(message) if message != crate::session::INSECURE_NOTICE => {
                report(message);
            }
            Event::SendFailed { message, kind, .. } => {
                return Some(Err(Failure::new(
                    FailureClass::from_error_kind(*kind),
                    message.clone(),
                )));
            }
            Event::Closed(outcome) => {
                self.watch.observe(event);
                let expected = outcome.code == Some(1000)
                    || (outcome.code.is_some() && outcome.code == self.plan.recorded_close);
                if self.all_written() && expected {
                    return Some(Ok(()));
                }
                let mut failure = self.watch.failure();
                if failure.class == FailureClass::Closed {
                    failure.message = format!(
                        "{}; sent {} of {} messages",
                        failure.message,
                        self.written,
                        self.plan.messages.len()
                    );
                }
                return Some(Err(failure));
            }
            _ => {}
        }
        match self.watch.observe(event) {
            Some(Ending::Failed(failure)) => Some(Err(failure)),
            Some(Ending::Closed(_)) => Some(Ok(())),
            None => None,
        }
    }

    fn all_written(&self) -> bool {
        self.written == self.plan.messages.len()
    }

    /// Counts one of our messages written; after the last, the linger starts.
    fn on_written(&mut self, frame: &Frame) {
        if self.in_flight.remove(&frame.id) {
            self.written += 1;
            self.show_progress();
        }
        if self.all_written() && self.linger_until.is_none() {
            self.linger_until = Some(Instant::now() + self.linger);
        }
    }

    /// "replay: sent 3 of 7" on a terminal's stderr, rewritten in place.
    fn show_progress(&self) {
        if !self.progress {
            return;
        }
        let total = self.plan.messages.len();
        let end = if self.all_written() { "\n" } else { "" };
        let _ = write!(
            io::stderr().lock(),
            "\rreplay: sent {} of {total}{end}",
            self.written
        );
    }

    /// Whether the progress line is on screen now (shown, and not yet finished).
    fn progress_showing(&self) -> bool {
        self.progress && self.written > 0 && !self.all_written()
    }

    /// Prints a reply; a closed stdout stops the printing, any other write error fails.
    /// The progress line is taken off the screen while it prints, then shown again.
    fn print_reply(&mut self, frame: &Frame) -> Result<(), Failure> {
        if self.stdout_closed {
            return Ok(());
        }
        if self.progress_showing() {
            let _ = write!(io::stderr().lock(), "\r\x1b[K");
        }
        let mut out = io::stdout().lock();
        let written = write_frame(&mut out, frame, self.format).and_then(|()| out.flush());
        drop(out);
        if self.progress_showing() {
            self.show_progress();
        }
        if let Err(error) = written {
            stdout_error(error)?;
            self.stdout_closed = true;
        }
        Ok(())
    }
}

/// Runs `wsdeck replay`.
pub async fn run(args: ReplayArgs) -> Result<(), Failure> {
    let mut plan = Plan::load(&args.file)?;
    let mut config = super::setup::resolve(args.url.as_deref(), &args.connection)?.session;
    config.reconnect.enabled = false;
    if config.provider != "raw" {
        plan.messages.retain(|message| !message.heartbeat);
        if plan.messages.is_empty() {
            return Err(Failure::new(
                FailureClass::InvalidInput,
                format!(
                    "{}: every outgoing message is {} heartbeat traffic, which its adapter sends itself",
                    args.file.display(),
                    config.provider
                ),
            ));
        }
    }
    if plan.has_redacted {
        report(
            "WARNING: a message to send holds ***, where a token was when it was recorded; it is sent as it is",
        );
    }
    let window = config.queue_capacity.max(1);
    let (handle, mut events) = spawn_session(config)?;
    let _ = handle.connect();
    let mut replaying = Replaying {
        plan,
        speed: args.speed,
        linger: args.linger,
        window,
        start: None,
        submitted: 0,
        in_flight: HashSet::new(),
        written: 0,
        linger_until: None,
        watch: LifecycleWatch::default(),
        format: if args.jsonl {
            LineFormat::JsonLines
        } else {
            text_format(args.raw)
        },
        stdout_closed: false,
        progress: io::stderr().is_terminal(),
    };
    let result = drive(&mut replaying, &handle, &mut events).await;
    shutdown_and_wait(&handle, &mut events).await;
    result
}

/// Sends on time and takes in events until the replay ends.
async fn drive(
    replaying: &mut Replaying,
    handle: &SessionHandle,
    events: &mut EventReceiver,
) -> Result<(), Failure> {
    loop {
        replaying.submit_due(handle)?;
        let wake = replaying.next_wake();
        let event = tokio::select! {
            event = events.recv() => event,
            _ = sleep_until_some(wake) => {
                if replaying.linger_until.is_some_and(|until| until <= Instant::now()) {
                    return Ok(());
                }
                continue;
            }
        };
        let Some(event) = event else {
            return Err(replaying.watch.failure());
        };
        if let Some(result) = replaying.on_event(&event) {
            return result;
        }
    }
}

async fn sleep_until_some(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recording(lines: &str) -> Recording {
        Recording::from_reader(lines.as_bytes(), "test").expect("a recording")
    }

    #[test]
    fn only_outgoing_data_is_planned_timed_from_the_first() {
        let plan = Plan::of(&recording(concat!(
            r#"{"direction":"in","time":"2026-12-04T10:00:00.000Z","kind":"text","data":"hello"}"#,
            "\n",
            r#"{"type":"frame","direction":"out","time":"2026-12-04T10:00:01.000Z","kind":"text","data":"a"}"#,
            "\n",
            r#"{"type":"frame","direction":"out","time":"2026-12-04T10:00:01.100Z","kind":"ping","data":""}"#,
            "\n",
            r#"{"type":"frame","direction":"out","time":"2026-12-04T10:00:01.300Z","kind":"binary","data":"AP8=","encoding":"base64"}"#,
            "\n",
        )))
        .expect("plan");
        assert_eq!(
            plan.messages,
            vec![
                Planned {
                    offset: Duration::ZERO,
                    kind: PayloadKind::Text,
                    payload: Bytes::from_static(b"a"),
                    heartbeat: false,
                },
                Planned {
                    offset: Duration::from_millis(300),
                    kind: PayloadKind::Binary,
                    payload: Bytes::from_static(b"\x00\xff"),
                    heartbeat: false,
                },
            ]
        );
        assert!(!plan.has_redacted);
        let start = Instant::now();
        assert_eq!(plan.due(1, start, 2.0), start + Duration::from_millis(150));
        assert_eq!(plan.due(1, start, 0.0), start);
    }

    #[test]
    fn a_redacted_token_is_noticed() {
        let plan = Plan::of(&recording(
            r#"{"direction":"out","time":"2026-12-04T10:00:00.000Z","kind":"text","data":"{\"token\":\"***\"}"}"#,
        ))
        .expect("plan");
        assert!(plan.has_redacted);
    }
}
