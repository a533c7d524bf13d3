#![no_main]
//! Fuzz target `pubmed`: see `hcs_research_index::fuzz::pubmed_xml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::pubmed_xml(data));
