//! End-to-end tests: the one integration-test binary of the workspace.
//!
//! Every test works on real recorded PubMed responses copied into
//! `fixtures/` (see `fixtures/PROVENANCE.md`), never on the network.

mod cli;
mod oracle;
mod pubmed_parser;
mod search_api;
mod support;
