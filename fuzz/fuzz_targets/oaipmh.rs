#![no_main]
//! Fuzz target `oaipmh`: see `hcs_research_index::fuzz::oaipmh_xml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| hcs_research_index::fuzz::oaipmh_xml(data));
