//! Records as the lines people read: the words the TUI's log shows for a
//! connection that opened, a state change or a close (the live log and an opened
//! recording use these very functions), and the `.txt` export, one line per record
//! with its time in milliseconds and every control character escaped.

use std::io::{self, Write};

use base64::Engine as _;

use super::{FrameRecord, Record, RecordedDirection, Timestamp};
use crate::session::{ConnectionState, FrameKind, close_code};
use crate::terminal_text;

/// How serious a system line is, by the names recordings use (`info`, `warning`,
/// `error`).
pub const LEVELS: [&str; 3] = ["info", "warning", "error"];

/// `connected to URL (subprotocol NAME)`.
pub fn opened_line(url: &str, proxy: Option<&str>, subprotocol: Option<&str>) -> String {
    let mut text = format!("connected to {url}");
    if let Some(proxy) = proxy {
        text.push_str(&format!(" through proxy {proxy}"));
    }
    if let Some(subprotocol) = subprotocol {
        text.push_str(&format!(" (subprotocol {subprotocol})"));
    }
    text
}

/// The line for a connection's end and its level (`info` for a clean 1000 or
/// 1001, `warning` otherwise): who closed, the code, its name and meaning, the
/// reason (or, for a lost link, its cause), and whether it was clean.
pub fn closed_line(
    code: Option<u16>,
    reason: &str,
    by_peer: bool,
    clean: bool,
) -> (String, &'static str) {
    let code = code.unwrap_or(1005);
    let lost = code == 1006 && !clean;
    let who = if lost {
        "connection lost"
    } else if by_peer {
        "closed by server"
    } else {
        "closed by wsdeck"
    };
    let mut text = format!(
        "{who}: {code} {} — {}",
        close_code::name(code),
        close_code::meaning(code)
    );
    if !reason.is_empty() {
        // A lost link has no close frame: its text is our diagnosis.
        let label = if lost { "cause" } else { "reason" };
        text.push_str(&format!(" ({label}: \"{reason}\")"));
    }
    if !clean {
        text.push_str(" [not clean]");
    }
    let level = if clean && matches!(code, 1000 | 1001) {
        "info"
    } else {
        "warning"
    };
    (text, level)
}

/// The line for a state change and its level, when it deserves one.
pub fn state_line(state: ConnectionState) -> Option<(&'static str, &'static str)> {
    match state {
        ConnectionState::Connecting => Some(("connecting…", "info")),
        ConnectionState::Authenticating => Some(("authenticating…", "info")),
        ConnectionState::Authenticated => Some(("auth ok", "info")),
        ConnectionState::Disconnected => Some(("disconnected", "info")),
        ConnectionState::Error => Some((
            "stopped on an error — :connect or :reconnect to try again",
            "error",
        )),
        ConnectionState::Connected | ConnectionState::Reconnecting => None,
    }
}

/// The state a recorded state name stands for (`connecting`, `authenticated`…).
pub fn state_named(name: &str) -> Option<ConnectionState> {
    [
        ConnectionState::Disconnected,
        ConnectionState::Connecting,
        ConnectionState::Connected,
        ConnectionState::Authenticating,
        ConnectionState::Authenticated,
        ConnectionState::Reconnecting,
        ConnectionState::Error,
    ]
    .into_iter()
    .find(|state| state.as_str() == name)
}

/// The words a record is shown with in the log, and its level; `None` for a frame
/// (a frame has its own columns) and for what the log shows no line for (the end
/// line, a state change that has none).
pub fn system_text(record: &Record) -> Option<(String, &'static str)> {
    match record {
        Record::Handshake(handshake) => Some((
            opened_line(
                &handshake.url,
                handshake.proxy.as_deref(),
                handshake.subprotocol.as_deref(),
            ),
            "info",
        )),
        Record::State { state, .. } => match state_named(state) {
            Some(known) => state_line(known).map(|(text, level)| (text.to_string(), level)),
            None => Some((format!("state {state}"), "info")),
        },
        Record::System { level, text, .. } => {
            let level = LEVELS
                .into_iter()
                .find(|known| known == level)
                .unwrap_or("info");
            Some((text.clone(), level))
        }
        Record::Closed {
            code,
            reason,
            by_peer,
            clean,
            ..
        } => Some(closed_line(*code, reason, *by_peer, *clean)),
        Record::Session(_) | Record::Frame(_) | Record::End { .. } => None,
    }
}

