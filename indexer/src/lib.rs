//! # indexer
//!
//! The HCS Research Index's write side. Data flows one way through these
//! modules:
//!
//! 1. [`harvest`] fetches from the source APIs (paced, retried, archived,
//!    checkpointed) and [`sources`] parse each upstream format into
//! 2. [`records`], the canonical, documented serde model, whose identifiers
//!    are normalised by [`ids`];
//! 3. [`merge`] makes one record of the same work (or award) from several sources;
//! 4. [`index`] writes records into a tantivy index through a merging sink
//!    (upserts by stable id, atomic commits with checkpoints) and reads them back;
//! 5. [`links`] joins grants to their outputs (funder-reported or acknowledged);
//! 6. [`tagging`] decides which authors and grant people are healthcare
//!    scientists (roster matching, inference, curation), with evidence;
//! 7. [`metrics`] counts the Network's participation measures from tagged records,
//!    and [`people`] finds collaborators and builds profiles from them;
//! 8. [`ingest`] and [`cli`] tie the stages together for the `indexer` binary.
//!
//! ```no_run
//! use indexer::ingest::{ingest_files, IngestOptions};
//! use indexer::index::IndexStore;
//!
//! # fn main() -> anyhow::Result<()> {
//! let store = IndexStore::open_or_create(std::path::Path::new("data"))?;
//! let report = ingest_files(&store, &["pubmed.xml.gz".into()], &IngestOptions::default())?;
//! println!("{} records indexed", report.upserted);
//! # Ok(())
//! # }
//! ```

/// The shared model, re-exported so `indexer::records` and `crate::records` stay the paths.
pub use hcs_model::{
    clock, dates, employments, funders, ids, markup, published_names, records, redact, sheet,
    tabular, tags,
};

/// The index and its merge rules, re-exported so `indexer::index` and `crate::merge` stay the paths.
pub use hcs_index::{self as index, merge};

/// The sources, their harvest machinery and local-file ingest, re-exported so
/// `indexer::sources`, `crate::harvest` and `crate::ingest` stay the paths.
pub use hcs_sources::{self as sources, harvest, ingest};

/// The read model, re-exported so `indexer::metrics` and friends stay the paths.
pub use hcs_read::{links, metrics, people, report};

/// Tagging, re-exported so `indexer::tagging` and `crate::tagging` stay the paths.
pub use hcs_tagging as tagging;

pub mod cli;
pub mod retrieval;
