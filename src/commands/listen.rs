//! `wsdeck listen`: stream received messages to stdout, one per line, with the
//! session's reconnect behaviour, until --count, --duration, Ctrl-C or the end.

use std::io::{self, BufWriter, Write};

use tokio::time::Instant;

use crate::cli::ListenArgs;
use crate::protocol::Correlation;
use crate::session::stats::StatsSnapshot;
use crate::session::{Direction, Event, FrameKind};

use super::outcome::{Failure, FailureClass};
use super::output::{LineFormat, stats_summary, write_frame};
use super::watch::{Ending, LifecycleWatch, describe_close};
use super::{shutdown_and_wait, spawn_session};

/// How many events are taken from the channel at once before stdout is flushed.
const BATCH: usize = 1024;

/// Runs `wsdeck listen`.
pub async fn run(args: ListenArgs) -> Result<(), Failure> {
    let config = super::setup::resolve(args.url.as_deref(), &args.connection)?.session;
    if args.subscribe.is_some()
        && !matches!(config.provider.as_str(), "graphql-ws" | "apollo-legacy")
    {
        return Err(Failure::new(
            FailureClass::InvalidInput,
            "--subscribe needs a GraphQL provider: --provider graphql-ws (or apollo-legacy), or a GraphQL profile",
        ));
    }
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
    let mut subscription_key: Option<String> = None;
    let format = if args.jsonl {
        LineFormat::JsonLines
    } else {
        LineFormat::Raw
    };
    let deadline = args.duration.map(|duration| Instant::now() + duration);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut watch = LifecycleWatch::default();
    let mut received: u64 = 0;
    let mut last_printed: Option<String> = None;
    let mut last_stats: Option<StatsSnapshot> = None;
    let mut batch = Vec::with_capacity(BATCH);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);

    let result: Result<(), Failure> = 'outer: loop {
        batch.clear();
        let got = tokio::select! {
            got = events.recv_many(&mut batch, BATCH) => got,
            _ = sleep_until_opt(deadline) => break Ok(()),
            _ = &mut ctrl_c => break Ok(()),
        };
        if got == 0 {
            break watch_end(&watch);
        }
        for event in batch.drain(..) {
            match &event {
                Event::Frame(frame)
                    if frame.direction == Direction::Outgoing && Some(frame.id) == subscription =>
                {
                    subscription_key = frame.decoded.as_ref().and_then(|decoded| {
                        match decoded.correlation.as_ref()? {
                            Correlation::Request { key } => Some(key.clone()),
                            Correlation::Response { .. } => None,
                        }
                    });
                }
                Event::Frame(frame)
                    if subscription.is_some() && frame.direction == Direction::Incoming =>
                {
                    let Some(decoded) = frame.decoded.as_deref() else {
                        continue;
                    };
                    let Some(Correlation::Response { key, ok, more, .. }) = &decoded.correlation
                    else {
                        continue;
                    };
                    if subscription_key.as_ref() != Some(key) {
                        continue;
                    }
                    if let Some(data) = &decoded.data
                        && let Err(error) = writeln!(out, "{data}")
                    {
                        break 'outer stdout_closed(error);
                    }
                    if !ok {
                        let why = decoded.data.as_ref().map_or_else(
                            || decoded.label.clone(),
                            |data| format!("{}: {data}", decoded.label),
                        );
                        break 'outer Err(Failure::new(FailureClass::Protocol, why));
                    }
                    if !more {
                        break 'outer Ok(());
                    }
                }
                Event::SendFailed { id, kind, message } if Some(*id) == subscription => {
                    break 'outer Err(Failure::new(
                        FailureClass::from_error_kind(*kind),
                        message.clone(),
                    ));
                }
                Event::Frame(frame)
                    if frame.direction == Direction::Incoming
                        && matches!(frame.kind, FrameKind::Text | FrameKind::Binary)
                        && (args.heartbeats
                            || !frame.decoded.as_ref().is_some_and(|d| d.heartbeat)) =>
                {
                    if let Err(error) = write_frame(&mut out, frame, format) {
                        break 'outer stdout_closed(error);
                    }
                    received += 1;
                    if args.count.is_some_and(|count| received >= count) {
                        break 'outer Ok(());
                    }
                }
                Event::Stats(stats) => last_stats = Some(**stats),
                Event::Error { message, .. } => {
                    eprintln!("wsdeck: {message}");
                    last_printed = Some(message.clone());
                }
                // The insecure warning was printed once at start.
                Event::Notice(message) if message != crate::session::INSECURE_NOTICE => {
                    eprintln!("wsdeck: {message}")
                }
                Event::ReconnectScheduled {
                    attempt,
                    max_attempts,
                    delay,
                } => {
                    let max = max_attempts.map_or("∞".to_string(), |max| max.to_string());
                    eprintln!(
                        "wsdeck: reconnecting in {:.1}s (attempt {attempt}/{max})",
                        delay.as_secs_f64()
                    );
                }
                _ => {}
            }
            match watch.observe(&event) {
                Some(Ending::Failed(failure)) => break 'outer Err(failure),
                Some(Ending::Closed(_)) => break 'outer Ok(()),
                None => {}
            }
            if let Event::StateChanged(crate::session::ConnectionState::Disconnected) = event
                && let Some(close) = watch.last_close()
            {
                // The server ended the session: a normal close is success, any
                // other code is worth a non-zero exit for scripts.
                if close.code == Some(1000) {
                    break 'outer Ok(());
                }
                break 'outer Err(Failure::new(FailureClass::Closed, describe_close(close)));
            }
        }
        if let Err(error) = out.flush() {
            break stdout_closed(error);
        }
    };
    let _ = out.flush();
    drop(out);
    let final_stats = shutdown_and_wait(&handle, &mut events).await.or(last_stats);
    if args.stats
        && let Some(stats) = final_stats
    {
        eprintln!("{}", stats_summary(&stats));
    }
    result.map_err(|failure| {
        if last_printed.as_ref() == Some(&failure.message) {
            failure.already_shown()
        } else {
            failure
        }
    })
}

fn watch_end(watch: &LifecycleWatch) -> Result<(), Failure> {
    Err(watch.failure())
}

/// A closed stdout (e.g. `| head`) ends listening quietly.
fn stdout_closed(error: io::Error) -> Result<(), Failure> {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(Failure::new(
            FailureClass::Internal,
            format!("cannot write to stdout: {error}"),
        ))
    }
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
