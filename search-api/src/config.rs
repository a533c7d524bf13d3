//! Command-line and environment configuration of the `search-api` binary.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::serve::ServeOptions;
use crate::state::ApiSettings;

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
    /// Most connections served at once.
    #[arg(long, env = "HCS_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "HCS_REQUEST_TIMEOUT_SECS", default_value_t = 10)]
    pub request_timeout_secs: u64,
    /// Seconds a client has to send its request headers.
    #[arg(long, env = "HCS_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds in-flight requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "HCS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,
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
            header_read_timeout: Duration::from_secs(self.header_timeout_secs),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout_secs),
        }
    }

    /// The API limits.
    pub fn api_settings(&self) -> ApiSettings {
        ApiSettings {
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            ..ApiSettings::default()
        }
    }
}
