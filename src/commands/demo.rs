//! `wsdeck demo`: starts the built-in server on a free loopback port and walks
//! through an exchange against it — echo, ping RTT, a server-sent close code — so a
//! newcomer sees what wsdeck does without any other setup.

use std::time::Duration;

use crate::server::{Server, ServerConfig};
use crate::session::{
    self, ConnectionState, Direction, Event, FrameKind, SessionConfig, close_code,
};

use crate::outcome::{Failure, FailureClass};

/// `println!` that returns the write's failure from the function (see [`say`]).
macro_rules! say {
    ($($arg:tt)*) => {
        say(format_args!($($arg)*))?
    };
}
use super::shutdown_and_wait;

/// Runs the guided demo and prints what happens, like the message log will.
pub async fn run() -> Result<(), Failure> {
    let server = Server::bind(ServerConfig {
        port: 0,
        ..ServerConfig::default()
    })
    .await
    .map_err(|error| {
        Failure::new(
            FailureClass::Connection,
            format!("cannot start the demo server: {error}"),
        )
    })?;
    let url = server.url();
    say!("wsdeck demo — built-in server listening on {url}");
    say!(
        "(try it yourself: `wsdeck serve --port 8765` in one terminal, `wsdeck request ws://127.0.0.1:8765 --message '{{\"id\":1}}' --json` in another)\n"
    );

    let result = script(&url).await;
    server.shutdown().await;
    result
}

async fn script(url: &str) -> Result<(), Failure> {
    let mut config = SessionConfig::new(url)
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.to_string()))?;
    config.reconnect.enabled = false;
    let (handle, mut events) = session::spawn(config)
        .map_err(|error| Failure::new(FailureClass::InvalidInput, error.to_string()))?;
    let _ = handle.connect();
    let steps: [(&str, &str); 3] = [
        (
            "send a JSON message; the server echoes it",
            r#"{"hello":"wsdeck","n":1}"#,
        ),
        ("send plain text", "plain text works too"),
        (
            "ask the server to close with 4000 (application-defined)",
            r#"{"cmd":"close","code":4000,"reason":"demo over"}"#,
        ),
    ];
    let mut step = 0;
    let mut pinged = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let result = loop {
        let Ok(Some(event)) = tokio::time::timeout_at(deadline, events.recv()).await else {
            break Err(Failure::new(
                FailureClass::Timeout,
                "the demo did not finish within 10 s",
            ));
        };
        match event {
            Event::StateChanged(state) => {
                say!("   state: {}", state.as_str());
                if state == ConnectionState::Connected {
                    print_step(steps[0].0)?;
                    let _ = handle.send_text(steps[0].1);
                    step = 1;
                }
                if matches!(
                    state,
                    ConnectionState::Disconnected | ConnectionState::Error
                ) && step >= steps.len()
                {
                    break Ok(());
                }
            }
            Event::Frame(frame) => {
                let payload = String::from_utf8_lossy(&frame.payload);
                let detail = match (frame.close_code, frame.kind) {
                    (Some(code), _) => {
                        format!("{code} {} \"{payload}\"", close_code::name(code))
                    }
                    (None, FrameKind::Text) => payload.into_owned(),
                    (None, _) => hex_preview(&frame.payload),
                };
                say!(
                    "   {} {:<6} {detail}",
                    frame.direction.arrow(),
                    frame.kind.as_str()
                );
                let echoed =
                    frame.direction == Direction::Incoming && frame.kind == FrameKind::Text;
                if echoed && step < steps.len() {
                    if step == 2 && !pinged {
                        pinged = true;
                        print_step("ping the server to measure the round trip")?;
                        let _ = handle.ping();
                        continue;
                    }
                    print_step(steps[step].0)?;
                    let _ = handle.send_text(steps[step].1);
                    step += 1;
                }
            }
            Event::Rtt(rtt) => {
                say!("   rtt: {:.2} ms", rtt.last.as_secs_f64() * 1e3);
                print_step(steps[step].0)?;
                let _ = handle.send_text(steps[step].1);
                step += 1;
            }
            Event::Closed(outcome) => {
                let code = outcome.code.unwrap_or(1005);
                say!(
                    "   closed by {} with {code} {}: {}",
                    if outcome.by_peer {
                        "the server"
                    } else {
                        "wsdeck"
                    },
                    close_code::name(code),
                    close_code::meaning(code)
                );
            }
            Event::Error { message, .. } => {
                say!("   error: {}", crate::terminal_text::one_line(&message))
            }
            _ => {}
        }
    };
    shutdown_and_wait(&handle, &mut events).await;
    if result.is_ok() {
        say!(
            "\nThat's the engine. See `wsdeck --help` for request, listen, send, serve and close-codes."
        );
    }
    result
}

/// Bytes as spaced hex, e.g. `00 00 00 01`.
fn hex_preview(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 16 { " …" } else { "" };
    format!("{}{more}", shown.join(" "))
}

fn print_step(text: &str) -> Result<(), Failure> {
    say!("\n▸ {text}");
    Ok(())
}

/// Writes one line to stdout: a closed pipe is ignored (the demo is short), any
/// other failure ends the demo with it.
fn say(line: std::fmt::Arguments<'_>) -> Result<(), Failure> {
    use std::io::Write as _;
    writeln!(std::io::stdout(), "{line}").or_else(super::output::stdout_error)
}
