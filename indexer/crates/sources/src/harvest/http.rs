//! The one HTTP client every harvester uses: paced per host, deadlines on every
//! request, and retries of the whole unit of work — send, read the body, check it.
//!
//! A 200 is not success. A body cut short by a dropped connection reads as a
//! shorter body, or fails only when read; an E-utilities or OAI-PMH error can
//! arrive inside a 200. So the caller passes an `accept` function that parses
//! and checks the body for completeness, and a rejected body is retried like a
//! 503. Every complete-looking response is archived, with its request, before
//! it is parsed (see [`super::archive`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tracing::{debug, warn};

use super::archive::{ArchiveWriter, ArchivedRequest};
use super::config::HttpConfig;
use super::pace::Pacer;

/// HTTP method of a harvest request (all are idempotent reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET with query parameters.
    Get,
    /// POST with a form body (E-utilities id lists too long for a URL).
    Post,
}

/// One request to a source API.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// Source name: selects the pacing rate and the archive folder (e.g. "pubmed").
    pub source: String,
    /// What kind of response this is, so `reparse` knows how to read it (e.g. "efetch").
    pub kind: String,
    /// GET or POST.
    pub method: Method,
    /// Full URL without query string.
    pub url: String,
    /// Query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Form parameters (POST only).
    pub form: Vec<(String, String)>,
    /// Extra headers (e.g. `Accept`).
    pub headers: Vec<(String, String)>,
}

