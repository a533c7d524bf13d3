//! The model every layer of the HCS Research Index shares, below them all:
//! records as sources give them and the index stores them, their
//! identifiers, the tag a person carries, date spans, published names, and
//! the small pure helpers (redaction, markup, CSV) the read and write sides
//! both use. Nothing here does I/O beyond what a caller hands in, except
//! the one small file of harvested employments tagging reads ([`employments`]).

pub mod clock;
pub mod dates;
pub mod employments;
pub mod funders;
pub mod ids;
pub mod markup;
pub mod published_names;
pub mod records;
pub mod redact;
pub mod sheet;
pub mod tabular;
pub mod tags;
