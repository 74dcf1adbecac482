//! The HTTP core every client shares: one connection pool, credentials, retries with backoff,
//! a bound on requests in flight, per-read timeouts, and call statistics.
//!
//! # Why a synchronous facade over the async client
//!
//! The pipeline's runners are synchronous thread pools: each worker interleaves CPU work
//! (header parsing, mapping, checksums) with service calls, and the `Repository`/`Storage`
//! traits are blocking. [`Http`] keeps that interface, but drives reqwest's *async* client on
//! a small tokio runtime it owns (`Runtime::block_on` from the calling thread), rather than
//! using `reqwest::blocking`, because only the async client has a per-read timeout: a stalled
//! server is noticed after `read_timeout` of silence, while a large file may take as long as
//! it needs; the blocking client only offers a total timeout, which either cuts big
//! transfers or waits minutes on a stall. All workers share one pool of keep-alive
//! connections, and the in-flight bound is a semaphore taken per attempt (never held while
//! backing off), so `parallel_count` workers never put more than `max_in_flight` requests
//! on a service at once.
//!
//! Calling [`Http`] from inside a tokio runtime is not supported (it would block that
//! runtime); the pipeline and the tools call it from plain threads.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use reqwest::Method;
use tokio::io::AsyncReadExt;

use crate::auth::Credentials;
use crate::error::{ClientError, ErrorKind};
use crate::retry::{parse_retry_after, retryable_status, Jitter, RetryPolicy};
use crate::stats::{CallRecord, Stats};
use crate::tls::{self, TlsOptions};

/// Largest body read into memory (documents, listings, TSV): a misbehaving server cannot
/// exhaust memory.
pub const MAX_MEMORY_BODY: usize = 256 * 1024 * 1024;

/// Everything that configures a client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub credentials: Credentials,
    pub tls: TlsOptions,
    pub retry: RetryPolicy,
    /// Requests on the wire at once, over every thread using this client.
    pub max_in_flight: usize,
    pub connect_timeout: Duration,
    /// Silence longer than this while waiting for a response or its body is a timeout.
    pub read_timeout: Option<Duration>,
    pub user_agent: String,
    /// Threads of the client's runtime (I/O only: the caller's thread runs each request).
    pub runtime_threads: usize,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            credentials: Credentials::Anonymous,
            tls: TlsOptions::default(),
            retry: RetryPolicy::default(),
            max_in_flight: 8,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Some(Duration::from_secs(60)),
            user_agent: format!("caom2pipe/{}", env!("CARGO_PKG_VERSION")),
            runtime_threads: 2,
        }
    }
}

/// A request body that can be sent again on a retry.
#[derive(Clone, Debug)]
pub enum Body {
    Empty,
    Bytes(Vec<u8>),
    /// Streamed from a file (its size is sent as Content-Length).
    File(PathBuf),
    /// `application/x-www-form-urlencoded` pairs.
    Form(Vec<(String, String)>),
}

/// One request: what to send and how to label it in the statistics.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub url: url::Url,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Body,
    /// Statistics: `caom2`, `si`, `tap`, `reg`, `http`.
    pub service: &'static str,
    /// Statistics: `create`, `read`, `info`, `put`, ...
    pub action: &'static str,
    /// Statistics: the observation id or file name.
    pub label: String,
}

impl Request {
    pub fn new(method: Method, url: url::Url, service: &'static str, action: &'static str) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: Body::Empty,
            service,
            action,
            label: String::new(),
        }
    }

    pub fn header(mut self, name: HeaderName, value: &str) -> Result<Self, ClientError> {
        let v = HeaderValue::from_str(value).map_err(|_| {
            ClientError::setup(self.context(), format!("bad value for header {name}"))
        })?;
        self.headers.push((name, v));
        Ok(self)
    }

    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    pub fn label(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// `METHOD url`, for messages.
    pub fn context(&self) -> String {
        format!("{} {}", self.method, self.url)
    }
}

/// A response that is not a retryable failure.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body (empty when it was written to a file or the method was HEAD).
    pub body: Vec<u8>,
    pub attempts: u32,
    /// An earlier attempt may have reached the server and been carried out (its response
    /// was lost): a create answered 409 or an update answered 412 may be our own success.
    pub ambiguous: bool,
    /// `METHOD url`.
    pub context: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error for a non-success status (the body is the service's message).
    pub fn error(&self) -> ClientError {
        let mut e = ClientError::status(
            self.status,
            &self.context,
            &String::from_utf8_lossy(&self.body),
        );
        e.attempts = self.attempts;
        e
    }

    /// `Ok(self)` for 2xx, the status error otherwise.
    pub fn success(self) -> Result<Reply, ClientError> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.error())
        }
    }

    pub fn text(&self) -> Result<&str, ClientError> {
        std::str::from_utf8(&self.body)
            .map_err(|_| ClientError::protocol(&self.context, "the response is not UTF-8 text"))
    }
}

