//! The control commands a client can send to the built-in server as JSON text
//! (`{"cmd":"close",…}`, `flood`, …), the replies the server builds for them, and
//! the fast generator behind `flood`.
//!
//! Everything here is pure (no sockets) except [`flood`], which only needs a `Sink`.

use futures_util::{Sink, SinkExt};
use serde_json::{Map, Value, json};
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

/// Most messages one `flood` command may ask for.
pub(crate) const MAX_FLOOD_COUNT: u64 = 10_000_000;
/// Largest message one `flood` command may ask for (64 MiB).
pub(crate) const MAX_FLOOD_SIZE: u64 = 64 * 1024 * 1024;
/// Message size used when `flood` has no `size`.
const DEFAULT_FLOOD_SIZE: u64 = 100;
/// Longest close reason that fits in a control frame (125 bytes minus the code).
const MAX_CLOSE_REASON: usize = 123;

/// A parsed control command.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// Close the connection with this code and reason (already validated).
    Close { code: u16, reason: String },
    /// Drop the TCP connection without a close frame.
    Drop,
    /// Send `count` text messages of exactly `size` bytes each.
    Flood { count: u64, size: usize },
    /// Send `{"type":"broadcast","data":…}` to every client.
    Broadcast(Value),
    /// Stop reading, answering pings and sending.
    Stall,
}

/// Reads a text message as a command.
///
/// `None` means "not a command, echo it" (not JSON, not an object, or no string
/// `cmd`); `Some(Err(explanation))` is a command the server refuses.
pub(crate) fn parse(text: &str) -> Option<Result<Command, String>> {
    // Cheap pre-check so plain echo traffic never pays for a JSON parse.
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    let cmd = fields.get("cmd")?.as_str()?;
    Some(parse_fields(cmd, &fields))
}

fn parse_fields(cmd: &str, fields: &Map<String, Value>) -> Result<Command, String> {
    match cmd {
        "close" => parse_close(fields),
        "drop" => Ok(Command::Drop),
        "flood" => parse_flood(fields),
        "broadcast" => Ok(Command::Broadcast(
            fields.get("data").cloned().unwrap_or(Value::Null),
        )),
        "stall" => Ok(Command::Stall),
        other => Err(format!(
            "unknown cmd '{other}'; known: close, drop, flood, broadcast, stall"
        )),
    }
}

fn parse_close(fields: &Map<String, Value>) -> Result<Command, String> {
    let code = match fields.get("code") {
        None => 1000,
        Some(value) => value
            .as_u64()
            .ok_or_else(|| format!("close \"code\" must be a whole number, got {value}"))?,
    };
    let reason = match fields.get("reason") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(reason)) => reason.clone(),
        Some(other) => return Err(format!("close \"reason\" must be a string, got {other}")),
    };
    let code = check_close_code(code)?;
    if reason.len() > MAX_CLOSE_REASON {
        return Err(format!(
            "close reason is {} bytes of UTF-8; the limit is {MAX_CLOSE_REASON}",
            reason.len()
        ));
    }
    Ok(Command::Close { code, reason })
}

/// Accepts only the codes an endpoint may put in a close frame (RFC 6455 §7.4).
fn check_close_code(code: u64) -> Result<u16, String> {
    match u16::try_from(code) {
        Ok(code @ (1000..=1003 | 1007..=1014 | 3000..=4999)) => Ok(code),
        _ => Err(format!(
            "close code {code} cannot be sent on the wire; use 1000-1003, 1007-1014 or 3000-4999"
        )),
    }
}

fn parse_flood(fields: &Map<String, Value>) -> Result<Command, String> {
    let count = whole_number(fields, "count", None, MAX_FLOOD_COUNT)?;
    let size = whole_number(fields, "size", Some(DEFAULT_FLOOD_SIZE), MAX_FLOOD_SIZE)?;
    let size = usize::try_from(size).map_err(|_| format!("flood size {size} is too large"))?;
    Ok(Command::Flood { count, size })
}

fn whole_number(
    fields: &Map<String, Value>,
    name: &str,
    default: Option<u64>,
    max: u64,
) -> Result<u64, String> {
    let value = match (fields.get(name), default) {
        (Some(value), _) => value.as_u64().ok_or_else(|| {
            format!("flood \"{name}\" must be a whole number up to {max}, got {value}")
        })?,
        (None, Some(default)) => default,
        (None, None) => {
            return Err(format!(
                "flood needs \"{name}\": a whole number up to {max}"
            ));
        }
    };
    if value > max {
        return Err(format!("flood {name} {value} is over the limit of {max}"));
    }
    Ok(value)
}

/// Reads the token out of a `{"type":"authenticate","token":"…"}` message.
pub(crate) fn authenticate_token(text: &str) -> Option<String> {
    let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(text) else {
        return None;
    };
    if fields.get("type").and_then(Value::as_str) != Some("authenticate") {
        return None;
    }
    match fields.remove("token") {
        Some(Value::String(token)) => Some(token),
        _ => None,
    }
}

/// `{"type":"error","error":…}`
pub(crate) fn error_reply(explanation: &str) -> Message {
    json_text(&json!({"type": "error", "error": explanation}))
}

