//! Response bodies as types: what the service answers, serialised as is.

pub mod curation;
pub mod metrics;
pub mod people;
pub mod records;
pub mod review;