/// Where a response body goes.
pub enum Sink<'a> {
    Memory,
    /// Written to this file (created or truncated per attempt), its md5 checked against
    /// the response's `Digest` when there is one; a mismatch is retried.
    File(&'a Path),
}

/// What a downloaded file turned out to be.
#[derive(Clone, Debug, PartialEq)]
pub struct Downloaded {
    pub size: u64,
    pub md5: String,
}

/// Why an attempt failed.
struct AttemptError {
    kind: ErrorKind,
    message: String,
    /// The request may have been carried out.
    maybe_processed: bool,
}

/// The shared client.
pub struct Http {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    options: ClientOptions,
    in_flight: Arc<tokio::sync::Semaphore>,
    stats: Arc<Stats>,
    jitter: Mutex<Jitter>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Http({:?})", self.options.credentials)
    }
}

impl Http {
    pub fn new(options: ClientOptions) -> Result<Http, ClientError> {
        let tls = tls::client_config(&options.tls, &options.credentials)?;
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .user_agent(options.user_agent.clone())
            .connect_timeout(options.connect_timeout)
            .pool_max_idle_per_host(options.max_in_flight.max(1) * 2)
            .no_proxy();
        if let Some(t) = options.read_timeout {
            builder = builder.read_timeout(t);
        }
        let client = builder
            .build()
            .map_err(|e| ClientError::setup("HTTP client", error_chain(&e)))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.runtime_threads.max(1))
            .thread_name("caom2pipe-http")
            .enable_all()
            .build()
            .map_err(|e| ClientError::setup("HTTP client", e.to_string()))?;
        Ok(Http {
            runtime,
            client,
            in_flight: Arc::new(tokio::sync::Semaphore::new(options.max_in_flight.max(1))),
            options,
            stats: Arc::new(Stats::new()),
            jitter: Mutex::new(Jitter::new()),
        })
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    pub fn stats(&self) -> &Arc<Stats> {
        &self.stats
    }

    /// Sends `request`, retrying transient failures; the body is read into memory.
    pub fn send(&self, request: &Request) -> Result<Reply, ClientError> {
        self.send_to(request, Sink::Memory).map(|(r, _)| r)
    }

    /// Sends `request`, writing a successful (2xx) response body to `sink`.
    pub fn send_to(
        &self,
        request: &Request,
        sink: Sink<'_>,
    ) -> Result<(Reply, Option<Downloaded>), ClientError> {
        let start = jiff::Timestamp::now();
        let t0 = Instant::now();
        let mut attempts = 0u32;
        let mut ambiguous = false;
        let mut bytes = 0u64;
        let policy = &self.options.retry;
        let result = self.runtime.block_on(async {
            loop {
                attempts += 1;
                let permit = self.in_flight.acquire().await;
                let outcome = self.attempt(request, &sink).await;
                drop(permit);
                let last = attempts > policy.retries;
                let wait_hint = match outcome {
                    Ok((reply, downloaded)) => {
                        bytes += reply.body.len() as u64
                            + downloaded.as_ref().map_or(0, |d| d.size)
                            + body_len(&request.body);
                        if !retryable_status(reply.status) {
                            return Ok((reply, downloaded));
                        }
                        let ra = reply
                            .header("retry-after")
                            .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                        // A 503 or 429 is a refusal: the request was not carried out.
                        let processed = !matches!(reply.status, 503 | 429);
                        if last {
                            return Err(reply.error());
                        }
                        ambiguous |= processed;
                        ra
                    }
                    Err(e) => {
                        if last {
                            return Err(ClientError::new(e.kind, request.context(), e.message));
                        }
                        ambiguous |= e.maybe_processed;
                        None
                    }
                };
                let random = self.jitter.lock().map(|mut j| j.sample()).unwrap_or(0.5);
                let wait = policy.backoff(attempts - 1, wait_hint, random);
                tokio::time::sleep(wait).await;
            }
        });
        let result = result
            .map(|(mut r, d)| {
                r.attempts = attempts;
                r.ambiguous = ambiguous;
                (r, d)
            })
            .map_err(|mut e| {
                e.attempts = attempts;
                e
            });
        // A 4xx is an answer (the caller acts on 404, 409, 412); a failure is a call that
        // got none: transport errors, timeouts, 429 and 5xx after every retry.
        let ok = matches!(&result, Ok((r, _)) if r.status < 500 && r.status != 429);
        self.stats.record(&CallRecord {
            service: request.service,
            action: request.action,
            label: &request.label,
            start,
            elapsed: t0.elapsed(),
            bytes,
            attempts,
            ok,
        });
        result
    }

