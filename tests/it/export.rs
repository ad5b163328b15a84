//! `:export FILE` from a live session: the TUI's real loop on a session over
//! loopback against the built-in server sends text and binary, the server closes
//! with 4000, and the export is written in each format. The HAR validates against
//! the HAR 1.2 JSON Schema (the `har-schema` package, with ajv, both pinned in
//! tests/peers) and its `_webSocketMessages` give back the payloads sent and
//! received; the `.jsonl` is read back as a recording, frames byte for byte.

use crate::common;

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use common::runner::Runner;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use serde_json::Value;
use wsdeck::recording::{Record, Recording};

/// Runs the HAR validator on `files`: its exit status and what it printed.
fn validate(files: &[&Path]) -> (bool, String) {
    common::peers::ensure_installed();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/har-validate.js");
    let output = Command::new("node")
        .arg(script)
        .args(files)
        .output()
        .expect("node runs (node ≥ 20 is needed for these tests)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("the export exists"))
        .expect("the export is JSON")
}

/// Types a `:` command into the composer and runs it.
async fn command(runner: &Runner, line: &str, wait_for: &str) -> String {
    runner.type_text(line);
    runner.key(KeyCode::Enter);
    runner.wait_for(wait_for).await
}

#[tokio::test]
async fn a_live_session_exports_a_har_that_validates_and_gives_back_every_message() {
    let server = common::echo_server().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let runner = Runner::start(common::fast_config(&server.url()), 160, 40);
    runner.wait_for("connected to").await;

    command(&runner, r#"{"n":1}"#, r#"← text        7 B  {"n":1}"#).await;
    // Ctrl-T twice: JSON → Text → Binary.
    runner.key_with(KeyCode::Char('t'), KeyModifiers::CONTROL);
    runner.key_with(KeyCode::Char('t'), KeyModifiers::CONTROL);
    command(&runner, "00 ff 10 80", "← binary").await;
    runner.key_with(KeyCode::Char('t'), KeyModifiers::CONTROL);
    let close = r#"{"cmd":"close","code":4000,"reason":"over"}"#;
    command(&runner, close, "closed by server: 4000").await;

    let har = dir.path().join("session.har");
    let jsonl = dir.path().join("session.jsonl");
    let txt = dir.path().join("session.txt");
    for path in [&har, &jsonl, &txt] {
        let line = format!(":export {}", path.display());
        command(&runner, &line, "exported").await;
        while !path.exists() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    // Only what came in, through the filter: the export follows the view.
    runner.key(KeyCode::Esc);
    runner.key(KeyCode::Char('f'));
    runner.type_text("in");
    runner.key(KeyCode::Enter);
    runner.wait_for("filter:").await;
    let filtered = dir.path().join("incoming.har");
    runner.key(KeyCode::Char(':'));
    command(
        &runner,
        &format!("export {}", filtered.display()),
        "exported",
    )
    .await;
    while !filtered.exists() {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    // A second export to the same name is refused, and the file is kept.
    runner.key(KeyCode::Char(':'));
    let refused = command(
        &runner,
        &format!("export {}", filtered.display()),
        "exists already",
    )
    .await;
    assert!(refused.contains(":export!"), "{refused}");
    runner.terminate();
    runner.finished().await.0.expect("the loop ends cleanly");

    let (valid, report) = validate(&[&har, &filtered]);
    assert!(valid, "the HAR exports must validate:\n{report}");

    let document = read_json(&har);
    assert_eq!(document["log"]["version"], "1.2");
    assert_eq!(document["log"]["creator"]["name"], "wsdeck");
    let entry = &document["log"]["entries"][0];
    assert_eq!(entry["_resourceType"], "websocket");
    assert_eq!(entry["request"]["method"], "GET");
    let url = format!("{}/", server.url());
    assert_eq!(entry["request"]["url"], url.as_str());
    assert_eq!(entry["response"]["status"], 101);
    let request_headers = entry["request"]["headers"].as_array().expect("headers");
    assert!(
        request_headers
            .iter()
            .any(|header| header["name"] == "sec-websocket-key"),
        "{request_headers:?}"
    );
    let messages: Vec<(String, u64, String)> = entry["_webSocketMessages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|message| {
            assert!(
                message["time"].as_f64().expect("a time") > 1.7e9,
                "{message}"
            );
            (
                message["type"].as_str().expect("a type").to_string(),
                message["opcode"].as_u64().expect("an opcode"),
                message["data"].as_str().expect("data").to_string(),
            )
        })
        .collect();
    let binary = base64::engine::general_purpose::STANDARD.encode([0x00, 0xff, 0x10, 0x80]);
    assert_eq!(
        messages,
        [
            ("send".to_string(), 1, r#"{"n":1}"#.to_string()),
            ("receive".to_string(), 1, r#"{"n":1}"#.to_string()),
            ("send".to_string(), 2, binary.clone()),
            ("receive".to_string(), 2, binary),
            ("send".to_string(), 1, close.to_string()),
        ]
    );

    let incoming = read_json(&filtered);
    let entry = &incoming["log"]["entries"][0];
    let headers = entry["request"]["headers"].as_array().expect("headers");
    assert!(
        headers
            .iter()
            .any(|header| header["name"] == "sec-websocket-key"),
        "the handshake stays though the filter hides its line: {entry}"
    );
    let types: Vec<&str> = entry["_webSocketMessages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|message| message["type"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(types, ["receive", "receive"]);

    // A HAR missing what 1.2 requires is refused: the check is not a formality.
    let mut broken = document.clone();
    broken["log"]["entries"][0]["request"]
        .as_object_mut()
        .expect("a request")
        .remove("httpVersion");
    let broken_path = dir.path().join("broken.har");
    std::fs::write(&broken_path, broken.to_string()).expect("written");
    let (valid, report) = validate(&[&broken_path]);
    assert!(!valid && report.contains("httpVersion"), "{report}");

    let recording = Recording::read(&jsonl).expect("the .jsonl export is a recording");
    let header = recording.header.as_ref().expect("a header line");
    assert_eq!(header.url, url);
    let payloads: Vec<Vec<u8>> = recording
        .frames()
        .filter(|frame| frame.kind != wsdeck::session::FrameKind::Close)
        .map(|frame| frame.payload.bytes().expect("a payload").to_vec())
        .collect();
    assert_eq!(
        payloads,
        [
            br#"{"n":1}"#.to_vec(),
            br#"{"n":1}"#.to_vec(),
            vec![0x00, 0xff, 0x10, 0x80],
            vec![0x00, 0xff, 0x10, 0x80],
            close.as_bytes().to_vec(),
        ]
    );
    assert!(
        recording.records.iter().any(|record| matches!(
            record,
            Record::Closed {
                code: Some(4000),
                by_peer: true,
                ..
            }
        )),
        "{:?}",
        recording.records
    );
    let first = |wanted: fn(&Record) -> bool| recording.records.iter().position(wanted);
    assert!(
        first(|record| matches!(record, Record::Handshake(_)))
            < first(|record| matches!(record, Record::Frame(_))),
        "the handshake comes before the frames: {:?}",
        recording.records
    );

    let text = std::fs::read_to_string(&txt).expect("the text export");
    assert!(text.contains(r#"→ text        7 B  {"n":1}"#), "{text}");
    assert!(text.contains("← binary"), "{text}");
    assert!(text.contains("base64:AP8QgA=="), "{text}");
    assert!(text.contains("closed by server: 4000"), "{text}");
    #[cfg(unix)]
    for path in [&har, &jsonl, &txt, &filtered] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .expect("exported")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
}

/// A text frame event, received now.
fn text_in(id: u64, text: &str) -> wsdeck::session::Event {
    wsdeck::session::Event::Frame(wsdeck::session::Frame {
        id,
        direction: wsdeck::session::Direction::Incoming,
        kind: wsdeck::session::FrameKind::Text,
        payload: bytes::Bytes::from(text.to_owned()),
        wire_len: text.len() as u32,
        timestamp: std::time::SystemTime::now(),
        close_code: None,
        decoded: None,
    })
}

#[test]
fn the_handshake_outlives_its_line_when_the_log_drops_it() {
    use wsdeck::app::{App, AppSetup, Msg};
    use wsdeck::session::{ConnectionInfo, Event, Handshake};
    let mut app = App::new(AppSetup {
        log_capacity: 3,
        ..common::screen::app_setup("ws://127.0.0.1:9/")
    });
    let now = tokio::time::Instant::now();
    let info = ConnectionInfo {
        url: "ws://127.0.0.1:9/".into(),
        handshake: Handshake {
            request_headers: vec![("sec-websocket-key".into(), "k".into())],
            status: 101,
            response_headers: Vec::new(),
        },
        ..ConnectionInfo::default()
    };
    app.update(Msg::Session(Event::Opened(Box::new(info))), now);
    for id in 0..5 {
        app.update(Msg::Session(text_in(id, &format!("m{id}"))), now);
    }
    let closed = wsdeck::session::CloseOutcome {
        code: Some(1001),
        reason: String::new(),
        by_peer: true,
        clean: true,
    };
    app.update(Msg::Session(Event::Closed(closed)), now);
    // The log keeps m3, m4 and the close; the `connected to` line is gone, its
    // handshake not (keeping the close's record forgot what the log dropped).
    let source = wsdeck::state::export_view::export_source(&app.state);
    let kinds: Vec<String> = source
        .records
        .iter()
        .map(|record| match record {
            Record::Handshake(handshake) => format!("handshake {}", handshake.request_headers[0].0),
            Record::Frame(frame) => frame.payload.data.clone(),
            Record::Closed { code, .. } => format!("closed {code:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "handshake sec-websocket-key",
            "m3",
            "m4",
            "closed Some(1001)"
        ]
    );
    assert_eq!(app.state.records_behind.len(), 2);
    let har = wsdeck::recording::har::har(&source.header, &source.records);
    assert_eq!(har["log"]["entries"].as_array().map(Vec::len), Some(1));
}
