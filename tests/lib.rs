//! The root package: it owns the one end-to-end test binary (`tests/e2e`)
//! and the fuzz targets' bodies ([`fuzz`]), shared by `fuzz/` (libFuzzer, on
//! nightly) and the e2e corpus replay (stable, in CI).

pub mod fuzz;
