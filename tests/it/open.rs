//! `wsdeck open FILE|ID`: a recording written with `RecordWriter` opened read-only
//! — in the real binary on a pty (frames with their recorded times and labels,
//! search, a refused send that keeps its text, `:export`, `q` quits with 0), as an
//! app (every way to send or connect is refused and loses nothing), headless with
//! `--export`, and the mistakes (a missing file, a line that is no record, a newer
//! format) that stop with exit 2 before the terminal is touched.

use crate::common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::binary::run_wsdeck;
use common::pty::PtyApp;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::time::Instant;
use wsdeck::app::{App, Effect, Msg};
use wsdeck::commands::open::Opened;
use wsdeck::recording::{
    FORMAT_VERSION, FrameRecord, HandshakeRecord, Record, RecordWriter, RecordedDirection,
    Recording, SessionHeader, Timestamp,
};
use wsdeck::session::FrameKind;

/// 2026-12-04T10:56:27.000Z.
fn at(offset_ms: u64) -> Timestamp {
    Timestamp(SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_381_787_000 + offset_ms))
}

fn frame(offset_ms: u64, direction: RecordedDirection, kind: FrameKind, bytes: &[u8]) -> Record {
    Record::Frame(FrameRecord::data(at(offset_ms), direction, kind, bytes))
}

/// A session: a handshake with subprotocol `chat`, a text each way (the reply
/// labelled by an adapter), a binary frame in, a system line and a close by the
/// server with 4001.
fn sample_records() -> Vec<Record> {
    let mut reply = frame(
        250,
        RecordedDirection::Incoming,
        FrameKind::Text,
        br#"{"hello":"world"}"#,
    );
    if let Record::Frame(reply) = &mut reply {
        reply.label = Some("greeting".into());
    }
    vec![
        Record::Session(SessionHeader {
            version: FORMAT_VERSION,
            wsdeck: "test".into(),
            started: at(0),
            url: "ws://127.0.0.1:9/feed".into(),
            profile: Some("staging".into()),
            provider: None,
        }),
        Record::Handshake(HandshakeRecord {
            time: at(100),
            url: "ws://127.0.0.1:9/feed".into(),
            request_headers: vec![("host".into(), "127.0.0.1:9".into())],
            status: 101,
            response_headers: vec![("upgrade".into(), "websocket".into())],
            subprotocol: Some("chat".into()),
            extensions: None,
            proxy: None,
        }),
        frame(
            200,
            RecordedDirection::Outgoing,
            FrameKind::Text,
            br#"{"hello":1}"#,
        ),
        reply,
        frame(
            300,
            RecordedDirection::Incoming,
            FrameKind::Binary,
            &[0xde, 0xad, 0xbe, 0xef],
        ),
        Record::System {
            time: at(400),
            level: "warning".into(),
            text: "rate limited by the server".into(),
        },
        Record::Closed {
            time: at(1_500),
            code: Some(4001),
            reason: "bye".into(),
            by_peer: true,
            clean: true,
        },
        Record::End { time: at(1_600) },
    ]
}

fn write_recording(path: &Path, records: &[Record]) {
    let mut writer = RecordWriter::new(std::fs::File::create(path).expect("created"));
    for record in records {
        writer.write(record).expect("written");
    }
    writer.flush().expect("flushed");
}

fn sample_file(dir: &Path) -> PathBuf {
    let path = dir.join("session.jsonl");
    write_recording(&path, &sample_records());
    path
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn type_into(app: &mut App, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(app.update(key(KeyCode::Char(c)), Instant::now()));
    }
    effects
}

fn opened_app(dir: &Path) -> App {
    let path = sample_file(dir);
    let recording = Recording::read(&path).expect("the sample reads");
    wsdeck::tui::view_recording::recording_app(&Opened {
        file: path.display().to_string(),
        recording,
    })
}

fn status(app: &App) -> String {
    app.state
        .status
        .as_ref()
        .map(|(text, _)| text.clone())
        .unwrap_or_default()
}

