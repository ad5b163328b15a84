//! What a close from the server means for the session: an explanation that names the
//! code, the reason and, where the provider registry knows it, the cause and the fix;
//! and whether reconnecting could help at all. Pure, so every rule has a unit test.

use crate::protocol::registry::{self, Provider};

use super::close_code;
use super::event::ErrorKind;

/// How long after the upgrade a close still counts as an answer to the upgrade itself
/// (a server refusing our subprotocol closes at once).
pub const EARLY_CLOSE: std::time::Duration = std::time::Duration::from_secs(2);

/// A close frame from the server, and what the link had done before it.
#[derive(Debug, Clone, Copy)]
pub struct PeerClose<'a> {
    /// The close code (1005 when the frame had none).
    pub code: u16,
    /// The close reason (already redacted).
    pub reason: &'a str,
    /// The session's provider.
    pub provider: &'a Provider,
    /// The subprotocols the upgrade offered.
    pub offered: &'a [String],
    /// The subprotocol the server agreed to.
    pub agreed: Option<&'a str>,
    /// Whether the close came while the protocol handshake or auth was under way.
    pub during_handshake: bool,
    /// Whether the close came right after the upgrade (within [`EARLY_CLOSE`]).
    pub early: bool,
}

/// The session's reading of a server close that needs more than the close line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseVerdict {
    /// What to tell the user.
    pub message: String,
    /// The class of failure.
    pub kind: ErrorKind,
    /// True when reconnecting cannot help: the session stops in `error`.
    pub permanent: bool,
}

/// Judges a close the server sent; `None` when the close explains itself (a normal
/// close, a restart) and the reconnect policy decides alone.
pub fn judge(close: &PeerClose<'_>) -> Option<CloseVerdict> {
    let code = close.code;
    let said = describe(close);
    let wanted = subprotocol_wanted(close);
    if let Some(fix) = wanted {
        return Some(CloseVerdict {
            message: format!("{said} right after the upgrade — {fix}"),
            kind: ErrorKind::Protocol,
            permanent: true,
        });
    }
    let auth_code = matches!(code, 1008 | 4401 | 4403);
    let kind = if auth_code {
        ErrorKind::Auth
    } else {
        ErrorKind::Protocol
    };
    if close.provider.is_permanent_close(code) {
        let meaning = close
            .provider
            .close_code(code)
            .map(|(_, meaning)| format!(": {meaning}"))
            .unwrap_or_default();
        let why = if auth_code {
            "check the token".to_string()
        } else {
            format!(
                "{} answers the same request the same way",
                close.provider.name
            )
        };
        return Some(CloseVerdict {
            message: format!("{said}{meaning} — not retried: {why}"),
            kind,
            permanent: true,
        });
    }
    if close.during_handshake {
        let protocol_error = code == 1002;
        let hint = if protocol_error {
            " — not retried: the server rejects the protocol itself; check --provider and -s"
        } else if auth_code {
            " — the credentials were probably refused; check the token"
        } else {
            ""
        };
        return Some(CloseVerdict {
            message: format!("{said} during the {} handshake{hint}", close.provider.name),
            kind,
            permanent: protocol_error,
        });
    }
    None
}

/// "the server closed the connection with 4406 Subprotocol not acceptable ("…")".
fn describe(close: &PeerClose<'_>) -> String {
    // A code the provider does not define may be one the protocol the server wants
    // does (graphql-ws's 4406 seen by a raw connection).
    let name = close
        .provider
        .close_code(close.code)
        .or_else(|| {
            registry::subprotocol_refusal(close.code)
                .iter()
                .find_map(|provider| provider.close_code(close.code))
        })
        .map(|(name, _)| name)
        .unwrap_or_else(|| close_code::name(close.code));
    let mut text = format!(
        "the server closed the connection with {} {name}",
        close.code
    );
    if !close.reason.is_empty() {
        text.push_str(&format!(" (\"{}\")", close.reason));
    }
    text
}