    async fn attempt(
        &self,
        request: &Request,
        sink: &Sink<'_>,
    ) -> Result<(Reply, Option<Downloaded>), AttemptError> {
        let mut rb = self
            .client
            .request(request.method.clone(), request.url.clone());
        for (k, v) in &request.headers {
            rb = rb.header(k.clone(), v.clone());
        }
        if let Credentials::Token(t) = &self.options.credentials {
            rb = rb.bearer_auth(t);
        }
        rb = match &request.body {
            Body::Empty => rb,
            Body::Bytes(b) => rb.body(b.clone()),
            Body::Form(pairs) => {
                let text = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                rb.header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(text)
            }
            Body::File(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| AttemptError {
                        kind: ErrorKind::Io,
                        message: format!("{}: {e}", path.display()),
                        maybe_processed: false,
                    })?;
                let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
                rb.header(reqwest::header::CONTENT_LENGTH, len)
                    .body(reqwest::Body::wrap_stream(file_stream(file)))
            }
        };
        let mut response = rb.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let context = request.context();
        let mut body = Vec::new();
        let mut downloaded = None;
        let head = request.method == Method::HEAD;
        match sink {
            Sink::File(path) if (200..300).contains(&status) && !head => {
                downloaded = Some(download(&mut response, path, &headers).await?);
            }
            _ if !head => {
                while let Some(chunk) = response.chunk().await.map_err(transport)? {
                    if body.len() + chunk.len() > MAX_MEMORY_BODY {
                        return Err(AttemptError {
                            kind: ErrorKind::Protocol,
                            message: format!("response over {MAX_MEMORY_BODY} bytes"),
                            maybe_processed: true,
                        });
                    }
                    body.extend_from_slice(&chunk);
                }
            }
            _ => {}
        }
        Ok((
            Reply {
                status,
                headers,
                body,
                attempts: 0,
                ambiguous: false,
                context,
            },
            downloaded,
        ))
    }
}

fn body_len(b: &Body) -> u64 {
    match b {
        Body::Empty => 0,
        Body::Bytes(b) => b.len() as u64,
        Body::Form(p) => p.iter().map(|(k, v)| (k.len() + v.len() + 2) as u64).sum(),
        Body::File(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
    }
}

/// A file as a stream of 256 KiB chunks.
fn file_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static {
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut f = state?;
        let mut buf = vec![0u8; 256 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(buf), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}

/// Streams a response body into `path` (through a temporary file renamed at the end),
/// computing its md5 and size, and checks them against `Digest` and `Content-Length`.
async fn download(
    response: &mut reqwest::Response,
    path: &Path,
    headers: &HeaderMap,
) -> Result<Downloaded, AttemptError> {
    let io = |e: std::io::Error| AttemptError {
        kind: ErrorKind::Io,
        message: format!("{}: {e}", path.display()),
        maybe_processed: false,
    };
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(io)?;
    }
    let tmp = temp_name(path);
    let mut out =
        std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&tmp).map_err(io)?);
    let mut h = Md5::new();
    let mut size = 0u64;
    let result: Result<(), AttemptError> = async {
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            h.update(&chunk);
            size += chunk.len() as u64;
            out.write_all(&chunk).map_err(io)?;
        }
        out.flush().map_err(io)?;
        Ok(())
    }
    .await;
    drop(out);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let md5 = crate::digest::hex(&h.finalize());
    let expected_md5 = headers
        .get("digest")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::digest::md5_from_digest_header);
    let expected_len = headers
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let bad = match (expected_md5, expected_len) {
        (Some(m), _) if m != md5 => Some(format!("md5 {md5} but the service says {m}")),
        (_, Some(l)) if l != size => Some(format!("{size} bytes but Content-Length {l}")),
        _ => None,
    };
    if let Some(why) = bad {
        let _ = std::fs::remove_file(&tmp);
        return Err(AttemptError {
            kind: ErrorKind::Integrity,
            message: format!("{}: {why}", path.display()),
            maybe_processed: false,
        });
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(Downloaded { size, md5 })
}

/// `dir/.name.<pid>.t<random>.tmp`: a temporary name next to `path`, in the form the
/// pipeline's sweep of stale temporary files recognises (`manage::fsutil`).
pub fn temp_name(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = (Jitter::new().sample() * 1e15) as u64;
    path.with_file_name(format!(".{name}.{}.t{unique:x}.tmp", std::process::id()))
}

fn transport(e: reqwest::Error) -> AttemptError {
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else {
        ErrorKind::Transport
    };
    AttemptError {
        kind,
        message: error_chain(&e),
        // A connection that was never made carried no request.
        maybe_processed: !e.is_connect(),
    }
}

/// An error with its causes, `a: b: c`, so "connection reset by peer" is not hidden.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = c.source();
    }
    s
}
