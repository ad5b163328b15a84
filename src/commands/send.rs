//! `wsdeck send`: send messages in order, then print replies for --wait (or until
//! the server closes), then close with 1000. A one-shot: a lost link is reported,
//! not retried.

use std::collections::HashSet;
use std::io::{self, Write};

use tokio::time::Instant;

use crate::cli::SendArgs;
use crate::session::{Direction, Event, FrameKind, MessageId};

use super::outcome::{Failure, FailureClass};
use super::output::{stdout_error, text_format, write_frame};
use super::watch::{Ending, LifecycleWatch};
use super::{SHUTDOWN_GRACE, shutdown_and_wait, spawn_session};

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

/// Runs `wsdeck send`.
pub async fn run(args: SendArgs) -> Result<(), Failure> {
    // With -p, the first word may be a message rather than a URL.
    let (url, messages) = match &args.url {
        Some(first) if args.connection.profile.is_some() && !first.contains("://") => {
            let mut messages = vec![first.clone()];
            messages.extend(args.messages.iter().cloned());
            (None, messages)
        }
        url => (url.clone(), args.messages.clone()),
    };
    if messages.is_empty() {
        return Err(Failure::new(
            FailureClass::InvalidInput,
            "nothing to send: give one or more messages after the URL",
        ));
    }
    let mut config = super::setup::resolve(url.as_deref(), &args.connection)?.session;
    config.reconnect.enabled = false;
    // Messages are handed to the session a window at a time, so any number of them
    // streams through a bounded queue; `--queue-limit 0` means none waits in a queue:
    // each is handed over once the link is ready, one at a time.
    let no_queue = config.queue_capacity == 0;
    let window = config.queue_capacity.max(1);
    config.queue_capacity = window;
    // With a protocol adapter, each message goes through it (a Socket.IO event array
    // becomes `42[…]`, a GraphQL document a `subscribe`, …).
    let adapted = config.provider != "raw";
    let (handle, mut events) = spawn_session(config)?;
    let _ = handle.connect();
    let mut progress = Progress::new(messages.len());
    let mut ready = false;
    let mut watch = LifecycleWatch::default();
    let mut wait_until: Option<Instant> = None;
    let stdout = io::stdout();
    let format = text_format(false);
    // Set once stdout is closed (`| head`): replies are no longer printed, but the
    // messages still go out.
    let mut stdout_closed = false;
    let result = loop {
        while progress.submitted < messages.len()
            && progress.in_flight.len() < window
            && (ready || !no_queue)
        {
            let message = messages[progress.submitted].clone();
            let submitted = if adapted {
                handle.compose(message)
            } else {
                handle.send_text(message)
            };
            let id = submitted
                .map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
            progress.in_flight.insert(id);
            progress.submitted += 1;
        }
        let event = match wait_until {
            Some(at) => match tokio::time::timeout_at(at, events.recv()).await {
                Ok(event) => event,
                Err(_) => break Ok(()),
            },
            None => events.recv().await,
        };
        let Some(event) = event else {
            break Err(watch.failure());
        };
        match &event {
            Event::StateChanged(state) => ready = state.is_ready(),
            Event::Frame(frame) if frame.direction == Direction::Outgoing => {
                if progress.in_flight.remove(&frame.id) {
                    progress.wrote += 1;
                }
                if progress.all_written() && wait_until.is_none() {
                    wait_until = Some(Instant::now() + args.wait);
                }
            }
            Event::Frame(frame)
                if !stdout_closed
                    && frame.direction == Direction::Incoming
                    && matches!(frame.kind, FrameKind::Text | FrameKind::Binary) =>
            {
                let mut out = stdout.lock();
                let written = write_frame(&mut out, frame, format).and_then(|()| out.flush());
                if let Err(error) = written {
                    match stdout_error(error) {
                        Ok(()) => stdout_closed = true,
                        Err(failure) => break Err(failure),
                    }
                }
            }
            Event::Notice(message) if message != crate::session::INSECURE_NOTICE => {
                eprintln!("wsdeck: {message}");
            }
            Event::Unconfirmed { ids, .. } => progress.unconfirmed += ids.len(),
            Event::SendFailed { message, kind, .. } => {
                break Err(Failure::new(
                    FailureClass::from_error_kind(*kind),
                    message.clone(),
                ));
            }
            Event::Closed(outcome) => {
                // The peer ended it: fine after everything went out with a 1000 and
                // nothing left unconfirmed; otherwise the close (or the auth error
                // before it) is the answer, with what was written and confirmed.
                watch.observe(&event);
                if progress.all_written() && progress.unconfirmed == 0 && outcome.code == Some(1000)
                {
                    break Ok(());
                }
                let mut failure = watch.failure();
                if failure.class == FailureClass::Closed || progress.unconfirmed > 0 {
                    failure.message = format!("{}; {}", failure.message, progress.report());
                }
                break Err(failure);
            }
            _ => {}
        }
        match watch.observe(&event) {
            Some(Ending::Failed(failure)) => break Err(failure),
            Some(Ending::Closed(_)) => break Ok(()),
            None => {}
        }
    };
    if result.is_err() {
        shutdown_and_wait(&handle, &mut events).await;
        return result;
    }
    // Our close, answered, confirms everything written; a server that vanishes
    // before answering leaves the last messages unconfirmed.
    let _ = handle.shutdown();
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
    if progress.unconfirmed > 0 {
        return Err(Failure::new(
            FailureClass::Closed,
            format!("the link broke while sending; {}", progress.report()),
        ));
    }
    result
}
