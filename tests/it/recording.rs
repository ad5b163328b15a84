//! Every session kept: `listen --record` and `request --record` against the
//! built-in server write what went over the socket byte for byte, with the
//! handshake and the token as `***`, in a 0600 file; the TUI records its session
//! into the data directory and the file is complete once it quits; `wsdeck
//! sessions` lists recordings and prunes them; a write error is said and the
//! session goes on; `--no-record` writes nothing.

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ratatui::crossterm::event::KeyCode;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use wsdeck::recording::recorder::header;
use wsdeck::recording::{Record, RecordedDirection, Recorder, Recording};
use wsdeck::server::ServerConfig;
use wsdeck::session::FrameKind;

use crate::common::binary::run_wsdeck;
use crate::common::peer::messages_then_close;
use crate::common::pty::PtyApp;
use crate::common::runner::Runner;
use crate::common::screen::app_setup;
use crate::common::{fast_config, server_with};

const TOKEN: &str = "rec-SECRET-token-4711";
const TEXT: &str = "{\"hello\":\"wörld\",\"n\":1}";
const BINARY: [u8; 5] = [0, 1, 2, 0xfe, 0xff];

/// A config directory with profile `rec` on `url`, sending a text and a binary
/// message on connect.
fn profile_dir(url: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("profiles")).expect("profiles dir");
    let profile = format!(
        "url = \"{url}\"\n\n[[on_connect]]\ntext = '{TEXT}'\nformat = \"text\"\n\n[[on_connect]]\ntext = \"base64:AAEC/v8=\"\nformat = \"binary\"\n"
    );
    std::fs::write(dir.path().join("profiles/rec.toml"), profile).expect("profile written");
    dir
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// The payloads of the data frames going `direction`, with their kinds.
fn data_frames(recording: &Recording, direction: RecordedDirection) -> Vec<(FrameKind, Vec<u8>)> {
    recording
        .frames()
        .filter(|frame| frame.direction == direction)
        .filter(|frame| matches!(frame.kind, FrameKind::Text | FrameKind::Binary))
        .map(|frame| (frame.kind, frame.payload.bytes().expect("payload").to_vec()))
        .collect()
}

