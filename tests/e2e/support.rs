//! Shared helpers: fixture paths and parsing a file into its items.

use std::path::{Path, PathBuf};

use indexer::records::Publication;
use indexer::sources::pubmed::{self, PubmedError, PubmedItem};

/// The repository's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A fixture file by its path under `fixtures/`.
pub fn fixture(relative: &str) -> PathBuf {
    fixtures_dir().join(relative)
}

/// Every PubMed record file under `fixtures/pubmed` (eutils search responses excluded), sorted.
pub fn pubmed_record_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["efetch", "exports", "bulk", "nlm-sample"] {
        collect(&fixtures_dir().join("pubmed").join(dir), &mut files);
    }
    files.sort();
    files
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("fixture directory is readable") {
        let path = entry.expect("fixture entry is readable").path();
        let name = path.to_string_lossy().into_owned();
        if path.is_dir() {
            collect(&path, files);
        } else if name.ends_with(".xml") || name.ends_with(".xml.gz") {
            files.push(path);
        }
    }
}

/// Everything a parser yielded for one input.
#[derive(Debug, Default)]
pub struct Parsed {
    pub publications: Vec<Publication>,
    pub deleted: Vec<String>,
    pub skipped: Vec<PubmedError>,
    pub fatal: Option<PubmedError>,
}

/// Drains a parser into its records, deletions and errors.
pub fn drain<R: std::io::BufRead>(parser: pubmed::PubmedParser<R>) -> Parsed {
    let mut parsed = Parsed::default();
    for item in parser {
        match item {
            Ok(PubmedItem::Publication(publication)) => parsed.publications.push(*publication),
            Ok(PubmedItem::Deleted(pmids)) => parsed.deleted.extend(pmids),
            Err(error) if error.is_fatal() => {
                assert!(parsed.fatal.is_none(), "a fatal error must end the stream");
                parsed.fatal = Some(error);
            }
            Err(error) => parsed.skipped.push(error),
        }
    }
    parsed
}

/// Parses a fixture file completely.
pub fn parse_fixture(relative: &str) -> Parsed {
    drain(pubmed::open_path(&fixture(relative)).expect("fixture opens"))
}

/// Parses an in-memory document.
pub fn parse_str(xml: &str) -> Parsed {
    drain(pubmed::parse_bytes(xml.as_bytes(), "inline.xml"))
}

/// The record with this PMID, or a panic naming it.
pub fn by_pmid<'a>(parsed: &'a Parsed, pmid: &str) -> &'a Publication {
    parsed
        .publications
        .iter()
        .find(|p| p.identifiers.pmid.as_deref() == Some(pmid))
        .unwrap_or_else(|| panic!("PMID {pmid} not parsed"))
}
