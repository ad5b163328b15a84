//! The server-certificate check for wss:// URLs: webpki first; then the two cases
//! webpki cannot express. A self-signed CA:TRUE certificate given with `--cacert`
//! and presented as the server's own certificate (webpki says `CaUsedAsEndEntity`)
//! is accepted when it is byte-for-byte one of the configured files, after checking
//! its name and dates. `--pin-sha256` trusts exactly the certificates with those
//! hashes, whatever their issuer. Failures carry a [`CertProblem`] whose text names
//! the cause in words; `connect` shows it as is.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

/// A certificate rejection explained for the user (carried inside the rustls error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CertProblem(pub String);

/// The hex SHA-256 of a certificate's DER, as `--pin-sha256` takes it.
pub fn sha256_hex(der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a `--pin-sha256` value: 64 hex digits (colons allowed, as `openssl x509
/// -fingerprint -sha256` prints them) or base64 of the 32 bytes (standard or URL-safe,
/// padding optional).
pub fn parse_pin(text: &str) -> Result<[u8; 32], String> {
    use base64::Engine;
    let trimmed = text.trim();
    let trimmed = trimmed
        .strip_prefix("sha256/")
        .or_else(|| trimmed.strip_prefix("sha256:"))
        .unwrap_or(trimmed);
    let hex: String = trimmed.chars().filter(|c| *c != ':').collect();
    if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        let mut pin = [0u8; 32];
        for (i, byte) in pin.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|error| error.to_string())?;
        }
        return Ok(pin);
    }
    let unpadded = trimmed.trim_end_matches('=');
    let engines = [
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    for engine in engines {
        if let Ok(bytes) = engine.decode(unpadded)
            && let Ok(pin) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            return Ok(pin);
        }
    }
    Err(format!(
        "'{text}' is not a SHA-256 hash: give 64 hex digits or 44 base64 characters \
         (openssl x509 -in cert.pem -outform der | sha256sum)"
    ))
}

/// The verifier used whenever `--insecure` is not given alone.
#[derive(Debug)]
pub struct Verifier {
    /// webpki over the system roots and the --cacert files.
    pub webpki: Arc<WebPkiServerVerifier>,
    /// Every certificate from the --cacert files (DER), for the self-signed case.
    pub configured: Vec<CertificateDer<'static>>,
    /// `--pin-sha256` values; when any is given, only those certificates are trusted.
    pub pins: Vec<[u8; 32]>,
    /// `--insecure` with pins: the pin is still required, the name and dates are not.
    pub skip_name_and_dates: bool,
    /// Handshake signature algorithms.
    pub algorithms: WebPkiSupportedAlgorithms,
}

fn problem(message: String) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(CertProblem(
        message,
    )))))
}

impl Verifier {
    /// Checks the name and the validity dates of a certificate trusted directly.
    fn check_name_and_dates(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        if self.skip_name_and_dates {
            return Ok(());
        }
        let parsed = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)
            .map_err(|error| explain(error, end_entity))?;
        let Some((not_before, not_after)) = validity(end_entity.as_ref()) else {
            return Err(problem(
                "the server's certificate has unreadable validity dates".to_string(),
            ));
        };
        if now.as_secs() > not_after {
            return Err(expired(now.as_secs(), not_after));
        }
        if now.as_secs() < not_before {
            return Err(problem(format!(
                "the server's certificate is not valid until {} — check this machine's clock",
                date(not_before)
            )));
        }
        Ok(())
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if !self.pins.is_empty() {
            let digest = ring::digest::digest(&ring::digest::SHA256, end_entity.as_ref());
            if !self.pins.iter().any(|pin| pin[..] == *digest.as_ref()) {
                return Err(problem(format!(
                    "the server's certificate does not match --pin-sha256: its SHA-256 is {} — \
                     if the server changed its certificate on purpose, pin the new hash",
                    sha256_hex(end_entity.as_ref())
                )));
            }
            self.check_name_and_dates(end_entity, server_name, now)?;
            return Ok(ServerCertVerified::assertion());
        }
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(verified) => Ok(verified),
            // rustls passes webpki's CaUsedAsEndEntity through as an opaque OtherError
            // whose text is the variant's name (webpki is not a direct dependency).
            Err(rustls::Error::InvalidCertificate(CertificateError::Other(other)))
                if other.to_string().contains("CaUsedAsEndEntity") =>
            {
                if self
                    .configured
                    .iter()
                    .any(|cert| cert.as_ref() == end_entity.as_ref())
                {
                    self.check_name_and_dates(end_entity, server_name, now)?;
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(problem(format!(
                        "the server presents a CA certificate (CA:TRUE) as its own, and it is \
                         not one given with --cacert — trust exactly this certificate with \
                         --cacert FILE (the server's certificate file) or --pin-sha256 {}",
                        sha256_hex(end_entity.as_ref())
                    )))
                }
            }
            Err(error) => Err(explain(error, end_entity)),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Rewrites webpki's verdicts into sentences that name the cause and the fix.
fn explain(error: rustls::Error, end_entity: &CertificateDer<'_>) -> rustls::Error {
    let rustls::Error::InvalidCertificate(certificate_error) = &error else {
        return error;
    };
    match certificate_error {
        CertificateError::UnknownIssuer => problem(format!(
            "the certificate's issuer is not trusted — trust its CA with --cacert FILE, \
             pin this certificate with --pin-sha256 {}, or skip verification with --insecure",
            sha256_hex(end_entity.as_ref())
        )),
        CertificateError::ExpiredContext { time, not_after } => {
            expired(time.as_secs(), not_after.as_secs())
        }
        CertificateError::Expired => {
            problem("the server's certificate has expired — renew it on the server".to_string())
        }
        CertificateError::NotValidYetContext { not_before, .. } => problem(format!(
            "the server's certificate is not valid until {} — check this machine's clock",
            date(not_before.as_secs())
        )),
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => {
            let names = if presented.is_empty() {
                "no host name".to_string()
            } else {
                let names: Vec<&str> = presented.iter().map(|name| bare_name(name)).collect();
                names.join(", ")
            };
            problem(format!(
                "the certificate is for {names}, not {} — connect with a name it lists, \
                 or fix the server's certificate",
                expected.to_str()
            ))
        }
        CertificateError::NotValidForName => problem(
            "the certificate is not valid for this host name — connect with a name it lists"
                .to_string(),
        ),
        CertificateError::Revoked => problem("the server's certificate is revoked".to_string()),
        _ => error,
    }
}

/// webpki lists presented names as `DnsName("example.test")`; keep the name only.
fn bare_name(presented: &str) -> &str {
    match (presented.find('('), presented.rfind(')')) {
        (Some(open), Some(close)) if open < close => presented[open + 1..close].trim_matches('"'),
        _ => presented,
    }
}

fn expired(now: u64, not_after: u64) -> rustls::Error {
    problem(format!(
        "the server's certificate expired on {} (it is now {}) — renew it on the server",
        date(not_after),
        date(now)
    ))
}

/// A UNIX time as an RFC 3339 date (UTC, seconds).
fn date(secs: u64) -> String {
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
    humantime::format_rfc3339_seconds(time).to_string()
}

/// The notBefore and notAfter of a DER certificate, as UNIX seconds.
fn validity(der: &[u8]) -> Option<(u64, u64)> {
    let (tag, certificate, _) = der_item(der)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, tbs, _) = der_item(certificate)?;
    if tag != 0x30 {
        return None;
    }
    let mut rest = tbs;
    let (tag, _, after) = der_item(rest)?;
    if tag == 0xa0 {
        rest = after; // explicit version
    }
    // serial, signature algorithm, issuer, then validity.
    for _ in 0..3 {
        rest = der_item(rest)?.2;
    }
    let (tag, validity, _) = der_item(rest)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, not_before, rest) = der_item(validity)?;
    let not_before = der_time(tag, not_before)?;
    let (tag, not_after, _) = der_item(rest)?;
    Some((not_before, der_time(tag, not_after)?))
}

