//! What the JSON API and the pages both do: one home for each, so a page
//! never re-implements a route and a route never calls a page.

pub mod curation;
pub mod people;
pub mod records;
pub mod review;

/// Response header saying whether the stored tags are `current` or `stale`.
pub const TAGS_HEADER: &str = "x-tags-status";
