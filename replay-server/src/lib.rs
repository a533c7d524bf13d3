//! A loopback HTTP/1.1 server that answers like a real API, from recorded responses,
//! and misbehaves on request.
//!
//! Harvester tests and benchmarks never touch the internet: they point a
//! harvester's base URL at a [`ReplayServer`], whose handler serves recorded
//! real responses (or a protocol simulator built from them). Faults are
//! injected per path — error statuses with `Retry-After`, truncated bodies
//! (short `Content-Length`, cut chunked body, close-delimited cut), slow and
//! stalled responses, dropped connections — and every request is logged with
//! its arrival time, so tests can assert pacing and retry behaviour.
//!
//! The HTTP handling is written by hand on a TCP socket on purpose: a framework
//! would refuse to send the broken responses the tests need.
//!
//! ```no_run
//! use replay_server::{Fault, ReplayServer, Response};
//!
//! let server = ReplayServer::start(|request| {
//!     if request.path.ends_with("/esearch.fcgi") {
//!         Response::ok("text/xml", "<eSearchResult><Count>0</Count></eSearchResult>")
//!     } else {
//!         Response::not_found()
//!     }
//! });
//! server.inject("/esearch.fcgi", Fault::status(503).retry_after("1"), 1);
//! println!("base URL: {}", server.base_url());
//! ```
//!
//! Protocol simulators over the recorded files in `fixtures/`, one module per
//! source, each loaded from a fixtures directory: [`pubmed`], [`europepmc`],
//! [`gtr`], [`nihr`], [`orcid`] and [`oaipmh`] ([`pubmed_query`] evaluates
//! PubMed's search language for [`pubmed`], [`europepmc_query`] Europe PMC's
//! for [`europepmc`]). [`router::Router`] serves them
//! all at once under the path prefixes the harvesters' configs use (the
//! `replay-server` binary).

pub mod europepmc;
pub mod europepmc_query;
pub mod gtr;
pub mod nihr;
pub mod oaipmh;
pub mod orcid;
pub mod pubmed;
pub mod pubmed_query;
pub mod router;

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Largest request head accepted; bigger requests get 431 and the connection closes.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Largest request body accepted (POSTed id lists are well below this).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A parsed request, as the handler sees it.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, percent-decoded, without the query string.
    pub path: String,
    /// Query parameters in order, percent-decoded (`+` is a space).
    pub query: Vec<(String, String)>,
    /// Form parameters of an `application/x-www-form-urlencoded` body, decoded.
    pub form: Vec<(String, String)>,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of parameter `name`, from the query string or else the form body.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// A recorded file a simulator could not load, named.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The file was read but is not what the simulator expects.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
}

impl LoadError {
    /// An [`LoadError::Invalid`] for `path`.
    pub fn invalid(path: &Path, message: impl Into<String>) -> Self {
        LoadError::Invalid {
            path: path.to_owned(),
            message: message.into(),
        }
    }
}

/// Reads a recorded text file.
pub(crate) fn read_text(path: &Path) -> Result<String, LoadError> {
    std::fs::read_to_string(path).map_err(|source| LoadError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Reads a recorded JSON file.
pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, LoadError> {
    let text = read_text(path)?;
    serde_json::from_str(&text)
        .map_err(|error| LoadError::invalid(path, format!("not JSON: {error}")))
}

/// A response the handler wants sent.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Extra headers (`Content-Length` is added by the server).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// 200 with a content type and body.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::status(200, body).header("content-type", content_type)
    }

    /// Any status with a body.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// 404 with a plain-text body.
    pub fn not_found() -> Self {
        Self::status(404, "no recorded response for this request")
            .header("content-type", "text/plain")
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// How a response is framed when a fault cuts it short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length` announces the whole body; fewer bytes arrive, then the connection closes.
    ContentLength,
    /// `Transfer-Encoding: chunked`, cut mid-chunk, then the connection closes.
    Chunked,
    /// No length at all: the body ends when the connection closes (a silent truncation).
    CloseDelimited,
}

/// Something that goes wrong with one response.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status (and optional `Retry-After`) instead of the real response.
    Status {
        /// The status code (429, 500, 503, …).
        status: u16,
        /// `Retry-After` header value, verbatim (delta-seconds or an HTTP-date).
        retry_after: Option<String>,
        /// Body to send.
        body: Vec<u8>,
    },
    /// Send the real response but only its first `bytes` body bytes.
    Truncate {
        /// Body bytes sent before the cut.
        bytes: usize,
        /// How the response is framed.
        framing: Framing,
    },
    /// Wait this long before answering normally.
    Delay(Duration),
    /// Send the status line and headers, then nothing, then close after this long.
    StallAfterHeaders(Duration),
    /// Close the connection without answering.
    Drop,
    /// Replace the body with this one (e.g. an HTML error page with status 200).
    ReplaceBody(Vec<u8>),
}