/// One DER item: (tag, contents, what follows).
fn der_item(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, input) = input.split_first()?;
    let (&first, mut input) = input.split_first()?;
    let length = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || input.len() < count {
            return None;
        }
        let (bytes, rest) = input.split_at(count);
        input = rest;
        bytes
            .iter()
            .fold(0usize, |acc, byte| (acc << 8) | usize::from(*byte))
    };
    if input.len() < length {
        return None;
    }
    let (contents, rest) = input.split_at(length);
    Some((tag, contents, rest))
}

/// UTCTime (0x17, YYMMDDHHMMSSZ) or GeneralizedTime (0x18, YYYYMMDDHHMMSSZ).
fn der_time(tag: u8, contents: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(contents).ok()?;
    let text = text.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 if text.len() == 12 => {
            let yy: i64 = text[..2].parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        0x18 if text.len() == 14 => (text[..4].parse().ok()?, &text[4..]),
        _ => return None,
    };
    let field = |i: usize| rest.get(i..i + 2)?.parse::<i64>().ok();
    let (month, day) = (field(0)?, field(2)?);
    let (hour, minute, second) = (field(4)?, field(6)?, field(8)?);
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second;
    u64::try_from(secs).ok()
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_parse_as_hex_or_base64() {
        let bytes: [u8; 32] = std::array::from_fn(|i| i as u8 * 7);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(parse_pin(&hex), Ok(bytes));
        assert_eq!(parse_pin(&hex.to_uppercase()), Ok(bytes));
        let colons: Vec<String> = bytes.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(parse_pin(&colons.join(":")), Ok(bytes));
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        assert_eq!(parse_pin(&b64), Ok(bytes));
        assert_eq!(parse_pin(&format!("sha256/{b64}")), Ok(bytes));
        let error = parse_pin("abc").unwrap_err();
        assert!(error.contains("64 hex digits"), "{error}");
    }

    #[test]
    fn presented_names_lose_their_debug_wrapping() {
        assert_eq!(bare_name("DnsName(\"example.test\")"), "example.test");
        assert_eq!(bare_name("IpAddress(127.0.0.1)"), "127.0.0.1");
        assert_eq!(bare_name("plain"), "plain");
    }

    #[test]
    fn dates_convert_to_unix_seconds() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(der_time(0x17, b"000101000000Z"), Some(946_684_800));
        assert_eq!(der_time(0x18, b"20000101000000Z"), Some(946_684_800));
        assert_eq!(der_time(0x18, b"20240229120000Z"), Some(1_709_208_000));
        assert_eq!(der_time(0x17, b"garbage"), None);
        assert_eq!(date(946_684_800), "2000-01-01T00:00:00Z");
    }

    #[test]
    fn validity_is_read_from_a_generated_certificate() {
        let mut params = rcgen::CertificateParams::new(vec!["a.test".to_string()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2001, 2, 3);
        params.not_after = rcgen::date_time_ymd(2031, 4, 5);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        let (from, to) = validity(cert.der()).unwrap();
        assert_eq!(date(from), "2001-02-03T00:00:00Z");
        assert_eq!(date(to), "2031-04-05T00:00:00Z");
    }
}
