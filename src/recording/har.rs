//! A session as an HTTP Archive (HAR 1.2): one entry per connection, its upgrade
//! request and `101` answer as HAR's request and response, and its messages in
//! Chrome DevTools' `_webSocketMessages` list, so the file opens in the Network
//! panel of Chrome or Edge (Import HAR) and in HAR viewers.
//!
//! The shape follows the HAR 1.2 specification
//! (<http://www.softwareishard.com/blog/har-12-spec/>, checked by the `har-schema`
//! package in `tests/it/export.rs`) and, for the WebSocket fields, what Chrome's
//! exporter writes (Chromium's web test `http/tests/devtools/network/har-websocket`):
//! `_resourceType: "websocket"` and `_webSocketMessages: [{type: "send" |
//! "receive", time: seconds since the epoch, opcode: 1 | 2, data}]`, text as it is
//! and binary as base64. Ping, pong and close frames have no place in that list (the
//! browser never shows them either); the close is in the entry's `time`.

use base64::Engine as _;
use serde_json::{Value, json};

use super::{FrameRecord, HandshakeRecord, Record, RecordedDirection, SessionHeader, Timestamp};
use crate::session::FrameKind;

/// The HAR document for a session.
pub fn har(header: &SessionHeader, records: &[Record]) -> Value {
    // A connection without a handshake (a filtered view, a `listen --jsonl` file)
    // went to the session's URL.
    let entry = |connection: Connection| connection.into_entry(&header.url);
    let mut entries = Vec::new();
    let mut current: Option<Connection> = None;
    for record in records {
        match record {
            Record::Handshake(handshake) => {
                entries.extend(current.take().map(entry));
                current = Some(Connection::new(Some(handshake.clone()), handshake.time));
            }
            Record::Frame(frame) => {
                let connection = current.get_or_insert_with(|| Connection::new(None, frame.time));
                connection.add_frame(frame);
            }
            other => {
                if let Some(connection) = current.as_mut() {
                    connection.last = connection.last.max(other.time());
                }
            }
        }
    }
    entries.extend(current.map(entry));
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "wsdeck", "version": env!("CARGO_PKG_VERSION")},
            "entries": entries,
        }
    })
}

/// One connection while its records are read.
struct Connection {
    handshake: Option<HandshakeRecord>,
    started: Timestamp,
    last: Timestamp,
    messages: Vec<Value>,
}

impl Connection {
    fn new(handshake: Option<HandshakeRecord>, started: Timestamp) -> Self {
        Connection {
            handshake,
            started,
            last: started,
            messages: Vec::new(),
        }
    }

    fn add_frame(&mut self, frame: &FrameRecord) {
        self.last = self.last.max(frame.time);
        if let Some(message) = websocket_message(frame) {
            self.messages.push(message);
        }
    }

    fn into_entry(self, session_url: &str) -> Value {
        let (url, request_headers, status, response_headers) = match &self.handshake {
            Some(handshake) => (
                handshake.url.clone(),
                headers(&handshake.request_headers),
                handshake.status,
                headers(&handshake.response_headers),
            ),
            None => (session_url.to_string(), json!([]), 101, json!([])),
        };
        let time = self.last.since(self.started).as_secs_f64() * 1000.0;
        json!({
            "startedDateTime": super::text::time_text(self.started),
            "time": time,
            "request": {
                "method": "GET",
                "url": url,
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": request_headers,
                "queryString": query_string(&url),
                "headersSize": -1,
                "bodySize": 0,
            },
            "response": {
                "status": status,
                "statusText": status_text(status),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": response_headers,
                "content": {"size": 0, "mimeType": "x-unknown"},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": 0,
            },
            "cache": {},
            "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": 0, "receive": 0},
            "_resourceType": "websocket",
            "_webSocketMessages": self.messages,
        })
    }
}

