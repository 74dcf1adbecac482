//! TLS for the clients: rustls with the `ring` provider, built per client (no process-wide
//! provider is installed). Server certificates are verified against the system's roots plus
//! any extra CA file, unless verification is explicitly turned off; a client certificate is
//! presented when the credentials are one.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::auth::Credentials;
use crate::error::ClientError;

/// How server certificates are checked.
#[derive(Clone, Debug, PartialEq)]
pub struct TlsOptions {
    /// Verify the server's certificate (on by default; off only for a test service).
    pub verify: bool,
    /// Trust the operating system's root certificates.
    pub system_roots: bool,
    /// PEM files of additional CA certificates to trust (e.g. a private CA, or a sandbox's
    /// self-signed certificate).
    pub extra_roots: Vec<PathBuf>,
}

impl Default for TlsOptions {
    fn default() -> TlsOptions {
        TlsOptions {
            verify: true,
            system_roots: true,
            extra_roots: Vec::new(),
        }
    }
}

pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls configuration for these options and credentials.
pub fn client_config(
    options: &TlsOptions,
    credentials: &Credentials,
) -> Result<ClientConfig, ClientError> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::setup("TLS", e.to_string()))?;
    let builder = if options.verify {
        let mut roots = RootCertStore::empty();
        if options.system_roots {
            // Unreadable system certificates are skipped: the extra roots may be all we need.
            let found = rustls_native_certs::load_native_certs();
            roots.add_parsable_certificates(found.certs);
        }
        for path in &options.extra_roots {
            let name = path.display().to_string();
            let bytes =
                std::fs::read(path).map_err(|e| ClientError::setup(&name, e.to_string()))?;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| ClientError::setup(&name, format!("bad PEM certificate: {e}")))?;
            if certs.is_empty() {
                return Err(ClientError::setup(&name, "no CERTIFICATE in the file"));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| ClientError::setup(&name, format!("unusable CA: {e}")))?;
            }
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider())))
    };
    match credentials {
        Credentials::Certificate(cert) => builder
            .with_client_auth_cert(cert.chain.clone(), cert.key())
            .map_err(|e| {
                ClientError::setup(
                    cert.path.display().to_string(),
                    format!("the key does not fit the certificate: {e}"),
                )
            }),
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// Accepts any server certificate (signatures are still checked); for `tls_verify: false`.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
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
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
