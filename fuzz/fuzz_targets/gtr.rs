#![no_main]
//! Fuzz target `gtr`: see `hcs_research_index::fuzz::gtr_json`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::gtr_json(data));
