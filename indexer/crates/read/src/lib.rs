//! The read model: what the Network's analysts, R&D directors and scientists
//! ask of the tagged index, computed the same way for the `indexer` CLI and
//! for the service.
//!
//! * [`metrics`] counts the participation measures (a)(b)(c) by year,
//!   organisation, division and discipline, with drill-downs;
//! * [`people`] ranks collaborators on a topic and builds profiles;
//! * [`links`] joins grants to their outputs (funder-reported or acknowledged);
//! * [`report`] renders the annual report from the metrics;
//! * [`search`] parses bounded user queries and collects a page of hits
//!   with facets and highlights.

pub mod links;
pub mod metrics;
pub mod people;
pub mod report;
pub mod search;
