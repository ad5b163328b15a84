//! The HTTP CONNECT tunnel: `CONNECT host:port`, Basic auth from the proxy URL, the
//! answer's head read (never past its end, so no byte of the tunnel is lost) and its
//! status explained.

use base64::Engine;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{ProxyConfig, TunnelError};
use crate::session::event::ErrorKind;
use crate::terminal_text;

/// The largest answer head accepted from a proxy.
const HEAD_LIMIT: usize = 16 * 1024;
const HEAD_END: &[u8] = b"\r\n\r\n";

/// Asks the proxy to open a tunnel to `host:port` and returns the stream once it
/// has (any 2xx answer).
pub(super) async fn tunnel(
    mut stream: TcpStream,
    proxy: &ProxyConfig,
    host: &str,
    port: u16,
) -> Result<TcpStream, TunnelError> {
    let shown = proxy.described();
    let io_error = |error: std::io::Error| {
        TunnelError::new(
            ErrorKind::Io,
            format!("the proxy {shown} dropped the connection during CONNECT: {error}"),
        )
    };
    stream
        .write_all(connect_request(proxy, host, port).as_bytes())
        .await
        .map_err(io_error)?;
    let head = read_head(&mut stream).await.map_err(|error| match error {
        HeadError::Io(error) => io_error(error),
        HeadError::Closed => TunnelError::new(
            ErrorKind::Io,
            format!("the proxy {shown} closed the connection without answering CONNECT — is it an HTTP proxy?"),
        ),
        HeadError::TooLong => TunnelError::new(
            ErrorKind::Protocol,
            format!("the proxy {shown} answered CONNECT with a head longer than {HEAD_LIMIT} bytes"),
        ),
    })?;
    judge(&head, proxy, host, port)?;
    Ok(stream)
}

/// The CONNECT request, with `Proxy-Authorization` when the URL has credentials.
fn connect_request(proxy: &ProxyConfig, host: &str, port: u16) -> String {
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut request = format!(
        "CONNECT {target} HTTP/1.1\r\nHost: {target}\r\nUser-Agent: wsdeck/{}\r\n",
        env!("CARGO_PKG_VERSION")
    );
    if let Some(credentials) = &proxy.credentials {
        let pair = format!("{}:{}", credentials.user, credentials.password.expose());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
        request.push_str(&format!("Proxy-Authorization: Basic {encoded}\r\n"));
    }
    request.push_str("\r\n");
    request
}

#[derive(Debug)]
enum HeadError {
    Io(std::io::Error),
    Closed,
    TooLong,
}

/// Reads up to and including the blank line that ends the head, and not one byte
/// more: each read asks for at most as many bytes as could still be part of the
/// head (if the head so far ends with k bytes of `\r\n\r\n`, the head may end in
/// 4 − k bytes), so what follows stays in the socket for TLS or the upgrade.
async fn read_head(stream: &mut (impl AsyncRead + Unpin)) -> Result<Vec<u8>, HeadError> {
    let mut head = Vec::with_capacity(256);
    let mut chunk = [0u8; HEAD_END.len()];
    loop {
        let matched = (1..HEAD_END.len())
            .rev()
            .find(|&k| head.ends_with(&HEAD_END[..k]))
            .unwrap_or(0);
        let want = HEAD_END.len() - matched;
        let read = stream
            .read(&mut chunk[..want])
            .await
            .map_err(HeadError::Io)?;
        if read == 0 {
            return Err(HeadError::Closed);
        }
        head.extend_from_slice(&chunk[..read]);
        if head.ends_with(HEAD_END) {
            return Ok(head);
        }
        if head.len() > HEAD_LIMIT {
            return Err(HeadError::TooLong);
        }
    }
}

