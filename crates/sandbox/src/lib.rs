//! sandbox: a local service that speaks the same REST as CADC's caom2repo and Storage
//! Inventory, backed by SQLite and a directory — the embedded default for people who want a
//! service, and what the integration tests talk to (`caom2pipe serve`).
//!
//! | path | what |
//! |---|---|
//! | `GET /capabilities` | VOSI capabilities: observations (`#obs-1.2`), deletions (`#del-1.0`), files (`storage#files-1.0`), TAP |
//! | `GET /observations` | collections, one per line |
//! | `GET /observations/{collection}?maxrec&start&end&order` | TSV `collection, observationID, maxLastModified, accMetaChecksum` |
//! | `GET/PUT/POST/DELETE /observations/{collection}/{observationID}` | read (ETag = accMetaChecksum), create (409 if it exists), update (`If-Match` → 412), delete |
//! | `GET /deletions/{collection}?maxrec&start&end` | TSV `id, collection, observationID, lastModified` |
//! | `HEAD/GET/PUT/POST/DELETE /files/{uri}` | Storage Inventory files: `Digest`, `META=true` headers |
//! | `GET/POST /tap/sync` | a TAP subset over `inventory.Artifact` and `caom2.Observation` (TSV) |
//! | `GET /metrics` | request counts in Prometheus text |
//!
//! Documents are validated (`caom2::xml`, `caom2::validate`), checksums are computed by the
//! server, errors map to statuses as the reference does (400, 401, 404, 409, 412, 413, 500)
//! with a `text/plain` message. It listens on loopback by default; a bearer token and TLS
//! (with optional client certificates) can be required. [`faults::FaultProxy`] sits in
//! front of it in tests to inject 503 bursts, resets, stalls and truncated bodies.
//!
//! ```no_run
//! let server = sandbox::Server::start(sandbox::Options {
//!     bind: "127.0.0.1:0".parse().unwrap(),
//!     data: std::env::temp_dir().join("sandbox-example"),
//!     ..sandbox::Options::default()
//! })?;
//! // point `resource_id` (or the registry override file) at this
//! println!("caom2 service at {}", server.base_url());
//! server.stop();
//! # Ok::<(), sandbox::SandboxError>(())
//! ```

pub mod db;
pub mod faults;
pub mod files;
pub mod observations;
pub mod tap;
pub mod time;
pub mod tls;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;

/// Why the sandbox could not start or answer.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("database: {0}")]
    Database(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("TLS: {0}")]
    Tls(String),
}

impl IntoResponse for SandboxError {
    fn into_response(self) -> Response {
        let status = match self {
            SandboxError::BadRequest(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        text(status, self.to_string())
    }
}

/// A `text/plain` response, the form of every error.
pub fn text(status: StatusCode, message: impl Into<String>) -> Response {
    let mut m = message.into();
    m.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        m,
    )
        .into_response()
}

/// Runs blocking work (SQLite, XML, checksums, cfitsio) off the async threads.
pub async fn blocking(
    f: impl FnOnce() -> Result<Response, SandboxError> + Send + 'static,
) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => e.into_response(),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// How to run a sandbox.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to listen (default 127.0.0.1:8080; port 0 picks a free port).
    pub bind: SocketAddr,
    /// Where the database (`sandbox.db`) and stored files (`files/`) live.
    pub data: PathBuf,
    /// Require `Authorization: Bearer <token>` (except for `/capabilities`).
    pub token: Option<String>,
    /// Serve HTTPS.
    pub tls: Option<tls::TlsSetup>,
    /// Runtime worker threads.
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("sandbox"),
            token: None,
            tls: None,
            threads: 2,
        }
    }
}

/// The state the handlers share.
pub struct App {
    pub db: db::Db,
    pub files_dir: PathBuf,
    token: Option<String>,
    scheme: &'static str,
    client_certs: bool,
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
}

