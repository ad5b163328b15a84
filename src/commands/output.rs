//! How received frames are written by headless commands: raw lines (escaped for a
//! terminal) or JSON lines, through a buffered writer that is flushed when the event
//! stream goes quiet; and how messages reach stderr and write errors end a command.

use std::io::{self, IsTerminal, Write};
use std::time::SystemTime;

use base64::Engine as _;
use serde_json::json;

use crate::session::stats::StatsSnapshot;
use crate::session::{Frame, FrameKind};
use crate::terminal_text;

use crate::outcome::{Failure, FailureClass};

/// How each message is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// Text as-is; binary as base64.
    Raw,
    /// Text with controls and bidi characters escaped (`\x1b`), `\n` and `\t`
    /// kept; binary as base64. For a terminal.
    Escaped,
    /// `{"direction":"in","time":…,"kind":"text","data":…}` per line.
    JsonLines,
}

/// Writes one frame as one line.
pub fn write_frame(out: &mut impl Write, frame: &Frame, format: LineFormat) -> io::Result<()> {
    match format {
        // A text frame's payload is UTF-8 already (checked when it was read): write it
        // without checking again.
        LineFormat::Raw => match frame.kind {
            FrameKind::Text => {
                out.write_all(&frame.payload)?;
                out.write_all(b"\n")
            }
            _ => writeln!(
                out,
                "{}",
                base64::engine::general_purpose::STANDARD.encode(&frame.payload)
            ),
        },
        LineFormat::Escaped => match frame.text() {
            Some(text) if frame.kind == FrameKind::Text => {
                terminal_text::write_multi_line(out, text)?;
                out.write_all(b"\n")
            }
            _ => write_frame(out, frame, LineFormat::Raw),
        },
        LineFormat::JsonLines => {
            let mut line = json!({
                "direction": match frame.direction {
                    crate::session::Direction::Incoming => "in",
                    crate::session::Direction::Outgoing => "out",
                },
                "time": format_time(frame.timestamp),
                "kind": frame.kind.as_str(),
            });
            match (frame.kind, frame.text()) {
                (FrameKind::Binary, _) | (_, None) => {
                    line["data"] =
                        json!(base64::engine::general_purpose::STANDARD.encode(&frame.payload));
                    line["encoding"] = json!("base64");
                }
                (_, Some(text)) => line["data"] = json!(text),
            }
            if let Some(code) = frame.close_code {
                line["code"] = json!(code);
            }
            terminal_text::write_json(&mut *out, &line)?;
            out.write_all(b"\n")
        }
    }
}

/// The plain-text format for stdout: [`LineFormat::Raw`] into a pipe or file (byte
/// for byte what arrived), [`LineFormat::Escaped`] on a terminal unless `raw`.
/// Asked once, when a command starts.
pub fn text_format(raw: bool) -> LineFormat {
    if !raw && io::stdout().is_terminal() {
        LineFormat::Escaped
    } else {
        LineFormat::Raw
    }
}

/// Writes `wsdeck: MESSAGE` to stderr with controls and bidi characters escaped
/// (line breaks kept). A stderr that cannot be written to is ignored: there is
/// nowhere left to report it.
pub fn report(message: &str) {
    let line = format!("wsdeck: {}\n", terminal_text::multi_line(message));
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

/// Writes `text` to stdout, as it is. A closed pipe (`| head`) is not an error;
/// any other failure (a full disk) is.
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .or_else(stdout_error)
}

/// What a failed write to stdout means for a command: a closed pipe (`| head -1`)
/// ends it quietly and successfully; anything else (`> /dev/full`) is an error.
pub fn stdout_error(error: io::Error) -> Result<(), Failure> {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(Failure::new(
            FailureClass::Internal,
            format!("cannot write to stdout: {error}"),
        ))
    }
}

/// RFC 3339 UTC with milliseconds.
pub fn format_time(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

/// A multi-line human summary of the counters, for `--stats`.
pub fn stats_summary(stats: &StatsSnapshot) -> String {
    let mut text = format!(
        "messages: {} received ({} bytes), {} sent ({} bytes)\nconnections: {} opened, {} closed, {} reconnect attempts\nerrors: {}, rate-limited: {}, queued: {}",
        stats.messages_received,
        stats.bytes_received,
        stats.messages_sent,
        stats.bytes_sent,
        stats.connections_opened,
        stats.connections_closed,
        stats.reconnects,
        stats.errors,
        stats.rate_limited,
        stats.queue_len,
    );
    if let Some(rtt) = stats.rtt {
        text.push_str(&format!(
            "\nrtt: last {:.1} ms, min {:.1} ms, avg {:.1} ms ({} pings)",
            rtt.last.as_secs_f64() * 1e3,
            rtt.min.as_secs_f64() * 1e3,
            rtt.avg.as_secs_f64() * 1e3,
            rtt.count
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Direction;
    use bytes::Bytes;

    fn frame(kind: FrameKind, payload: &'static [u8]) -> Frame {
        Frame {
            id: 1,
            direction: Direction::Incoming,
            kind,
            payload: Bytes::from_static(payload),
            wire_len: payload.len() as u32,
            timestamp: SystemTime::UNIX_EPOCH,
            close_code: None,
            decoded: None,
        }
    }

    #[test]
    fn raw_lines() {
        let mut out = Vec::new();
        write_frame(
            &mut out,
            &frame(FrameKind::Text, b"{\"a\":1}"),
            LineFormat::Raw,
        )
        .unwrap();
        write_frame(
            &mut out,
            &frame(FrameKind::Binary, b"\x00\x01"),
            LineFormat::Raw,
        )
        .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"a\":1}\nAAE=\n");
    }

    #[test]
    fn escaped_lines_show_controls_and_keep_newlines() {
        let mut out = Vec::new();
        write_frame(
            &mut out,
            &frame(FrameKind::Text, "a\x1b]0;t\x07\u{202e}\nb".as_bytes()),
            LineFormat::Escaped,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a\\x1b]0;t\\x07\\u202e\nb\n"
        );
    }

    #[test]
    fn write_errors_a_closed_pipe_is_fine_a_full_disk_is_not() {
        assert_eq!(stdout_error(io::ErrorKind::BrokenPipe.into()), Ok(()));
        let full = stdout_error(io::Error::from_raw_os_error(28)).unwrap_err();
        assert_eq!(full.class.exit_code(), 1);
        assert!(full.message.starts_with("cannot write to stdout"));
    }

    #[test]
    fn json_lines() {
        let mut out = Vec::new();
        write_frame(
            &mut out,
            &frame(FrameKind::Text, b"hi"),
            LineFormat::JsonLines,
        )
        .unwrap();
        let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(line["direction"], "in");
        assert_eq!(line["kind"], "text");
        assert_eq!(line["data"], "hi");
        assert_eq!(line["time"], "1970-01-01T00:00:00.000Z");
    }
}
