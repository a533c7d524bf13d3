//! The JSON API's handlers, one module per resource; [`crate::app`] mounts them.

pub mod curation;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod people;
pub mod records;
pub mod review;
pub mod search;
