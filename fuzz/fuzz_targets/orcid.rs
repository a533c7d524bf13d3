#![no_main]
//! Fuzz target `orcid`: see `hcs_research_index::fuzz::orcid_xml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::orcid_xml(data));
