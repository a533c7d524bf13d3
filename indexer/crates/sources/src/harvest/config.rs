//! The shared parts of the harvest configuration: HTTP behaviour, index
//! writing, and the error a bad file or override gives. The whole file, with
//! every source's section, is [`crate::registry::HarvestConfig`].

use std::time::Duration;

use serde::Deserialize;

/// Deadlines, retry policy and identification shared by every source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Contact put in the User-Agent (`mailto:` address or URL), as every API's etiquette asks.
    pub contact: String,
    /// Seconds allowed to open a connection.
    pub connect_timeout_secs: f64,
    /// Seconds allowed between two reads of a response (stall detector).
    pub read_timeout_secs: f64,
    /// Seconds allowed for a whole request, body included.
    pub timeout_secs: f64,
    /// Tries per request, the first included.
    pub max_tries: u32,
    /// First backoff step in milliseconds (doubles each retry).
    pub backoff_base_ms: u64,
    /// Longest backoff step in milliseconds.
    pub backoff_cap_ms: u64,
    /// Longest `Retry-After` we wait; a longer one defers the source.
    pub retry_after_cap_secs: f64,
    /// Retries allowed per request sent in a run (0.2 = 20 %), on top of `retry_budget_min`.
    pub retry_budget_ratio: f64,
    /// Retries always allowed in a run.
    pub retry_budget_min: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            contact: "mailto:hcs-research-index@example.invalid".to_owned(),
            connect_timeout_secs: 10.0,
            read_timeout_secs: 30.0,
            timeout_secs: 120.0,
            max_tries: 5,
            backoff_base_ms: 1_000,
            backoff_cap_ms: 60_000,
            retry_after_cap_secs: 300.0,
            retry_budget_ratio: 0.5,
            retry_budget_min: 20,
        }
    }
}

impl HttpConfig {
    /// `hcs-research-index/<version> (+contact)`.
    pub fn user_agent(&self) -> String {
        format!(
            "hcs-research-index/{} (+https://example.invalid/hcs-research-index; {})",
            env!("CARGO_PKG_VERSION"),
            self.contact
        )
    }

    /// Connect deadline.
    pub fn connect_timeout(&self) -> Duration {
        secs(self.connect_timeout_secs)
    }

    /// Read (stall) deadline.
    pub fn read_timeout(&self) -> Duration {
        secs(self.read_timeout_secs)
    }

    /// Whole-request deadline.
    pub fn total_timeout(&self) -> Duration {
        secs(self.timeout_secs)
    }

    /// First backoff step.
    pub fn backoff_base(&self) -> Duration {
        Duration::from_millis(self.backoff_base_ms)
    }

    /// Longest backoff step.
    pub fn backoff_cap(&self) -> Duration {
        Duration::from_millis(self.backoff_cap_ms)
    }

    /// Longest `Retry-After` honoured.
    pub fn retry_after_cap(&self) -> Duration {
        secs(self.retry_after_cap_secs)
    }
}

fn secs(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(Duration::from_secs(1))
}

/// How harvests write the index.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexConfig {
    /// Shortest time between two index commits (seconds); a crash loses at
    /// most this much work, which the next run re-fetches from its checkpoint.
    pub commit_interval_secs: f64,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            commit_interval_secs: 2.0,
        }
    }
}

impl IndexConfig {
    /// The commit interval.
    pub fn commit_interval(&self) -> Duration {
        Duration::try_from_secs_f64(self.commit_interval_secs).unwrap_or(Duration::ZERO)
    }
}

/// A configuration that cannot be used: which file or variable, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file or an override is not valid configuration.
    #[error("{origin}: {message}")]
    Invalid {
        /// The file, or "environment".
        origin: String,
        /// What is wrong, naming the key.
        message: String,
    },
}
