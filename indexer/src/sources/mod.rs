//! Sources: parsers (and, later, clients) for each upstream format. Each
//! source maps its records into [`crate::records`].

pub mod affiliation;
pub mod pubmed;
pub mod xml;
