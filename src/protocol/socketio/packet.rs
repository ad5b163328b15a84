//! The Socket.IO packet format, parsed: `<type>[<attachments>-][<namespace>,][<ack
//! id>][<JSON>]`, the text that follows the Engine.IO `4` (message) byte.

use serde_json::Value;

use crate::protocol::shorten;

/// One Socket.IO packet, decoded from the text after the Engine.IO `4`.
#[derive(Debug)]
pub(super) struct Packet<'a> {
    /// The packet type: 0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR,
    /// 5 BINARY_EVENT, 6 BINARY_ACK.
    pub(super) kind: u8,
    /// How many binary attachments follow (binary packets only).
    pub(super) attachments: u64,
    /// The namespace, `/` when the packet names none.
    pub(super) namespace: &'a str,
    /// The ack id, when the packet has one.
    pub(super) ack: Option<u64>,
    /// The JSON payload, when there is one.
    pub(super) data: Option<Value>,
}

/// Splits leading ASCII digits off `text`.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .bytes()
        .position(|byte| !byte.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

/// Parses `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
pub(super) fn parse_packet(text: &str) -> Result<Packet<'_>, String> {
    let kind = match text.bytes().next() {
        Some(digit @ b'0'..=b'6') => digit - b'0',
        _ => return Err(format!("unknown Socket.IO packet {:?}", shorten(text, 20))),
    };
    let mut rest = &text[1..];
    let mut attachments = 0;
    if kind == 5 || kind == 6 {
        let (digits, after) = split_digits(rest);
        let after = after
            .strip_prefix('-')
            .ok_or("binary packet without `N-` attachment count")?;
        attachments = digits.parse().map_err(|_| "bad attachment count")?;
        rest = after;
    }
    let mut namespace = "/";
    if rest.starts_with('/') {
        (namespace, rest) = rest.split_once(',').unwrap_or((rest, ""));
    }
    let (digits, json) = split_digits(rest);
    let ack = match digits {
        "" => None,
        digits => Some(digits.parse().map_err(|_| "ack id out of range")?),
    };
    let data = match json {
        "" => None,
        json => Some(serde_json::from_str(json).map_err(|e| format!("payload is not JSON: {e}"))?),
    };
    Ok(Packet {
        kind,
        attachments,
        namespace,
        ack,
        data,
    })
}
