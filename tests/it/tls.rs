//! wss:// certificate handling over real TLS sockets on 127.0.0.1 (tokio-rustls on
//! the server side, certificates made by rcgen in each test): a self-signed CA:TRUE
//! server certificate given with --cacert, --pin-sha256, the failures named in words
//! (unknown issuer, expired, wrong host name, wrong pin) and mutual TLS with
//! --cert/--key, through the engine API and through the real binary.

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::binary::{Run, run_wsdeck};
use common::peer::{Background, tls_echo_server};
use common::{fast_config, incoming_text, wait_for, wait_for_state};
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair, date_time_ymd,
};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio_rustls::TlsAcceptor;
use wsdeck::session::{ConnectionState, ErrorKind, Event, SessionConfig};

/// A certificate with its key, and both as PEM files in a temp dir.
pub(crate) struct Issued {
    cert: rcgen::Certificate,
    key: KeyPair,
    pub(crate) cert_path: PathBuf,
    key_path: PathBuf,
}

impl Issued {
    fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    fn key_der(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.serialize_der()))
    }

    fn sha256_hex(&self) -> String {
        wsdeck::session::tls_verify::sha256_hex(self.cert.der())
    }
}

/// How a test certificate is made.
struct Spec<'a> {
    names: &'a [&'a str],
    ca: bool,
    client: bool,
    expired: bool,
}

const SERVER: Spec<'static> = Spec {
    names: &["localhost", "127.0.0.1"],
    ca: false,
    client: false,
    expired: false,
};

fn issue(dir: &Path, name: &str, spec: &Spec<'_>, issuer: Option<&Issued>) -> Issued {
    let names: Vec<String> = spec.names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("names");
    if spec.ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    if spec.client {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    if spec.expired {
        params.not_before = date_time_ymd(2019, 1, 1);
        params.not_after = date_time_ymd(2020, 1, 2);
    }
    let key = KeyPair::generate().expect("key");
    let cert = match issuer {
        Some(issuer) => params.signed_by(&key, &issuer.cert, &issuer.key),
        None => params.self_signed(&key),
    }
    .expect("certificate");
    let cert_path = dir.join(format!("{name}.pem"));
    let key_path = dir.join(format!("{name}.key"));
    std::fs::write(&cert_path, cert.pem()).expect("write cert");
    std::fs::write(&key_path, key.serialize_pem()).expect("write key");
    Issued {
        cert,
        key,
        cert_path,
        key_path,
    }
}

fn a_ca(dir: &Path, name: &str) -> Issued {
    let spec = Spec {
        names: &[],
        ca: true,
        ..SERVER
    };
    issue(dir, name, &spec, None)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A wss:// echo server presenting `server`; with `client_ca`, it requires a client
/// certificate issued by that CA.
pub(crate) async fn serve(server: &Issued, client_ca: Option<&Issued>) -> (Background, u16) {
    let builder = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("versions");
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.der()).expect("client CA");
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
                .build()
                .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let config = builder
        .with_single_cert(vec![server.der()], server.key_der())
        .expect("server certificate");
    tls_echo_server(TlsAcceptor::from(Arc::new(config))).await
}

fn config(port: u16) -> SessionConfig {
    let mut config = fast_config(&format!("wss://127.0.0.1:{port}/"));
    config.reconnect.enabled = false;
    config
}

/// [`config`] trusting the certificate `ca` (as `--cacert` does).
fn trusting(port: u16, ca: &Issued) -> SessionConfig {
    let mut config = config(port);
    config.tls.ca_files = vec![ca.cert_path.clone()];
    config
}

/// `config` presenting `client` as its certificate (as `--cert` and `--key` do).
fn presenting(mut config: SessionConfig, client: &Issued) -> SessionConfig {
    config.tls.client_cert = Some(client.cert_path.clone());
    config.tls.client_key = Some(client.key_path.clone());
    config
}

/// A client certificate (for client.test, clientAuth) issued by `issuer`.
fn client_certificate(dir: &Path, issuer: &Issued) -> Issued {
    let spec = Spec {
        names: &["client.test"],
        client: true,
        ..SERVER
    };
    issue(dir, "client", &spec, Some(issuer))
}

/// A file's path as a command-line argument.
fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Runs `wsdeck request wss://127.0.0.1:PORT/ FLAGS… --message MESSAGE`.
async fn request_over_tls(port: u16, flags: &[&str], message: &str) -> Run {
    let url = format!("wss://127.0.0.1:{port}/");
    let mut args = vec!["request", &url];
    args.extend_from_slice(flags);
    args.extend(["--message", message]);
    run_wsdeck(&args, &[]).await
}

/// Connects, checks an echo round trip, and stops.
async fn assert_connects(config: SessionConfig) {
    let (handle, mut events) = common::connected_session(config);
    let (event, seen) = wait_for(&mut events, "opened", |e| {
        matches!(e, Event::Opened(_) | Event::Error { .. })
    })
    .await;
    let Event::Opened(info) = event else {
        panic!("expected to connect: {event:?} after {seen:#?}");
    };
    assert!(info.tls && !info.insecure, "{info:?}");
    wait_for_state(&mut events, ConnectionState::Connected).await;
    handle.send_text("over tls").expect("send");
    wait_for(&mut events, "the echo", |e| {
        incoming_text(e).as_deref() == Some("over tls")
    })
    .await;
    let _ = handle.disconnect();
}

/// Connects and returns the TLS error message.
async fn tls_error(config: SessionConfig) -> String {
    let (_handle, mut events) = common::connected_session(config);
    let (event, seen) = wait_for(&mut events, "an error", |e| {
        matches!(e, Event::Error { .. } | Event::Opened(_))
    })
    .await;
    let Event::Error { kind, message } = event else {
        panic!("expected a TLS error: {event:?} after {seen:#?}");
    };
    assert_eq!(kind, ErrorKind::Tls, "{message}");
    message
}

// ---- 1. A self-signed CA:TRUE certificate ----

/// What `openssl req -x509` makes: self-signed, CA:TRUE, used as the server's own.
pub(crate) fn self_signed_ca_server(dir: &Path) -> Issued {
    let spec = Spec { ca: true, ..SERVER };
    issue(dir, "server", &spec, None)
}

#[tokio::test]
async fn self_signed_ca_true_certificate_with_cacert_connects() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = self_signed_ca_server(dir.path());
    let (_server, port) = serve(&server, None).await;
    assert_connects(trusting(port, &server)).await;
}

