//! `wsdeck listen`: stream received messages to stdout, one per line, with the
//! session's reconnect behaviour, until --count, --duration, Ctrl-C or the end.
//!
//! Under a flood this is the hot path: events are taken a whole batch at a time,
//! frames are written without going through the lifecycle checks (which only
//! lifecycle events need), and a text payload moves straight into the
//! [`LineSink`], which copies small ones and writes large ones in place. With
//! `--jq` each message goes through the program instead ([`JqLines`]).

use std::io::{self, Write};

use tokio::time::Instant;

use crate::cli::ListenArgs;
use crate::protocol::Correlation;
use crate::session::stats::StatsSnapshot;
use crate::session::{Direction, Event, Frame, FrameKind, MessageId};

use super::jq_lines::{JqLines, JqStyle};
use super::line_sink::LineSink;
use super::output::{LineFormat, report, stats_summary, stdout_error, text_format, write_frame};
use super::watch::{Ending, LifecycleWatch, describe_close};
use super::{SHUTDOWN_GRACE, shutdown_recording, spawn_session};
use crate::outcome::{Failure, FailureClass};

/// Runs `wsdeck listen`.
pub async fn run(args: ListenArgs) -> Result<(), Failure> {
    // A mistake in the program is reported before anything connects.
    let jq = args.jq.as_deref().map(compile_jq).transpose()?;
    let resolved = super::setup::resolve(args.url.as_deref(), &args.connection)?;
    let config = resolved.session;
    if args.subscribe.is_some()
        && !matches!(config.provider.as_str(), "graphql-ws" | "apollo-legacy")
    {
        return Err(Failure::new(
            FailureClass::InvalidInput,
            "--subscribe needs a GraphQL provider: --provider graphql-ws (or apollo-legacy), or a GraphQL profile",
        ));
    }
    let mut recorder =
        super::record::for_command(args.record.as_ref(), &config, resolved.profile_name)?;
    let (handle, mut events) = spawn_session(config)?;
    let _ = handle.connect();
    let subscription = match &args.subscribe {
        Some(document) => Some(
            handle
                .compose(document.clone())
                .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?,
        ),
        None => None,
    };
    let deadline = args.duration.map(|duration| Instant::now() + duration);
    let mut listener = Listener::new(&args, subscription);
    listener.jq = jq.map(|program| JqLines::new(program, jq_style(&args)));
    let mut out = LineSink::new(io::stdout().lock());
    let mut batch = Vec::new();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);

    let result: Result<(), Failure> = loop {
        batch.clear();
        let got = tokio::select! {
            got = events.recv_batch(&mut batch) => got,
            _ = sleep_until_opt(deadline) => break Ok(()),
            _ = &mut ctrl_c => break Ok(()),
        };
        if !got {
            break Err(listener.watch.failure());
        }
        super::record::take_batch(recorder.as_mut(), &batch);
        if let Some(end) = listener.take(&mut batch, &mut out) {
            break end;
        }
        // Written out whenever the event stream goes quiet (at the latest after each
        // batch), so a slow trickle shows up at once.
        if let Err(error) = out.flush() {
            break stdout_closed(error);
        }
    };
    let _ = out.flush();
    drop(out);
    if let Some(summary) = listener.jq.as_ref().and_then(JqLines::summary) {
        report(&summary);
    }
    let final_stats = shutdown_recording(&handle, &mut events, SHUTDOWN_GRACE, recorder.as_mut())
        .await
        .or(listener.last_stats);
    super::record::finish(recorder).await;
    if args.stats
        && let Some(stats) = final_stats
    {
        let _ = writeln!(io::stderr(), "{}", stats_summary(&stats));
    }
    result.map_err(|failure| {
        if listener.last_printed.as_ref() == Some(&failure.message) {
            failure.already_shown()
        } else {
            failure
        }
    })
}

/// What `listen` keeps track of between events.
struct Listener {
    format: LineFormat,
    count: Option<u64>,
    heartbeats: bool,
    /// The id of the `--subscribe` message, once submitted.
    subscription: Option<MessageId>,
    /// The adapter's correlation key of that message, once it went out.
    subscription_key: Option<String>,
    received: u64,
    watch: LifecycleWatch,
    last_printed: Option<String>,
    last_stats: Option<StatsSnapshot>,
    /// `--jq`: the program each message goes through.
    jq: Option<JqLines>,
}

/// `Some(result)` ends listening with that result.
type Flow = Option<Result<(), Failure>>;

impl Listener {
    fn new(args: &ListenArgs, subscription: Option<MessageId>) -> Self {
        Self {
            // Terminal or not is decided once: a pipe gets the bytes as they came.
            format: if args.jsonl {
                LineFormat::JsonLines
            } else {
                text_format(args.raw)
            },
            count: args.count,
            heartbeats: args.heartbeats,
            subscription,
            subscription_key: None,
            received: 0,
            watch: LifecycleWatch::default(),
            last_printed: None,
            last_stats: None,
            jq: None,
        }
    }

    /// Handles a batch of events in order, leaving `batch` empty.
    fn take(&mut self, batch: &mut Vec<Event>, out: &mut LineSink<impl Write>) -> Flow {
        for event in batch.drain(..) {
            let flow = match event {
                Event::Frame(frame) => self.on_frame(frame, out),
                other => self.on_lifecycle(other),
            };
            if flow.is_some() {
                return flow;
            }
        }
        None
    }