impl HttpRequest {
    /// A GET of `url` for `source`, archived under `kind`.
    pub fn get(source: &str, kind: &str, url: impl Into<String>) -> Self {
        Self {
            source: source.to_owned(),
            kind: kind.to_owned(),
            method: Method::Get,
            url: url.into(),
            query: Vec::new(),
            form: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// A POST of a form to `url`.
    pub fn post(source: &str, kind: &str, url: impl Into<String>) -> Self {
        Self {
            method: Method::Post,
            ..Self::get(source, kind, url)
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a form parameter.
    pub fn form(mut self, name: &str, value: impl Into<String>) -> Self {
        self.form.push((name.to_owned(), value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The URL with its query string, for messages (secrets masked).
    pub fn display_url(&self) -> String {
        let mut url = self.url.clone();
        let params: Vec<String> = self
            .query
            .iter()
            .map(|(name, value)| format!("{name}={}", super::archive::mask_secret(name, value)))
            .collect();
        if !params.is_empty() {
            url.push('?');
            url.push_str(&params.join("&"));
        }
        url
    }
}

/// A complete response, handed to the caller's `accept` function.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Bytes,
    /// The request URL (query string included, secrets masked), for error messages.
    pub url: String,
    /// When the response was received (RFC 3339, UTC): the `fetched_at` of records read
    /// from it, identical to the archived entry's so a reparse rebuilds the same records.
    pub fetched_at: String,
}

impl HttpResponse {
    /// First value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Rejects any status other than 2xx as a request the server refuses.
    pub fn require_success(&self) -> Result<(), Rejection> {
        if (200..300).contains(&self.status) {
            Ok(())
        } else {
            Err(Rejection::Refused(format!(
                "HTTP {}: {}",
                self.status,
                snippet(&self.body)
            )))
        }
    }

    /// The body as UTF-8 text (a decoding problem is a rejection, so it is retried).
    pub fn text(&self) -> Result<&str, Rejection> {
        std::str::from_utf8(&self.body)
            .map_err(|error| Rejection::Incomplete(format!("body is not UTF-8: {error}")))
    }
}

/// Why an `accept` function turned a response down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Truncated, incomplete or unparsable: fetch it again.
    Incomplete(String),
    /// The server refuses this request (bad query, unknown id): retrying cannot help.
    Refused(String),
}

/// A fetch that did not produce an accepted response.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Every try failed; the last failure is given.
    #[error("{url}: gave up after {attempts} tries: {last}")]
    Exhausted {
        /// The request.
        url: String,
        /// Tries made.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The server refused the request, or its answer can never be accepted.
    #[error("{url}: {message}")]
    Refused {
        /// The request.
        url: String,
        /// HTTP status of the refusal.
        status: u16,
        /// What the server or the check said.
        message: String,
    },
    /// The host asked us to wait longer than we are willing to (`Retry-After` over the cap).
    #[error("{url}: the server asked to wait {wait:?} (over the {cap:?} cap); source deferred")]
    Deferred {
        /// The request.
        url: String,
        /// The wait asked for.
        wait: Duration,
        /// Our cap.
        cap: Duration,
    },
    /// Too many retries in this run: the upstream looks broken, stop hammering it.
    #[error("{url}: retry budget exhausted ({retries} retries for {requests} requests)")]
    RetryBudget {
        /// The request.
        url: String,
        /// Retries so far.
        retries: u64,
        /// Requests so far.
        requests: u64,
    },
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// Archiving the raw response failed.
    #[error("archiving {url}: {source}")]
    Archive {
        /// The request.
        url: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Counts of what the client did, for the end-of-run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchStats {
    /// HTTP requests sent (tries, including retries).
    pub requests: u64,
    /// Responses accepted.
    pub accepted: u64,
    /// Tries that were retried (error status, timeout, cut or incomplete body).
    pub retried: u64,
    /// Fetches that failed for good.
    pub failed: u64,
    /// Body bytes received.
    pub bytes: u64,
}

/// The paced, retrying, archiving HTTP client shared by all harvesters.
pub struct HttpClient {
    client: reqwest::Client,
    config: HttpConfig,
    rates: HashMap<String, f64>,
    pacers: Mutex<HashMap<String, Arc<Pacer>>>,
    archive: Option<Arc<Mutex<ArchiveWriter>>>,
    stats: Mutex<FetchStats>,
    sleeps: Mutex<Vec<Duration>>,
}

impl HttpClient {
    /// Builds a client with `config`'s deadlines, a pacing rate per source, and an
    /// optional archive for raw responses.
    pub fn new(
        config: HttpConfig,
        rates: HashMap<String, f64>,
        archive: Option<ArchiveWriter>,
    ) -> Result<Self, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent())
            .connect_timeout(config.connect_timeout())
            .read_timeout(config.read_timeout())
            .timeout(config.total_timeout())
            .build()
            .map_err(|error| FetchError::Client(error.to_string()))?;
        Ok(Self {
            client,
            config,
            rates,
            pacers: Mutex::new(HashMap::new()),
            archive: archive.map(|archive| Arc::new(Mutex::new(archive))),
            stats: Mutex::new(FetchStats::default()),
            sleeps: Mutex::new(Vec::new()),
        })
    }

    /// What the client has done so far.
    pub fn stats(&self) -> FetchStats {
        *lock(&self.stats)
    }

    /// Every backoff sleep taken so far (for tests of the retry schedule).
    pub fn backoff_sleeps(&self) -> Vec<Duration> {
        lock(&self.sleeps).clone()
    }

    /// The pacer for the host of `request`, created at the source's rate.
    fn pacer(&self, request: &HttpRequest) -> Arc<Pacer> {
        let host = host_of(&request.url);
        let rate = self.rates.get(&request.source).copied().unwrap_or(1.0);
        Arc::clone(
            lock(&self.pacers)
                .entry(host)
                .or_insert_with(|| Arc::new(Pacer::new(rate))),
        )
    }

    /// Fetches `request` until `accept` takes the response, retrying transient
    /// failures with backoff and honouring `Retry-After`.
    pub async fn fetch<T>(
        &self,
        request: &HttpRequest,
        mut accept: impl FnMut(&HttpResponse) -> Result<T, Rejection>,
    ) -> Result<T, FetchError> {
        let pacer = self.pacer(request);
        let url = request.display_url();
        let max_tries = self.config.max_tries.max(1);
        let mut last = String::new();
        for attempt in 1..=max_tries {
            if attempt > 1 {
                self.check_budget(&url)?;
            }
            pacer.wait().await;
            lock(&self.stats).requests += 1;
            let outcome = self.try_once(request, &url).await;
            let failure = match outcome {
                Ok(response) => {
                    lock(&self.stats).bytes += response.body.len() as u64;
                    if let Some(wait) = self.retry_after(&response) {
                        let wait = wait?;
                        debug!(url = %url, status = response.status, ?wait, "server asked us to wait");
                        pacer.hold_for(wait).await;
                        last = format!("HTTP {} (Retry-After {wait:?})", response.status);
                        lock(&self.stats).retried += 1;
                        continue;
                    }
                    if is_retryable_status(response.status) {
                        format!("HTTP {}: {}", response.status, snippet(&response.body))
                    } else {
                        // Compress and store the response while `accept` parses it:
                        // both are CPU work on a multi-megabyte body, and the
                        // result is not handed back until the archive has it.
                        let archiving = self.start_archiving(request, &response);
                        let accepted = run_blocking(|| accept(&response));
                        self.finish_archiving(archiving, &response).await?;
                        match accepted {
                            Ok(value) => {
                                lock(&self.stats).accepted += 1;
                                return Ok(value);
                            }
                            Err(Rejection::Refused(message)) => {
                                lock(&self.stats).failed += 1;
                                return Err(FetchError::Refused {
                                    url,
                                    status: response.status,
                                    message,
                                });
                            }
                            Err(Rejection::Incomplete(message)) => message,
                        }
                    }
                }
                Err(message) => message,
            };
            warn!(url = %url, attempt, max_tries, failure = %failure, "fetch failed; will retry");
            last = failure;
            if attempt < max_tries {
                lock(&self.stats).retried += 1;
                let sleep = self.backoff(attempt);
                lock(&self.sleeps).push(sleep);
                tokio::time::sleep(sleep).await;
            }
        }
        lock(&self.stats).failed += 1;
        Err(FetchError::Exhausted {
            url,
            attempts: max_tries,
            last,
        })
    }

    /// One try: send, then read the whole body. Transport failures come back as text.
    async fn try_once(&self, request: &HttpRequest, url: &str) -> Result<HttpResponse, String> {
        let mut builder = match request.method {
            Method::Get => self.client.get(&request.url),
            Method::Post => self.client.post(&request.url).form(&request.form),
        };
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = builder.send().await.map_err(describe_transport)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.bytes().await.map_err(describe_transport)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
            url: url.to_owned(),
            fetched_at: hcs_model::clock::now_rfc3339(),
        })
    }

    /// `Some` when the response is a 429/503 carrying `Retry-After`: the wait, or
    /// `Deferred` when it is over the cap.
    fn retry_after(&self, response: &HttpResponse) -> Option<Result<Duration, FetchError>> {
        if !matches!(response.status, 429 | 503) {
            return None;
        }
        let wait = parse_retry_after(response.header("retry-after")?, SystemTime::now())?;
        let cap = self.config.retry_after_cap();
        Some(if wait > cap {
            lock(&self.stats).failed += 1;
            Err(FetchError::Deferred {
                url: response.url.clone(),
                wait,
                cap,
            })
        } else {
            Ok(wait)
        })
    }

    /// Exponential backoff with equal jitter: half the step fixed, half random, so
    /// delays grow but clients that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.config.backoff_base();
        let cap = self.config.backoff_cap();
        let step = base
            .checked_mul(1u32 << attempt.saturating_sub(1).min(20))
            .unwrap_or(cap)
            .min(cap);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }

    fn check_budget(&self, url: &str) -> Result<(), FetchError> {
        let stats = *lock(&self.stats);
        let allowed = self.config.retry_budget_min
            + (stats.requests as f64 * self.config.retry_budget_ratio) as u64;
        if stats.retried > allowed {
            return Err(FetchError::RetryBudget {
                url: url.to_owned(),
                retries: stats.retried,
                requests: stats.requests,
            });
        }
        Ok(())
    }

    /// Ends the archive's zstd streams, so the run's responses read back
    /// complete before the client is dropped (a later append starts a new frame).
    pub fn close_archive(&self) -> std::io::Result<()> {
        match &self.archive {
            Some(archive) => lock(archive).finish(),
            None => Ok(()),
        }
    }

    fn start_archiving(
        &self,
        request: &HttpRequest,
        response: &HttpResponse,
    ) -> Option<tokio::task::JoinHandle<std::io::Result<()>>> {
        let archive = Arc::clone(self.archive.as_ref()?);
        let request = request.clone();
        let response = response.clone();
        Some(tokio::task::spawn_blocking(move || {
            let entry = ArchivedRequest::from_exchange(&request, &response);
            lock(&archive).append(&entry)
        }))
    }

    async fn finish_archiving(
        &self,
        archiving: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
        response: &HttpResponse,
    ) -> Result<(), FetchError> {
        let Some(handle) = archiving else {
            return Ok(());
        };
        let written = handle
            .await
            .unwrap_or_else(|error| Err(std::io::Error::other(error.to_string())));
        written.map_err(|source| FetchError::Archive {
            url: response.url.clone(),
            source,
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs CPU-heavy work (parsing a multi-megabyte body) without stalling the
/// runtime: on a multi-threaded runtime the worker hands its other tasks —
/// pacer wake-ups among them — to another thread first, so other requests
/// still go out on time.
fn run_blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(work)
        }
        _ => work(),
    }
}

fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

fn describe_transport(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "body cut short"
    } else {
        "request failed"
    };
    let mut message = format!("{kind}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    message
}

/// The `host:port` a URL points at: the key of its pacer.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_ascii_lowercase()
}

/// Parses `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The start of a body, for error messages.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn hosts_key_pacers() {
        assert_eq!(
            host_of("https://EUTILS.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi"),
            "eutils.ncbi.nlm.nih.gov"
        );
        assert_eq!(host_of("http://127.0.0.1:8080?x=1"), "127.0.0.1:8080");
    }
}
