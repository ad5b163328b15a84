//! `wsdeck send`: send messages in order, then print replies for --wait (or until
//! the server closes), then close with 1000. A one-shot: a lost link is reported,
//! not retried.

use std::collections::HashSet;
use std::io::{self, Write};
use std::time::Duration;

use tokio::time::Instant;

use crate::cli::SendArgs;
use crate::session::{
    CloseOutcome, Direction, Event, EventReceiver, Frame, FrameKind, MessageId, SessionConfig,
    SessionHandle,
};

use super::output::{LineFormat, stdout_error, text_format, write_frame};
use super::watch::{Ending, LifecycleWatch};
use super::{SHUTDOWN_GRACE, shutdown_and_wait, spawn_session};
use crate::outcome::{Failure, FailureClass};

/// How far `send` got: what was handed to the session, written, and left unconfirmed.
struct Progress {
    total: usize,
    submitted: usize,
    in_flight: HashSet<MessageId>,
    wrote: usize,
    unconfirmed: usize,
}

impl Progress {
    fn new(total: usize) -> Self {
        Self {
            total,
            submitted: 0,
            in_flight: HashSet::new(),
            wrote: 0,
            unconfirmed: 0,
        }
    }

    fn all_written(&self) -> bool {
        self.wrote == self.total
    }

    /// "wrote 65 of 100 messages, 0 confirmed (the link broke before the server
    /// answered the rest)".
    fn report(&self) -> String {
        let confirmed = self.wrote.saturating_sub(self.unconfirmed);
        let mut text = format!(
            "wrote {} of {} message{}, {confirmed} confirmed",
            self.wrote,
            self.total,
            if self.total == 1 { "" } else { "s" }
        );
        if self.unconfirmed > 0 {
            text.push_str(&format!(
                " ({} written but unconfirmed: the server may not have read them)",
                self.unconfirmed
            ));
        }
        text
    }
}

/// How messages are handed to the session: a window at a time, so any number of
/// them streams through a bounded queue.
struct Pacing {
    /// At most this many handed over and not yet written.
    window: usize,
    /// `--queue-limit 0`: none waits in a queue; each is handed over once the link is
    /// ready, one at a time.
    no_queue: bool,
}

impl Pacing {
    /// Reads the pacing from the session's queue limit, and sets that limit to the window.
    fn take_from(config: &mut SessionConfig) -> Self {
        let no_queue = config.queue_capacity == 0;
        let window = config.queue_capacity.max(1);
        config.queue_capacity = window;
        Self { window, no_queue }
    }
}

/// A `send` under way: the messages, how far they got, and what the events said.
struct Sending {
    messages: Vec<String>,
    pacing: Pacing,
    /// With a protocol adapter, each message goes through it (a Socket.IO event array
    /// becomes `42[…]`, a GraphQL document a `subscribe`, …).
    adapted: bool,
    /// How long replies are printed after the last message was written.
    wait: Duration,
    progress: Progress,
    ready: bool,
    watch: LifecycleWatch,
    wait_until: Option<Instant>,
    stdout: io::Stdout,
    format: LineFormat,
    /// Set once stdout is closed (`| head`): replies are no longer printed, but the
    /// messages still go out.
    stdout_closed: bool,
}

impl Sending {
    /// A send of `messages`, none of them handed over yet.
    fn new(messages: Vec<String>, pacing: Pacing, adapted: bool, wait: Duration) -> Self {
        Self {
            progress: Progress::new(messages.len()),
            messages,
            pacing,
            adapted,
            wait,
            ready: false,
            watch: LifecycleWatch::default(),
            wait_until: None,
            stdout: io::stdout(),
            format: text_format(false),
            stdout_closed: false,
        }
    }

    /// Hands the session as many of the next messages as the window allows.
    fn submit_next(&mut self, handle: &SessionHandle) -> Result<(), Failure> {
        while self.progress.submitted < self.messages.len()
            && self.progress.in_flight.len() < self.pacing.window
            && (self.ready || !self.pacing.no_queue)
        {
            let message = self.messages[self.progress.submitted].clone();
            let submitted = if self.adapted {
                handle.compose(message)
            } else {
                handle.send_text(message)
            };
            let id = submitted
                .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
            self.progress.in_flight.insert(id);
            self.progress.submitted += 1;
        }
        Ok(())
    }

    /// Waits for the next event and takes it in; returns the result once `send` is done.
    async fn step(&mut self, events: &mut EventReceiver) -> Option<Result<(), Failure>> {
        let event = match self.wait_until {
            Some(at) => match tokio::time::timeout_at(at, events.recv()).await {
                Ok(event) => event,
                Err(_) => return Some(Ok(())),
            },
            None => events.recv().await,
        };
        let Some(event) = event else {
            return Some(Err(self.watch.failure()));
        };
        self.on_event(&event)
    }

