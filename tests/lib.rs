//! Shared helpers for the end-to-end test binary live in `tests/e2e`; this crate has no library code.
