//! `NO_PROXY`: the hosts reached directly even when a proxy is set, as curl reads the
//! list: comma- (or space-) separated; `*` for every host; a domain matches itself
//! and its subdomains, with or without a leading dot (or `*.`); an IP address or a
//! CIDR block (`10.0.0.0/8`, `fd00::/8`) matches addresses; any entry may end in
//! `:PORT` to match that port only. Names compare case-insensitively.

use std::net::IpAddr;

/// One entry of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// `*`.
    Everything,
    /// A domain: itself and its subdomains (lower case, no leading dot).
    Domain(String),
    /// An address block; a single address is a block of its full length.
    Block(IpAddr, u8),
}

/// A parsed `NO_PROXY` list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoProxy {
    entries: Vec<(Pattern, Option<u16>)>,
}

impl NoProxy {
    /// Parses the list; entries that mean nothing (empty ones) are skipped.
    pub fn parse(list: &str) -> NoProxy {
        let entries = list
            .split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .filter_map(parse_entry)
            .collect();
        NoProxy { entries }
    }

    /// Whether a connection to `host:port` goes direct. `host` is a name or an
    /// address (IPv6 with or without brackets).
    pub fn matches(&self, host: &str, port: u16) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        let address: Option<IpAddr> = host.parse().ok();
        self.entries.iter().any(|(pattern, only_port)| {
            only_port.is_none_or(|only| only == port)
                && match pattern {
                    Pattern::Everything => true,
                    Pattern::Domain(domain) => {
                        host == *domain
                            || host
                                .strip_suffix(domain.as_str())
                                .is_some_and(|rest| rest.ends_with('.'))
                    }
                    Pattern::Block(block, bits) => {
                        address.is_some_and(|address| in_block(address, *block, *bits))
                    }
                }
        })
    }
}

/// One entry: `*`, a domain, an address or a block, each with an optional port.
fn parse_entry(entry: &str) -> Option<(Pattern, Option<u16>)> {
    if entry == "*" {
        return Some((Pattern::Everything, None));
    }
    let (body, port) = split_port(entry);
    if let Some((address, bits)) = body.split_once('/') {
        let address: IpAddr = address.parse().ok()?;
        let bits: u8 = bits.parse().ok()?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        return (bits <= width).then_some((Pattern::Block(address, bits), port));
    }
    if let Ok(address) = body.parse::<IpAddr>() {
        let width = if address.is_ipv4() { 32 } else { 128 };
        return Some((Pattern::Block(address, width), port));
    }
    let domain = body
        .trim_start_matches("*.")
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!domain.is_empty()).then_some((Pattern::Domain(domain), port))
}

/// `host:port` → (`host`, port); `[v6]:port` and bare IPv6 addresses handled.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((address, tail)) => (address, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (rest, None),
        };
    }
    match entry.rsplit_once(':') {
        // One colon: a port. More: a bare IPv6 address (or block).
        Some((host, port)) if !host.contains(':') => (host, port.parse().ok()),
        _ => (entry, None),
    }
}

/// Whether `address` is in `block/bits` (never across IPv4 and IPv6).
fn in_block(address: IpAddr, block: IpAddr, bits: u8) -> bool {
    let (address, block, width) = match (address, block) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u32::from(a) as u128, u32::from(b) as u128, 32),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    if bits == 0 {
        return true;
    }
    let shift = width - u32::from(bits);
    (address >> shift) == (block >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(list: &str, host: &str, port: u16) -> bool {
        NoProxy::parse(list).matches(host, port)
    }

    #[test]
    fn star_matches_everything_and_empty_nothing() {
        assert!(direct("*", "example.com", 443));
        assert!(direct(" * ", "10.1.2.3", 80));
        assert!(!direct("", "example.com", 443));
        assert!(!direct(" , ,", "example.com", 443));
    }

    #[test]
    fn domains_match_themselves_and_subdomains_with_or_without_a_dot() {
        for list in [
            "example.com",
            ".example.com",
            "*.example.com",
            "EXAMPLE.com.",
        ] {
            assert!(direct(list, "example.com", 443), "{list}");
            assert!(direct(list, "api.Example.COM", 443), "{list}");
            assert!(!direct(list, "badexample.com", 443), "{list}");
            assert!(!direct(list, "example.org", 443), "{list}");
        }
        assert!(direct("localhost,internal", "localhost", 80));
        assert!(!direct("localhost", "notlocalhost", 80));
    }

    #[test]
    fn ports_narrow_an_entry() {
        assert!(direct("example.com:8443", "example.com", 8443));
        assert!(!direct("example.com:8443", "example.com", 443));
        assert!(direct("127.0.0.1:9000", "127.0.0.1", 9000));
        assert!(!direct("127.0.0.1:9000", "127.0.0.1", 9001));
        assert!(direct("[::1]:9000", "[::1]", 9000));
        assert!(!direct("[::1]:9000", "::1", 80));
    }

    #[test]
    fn addresses_and_blocks() {
        assert!(direct("127.0.0.1", "127.0.0.1", 80));
        assert!(!direct("127.0.0.1", "127.0.0.2", 80));
        assert!(direct("10.0.0.0/8", "10.200.3.4", 80));
        assert!(!direct("10.0.0.0/8", "11.0.0.1", 80));
        assert!(direct("192.168.1.0/24", "192.168.1.77", 80));
        assert!(!direct("192.168.1.0/24", "192.168.2.1", 80));
        assert!(direct("::1", "[::1]", 80));
        assert!(direct("fd00::/8", "fd12::1", 80));
        assert!(!direct("fd00::/8", "fe80::1", 80));
        assert!(direct("0.0.0.0/0", "8.8.8.8", 80));
        assert!(!direct("10.0.0.0/8", "::1", 80), "never across families");
        assert!(
            !direct("10.0.0.0/33", "10.0.0.1", 80),
            "a bad block is skipped"
        );
        // An address entry does not match a name, nor a name an address.
        assert!(!direct("127.0.0.1", "localhost", 80));
    }

    #[test]
    fn lists_mix_separators() {
        let list = "localhost, .corp.example 10.0.0.0/8,api.test:8080";
        assert!(direct(list, "git.corp.example", 443));
        assert!(direct(list, "10.9.9.9", 443));
        assert!(direct(list, "api.test", 8080));
        assert!(!direct(list, "api.test", 80));
        assert!(!direct(list, "example.com", 443));
    }
}