impl Fault {
    /// A bare error status.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
            body: Vec::new(),
        }
    }

    /// Adds `Retry-After` to a [`Fault::Status`].
    pub fn retry_after(self, value: &str) -> Self {
        match self {
            Fault::Status { status, body, .. } => Fault::Status {
                status,
                retry_after: Some(value.to_owned()),
                body,
            },
            other => other,
        }
    }

    fn label(&self) -> String {
        match self {
            Fault::Status { status, .. } => format!("status {status}"),
            Fault::Truncate { bytes, framing } => format!("truncate {bytes} {framing:?}"),
            Fault::Delay(delay) => format!("delay {delay:?}"),
            Fault::StallAfterHeaders(_) => "stall".to_owned(),
            Fault::Drop => "drop".to_owned(),
            Fault::ReplaceBody(_) => "replace body".to_owned(),
        }
    }
}

/// Which requests a fault rule applies to.
#[derive(Debug, Clone)]
struct FaultRule {
    path_contains: String,
    fault: Fault,
    selection: Selection,
}

#[derive(Debug, Clone)]
enum Selection {
    /// Matching requests after the first `skip`, `times` of them.
    Next { skip: usize, times: usize },
    /// Each matching request with this probability, from a seeded generator.
    Random { percent: u32, state: u64 },
}

/// One request the server received, and what it did with it.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// When the request head was fully read.
    pub at: Instant,
    /// The request.
    pub request: Request,
    /// The fault applied, if any (e.g. "status 429").
    pub fault: Option<String>,
    /// Status sent (0 when the connection was dropped).
    pub status: u16,
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    rules: Mutex<Vec<FaultRule>>,
    log: Mutex<Vec<LoggedRequest>>,
}

/// A running replay server; it stops when dropped.
pub struct ReplayServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ReplayServer {
    /// Starts a server on a free 127.0.0.1 port, answering every request with `handler`.
    ///
    /// The server runs on its own thread and runtime, so it works from plain and async tests.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound (use [`ReplayServer::bind`] to handle that).
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        Self::bind(SocketAddr::from(([127, 0, 0, 1], 0)), handler).expect("bind 127.0.0.1:0")
    }

    /// Starts a server listening on `addr` (port 0: a free one), answering every request with `handler`.
    ///
    /// The server runs on its own thread and runtime until dropped.
    pub fn bind(
        addr: SocketAddr,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> io::Result<Self> {
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            rules: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
        });
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("replay-worker")
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (shutdown, mut stop) = tokio::sync::oneshot::channel::<()>();
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("replay-server".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    loop {
                        tokio::select! {
                            _ = &mut stop => break,
                            accepted = listener.accept() => {
                                if let Ok((stream, _)) = accepted {
                                    let shared = Arc::clone(&thread_shared);
                                    tokio::spawn(async move {
                                        let _ = serve_connection(stream, shared).await;
                                    });
                                }
                            }
                        }
                    }
                });
                runtime.shutdown_timeout(Duration::from_millis(100));
            })?;
        Ok(Self {
            addr,
            shared,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Applies `fault` to the next `times` requests whose path contains `path_contains`.
    pub fn inject(&self, path_contains: &str, fault: Fault, times: usize) {
        lock(&self.shared.rules).push(FaultRule {
            path_contains: path_contains.to_owned(),
            fault,
            selection: Selection::Next { skip: 0, times },
        });
    }

    /// Lets the first `skip` matching requests through, then applies `fault` to the next `times`.
    pub fn inject_after(&self, path_contains: &str, fault: Fault, skip: usize, times: usize) {
        lock(&self.shared.rules).push(FaultRule {
            path_contains: path_contains.to_owned(),
            fault,
            selection: Selection::Next { skip, times },
        });
    }

    /// Applies `fault` to each matching request with probability `percent`/100, seeded.
    pub fn inject_random(&self, path_contains: &str, fault: Fault, percent: u32, seed: u64) {
        lock(&self.shared.rules).push(FaultRule {
            path_contains: path_contains.to_owned(),
            fault,
            selection: Selection::Random {
                percent,
                state: seed.max(1),
            },
        });
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.shared.rules).clear();
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Number of requests received so far whose path contains `path_contains`.
    pub fn count(&self, path_contains: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|logged| logged.request.path.contains(path_contains))
            .count()
    }

    /// Forgets the request log.
    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking test thread must not wedge the server for the others.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn pick_fault(shared: &Shared, path: &str) -> Option<Fault> {
    let mut rules = lock(&shared.rules);
    let mut chosen = None;
    for rule in rules.iter_mut() {
        if !path.contains(&rule.path_contains) {
            continue;
        }
        match &mut rule.selection {
            Selection::Next { skip, times } => {
                if *skip > 0 {
                    *skip -= 1;
                } else if *times > 0 {
                    *times -= 1;
                    chosen = Some(rule.fault.clone());
                    break;
                }
            }
            Selection::Random { percent, state } => {
                // xorshift64: deterministic for a seed, good enough for fault sampling.
                *state ^= *state << 13;
                *state ^= *state >> 7;
                *state ^= *state << 17;
                if (*state % 100) < u64::from(*percent) {
                    chosen = Some(rule.fault.clone());
                    break;
                }
            }
        }
    }
    rules.retain(|rule| !matches!(rule.selection, Selection::Next { skip: 0, times: 0 }));
    chosen
}

async fn serve_connection(mut stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    // Head and body go out in separate writes: without NODELAY the body waits
    // for the client's delayed ACK (~40 ms a response).
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(8192);
    loop {
        let Some(request) = read_request(&mut stream, &mut buffer).await? else {
            return Ok(());
        };
        let at = Instant::now();
        let fault = pick_fault(&shared, &request.path);
        let label = fault.as_ref().map(Fault::label);
        let mut response = match &fault {
            Some(Fault::Status {
                status,
                retry_after,
                body,
            }) => {
                let mut response = Response::status(*status, body.clone());
                if let Some(value) = retry_after {
                    response = response.header("retry-after", value);
                }
                response
            }
            _ => (shared.handler)(&request),
        };
        if let Some(Fault::ReplaceBody(body)) = &fault {
            response.body = body.clone();
        }
        let status = if matches!(fault, Some(Fault::Drop)) {
            0
        } else {
            response.status
        };
        lock(&shared.log).push(LoggedRequest {
            at,
            request,
            fault: label,
            status,
        });
        match fault {
            Some(Fault::Drop) => return Ok(()),
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                write_response(&mut stream, &response).await?;
            }
            Some(Fault::StallAfterHeaders(stall)) => {
                let head = response_head(&response, Some(response.body.len()), false);
                stream.write_all(head.as_bytes()).await?;
                stream.flush().await?;
                tokio::time::sleep(stall).await;
                return Ok(());
            }
            Some(Fault::Truncate { bytes, framing }) => {
                write_truncated(&mut stream, &response, bytes, framing).await?;
                return Ok(());
            }
            _ => write_response(&mut stream, &response).await?,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn response_head(response: &Response, content_length: Option<usize>, close: bool) -> String {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(length) = content_length {
        head.push_str(&format!("content-length: {length}\r\n"));
    }
    if close {
        head.push_str("connection: close\r\n");
    }
    head.push_str("\r\n");
    head
}

async fn write_response(stream: &mut TcpStream, response: &Response) -> io::Result<()> {
    let head = response_head(response, Some(response.body.len()), false);
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&response.body).await?;
    stream.flush().await
}

async fn write_truncated(
    stream: &mut TcpStream,
    response: &Response,
    bytes: usize,
    framing: Framing,
) -> io::Result<()> {
    let cut = bytes.min(response.body.len());
    match framing {
        Framing::ContentLength => {
            let head = response_head(response, Some(response.body.len()), true);
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&response.body[..cut]).await?;
        }
        Framing::Chunked => {
            let mut with_encoding = response.clone();
            with_encoding
                .headers
                .push(("transfer-encoding".to_owned(), "chunked".to_owned()));
            let head = response_head(&with_encoding, None, true);
            stream.write_all(head.as_bytes()).await?;
            // Announce the whole body as one chunk, then send only part of it.
            stream
                .write_all(format!("{:x}\r\n", response.body.len()).as_bytes())
                .await?;
            stream.write_all(&response.body[..cut]).await?;
        }
        Framing::CloseDelimited => {
            let head = response_head(response, None, true);
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&response.body[..cut]).await?;
        }
    }
    stream.flush().await?;
    stream.shutdown().await
}

