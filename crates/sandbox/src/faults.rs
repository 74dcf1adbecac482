//! A fault-injecting HTTP/1.1 proxy for tests: it sits between a client and a service on
//! loopback and, per request and at random (seeded), answers 503 bursts itself, resets the
//! connection before or after the service carried the request out, withholds the response
//! until the client gives up, or cuts the response body short. It counts what it did, so a
//! test can compare the client's retries with the faults it had to survive.
//!
//! It understands just enough HTTP: requests with `Content-Length` bodies (what our clients
//! send), responses with `Content-Length`, chunked or close-delimited bodies, `HEAD`, 204 and
//! 304 without bodies, keep-alive.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What to inject, as probabilities per request (checked in this order).
#[derive(Clone, Debug, PartialEq)]
pub struct FaultPlan {
    pub seed: u64,
    /// A request starts a burst of `burst_len` 503 answers (this one included), given by
    /// the proxy without reaching the service.
    pub burst_503: f64,
    pub burst_len: u32,
    /// `Retry-After` seconds on the 503s.
    pub retry_after: Option<u32>,
    /// The connection is reset before the request reaches the service.
    pub reset_before: f64,
    /// The request is carried out by the service, then the connection is reset before the
    /// response (the client cannot know it succeeded).
    pub reset_after: f64,
    /// The response is withheld for `stall_for`, then the connection closed.
    pub stall: f64,
    pub stall_for: Duration,
    /// The response is sent with half of its body, then the connection closed.
    pub truncate: f64,
}

impl FaultPlan {
    /// No faults: a plain proxy.
    pub fn none() -> FaultPlan {
        FaultPlan {
            seed: 1,
            burst_503: 0.0,
            burst_len: 0,
            retry_after: None,
            reset_before: 0.0,
            reset_after: 0.0,
            stall: 0.0,
            stall_for: Duration::from_secs(1),
            truncate: 0.0,
        }
    }
}

/// What the proxy did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub requests: u64,
    pub unavailable: u64,
    pub resets_before: u64,
    pub resets_after: u64,
    pub stalls: u64,
    pub truncations: u64,
}

