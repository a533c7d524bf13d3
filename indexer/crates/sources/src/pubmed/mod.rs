//! PubMed XML: efetch responses, PubMed exports, annual baseline and update
//! files (`PubmedArticleSet`), and the legacy pre-2017 `MedlineCitationSet`.
//!
//! [`PubmedParser`] streams records out of any reader with quick-xml's event
//! loop, holding one record in memory at a time, so a 250 MB baseline file
//! parses in constant memory. Each item is a [`Publication`] or a batch of
//! `DeleteCitation` PMIDs. A record that is well-formed XML but unusable (no
//! PMID, no year) is reported as a non-fatal [`PubmedError::InvalidRecord`]
//! and parsing goes on; broken XML or a truncated file ends the stream with a
//! fatal error naming the file, the byte offset and the last good PMID —
//! every complete record before the fault has already been yielded.
//!
//! ```no_run
//! use indexer::sources::pubmed::{self, PubmedItem};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! for item in pubmed::open_path(std::path::Path::new("pubmed25n0001.xml.gz"))? {
//!     match item? {
//!         PubmedItem::Publication(publication) => println!("{}", publication.title),
//!         PubmedItem::Deleted(pmids) => println!("deleted: {pmids:?}"),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

mod dates;
pub mod esearch;
pub mod eutils;
mod parse;
mod skip;

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

pub use parse::PubmedParser;

/// Source name of PubMed records (provenance, archive, pacing).
pub const SOURCE: &str = "pubmed";

use hcs_model::records::Publication;

/// Buffer size for file input: large enough that reads are never the bottleneck.
const READ_BUFFER_BYTES: usize = 128 * 1024;

/// One item read from a PubMed XML document.
#[derive(Debug, Clone, PartialEq)]
pub enum PubmedItem {
    /// A complete citation, mapped to the canonical model.
    Publication(Box<Publication>),
    /// PMIDs listed in a `DeleteCitation` block: remove them from the index.
    Deleted(Vec<String>),
}

/// What went wrong reading PubMed XML, with where it went wrong.
#[derive(Debug, thiserror::Error)]
pub enum PubmedError {
    /// The file could not be opened.
    #[error("{location}: cannot open: {source}")]
    Open {
        /// File path.
        location: String,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The document is not PubMed XML at all.
    #[error("{location}: not PubMed XML: {reason}")]
    NotPubmed {
        /// File path or URL.
        location: String,
        /// What was found instead.
        reason: String,
    },
    /// The XML is broken; nothing after `offset` was read.
    #[error(
        "{location}: malformed XML at byte {offset}{}: {message}",
        after_pmid(.last_good_pmid)
    )]
    Malformed {
        /// File path or URL.
        location: String,
        /// Byte offset of the fault in the (decompressed) XML.
        offset: u64,
        /// PMID of the last record read completely before the fault.
        last_good_pmid: Option<String>,
        /// The parser's description of the fault.
        message: String,
    },
    /// The document ends before its root element is closed.
    #[error(
        "{location}: truncated at byte {offset}{}: {message}",
        after_pmid(.last_good_pmid)
    )]
    Truncated {
        /// File path or URL.
        location: String,
        /// Byte offset where the input stopped (in the decompressed XML).
        offset: u64,
        /// PMID of the last record read completely before the end.
        last_good_pmid: Option<String>,
        /// What was seen at the end.
        message: String,
    },
    /// One record could not be mapped; the records around it are unaffected.
    #[error("{location}: record at byte {offset} ({record}) skipped: {reason}")]
    InvalidRecord {
        /// File path or URL.
        location: String,
        /// Byte offset where the record starts (in the decompressed XML).
        offset: u64,
        /// The record's PMID, or "no PMID".
        record: String,
        /// Why the record is unusable.
        reason: String,
    },
}

impl PubmedError {
    /// True when the error ends the document; false for a single skipped record.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, PubmedError::InvalidRecord { .. })
    }
}

fn after_pmid(last_good_pmid: &Option<String>) -> String {
    match last_good_pmid {
        Some(pmid) => format!(" (after PMID {pmid}, the last complete record)"),
        None => " (before any complete record)".to_owned(),
    }
}

/// Opens a PubMed XML file, plain or gzip-compressed (by the `.gz` extension).
pub fn open_path(path: &Path) -> Result<PubmedParser<Box<dyn BufRead + Send>>, PubmedError> {
    let location = path.display().to_string();
    let file = File::open(path).map_err(|source| PubmedError::Open {
        location: location.clone(),
        source,
    })?;
    Ok(from_read(file, location, is_gzip_path(path)))
}

/// True when the path names a gzip file (`.gz`, any case).
pub fn is_gzip_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("gz"))
}

/// Parses PubMed XML from any byte stream, decompressing it when `gzip` is set.
pub fn from_read(
    input: impl Read + Send + 'static,
    location: String,
    gzip: bool,
) -> PubmedParser<Box<dyn BufRead + Send>> {
    PubmedParser::new(buffered_input(input, gzip), location)
}

/// The buffered (and, when `gzip`, decompressing) reader the parser reads from.
///
/// Public so benchmarks measure a bare event loop over exactly the same stack.
pub fn buffered_input(input: impl Read + Send + 'static, gzip: bool) -> Box<dyn BufRead + Send> {
    if gzip {
        Box::new(crate::inflate::InflateAhead::spawn(
            input,
            READ_BUFFER_BYTES,
        ))
    } else {
        Box::new(BufReader::with_capacity(READ_BUFFER_BYTES, input))
    }
}

/// Parses a whole in-memory document (e.g. an efetch response body).
pub fn parse_bytes<'a>(bytes: &'a [u8], location: &str) -> PubmedParser<&'a [u8]> {
    PubmedParser::new(bytes, location.to_owned())
}