/// Accepts a 2xx answer; anything else becomes a message saying what it means.
fn judge(head: &[u8], proxy: &ProxyConfig, host: &str, port: u16) -> Result<(), TunnelError> {
    let shown = proxy.described();
    let status_line = String::from_utf8_lossy(head.split(|b| *b == b'\n').next().unwrap_or(&[]))
        .trim_end()
        .to_string();
    let safe_line = terminal_text::one_line(&status_line).into_owned();
    let mut parts = status_line.split_whitespace();
    let version = parts.next().unwrap_or_default();
    let status: Option<u16> = parts
        .next()
        .filter(|code| code.len() == 3)
        .and_then(|code| code.parse().ok());
    let Some(status) = status.filter(|_| version.starts_with("HTTP/")) else {
        return Err(TunnelError::new(
            ErrorKind::Protocol,
            format!(
                "the proxy {shown} did not answer CONNECT in HTTP (it said '{safe_line}') — is it an HTTP proxy? (socks5:// for a SOCKS proxy)"
            ),
        ));
    };
    let target = format!("{host}:{port}");
    match status {
        200..=299 => Ok(()),
        407 if proxy.credentials.is_some() => Err(TunnelError::new(
            ErrorKind::Auth,
            format!(
                "the proxy {shown} refused the credentials (407) — check the user and password in the proxy URL (percent-encode special characters)"
            ),
        )),
        407 => Err(TunnelError::new(
            ErrorKind::Auth,
            format!(
                "the proxy wants credentials (407): {shown} — give them in the proxy URL, http://USER:PASS@HOST:PORT (with ${{env:NAME}} in a profile)"
            ),
        )),
        // Squid says 502/503/504; small proxies 500, or 404 for a name they cannot
        // resolve.
        404 | 500 | 502..=504 => Err(TunnelError::new(
            ErrorKind::Refused,
            format!(
                "the proxy {shown} could not reach {target}: '{safe_line}' — is the server running, and reachable from the proxy?"
            ),
        )),
        _ => Err(TunnelError::new(
            ErrorKind::HttpStatus,
            format!("the proxy {shown} refused to open a tunnel to {target}: '{safe_line}'"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::proxy::ProxyConfig;

    #[tokio::test]
    async fn the_head_is_read_to_its_end_and_not_a_byte_further() {
        let answer = b"HTTP/1.1 200 Connection established\r\nX: y\r\n\r\n\x16\x03\x01rest";
        let mut reader = &answer[..];
        let head = read_head(&mut reader).await.unwrap();
        assert!(head.ends_with(b"X: y\r\n\r\n"));
        assert_eq!(reader, b"\x16\x03\x01rest", "the tunnel's first bytes stay");

        let mut closed = &b"HTTP/1.1 200 OK\r\n"[..];
        assert!(matches!(
            read_head(&mut closed).await,
            Err(HeadError::Closed)
        ));

        let long = [b'a'; HEAD_LIMIT + 10];
        assert!(matches!(
            read_head(&mut &long[..]).await,
            Err(HeadError::TooLong)
        ));
    }

    #[test]
    fn the_request_carries_basic_auth_and_brackets_ipv6() {
        let proxy = ProxyConfig::parse("http://us%40er:p%3Ass@127.0.0.1:3128").unwrap();
        let request = connect_request(&proxy, "example.com", 443);
        assert!(
            request.starts_with("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n")
        );
        // base64("us@er:p:ss")
        assert!(
            request.contains("Proxy-Authorization: Basic dXNAZXI6cDpzcw==\r\n"),
            "{request}"
        );
        assert!(request.ends_with("\r\n\r\n"));
        let plain = ProxyConfig::parse("http://127.0.0.1:3128").unwrap();
        let request = connect_request(&plain, "::1", 8080);
        assert!(request.starts_with("CONNECT [::1]:8080 "));
        assert!(!request.contains("Proxy-Authorization"));
    }

    #[test]
    fn statuses_are_explained() {
        let proxy = ProxyConfig::parse("http://127.0.0.1:3128").unwrap();
        let with_auth = ProxyConfig::parse("http://u:secret@127.0.0.1:3128").unwrap();
        let judge_line = |line: &str, proxy: &ProxyConfig| judge(line.as_bytes(), proxy, "h", 1);
        assert!(judge_line("HTTP/1.1 200 Connection established\r\n\r\n", &proxy).is_ok());
        assert!(judge_line("HTTP/1.0 204 OK\r\n\r\n", &proxy).is_ok());
        let wants =
            judge_line("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", &proxy).unwrap_err();
        assert_eq!(wants.kind, ErrorKind::Auth);
        assert!(
            wants.message.contains("the proxy wants credentials (407)"),
            "{wants}"
        );
        let refused = judge_line("HTTP/1.1 407 No\r\n\r\n", &with_auth).unwrap_err();
        assert!(
            refused.message.contains("refused the credentials"),
            "{refused}"
        );
        assert!(refused.message.contains("u:***@"), "{refused}");
        assert!(!refused.message.contains("secret"), "{refused}");
        let forbidden = judge_line("HTTP/1.1 403 \x1b[31mNo\r\n\r\n", &proxy).unwrap_err();
        assert_eq!(forbidden.kind, ErrorKind::HttpStatus);
        assert!(!forbidden.message.contains('\x1b'), "escaped: {forbidden}");
        let gateway = judge_line("HTTP/1.1 502 Bad Gateway\r\n\r\n", &proxy).unwrap_err();
        assert!(gateway.message.contains("could not reach h:1"), "{gateway}");
        let garbage = judge_line("SSH-2.0-OpenSSH\r\n\r\n", &proxy).unwrap_err();
        assert_eq!(garbage.kind, ErrorKind::Protocol);
    }
}