impl FaultCounts {
    /// Requests that failed because of the proxy.
    pub fn faults(&self) -> u64 {
        self.unavailable + self.resets_before + self.resets_after + self.stalls + self.truncations
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    None,
    Unavailable,
    ResetBefore,
    ResetAfter,
    Stall,
    Truncate,
}

struct Shared {
    plan: FaultPlan,
    rng: u64,
    burst_left: u32,
    counts: FaultCounts,
}

impl Shared {
    fn random(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    fn decide(&mut self) -> Fault {
        self.counts.requests += 1;
        if self.burst_left > 0 {
            self.burst_left -= 1;
            self.counts.unavailable += 1;
            return Fault::Unavailable;
        }
        let p = self.plan.clone();
        let r = self.random();
        let mut edge = p.burst_503;
        if r < edge {
            self.burst_left = p.burst_len.saturating_sub(1);
            self.counts.unavailable += 1;
            return Fault::Unavailable;
        }
        for (prob, f) in [
            (p.reset_before, Fault::ResetBefore),
            (p.reset_after, Fault::ResetAfter),
            (p.stall, Fault::Stall),
            (p.truncate, Fault::Truncate),
        ] {
            edge += prob;
            if r < edge {
                return f;
            }
        }
        Fault::None
    }
}

/// A running proxy (stopped when dropped).
pub struct FaultProxy {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub fn start(upstream: SocketAddr, plan: FaultPlan) -> std::io::Result<FaultProxy> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("caom2pipe-faults")
            .enable_all()
            .build()?;
        let shared = Arc::new(Mutex::new(Shared {
            rng: plan.seed | 1,
            plan,
            burst_left: 0,
            counts: FaultCounts::default(),
        }));
        let s = shared.clone();
        runtime.spawn(async move {
            let Ok(listener) = TcpListener::from_std(listener) else {
                return;
            };
            while let Ok((client, _)) = listener.accept().await {
                let _ = client.set_nodelay(true);
                tokio::spawn(connection(client, upstream, s.clone()));
            }
        });
        Ok(FaultProxy {
            runtime: Some(runtime),
            addr,
            shared,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn counts(&self) -> FaultCounts {
        self.shared
            .lock()
            .map(|s| s.counts.clone())
            .unwrap_or_default()
    }

    /// Changes what is injected from now on.
    pub fn set_plan(&self, plan: FaultPlan) {
        if let Ok(mut s) = self.shared.lock() {
            s.plan = plan;
            s.burst_left = 0;
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// One HTTP message as raw bytes.
struct Message {
    head: Vec<u8>,
    body: Vec<u8>,
    /// The request method (requests only).
    method: String,
    keep_alive: bool,
}

fn header_value<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Reads one message; `None` at a clean end of stream. `request_method` is set when reading
/// a response (a response to HEAD has no body).
async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(
    r: &mut R,
    request_method: Option<&str>,
) -> std::io::Result<Option<Message>> {
    let mut head = Vec::new();
    loop {
        let n = r.read_until(b'\n', &mut head).await?;
        if n == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        if head.ends_with(b"\r\n\r\n") || head == b"\r\n" {
            if head == b"\r\n" {
                head.clear();
                continue;
            }
            break;
        }
        if head.len() > 64 * 1024 {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let first = text.lines().next().unwrap_or("");
    let method = if request_method.is_none() {
        first.split(' ').next().unwrap_or("").to_string()
    } else {
        String::new()
    };
    let status: u16 = if request_method.is_some() {
        first
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    } else {
        0
    };
    let version_10 = first.contains("HTTP/1.0");
    let connection = header_value(&text, "connection").map(|v| v.to_ascii_lowercase());
    let keep_alive = match connection.as_deref() {
        Some(c) if c.contains("close") => false,
        Some(c) if c.contains("keep-alive") => true,
        _ => !version_10,
    };
    let no_body = match request_method {
        Some(m) => m == "HEAD" || status == 204 || status == 304 || (100..200).contains(&status),
        None => false,
    };
    let mut body = Vec::new();
    if !no_body {
        let chunked = header_value(&text, "transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            // raw chunks, kept as they are for forwarding
            loop {
                let mut line = Vec::new();
                r.read_until(b'\n', &mut line).await?;
                let size_text = String::from_utf8_lossy(&line);
                let size = usize::from_str_radix(
                    size_text.trim().split(';').next().unwrap_or("").trim(),
                    16,
                )
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
                body.extend_from_slice(&line);
                if size == 0 {
                    // trailers up to the empty line
                    loop {
                        let mut t = Vec::new();
                        r.read_until(b'\n', &mut t).await?;
                        body.extend_from_slice(&t);
                        if t == b"\r\n" || t.is_empty() {
                            break;
                        }
                    }
                    break;
                }
                let mut chunk = vec![0u8; size + 2];
                r.read_exact(&mut chunk).await?;
                body.extend_from_slice(&chunk);
            }
        } else if let Some(len) = header_value(&text, "content-length") {
            let len: usize = len
                .parse()
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidData))?;
            body = vec![0u8; len];
            r.read_exact(&mut body).await?;
        } else if request_method.is_some() {
            // close-delimited response
            r.read_to_end(&mut body).await?;
            return Ok(Some(Message {
                head,
                body,
                method,
                keep_alive: false,
            }));
        }
    }
    Ok(Some(Message {
        head,
        body,
        method,
        keep_alive,
    }))
}

/// Closes with a TCP reset (SO_LINGER 0) rather than a clean FIN.
fn reset(stream: TcpStream) {
    // Zero linger never blocks on drop: the reset is immediate.
    #[allow(deprecated)]
    let _ = stream.set_linger(Some(Duration::ZERO));
    drop(stream);
}

async fn connection(client: TcpStream, upstream: SocketAddr, shared: Arc<Mutex<Shared>>) {
    let mut client = BufReader::new(client);
    let mut service: Option<BufReader<TcpStream>> = None;
    loop {
        let request = match read_message(&mut client, None).await {
            Ok(Some(m)) => m,
            _ => return,
        };
        let (fault, plan) = match shared.lock() {
            Ok(mut s) => (s.decide(), s.plan.clone()),
            Err(_) => return,
        };
        match fault {
            Fault::Unavailable => {
                let body = "injected 503: service unavailable\n";
                let retry = plan
                    .retry_after
                    .map(|s| format!("Retry-After: {s}\r\n"))
                    .unwrap_or_default();
                let resp = format!(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n{retry}Content-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                if client.get_mut().write_all(resp.as_bytes()).await.is_err() {
                    return;
                }
                continue;
            }
            Fault::ResetBefore => {
                if let Ok(mut s) = shared.lock() {
                    s.counts.resets_before += 1;
                }
                reset(client.into_inner());
                return;
            }
            _ => {}
        }
        if service.is_none() {
            match TcpStream::connect(upstream).await {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    service = Some(BufReader::new(s));
                }
                Err(_) => {
                    reset(client.into_inner());
                    return;
                }
            }
        }
        let Some(up) = service.as_mut() else { return };
        let sent = async {
            up.get_mut().write_all(&request.head).await?;
            up.get_mut().write_all(&request.body).await
        }
        .await;
        if sent.is_err() {
            reset(client.into_inner());
            return;
        }
        let response = match read_message(up, Some(&request.method)).await {
            Ok(Some(m)) => m,
            _ => {
                reset(client.into_inner());
                return;
            }
        };
        let counted = |f: fn(&mut FaultCounts)| {
            if let Ok(mut s) = shared.lock() {
                f(&mut s.counts);
            }
        };
        match fault {
            Fault::ResetAfter => {
                counted(|c| c.resets_after += 1);
                reset(client.into_inner());
                return;
            }
            Fault::Stall => {
                counted(|c| c.stalls += 1);
                tokio::time::sleep(plan.stall_for).await;
                return;
            }
            Fault::Truncate if response.body.len() >= 2 => {
                counted(|c| c.truncations += 1);
                let c = client.get_mut();
                let _ = c.write_all(&response.head).await;
                let _ = c.write_all(&response.body[..response.body.len() / 2]).await;
                let _ = c.flush().await;
                let _ = c.shutdown().await;
                return;
            }
            _ => {}
        }
        let c = client.get_mut();
        if c.write_all(&response.head).await.is_err() || c.write_all(&response.body).await.is_err()
        {
            return;
        }
        if !response.keep_alive || !request.keep_alive {
            let _ = c.shutdown().await;
            return;
        }
    }
}
