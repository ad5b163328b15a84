//! The TUI's real event loop on a `TestBackend` (see [`common::runner`]): keys
//! typed into its input stream reach a real session on a loopback server, what
//! comes back is drawn, and the loop's effects (quit, copy, save, a termination
//! signal, the end of input) happen as in the binary.

use crate::common;

use std::time::Duration;

use common::runner::Runner;
use ratatui::crossterm::event::KeyCode;
use tokio_tungstenite::tungstenite::Message;

/// The log's lines that contain `needle`.
fn log_lines<'a>(screen: &'a str, needle: &str) -> Vec<&'a str> {
    screen
        .lines()
        .filter(|line| line.contains(needle))
        .collect()
}

/// The loop on a 120×30 screen, connected to the built-in echo server.
async fn connected_to_echo() -> (wsdeck::server::Server, Runner) {
    let server = common::echo_server().await;
    let runner = Runner::start(common::fast_config(&server.url()), 120, 30);
    runner.wait_for("connected to").await;
    (server, runner)
}

/// A termination signal ends the loop cleanly.
async fn terminate(runner: Runner) {
    runner.terminate();
    runner.finished().await.0.expect("the loop ends cleanly");
}

#[tokio::test]
async fn what_is_typed_is_sent_and_the_echo_is_drawn() {
    let (_server, runner) = connected_to_echo().await;
    runner.type_text(r#"{"n":1}"#);
    runner.key(KeyCode::Enter);
    let screen = runner.wait_for(r#"← text        7 B  {"n":1}"#).await;
    assert_eq!(
        log_lines(&screen, r#"→ text        7 B  {"n":1}"#).len(),
        1,
        "{screen}"
    );
    // The counters come with the session's next statistics (at most a second on).
    runner.wait_for("sent  1 (7 B)").await;
    runner.terminate();
    let (result, app) = runner.finished().await;
    result.expect("the loop ends cleanly");
    assert!(
        app.state.composer.text().is_empty(),
        "the sent text left the composer"
    );
}

#[tokio::test]
async fn a_stray_q_in_the_log_asks_and_y_quits_with_1000() {
    let (url, close_code) = common::peer::close_code_recorder(vec![Message::text("hi")]).await;
    let runner = Runner::start(common::fast_config(&url), 120, 30);
    runner.wait_for("← text        2 B  hi").await;
    runner.key(KeyCode::Tab);
    runner.key(KeyCode::Char('q'));
    let screen = runner.wait_for("quit? ").await;
    assert!(
        screen.contains("the connection closes with 1000"),
        "{screen}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!runner.is_finished(), "one q only asks");
    runner.key(KeyCode::Char('y'));
    let (result, _) = runner.finished().await;
    result.expect("the loop ends cleanly");
    let code = tokio::time::timeout(common::WAIT, close_code)
        .await
        .expect("the peer hears the close")
        .expect("the peer reports");
    assert_eq!(code, Some(1000));
}

#[tokio::test]
async fn y_in_the_inspector_puts_the_message_on_the_clipboard() {
    let (url, _close_code) =
        common::peer::close_code_recorder(vec![Message::text(r#"{"price":"1.5"}"#)]).await;
    let runner = Runner::start(common::fast_config(&url), 120, 30);
    runner.wait_for(r#"{"price":"1.5"}"#).await;
    runner.key(KeyCode::Tab);
    runner.key(KeyCode::Enter);
    runner.wait_for("inspect").await;
    runner.key(KeyCode::Char('y'));
    runner.wait_for("copied to the clipboard").await;
    assert_eq!(runner.copied(), vec![r#"{"price":"1.5"}"#.to_owned()]);
    terminate(runner).await;
}

#[tokio::test]
async fn save_writes_the_log_and_reports_it_on_the_status_line() {
    let (_server, runner) = connected_to_echo().await;
    runner.type_text("\"one\"");
    runner.key(KeyCode::Enter);
    runner.wait_for("← text        5 B  \"one\"").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("session.jsonl");
    runner.type_text(&format!(":save {}", path.display()));
    runner.key(KeyCode::Enter);
    let screen = runner.wait_for("saved ").await;
    let written = std::fs::read_to_string(&path).expect("the log was written");
    let lines: Vec<&str> = written.lines().collect();
    assert!(
        screen.contains(&format!("saved {} entries", lines.len())),
        "{screen}\n{written}"
    );
    assert!(written.contains(r#""direction":"out""#), "{written}");
    assert!(written.contains(r#""direction":"in""#), "{written}");
    terminate(runner).await;
}

#[tokio::test]
async fn a_resize_redraws_for_the_new_size() {
    let (_server, runner) = connected_to_echo().await;
    let wide = runner.screen();
    assert!(wide.contains("┌ connection"), "{wide}");
    runner.resize(60, 20);
    let deadline = tokio::time::Instant::now() + common::WAIT;
    let narrow = loop {
        let screen = runner.screen();
        if screen.lines().count() == 20 && !screen.contains("┌ connection") {
            break screen;
        }
        assert!(tokio::time::Instant::now() < deadline, "{screen}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        narrow
            .lines()
            .next()
            .unwrap_or_default()
            .contains("connected"),
        "{narrow}"
    );
    terminate(runner).await;
}

#[tokio::test]
async fn the_end_of_input_ends_the_loop() {
    let (_server, mut runner) = connected_to_echo().await;
    runner.end_input();
    runner.finished().await.0.expect("the loop ends cleanly");
}

/// Nothing on the wire and no key: the loop waits instead of drawing. What wakes
/// it is the uptime's 1 s tick and the session's statistics (at most one a
/// second); a loop that spun would draw ~60 times a second.
#[tokio::test]
async fn an_idle_loop_does_not_redraw() {
    let (_server, runner) = connected_to_echo().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = runner.draws();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let idle_draws = runner.draws() - before;
    assert!(idle_draws <= 4, "{idle_draws} draws in 1.5 s of quiet");
    terminate(runner).await;
}

#[tokio::test]
async fn every_typed_in_the_composer_sends_on_schedule_and_shows_in_the_state_pane() {
    let (_server, runner) = connected_to_echo().await;
    runner.type_text(r#":every 200ms {"beat":1}"#);
    runner.key(KeyCode::Enter);
    runner.wait_for(r#"every 200ms · '{"beat":1}'"#).await;
    // Three echoes back, 200 ms apart: the schedule keeps sending on its own.
    let echo = r#"← text       10 B  {"beat":1}"#;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while log_lines(&runner.screen(), echo).len() < 3 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{}",
            runner.screen()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    runner.type_text(":every off");
    runner.key(KeyCode::Enter);
    runner.wait_for("scheduled send stopped").await;
    terminate(runner).await;
}
