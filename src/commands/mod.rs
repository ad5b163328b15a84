//! Headless commands (`request`, `listen`, `send`, `replay`, `serve`, `demo`,
//! `close-codes`), built on the same session engine as the TUI, and the ones that
//! describe wsdeck itself (`keys`, `completions`, `man`).

pub mod completions;
pub mod demo;
pub mod jq_lines;
pub mod keys;
pub mod line_sink;
pub mod listen;
pub mod man;
pub mod open;
pub mod output;
pub mod profiles;
pub mod record;
pub mod replay;
pub mod request;
pub mod send;
pub mod sessions;
pub mod setup;
pub mod watch;

use std::time::Duration;

use crate::cli::{CommandLine, MismatchAction, ServeArgs};
use crate::server::{self, ServerConfig};
use crate::session::stats::StatsSnapshot;
use crate::session::{self, Event, EventReceiver, SessionConfig, SessionHandle};

use crate::outcome::{Failure, FailureClass};

/// How long a command waits for the session to close cleanly at the end. A healthy
/// peer answers our close in milliseconds; a stalled one is not worth waiting for.
pub(crate) const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// Runs one subcommand to completion.
pub async fn run(command: CommandLine) -> Result<(), Failure> {
    match command {
        CommandLine::Demo(_) => demo::run().await,
        CommandLine::Serve(args) => serve(args).await,
        CommandLine::Request(args) => request::run(args).await,
        CommandLine::Listen(args) => listen::run(args).await,
        CommandLine::Send(args) => send::run(args).await,
        CommandLine::Replay(args) => replay::run(args).await,
        CommandLine::Profiles { action } => profiles::run(action),
        CommandLine::CloseCodes => output::print(&session::close_code::render_table()),
        CommandLine::Keys(args) => keys::run(args),
        CommandLine::Completions(args) => completions::run(args),
        CommandLine::Man(args) => man::run(args),
        CommandLine::Open(args) => match open::prepare(&args)? {
            open::OpenOutcome::Exported => Ok(()),
            open::OpenOutcome::View(_) => Err(Failure::new(
                FailureClass::InvalidInput,
                open::NEEDS_A_TERMINAL,
            )),
        },
        CommandLine::Sessions(args) => sessions::run(args),
    }
}

async fn serve(args: ServeArgs) -> Result<(), Failure> {
    let script = match &args.script {
        Some(path) => Some(std::sync::Arc::new(load_script(path, &args)?)),
        None => None,
    };
    let config = ServerConfig {
        script,
        host: args.host,
        port: args.port,
        max_connections: args.max_connections,
        heartbeat: args.heartbeat,
        require_token: args.require_token,
        broadcast_every: args.broadcast_every,
        ..ServerConfig::default()
    };
    server::run(config)
        .await
        .map_err(|error| Failure::new(FailureClass::Connection, format!("{error:#}")))
}

/// Loads `serve --script FILE` and says on stderr what it will play.
fn load_script(path: &std::path::Path, args: &ServeArgs) -> Result<server::Script, Failure> {
    let on_mismatch = match args.on_mismatch {
        MismatchAction::Close => server::OnMismatch::Close,
        MismatchAction::Skip => server::OnMismatch::Skip,
        MismatchAction::Wait => server::OnMismatch::Wait,
    };
    let script = server::Script::load(path, args.speed, on_mismatch)
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.to_string()))?;
    output::report(&format!("script {}: {}", script.path, script.summary()));
    Ok(script)
}

/// Starts a session for a headless command; bad settings are INVALID_INPUT.
pub fn spawn_session(config: SessionConfig) -> Result<(SessionHandle, EventReceiver), Failure> {
    if config.tls.insecure && config.url.scheme() == "wss" {
        output::report(&format!("WARNING: {}", session::INSECURE_NOTICE));
    }
    session::spawn(config)
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.to_string()))
}

/// Asks the session to close with 1000 and stop, and waits (bounded) until it has.
/// Returns the last statistics it reported.
pub async fn shutdown_and_wait(
    handle: &SessionHandle,
    events: &mut EventReceiver,
) -> Option<StatsSnapshot> {
    shutdown_and_wait_for(handle, events, SHUTDOWN_GRACE).await
}

/// [`shutdown_and_wait`], waiting at most `grace` (a command whose time is up does not
/// wait a second more for a peer that stopped answering).
pub async fn shutdown_and_wait_for(
    handle: &SessionHandle,
    events: &mut EventReceiver,
    grace: Duration,
) -> Option<StatsSnapshot> {
    shutdown_recording(handle, events, grace, None).await
}

/// [`shutdown_and_wait_for`], with the events that come meanwhile (the close)
/// also given to `recorder`.
pub async fn shutdown_recording(
    handle: &SessionHandle,
    events: &mut EventReceiver,
    grace: Duration,
    mut recorder: Option<&mut crate::recording::Recorder>,
) -> Option<StatsSnapshot> {
    let _ = handle.shutdown();
    let mut last = None;
    let drain = async {
        while let Some(event) = events.recv().await {
            if let Some(recorder) = recorder.as_deref_mut() {
                recorder.record(&event);
            }
            match event {
                Event::Stats(stats) => last = Some(*stats),
                Event::Stopped => break,
                _ => {}
            }
        }
    };
    let _ = tokio::time::timeout(grace, drain).await;
    last
}