#[tokio::test]
async fn self_signed_ca_true_certificate_with_cacert_works_from_the_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = self_signed_ca_server(dir.path());
    let (_server, port) = serve(&server, None).await;
    let cacert = path_arg(&server.cert_path);
    let output = request_over_tls(port, &["--cacert", &cacert], r#"{"hi":1}"#).await;
    output.assert_success();
    assert!(output.stdout.contains(r#""hi":1"#), "{output:#?}");

    // Without it: the CA:TRUE case is named, with both ways out.
    let output = request_over_tls(port, &[], "x").await;
    assert_ne!(output.code, 0, "{output:#?}");
    assert!(output.stderr.contains("CA:TRUE"), "{output:#?}");
    assert!(output.stderr.contains("--pin-sha256"), "{output:#?}");
}

#[tokio::test]
async fn expired_self_signed_ca_true_certificate_says_expired() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spec = Spec {
        ca: true,
        expired: true,
        ..SERVER
    };
    let server = issue(dir.path(), "server", &spec, None);
    let (_server, port) = serve(&server, None).await;
    let message = tls_error(trusting(port, &server)).await;
    assert!(message.contains("expired on 2020-01-02"), "{message}");
}

// ---- 2. --pin-sha256 ----

#[tokio::test]
async fn pinned_certificate_connects_whatever_its_issuer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = a_ca(dir.path(), "unknown-ca");
    let server = issue(dir.path(), "server", &SERVER, Some(&ca));
    let (_server, port) = serve(&server, None).await;
    let mut config = config(port);
    config.tls.pin_sha256 =
        vec![wsdeck::session::tls_verify::parse_pin(&server.sha256_hex()).expect("pin")];
    assert_connects(config).await;

    // The self-signed CA:TRUE one too, pinned from the binary in base64.
    let own = self_signed_ca_server(dir.path());
    let (_own_server, own_port) = serve(&own, None).await;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(
        (0..32)
            .map(|i| u8::from_str_radix(&own.sha256_hex()[2 * i..2 * i + 2], 16).unwrap())
            .collect::<Vec<u8>>(),
    );
    let output = request_over_tls(own_port, &["--pin-sha256", &b64], "pinned").await;
    output.assert_success();
    assert!(output.stdout.contains("pinned"), "{output:#?}");
}

