//! Harvesting gtr against the loopback replay server.