/// The recording holds a close with 1000, and its last line is the end line.
fn assert_closed_with_1000_then_ended(recording: &Recording) {
    let closed = |record: &Record| {
        matches!(
            record,
            Record::Closed {
                code: Some(1000),
                ..
            }
        )
    };
    assert!(
        recording.records.iter().any(closed),
        "the close is recorded: {:?}",
        recording.records
    );
    assert!(matches!(recording.records.last(), Some(Record::End { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_record_keeps_frames_byte_for_byte_the_handshake_and_no_token() {
    let server = server_with(ServerConfig {
        require_token: Some(TOKEN.to_owned()),
        ..ServerConfig::default()
    })
    .await;
    let config = profile_dir(&server.url());
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("listen.jsonl");
    let run = run_wsdeck(
        &[
            "listen",
            "-p",
            "rec",
            "--auth",
            "header",
            "--token",
            TOKEN,
            "--no-reconnect",
            "-n",
            "2",
            "--record",
            &file.display().to_string(),
        ],
        &[("WSDECK_CONFIG_DIR", &config.path().display().to_string())],
    )
    .await;
    run.assert_success();
    assert!(
        run.stderr.contains("session recorded in") && run.stderr.contains("listen.jsonl"),
        "the file is named at the end: {run:#?}"
    );
    assert_eq!(mode_of(&file), 0o600);
    let text = std::fs::read_to_string(&file).expect("recording");
    assert!(!text.contains(TOKEN), "the token is in the file:\n{text}");

    let recording = Recording::read(&file).expect("reads back");
    assert!(!recording.cut_short);
    let header = recording.header.as_ref().expect("a header");
    assert_eq!(header.profile.as_deref(), Some("rec"));
    assert!(header.url.starts_with("ws://127.0.0.1:"), "{}", header.url);
    let handshake = recording
        .records
        .iter()
        .find_map(|record| match record {
            Record::Handshake(handshake) => Some(handshake),
            _ => None,
        })
        .expect("a handshake record");
    assert_eq!(handshake.status, 101);
    assert!(
        handshake
            .request_headers
            .iter()
            .any(|(name, value)| name == "authorization" && value == "Bearer ***"),
        "{:?}",
        handshake.request_headers
    );
    assert!(
        handshake
            .response_headers
            .iter()
            .any(|(name, _)| name == "sec-websocket-accept"),
        "{:?}",
        handshake.response_headers
    );
    let sent = vec![
        (FrameKind::Text, TEXT.as_bytes().to_vec()),
        (FrameKind::Binary, BINARY.to_vec()),
    ];
    assert_eq!(data_frames(&recording, RecordedDirection::Outgoing), sent);
    assert_eq!(data_frames(&recording, RecordedDirection::Incoming), sent);
    assert_closed_with_1000_then_ended(&recording);
    server.shutdown().await;
}

/// `wsdeck sessions ARGS…` with the data directory `data` (and config `config`).
async fn sessions(args: &[&str], data: &Path, config: &Path) -> crate::common::binary::Run {
    let mut all = vec!["sessions"];
    all.extend_from_slice(args);
    run_wsdeck(
        &all,
        &[
            ("WSDECK_DATA_DIR", &data.display().to_string()),
            ("WSDECK_CONFIG_DIR", &config.display().to_string()),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_records_into_the_store_and_sessions_lists_it() {
    let server = server_with(ServerConfig::default()).await;
    let data = tempfile::tempdir().expect("temp dir");
    let config = tempfile::tempdir().expect("temp dir");
    let run = run_wsdeck(
        &["request", &server.url(), "-m", r#"{"id":1}"#, "--record"],
        &[
            ("WSDECK_DATA_DIR", &data.path().display().to_string()),
            ("WSDECK_CONFIG_DIR", &config.path().display().to_string()),
        ],
    )
    .await;
    run.assert_success();
    let dir = data.path().join("sessions");
    assert_eq!(mode_of(&dir), 0o700);
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("sessions dir")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let id = files[0].file_stem().unwrap().to_string_lossy().into_owned();
    let port = server.local_addr().port();
    assert!(id.ends_with(&format!("-127.0.0.1_{port}")), "{id}");
    assert!(run.stderr.contains(&id), "{run:#?}");

    // A recording whose writer was killed mid-line.
    let cut = dir.join("20000101-000000-000-example.org_443.jsonl");
    std::fs::write(
        &cut,
        "{\"type\":\"session\",\"version\":1,\"started\":\"2000-01-01T00:00:00.000Z\",\"url\":\"wss://example.org/\"}\n{\"type\":\"frame\",\"time\":\"2000-01-01T00:00:01.000Z\",\"direction\":\"in\",\"kind\":\"text\",\"data\":\"a\"}\n{\"type\":\"fra",
    )
    .expect("written");

    let listing = sessions(&[], data.path(), config.path()).await;
    listing.assert_success();
    let lines = listing.stdout_lines();
    assert!(lines[0].contains("times UTC"), "{listing:#?}");
    assert!(lines[1].starts_with("ID"), "{listing:#?}");
    assert!(lines[2].starts_with(&id), "newest first: {listing:#?}");
    assert!(lines[2].contains(&server.url()), "{listing:#?}");
    assert!(!lines[2].contains("(cut short)"), "{listing:#?}");
    assert!(lines[3].contains("wss://example.org/"), "{listing:#?}");
    assert!(lines[3].ends_with("(cut short)"), "{listing:#?}");

    let json = sessions(&["--json"], data.path(), config.path()).await;
    json.assert_success();
    let objects: Vec<Value> = json
        .stdout_lines()
        .iter()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(objects.len(), 2);
    assert_eq!(objects[0]["id"], id.as_str());
    assert_eq!(objects[0]["frames_in"], 1);
    assert_eq!(objects[0]["frames_out"], 1);
    assert_eq!(objects[0]["cut_short"], false);
    assert_eq!(objects[1]["frames_in"], 1, "the cut line is not counted");
    assert_eq!(objects[1]["cut_short"], true);
    assert_eq!(objects[1]["duration_ms"], 1000);

    let path = sessions(&["path"], data.path(), config.path()).await;
    path.assert_success();
    assert_eq!(path.stdout.trim_end(), dir.display().to_string());
    server.shutdown().await;
}

/// A recording named for `age` ago, `size` bytes, last written then.
fn old_recording(dir: &Path, age: Duration, size: usize) -> PathBuf {
    let when = SystemTime::now() - age;
    let path = dir.join(wsdeck::recording::store::file_name(
        when,
        "ws://127.0.0.1:9/",
    ));
    std::fs::write(&path, vec![b'x'; size]).expect("written");
    let file = std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("opened");
    file.set_modified(when).expect("mtime set");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prune_removes_the_oldest_by_age_then_by_size() {
    let data = tempfile::tempdir().expect("temp dir");
    let config = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        config.path().join("settings.toml"),
        "[sessions]\nmax_size = \"2500\"\nmax_age = \"10days\"\n",
    )
    .expect("settings");
    let dir = data.path().join("sessions");
    std::fs::create_dir_all(&dir).expect("dir");
    let day = Duration::from_secs(24 * 3600);
    let too_old = old_recording(&dir, 20 * day, 10);
    let oldest_kept_by_age = old_recording(&dir, 5 * day, 1000);
    let middle = old_recording(&dir, 3 * day, 1000);
    let newest = old_recording(&dir, day, 1000);

    let run = sessions(&["--prune"], data.path(), config.path()).await;
    run.assert_success();
    assert!(run.stdout.contains("removed 2 recordings"), "{run:#?}");
    assert!(!too_old.exists(), "older than max_age");
    assert!(
        !oldest_kept_by_age.exists(),
        "the oldest goes to fit max_size"
    );
    assert!(middle.exists() && newest.exists());

    let again = sessions(&["--prune"], data.path(), config.path()).await;
    assert!(again.stdout.contains("nothing to prune"), "{again:#?}");

    std::fs::write(
        config.path().join("settings.toml"),
        "[sessions]\nmax_size = \"lots\"\n",
    )
    .expect("settings");
    let broken = sessions(&["--prune"], data.path(), config.path()).await;
    broken.assert_code(2);
    assert!(
        broken.stderr.contains("settings.toml:2:12: max_size:"),
        "{broken:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listen_goes_on_when_the_recording_cannot_be_written() {
    let messages = (0..3).map(|n| Message::text(format!("m{n}"))).collect();
    let url = messages_then_close(messages, 1000, "done").await;
    let run = run_wsdeck(
        &["listen", &url, "--no-reconnect", "--record", "/dev/full"],
        &[],
    )
    .await;
    run.assert_success();
    assert_eq!(run.stdout_lines(), ["m0", "m1", "m2"]);
    assert!(
        run.stderr.contains(
            "recording stopped: No space left on device (os error 28) — the session goes on"
        ),
        "{run:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tui_shows_a_write_error_and_the_session_goes_on() {
    let server = server_with(ServerConfig::default()).await;
    let file = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let recorder = Recorder::start(
        PathBuf::from("/dev/full"),
        file,
        header(&server.url(), None, "raw"),
    )
    .expect("recorder");
    let config = fast_config(&server.url());
    let runner = Runner::start_recording(config, app_setup(&server.url()), 160, 30, Some(recorder));
    runner
        .wait_for("recording stopped: No space left on device (os error 28) — the session goes on")
        .await;
    runner.type_text("\"still-here\"");
    runner.key(KeyCode::Enter);
    runner.wait_for("\"still-here\"").await;
    let screen = runner.wait_for("← text").await;
    assert!(screen.contains("● connected"), "{screen}");
    server.shutdown().await;
}

/// The recordings in `data`'s sessions directory.
fn recordings_in(data: &Path) -> Vec<PathBuf> {
    match std::fs::read_dir(data.join("sessions")) {
        Ok(entries) => entries.map(|entry| entry.expect("entry").path()).collect(),
        Err(_) => Vec::new(),
    }
}

#[test]
fn the_tui_records_its_session_and_the_file_is_complete_after_quitting() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime.block_on(server_with(ServerConfig::default()));
    let url = server.url();
    let data = tempfile::tempdir().expect("temp dir");
    let config = tempfile::tempdir().expect("temp dir");
    let env = [
        ("WSDECK_DATA_DIR", data.path().to_str().expect("utf-8")),
        ("WSDECK_CONFIG_DIR", config.path().to_str().expect("utf-8")),
    ];

    let mut app = PtyApp::start_with_env(&[&url], &env, 30, 140);
    app.wait_for("the recording line", |s| {
        s.contains("recording to") && s.contains("sessions/")
    });
    app.type_text("{\"kept\":1}");
    app.key(b"\r");
    app.wait_for("the echo", |s| {
        s.lines()
            .any(|line| line.contains("← text") && line.contains("{\"kept\":1}"))
    });
    app.quit();

    let files = recordings_in(data.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode_of(&files[0]), 0o600);
    let recording = Recording::read(&files[0]).expect("reads back");
    assert!(!recording.cut_short);
    let kept = (FrameKind::Text, b"{\"kept\":1}".to_vec());
    assert_eq!(
        data_frames(&recording, RecordedDirection::Outgoing),
        std::slice::from_ref(&kept)
    );
    assert_eq!(data_frames(&recording, RecordedDirection::Incoming), [kept]);
    assert_closed_with_1000_then_ended(&recording);

    // --no-record: nothing more is written.
    let mut app = PtyApp::start_with_env(&["--no-record", &url], &env, 30, 140);
    app.wait_for("connected", |s| s.contains("connected to"));
    assert!(!app.contents().contains("recording to"));
    app.quit();
    assert_eq!(recordings_in(data.path()).len(), 1);

    // enabled = false in settings.toml does the same.
    std::fs::write(
        config.path().join("settings.toml"),
        "[sessions]\nenabled = false\n",
    )
    .expect("settings");
    let mut app = PtyApp::start_with_env(&[&url], &env, 30, 140);
    app.wait_for("connected", |s| s.contains("connected to"));
    app.quit();
    assert_eq!(recordings_in(data.path()).len(), 1);
    runtime.block_on(server.shutdown());
}
