//! `wsdeck replay FILE URL` over real sockets on 127.0.0.1, the real binary
//! against the built-in server (in-process echo, or `serve --script` as a process):
//! payloads byte for byte, the recorded timing kept and scaled, and the whole
//! chain — a session recorded against the built-in server, replayed against
//! `serve --script` of that recording — giving back the recorded replies.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use wsdeck::recording::recorder::{Recorder, header};
use wsdeck::recording::{Record, RecordedDirection, Recording};
use wsdeck::session::{Direction, Event, FrameKind};

use crate::common::binary::{Run, finish, wsdeck};
use crate::common::recorded::{Recorded, ScriptServer, finish_timed};
use crate::common::{connected_session, echo_server, fast_config, wait_for};

const UNICODE: &str = "héllo ✓ 🌍 \"quoted\" \\ tab\tend";
const BINARY: &[u8] = &[0x00, 0xff, 0x01, 0x80, 0x0a, 0xfe];

fn replay(file: &Path, url: &str, extra: &[&str]) -> std::process::Command {
    let mut command = wsdeck(&["replay"]);
    command.arg(file).arg(url).args(extra);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echoes_come_back_byte_for_byte_and_only_outgoing_data_is_sent() {
    let server = echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = Recorded::new()
        .in_text(0, "a greeting the server sent: not replayed")
        .out_text(10, UNICODE)
        .frame(15, RecordedDirection::Outgoing, FrameKind::Ping, b"hb")
        .out_binary(20, BINARY)
        .write(dir.path(), "echo.jsonl");

    let run = finish(replay(&file, &server.url(), &["--linger", "300ms"])).await;
    run.assert_success();
    let expected = format!(
        "{UNICODE}\n{}\n",
        base64::engine::general_purpose::STANDARD.encode(BINARY)
    );
    assert_eq!(run.stdout, expected, "{run:#?}");

    let run = finish(replay(
        &file,
        &server.url(),
        &["--jsonl", "--linger", "300ms"],
    ))
    .await;
    run.assert_success();
    let replies = Recording::from_reader(run.stdout.as_bytes(), "stdout").expect("JSON lines");
    assert_eq!(
        data_frames(&replies, RecordedDirection::Incoming),
        vec![
            (FrameKind::Text, Bytes::from(UNICODE)),
            (FrameKind::Binary, Bytes::from_static(BINARY)),
        ]
    );
    server.shutdown().await;
}

/// A recording whose two messages are 300 ms apart.
fn gapped(dir: &Path) -> PathBuf {
    Recorded::new()
        .out_text(0, "first")
        .out_text(300, "second")
        .write(dir, "gap.jsonl")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recorded_gap_is_kept_halved_at_speed_2_and_dropped_at_speed_0() {
    let server = echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = gapped(dir.path());
    let mut gaps = Vec::new();
    for speed in ["1", "2", "0"] {
        let timed = finish_timed(replay(
            &file,
            &server.url(),
            &["--speed", speed, "--linger", "200ms"],
        ))
        .await;
        timed.run.assert_success();
        gaps.push(timed.gap("first", "second"));
    }
    let [normal, double, instant] = gaps[..] else {
        unreachable!()
    };
    assert!(normal >= Duration::from_millis(290), "speed 1: {normal:?}");
    assert!(
        double >= Duration::from_millis(140) && double < Duration::from_millis(260),
        "speed 2: {double:?} (speed 1: {normal:?})"
    );
    assert!(instant < Duration::from_millis(120), "speed 0: {instant:?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_nothing_to_send_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = Recorded::new()
        .in_text(0, "only")
        .in_text(5, "received")
        .write(dir.path(), "listen.jsonl");
    let run = finish(replay(&file, "ws://127.0.0.1:9/", &[])).await;
    run.assert_code(2).assert_one_line_error();
    assert!(
        run.stderr.contains("no outgoing") && run.stderr.contains("serve --script"),
        "{run:#?}"
    );

    let missing = finish(replay(
        &dir.path().join("nope.jsonl"),
        "ws://127.0.0.1:9/",
        &[],
    ))
    .await;
    missing.assert_code(2).assert_one_line_error();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redacted_token_is_warned_about_once_and_sent_as_recorded() {
    let server = echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = Recorded::new()
        .out_text(0, r#"{"auth":"***"}"#)
        .out_text(1, r#"{"again":"***"}"#)
        .write(dir.path(), "token.jsonl");
    let run = finish(replay(&file, &server.url(), &["--linger", "200ms"])).await;
    run.assert_success();
    assert_eq!(
        run.stdout_lines(),
        [r#"{"auth":"***"}"#, r#"{"again":"***"}"#]
    );
    assert_eq!(run.stderr.matches("***").count(), 1, "{run:#?}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_closes_before_the_end_is_exit_7() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = Recorded::new()
        .out_text(0, "one")
        .closed_by_server(1, 4001, "enough")
        .write(dir.path(), "short.jsonl");
    let server = ScriptServer::start(&script, &[]);
    let file = Recorded::new()
        .out_text(0, "one")
        .out_text(400, "two")
        .write(dir.path(), "long.jsonl");
    let run = finish(replay(&file, &server.url, &[])).await;
    run.assert_code(7);
    assert!(
        run.stderr.contains("4001") && run.stderr.contains("sent 1 of 2"),
        "{run:#?}"
    );
}

// The round trip: record → open → export → `serve --script` of the export →
// replay of the export against it → the replies equal the recorded ones, byte for
// byte, and the mock saw the recorded client's messages (else it closes with 1008).

/// Step 1: a session against the built-in server, through the engine, kept by the
/// recorder the TUI and `listen --record` use: text with unicode, a binary frame,
/// then the server closes with 4001.
async fn record_a_session(dir: &Path) -> PathBuf {
    let server = echo_server().await;
    let mut config = fast_config(&server.url());
    config.reconnect.enabled = false;
    let path = dir.join("session.jsonl");
    let mut recorder =
        Recorder::to_path(&path, header(&server.url(), None, "raw")).expect("the recording starts");
    let (handle, mut events) = connected_session(config);
    let (opened, seen) = wait_for(&mut events, "open", |e| matches!(e, Event::Opened(_))).await;
    for event in seen.iter().chain([&opened]) {
        recorder.record(event);
    }
    let sent: [(&[u8], wsdeck::wire::PayloadKind); 3] = [
        (UNICODE.as_bytes(), wsdeck::wire::PayloadKind::Text),
        (BINARY, wsdeck::wire::PayloadKind::Binary),
        (
            br#"{"cmd":"close","code":4001,"reason":"recorded bye"}"#,
            wsdeck::wire::PayloadKind::Text,
        ),
    ];
    for (payload, kind) in sent {
        handle
            .send(Bytes::copy_from_slice(payload), kind)
            .expect("sent");
        // The echo (or, for the close command, the close) before the next one, so
        // the recording's order is the conversation's.
        let (event, seen) = wait_for(&mut events, "a reply", |event| match event {
            Event::Frame(frame) => {
                frame.direction == Direction::Incoming
                    && matches!(frame.kind, FrameKind::Text | FrameKind::Binary)
            }
            Event::Closed(_) => true,
            _ => false,
        })
        .await;
        for event in seen.iter().chain([&event]) {
            recorder.record(event);
        }
        recorder.hand_off();
    }
    handle.shutdown().expect("shut down");
    while let Some(event) = events.recv().await {
        recorder.record(&event);
        if event == Event::Stopped {
            break;
        }
    }
    let finished = recorder.finish().await;
    assert_eq!((finished.lost, finished.problem), (0, None));
    server.shutdown().await;
    let recording = Recording::read(&path).expect("the recording reads back");
    assert!(
        recording.records.iter().any(|record| matches!(
            record,
            Record::Closed {
                code: Some(4001),
                by_peer: true,
                ..
            }
        )),
        "{recording:#?}"
    );
    assert!(matches!(recording.records.last(), Some(Record::End { .. })));
    path
}

/// Step 2: `wsdeck open FILE --export OUT.jsonl` — the recording read as `open`
/// reads it and written back as `:export` writes it.
async fn open_and_export(file: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("exported.jsonl");
    let run = finish(wsdeck(&[
        "open",
        &file.display().to_string(),
        "--export",
        &out.display().to_string(),
    ]))
    .await;
    run.assert_success();
    out
}

/// Step 3: `serve --script` of the export.
fn serve_the_recording(file: &Path) -> ScriptServer {
    ScriptServer::start(file, &[])
}

/// Step 4: `replay` of the export against it, replies as JSON lines.
async fn replay_against(file: &Path, url: &str) -> Run {
    finish(replay(file, url, &["--jsonl", "--speed", "4"])).await
}

/// The text and binary frames of one direction, in order, byte for byte.
fn data_frames(recording: &Recording, direction: RecordedDirection) -> Vec<(FrameKind, Bytes)> {
    recording
        .frames()
        .filter(|frame| {
            frame.direction == direction
                && matches!(frame.kind, FrameKind::Text | FrameKind::Binary)
        })
        .map(|frame| (frame.kind, frame.payload.bytes().expect("payload")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_open_export_replay_and_serve_script_round_trip_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = record_a_session(dir.path()).await;
    let recording = Recording::read(&file).expect("the recording reads back");
    let exported_file = open_and_export(&file, dir.path()).await;
    let exported = Recording::read(&exported_file).expect("the export reads back");
    for direction in [RecordedDirection::Outgoing, RecordedDirection::Incoming] {
        assert_eq!(
            data_frames(&exported, direction),
            data_frames(&recording, direction),
            "{direction:?}"
        );
    }
    let server = serve_the_recording(&exported_file);
    let run = replay_against(&exported_file, &server.url).await;
    // The recorded server closed with 4001; the same close ends a replay well.
    run.assert_success();
    let replies = Recording::from_reader(run.stdout.as_bytes(), "replay stdout").expect("lines");
    let recorded_replies = data_frames(&recording, RecordedDirection::Incoming);
    assert_eq!(
        recorded_replies,
        [
            (FrameKind::Text, Bytes::from(UNICODE)),
            (FrameKind::Binary, Bytes::from_static(BINARY))
        ]
    );
    assert_eq!(
        data_frames(&replies, RecordedDirection::Incoming),
        recorded_replies
    );
    // Every message the replay sent matched the recorded client's, exactly.
    let log = server.stderr_with("closing with 4001");
    for step in 1..=3 {
        assert!(log.contains(&format!("step {step}/")), "{log}");
    }
    assert!(!log.contains("mismatch"), "{log}");
}
