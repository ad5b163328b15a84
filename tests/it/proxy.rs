//! Proxies, against real proxies on loopback: an HTTP CONNECT proxy (the `proxy`
//! package) and a SOCKS5 proxy (`@pondwader/socks5-server`), both started from
//! tests/peers and logging each tunnel they open, so every test checks that the
//! connection really went through the proxy (or, under NO_PROXY, did not). ws://
//! and wss:// through each, credentials accepted and refused, the environment
//! variables, a profile's `proxy`, the TUI's state pane, and each failure's message.

use std::time::{Duration, Instant};

use crate::common;
use crate::tls::{self_signed_ca_server, serve as serve_tls};

use common::binary::{Run, run_wsdeck};
use common::peer::{Peer, echo_data_messages, serve_each};
use common::peers::NodePeer;
use common::runner::Runner;
use common::{fast_config, wait_for};
use wsdeck::session::proxy::ProxyConfig;
use wsdeck::session::{ErrorKind, Event};

/// A ws:// echo server on 127.0.0.1.
async fn echo_server() -> Peer {
    serve_each(echo_data_messages).await
}

fn port_of(peer: &Peer) -> u16 {
    url::Url::parse(&peer.url).unwrap().port().unwrap()
}

fn http_proxy(credentials: Option<(&str, &str)>) -> NodePeer {
    match credentials {
        Some((user, pass)) => NodePeer::start("http-proxy.mjs", &["--user", user, "--pass", pass]),
        None => NodePeer::start("http-proxy.mjs", &[]),
    }
}

fn socks_proxy(credentials: Option<(&str, &str)>) -> NodePeer {
    match credentials {
        Some((user, pass)) => NodePeer::start("socks5-proxy.js", &["--user", user, "--pass", pass]),
        None => NodePeer::start("socks5-proxy.js", &[]),
    }
}

/// Waits (a few seconds at most) until the proxy has printed `line`; panics with
/// what it printed otherwise.
fn assert_tunnelled(proxy: &NodePeer, line: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(5) {
        if proxy.output_lines().iter().any(|seen| seen == line) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!(
        "the proxy never printed {line:?}; it printed {:?}",
        proxy.output_lines()
    );
}

/// Asserts the proxy opened no tunnel at all.
fn assert_not_used(proxy: &NodePeer) {
    // Give a tunnel that would have been opened the time to be printed.
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        proxy.output_lines().is_empty(),
        "the proxy was used: {:?}",
        proxy.output_lines()
    );
}

/// `wsdeck request URL FLAGS… --message MESSAGE` with `env`.
async fn request(url: &str, flags: &[&str], env: &[(&str, &str)], message: &str) -> Run {
    let mut args = vec!["request", url];
    args.extend_from_slice(flags);
    args.extend(["--message", message]);
    run_wsdeck(&args, env).await
}

fn assert_echoed(run: &Run, message: &str) {
    run.assert_success();
    assert!(run.stdout.contains(message), "{run:#?}");
}

// ---- HTTP CONNECT ----

#[tokio::test]
async fn ws_goes_through_an_http_proxy() {
    let server = echo_server().await;
    let proxy = http_proxy(None);
    let via = format!("http://127.0.0.1:{}", proxy.port);
    let run = request(&server.url, &["--proxy", &via], &[], "through http").await;
    assert_echoed(&run, "through http");
    assert_tunnelled(&proxy, &format!("CONNECT 127.0.0.1:{}", port_of(&server)));
}

#[tokio::test]
async fn wss_goes_through_an_http_proxy_with_credentials() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certificate = self_signed_ca_server(dir.path());
    let (_server, port) = serve_tls(&certificate, None).await;
    // A password that needs percent-encoding in the URL.
    let proxy = http_proxy(Some(("alice", "s3cr:t@pw")));
    let via = format!("http://alice:s3cr%3At%40pw@127.0.0.1:{}", proxy.port);
    let cacert = certificate.cert_path.to_string_lossy().into_owned();
    let url = format!("wss://localhost:{port}/");
    let log = dir.path().join("debug.log");
    let log_arg = log.to_string_lossy().into_owned();
    let recording = dir.path().join("session.jsonl");
    let recording_arg = recording.to_string_lossy().into_owned();
    let flags = [
        "--proxy",
        &via,
        "--cacert",
        &cacert,
        "--log-file",
        &log_arg,
        "--record",
        &recording_arg,
    ];
    let run = request(&url, &flags, &[], "tls inside").await;
    assert_echoed(&run, "tls inside");
    // The recording's handshake names the proxy, masked, and nothing has the password.
    let recorded = std::fs::read_to_string(&recording).expect("the recording");
    assert!(
        recorded.contains(&format!(
            r#""proxy":"http://alice:***@127.0.0.1:{}""#,
            proxy.port
        )),
        "{recorded}"
    );
    assert!(!recorded.contains("s3cr"), "{recorded}");
    assert_tunnelled(&proxy, &format!("CONNECT localhost:{port}"));
    run.assert_secret_absent("s3cr");
    // The debug log names the proxy, masked.
    let logged = std::fs::read_to_string(&log).expect("the debug log");
    assert!(
        logged.contains(&format!("proxy=http://alice:***@127.0.0.1:{}", proxy.port)),
        "{logged}"
    );
    assert!(!logged.contains("s3cr"), "{logged}");
}

