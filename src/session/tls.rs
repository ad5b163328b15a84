//! TLS client settings for wss:// URLs: the system's roots (webpki-roots when the
//! system has none), extra CA files, pinned certificates (see `tls_verify`), a client
//! certificate for mutual TLS, or no verification at all when asked.
//! Built only when a wss:// URL is used, so ws:// sessions never load the roots.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use super::config::TlsOptions;
use super::tls_verify::Verifier;

/// Why TLS settings could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsSetupError {
    /// A --cacert file could not be read or parsed.
    #[error("cannot use CA file '{path}': {reason}")]
    CaFile {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// The --cert/--key pair could not be used.
    #[error("cannot use client certificate '{path}': {reason}")]
    ClientCert {
        /// The file at fault.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("TLS set-up failed: {0}")]
    Rustls(String),
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Builds the rustls client configuration for the given options.
pub fn client_config(options: &TlsOptions) -> Result<Arc<ClientConfig>, TlsSetupError> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsSetupError::Rustls(error.to_string()))?;
    let builder = if options.insecure && options.pin_sha256.is_empty() {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate {
                algorithms: provider.signature_verification_algorithms,
            }))
    } else {
        let mut roots = system_roots();
        let mut configured = Vec::new();
        for path in &options.ca_files {
            configured.extend(add_ca_file(&mut roots, path)?);
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|error| TlsSetupError::Rustls(error.to_string()))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Verifier {
                webpki,
                configured,
                pins: options.pin_sha256.clone(),
                skip_name_and_dates: options.insecure,
                algorithms: provider.signature_verification_algorithms,
            }))
    };
    let config = match (&options.client_cert, &options.client_key) {
        (Some(cert), Some(key)) => {
            let (chain, key) = client_identity(cert, key)?;
            builder.with_client_auth_cert(chain, key).map_err(|error| {
                TlsSetupError::ClientCert {
                    path: cert.display().to_string(),
                    reason: format!("it does not go with the key ({error})"),
                }
            })?
        }
        (None, None) => builder.with_no_client_auth(),
        (Some(path), None) | (None, Some(path)) => {
            return Err(TlsSetupError::ClientCert {
                path: path.display().to_string(),
                reason: "give both --cert FILE and --key FILE".to_string(),
            });
        }
    };
    Ok(Arc::new(config))
}

/// The platform's trusted roots, or the bundled Mozilla roots when none load.
fn system_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    let (added, _ignored) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    roots
}

/// The client certificate chain and private key (PEM) for mutual TLS.
fn client_identity(
    cert: &Path,
    key: &Path,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsSetupError> {
    let error = |path: &Path, reason: String| TlsSetupError::ClientCert {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(cert).map_err(|e| error(cert, e.to_string()))?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|e| error(cert, format!("not a PEM certificate file ({e:?})")))?;
    if chain.is_empty() {
        return Err(error(cert, "it holds no PEM certificates".to_string()));
    }
    let bytes = std::fs::read(key).map_err(|e| error(key, e.to_string()))?;
    let key_der = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| {
        error(
            key,
            format!("no PEM private key (PKCS#8, PKCS#1 or SEC1) in it ({e:?})"),
        )
    })?;
    Ok((chain, key_der))
}

/// Adds a --cacert file's certificates to the roots; returns them for the
/// self-signed case in `tls_verify`.
fn add_ca_file(
    roots: &mut RootCertStore,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let ca_error = |reason: String| TlsSetupError::CaFile {
        path: path.display().to_string(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|error| ca_error(error.to_string()))?;
    let certificates: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<_, _>>()
        .map_err(|error| ca_error(format!("not a PEM certificate file ({error:?})")))?;
    if certificates.is_empty() {
        return Err(ca_error("it holds no PEM certificates".to_string()));
    }
    for certificate in &certificates {
        roots
            .add(certificate.clone())
            .map_err(|error| ca_error(error.to_string()))?;
    }
    Ok(certificates)
}

/// Verifier for `--insecure`: accepts any certificate, but still checks that the
/// handshake signatures are well formed so the TLS session itself works.
#[derive(Debug)]
struct AcceptAnyCertificate {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_builds() {
        assert!(client_config(&TlsOptions::default()).is_ok());
        let insecure = TlsOptions {
            insecure: true,
            ..TlsOptions::default()
        };
        assert!(client_config(&insecure).is_ok());
    }

    #[test]
    fn bad_ca_file_is_a_clear_error() {
        let missing = TlsOptions {
            ca_files: vec!["/nonexistent/ca.pem".into()],
            ..TlsOptions::default()
        };
        let error = client_config(&missing).unwrap_err().to_string();
        assert!(error.contains("/nonexistent/ca.pem"), "{error}");

        let dir = std::env::temp_dir().join(format!("wsdeck-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let options = TlsOptions {
            ca_files: vec![empty],
            ..TlsOptions::default()
        };
        let error = client_config(&options).unwrap_err().to_string();
        assert!(error.contains("no PEM certificates"), "{error}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn client_certificate_needs_a_matching_key() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: String| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["c.test".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let other_key = rcgen::KeyPair::generate().unwrap();
        let cert_path = write("c.pem", cert.pem());
        let key_path = write("c.key", key.serialize_pem());
        let options = |cert: Option<&std::path::Path>, key: Option<&std::path::Path>| TlsOptions {
            client_cert: cert.map(Into::into),
            client_key: key.map(Into::into),
            ..TlsOptions::default()
        };
        assert!(client_config(&options(Some(&cert_path), Some(&key_path))).is_ok());

        let error = client_config(&options(Some(&cert_path), None))
            .unwrap_err()
            .to_string();
        assert!(error.contains("--cert FILE and --key FILE"), "{error}");
        let wrong = write("other.key", other_key.serialize_pem());
        let error = client_config(&options(Some(&cert_path), Some(&wrong)))
            .unwrap_err()
            .to_string();
        assert!(error.contains("does not go with the key"), "{error}");
        let error = client_config(&options(Some(&cert_path), Some(&cert_path)))
            .unwrap_err()
            .to_string();
        assert!(error.contains("no PEM private key"), "{error}");
    }
}
