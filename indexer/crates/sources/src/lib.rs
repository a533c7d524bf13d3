//! Sources: one module per upstream system, each with its parser (bytes →
//! [`hcs_model::records`]) and its harvester (protocol client over
//! [`harvest`]: paced, retried, archived, checkpointed); [`registry`] lists
//! them for configuration, and [`ingest`] indexes local PubMed files.

pub mod affiliation;
mod buffered;
pub mod europepmc;
pub mod gtr;
pub mod harvest;
pub mod inflate;
pub mod ingest;
pub mod local;
pub mod nihr;
pub mod oaipmh;
pub mod orcid;
pub mod pubmed;
pub mod registry;
pub mod xml;
