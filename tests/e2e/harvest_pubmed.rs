//! Harvesting pubmed against the loopback replay server.
