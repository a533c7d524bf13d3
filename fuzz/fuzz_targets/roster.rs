#![no_main]
//! Fuzz target `roster`: see `hcs_research_index::fuzz::roster_csv`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::roster_csv(data));
