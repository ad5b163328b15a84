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
use super::{shutdown_and_wait, spawn_session};

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
    // With a protocol adapter, each message goes through it (a Socket.IO event array
    // becomes `42[…]`, a GraphQL document a `subscribe`, …).
    let adapted = config.provider != "raw";
    let (handle, mut events) = spawn_session(config)?;
    let _ = handle.connect();
    let mut unsent: HashSet<MessageId> = HashSet::new();
    for message in &messages {
        let submitted = if adapted {
            handle.compose(message.clone())
        } else {
            handle.send_text(message.clone())
        };
        let id =
            submitted.map_err(|error| Failure::new(FailureClass::Internal, error.to_string()))?;
        unsent.insert(id);
    }
    let mut watch = LifecycleWatch::default();
    let mut wait_until: Option<Instant> = None;
    let stdout = io::stdout();
    let format = text_format(false);
    // Set once stdout is closed (`| head`): replies are no longer printed, but the
    // messages still go out.
    let mut stdout_closed = false;
    let result = loop {
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
            Event::Frame(frame) if frame.direction == Direction::Outgoing => {
                unsent.remove(&frame.id);
                if unsent.is_empty() && wait_until.is_none() {
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
            Event::SendFailed { message, kind, .. } => {
                break Err(Failure::new(
                    FailureClass::from_error_kind(*kind),
                    message.clone(),
                ));
            }
            Event::Closed(outcome) => {
                // The peer ended it: fine after everything went out with a 1000;
                // otherwise the close (or the auth error before it) is the answer.
                watch.observe(&event);
                if unsent.is_empty() && outcome.code == Some(1000) {
                    break Ok(());
                }
                let mut failure = watch.failure();
                if !unsent.is_empty() && failure.class == FailureClass::Closed {
                    failure.message = format!(
                        "{} before {} message(s) could be sent",
                        failure.message,
                        unsent.len()
                    );
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
    shutdown_and_wait(&handle, &mut events).await;
    result
}
