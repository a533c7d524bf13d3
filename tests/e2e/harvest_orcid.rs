//! Harvesting orcid against the loopback replay server.
