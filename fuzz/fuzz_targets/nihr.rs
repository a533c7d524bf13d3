#![no_main]
//! Fuzz target `nihr`: see `hcs_research_index::fuzz::nihr_json`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::nihr_json(data));
