//! Harvesting oaipmh against the loopback replay server.
