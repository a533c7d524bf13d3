//! The HTTP server: an accept loop with a header-read timeout, a connection cap
//! and graceful shutdown with a deadline.
//!
//! `axum::serve` installs no timer, so hyper never enforces a header-read timeout
//! and a client trickling a request head holds its connection forever (slow-loris).
//! This loop serves the same router through hyper-util with a timer, caps open
//! connections, and on shutdown stops accepting, lets in-flight requests finish,
//! and closes whatever is left when the deadline passes.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::routes::router;
use crate::state::AppState;

/// Limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Connections served at once; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Time a client has to send a complete request head (HTTP/1).
    pub header_read_timeout: Duration,
    /// After the shutdown signal, how long in-flight connections may take to finish.
    pub shutdown_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
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
    let slots = Arc::new(Semaphore::new(options.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(());
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);

    loop {
        let slot = tokio::select! {
            biased;
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_closed) => break,
            },
        };
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
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            app.clone().oneshot(request)
        });
        let builder = builder.clone();
        let mut stop = stop_rx.clone();
        let header_read_timeout = options.header_read_timeout;
        connections.spawn(async move {
            let _slot = slot;
            if !request_started(&stream, header_read_timeout).await {
                tracing::debug!(%peer, "no request started in time; closing");
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
                .into_owned();
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                    return;
                }
                _ = stop.changed() => {}
            }
            connection.as_mut().graceful_shutdown();
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended with an error during shutdown");
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
