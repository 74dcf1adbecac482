//! Endpoints through the registry override file, bearer tokens, TLS with a self-signed CA
//! made in the test, client certificates in CADC's one-PEM form, and their expiry.

mod common;

use clients::{
    ClientCert, ClientOptions, Credentials, ErrorKind, Expiry, Registry, RegistryOptions,
    RepoClient, TlsOptions,
};
use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

#[test]
fn registry_override_file() {
    let env = sandbox();
    let file = env.dir.path().join("resource-caps");
    std::fs::write(
        &file,
        format!(
            "# local services\nivo://example.org/sandbox = {}/capabilities\n",
            env.server.base_url()
        ),
    )
    .unwrap();
    let http = http(fast());
    let reg = Registry::new(
        http,
        RegistryOptions {
            override_file: Some(file.clone()),
            // a registry that does not know the other IDs (no network needed)
            registry_url: format!("{}/reg/resource-caps", env.server.base_url()),
        },
    )
    .unwrap();
    let repo = RepoClient::from_registry(&reg, "ivo://example.org/sandbox").unwrap();
    assert_eq!(
        repo.observations_url().as_str(),
        format!("{}/observations", env.server.base_url())
    );
    repo.create(&obs("via-registry", &[])).unwrap();
    let e = RepoClient::from_registry(&reg, "ivo://cadc.nrc.ca/ams").unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::NotFound,
        "the registry list itself is a 404 here"
    );
    let bad = env.dir.path().join("bad-caps");
    std::fs::write(&bad, "ivo://x\n").unwrap();
    let e = Registry::new(
        crate::http(fast()),
        RegistryOptions {
            override_file: Some(bad),
            ..RegistryOptions::default()
        },
    )
    .err()
    .unwrap();
    assert_eq!(e.kind, ErrorKind::Registry);
    assert!(e.context.ends_with("bad-caps:1"), "{e}");
}

#[test]
fn bearer_tokens() {
    let env = sandbox_with(|o| o.token = Some("t0ken".into()));
    let base = env.server.base_url();
    let with = |c: Credentials| {
        let h = http(ClientOptions {
            credentials: c,
            ..fast()
        });
        let reg = Registry::new(h, RegistryOptions::default()).unwrap();
        // capabilities are public
        RepoClient::from_registry(&reg, &base).unwrap()
    };
    assert_eq!(
        with(Credentials::Token("t0ken".into()))
            .read("TEST", "x")
            .unwrap(),
        None
    );
    let e = with(Credentials::Anonymous).read("TEST", "x").unwrap_err();
    assert_eq!((e.kind, e.attempts), (ErrorKind::NotAuthenticated, 1));
    let e = with(Credentials::Token("nope".into()))
        .read("TEST", "x")
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::PermissionDenied);
}

struct Pki {
    ca_pem: String,
    ca_params: CertificateParams,
    ca_key: KeyPair,
}

fn pki() -> Pki {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    let key = KeyPair::generate().unwrap();
    let cert = p.self_signed(&key).unwrap();
    Pki {
        ca_pem: cert.pem(),
        ca_params: p,
        ca_key: key,
    }
}

