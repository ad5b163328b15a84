//! WebSocket close codes (RFC 6455 §7.4 and the IANA registry): names and plain-English
//! meanings for display, the rules for which codes a user may send, and the decision
//! whether a close should be followed by a reconnect.

use std::fmt::Write as _;

/// The longest close reason allowed, in bytes of UTF-8: a control frame payload is at most
/// 125 bytes and the code takes two of them.
pub const MAX_REASON_BYTES: usize = 123;

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloseCodeInfo {
    /// The numeric code.
    pub code: u16,
    /// The standard name, e.g. "Normal Closure".
    pub name: &'static str,
    /// One short sentence saying what the code means in practice.
    pub meaning: &'static str,
    /// Whether an endpoint may put this code in a close frame.
    pub sendable: bool,
}

const fn row(
    code: u16,
    name: &'static str,
    meaning: &'static str,
    sendable: bool,
) -> CloseCodeInfo {
    CloseCodeInfo {
        code,
        name,
        meaning,
        sendable,
    }
}

/// Every standard code, 1000 to 1015, in order.
pub const STANDARD_CODES: &[CloseCodeInfo] = &[
    row(
        1000,
        "Normal Closure",
        "the connection finished its job and was closed on purpose",
        true,
    ),
    row(
        1001,
        "Going Away",
        "the endpoint is going away: a server shutting down or a browser leaving the page",
        true,
    ),
    row(
        1002,
        "Protocol Error",
        "the endpoint saw a WebSocket protocol violation, such as a malformed frame",
        true,
    ),
    row(
        1003,
        "Unsupported Data",
        "the endpoint got a kind of data it cannot accept, such as binary when it only takes text",
        true,
    ),
    row(
        1004,
        "Reserved",
        "reserved by the standard with no meaning assigned; never sent",
        false,
    ),
    row(
        1005,
        "No Status Received",
        "the close frame carried no status code; reported locally, never sent",
        false,
    ),
    row(
        1006,
        "Abnormal Closure",
        "the connection dropped without a close frame: network failure, crash, or a timeout",
        false,
    ),
    row(
        1007,
        "Invalid Frame Payload Data",
        "a message's data did not match its type, such as invalid UTF-8 in a text message",
        true,
    ),
    row(
        1008,
        "Policy Violation",
        "the endpoint refused on policy grounds, often a bad or missing token",
        true,
    ),
    row(
        1009,
        "Message Too Big",
        "a message was larger than the endpoint is willing to accept",
        true,
    ),
    row(
        1010,
        "Mandatory Extension",
        "the client needed an extension that the server did not agree to in the handshake",
        true,
    ),
    row(
        1011,
        "Internal Error",
        "the server hit an unexpected error and could not carry on",
        true,
    ),
    row(
        1012,
        "Service Restart",
        "the server is restarting; reconnecting shortly should work",
        true,
    ),
    row(
        1013,
        "Try Again Later",
        "the server is overloaded or rate limiting; reconnect after a delay",
        true,
    ),
    row(
        1014,
        "Bad Gateway",
        "a gateway or proxy got a bad response from the upstream server",
        true,
    ),
    row(
        1015,
        "TLS Handshake",
        "the TLS handshake failed, e.g. the certificate could not be verified; reported locally, never sent",
        false,
    ),
];

const NAME_UNASSIGNED: &str = "Reserved (unassigned)";
const NAME_REGISTERED: &str = "Registered (IANA)";
const NAME_PRIVATE: &str = "Private use";
const NAME_INVALID: &str = "Invalid";

const MEANING_UNASSIGNED: &str = "reserved for future WebSocket standards; not assigned yet";
const MEANING_REGISTERED: &str =
    "registered with IANA for a library, framework or application; see its documentation";
const MEANING_PRIVATE: &str =
    "application-defined; its meaning is agreed between client and server";
const MEANING_INVALID: &str = "not a valid close code; valid codes are 1000-4999";

/// Looks a code up in [`STANDARD_CODES`].
pub fn info(code: u16) -> Option<&'static CloseCodeInfo> {
    STANDARD_CODES.iter().find(|info| info.code == code)
}

