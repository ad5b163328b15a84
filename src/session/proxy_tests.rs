use std::collections::HashMap;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    move |name: &str| map.get(name).cloned()
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

#[test]
fn parses_the_three_kinds_with_credentials_decoded() {
    let http = ProxyConfig::parse("http://al%20ice:p%40ss%3Aw@proxy.corp:3128").unwrap();
    assert_eq!(http.kind, ProxyKind::HttpConnect);
    assert_eq!((http.host.as_str(), http.port), ("proxy.corp", 3128));
    let credentials = http.credentials.as_ref().unwrap();
    assert_eq!(credentials.user, "al ice");
    assert_eq!(credentials.password.expose(), "p@ss:w");

    let socks = ProxyConfig::parse("socks5://127.0.0.1:1080").unwrap();
    assert_eq!(socks.kind, ProxyKind::Socks5);
    assert_eq!(socks.host, "127.0.0.1");
    assert!(socks.credentials.is_none());
    let remote = ProxyConfig::parse("SOCKS5H://[::1]:9050/").unwrap();
    assert_eq!(
        (remote.kind, remote.host.as_str()),
        (ProxyKind::Socks5h, "::1")
    );
}

#[test]
fn fills_in_what_curl_fills_in() {
    let bare = ProxyConfig::parse("proxy.corp:8080").unwrap();
    assert_eq!(bare.kind, ProxyKind::HttpConnect);
    assert_eq!(bare.port, 8080);
    assert_eq!(ProxyConfig::parse("http://p").unwrap().port, 80);
    assert_eq!(ProxyConfig::parse("socks5h://p").unwrap().port, 1080);
}

#[test]
fn refuses_what_it_cannot_use_with_a_hint_and_no_password() {
    for (input, expected) in [
        ("https://u:secret@p:443", "TLS to the proxy"),
        ("socks4://p:1080", "SOCKS4 is not supported"),
        ("ftp://u:secret@p:21", "unsupported scheme 'ftp'"),
        ("http://u:secret@p:3128/path", "no path"),
        ("http://u:secret@:3128", "http://"),
        ("http://u:secret@p:99999", "http://"),
    ] {
        let error = ProxyConfig::parse(input).unwrap_err().to_string();
        assert!(error.contains(expected), "{input}: {error}");
        assert!(error.contains("expected http://"), "{input}: {error}");
        assert!(!error.contains("secret"), "{input}: {error}");
    }
}

#[test]
fn masks_the_password_everywhere_it_is_shown() {
    let proxy = ProxyConfig::parse("http://user:hunter2@127.0.0.1:3128").unwrap();
    assert_eq!(proxy.masked(), "http://user:***@127.0.0.1:3128");
    assert!(!format!("{proxy:?}").contains("hunter2"));
    let v6 = ProxyConfig::parse("socks5h://[::1]:9050").unwrap();
    assert_eq!(v6.masked(), "socks5h://[::1]:9050");
    assert_eq!(
        mask_url_text("http://u:pw@h:1/x"),
        "http://u:***@h:1/x".to_string()
    );
    assert_eq!(mask_url_text("http://h:1"), "http://h:1");
}

#[test]
fn none_means_no_proxy() {
    assert_eq!(parse_setting("none").unwrap(), None);
    assert_eq!(parse_setting(" NONE ").unwrap(), None);
    assert!(parse_setting("socks5://h:1").unwrap().is_some());
}

#[test]
fn the_environment_is_read_per_scheme_as_curl_does() {
    let lookup = env(&[
        ("http_proxy", "http://plain:3128"),
        ("HTTPS_PROXY", "http://secure:3128"),
        ("ALL_PROXY", "socks5h://any:1080"),
    ]);
    let ws = from_env(&url("ws://example.com/"), &lookup)
        .unwrap()
        .unwrap();
    assert_eq!(
        (ws.host.as_str(), ws.from_env.as_deref()),
        ("plain", Some("http_proxy"))
    );
    let wss = from_env(&url("wss://example.com/"), &lookup)
        .unwrap()
        .unwrap();
    assert_eq!(wss.host, "secure");
    assert_eq!(wss.described(), "http://secure:3128 (from HTTPS_PROXY)");

    let all_only = env(&[("all_proxy", "socks5://any:1080"), ("https_proxy", "")]);
    let fallback = from_env(&url("wss://example.com/"), &all_only)
        .unwrap()
        .unwrap();
    assert_eq!(
        (fallback.kind, fallback.from_env.as_deref()),
        (ProxyKind::Socks5, Some("all_proxy"))
    );

    assert_eq!(
        from_env(&url("ws://example.com/"), &env(&[])).unwrap(),
        None
    );
    let lower_first = env(&[
        ("https_proxy", "http://lower:1"),
        ("HTTPS_PROXY", "http://upper:1"),
    ]);
    let chosen = from_env(&url("wss://h/"), &lower_first).unwrap().unwrap();
    assert_eq!(chosen.host, "lower");
}

#[test]
fn no_proxy_in_the_environment_bypasses() {
    let lookup = env(&[
        ("HTTPS_PROXY", "http://secure:3128"),
        ("NO_PROXY", "localhost,.internal,10.0.0.0/8"),
    ]);
    for direct in [
        "wss://localhost:8443/",
        "wss://api.internal/",
        "wss://10.1.2.3/",
    ] {
        assert_eq!(from_env(&url(direct), &lookup).unwrap(), None, "{direct}");
    }
    assert!(
        from_env(&url("wss://example.com/"), &lookup)
            .unwrap()
            .is_some()
    );
    let everything = env(&[("HTTPS_PROXY", "http://secure:3128"), ("no_proxy", "*")]);
    assert_eq!(
        from_env(&url("wss://example.com/"), &everything).unwrap(),
        None
    );
}

#[test]
fn a_bad_variable_is_named() {
    let lookup = env(&[("HTTPS_PROXY", "ftp://u:secret@p:21")]);
    let error = from_env(&url("wss://example.com/"), &lookup)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("HTTPS_PROXY: "), "{error}");
    assert!(!error.contains("secret"), "{error}");
}
