//! Telling a TLS port apart: when a `ws://` upgrade is left unanswered or answered
//! with something that is not HTTP, one ClientHello on a fresh connection says whether
//! the port speaks TLS, so the error can say "use wss://" instead of guessing.

use std::net::SocketAddr;
use std::time::Duration;

use rustls::ClientConnection;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::config::TlsOptions;
use super::tls;

/// How long the probe may take, connect and answer each.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// Whether the server at `address` answers a TLS ClientHello with a TLS record (a
/// ServerHello or an alert). Any failure to tell counts as no.
pub async fn speaks_tls(address: SocketAddr, host: &str) -> bool {
    let Some(hello) = client_hello(host) else {
        return false;
    };
    let probe = async {
        let mut tcp = TcpStream::connect(address).await.ok()?;
        tcp.write_all(&hello).await.ok()?;
        let mut head = [0_u8; 2];
        tcp.read_exact(&mut head).await.ok()?;
        Some(is_tls_record(head))
    };
    tokio::time::timeout(PROBE_TIMEOUT * 2, probe)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

/// A TLS record starts with its content type (21 alert, 22 handshake) and the major
/// version 3.
fn is_tls_record(head: [u8; 2]) -> bool {
    matches!(head, [0x15 | 0x16, 0x03])
}

/// The bytes of a ClientHello for `host`; certificates are not looked at, since no
/// data is ever exchanged.
fn client_hello(host: &str) -> Option<Vec<u8>> {
    let options = TlsOptions {
        insecure: true,
        ..TlsOptions::default()
    };
    let config = tls::client_config(&options).ok()?;
    let name = ServerName::try_from(host.to_string()).ok()?;
    let mut connection = ClientConnection::new(config, name).ok()?;
    let mut hello = Vec::new();
    connection.write_tls(&mut hello).ok()?;
    Some(hello)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[test]
    fn tls_records_are_told_from_http() {
        assert!(is_tls_record([0x16, 0x03]));
        assert!(is_tls_record([0x15, 0x03]));
        assert!(!is_tls_record(*b"HT"));
        assert!(client_hello("127.0.0.1").is_some_and(|hello| hello[0] == 0x16));
    }

    /// A server that answers whatever it reads with `answer`, then closes.
    async fn answering(answer: &'static [u8]) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buffer = [0_u8; 512];
                let _ = socket.read(&mut buffer).await;
                let _ = socket.write_all(answer).await;
            }
        });
        address
    }

    #[tokio::test]
    async fn a_tls_alert_means_tls_and_http_does_not() {
        let tls = answering(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]).await;
        assert!(speaks_tls(tls, "127.0.0.1").await);
        let http = answering(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        assert!(!speaks_tls(http, "127.0.0.1").await);
        let closed = answering(b"").await;
        assert!(!speaks_tls(closed, "127.0.0.1").await);
    }
}
