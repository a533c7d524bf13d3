//! # indexer
//!
//! The HCS Research Index's write side. Data flows one way through these
//! modules:
//!
//! 1. [`sources`] read upstream formats (PubMed XML today) into
//! 2. [`records`], the canonical, documented serde model, whose identifiers
//!    are normalised by [`ids`];
//! 3. [`index`] writes records into a tantivy index (schema, upserts by
//!    stable id, atomic commits) and reads them back for export;
//! 4. [`ingest`] ties the stages together for the `indexer` binary.
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

pub mod cli;
pub mod clock;
pub mod ids;
pub mod index;
pub mod ingest;
pub mod records;
pub mod sources;
