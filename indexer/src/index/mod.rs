//! The tantivy index: schema, record → document mapping, and the store that
//! upserts, deletes, commits and reads records back.

pub mod document;
pub mod schema;
mod store;

pub use schema::Fields;
pub use store::{IndexError, IndexStore, IndexWriterSession};
