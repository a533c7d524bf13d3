//! The HTTP server: an accept loop with a header-read timeout, an idle
//! timeout, connection caps (in all and per client address) and graceful
//! shutdown with a deadline.
//!
//! `axum::serve` installs no timer, so hyper never enforces a header-read timeout
//! and a client trickling a request head holds its connection forever (slow-loris).
//! Nor does anything close a connection that stays open doing nothing — an
//! HTTP/1 keep-alive or an HTTP/2 connection with no stream — so a few hundred
//! of them used to fill every slot and starve `/health`. This loop serves the
//! same router through hyper-util with a timer, and keeps a table of open
//! connections, each with its requests in flight and its last activity:
//!
//! - a connection idle (no request in flight, no response body still being
//!   sent) for `idle_timeout` is closed (HTTP/2 with a GOAWAY);
//! - a new connection over a cap (`max_connections`, or `max_connections_per_ip`
//!   for its address) takes the place of the longest-idle connection — of the
//!   same address for the per-address cap — and is refused only when every
//!   connection it could replace is busy, so idle connections can never lock
//!   out a client with a request to make;
//! - on shutdown it stops accepting, lets in-flight requests finish, and
//!   closes whatever is left when the deadline passes.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt;

use crate::app::router;
use crate::state::AppState;

/// How long a connection asked to close (idle, replaced) may take before it is dropped.
///
/// It has no request in flight, so nothing is lost; the grace only lets a
/// well-behaved client read the GOAWAY. hyper's HTTP/2 graceful shutdown waits
/// for a PING round trip that a silent client never answers, so the wait is short.
const CLOSE_GRACE: Duration = Duration::from_millis(250);

/// Limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Connections open at once; past it a new one replaces the longest-idle one.
    pub max_connections: usize,
    /// Connections open at once from one client address (same rule).
    pub max_connections_per_ip: usize,
    /// Time a client has to send a complete request head (HTTP/1).
    pub header_read_timeout: Duration,
    /// A connection with no request in flight for this long is closed.
    pub idle_timeout: Duration,
    /// After the shutdown signal, how long in-flight connections may take to finish.
    pub shutdown_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_connections: 512,
            max_connections_per_ip: 64,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// A server running on a background task, stopped by [`Running::stop`] (or on drop).
#[derive(Debug)]
pub struct Running {
    /// The address it listens on.
    pub address: std::net::SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// `http://<address>`, the base of every URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting, lets in-flight requests finish (up to the shutdown timeout) and waits.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Binds `address` (port 0 for any free port) and serves `app` there on a
/// background task: for embedding, tests and benchmarks.
pub async fn spawn(
    address: std::net::SocketAddr,
    app: Router,
    options: ServeOptions,
) -> io::Result<Running> {
    let listener = TcpListener::bind(address).await?;
    let address = listener.local_addr()?;
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(serve_router(listener, app, options, async {
        let _ = stop.await;
    }));
    Ok(Running {
        address,
        shutdown: Some(shutdown),
        task: Some(task),
    })
}

/// Serves [`router`]`(state)` on `listener` until `shutdown` completes, with default options.
pub async fn serve<F>(listener: TcpListener, state: AppState, shutdown: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_router(listener, router(state), ServeOptions::default(), shutdown).await;
}

/// Serves `app` on `listener` until `shutdown` completes, then drains connections.
///
/// Returns once every connection has closed or `options.shutdown_timeout` has passed
/// (remaining connections are then dropped).
pub async fn serve_router<F>(listener: TcpListener, app: Router, options: ServeOptions, shutdown: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let table = Arc::new(Mutex::new(Table::default()));
    let epoch = Instant::now();
    let (stop_tx, stop_rx) = watch::channel(());
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    if !is_per_connection_error(&error) {
                        // e.g. out of file descriptors: back off instead of spinning.
                        tracing::error!(%error, "accept failed; retrying in 1 s");
                        tokio::select! {
                            () = &mut shutdown => break,
                            () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        }
                    }
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let Some(slot) = Table::admit(&table, peer.ip(), &options, epoch) else {
            tracing::debug!(%peer, "every connection slot is busy; refusing");
            continue;
        };
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let activity = slot.activity.clone();
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let guard = Activity::begin(&activity, epoch);
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await?;
                // In flight until the body is sent (or the client goes).
                Ok::<_, std::convert::Infallible>(response.map(|body| {
                    Body::new(TrackedBody {
                        body,
                        _guard: guard,
                    })
                }))
            }
        });
        let builder = builder.clone();
        let mut stop = stop_rx.clone();
        let header_read_timeout = options.header_read_timeout;
        let idle_timeout = options.idle_timeout;
        connections.spawn(async move {
            let slot = slot;
            let started = tokio::select! {
                started = request_started(&stream, header_read_timeout) => started,
                () = slot.evicted.notified() => false,
            };
            if !started {
                tracing::debug!(%peer, "no request started in time; closing");
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            tokio::pin!(connection);
            let why = tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                    return;
                }
                _ = stop.changed() => "shutdown",
                () = slot.evicted.notified() => "replaced by a new connection",
                () = idle_for(&slot.activity, idle_timeout, epoch) => "idle",
            };
            tracing::debug!(%peer, why, "closing connection");
            connection.as_mut().graceful_shutdown();
            let grace = if why == "shutdown" {
                None
            } else {
                Some(CLOSE_GRACE)
            };
            let finished = async {
                if let Err(error) = connection.await {
                    tracing::debug!(%peer, %error, "connection ended with an error while closing");
                }
            };
            match grace {
                Some(grace) => {
                    let _ = tokio::time::timeout(grace, finished).await;
                }
                None => finished.await,
            }
        });
    }

    drop(listener);
    tracing::info!(
        open = connections.len(),
        "shutting down: no longer accepting connections"
    );
    // Ask every connection to finish its current request and close.
    let _ = stop_tx.send(());
    let drain = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(options.shutdown_timeout, drain)
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "shutdown deadline passed; closing remaining connections"
        );
        connections.shutdown().await;
    }
    tracing::info!("server stopped");
}

