//! `search-api`: serve the HCS Research Index over HTTP. See the library docs for the API.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use search_api::config::Config;
use search_api::{router, serve_router, AppState};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("HCS_LOG")
                .unwrap_or_else(|_| EnvFilter::new("search_api=info,tower_http=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the index, binds, and serves until Ctrl-C or SIGTERM.
async fn run(config: Config) -> anyhow::Result<()> {
    let state = match AppState::open_with(&config.data_dir, config.api_settings()?) {
        Ok(state) => state,
        Err(error) if error.is_missing_index() => anyhow::bail!(
            "no index at {}; build one with `indexer ingest --data-dir {} <PubMed XML files or directories>`",
            config.data_dir.join("index").display(),
            config.data_dir.display()
        ),
        Err(error) => {
            return Err(error).with_context(|| {
                format!("opening the index in {}", config.data_dir.display())
            })
        }
    };
    let address = config.socket_addr();
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("binding {address}"))?;
    tracing::info!(
        address = %listener.local_addr().context("reading the bound address")?,
        documents = state.searcher().num_docs(),
        "serving the index"
    );
    serve_router(
        listener,
        router(state),
        config.serve_options(),
        shutdown_signal(),
    )
    .await;
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received"),
        () = terminate => tracing::info!("SIGTERM received"),
    }
}
