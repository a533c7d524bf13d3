//! Harvesting nihr against the loopback replay server.