    /// Takes in one event; returns the result once it ends the send.
    fn on_event(&mut self, event: &Event) -> Option<Result<(), Failure>> {
        match event {
            Event::StateChanged(state) => self.ready = state.is_ready(),
            Event::Frame(frame) if frame.direction == Direction::Outgoing => self.on_written(frame),
            Event::Frame(frame)
                if !self.stdout_closed
                    && frame.direction == Direction::Incoming
                    && matches!(frame.kind, FrameKind::Text | FrameKind::Binary) =>
            {
                if let Err(failure) = self.print_reply(frame) {
                    return Some(Err(failure));
                }
            }
            Event::Notice(message) if message != crate::session::INSECURE_NOTICE => {
                eprintln!("wsdeck: {message}");
            }
            Event::Unconfirmed { ids, .. } => self.progress.unconfirmed += ids.len(),
            Event::SendFailed { message, kind, .. } => {
                return Some(Err(Failure::new(
                    FailureClass::from_error_kind(*kind),
                    message.clone(),
                )));
            }
            Event::Closed(outcome) => return Some(self.on_closed(event, outcome)),
            _ => {}
        }
        match self.watch.observe(event) {
            Some(Ending::Failed(failure)) => Some(Err(failure)),
            Some(Ending::Closed(_)) => Some(Ok(())),
            None => None,
        }
    }

    /// Counts one of our messages written, and starts the --wait after the last one.
    fn on_written(&mut self, frame: &Frame) {
        if self.progress.in_flight.remove(&frame.id) {
            self.progress.wrote += 1;
        }
        if self.progress.all_written() && self.wait_until.is_none() {
            self.wait_until = Some(Instant::now() + self.wait);
        }
    }

    /// Prints a reply; a closed stdout stops the printing, any other write error fails.
    fn print_reply(&mut self, frame: &Frame) -> Result<(), Failure> {
        let mut out = self.stdout.lock();
        let written = write_frame(&mut out, frame, self.format).and_then(|()| out.flush());
        if let Err(error) = written {
            stdout_error(error)?;
            self.stdout_closed = true;
        }
        Ok(())
    }

    /// The result when the peer ended it: fine after everything went out with a 1000
    /// and nothing left unconfirmed; otherwise the close (or the auth error before it)
    /// is the answer, with what was written and confirmed.
    fn on_closed(&mut self, event: &Event, outcome: &CloseOutcome) -> Result<(), Failure> {
        self.watch.observe(event);
        if self.progress.all_written()
            && self.progress.unconfirmed == 0
            && outcome.code == Some(1000)
        {
            return Ok(());
        }
        let mut failure = self.watch.failure();
        if failure.class == FailureClass::Closed || self.progress.unconfirmed > 0 {
            failure.message = format!("{}; {}", failure.message, self.progress.report());
        }
        Err(failure)
    }

    /// Closes with 1000 and waits (bounded) for the session to stop, counting what our
    /// close leaves unconfirmed: answered, it confirms everything written; a server
    /// that vanishes before answering leaves the last messages unconfirmed.
    async fn close(&mut self, handle: &SessionHandle, events: &mut EventReceiver) {
        let _ = handle.shutdown();
        let progress = &mut self.progress;
        let drain = async {
            while let Some(event) = events.recv().await {
                match event {
                    Event::Unconfirmed { ids, .. } => progress.unconfirmed += ids.len(),
                    Event::Stopped => break,
                    _ => {}
                }
            }
        };
        let _ = tokio::time::timeout(SHUTDOWN_GRACE, drain).await;
    }
}

/// The URL and the messages to send: with -p, the first word may be a message rather
/// than a URL.
fn url_and_messages(args: &SendArgs) -> (Option<String>, Vec<String>) {
    match &args.url {
        Some(first) if args.connection.profile.is_some() && !first.contains("://") => {
            let mut messages = vec![first.clone()];
            messages.extend(args.messages.iter().cloned());
            (None, messages)
        }
        url => (url.clone(), args.messages.clone()),
    }
}

/// Runs `wsdeck send`.
pub async fn run(args: SendArgs) -> Result<(), Failure> {
    let (url, messages) = url_and_messages(&args);
    if messages.is_empty() {
        return Err(Failure::new(
            FailureClass::InvalidInput,
            "nothing to send: give one or more messages after the URL",
        ));
    }
    let mut config = super::setup::resolve(url.as_deref(), &args.connection)?.session;
    config.reconnect.enabled = false;
    let pacing = Pacing::take_from(&mut config);
    let adapted = config.provider != "raw";
    let (handle, mut events) = spawn_session(config)?;
    let _ = handle.connect();
    let mut sending = Sending::new(messages, pacing, adapted, args.wait);
    let result = loop {
        sending.submit_next(&handle)?;
        if let Some(result) = sending.step(&mut events).await {
            break result;
        }
    };
    if result.is_err() {
        shutdown_and_wait(&handle, &mut events).await;
        return result;
    }
    sending.close(&handle, &mut events).await;
    if sending.progress.unconfirmed > 0 {
        return Err(Failure::new(
            FailureClass::Closed,
            format!(
                "the link broke while sending; {}",
                sending.progress.report()
            ),
        ));
    }
    result
}
