//! End-to-end tests: the one integration-test binary of the workspace.
//!
//! Every test works on real recorded responses copied into `fixtures/` (see
//! `fixtures/PROVENANCE.md`), never on the network: harvesters talk to a
//! replay server on 127.0.0.1.

mod api_tagged;
mod cli;
mod fuzz_corpus;
mod grant_links;
mod harvest_europepmc;
mod harvest_gtr;
mod harvest_nihr;
mod harvest_oaipmh;
mod harvest_orcid;
mod harvest_pubmed;
mod harvest_roster;
mod harvest_roster_europepmc;
mod harvest_roster_grants;
mod hostile;
mod metrics_segments;
mod oracle;
mod pubmed_parser;
mod review_queue;
mod search_api;
mod server;
mod support;
mod tagging;
