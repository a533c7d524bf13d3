#![no_main]
//! Fuzz target `query`: see `hcs_research_index::fuzz::query`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::query(data));
