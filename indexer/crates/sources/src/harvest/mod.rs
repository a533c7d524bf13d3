//! Harvesting: pulling records from the source APIs, politely and resumably.
//!
//! Every source harvester (in [`crate`]) is written against the same
//! three pieces:
//!
//! - [`http::HttpClient`] — paced per host, deadlines on every request,
//!   `Retry-After` honoured, and retries of the whole unit (send, read, check);
//! - [`archive`] — every response kept, compressed, before it is parsed, so
//!   `indexer reparse` rebuilds records without the network;
//! - [`hcs_index::RecordSink`] — records merged across sources and upserted,
//!   with the source's checkpoint committed in the same atomic tantivy commit,
//!   so a harvest killed at any point resumes where its last commit ended.
//!
//! A harvester's contract: fetch in the protocol's largest pages, upsert what
//! each page holds, then `commit` with the checkpoint that says how far it got.

pub mod archive;
pub mod config;
pub mod http;
pub mod pace;

use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};

pub use config::{ConfigError, HttpConfig, IndexConfig};
use hcs_index::{IndexError, RecordSink, SinkCounts};
pub use http::{FetchError, FetchStats, HttpClient, HttpRequest, HttpResponse, Rejection};

/// Why a harvest stopped early. Records committed before the stop are kept.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    /// A request failed for good (after retries), was refused, or the source was deferred.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The index could not be written.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A response was accepted but its content is unusable (names where).
    #[error("{source_name}: {location}: {message}")]
    Source {
        /// Source name.
        source_name: String,
        /// URL or archive entry.
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A query the source rewrote or could not run as written (e.g. PubMed `PhraseNotFound`).
    #[error("{source_name}: query {query:?} not run as written: {message}")]
    Query {
        /// Source name.
        source_name: String,
        /// The query as given.
        query: String,
        /// The source's warnings or errors.
        message: String,
    },
    /// Bad arguments or configuration for this source.
    #[error("{0}")]
    Usage(String),
}

impl HarvestError {
    /// True when the source asked us to come back later (not a failure of ours).
    pub fn is_deferred(&self) -> bool {
        matches!(self, HarvestError::Fetch(FetchError::Deferred { .. }))
    }
}

/// One harvest run: the client, the sink, and a progress display.
pub struct HarvestRun<'a> {
    /// The shared HTTP client (shared with fetches running ahead as tasks).
    pub http: Arc<HttpClient>,
    /// Where records go.
    pub sink: RecordSink<'a>,
    /// Progress (hidden unless interactive).
    pub progress: ProgressBar,
    /// Source warnings that did not stop the run (e.g. a query translation), for the summary.
    pub warnings: Vec<String>,
}

impl<'a> HarvestRun<'a> {
    /// Starts a run; `interactive` shows a progress bar on stderr.
    pub fn new(http: HttpClient, sink: RecordSink<'a>, interactive: bool) -> Self {
        let progress = if interactive {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {pos} records {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        } else {
            ProgressBar::hidden()
        };
        Self {
            http: Arc::new(http),
            sink,
            progress,
            warnings: Vec::new(),
        }
    }

    /// Records a warning for the summary (and the log).
    pub fn warn(&mut self, message: impl Into<String>) {
        let message = message.into();
        tracing::warn!("{message}");
        self.warnings.push(message);
    }

    /// The checkpoint `source` committed under `key`, read as `T`. One this
    /// build cannot read (another layout, a hand edit) is warned about, by
    /// key and reason, and treated as absent: the source starts over rather
    /// than guess where it was.
    pub fn checkpoint<T: serde::de::DeserializeOwned>(
        &mut self,
        source: &str,
        key: &str,
    ) -> Option<T> {
        let value = self.sink.checkpoint(key)?.clone();
        match serde_json::from_value(value) {
            Ok(checkpoint) => Some(checkpoint),
            Err(error) => {
                self.warn(format!(
                    "{source}: unreadable checkpoint {key} ({error}); starting over"
                ));
                None
            }
        }
    }

    /// Commits the staged records with `checkpoint` stored under `key`, atomically.
    pub fn commit_checkpoint(
        &mut self,
        source: &str,
        key: &str,
        checkpoint: &impl serde::Serialize,
    ) -> Result<(), HarvestError> {
        let value = serde_json::to_value(checkpoint).map_err(|error| HarvestError::Source {
            source_name: source.to_owned(),
            location: key.to_owned(),
            message: error.to_string(),
        })?;
        self.sink.commit(Some((key, value)))?;
        Ok(())
    }

    /// The end-of-run summary.
    pub fn summary(&self) -> HarvestSummary {
        HarvestSummary {
            fetch: self.http.stats(),
            records: self.sink.counts(),
            warnings: self.warnings.clone(),
        }
    }
}

/// What a harvest did: fetched, new, updated, deleted, failed, retried.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HarvestSummary {
    /// HTTP activity.
    pub fetch: FetchStats,
    /// Record changes.
    pub records: SinkCounts,
    /// Warnings raised by sources.
    pub warnings: Vec<String>,
}

impl std::fmt::Display for HarvestSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "fetched {} responses ({} requests, {} bytes); records: {} new, {} updated, {} unchanged, {} deleted; {} failed, {} retried",
            self.fetch.accepted,
            self.fetch.requests,
            self.fetch.bytes,
            self.records.new,
            self.records.updated,
            self.records.unchanged,
            self.records.deleted,
            self.fetch.failed,
            self.fetch.retried
        )
    }
}

/// What a reparse of one source's archive did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReparseReport {
    /// Archived responses read.
    pub responses: u64,
    /// Records upserted from them.
    pub records: u64,
    /// Archived responses that could not be used (a truncated body that was
    /// retried at the time, say), each naming the entry and the problem.
    pub skipped: Vec<String>,
}
