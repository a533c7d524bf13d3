//! Command-line and environment configuration of the `search-api` binary.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::Context;
use std::time::Duration;

use clap::Parser;

use crate::serve::ServeOptions;
use crate::state::ApiSettings;
use crate::tokens::{parse_curator_tokens, CuratorToken, TokenDigest};

/// Serve the HCS Research Index over HTTP (read-only JSON API).
#[derive(Debug, Clone, Parser)]
#[command(name = "search-api", version, about)]
pub struct Config {
    /// IP address to listen on.
    #[arg(long, env = "HCS_BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, env = "HCS_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Data directory holding the index (as given to `indexer`).
    #[arg(long, env = "HCS_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Most connections open at once (past it, a new one replaces the longest-idle one).
    #[arg(long, env = "HCS_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Most connections open at once from one client address.
    #[arg(long, env = "HCS_MAX_CONNECTIONS_PER_IP", default_value_t = 64)]
    pub max_connections_per_ip: usize,
    /// Seconds a connection may stay open with no request before it is closed.
    #[arg(long, env = "HCS_IDLE_TIMEOUT_SECS", default_value_t = 30)]
    pub idle_timeout_secs: u64,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "HCS_REQUEST_TIMEOUT_SECS", default_value_t = 10)]
    pub request_timeout_secs: u64,
    /// Seconds a client has to send its request headers.
    #[arg(long, env = "HCS_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "HCS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,
    /// File of curators' bearer tokens, one `name:token` a line, or one token alone (or set
    /// HCS_CURATOR_TOKEN); none disables curation writes and the review queue.
    #[arg(long, env = "HCS_CURATOR_TOKEN_FILE")]
    pub curator_token_file: Option<PathBuf>,
    /// File holding the administrators' bearer token (or set HCS_ADMIN_TOKEN); none disables re-tagging.
    #[arg(long, env = "HCS_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
}

impl Config {
    /// The socket address to bind.
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }

    /// The HTTP server limits.
    pub fn serve_options(&self) -> ServeOptions {
        ServeOptions {
            max_connections: self.max_connections,
            max_connections_per_ip: self.max_connections_per_ip,
            idle_timeout: Duration::from_secs(self.idle_timeout_secs.max(1)),
            header_read_timeout: Duration::from_secs(self.header_timeout_secs),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout_secs),
        }
    }

    /// The API limits and write tokens. Tokens are read from their files or
    /// from the environment (never from the command line, where `ps` shows them).
    pub fn api_settings(&self) -> anyhow::Result<ApiSettings> {
        Ok(ApiSettings {
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            curators: curator_tokens(self.curator_token_file.as_deref(), "HCS_CURATOR_TOKEN")?,
            admin_token: token("admin", self.admin_token_file.as_deref(), "HCS_ADMIN_TOKEN")?,
            ..ApiSettings::default()
        })
    }
}

/// The text of a token file, or of the variable when no file is given.
fn token_text(role: &str, file: Option<&Path>, variable: &str) -> anyhow::Result<Option<String>> {
    Ok(match (file, std::env::var(variable)) {
        (Some(path), _) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the {role} token file {}", path.display()))?,
        ),
        (None, Ok(value)) => Some(value),
        (None, Err(_)) => None,
    })
}

fn token(
    role: &'static str,
    file: Option<&Path>,
    variable: &str,
) -> anyhow::Result<Option<TokenDigest>> {
    match token_text(role, file, variable)? {
        Some(text) => Ok(Some(TokenDigest::new(role, &text)?)),
        None => Ok(None),
    }
}

/// The curators' tokens, named (see [`parse_curator_tokens`]); none configured is none.
fn curator_tokens(file: Option<&Path>, variable: &str) -> anyhow::Result<Vec<CuratorToken>> {
    let Some(text) = token_text("curator", file, variable)? else {
        return Ok(Vec::new());
    };
    curator_tokens_from(&text)
}

/// Reads a curator token file: one `name:token` a line, or one token alone
/// (see [`parse_curator_tokens`]), as `--curator-token-file` does.
pub fn read_curator_token_file(path: &Path) -> anyhow::Result<Vec<CuratorToken>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the curator token file {}", path.display()))?;
    curator_tokens_from(&text)
}

fn curator_tokens_from(text: &str) -> anyhow::Result<Vec<CuratorToken>> {
    let tokens = parse_curator_tokens(text)?;
    // Names only: which curators can decide is worth a line in the log; their tokens never are.
    tracing::info!(
        curators = %tokens.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
        "curator tokens loaded"
    );
    Ok(tokens)
}