const CAPS_OBS: &str = "vos://cadc.nrc.ca~vospace/CADC/std/CAOM2Repository#obs-1.2";
const CAPS_DEL: &str = "vos://cadc.nrc.ca~vospace/CADC/std/CAOM2Repository#del-1.0";
const CAPS_FILES: &str = "http://www.opencadc.org/std/storage#files-1.0";
const CAPS_TAP: &str = "ivo://ivoa.net/std/TAP";
const CAPS_VOSI: &str = "ivo://ivoa.net/std/VOSI#capabilities";
const CAPS_AVAIL: &str = "ivo://ivoa.net/std/VOSI#availability";

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /capabilities`: the endpoints at the address the client used.
async fn capabilities(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = format!("{}://{}", app.scheme, xml_escape(host));
    let mut security = String::new();
    if app.token.is_some() {
        security.push_str("      <securityMethod standardID=\"ivo://ivoa.net/sso#token\"/>\n");
    }
    if app.client_certs {
        security.push_str(
            "      <securityMethod standardID=\"ivo://ivoa.net/sso#tls-with-certificate\"/>\n",
        );
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <vosi:capabilities xmlns:vosi=\"http://www.ivoa.net/xml/VOSICapabilities/v1.0\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns:vs=\"http://www.ivoa.net/xml/VODataService/v1.1\" \
         xmlns:tr=\"http://www.ivoa.net/xml/TAPRegExt/v1.0\">\n",
    );
    let caps: [(&str, &str, bool); 6] = [
        (CAPS_VOSI, "capabilities", false),
        (CAPS_AVAIL, "availability", false),
        (CAPS_OBS, "observations", true),
        (CAPS_DEL, "deletions", true),
        (CAPS_FILES, "files", true),
        (CAPS_TAP, "tap", true),
    ];
    for (id, path, secured) in caps {
        let typ = if id == CAPS_TAP {
            " xsi:type=\"tr:TableAccess\""
        } else {
            ""
        };
        out.push_str(&format!(
            "  <capability standardID=\"{id}\"{typ}>\n    <interface xsi:type=\"vs:ParamHTTP\" role=\"std\">\n      <accessURL use=\"base\">{base}/{path}</accessURL>\n{}    </interface>\n  </capability>\n",
            if secured { security.as_str() } else { "" }
        ));
    }
    out.push_str("</vosi:capabilities>\n");
    ([(header::CONTENT_TYPE, "text/xml")], out).into_response()
}

async fn availability() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<vosi:availability xmlns:vosi=\"http://www.ivoa.net/xml/VOSIAvailability/v1.0\">\n  <vosi:available>true</vosi:available>\n  <vosi:note>caom2pipe sandbox is accepting requests</vosi:note>\n</vosi:availability>\n",
    )
        .into_response()
}

async fn index() -> Response {
    text(
        StatusCode::OK,
        "caom2pipe sandbox: /capabilities, /observations, /deletions, /files/{uri}, /tap/sync, /metrics",
    )
}

/// `GET /metrics`: requests by method, first path element and status.
async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut out = String::from(
        "# HELP caom2pipe_sandbox_requests_total Requests answered, by method, path and status.\n\
         # TYPE caom2pipe_sandbox_requests_total counter\n",
    );
    if let Ok(m) = app.requests.lock() {
        for ((method, path, status), n) in m.iter() {
            out.push_str(&format!(
                "caom2pipe_sandbox_requests_total{{method=\"{method}\",path=\"{path}\",status=\"{status}\"}} {n}\n"
            ));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}

/// `GET/POST /tap/sync`: `LANG=ADQL`, `QUERY`, `RESPONSEFORMAT`/`FORMAT` (tsv), `MAXREC`.
async fn tap_sync(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut params: HashMap<String, String> = query
        .into_iter()
        .map(|(k, v)| (k.to_ascii_uppercase(), v))
        .collect();
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        for (k, v) in url::form_urlencoded::parse(&body) {
            params.insert(k.to_ascii_uppercase(), v.into_owned());
        }
    }
    if let Some(lang) = params.get("LANG") {
        if !lang.eq_ignore_ascii_case("ADQL") && !lang.eq_ignore_ascii_case("ADQL-2.0") {
            return text(StatusCode::BAD_REQUEST, format!("unsupported LANG {lang}"));
        }
    }
    let format = params
        .get("RESPONSEFORMAT")
        .or_else(|| params.get("FORMAT"))
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_else(|| "tsv".into());
    if format != "tsv" && format != "text/tab-separated-values" {
        return text(
            StatusCode::BAD_REQUEST,
            format!("unsupported RESPONSEFORMAT {format} (this service answers tsv)"),
        );
    }
    let Some(q) = params.get("QUERY").cloned() else {
        return text(StatusCode::BAD_REQUEST, "missing QUERY");
    };
    let maxrec = match params.get("MAXREC").map(|m| m.trim().parse::<u64>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return text(StatusCode::BAD_REQUEST, "invalid MAXREC"),
    };
    let sql = match tap::translate(&q, maxrec) {
        Ok(s) => s,
        Err(e) => return text(StatusCode::BAD_REQUEST, e.to_string()),
    };
    blocking(move || {
        let (_, rows) = app.db.query(&sql.text, &sql.args)?;
        let esc = |v: &str| {
            v.replace('\\', "\\\\")
                .replace('\t', "\\t")
                .replace('\n', "\\n")
        };
        let mut out = sql.columns.join("\t");
        out.push('\n');
        for r in rows {
            let fields: Vec<String> = r.iter().map(|v| esc(v)).collect();
            out.push_str(&fields.join("\t"));
            out.push('\n');
        }
        Ok(([(header::CONTENT_TYPE, "text/tab-separated-values")], out).into_response())
    })
    .await
}

/// Token check and request counting.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_string();
    let open = path == "capabilities" || path == "availability" || path.is_empty();
    let response = match &app.token {
        Some(token) if !open => {
            let given = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            match given {
                Some(g) if g == token => next.run(req).await,
                Some(_) => text(StatusCode::FORBIDDEN, "the bearer token is not accepted"),
                None => {
                    let mut r = text(StatusCode::UNAUTHORIZED, "a bearer token is required");
                    r.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        header::HeaderValue::from_static("Bearer"),
                    );
                    r
                }
            }
        }
        _ => next.run(req).await,
    };
    if let Ok(mut m) = app.requests.lock() {
        *m.entry((method, path, response.status().as_u16()))
            .or_default() += 1;
    }
    response
}

/// The routes, over `app`.
pub fn router(app: Arc<App>) -> Router {
    let observations = Router::new()
        .route("/observations", get(observations::collections))
        .route("/observations/{collection}", get(observations::list))
        .route(
            "/observations/{collection}/{id}",
            get(observations::read)
                .put(observations::create)
                .post(observations::update)
                .delete(observations::delete),
        )
        .route("/deletions/{collection}", get(observations::deletions))
        .layer(DefaultBodyLimit::max(observations::MAX_DOCUMENT));
    let files = Router::new()
        .route("/files/{*uri}", any(files::files))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/", get(index))
        .route("/capabilities", get(capabilities))
        .route("/availability", get(availability))
        .route("/metrics", get(metrics))
        .route("/tap/sync", get(tap_sync).post(tap_sync))
        .merge(observations)
        .merge(files)
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// A running sandbox (stopped when dropped).
pub struct Server {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    scheme: &'static str,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    app: Arc<App>,
}

impl Server {
    /// Opens (or creates) the data directory and starts listening.
    pub fn start(options: Options) -> Result<Server, SandboxError> {
        let io = |what: &str, e: std::io::Error| SandboxError::Io(format!("{what}: {e}"));
        let files_dir = options.data.join("files");
        std::fs::create_dir_all(&files_dir).map_err(|e| io(&files_dir.display().to_string(), e))?;
        // leftovers of uploads cut short by a killed server
        if let Ok(rd) = std::fs::read_dir(&files_dir) {
            for e in rd.flatten() {
                if e.file_name().to_string_lossy().ends_with(".part") {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let db = db::Db::open(&options.data.join("sandbox.db"))?;
        let acceptor = match &options.tls {
            Some(t) => Some(tls::acceptor(t)?),
            None => None,
        };
        let app = Arc::new(App {
            db,
            files_dir,
            token: options.token.clone(),
            scheme: if acceptor.is_some() { "https" } else { "http" },
            client_certs: options
                .tls
                .as_ref()
                .is_some_and(|t| t.client_ca_pem.is_some()),
            requests: Mutex::new(BTreeMap::new()),
        });
        let listener = std::net::TcpListener::bind(options.bind)
            .map_err(|e| io(&format!("cannot listen on {}", options.bind), e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| io("listener", e))?;
        let addr = listener.local_addr().map_err(|e| io("listener", e))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.threads.max(1))
            .thread_name("caom2pipe-sandbox")
            .enable_all()
            .build()
            .map_err(|e| io("runtime", e))?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let router = router(app.clone());
        let scheme = app.scheme;
        runtime.spawn(async move {
            let listener = match tokio::net::TcpListener::from_std(listener) {
                Ok(l) => l,
                Err(_) => return,
            };
            tls::accept_loop(listener, router, acceptor, rx).await;
        });
        Ok(Server {
            runtime: Some(runtime),
            addr,
            scheme,
            shutdown: Some(tx),
            app,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` (or `https://`): usable as a `resource_id`.
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    /// The handlers' state (its database), for tests that look behind the API.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Blocks until Ctrl-C (or SIGTERM).
    pub fn wait_for_signal(&self) {
        if let Some(rt) = &self.runtime {
            rt.block_on(async {
                #[cfg(unix)]
                {
                    use tokio::signal::unix::{signal, SignalKind};
                    match signal(SignalKind::terminate()) {
                        Ok(mut term) => {
                            tokio::select! {
                                _ = tokio::signal::ctrl_c() => {}
                                _ = term.recv() => {}
                            }
                        }
                        Err(_) => {
                            let _ = tokio::signal::ctrl_c().await;
                        }
                    }
                }
                #[cfg(not(unix))]
                {
                    let _ = tokio::signal::ctrl_c().await;
                }
            });
        }
    }

    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_millis(500));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut();
    }
}
