//! Harvesting europepmc against the loopback replay server.
