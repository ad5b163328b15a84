//! What the built-in server decides during the HTTP upgrade: which subprotocol
//! to select and whether a handshake-carried token authenticates the client.
//!
//! The token may come in the `token` query parameter, as one of the offered
//! `Sec-WebSocket-Protocol` values, or as `Authorization: Bearer …`. The upgrade
//! is always accepted; a wrong token is answered with close 1008 afterwards so
//! clients can show a close code rather than an HTTP error.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::handshake::server::{
    Callback, ErrorResponse, Request, Response,
};
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};
use tokio_tungstenite::{WebSocketStream, accept_hdr_async};

use super::{Shared, shutdown_requested};

/// Longest time a client may take to complete the HTTP upgrade.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// An upgraded client connection.
pub(super) type Ws = WebSocketStream<TcpStream>;

/// Performs the HTTP upgrade, selecting a subprotocol and checking the token.
pub(super) async fn upgrade(
    stream: TcpStream,
    peer: SocketAddr,
    shared: &Shared,
    shutdown: &mut watch::Receiver<bool>,
) -> Option<(Ws, TokenCheck)> {
    let mut check = TokenCheck::NotRequired;
    let callback = OnUpgrade {
        token: shared.config.require_token.as_deref(),
        script: shared.config.script.as_deref(),
        check: &mut check,
    };
    let upgraded = tokio::select! {
        _ = shutdown_requested(shutdown) => return None,
        upgraded = timeout(HANDSHAKE_TIMEOUT, accept_hdr_async(stream, callback)) => upgraded,
    };
    match upgraded {
        Ok(Ok(ws)) => Some((ws, check)),
        Ok(Err(error)) => {
            shared.log(format_args!("{peer} handshake failed: {error}"));
            None
        }
        Err(_) => {
            shared.log(format_args!("{peer} handshake timed out"));
            None
        }
    }
}

/// The upgrade callback: fills in the response and reports the token check.
struct OnUpgrade<'a> {
    token: Option<&'a str>,
    /// With `serve --script`, the recorded subprotocol is selected instead.
    script: Option<&'a super::Script>,
    check: &'a mut TokenCheck,
}

impl Callback for OnUpgrade<'_> {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        if let Some(script) = self.script {
            return Ok(respond_as_recorded(
                request,
                response,
                script.subprotocol.as_deref(),
            ));
        }
        let (response, check) = respond(request, response, self.token);
        *self.check = check;
        Ok(response)
    }
}

/// The result of checking the handshake for a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    /// The server does not require a token.
    NotRequired,
    /// A handshake-carried token matched: the client is authenticated.
    Accepted,
    /// A handshake-carried token did not match.
    Rejected,
    /// No token in the handshake: the first message must authenticate.
    Missing,
}

/// Fills in the upgrade response (selected subprotocol) and checks the token.
pub(crate) fn respond(
    request: &Request,
    mut response: Response,
    token: Option<&str>,
) -> (Response, TokenCheck) {
    let offered = offered_protocols(request);
    let selected = select_protocol(&offered, token).and_then(|p| HeaderValue::from_str(p).ok());
    if let Some(value) = selected {
        response
            .headers_mut()
            .insert(header::SEC_WEBSOCKET_PROTOCOL, value);
    }
    let check = match token {
        None => TokenCheck::NotRequired,
        Some(token) => check_token(request, &offered, token),
    };
    (response, check)
}

/// Fills in the upgrade response for `serve --script`: the recorded subprotocol
/// when the client offers it, none otherwise.
pub(crate) fn respond_as_recorded(
    request: &Request,
    mut response: Response,
    recorded: Option<&str>,
) -> Response {
    let offered = offered_protocols(request);
    let selected = recorded
        .filter(|recorded| offered.iter().any(|p| p == recorded))
        .and_then(|p| HeaderValue::from_str(p).ok());
    if let Some(value) = selected {
        response
            .headers_mut()
            .insert(header::SEC_WEBSOCKET_PROTOCOL, value);
    }
    response
}

