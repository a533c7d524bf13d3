#![no_main]
//! Fuzz target `europepmc`: see `hcs_research_index::fuzz::europepmc_json`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::europepmc_json(data));