#[tokio::test]
async fn http_proxy_credentials_refused_or_missing_are_explained() {
    let server = echo_server().await;
    let proxy = http_proxy(Some(("alice", "right")));
    let wrong = format!("http://alice:wrong-pass@127.0.0.1:{}", proxy.port);
    let run = request(&server.url, &["--proxy", &wrong], &[], "x").await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains("refused the credentials (407)"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains(&format!("http://alice:***@127.0.0.1:{}", proxy.port)),
        "{run:#?}"
    );
    run.assert_secret_absent("wrong-pass");

    let none = format!("http://127.0.0.1:{}", proxy.port);
    let run = request(&server.url, &["--proxy", &none], &[], "x").await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains("the proxy wants credentials (407)"),
        "{run:#?}"
    );
    assert!(
        !proxy
            .output_lines()
            .iter()
            .any(|line| line.starts_with("CONNECT")),
        "no tunnel was opened: {:?}",
        proxy.output_lines()
    );
}

// ---- SOCKS5 ----

#[tokio::test]
async fn socks5_resolves_the_name_here_and_socks5h_at_the_proxy() {
    let server = echo_server().await;
    let port = port_of(&server);
    let by_name = format!("ws://localhost:{port}/");

    let proxy = socks_proxy(None);
    let local = format!("socks5://127.0.0.1:{}", proxy.port);
    let run = request(&by_name, &["--proxy", &local], &[], "socks local").await;
    assert_echoed(&run, "socks local");
    // The proxy was given addresses (the server listens on 127.0.0.1; `localhost`
    // may resolve to ::1 first, which the proxy cannot reach), never the name.
    assert_tunnelled(&proxy, &format!("SOCKS 127.0.0.1:{port}"));
    assert!(
        !proxy
            .output_lines()
            .iter()
            .any(|line| line.contains("localhost")),
        "{:?}",
        proxy.output_lines()
    );

    let remote_proxy = socks_proxy(None);
    let remote = format!("socks5h://127.0.0.1:{}", remote_proxy.port);
    let run = request(&by_name, &["--proxy", &remote], &[], "socks remote").await;
    assert_echoed(&run, "socks remote");
    assert_tunnelled(&remote_proxy, &format!("SOCKS localhost:{port}"));
}

#[tokio::test]
async fn socks5_credentials_accepted_and_refused() {
    let server = echo_server().await;
    let proxy = socks_proxy(Some(("bob", "hunter22")));
    let good = format!("socks5h://bob:hunter22@127.0.0.1:{}", proxy.port);
    let run = request(&server.url, &["--proxy", &good], &[], "socks auth").await;
    assert_echoed(&run, "socks auth");
    assert_tunnelled(&proxy, &format!("SOCKS 127.0.0.1:{}", port_of(&server)));

    let bad = format!("socks5h://bob:nope-nope@127.0.0.1:{}", proxy.port);
    let run = request(&server.url, &["--proxy", &bad], &[], "x").await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains("refused the user and password"),
        "{run:#?}"
    );
    run.assert_secret_absent("nope-nope");

    let missing = format!("socks5h://127.0.0.1:{}", proxy.port);
    let run = request(&server.url, &["--proxy", &missing], &[], "x").await;
    assert!(run.stderr.contains("wants credentials"), "{run:#?}");
}