/// The fix, when the close says the server wants a subprotocol we did not offer.
fn subprotocol_wanted(close: &PeerClose<'_>) -> Option<String> {
    if close.agreed.is_some() || !(close.early || close.during_handshake) {
        return None;
    }
    // The provider's own subprotocol, when the user replaced it with another.
    if let Some(own) = close.provider.subprotocols.first()
        && matches!(close.code, 4406 | 1002)
        && !close.offered.iter().any(|offered| offered == own)
    {
        return Some(format!(
            "the server requires subprotocol {own} (drop -s, or use -s {own})"
        ));
    }
    if !close.offered.is_empty() && close.code != 4406 {
        return None;
    }
    let candidates = registry::subprotocol_refusal(close.code);
    let options: Vec<String> = candidates
        .iter()
        .filter(|provider| provider.name != close.provider.name)
        .filter_map(|provider| {
            let subprotocol = provider.subprotocols.first()?;
            // Not `-s` alone: without the adapter nothing would send the protocol's
            // handshake, and the server would close again a few seconds later.
            Some(format!("{subprotocol} (use --provider {})", provider.name))
        })
        .collect();
    match options.as_slice() {
        [] => None,
        [one] if close.code == 4406 => Some(format!("the server requires subprotocol {one}")),
        [one] => Some(format!("the server probably requires subprotocol {one}")),
        many => Some(format!(
            "the server probably requires a subprotocol: {}",
            many.join(", or ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close<'a>(code: u16, provider: &str, offered: &'a [String]) -> PeerClose<'a> {
        PeerClose {
            code,
            reason: "",
            provider: registry::find(provider).unwrap(),
            offered,
            agreed: None,
            during_handshake: false,
            early: true,
        }
    }

    #[test]
    fn a_refused_subprotocol_names_the_one_wanted() {
        let verdict = judge(&PeerClose {
            reason: "Subprotocol not acceptable",
            ..close(4406, "raw", &[])
        })
        .unwrap();
        assert!(verdict.permanent);
        assert!(
            verdict.message.contains("4406 Subprotocol not acceptable")
                && verdict.message.contains("\"Subprotocol not acceptable\"")
                && verdict.message.contains(
                    "requires subprotocol graphql-transport-ws (use --provider graphql-ws)"
                ),
            "{}",
            verdict.message
        );

        let legacy = judge(&close(1002, "raw", &[])).unwrap();
        assert!(legacy.permanent);
        assert!(
            legacy
                .message
                .contains("graphql-ws (use --provider apollo-legacy"),
            "{}",
            legacy.message
        );

        let replaced = [String::from("chat")];
        let own = judge(&close(4406, "graphql-ws", &replaced)).unwrap();
        assert!(
            own.message
                .contains("requires subprotocol graphql-transport-ws (drop -s"),
            "{}",
            own.message
        );
    }

    #[test]
    fn a_late_or_agreed_close_is_not_about_subprotocols() {
        let late = PeerClose {
            early: false,
            ..close(1002, "raw", &[])
        };
        assert_eq!(judge(&late), None);
        let agreed = PeerClose {
            agreed: Some("graphql-transport-ws"),
            ..close(4406, "graphql-ws", &[])
        };
        assert!(judge(&agreed).unwrap().message.contains("not retried"));
        assert_eq!(judge(&close(1000, "raw", &[])), None);
        assert_eq!(judge(&close(1012, "graphql-ws", &[])), None);
    }

    #[test]
    fn permanent_codes_stop_the_session_and_say_why() {
        let offered = [String::from("graphql-transport-ws")];
        let forbidden = judge(&PeerClose {
            reason: "Forbidden",
            agreed: Some("graphql-transport-ws"),
            during_handshake: true,
            ..close(4403, "graphql-ws", &offered)
        })
        .unwrap();
        assert!(forbidden.permanent);
        assert_eq!(forbidden.kind, ErrorKind::Auth);
        assert!(
            forbidden.message.contains("4403 Forbidden (\"Forbidden\")")
                && forbidden.message.ends_with("not retried: check the token"),
            "{}",
            forbidden.message
        );
        let retried = PeerClose {
            agreed: Some("graphql-transport-ws"),
            early: false,
            ..close(4500, "graphql-ws", &offered)
        };
        assert_eq!(judge(&retried), None);
    }

    #[test]
    fn a_close_during_the_handshake_names_code_and_reason() {
        let verdict = judge(&PeerClose {
            reason: "bye",
            during_handshake: true,
            early: false,
            agreed: Some("x"),
            ..close(4000, "socket-io", &[])
        })
        .unwrap();
        assert!(!verdict.permanent);
        assert!(
            verdict
                .message
                .contains("with 4000 Private use (\"bye\") during the socket-io handshake"),
            "{}",
            verdict.message
        );
        let protocol = judge(&PeerClose {
            during_handshake: true,
            agreed: Some("graphql-ws"),
            ..close(1002, "apollo-legacy", &[String::from("graphql-ws")])
        })
        .unwrap();
        assert!(protocol.permanent);
    }
}