/// `{"type":"authenticated"}`
pub(crate) fn authenticated_reply() -> Message {
    Message::text(r#"{"type":"authenticated"}"#)
}

/// `{"type":"flood_done","count":N}`
pub(crate) fn flood_done_reply(count: u64) -> Message {
    json_text(&json!({"type": "flood_done", "count": count}))
}

/// The text every client receives for a `broadcast` command.
pub(crate) fn broadcast_text(data: Value) -> Utf8Bytes {
    json!({"type": "broadcast", "data": data})
        .to_string()
        .into()
}

/// The periodic `tick` broadcast.
pub(crate) fn tick_text(seq: u64, time_ms: u128, clients: usize) -> Utf8Bytes {
    json!({"type": "tick", "seq": seq, "time_ms": time_ms, "clients": clients})
        .to_string()
        .into()
}

fn json_text(value: &Value) -> Message {
    Message::text(value.to_string())
}

/// Builds flood message number `seq`: exactly `size` bytes of text.
///
/// `{"seq":SEQ,"pad":"xxx…"}` when that fits in `size`, otherwise `size` 'x's.
#[cfg(test)]
pub(crate) fn flood_body(seq: u64, size: usize) -> String {
    flood_body_padded(seq, size, &"x".repeat(size))
}

/// [`flood_body`] with the padding prepared once per flood (`pad` holds at least
/// `size` 'x's), so building a message is a few copies, not a loop per byte.
fn flood_body_padded(seq: u64, size: usize, pad: &str) -> String {
    const HEAD: &str = r#"{"seq":"#;
    const MIDDLE: &str = r#","pad":""#;
    const TAIL: &str = r#""}"#;
    let digits = seq.to_string();
    let frame = HEAD.len() + digits.len() + MIDDLE.len() + TAIL.len();
    if size < frame {
        return pad[..size].to_string();
    }
    let mut body = String::with_capacity(size);
    body.push_str(HEAD);
    body.push_str(&digits);
    body.push_str(MIDDLE);
    body.push_str(&pad[..size - frame]);
    body.push_str(TAIL);
    body
}

/// Sends `count` flood messages of `size` bytes, flushing once at the end.
///
/// `feed` only buffers (tungstenite writes whenever its buffer fills), so the
/// socket, not this loop, sets the pace.
pub(crate) async fn flood<S>(sink: &mut S, count: u64, size: usize) -> Result<(), S::Error>
where
    S: Sink<Message> + Unpin,
{
    let pad = "x".repeat(size);
    for seq in 0..count {
        sink.feed(Message::text(flood_body_padded(seq, size, &pad)))
            .await?;
    }
    sink.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(text) {
            Some(Err(explanation)) => explanation,
            other => panic!("expected an error for {text}, got {other:?}"),
        }
    }

    #[test]
    fn non_commands_are_echoed() {
        for text in [
            "hello",
            "[1,2]",
            "42",
            r#"{"type":"x"}"#,
            r#"{"cmd":5}"#,
            "{oops",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    #[test]
    fn close_codes_are_checked() {
        let ok = parse(r#"{"cmd":"close","code":4000,"reason":"bye"}"#);
        let want = Command::Close {
            code: 4000,
            reason: "bye".into(),
        };
        assert_eq!(ok, Some(Ok(want)));
        for code in [999, 1004, 1005, 1006, 1015, 2999, 5000, 70000] {
            let text = format!(r#"{{"cmd":"close","code":{code}}}"#);
            assert!(err(&text).contains("cannot be sent"), "{code}");
        }
        let long = "é".repeat(62);
        assert!(
            err(&format!(
                r#"{{"cmd":"close","code":1000,"reason":"{long}"}}"#
            ))
            .contains("123")
        );
        assert!(err(r#"{"cmd":"close","code":"x"}"#).contains("whole number"));
    }

    #[test]
    fn flood_limits_and_defaults() {
        let want = Command::Flood {
            count: 3,
            size: 100,
        };
        assert_eq!(parse(r#"{"cmd":"flood","count":3}"#), Some(Ok(want)));
        assert!(err(r#"{"cmd":"flood"}"#).contains("count"));
        assert!(err(r#"{"cmd":"flood","count":10000001}"#).contains("limit"));
        assert!(err(r#"{"cmd":"flood","count":1,"size":67108865}"#).contains("limit"));
        assert!(err(r#"{"cmd":"flood","count":-1}"#).contains("whole number"));
    }

    #[test]
    fn unknown_commands_list_the_known_ones() {
        assert_eq!(
            err(r#"{"cmd":"x"}"#),
            "unknown cmd 'x'; known: close, drop, flood, broadcast, stall"
        );
    }

    #[test]
    fn flood_bodies_have_the_exact_size() {
        for (seq, size) in [(0, 0), (0, 5), (7, 18), (7, 19), (12345, 100), (1, 4096)] {
            assert_eq!(flood_body(seq, size).len(), size, "seq {seq} size {size}");
        }
        assert_eq!(flood_body(7, 19), r#"{"seq":7,"pad":"x"}"#);
        assert_eq!(flood_body(7, 17), "x".repeat(17));
        let parsed: Value = serde_json::from_str(&flood_body(42, 100)).expect("json");
        assert_eq!(parsed["seq"], 42);
    }

    #[test]
    fn authenticate_messages() {
        let text = r#"{"type":"authenticate","token":"t"}"#;
        assert_eq!(authenticate_token(text), Some("t".into()));
        assert_eq!(authenticate_token(r#"{"type":"auth","token":"t"}"#), None);
        assert_eq!(authenticate_token(r#"{"type":"authenticate"}"#), None);
        assert_eq!(authenticate_token("t"), None);
    }
}