/// Reads one request; `None` when the client closed the connection between requests.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Option<Request>> {
    let head_end = loop {
        if let Some(position) = find(buffer, b"\r\n\r\n") {
            break position;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            let response = Response::status(431, "request head too large");
            stream
                .write_all(response_head(&response, Some(response.body.len()), true).as_bytes())
                .await?;
            stream.write_all(&response.body).await?;
            return Ok(None);
        }
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let content_length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY_BYTES);
    let body_start = head_end + 4;
    while buffer.len() < body_start + content_length {
        let mut chunk = [0u8; 8192];
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer[body_start..body_start + content_length].to_vec();
    buffer.drain(..body_start + content_length);
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, parse_urlencoded(query)),
        None => (target.as_str(), Vec::new()),
    };
    let is_form = headers.iter().any(|(name, value)| {
        name == "content-type" && value.starts_with("application/x-www-form-urlencoded")
    });
    let form = if is_form {
        parse_urlencoded(&String::from_utf8_lossy(&body))
    } else {
        Vec::new()
    };
    Ok(Some(Request {
        method,
        path: percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned(),
        query,
        form,
        headers,
        body,
    }))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Parses `a=1&b=x+y` into decoded pairs (a malformed escape is kept as written).
pub fn parse_urlencoded(text: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_query_strings() {
        assert_eq!(
            parse_urlencoded("term=a+b%22c&x=%2A"),
            vec![
                ("term".to_owned(), "a b\"c".to_owned()),
                ("x".to_owned(), "*".to_owned())
            ]
        );
        assert_eq!(
            parse_urlencoded("a=100%&b=%4&&c"),
            vec![
                ("a".to_owned(), "100%".to_owned()),
                ("b".to_owned(), "%4".to_owned()),
                ("c".to_owned(), String::new())
            ]
        );
    }
}