#[tokio::test]
async fn socks5_says_when_the_proxy_cannot_reach_the_server() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let proxy = socks_proxy(None);
    let via = format!("socks5h://127.0.0.1:{}", proxy.port);
    let url = format!("ws://127.0.0.1:{port}/");
    let run = request(&url, &["--proxy", &via, "--no-reconnect"], &[], "x").await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "could not reach 127.0.0.1:{port}: connection refused"
        )),
        "{run:#?}"
    );
}

// ---- The environment ----

#[tokio::test]
async fn https_proxy_and_all_proxy_are_read_from_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let certificate = self_signed_ca_server(dir.path());
    let (_tls_server, tls_port) = serve_tls(&certificate, None).await;
    let cacert = certificate.cert_path.to_string_lossy().into_owned();
    let http = http_proxy(None);
    let https_proxy = format!("http://127.0.0.1:{}", http.port);
    let url = format!("wss://127.0.0.1:{tls_port}/");
    let run = request(
        &url,
        &["--cacert", &cacert],
        &[("HTTPS_PROXY", &https_proxy)],
        "from env",
    )
    .await;
    assert_echoed(&run, "from env");
    assert_tunnelled(&http, &format!("CONNECT 127.0.0.1:{tls_port}"));

    // ws:// ignores HTTPS_PROXY and falls back to ALL_PROXY.
    let server = echo_server().await;
    let socks = socks_proxy(None);
    let all_proxy = format!("socks5h://127.0.0.1:{}", socks.port);
    let run = request(
        &server.url,
        &[],
        &[
            ("HTTPS_PROXY", "http://127.0.0.1:9"),
            ("ALL_PROXY", &all_proxy),
        ],
        "all proxy",
    )
    .await;
    assert_echoed(&run, "all proxy");
    assert_tunnelled(&socks, &format!("SOCKS 127.0.0.1:{}", port_of(&server)));
}

#[tokio::test]
async fn no_proxy_and_the_no_proxy_flag_go_direct() {
    let server = echo_server().await;
    let proxy = http_proxy(None);
    let http_proxy_url = format!("http://127.0.0.1:{}", proxy.port);
    let run = request(
        &server.url,
        &[],
        &[
            ("HTTP_PROXY", &http_proxy_url),
            ("NO_PROXY", "example.com,127.0.0.1"),
        ],
        "bypassed",
    )
    .await;
    assert_echoed(&run, "bypassed");
    let run = request(
        &server.url,
        &["--no-proxy"],
        &[("HTTP_PROXY", &http_proxy_url)],
        "flag",
    )
    .await;
    assert_echoed(&run, "flag");
    let run = request(
        &server.url,
        &["--proxy", "none"],
        &[("ALL_PROXY", &http_proxy_url)],
        "none",
    )
    .await;
    assert_echoed(&run, "none");
    assert_not_used(&proxy);

    // And the same variable without the NO_PROXY entry does go through it.
    let run = request(
        &server.url,
        &[],
        &[("HTTP_PROXY", &http_proxy_url), ("NO_PROXY", "example.com")],
        "proxied",
    )
    .await;
    assert_echoed(&run, "proxied");
    assert_tunnelled(&proxy, &format!("CONNECT 127.0.0.1:{}", port_of(&server)));
}

// ---- Profiles ----

#[tokio::test]
async fn a_profile_names_its_proxy_with_the_password_from_the_environment() {
    let server = echo_server().await;
    let proxy = http_proxy(Some(("carol", "from-env-pw")));
    let config_dir = tempfile::tempdir().expect("temp dir");
    let profiles = config_dir.path().join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(
        profiles.join("behind.toml"),
        format!(
            "url = \"{}\"\nproxy = \"http://carol:${{env:PROXY_PASS}}@127.0.0.1:{}\"\n",
            server.url, proxy.port
        ),
    )
    .unwrap();
    let dir = config_dir.path().to_string_lossy().into_owned();
    let mut args = vec!["request", "-p", "behind", "--message", "profiled"];
    let env = [
        ("WSDECK_CONFIG_DIR", dir.as_str()),
        ("PROXY_PASS", "from-env-pw"),
    ];
    let run = run_wsdeck(&args, &env).await;
    assert_echoed(&run, "profiled");
    assert_tunnelled(&proxy, &format!("CONNECT 127.0.0.1:{}", port_of(&server)));

    // The flag wins over the profile.
    args.extend(["--no-proxy"]);
    let before = proxy.output_lines().len();
    let run = run_wsdeck(&args, &env).await;
    assert_echoed(&run, "profiled");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        proxy.output_lines().len(),
        before,
        "{:?}",
        proxy.output_lines()
    );
}