#[tokio::test]
async fn wrong_pin_is_refused_and_shows_the_real_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = self_signed_ca_server(dir.path());
    let (_server, port) = serve(&server, None).await;
    // Even a trusted CA file does not override a pin.
    let mut config = trusting(port, &server);
    config.tls.pin_sha256 = vec![[7u8; 32]];
    let message = tls_error(config).await;
    assert!(message.contains("does not match --pin-sha256"), "{message}");
    assert!(message.contains(&server.sha256_hex()), "{message}");
}

#[tokio::test]
async fn bad_pin_on_the_command_line_is_invalid_input() {
    let output = request_over_tls(9, &["--pin-sha256", "xyz"], "x").await;
    assert_eq!(output.code, 2, "{output:#?}");
    assert!(output.stderr.contains("64 hex digits"), "{output:#?}");
}

// ---- 3. Failures named in words ----

#[tokio::test]
async fn unknown_issuer_says_so_and_suggests_cacert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = a_ca(dir.path(), "ca");
    let server = issue(dir.path(), "server", &SERVER, Some(&ca));
    let (_server, port) = serve(&server, None).await;
    let message = tls_error(config(port)).await;
    assert!(
        message.contains("the certificate's issuer is not trusted"),
        "{message}"
    );
    assert!(message.contains("--cacert"), "{message}");
    assert!(message.contains("--insecure"), "{message}");

    // Trusting the CA fixes it.
    assert_connects(trusting(port, &ca)).await;
}

#[tokio::test]
async fn expired_certificate_says_expired_with_the_date() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = a_ca(dir.path(), "ca");
    let spec = Spec {
        expired: true,
        ..SERVER
    };
    let server = issue(dir.path(), "server", &spec, Some(&ca));
    let (_server, port) = serve(&server, None).await;
    let message = tls_error(trusting(port, &ca)).await;
    assert!(message.contains("expired on 2020-01-02"), "{message}");
}

#[tokio::test]
async fn wrong_host_name_names_both() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = a_ca(dir.path(), "ca");
    let spec = Spec {
        names: &["example.test"],
        ..SERVER
    };
    let server = issue(dir.path(), "server", &spec, Some(&ca));
    let (_server, port) = serve(&server, None).await;
    let message = tls_error(trusting(port, &ca)).await;
    assert!(
        message.contains("the certificate is for example.test, not 127.0.0.1"),
        "{message}"
    );

    // The same holds for a pinned certificate: the pin replaces the issuer check only.
    let mut pinned = self::config(port);
    pinned.tls.pin_sha256 =
        vec![wsdeck::session::tls_verify::parse_pin(&server.sha256_hex()).expect("pin")];
    let message = tls_error(pinned).await;
    assert!(message.contains("is for example.test"), "{message}");
}

// ---- 4. Mutual TLS ----

#[tokio::test]
async fn client_certificate_is_sent_when_the_server_requires_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = a_ca(dir.path(), "ca");
    let server = issue(dir.path(), "server", &SERVER, Some(&ca));
    let client = client_certificate(dir.path(), &ca);
    let (_server, port) = serve(&server, Some(&ca)).await;

    assert_connects(presenting(trusting(port, &ca), &client)).await;

    let message = tls_error(trusting(port, &ca)).await;
    assert!(
        message.contains("the server requires a client certificate"),
        "{message}"
    );
    assert!(message.contains("--cert FILE --key FILE"), "{message}");

    // From the binary, both ways.
    let cacert = path_arg(&ca.cert_path);
    let cert = path_arg(&client.cert_path);
    let key = path_arg(&client.key_path);
    let output = request_over_tls(
        port,
        &["--cacert", &cacert, "--cert", &cert, "--key", &key],
        "mtls",
    )
    .await;
    output.assert_success();
    assert!(output.stdout.contains("mtls"), "{output:#?}");
    let output = request_over_tls(port, &["--cacert", &cacert], "mtls").await;
    assert_ne!(output.code, 0, "{output:#?}");
    assert!(
        output.stderr.contains("requires a client certificate"),
        "{output:#?}"
    );
}

#[tokio::test]
async fn client_certificate_from_another_ca_is_reported_as_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ca = a_ca(dir.path(), "ca");
    let other = a_ca(dir.path(), "other");
    let server = issue(dir.path(), "server", &SERVER, Some(&ca));
    let client = client_certificate(dir.path(), &other);
    let (_server, port) = serve(&server, Some(&ca)).await;
    let message = tls_error(presenting(trusting(port, &ca), &client)).await;
    assert!(
        message.contains("the server rejected the client certificate"),
        "{message}"
    );
}
