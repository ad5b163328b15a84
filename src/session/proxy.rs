//! Proxies: which one a connection goes through (`--proxy`, a profile's `proxy`, or
//! the environment as curl reads it, `NO_PROXY` honoured) and the tunnel through it
//! (HTTP CONNECT, SOCKS5). TLS and the WebSocket upgrade then run inside the tunnel
//! unchanged. Credentials are never shown: see [`ProxyConfig::masked`].

mod http_connect;
pub mod no_proxy;
mod socks;

use std::net::SocketAddr;

use tokio::net::TcpStream;
use url::Url;

use super::event::ErrorKind;
use crate::secret::Secret;
pub use no_proxy::NoProxy;

/// The value of `--proxy` (and of a profile's `proxy`) that means "connect
/// directly, whatever the environment says".
pub const NO_PROXY_VALUE: &str = "none";

/// How wsdeck talks to a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    /// `http://`: an HTTP CONNECT tunnel.
    HttpConnect,
    /// `socks5://`: SOCKS5, the target's name resolved by wsdeck.
    Socks5,
    /// `socks5h://`: SOCKS5, the target's name resolved by the proxy.
    Socks5h,
}

impl ProxyKind {
    /// The URL scheme that names it.
    pub fn scheme(self) -> &'static str {
        match self {
            ProxyKind::HttpConnect => "http",
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5h => "socks5h",
        }
    }
}

/// A user name and password for the proxy (from the URL's user info, percent-decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCredentials {
    /// The user name.
    pub user: String,
    /// The password (shown as `***`).
    pub password: Secret,
}

/// One proxy to go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyConfig {
    /// The protocol spoken to the proxy.
    pub kind: ProxyKind,
    /// The proxy's host name or address (an IPv6 address without brackets).
    pub host: String,
    /// The proxy's port.
    pub port: u16,
    /// User and password, when the URL gives them.
    pub credentials: Option<ProxyCredentials>,
    /// Where the setting came from when it was the environment (`HTTPS_PROXY`).
    pub from_env: Option<String>,
}

/// A proxy URL wsdeck cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProxyUrlError(String);

/// Why no tunnel could be opened: a class for the exit code and a message that
/// names the proxy (masked), never its password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TunnelError {
    /// The class of failure.
    pub kind: ErrorKind,
    /// What happened and what to do.
    pub message: String,
}

impl TunnelError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

const URL_HINT: &str =
    "expected http://[USER:PASS@]HOST:PORT, socks5://… or socks5h://… (or 'none' for no proxy)";

impl ProxyConfig {
    /// Parses a proxy URL. A URL without a scheme is taken as `http://`, as curl does;
    /// the port defaults to 80 for `http://` and 1080 for SOCKS.
    pub fn parse(input: &str) -> Result<ProxyConfig, ProxyUrlError> {
        let trimmed = input.trim();
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("http://{trimmed}")
        };
        let shown = mask_url_text(&with_scheme);
        let bad = |why: &str| ProxyUrlError(format!("proxy '{shown}': {why}; {URL_HINT}"));
        let url = Url::parse(&with_scheme).map_err(|error| bad(&error.to_string()))?;
        let kind = match url.scheme() {
            "http" => ProxyKind::HttpConnect,
            "socks5" => ProxyKind::Socks5,
            "socks5h" => ProxyKind::Socks5h,
            "https" => {
                return Err(bad(
                    "TLS to the proxy (https://) is not supported; use http:// (a wss:// connection stays encrypted end to end inside the tunnel)",
                ));
            }
            "socks4" | "socks4a" => return Err(bad("SOCKS4 is not supported; use socks5://")),
            other => return Err(bad(&format!("unsupported scheme '{other}'"))),
        };
        let host = url
            .host_str()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| bad("it has no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(bad("a proxy URL has no path or query"));
        }
        let port = url.port().unwrap_or(match kind {
            ProxyKind::HttpConnect => 80,
            ProxyKind::Socks5 | ProxyKind::Socks5h => 1080,
        });
        let decode = |text: &str| {
            percent_decode(text).ok_or_else(|| bad("its user or password is not valid UTF-8"))
        };
        let credentials = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            Some(ProxyCredentials {
                user: decode(url.username())?,
                password: Secret::new(decode(url.password().unwrap_or(""))?),
            })
        };
        Ok(ProxyConfig {
            kind,
            host,
            port,
            credentials,
            from_env: None,
        })
    }

    /// The proxy as shown everywhere: `http://user:***@host:port`.
    pub fn masked(&self) -> String {
        let user = match &self.credentials {
            Some(credentials) => {
                format!("{}:***@", crate::terminal_text::one_line(&credentials.user))
            }
            None => String::new(),
        };
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!("{}://{user}{host}:{}", self.kind.scheme(), self.port)
    }

    /// The proxy as named in messages: masked, and where it came from when that
    /// was the environment (`http://h:3128 (from HTTPS_PROXY)`).
    pub fn described(&self) -> String {
        match &self.from_env {
            Some(name) => format!("{} (from {name})", self.masked()),
            None => self.masked(),
        }
    }
}