    fn on_frame(&mut self, frame: Frame, out: &mut LineSink<impl Write>) -> Flow {
        if self.subscription.is_some() {
            return self.on_subscription_frame(&frame, out);
        }
        if frame.direction != Direction::Incoming
            || !matches!(frame.kind, FrameKind::Text | FrameKind::Binary)
            || (!self.heartbeats && frame.decoded.as_ref().is_some_and(|d| d.heartbeat))
        {
            return None;
        }
        let written = match (&mut self.jq, self.format, frame.kind) {
            (Some(jq), ..) => match jq.write_frame(out, &frame) {
                // Nothing printed: the message does not count towards --count.
                Ok(0) => return None,
                Ok(_) => Ok(()),
                Err(error) => Err(error),
            },
            // A text frame's payload is UTF-8 already (checked when it was read).
            (None, LineFormat::Raw, FrameKind::Text) => out.write_line(frame.payload),
            _ => write_frame(out, &frame, self.format),
        };
        if let Err(error) = written {
            return Some(stdout_closed(error));
        }
        self.received += 1;
        if self.count.is_some_and(|count| self.received >= count) {
            return Some(Ok(()));
        }
        None
    }

    /// With `--subscribe`, only the subscription's results are printed: each one's
    /// payload as a JSON line, until the server completes it or reports an error.
    fn on_subscription_frame(&mut self, frame: &Frame, out: &mut impl Write) -> Flow {
        if frame.direction == Direction::Outgoing {
            if Some(frame.id) == self.subscription {
                self.subscription_key = frame.decoded.as_ref().and_then(|decoded| {
                    match decoded.correlation.as_ref()? {
                        Correlation::Request { key } => Some(key.clone()),
                        Correlation::Response { .. } => None,
                    }
                });
            }
            return None;
        }
        let decoded = frame.decoded.as_deref()?;
        let Some(Correlation::Response { key, ok, more, .. }) = &decoded.correlation else {
            return None;
        };
        if self.subscription_key.as_ref() != Some(key) {
            return None;
        }
        if let Some(data) = &decoded.data
            && let Err(error) =
                crate::terminal_text::write_json(&mut *out, data).and_then(|()| writeln!(out))
        {
            return Some(stdout_closed(error));
        }
        if !ok {
            let why = decoded.data.as_ref().map_or_else(
                || decoded.label.clone(),
                |data| format!("{}: {data}", decoded.label),
            );
            return Some(Err(Failure::new(FailureClass::Protocol, why)));
        }
        if !more {
            return Some(Ok(()));
        }
        None
    }

    /// Everything but frames: errors and notices to stderr, and the session's end.
    fn on_lifecycle(&mut self, event: Event) -> Flow {
        match &event {
            Event::SendFailed { id, kind, message } if Some(*id) == self.subscription => {
                return Some(Err(Failure::new(
                    FailureClass::from_error_kind(*kind),
                    message.clone(),
                )));
            }
            Event::Stats(stats) => self.last_stats = Some(**stats),
            Event::Error { message, .. } => {
                report(message);
                self.last_printed = Some(message.clone());
            }
            // The insecure warning was printed once at start.
            Event::Notice(message) if message != crate::session::INSECURE_NOTICE => report(message),
            Event::ProviderRecognised { provider, evidence } => report(&format!(
                "this looks like {provider} ({evidence}): use --provider {provider}"
            )),
            Event::ReconnectScheduled {
                attempt,
                max_attempts,
                delay,
            } => {
                let max = max_attempts.map_or("∞".to_string(), |max| max.to_string());
                report(&format!(
                    "reconnecting in {:.1}s (attempt {attempt}/{max})",
                    delay.as_secs_f64()
                ));
            }
            _ => {}
        }
        match self.watch.observe(&event) {
            Some(Ending::Failed(failure)) => return Some(Err(failure)),
            Some(Ending::Closed(_)) => return Some(Ok(())),
            None => {}
        }
        if let Event::StateChanged(crate::session::ConnectionState::Disconnected) = event
            && let Some(close) = self.watch.last_close()
        {
            // The server ended the session: a normal close is success, any other
            // code is worth a non-zero exit for scripts.
            if close.code == Some(1000) {
                return Some(Ok(()));
            }
            return Some(Err(Failure::new(
                FailureClass::Closed,
                describe_close(close),
            )));
        }
        None
    }
}

/// Compiles `--jq`'s program; a mistake is shown with a caret under it.
fn compile_jq(source: &str) -> Result<crate::jq::Program, Failure> {
    crate::jq::Program::compile(source)
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.with_caret()))
}

/// How `--jq`'s outputs are printed, from `--jsonl` and `-r`.
fn jq_style(args: &ListenArgs) -> JqStyle {
    if args.jsonl {
        JqStyle::JsonLines
    } else if args.raw_output {
        JqStyle::RawStrings {
            escape: text_format(false) == LineFormat::Escaped,
        }
    } else {
        JqStyle::Json
    }
}

/// A closed stdout (e.g. `| head`) ends listening quietly; a full disk is an error.
fn stdout_closed(error: io::Error) -> Result<(), Failure> {
    stdout_error(error)
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