/// Name for any code: table name for standard codes; "Reserved (unassigned)" for other
/// 1000-2999; "Registered (IANA)" for 3000-3999; "Private use" for 4000-4999; "Invalid"
/// otherwise.
pub fn name(code: u16) -> &'static str {
    if let Some(info) = info(code) {
        return info.name;
    }
    match code {
        1000..=2999 => NAME_UNASSIGNED,
        3000..=3999 => NAME_REGISTERED,
        4000..=4999 => NAME_PRIVATE,
        _ => NAME_INVALID,
    }
}

/// Meaning sentence for any code: the table's sentence for standard codes, a sentence about
/// the range otherwise.
pub fn meaning(code: u16) -> &'static str {
    if let Some(info) = info(code) {
        return info.meaning;
    }
    match code {
        1000..=2999 => MEANING_UNASSIGNED,
        3000..=3999 => MEANING_REGISTERED,
        4000..=4999 => MEANING_PRIVATE,
        _ => MEANING_INVALID,
    }
}

/// A close frame in words: `1006 Abnormal Closure: reason` (the reason, at most
/// 123 bytes, only when there is one; `no status code` without a code).
pub fn summary(code: Option<u16>, reason: &[u8]) -> String {
    let reason = String::from_utf8_lossy(reason);
    let summary = match code {
        Some(code) => format!("{code} {}", name(code)),
        None => "no status code".to_owned(),
    };
    if reason.is_empty() {
        summary
    } else {
        format!("{summary}: {reason}")
    }
}

/// Errors for a close a user asked for.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CloseCodeError {
    /// Below 1000 or above 4999.
    #[error(
        "close code {code} is out of range; valid codes are 1000-1003, 1007-1014 and 3000-4999"
    )]
    OutOfRange {
        /// The code asked for.
        code: u16,
    },
    /// A standard code that must never appear in a close frame (1004, 1005, 1006, 1015).
    #[error(
        "close code {code} ({name}) is reserved and never sent on the wire; use 1000 for a normal close or 4000-4999 for your own codes"
    )]
    NeverSent {
        /// The code asked for.
        code: u16,
        /// Its standard name.
        name: &'static str,
    },
    /// 1016-2999: held back for future standards.
    #[error(
        "close code {code} is reserved for future WebSocket standards and not assigned; use 1000 for a normal close or 4000-4999 for your own codes"
    )]
    Unassigned {
        /// The code asked for.
        code: u16,
    },
    /// The reason does not fit in a close frame.
    #[error("close reason is {len} bytes; the limit is 123 bytes (UTF-8)")]
    ReasonTooLong {
        /// The reason's length in bytes.
        len: usize,
    },
}

/// Whether a peer may put `code` in a close frame: the codes a user may send, the
/// same set RFC 6455 allows on the wire.
pub fn may_be_received(code: u16) -> bool {
    validate_close(code, "").is_ok()
}

/// Validates a code and reason the user wants to send: valid codes 1000-1003, 1007-1014,
/// 3000-4999; reason at most [`MAX_REASON_BYTES`] bytes. The code is checked first.
pub fn validate_close(code: u16, reason: &str) -> Result<(), CloseCodeError> {
    match code {
        1000..=1003 | 1007..=1014 | 3000..=4999 => {}
        1004..=1006 | 1015 => {
            return Err(CloseCodeError::NeverSent {
                code,
                name: name(code),
            });
        }
        1016..=2999 => return Err(CloseCodeError::Unassigned { code }),
        _ => return Err(CloseCodeError::OutOfRange { code }),
    }
    if reason.len() > MAX_REASON_BYTES {
        return Err(CloseCodeError::ReasonTooLong { len: reason.len() });
    }
    Ok(())
}

/// Whether the engine should reconnect after a close it did not start for the user
/// (a close the user asked for never comes here: it says itself what follows): never
/// for 1000; 1008 only if `retry_policy_violation`; everything else (including 1006,
/// 1011, 1012, 1013, and `None` = no code) yes.
pub fn should_reconnect(code: Option<u16>, retry_policy_violation: bool) -> bool {
    match code {
        Some(1000) => false,
        Some(1008) => retry_policy_violation,
        _ => true,
    }
}