/// Reads a proxy URL given by the user: `none` means no proxy.
pub fn parse_setting(input: &str) -> Result<Option<ProxyConfig>, ProxyUrlError> {
    if input.trim().eq_ignore_ascii_case(NO_PROXY_VALUE) {
        return Ok(None);
    }
    ProxyConfig::parse(input).map(Some)
}

/// The proxy the environment names for `url`, as curl reads it: `http_proxy` /
/// `HTTP_PROXY` for ws://, `https_proxy` / `HTTPS_PROXY` for wss://, then
/// `all_proxy` / `ALL_PROXY`; none when `no_proxy` / `NO_PROXY` matches the host.
/// `lookup` reads one variable (the process environment, or a test's map); empty
/// values count as unset. A value that is not a proxy URL is an error naming it.
pub fn from_env(
    url: &Url,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<ProxyConfig>, ProxyUrlError> {
    let get = |names: &[&'static str]| {
        names.iter().find_map(|name| {
            lookup(name)
                .filter(|value| !value.trim().is_empty())
                .map(|value| (*name, value))
        })
    };
    let scheme_names: &[&'static str] = if url.scheme() == "wss" {
        &["https_proxy", "HTTPS_PROXY"]
    } else {
        &["http_proxy", "HTTP_PROXY"]
    };
    let Some((name, value)) = get(scheme_names).or_else(|| get(&["all_proxy", "ALL_PROXY"])) else {
        return Ok(None);
    };
    if let Some((_, list)) = get(&["no_proxy", "NO_PROXY"]) {
        let host = url.host_str().unwrap_or_default();
        let port = url.port_or_known_default().unwrap_or(80);
        if NoProxy::parse(&list).matches(host, port) {
            return Ok(None);
        }
    }
    if value.trim().eq_ignore_ascii_case(NO_PROXY_VALUE) {
        return Ok(None);
    }
    let mut proxy =
        ProxyConfig::parse(&value).map_err(|error| ProxyUrlError(format!("{name}: {error}")))?;
    proxy.from_env = Some(name.to_string());
    Ok(Some(proxy))
}

/// Opens TCP to the proxy and a tunnel through it to `host:port` (a name, or an
/// address in brackets for IPv6 as in a URL). Returns the stream, ready for TLS or
/// the upgrade, and the proxy's address.
pub async fn open_tunnel(
    proxy: &ProxyConfig,
    host: &str,
    port: u16,
) -> Result<(TcpStream, SocketAddr), TunnelError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let (stream, proxy_addr) = connect_to_proxy(proxy).await?;
    tracing::debug!(proxy = %proxy.masked(), proxy_addr = %proxy_addr, target = %format!("{host}:{port}"), "opening the tunnel");
    let stream = match proxy.kind {
        ProxyKind::HttpConnect => http_connect::tunnel(stream, proxy, host, port).await?,
        ProxyKind::Socks5 | ProxyKind::Socks5h => socks::tunnel(stream, proxy, host, port).await?,
    };
    tracing::debug!(proxy = %proxy.masked(), "tunnel open");
    Ok((stream, proxy_addr))
}

/// TCP to the proxy itself; its failures name the proxy, not the target.
async fn connect_to_proxy(proxy: &ProxyConfig) -> Result<(TcpStream, SocketAddr), TunnelError> {
    let shown = proxy.described();
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((proxy.host.as_str(), proxy.port))
        .await
        .map_err(|error| {
            TunnelError::new(
                ErrorKind::Dns,
                format!("cannot resolve the proxy's host '{}' ({shown}): {error} — check the proxy setting", proxy.host),
            )
        })?
        .collect();
    let mut last_error = None;
    for address in &addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok((stream, *address)),
            Err(error) => last_error = Some(error),
        }
    }
    Err(match last_error {
        Some(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => TunnelError::new(
            ErrorKind::Refused,
            format!(
                "the proxy {shown} refused the connection — is the proxy running, and is its address right?"
            ),
        ),
        Some(error) => TunnelError::new(
            ErrorKind::Refused,
            format!("cannot reach the proxy {shown}: {error}"),
        ),
        None => TunnelError::new(
            ErrorKind::Dns,
            format!("the proxy's host '{}' resolved to no addresses", proxy.host),
        ),
    })
}

/// Whether a proxy URL as written holds a password as is, not as a reference
/// (`${env:NAME}`): what saving a profile refuses.
pub fn has_literal_password(text: &str) -> bool {
    password_text(text).is_some_and(|password| !password.is_empty() && !password.contains("${"))
}

/// The password part of `scheme://user:password@host…` as written.
fn password_text(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("://")?;
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@')?;
    rest[..at].split_once(':').map(|(_, password)| password)
}

/// `text` with any password in a `scheme://user:password@` prefix replaced by `***`,
/// for errors about a URL that did not parse and for showing a profile.
pub fn mask_url_text(text: &str) -> String {
    let Some((scheme, rest)) = text.split_once("://") else {
        return text.to_string();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return text.to_string();
    };
    let user = rest[..at].split(':').next().unwrap_or_default();
    format!("{scheme}://{user}:***{}", &rest[at..])
}

/// Percent-decodes user info; `None` when the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|digit| (*digit as char).to_digit(16))
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[path = "proxy_tests.rs"]
mod tests;
