//! Sources: one module per upstream system, each with its parser (bytes →
//! [`crate::records`]) and its harvester (protocol client over
//! [`crate::harvest`]).

pub mod affiliation;
pub mod europepmc;
pub mod gtr;
pub mod local;
pub mod nihr;
pub mod oaipmh;
pub mod orcid;
pub mod pubmed;
pub mod registry;
pub mod xml;