// ---- Failures ----

#[tokio::test]
async fn a_proxy_that_is_down_is_named_not_the_server() {
    let server = echo_server().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let via = format!("http://user:pw-secret@127.0.0.1:{port}");
    let run = request(&server.url, &["--proxy", &via, "--no-reconnect"], &[], "x").await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "the proxy http://user:***@127.0.0.1:{port} refused the connection"
        )),
        "{run:#?}"
    );
    run.assert_secret_absent("pw-secret");

    // From the environment, the variable is named too.
    let env_value = format!("socks5://127.0.0.1:{port}");
    let run = request(&server.url, &[], &[("ALL_PROXY", &env_value)], "x").await;
    assert!(
        run.stderr
            .contains(&format!("socks5://127.0.0.1:{port} (from ALL_PROXY)")),
        "{run:#?}"
    );
}

#[tokio::test]
async fn a_bad_proxy_url_is_refused_before_connecting() {
    for (value, expected) in [
        ("ftp://u:topsecret@h:21", "unsupported scheme 'ftp'"),
        ("https://h:3128", "TLS to the proxy"),
        ("socks4://h:1080", "use socks5://"),
    ] {
        let run = request("ws://127.0.0.1:9/", &["--proxy", value], &[], "x").await;
        assert_eq!(run.code, 2, "{value}: {run:#?}");
        assert!(run.stderr.contains(expected), "{value}: {run:#?}");
        assert!(run.stderr.contains("expected http://"), "{value}: {run:#?}");
        run.assert_secret_absent("topsecret");
    }
    let run = request(
        "ws://127.0.0.1:9/",
        &[],
        &[("HTTP_PROXY", "gopher://h:70")],
        "x",
    )
    .await;
    assert_eq!(run.code, 2, "{run:#?}");
    assert!(run.stderr.contains("HTTP_PROXY: "), "{run:#?}");
}

#[tokio::test]
async fn the_connect_timeout_covers_a_proxy_that_never_answers() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let keep = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let via = format!("http://127.0.0.1:{port}");
    let run = request(
        "ws://127.0.0.1:9/",
        &[
            "--proxy",
            &via,
            "--connect-timeout",
            "300ms",
            "--no-reconnect",
        ],
        &[],
        "x",
    )
    .await;
    keep.abort();
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains(&format!(
            "through the proxy http://127.0.0.1:{port} timed out"
        )),
        "{run:#?}"
    );
}

// ---- The TUI ----

#[tokio::test]
async fn the_state_pane_shows_the_proxy_in_use() {
    let server = echo_server().await;
    let proxy = http_proxy(Some(("dave", "pane-secret")));
    let mut config = fast_config(&server.url);
    config.proxy = Some(
        ProxyConfig::parse(&format!("http://dave:pane-secret@127.0.0.1:{}", proxy.port))
            .expect("proxy URL"),
    );
    let runner = Runner::start(config, 100, 30);
    let started = Instant::now();
    let screen = loop {
        let screen = runner.screen();
        // The pane is narrow: the line is cut in its middle, the port kept.
        let line = screen
            .lines()
            .find(|line| line.starts_with("│proxy http://dave:"));
        let port = format!(":{}│", proxy.port);
        if line.is_some_and(|line| line.contains(&port)) && screen.contains("through proxy") {
            break screen;
        }
        assert!(
            started.elapsed() < common::WAIT,
            "no proxy line on screen:\n{screen}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(!screen.contains("pane-secret"), "{screen}");
    assert_tunnelled(&proxy, &format!("CONNECT 127.0.0.1:{}", port_of(&server)));
    runner.terminate();
}

#[tokio::test]
async fn the_engine_reports_a_refused_proxy_login_as_auth() {
    let server = echo_server().await;
    let proxy = http_proxy(Some(("erin", "right")));
    let mut config = fast_config(&server.url);
    config.reconnect.enabled = false;
    config.proxy =
        Some(ProxyConfig::parse(&format!("http://erin:wrong@127.0.0.1:{}", proxy.port)).unwrap());
    let (_handle, mut events) = common::connected_session(config);
    let (event, _) = wait_for(&mut events, "an error", |event| {
        matches!(event, Event::Error { .. } | Event::Opened(_))
    })
    .await;
    let Event::Error { kind, message } = event else {
        panic!("expected the proxy to refuse: {event:?}");
    };
    assert_eq!(kind, ErrorKind::Auth, "{message}");
}