/// Writes the records as text, one line each, and returns how many lines:
/// `2026-12-04T10:56:27.123Z → text      11 B  label │ {"hello":1}` for a frame,
/// `2026-12-04T10:56:27.120Z • connected to ws://…` for anything else the log
/// shows. Payloads are whole, with control and bidi characters escaped (`\n`,
/// `\u001b`); a binary payload, or one that is not UTF-8, is `base64:…`.
pub fn write_text(out: &mut impl Write, records: &[Record]) -> io::Result<usize> {
    let mut lines = 0;
    for record in records {
        let line = match record {
            Record::Frame(frame) => frame_line(frame),
            other => match system_text(other) {
                Some((text, _)) => format!(
                    "{} • {}",
                    time_text(other.time()),
                    terminal_text::one_line(&text)
                ),
                None => continue,
            },
        };
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        lines += 1;
    }
    Ok(lines)
}

/// `2026-12-04T10:56:27.123Z`.
pub fn time_text(time: Timestamp) -> String {
    humantime::format_rfc3339_millis(time.0).to_string()
}

/// One frame's line of the text export.
fn frame_line(frame: &FrameRecord) -> String {
    let arrow = match frame.direction {
        RecordedDirection::Outgoing => "→",
        RecordedDirection::Incoming => "←",
    };
    let bytes = frame.payload.bytes().unwrap_or_default();
    let size = frame.size.unwrap_or(bytes.len() as u64);
    let mut line = format!(
        "{} {arrow} {:<6} {:>8}  ",
        time_text(frame.time),
        frame.kind.as_str(),
        format!("{size} B"),
    );
    if let Some(label) = &frame.label {
        line.push_str(&terminal_text::one_line(label));
        line.push_str(" │ ");
    }
    let payload = match (frame.kind, std::str::from_utf8(&bytes)) {
        (FrameKind::Close, _) => close_code::summary(frame.code, &bytes),
        (FrameKind::Binary, _) | (_, Err(_)) => format!(
            "base64:{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        ),
        (_, Ok(text)) => text.to_string(),
    };
    line.push_str(&terminal_text::one_line(&payload));
    // An empty payload (a ping) leaves no padding at the end of its line.
    line.truncate(line.trim_end_matches(' ').len());
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(kind: FrameKind, bytes: &[u8], label: Option<&str>) -> Record {
        let time = Timestamp(std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_500));
        Record::Frame(FrameRecord {
            label: label.map(str::to_string),
            ..FrameRecord::data(time, RecordedDirection::Incoming, kind, bytes)
        })
    }

    fn text_of(records: &[Record]) -> String {
        let mut out = Vec::new();
        write_text(&mut out, records).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn a_line_per_entry_with_milliseconds_and_nothing_a_terminal_acts_on() {
        let text = text_of(&[
            frame(
                FrameKind::Text,
                "a\x1b[2Jb\nc\u{202e}".as_bytes(),
                Some("sio \x07event"),
            ),
            frame(FrameKind::Binary, &[0, 1, 0xff], None),
            Record::End {
                time: Timestamp(std::time::UNIX_EPOCH),
            },
            Record::System {
                time: Timestamp(std::time::UNIX_EPOCH),
                level: "warning".into(),
                text: "two\nlines".into(),
            },
        ]);
        assert_eq!(
            text,
            "1970-01-01T00:00:01.500Z ← text       11 B  sio \\x07event │ a\\x1b[2Jb\\nc\\u202e\n\
             1970-01-01T00:00:01.500Z ← binary      3 B  base64:AAH/\n\
             1970-01-01T00:00:00.000Z • two\\nlines\n"
        );
    }

    #[test]
    fn records_read_as_the_live_log_shows_them() {
        let closed = Record::Closed {
            time: Timestamp(std::time::UNIX_EPOCH),
            code: Some(1006),
            reason: "no pong".into(),
            by_peer: false,
            clean: false,
        };
        let (text, level) = system_text(&closed).expect("a line");
        assert!(text.starts_with("connection lost: 1006"), "{text}");
        assert!(text.ends_with("(cause: \"no pong\") [not clean]"), "{text}");
        assert_eq!(level, "warning");
        let state = |name: &str| Record::State {
            time: Timestamp(std::time::UNIX_EPOCH),
            state: name.into(),
        };
        assert_eq!(
            system_text(&state("authenticated")),
            Some(("auth ok".to_string(), "info"))
        );
        assert_eq!(system_text(&state("connected")), None);
        assert_eq!(
            system_text(&state("teleporting")),
            Some(("state teleporting".to_string(), "info"))
        );
    }
}