impl Pki {
    /// (certificate PEM, key PEM) signed by the CA.
    fn issue(
        &self,
        names: &[&str],
        client: bool,
        not_after: Option<(i32, u8, u8)>,
    ) -> (String, String) {
        let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap();
        if client {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        } else {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
        if let Some((y, m, d)) = not_after {
            p.not_after = rcgen::date_time_ymd(y, m, d);
        }
        let key = KeyPair::generate().unwrap();
        let issuer = Issuer::from_params(&self.ca_params, &self.ca_key);
        let cert = p.signed_by(&key, &issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }
}

fn tls_sandbox(pki: &Pki, require_client_certs: bool) -> Env {
    let (cert, key) = pki.issue(&["localhost", "127.0.0.1"], false, None);
    sandbox_with(|o| {
        o.tls = Some(sandbox::tls::TlsSetup {
            cert_chain_pem: cert.into_bytes(),
            key_pem: key.into_bytes(),
            client_ca_pem: require_client_certs.then(|| pki.ca_pem.clone().into_bytes()),
        })
    })
}

fn repo_with(
    env: &Env,
    tls: TlsOptions,
    credentials: Credentials,
) -> Result<RepoClient, clients::ClientError> {
    let mut o = fast();
    o.retry.retries = 0;
    o.tls = tls;
    o.credentials = credentials;
    let reg = Registry::new(http(o), RegistryOptions::default())?;
    RepoClient::from_registry(&reg, &env.server.base_url())
}

#[test]
fn tls_verification_is_on_by_default() {
    let pki = pki();
    let env = tls_sandbox(&pki, false);
    assert!(env.server.base_url().starts_with("https://"));
    // the system roots do not know the test CA
    let e = repo_with(&env, TlsOptions::default(), Credentials::Anonymous).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Transport);
    assert!(e.message.to_lowercase().contains("certificate"), "{e}");
    // trusting the CA file works
    let ca = env.dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let tls = TlsOptions {
        extra_roots: vec![ca],
        ..TlsOptions::default()
    };
    let repo = repo_with(&env, tls, Credentials::Anonymous).unwrap();
    repo.create(&obs("over-tls", &["raw"])).unwrap();
    assert!(repo.read("TEST", "over-tls").unwrap().is_some());
    // verification can be turned off explicitly
    let insecure = TlsOptions {
        verify: false,
        ..TlsOptions::default()
    };
    let repo = repo_with(&env, insecure, Credentials::Anonymous).unwrap();
    assert!(repo.read("TEST", "over-tls").unwrap().is_some());
}

#[test]
fn client_certificates_in_one_pem() {
    let pki = pki();
    let env = tls_sandbox(&pki, true);
    let ca = env.dir.path().join("ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let tls = || TlsOptions {
        extra_roots: vec![ca.clone()],
        ..TlsOptions::default()
    };
    // no certificate: the handshake is refused
    assert!(repo_with(&env, tls(), Credentials::Anonymous).is_err());
    // a proxy-style file: certificate then key, one PEM
    let (cert, key) = pki.issue(&[], true, None);
    let pem = env.dir.path().join("cadcproxy.pem");
    std::fs::write(&pem, format!("{cert}{key}")).unwrap();
    let c = ClientCert::load(&pem).unwrap();
    assert_eq!(c.expiry(jiff::Timestamp::now()), Expiry::Valid);
    let repo = repo_with(&env, tls(), Credentials::Certificate(c)).unwrap();
    repo.create(&obs("with-cert", &[])).unwrap();
    // key first works too
    std::fs::write(&pem, format!("{key}{cert}")).unwrap();
    assert!(ClientCert::load(&pem).is_ok());
    // another certificate's key: refused when the file is read, naming it
    let (_, other_key) = pki.issue(&[], true, None);
    std::fs::write(&pem, format!("{cert}{other_key}")).unwrap();
    let e = ClientCert::load(&pem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Setup);
    assert!(
        e.to_string().contains("cadcproxy.pem") && e.to_string().contains("does not fit"),
        "{e}"
    );
    // no key: a set-up error naming the file
    std::fs::write(&pem, &cert).unwrap();
    let e = ClientCert::load(&pem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Setup);
    assert!(e.to_string().contains("cadcproxy.pem"), "{e}");
}

#[test]
fn certificate_expiry_is_reported() {
    let pki = pki();
    let d = tempfile::tempdir().unwrap();
    let in_two_days = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48);
    let date = in_two_days.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (cert, key) = pki.issue(
        &[],
        true,
        Some((date.year().into(), date.month() as u8, date.day() as u8)),
    );
    let pem = d.path().join("soon.pem");
    std::fs::write(&pem, format!("{cert}{key}")).unwrap();
    let c = ClientCert::load(&pem).unwrap();
    match c.expiry(jiff::Timestamp::now()) {
        Expiry::Soon(left) => assert!(left.as_secs() <= 48 * 3600 && left.as_secs() > 23 * 3600),
        other => panic!("{other:?}"),
    }
    let w = c.expiry_warning(jiff::Timestamp::now()).unwrap();
    assert!(w.contains("expires in") && w.contains("soon.pem"), "{w}");
    assert_eq!(c.expiry(c.not_after), Expiry::Expired);

    let (cert, key) = pki.issue(&[], true, Some((2001, 1, 1)));
    std::fs::write(&pem, format!("{cert}{key}")).unwrap();
    let e = ClientCert::load(&pem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Setup);
    assert!(e.message.contains("expired on 2001-01-01"), "{e}");
}