#[test]
fn a_recording_refuses_every_send_and_connect_and_keeps_what_was_typed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut app = opened_app(dir.path());
    assert!(app.state.is_read_only());
    // Three frames, the handshake's line, the system line and the close.
    assert_eq!(app.state.log.len(), 6);
    let now = Instant::now();

    // The composer: a message stays where it was typed.
    app.update(key(KeyCode::Char('i')), now);
    type_into(&mut app, r#"{"again":1}"#);
    let effects = app.update(key(KeyCode::Enter), now);
    assert!(effects.is_empty(), "{effects:?}");
    assert!(status(&app).starts_with("read-only: this is a recording"));
    assert!(status(&app).contains("wsdeck replay"), "{}", status(&app));
    assert_eq!(app.state.composer.text(), r#"{"again":1}"#);

    // A command typed in the composer: refused, and still there.
    app.state.composer.set_text("");
    for line in [
        ":connect",
        ":reconnect",
        ":every 1s hi",
        ":ping",
        ":close 4000",
    ] {
        app.state.composer.set_text(line);
        let effects = app.update(key(KeyCode::Enter), now);
        assert!(effects.is_empty(), "{line}: {effects:?}");
        assert!(status(&app).starts_with("read-only"), "{line}");
        assert_eq!(app.state.composer.text(), line);
    }
    app.state.composer.set_text("");

    // The close dialog and the snippets popup do not open.
    app.update(key(KeyCode::Esc), now);
    for (code, modifiers) in [
        (KeyCode::Char('x'), KeyModifiers::CONTROL),
        (KeyCode::F(2), KeyModifiers::NONE),
        (KeyCode::Char('c'), KeyModifiers::NONE),
    ] {
        app.update(Msg::Key(KeyEvent::new(code, modifiers)), now);
        assert!(app.state.overlay.is_none(), "{code:?}");
        assert!(status(&app).starts_with("read-only"), "{code:?}");
    }

    // The command line: :connect refused, :export accepted.
    app.update(key(KeyCode::Char(':')), now);
    type_into(&mut app, "connect");
    assert!(app.update(key(KeyCode::Enter), now).is_empty());
    assert!(status(&app).starts_with("read-only"));
    app.update(key(KeyCode::Char(':')), now);
    type_into(&mut app, "export out.har");
    let effects = app.update(key(KeyCode::Enter), now);
    assert_eq!(
        effects,
        [Effect::Export {
            path: "out.har".into(),
            overwrite: false
        }]
    );

    // Nothing to lose: q quits at once.
    assert_eq!(app.update(key(KeyCode::Char('q')), now), [Effect::Quit]);
}

#[test]
fn an_opened_recording_exports_what_it_holds_byte_for_byte() {
    let dir = tempfile::tempdir().expect("temp dir");
    let app = opened_app(dir.path());
    let source = wsdeck::state::export_view::export_source(&app.state);
    let original = sample_records();
    assert_eq!(
        Some(&source.header),
        match &original[0] {
            Record::Session(header) => Some(header),
            _ => None,
        }
    );
    // Everything but the header and the end line, in order, as it was.
    assert_eq!(source.records, original[1..original.len() - 1]);
}

#[tokio::test]
async fn open_in_a_terminal_shows_the_recording_searches_refuses_sends_exports_and_quits_with_0() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = sample_file(dir.path());
    let file = path.display().to_string();
    let mut app = PtyApp::start(&["open", &file], 40, 140);
    let screen = app.wait_for("the recording", |screen| {
        screen.contains("deadbeef") || screen.contains("de ad be ef")
    });
    for shown in [
        "recording · read-only",
        "composer · read-only",
        "`wsdeck replay",
        "10:56:27.200 → text",
        r#"{"hello":1}"#,
        "10:56:27.250 ← text",
        "greeting",
        "connected to ws://127.0.0.1:9/feed (subprotocol chat)",
        "rate limited by the server",
        "closed by server: 4001",
        "staging",
        "chat",
    ] {
        assert!(screen.contains(shown), "{shown:?} missing:\n{screen}");
    }
    assert!(!screen.contains("rtt"), "{screen}");

    // Search.
    app.type_text("/world");
    app.key(b"\r");
    app.wait_for("the search hit", |screen| {
        screen.contains("/world · 1 match")
    });

    // A send is refused; the text stays in the composer.
    app.key(b"i");
    app.type_text("hello again");
    app.key(b"\r");
    let screen = app.wait_for("the refusal", |screen| {
        screen.contains("read-only: this is a recording")
    });
    assert!(screen.contains("hello again"), "{screen}");

    // :export from the composer converts it.
    app.key(&[0x15]); // Ctrl-U clears the composer.
    let har = dir.path().join("out.har");
    app.type_text(&format!(":export {}", har.display()));
    app.key(b"\r");
    app.wait_for("the export", |screen| screen.contains("exported"));

    // q in the log quits at once: the recording is in its file.
    app.key(b"\x1b");
    app.key(b"q");
    let status = app.wait_exit();
    assert!(status.success(), "exit {status:?}:\n{}", app.contents());
    let har: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&har).expect("exported")).expect("JSON");
    assert_eq!(
        har["log"]["entries"][0]["request"]["url"],
        "ws://127.0.0.1:9/feed"
    );
}

