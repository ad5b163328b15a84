//! `--log-file PATH`: the engine's tracing goes to a private file, never to the
//! terminal, and never with the token or a payload in it.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::binary::{finish_blocking, run_wsdeck, wsdeck};
use common::pty::{ENTER, PtyApp, WAIT};

/// A token only a leak could put in the log.
const TOKEN: &str = "log-file-SECRET-4711";
/// A payload only a leak could put in the log.
const PAYLOAD: &str = "payload-XYZZY-9183";

/// The log file's text ("" while it does not exist).
fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[tokio::test]
async fn request_logs_the_connect_and_the_close_privately_without_token_or_payload() {
    let server = common::echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    for auth in ["query-param", "header"] {
        let log = dir.path().join(format!("{auth}.log"));
        let log_arg = log.to_str().expect("utf-8 path");
        let run = run_wsdeck(
            &[
                "request",
                &server.url(),
                "-m",
                PAYLOAD,
                "--auth",
                auth,
                "--token",
                TOKEN,
                "--log-file",
                log_arg,
            ],
            // Frame sizes too: the most a user can ask for still has no payload.
            &[("WSDECK_LOG", "wsdeck=trace")],
        )
        .await;
        run.assert_success();
        run.assert_secret_absent(TOKEN);
        let text = read(&log);
        assert!(text.contains("connecting"), "{text}");
        assert!(text.contains(&server.local_addr().to_string()), "{text}");
        assert!(
            text.contains("handshake done") && text.contains("status=101"),
            "{text}"
        );
        assert!(
            text.contains("closed") && text.contains("code=1000"),
            "{text}"
        );
        assert!(text.contains(" frame") && text.contains("bytes="), "{text}");
        assert!(!text.contains(TOKEN), "the token is in the log:\n{text}");
        assert!(!text.contains(PAYLOAD), "a payload is in the log:\n{text}");
        let mode = std::fs::metadata(&log)
            .expect("the log")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
}

#[tokio::test]
async fn a_second_run_appends_and_the_default_filter_leaves_frames_out() {
    let server = common::echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("wsdeck.log");
    let log_arg = log.to_str().expect("utf-8 path");
    for _ in 0..2 {
        run_wsdeck(
            &["request", &server.url(), "-m", "hi", "--log-file", log_arg],
            &[],
        )
        .await
        .assert_success();
    }
    let text = read(&log);
    assert_eq!(text.matches("wsdeck started").count(), 2, "{text}");
    assert!(
        !text.contains(" frame "),
        "frames are at trace level:\n{text}"
    );
}

#[tokio::test]
async fn a_refused_connect_logs_why_and_the_reconnect_it_schedules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("refused.log");
    let log_arg = log.to_str().expect("utf-8 path");
    let run = run_wsdeck(
        &[
            "listen",
            "ws://127.0.0.1:1",
            "--max-attempts",
            "1",
            "--log-file",
            log_arg,
        ],
        &[],
    )
    .await;
    run.assert_code(3);
    let text = read(&log);
    assert_eq!(
        text.matches("connect failed kind=Refused").count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("reconnect scheduled attempt=1 max_attempts=1 delay="),
        "{text}"
    );
    assert!(text.contains("kind=GaveUp"), "{text}");
}

#[test]
fn an_unwritable_log_file_is_one_line_and_exit_2_before_anything_starts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "").expect("written");
    let inside = file.join("wsdeck.log");
    for args in [
        vec!["close-codes", "--log-file", inside.to_str().expect("utf-8")],
        // The TUI says it on stderr too, before it would open (no terminal here).
        vec![
            "--log-file",
            inside.to_str().expect("utf-8"),
            "ws://127.0.0.1:9",
        ],
    ] {
        let run = finish_blocking(wsdeck(&args));
        run.assert_code(2).assert_one_line_error();
        assert!(run.stderr.contains("cannot open the log file"), "{run:#?}");
        assert!(run.stderr.contains("plain-file"), "{run:#?}");
    }
}

#[test]
fn a_broken_filter_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("wsdeck.log");
    let mut command = wsdeck(&["close-codes", "--log-file", log.to_str().expect("utf-8")]);
    command.env("WSDECK_LOG", "wsdeck=loudest");
    let run = finish_blocking(command);
    run.assert_code(2).assert_one_line_error();
    assert!(run.stderr.contains("WSDECK_LOG"), "{run:#?}");
}

#[test]
fn the_tui_writes_its_log_to_the_file_and_none_of_it_to_the_screen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("tui.log");
    let log_arg = log.to_str().expect("utf-8 path");
    let mut app = PtyApp::start_with_env(
        &["demo", "--log-file", log_arg],
        &[("WSDECK_LOG", "wsdeck=trace")],
        30,
        110,
    );
    app.wait_for("the demo to connect", |s| s.contains("connected"));
    let before = wait_for_log(&log, "handshake done");
    app.type_text(r#"{"hello":1}"#);
    app.key(ENTER);
    app.wait_for("the echo", |s| s.matches(r#""hello""#).count() >= 2);
    let after = wait_for_log(&log, " frame ");
    assert!(after.len() > before.len(), "the log did not grow:\n{after}");
    let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).into_owned();
    for line_text in [
        "handshake done",
        "DEBUG",
        "TRACE",
        "wsdeck::session",
        "wsdeck started",
    ] {
        assert!(
            !raw.contains(line_text),
            "{line_text:?} reached the terminal:\n{raw}"
        );
    }
    app.quit();
}

/// Waits until the log holds `what`; returns its text then.
fn wait_for_log(path: &Path, what: &str) -> String {
    let started = Instant::now();
    loop {
        let text = read(path);
        if text.contains(what) {
            return text;
        }
        assert!(
            started.elapsed() < WAIT,
            "{what:?} never reached the log:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn the_log_file_flag_works_before_the_subcommand_too() {
    let server = common::echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("before.log");
    let log_arg = log.to_str().expect("utf-8 path");
    let run = run_wsdeck(
        &["--log-file", log_arg, "request", &server.url(), "-m", "hi"],
        &[],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout, "hi\n", "{run:#?}");
    let text = read(&log);
    assert!(text.contains("handshake done"), "{text}");
}