/// A formatted text table of [`STANDARD_CODES`] plus the ranges 3000-3999 and 4000-4999,
/// for `wsdeck close-codes`: columns CODE, NAME, SENDABLE (yes/no), MEANING, aligned, one
/// line per row with no trailing spaces, each ending in a newline.
pub fn render_table() -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let mut rows: Vec<(String, &str, &str, &str)> = STANDARD_CODES
        .iter()
        .map(|i| (i.code.to_string(), i.name, yes_no(i.sendable), i.meaning))
        .collect();
    rows.push((
        "3000-3999".to_owned(),
        NAME_REGISTERED,
        "yes",
        MEANING_REGISTERED,
    ));
    rows.push(("4000-4999".to_owned(), NAME_PRIVATE, "yes", MEANING_PRIVATE));

    let header = ("CODE", "NAME", "SENDABLE", "MEANING");
    let code_w = rows
        .iter()
        .map(|r| r.0.len())
        .chain([header.0.len()])
        .max()
        .unwrap_or(0);
    let name_w = rows
        .iter()
        .map(|r| r.1.len())
        .chain([header.1.len()])
        .max()
        .unwrap_or(0);
    let send_w = header.2.len();

    let mut out = String::new();
    let mut line = |code: &str, name: &str, sendable: &str, meaning: &str| {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{code:<code_w$}  {name:<name_w$}  {sendable:<send_w$}  {meaning}"
        );
    };
    line(header.0, header.1, header.2, header.3);
    for (code, name, sendable, meaning) in &rows {
        line(code, name, sendable, meaning);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_ordered() {
        let codes: Vec<u16> = STANDARD_CODES.iter().map(|i| i.code).collect();
        assert_eq!(codes, (1000..=1015).collect::<Vec<_>>());
        for info in STANDARD_CODES {
            assert!(!info.name.is_empty());
            assert!(!info.meaning.is_empty());
            assert!(!info.meaning.ends_with('.'), "{}", info.code);
        }
    }

    #[test]
    fn sendable_flags_match_validation() {
        for info in STANDARD_CODES {
            assert_eq!(
                info.sendable,
                validate_close(info.code, "").is_ok(),
                "code {}",
                info.code
            );
        }
        for never in [1004, 1005, 1006, 1015] {
            assert!(!info(never).map(|i| i.sendable).unwrap_or(true));
        }
    }

    #[test]
    fn names_for_every_range() {
        assert_eq!(name(1000), "Normal Closure");
        assert_eq!(name(1006), "Abnormal Closure");
        assert_eq!(name(1015), "TLS Handshake");
        assert_eq!(name(1016), "Reserved (unassigned)");
        assert_eq!(name(2999), "Reserved (unassigned)");
        assert_eq!(name(3000), "Registered (IANA)");
        assert_eq!(name(3999), "Registered (IANA)");
        assert_eq!(name(4000), "Private use");
        assert_eq!(name(4999), "Private use");
        assert_eq!(name(0), "Invalid");
        assert_eq!(name(999), "Invalid");
        assert_eq!(name(5000), "Invalid");
        assert_eq!(name(u16::MAX), "Invalid");
    }

    #[test]
    fn meanings_for_every_range() {
        assert_eq!(
            meaning(1006),
            "the connection dropped without a close frame: network failure, crash, or a timeout"
        );
        assert_eq!(
            meaning(1008),
            "the endpoint refused on policy grounds, often a bad or missing token"
        );
        assert_eq!(
            meaning(4321),
            "application-defined; its meaning is agreed between client and server"
        );
        assert_eq!(meaning(2000), MEANING_UNASSIGNED);
        assert_eq!(meaning(3500), MEANING_REGISTERED);
        assert_eq!(meaning(12), MEANING_INVALID);
        assert_eq!(meaning(6000), MEANING_INVALID);
    }

    #[test]
    fn validate_accepts_sendable_codes() {
        for code in (1000..=1003).chain(1007..=1014).chain(3000..=4999) {
            assert_eq!(validate_close(code, "bye"), Ok(()), "code {code}");
        }
    }

    #[test]
    fn validate_rejects_never_sent_codes() {
        let err = validate_close(1005, "").unwrap_err();
        assert_eq!(
            err,
            CloseCodeError::NeverSent {
                code: 1005,
                name: "No Status Received"
            }
        );
        assert_eq!(
            err.to_string(),
            "close code 1005 (No Status Received) is reserved and never sent on the wire; \
             use 1000 for a normal close or 4000-4999 for your own codes"
        );
        for code in [1004, 1006, 1015] {
            assert!(matches!(
                validate_close(code, ""),
                Err(CloseCodeError::NeverSent { code: c, .. }) if c == code
            ));
        }
    }

    #[test]
    fn validate_rejects_unassigned_and_out_of_range() {
        assert_eq!(
            validate_close(1016, ""),
            Err(CloseCodeError::Unassigned { code: 1016 })
        );
        assert_eq!(
            validate_close(2999, ""),
            Err(CloseCodeError::Unassigned { code: 2999 })
        );
        let err = validate_close(999, "").unwrap_err();
        assert_eq!(err, CloseCodeError::OutOfRange { code: 999 });
        assert_eq!(
            err.to_string(),
            "close code 999 is out of range; valid codes are 1000-1003, 1007-1014 and 3000-4999"
        );
        assert_eq!(
            validate_close(0, ""),
            Err(CloseCodeError::OutOfRange { code: 0 })
        );
        assert_eq!(
            validate_close(5000, ""),
            Err(CloseCodeError::OutOfRange { code: 5000 })
        );
        assert!(
            validate_close(2000, "")
                .unwrap_err()
                .to_string()
                .contains("use 1000")
        );
    }

    #[test]
    fn validate_reason_length_in_bytes() {
        assert_eq!(validate_close(1000, &"a".repeat(123)), Ok(()));
        let err = validate_close(1000, &"a".repeat(130)).unwrap_err();
        assert_eq!(err, CloseCodeError::ReasonTooLong { len: 130 });
        assert_eq!(
            err.to_string(),
            "close reason is 130 bytes; the limit is 123 bytes (UTF-8)"
        );
        // 62 two-byte characters: 62 chars but 124 bytes.
        let wide = "é".repeat(62);
        assert_eq!(wide.chars().count(), 62);
        assert_eq!(
            validate_close(4000, &wide),
            Err(CloseCodeError::ReasonTooLong { len: 124 })
        );
        // A bad code is reported before a long reason.
        assert!(matches!(
            validate_close(1005, &wide),
            Err(CloseCodeError::NeverSent { .. })
        ));
    }

    #[test]
    fn reconnect_rules() {
        // Normal closure: never.
        assert!(!should_reconnect(Some(1000), true));
        assert!(!should_reconnect(Some(1000), false));
        // Policy violation: only when allowed.
        assert!(!should_reconnect(Some(1008), false));
        assert!(should_reconnect(Some(1008), true));
        // Everything else: yes.
        for code in [
            None,
            Some(1001),
            Some(1002),
            Some(1006),
            Some(1009),
            Some(1011),
            Some(1012),
            Some(1013),
            Some(1014),
            Some(4000),
        ] {
            assert!(should_reconnect(code, false), "{code:?}");
        }
    }

    #[test]
    fn table_renders_aligned() {
        let table = render_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 1 + STANDARD_CODES.len() + 2);
        assert!(table.ends_with('\n'));
        let header = lines[0];
        assert!(header.starts_with("CODE"));
        let name_col = header.find("NAME").unwrap();
        let send_col = header.find("SENDABLE").unwrap();
        let meaning_col = header.find("MEANING").unwrap();
        assert!(name_col < send_col && send_col < meaning_col);
        for line in &lines {
            assert_eq!(line.trim_end(), *line, "trailing spaces in {line:?}");
            // Every column starts at the header's offset, after a space.
            for col in [name_col, send_col, meaning_col] {
                assert_eq!(&line[col - 1..col], " ", "{line:?}");
                assert_ne!(&line[col..col + 1], " ", "{line:?}");
            }
        }
        let row_1006 = lines.iter().find(|l| l.starts_with("1006")).unwrap();
        assert_eq!(&row_1006[send_col..send_col + 3], "no ");
        assert!(row_1006[meaning_col..].starts_with("the connection dropped"));
        let row_1000 = lines.iter().find(|l| l.starts_with("1000")).unwrap();
        assert_eq!(&row_1000[send_col..send_col + 4], "yes ");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("3000-3999") && l.contains("Registered (IANA)"))
        );
        let private = lines.last().unwrap();
        assert!(private.starts_with("4000-4999"));
        assert!(private.contains("Private use"));
        assert!(private.ends_with(MEANING_PRIVATE));
    }
}
