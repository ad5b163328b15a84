use std::time::{Duration, SystemTime};

use bytes::Bytes;

use super::*;
use crate::session::{CloseOutcome, Direction, Frame, FrameKind};

fn at(millis: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_842_187_000 + millis)
}

fn frame(direction: Direction, kind: FrameKind, payload: &[u8], millis: u64) -> Frame {
    Frame {
        id: 7,
        direction,
        kind,
        payload: Bytes::copy_from_slice(payload),
        wire_len: payload.len() as u32 + if kind == FrameKind::Close { 2 } else { 0 },
        timestamp: at(millis),
        close_code: (kind == FrameKind::Close).then_some(4001),
        decoded: None,
    }
}

fn a_recording() -> Vec<Record> {
    vec![
        Record::Session(SessionHeader {
            version: FORMAT_VERSION,
            wsdeck: "0.1.0".into(),
            started: Timestamp(at(0)),
            url: "ws://127.0.0.1:9/feed?token=***".into(),
            profile: Some("feed".into()),
            provider: None,
        }),
        Record::Handshake(HandshakeRecord {
            time: Timestamp(at(3)),
            url: "ws://127.0.0.1:9/feed?token=***".into(),
            request_headers: vec![("Authorization".into(), "Bearer ***".into())],
            status: 101,
            response_headers: vec![("Upgrade".into(), "websocket".into())],
            subprotocol: Some("v1".into()),
            extensions: None,
            proxy: None,
        }),
        Record::State {
            time: Timestamp(at(3)),
            state: "connected".into(),
        },
        Record::Frame(FrameRecord::from_frame(&frame(
            Direction::Outgoing,
            FrameKind::Text,
            "{\"op\":\"sub\",\"x\":\"\u{1b}]0;t\u{7}\u{202e}\"}".as_bytes(),
            10,
        ))),
        Record::Frame(FrameRecord::from_frame(&frame(
            Direction::Incoming,
            FrameKind::Binary,
            b"\x00\xffbin",
            11,
        ))),
        Record::Frame(FrameRecord::from_frame(&frame(
            Direction::Incoming,
            FrameKind::Ping,
            b"\xc3\x28",
            12,
        ))),
        Record::Frame(FrameRecord::from_frame(&frame(
            Direction::Incoming,
            FrameKind::Close,
            b"bye",
            13,
        ))),
        Record::closed(
            at(13),
            &CloseOutcome {
                code: Some(4001),
                reason: "bye".into(),
                by_peer: true,
                clean: true,
            },
        ),
        Record::End {
            time: Timestamp(at(14)),
        },
    ]
}

fn written(records: &[Record]) -> Vec<u8> {
    let mut writer = RecordWriter::new(Vec::new());
    for record in records {
        writer.write(record).expect("written");
    }
    writer.into_inner()
}

#[test]
fn records_read_back_as_written_and_payloads_byte_for_byte() {
    let records = a_recording();
    let bytes = written(&records);
    let recording = Recording::from_reader(&bytes[..], "mem").expect("read");
    assert_eq!(
        recording.header.as_ref(),
        Some(match &records[0] {
            Record::Session(header) => header,
            _ => unreachable!(),
        })
    );
    assert_eq!(recording.records, records[1..]);
    assert!(!recording.cut_short);
    let originals = [
        "{\"op\":\"sub\",\"x\":\"\u{1b}]0;t\u{7}\u{202e}\"}".as_bytes(),
        b"\x00\xffbin",
        b"\xc3\x28",
        b"bye",
    ];
    for (frame, original) in recording.frames().zip(originals) {
        let restored = frame.to_frame(1).expect("decodes");
        assert_eq!(&restored.payload[..], original);
    }
    assert_eq!(recording.frames().count(), 4);
}

#[test]
fn lines_are_safe_to_cat_and_say_what_they_hold() {
    let text = String::from_utf8(written(&a_recording())).expect("utf-8");
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(r#"{"type":"session","version":1,"#),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines[4],
        r#"{"type":"frame","time":"2025-12-04T09:56:27.011Z","direction":"in","kind":"binary","data":"AP9iaW4=","encoding":"base64","size":5}"#
    );
    assert!(
        lines[6].contains(r#""kind":"close","data":"bye","size":5,"code":4001"#),
        "{}",
        lines[6]
    );
}

#[test]
fn listen_jsonl_and_saved_system_lines_are_read_too() {
    let input = concat!(
        r#"{"direction":"in","time":"2026-12-04T10:00:00.001Z","kind":"text","data":"hi"}"#,
        "\n",
        r#"{"time":"2026-12-04T10:00:00.002Z","system":"closed 1000"}"#,
        "\n",
    );
    let recording = Recording::from_reader(input.as_bytes(), "listen.jsonl").expect("read");
    assert!(recording.header.is_none());
    let frame = recording.frames().next().expect("a frame");
    assert_eq!(frame.to_frame(1).expect("frame").payload, "hi");
    assert!(
        matches!(&recording.records[1], Record::System { text, level, .. } if text == "closed 1000" && level == "info")
    );
}

#[test]
fn a_cut_last_line_is_left_out_but_a_bad_middle_line_is_an_error() {
    let mut bytes = written(&a_recording());
    bytes.extend_from_slice(br#"{"type":"frame","time":"2026-12-04T1"#);
    let recording = Recording::from_reader(&bytes[..], "cut").expect("read");
    assert!(recording.cut_short);
    assert_eq!(recording.records.len(), a_recording().len() - 1);

    let bad = b"{\"type\":\"session\",\"version\":1,\"started\":\"2026-12-04T10:00:00Z\",\"url\":\"ws://x\"}\n{\"type\":\"frame\",\"kind\":\"text\"}\n{\"type\":\"end\",\"time\":\"2026-12-04T10:00:00Z\"}\n";
    let error = Recording::from_reader(&bad[..], "bad.jsonl").expect_err("refused");
    let message = error.to_string();
    assert!(
        message.starts_with("bad.jsonl:2: not a record"),
        "{message}"
    );
}

#[test]
fn a_newer_format_is_refused_with_a_hint() {
    let line = b"{\"type\":\"session\",\"version\":9,\"started\":\"2026-12-04T10:00:00Z\",\"url\":\"ws://x\"}\n";
    let message = Recording::from_reader(&line[..], "new.jsonl")
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("version 9") && message.contains("update wsdeck"),
        "{message}"
    );
}

#[test]
fn an_unknown_kind_is_named() {
    let message = parse_line(r#"{"type":"frame","time":"2026-12-04T10:00:00Z","direction":"in","kind":"texte","data":""}"#)
        .expect_err("refused");
    assert!(
        message.contains("unknown frame kind \"texte\""),
        "{message}"
    );
}
