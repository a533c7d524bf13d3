//! The tantivy index: schema, record → document mapping, the store that
//! upserts, deletes, commits and reads records back, and the merging sink
//! every ingest and harvest writes through, with the merge rules it applies
//! (one record per work or award from several sources' versions).

pub mod document;
pub mod merge;
pub mod schema;
mod sink;
mod store;

pub use schema::Fields;
pub use sink::{RecordSink, SinkCounts, UpsertOutcome};
pub use store::{IndexError, IndexStore, IndexWriterSession, DOCUMENT_LAYOUT, LAYOUT_KEY};