#[tokio::test]
async fn an_id_opens_a_kept_session_from_the_data_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sessions = dir.path().join("sessions");
    std::fs::create_dir_all(&sessions).expect("made");
    write_recording(
        &sessions.join("20261204-105627-ab12.jsonl"),
        &sample_records(),
    );
    let out = dir.path().join("out.txt");
    let data_dir = dir.path().display().to_string();
    let run = run_wsdeck(
        &[
            "open",
            "20261204-1056",
            "--export",
            &out.display().to_string(),
        ],
        &[("WSDECK_DATA_DIR", &data_dir)],
    )
    .await;
    run.assert_success();
    let text = std::fs::read_to_string(&out).expect("exported");
    assert!(text.contains("2026-12-04T10:56:27.200Z → text"), "{text}");

    // `last` is the newest; a prefix of two is refused with both IDs.
    write_recording(
        &sessions.join("20261204-110000-cd34.jsonl"),
        &sample_records(),
    );
    let newest = dir.path().join("newest.jsonl");
    let run = run_wsdeck(
        &["open", "last", "--export", &newest.display().to_string()],
        &[("WSDECK_DATA_DIR", &data_dir)],
    )
    .await;
    run.assert_success();
    let run = run_wsdeck(
        &[
            "open",
            "20261204",
            "--export",
            &dir.path().join("x.txt").display().to_string(),
        ],
        &[("WSDECK_DATA_DIR", &data_dir)],
    )
    .await;
    run.assert_code(2);
    assert!(
        run.stderr.contains("20261204-105627-ab12") && run.stderr.contains("20261204-110000-cd34"),
        "{run:#?}"
    );
}

#[tokio::test]
async fn open_export_converts_headless_and_refuses_an_existing_file_or_an_unknown_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = sample_file(dir.path()).display().to_string();
    let out = dir.path().join("copy.jsonl").display().to_string();
    let run = run_wsdeck(&["open", &file, "--export", &out], &[]).await;
    run.assert_success();
    assert!(run.stderr.contains("exported 6 entries"), "{run:#?}");
    let copy = Recording::read(Path::new(&out)).expect("a recording");
    let original = Recording::read(Path::new(&file)).expect("a recording");
    assert_eq!(copy.records, original.records);

    let again = run_wsdeck(&["open", &file, "--export", &out], &[]).await;
    again.assert_code(2).assert_one_line_error();
    assert!(again.stderr.contains("exists already"), "{again:#?}");
    run_wsdeck(&["open", &file, "--export", &out, "--force"], &[])
        .await
        .assert_success();

    // Without a terminal and without --export: exit 2, and the way to convert.
    let no_terminal = run_wsdeck(&["open", &file], &[]).await;
    no_terminal.assert_code(2).assert_one_line_error();
    assert!(
        no_terminal.stderr.contains("--export OUT"),
        "{no_terminal:#?}"
    );

    let unknown = dir.path().join("copy.csv").display().to_string();
    let refused = run_wsdeck(&["open", &file, "--export", &unknown], &[]).await;
    refused.assert_code(2).assert_one_line_error();
    assert!(
        refused.stderr.contains(".jsonl, .txt or .har"),
        "{refused:#?}"
    );
}

#[tokio::test]
async fn a_bad_recording_exits_2_with_the_file_and_line_before_the_terminal_is_taken() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.jsonl");
    let mut text = std::fs::read_to_string(sample_file(dir.path())).expect("sample");
    text = text.replacen('\n', "\n{\"type\":\"frame\",\"nonsense\":true}\n", 1);
    std::fs::write(&bad, text).expect("written");
    let newer = dir.path().join("newer.jsonl");
    std::fs::write(
        &newer,
        format!(
            "{{\"type\":\"session\",\"version\":{},\"started\":\"2026-12-04T10:56:27.000Z\",\"url\":\"ws://x/\"}}\n",
            FORMAT_VERSION + 1
        ),
    )
    .expect("written");
    let missing = dir.path().join("missing.jsonl");
    let cases = [
        (bad.display().to_string(), format!("{}:2:", bad.display())),
        (newer.display().to_string(), "update wsdeck".to_string()),
        (missing.display().to_string(), "cannot read".to_string()),
    ];
    for (file, said) in cases {
        // In a terminal: exit 2 with the message, and the screen never switched.
        let mut app = PtyApp::start(&["open", &file], 24, 100);
        let status = app.wait_exit();
        assert_eq!(status.exit_code(), 2, "{file}: {}", app.contents());
        let raw = String::from_utf8_lossy(&app.raw.lock().unwrap()).into_owned();
        assert!(raw.contains(&said), "{said:?} in {raw:?}");
        assert!(
            !raw.contains("\x1b[?1049h"),
            "the alternate screen was entered: {raw:?}"
        );
        // Without one: the same.
        let run = run_wsdeck(&["open", &file], &[]).await;
        run.assert_code(2).assert_one_line_error();
        assert!(run.stderr.contains(&said), "{run:#?}");
    }
}

#[tokio::test]
async fn a_cut_short_recording_opens_with_a_warning() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = sample_file(dir.path());
    let mut text = std::fs::read_to_string(&path).expect("sample");
    text.push_str(r#"{"type":"frame","time":"2026-12-04T10:5"#);
    std::fs::write(&path, text).expect("written");
    let file = path.display().to_string();
    let mut app = PtyApp::start(&["open", &file], 40, 160);
    app.wait_for("the warning", |screen| {
        screen.contains("this recording was cut short")
    });
    app.quit();
}
