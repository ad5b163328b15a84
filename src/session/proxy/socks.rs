//! The SOCKS5 tunnel (tokio-socks) over a socket already connected to the proxy:
//! `socks5://` resolves the target here and sends its address, `socks5h://` sends
//! the name for the proxy to resolve. The proxy's reply codes are told in words.

use std::net::{IpAddr, SocketAddr};

use tokio::net::TcpStream;
use tokio_socks::Error as SocksError;
use tokio_socks::TargetAddr;
use tokio_socks::tcp::Socks5Stream;

use super::{ProxyConfig, ProxyKind, TunnelError};
use crate::session::event::ErrorKind;

/// Runs the SOCKS5 handshake for `host:port` on `stream`. With `socks5://`, each of
/// the name's addresses is tried in turn (a new connection to the proxy for each
/// after the first) until the proxy reaches one.
pub(super) async fn tunnel(
    stream: TcpStream,
    proxy: &ProxyConfig,
    host: &str,
    port: u16,
) -> Result<TcpStream, TunnelError> {
    let targets: Vec<TargetAddr<'static>> = match (proxy.kind, host.parse::<IpAddr>()) {
        (_, Ok(address)) => vec![TargetAddr::Ip(SocketAddr::new(address, port))],
        (ProxyKind::Socks5h, Err(_)) => vec![TargetAddr::Domain(host.to_string().into(), port)],
        (_, Err(_)) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|error| {
                TunnelError::new(
                    ErrorKind::Dns,
                    format!("cannot resolve host '{host}': {error} — check the spelling, or use socks5h:// to let the proxy resolve it"),
                )
            })?
            .map(TargetAddr::Ip)
            .collect(),
    };
    let mut stream = Some(stream);
    let mut last_error = None;
    for target in targets {
        let socket = match stream.take() {
            Some(socket) => socket,
            None => super::connect_to_proxy(proxy).await?.0,
        };
        match handshake(socket, proxy, target).await {
            Ok(tunnel) => return Ok(tunnel),
            Err(error) if is_about_the_target(&error) => last_error = Some(error),
            Err(error) => return Err(explain(error, proxy, host, port)),
        }
    }
    Err(match last_error {
        Some(error) => explain(error, proxy, host, port),
        None => TunnelError::new(
            ErrorKind::Dns,
            format!("host '{host}' resolved to no addresses"),
        ),
    })
}

async fn handshake(
    socket: TcpStream,
    proxy: &ProxyConfig,
    target: TargetAddr<'static>,
) -> Result<TcpStream, SocksError> {
    let stream = match &proxy.credentials {
        Some(credentials) => {
            Socks5Stream::connect_with_password_and_socket(
                socket,
                target,
                &credentials.user,
                credentials.password.expose(),
            )
            .await?
        }
        None => Socks5Stream::connect_with_socket(socket, target).await?,
    };
    Ok(stream.into_inner())
}

/// Whether another address of the target might do better.
fn is_about_the_target(error: &SocksError) -> bool {
    matches!(
        error,
        SocksError::HostUnreachable
            | SocksError::NetworkUnreachable
            | SocksError::ConnectionRefused
            | SocksError::TtlExpired
    )
}

/// A SOCKS failure in words, naming the proxy (masked) and, where it is about the
/// target, the target.
fn explain(error: SocksError, proxy: &ProxyConfig, host: &str, port: u16) -> TunnelError {
    let shown = proxy.described();
    let target = format!("{host}:{port}");
    let unreachable = |why: &str| {
        TunnelError::new(
            ErrorKind::Refused,
            format!("the SOCKS proxy {shown} could not reach {target}: {why}"),
        )
    };
    match error {
        SocksError::ConnectionRefused => unreachable("connection refused — is the server running?"),
        SocksError::HostUnreachable => unreachable("host unreachable"),
        SocksError::NetworkUnreachable => unreachable("network unreachable"),
        SocksError::TtlExpired => unreachable("TTL expired"),
        SocksError::GeneralSocksServerFailure => unreachable("general failure (reply 1)"),
        SocksError::ConnectionNotAllowedByRuleset => TunnelError::new(
            ErrorKind::Refused,
            format!(
                "the SOCKS proxy {shown} does not allow connections to {target} (its rules forbid it)"
            ),
        ),
        SocksError::PasswordAuthFailure(_) => TunnelError::new(
            ErrorKind::Auth,
            format!(
                "the SOCKS proxy {shown} refused the user and password — check the credentials in the proxy URL"
            ),
        ),
        SocksError::NoAcceptableAuthMethods if proxy.credentials.is_none() => TunnelError::new(
            ErrorKind::Auth,
            format!(
                "the SOCKS proxy {shown} wants credentials: give them in the proxy URL, socks5://USER:PASS@HOST:PORT"
            ),
        ),
        SocksError::NoAcceptableAuthMethods | SocksError::UnknownAuthMethod => TunnelError::new(
            ErrorKind::Auth,
            format!(
                "the SOCKS proxy {shown} accepts none of the ways wsdeck can log in (none, user/password)"
            ),
        ),
        SocksError::InvalidAuthValues(why) => TunnelError::new(
            ErrorKind::InvalidInput,
            format!("the credentials for the SOCKS proxy {shown} cannot be sent: {why}"),
        ),
        SocksError::CommandNotSupported => TunnelError::new(
            ErrorKind::Protocol,
            format!("the SOCKS proxy {shown} does not support CONNECT"),
        ),
        SocksError::AddressTypeNotSupported => TunnelError::new(
            ErrorKind::Protocol,
            format!(
                "the SOCKS proxy {shown} does not take this kind of address for {target} — try socks5:// (resolve here) or socks5h:// (resolve at the proxy)"
            ),
        ),
        SocksError::Io(error) => TunnelError::new(
            ErrorKind::Io,
            format!("the SOCKS proxy {shown} dropped the connection during the handshake: {error}"),
        ),
        SocksError::InvalidResponseVersion => TunnelError::new(
            ErrorKind::Protocol,
            format!(
                "{shown} did not answer in SOCKS5 — is it a SOCKS5 proxy? (http:// for an HTTP proxy)"
            ),
        ),
        other => TunnelError::new(
            ErrorKind::Protocol,
            format!("the SOCKS5 handshake with {shown} failed: {other}"),
        ),
    }
}