/// A text or binary frame as Chrome writes it; `None` for control frames.
fn websocket_message(frame: &FrameRecord) -> Option<Value> {
    let opcode = match frame.kind {
        FrameKind::Text => 1,
        FrameKind::Binary => 2,
        FrameKind::Ping | FrameKind::Pong | FrameKind::Close => return None,
    };
    let kind = match frame.direction {
        RecordedDirection::Outgoing => "send",
        RecordedDirection::Incoming => "receive",
    };
    let bytes = frame.payload.bytes().unwrap_or_default();
    let data = match (frame.kind, std::str::from_utf8(&bytes)) {
        (FrameKind::Text, Ok(text)) => text.to_string(),
        _ => base64::engine::general_purpose::STANDARD.encode(&bytes),
    };
    Some(json!({
        "type": kind,
        "time": epoch_seconds(frame.time),
        "opcode": opcode,
        "data": data,
    }))
}

/// Seconds since the epoch, with the milliseconds a recording keeps.
fn epoch_seconds(time: Timestamp) -> f64 {
    let millis = time
        .0
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    millis as f64 / 1000.0
}

/// Headers as HAR's `[{name, value}]`.
fn headers(list: &[(String, String)]) -> Value {
    Value::Array(
        list.iter()
            .map(|(name, value)| json!({"name": name, "value": value}))
            .collect(),
    )
}

/// The URL's query as HAR's `[{name, value}]` (empty when it has none or does not
/// parse).
fn query_string(url: &str) -> Value {
    let pairs = url::Url::parse(url)
        .map(|url| {
            url.query_pairs()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect()
        })
        .unwrap_or_default();
    Value::Array(pairs)
}

fn status_text(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::FORMAT_VERSION;

    fn at(ms: u64) -> Timestamp {
        Timestamp(std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms))
    }

    fn frame(ms: u64, direction: RecordedDirection, kind: FrameKind, bytes: &[u8]) -> Record {
        Record::Frame(FrameRecord::data(at(ms), direction, kind, bytes))
    }

    fn handshake(ms: u64, url: &str) -> Record {
        Record::Handshake(HandshakeRecord {
            time: at(ms),
            url: url.into(),
            request_headers: vec![("host".into(), "example".into())],
            status: 101,
            response_headers: Vec::new(),
            subprotocol: None,
            extensions: None,
            proxy: None,
        })
    }

    fn header() -> SessionHeader {
        SessionHeader {
            version: FORMAT_VERSION,
            wsdeck: String::new(),
            started: at(0),
            url: "ws://example/feed?room=1&who=ada".into(),
            profile: None,
            provider: None,
        }
    }

    #[test]
    fn each_connection_is_an_entry_with_its_data_messages_only() {
        use RecordedDirection::{Incoming, Outgoing};
        let records = [
            // Before any handshake (a filtered view): the session's URL.
            frame(500, Incoming, FrameKind::Text, b"early"),
            handshake(1_000, "ws://example/feed?room=1"),
            frame(1_250, Outgoing, FrameKind::Text, "héllo".as_bytes()),
            frame(1_500, Incoming, FrameKind::Ping, b"p"),
            frame(1_750, Incoming, FrameKind::Binary, &[0xde, 0xad]),
            frame(2_000, Incoming, FrameKind::Close, b"bye"),
            handshake(5_000, "ws://example/feed?room=2"),
            frame(5_001, Incoming, FrameKind::Text, b"again"),
        ];
        let har = har(&header(), &records);
        let entries = har["log"]["entries"].as_array().expect("entries");
        assert_eq!(entries.len(), 3);
        assert_eq!(
            entries[0]["request"]["url"],
            "ws://example/feed?room=1&who=ada"
        );
        assert_eq!(
            entries[0]["request"]["queryString"],
            json!([{"name": "room", "value": "1"}, {"name": "who", "value": "ada"}])
        );
        let second = &entries[1];
        assert_eq!(second["startedDateTime"], "1970-01-01T00:00:01.000Z");
        assert_eq!(second["time"], 1000.0);
        assert_eq!(
            second["request"]["headers"],
            json!([{"name": "host", "value": "example"}])
        );
        assert_eq!(
            second["_webSocketMessages"],
            json!([
                {"type": "send", "time": 1.25, "opcode": 1, "data": "héllo"},
                {"type": "receive", "time": 1.75, "opcode": 2, "data": "3q0="},
            ])
        );
        assert_eq!(entries[2]["request"]["url"], "ws://example/feed?room=2");
        assert_eq!(entries[2]["_webSocketMessages"][0]["data"], "again");
    }
}