/// All values of every `Sec-WebSocket-Protocol` header, in order.
fn offered_protocols(request: &Request) -> Vec<String> {
    request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|list| list.split(','))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The first offered protocol that is not the token, else the token itself.
fn select_protocol<'a>(offered: &'a [String], token: Option<&str>) -> Option<&'a str> {
    offered
        .iter()
        .find(|p| Some(p.as_str()) != token)
        .or_else(|| offered.first())
        .map(String::as_str)
}

fn check_token(request: &Request, offered: &[String], token: &str) -> TokenCheck {
    let carried: Vec<String> = query_tokens(request)
        .into_iter()
        .chain(bearer_token(request))
        .collect();
    if carried.iter().any(|c| !tokens_match(c, token)) {
        return TokenCheck::Rejected;
    }
    // A subprotocol value cannot be told apart from a real protocol name, so it
    // only counts when it matches.
    let in_protocols = offered.iter().any(|p| tokens_match(p, token));
    if in_protocols || !carried.is_empty() {
        TokenCheck::Accepted
    } else {
        TokenCheck::Missing
    }
}

fn query_tokens(request: &Request) -> Vec<String> {
    let Some(query) = request.uri().query() else {
        return Vec::new();
    };
    url::form_urlencoded::parse(query.as_bytes())
        .filter(|(key, _)| key == "token")
        .map(|(_, value)| value.into_owned())
        .collect()
}

fn bearer_token(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

/// Compares without stopping at the first difference, so response timing does
/// not reveal how much of a guessed token was right.
pub(crate) fn tokens_match(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    let differences = given
        .iter()
        .zip(expected)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    given.len() == expected.len() && differences == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_tungstenite::tungstenite::http;

    fn request(uri: &str, headers: &[(&str, &str)]) -> Request {
        let mut builder = http::Request::builder().uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).expect("valid test request")
    }

    fn check(uri: &str, headers: &[(&str, &str)]) -> (Option<String>, TokenCheck) {
        let (response, check) = respond(&request(uri, headers), Response::default(), Some("s3"));
        let protocol = response
            .headers()
            .get(header::SEC_WEBSOCKET_PROTOCOL)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (protocol, check)
    }

    #[test]
    fn token_routes() {
        assert_eq!(check("/?token=s3", &[]).1, TokenCheck::Accepted);
        assert_eq!(check("/?a=1&token=bad", &[]).1, TokenCheck::Rejected);
        let bearer = [("authorization", "bearer s3")];
        assert_eq!(check("/", &bearer).1, TokenCheck::Accepted);
        assert_eq!(
            check("/", &[("authorization", "Bearer x")]).1,
            TokenCheck::Rejected
        );
        assert_eq!(check("/", &[]).1, TokenCheck::Missing);
        assert_eq!(
            check("/?token=s3", &[("authorization", "Bearer x")]).1,
            TokenCheck::Rejected
        );
    }

    #[test]
    fn token_as_subprotocol_selects_another_protocol() {
        let both = [("sec-websocket-protocol", "s3, chat")];
        assert_eq!(
            check("/", &both),
            (Some("chat".into()), TokenCheck::Accepted)
        );
        let alone = [("sec-websocket-protocol", "s3")];
        assert_eq!(
            check("/", &alone),
            (Some("s3".into()), TokenCheck::Accepted)
        );
        let other = [("sec-websocket-protocol", "chat")];
        assert_eq!(
            check("/", &other),
            (Some("chat".into()), TokenCheck::Missing)
        );
    }

    #[test]
    fn without_a_token_the_first_protocol_is_selected() {
        let req = request("/", &[("sec-websocket-protocol", "a, b")]);
        let (response, check) = respond(&req, Response::default(), None);
        assert_eq!(check, TokenCheck::NotRequired);
        let selected = response.headers().get(header::SEC_WEBSOCKET_PROTOCOL);
        assert_eq!(selected.and_then(|v| v.to_str().ok()), Some("a"));
    }

    #[test]
    fn token_comparison() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abd", "abc"));
        assert!(!tokens_match("ab", "abc"));
        assert!(!tokens_match("abcd", "abc"));
    }
}
