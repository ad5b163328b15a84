//! Ways into the TUI: a URL from the command line, a URL typed at a prompt, or the
//! built-in demo server.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{Context, bail};

use super::{Launch, run};
use crate::cli::ConnectionArgs;
use crate::server::{Server, ServerConfig};
use crate::session::SessionConfig;

/// The hint shown on the demo's first screen.
pub const DEMO_WELCOME: &str =
    "Type {\"hello\":1} + Enter · Tab, Enter: inspect · Ctrl-X: close codes · F1 help";

/// Opens the TUI on `url` with the given connection flags.
pub async fn open_url(
    url: &str,
    connection: &ConnectionArgs,
    log_capacity: usize,
) -> anyhow::Result<()> {
    require_terminal()?;
    let config = connection
        .to_config(url)
        .map_err(|failure| anyhow::anyhow!(failure.message))?;
    let history_key = config.url.to_string();
    run(Launch {
        config,
        welcome: None,
        server: None,
        log_capacity,
        history_key,
        extras: Default::default(),
    })
    .await
}

/// Asks for a URL on the terminal (Enter alone runs the demo), then opens the TUI.
pub async fn prompt_for_url(
    connection: &ConnectionArgs,
    log_capacity: usize,
) -> anyhow::Result<()> {
    require_terminal()?;
    print!("wsdeck — WebSocket URL to open (Enter for the built-in demo): ");
    std::io::stdout()
        .flush()
        .context("cannot write to the terminal")?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the URL")?;
    let url = line.trim();
    if url.is_empty() {
        demo().await
    } else {
        open_url(url, connection, log_capacity).await
    }
}

/// Starts the built-in server on a free loopback port and opens the TUI on it.
pub async fn demo() -> anyhow::Result<()> {
    require_terminal()?;
    let server = Server::bind(ServerConfig {
        port: 0,
        ..ServerConfig::default()
    })
    .await
    .context("cannot start the demo server on 127.0.0.1")?;
    let config = SessionConfig::new(&server.url())?;
    run(Launch {
        config,
        welcome: Some(DEMO_WELCOME.to_string()),
        server: Some(server),
        log_capacity: crate::app::DEFAULT_LOG_CAPACITY,
        history_key: "wsdeck-demo".to_string(),
        extras: Default::default(),
    })
    .await
}

/// Whether stdin and stdout are a terminal, as the TUI needs.
pub fn has_terminal() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}

/// Said when the TUI is asked for without a terminal.
pub const NO_TERMINAL: &str = "the TUI needs a terminal; for scripts use a subcommand such as `wsdeck listen`, `request` or `send` (see --help)";

fn require_terminal() -> anyhow::Result<()> {
    if !has_terminal() {
        bail!(NO_TERMINAL);
    }
    Ok(())
}