/// What one connection is doing: requests in flight and when it last did anything.
#[derive(Debug, Default)]
struct Activity {
    in_flight: AtomicUsize,
    /// Milliseconds since the server's epoch.
    last_active_ms: AtomicU64,
}

impl Activity {
    fn touch(&self, epoch: Instant) {
        let now = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_active_ms.store(now, Ordering::Relaxed);
    }

    fn begin(activity: &Arc<Activity>, epoch: Instant) -> InFlight {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        activity.touch(epoch);
        InFlight {
            activity: activity.clone(),
            epoch,
        }
    }

    fn is_idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    fn idle_since(&self, epoch: Instant) -> Instant {
        epoch + Duration::from_millis(self.last_active_ms.load(Ordering::Relaxed))
    }
}

/// One request in flight on a connection, until dropped with its response body.
struct InFlight {
    activity: Arc<Activity>,
    epoch: Instant,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.activity.touch(self.epoch);
        self.activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request counted as in flight until it is sent.
struct TrackedBody {
    body: Body,
    _guard: InFlight,
}

impl http_body::Body for TrackedBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Resolves once `activity` has had nothing in flight for `limit`.
async fn idle_for(activity: &Activity, limit: Duration, epoch: Instant) {
    loop {
        let deadline = if activity.is_idle() {
            let deadline = activity.idle_since(epoch) + limit;
            if Instant::now() >= deadline {
                return;
            }
            deadline
        } else {
            Instant::now() + limit
        };
        tokio::time::sleep_until(deadline).await;
    }
}

/// The open connections, by id, with their client address and activity.
#[derive(Default)]
struct Table {
    next_id: u64,
    open: HashMap<u64, Entry>,
    per_ip: HashMap<IpAddr, usize>,
}

struct Entry {
    ip: IpAddr,
    activity: Arc<Activity>,
    evicted: Arc<Notify>,
}

/// A connection's place in the [`Table`], given up when dropped.
struct Slot {
    id: u64,
    ip: IpAddr,
    table: Arc<Mutex<Table>>,
    activity: Arc<Activity>,
    evicted: Arc<Notify>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut table) = self.table.lock() {
            table.remove(self.id, self.ip);
        }
    }
}

impl Table {
    /// A slot for a new connection from `ip`, replacing the longest-idle
    /// connection when a cap is reached; `None` when all it could replace are busy.
    fn admit(
        table: &Arc<Mutex<Table>>,
        ip: IpAddr,
        options: &ServeOptions,
        epoch: Instant,
    ) -> Option<Slot> {
        let mut guard = table.lock().ok()?;
        let this = &mut *guard;
        let from_ip = this.per_ip.get(&ip).copied().unwrap_or(0);
        if from_ip >= options.max_connections_per_ip.max(1) {
            this.evict_idlest(Some(ip), epoch)?;
        } else if this.open.len() >= options.max_connections.max(1) {
            this.evict_idlest(None, epoch)?;
        }
        let id = this.next_id;
        this.next_id += 1;
        let activity = Arc::new(Activity::default());
        activity.touch(epoch);
        let evicted = Arc::new(Notify::new());
        this.open.insert(
            id,
            Entry {
                ip,
                activity: activity.clone(),
                evicted: evicted.clone(),
            },
        );
        *this.per_ip.entry(ip).or_default() += 1;
        Some(Slot {
            id,
            ip,
            table: table.clone(),
            activity,
            evicted,
        })
    }

    /// Asks the longest-idle connection (of `ip`, if given) to close and frees its place.
    fn evict_idlest(&mut self, ip: Option<IpAddr>, epoch: Instant) -> Option<()> {
        let (&id, entry) = self
            .open
            .iter()
            .filter(|(_, entry)| ip.is_none_or(|ip| entry.ip == ip) && entry.activity.is_idle())
            .min_by_key(|(_, entry)| entry.activity.idle_since(epoch))?;
        // notify_one stores a permit, so a task not yet waiting still sees it.
        entry.evicted.notify_one();
        let ip = entry.ip;
        self.remove(id, ip);
        Some(())
    }

    fn remove(&mut self, id: u64, ip: IpAddr) {
        if self.open.remove(&id).is_none() {
            return;
        }
        if let Some(count) = self.per_ip.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                self.per_ip.remove(&ip);
            }
        }
    }
}

/// Waits, at most `limit`, until the client's first bytes show which HTTP version it speaks.
///
/// hyper-util's version sniffing reads up to the 24-byte HTTP/2 preface with no
/// timeout, before hyper's header-read timeout is armed: a client that connects
/// and stays silent (or sends a partial preface) would hold its slot forever.
/// Peeking leaves the bytes in the socket for hyper to read.
async fn request_started(stream: &tokio::net::TcpStream, limit: Duration) -> bool {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    let wait = async {
        let mut buf = [0u8; PREFACE.len()];
        loop {
            let n = stream.peek(&mut buf).await?;
            if n == 0 {
                return Ok::<bool, io::Error>(false);
            }
            if n == PREFACE.len() || buf[..n] != PREFACE[..n] {
                return Ok(true);
            }
            // Part of the HTTP/2 preface: peeking again would return at once.
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    matches!(tokio::time::timeout(limit, wait).await, Ok(Ok(true)))
}

/// Errors that concern one incoming connection only; the listener itself is fine.
fn is_per_connection_error(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}
