//! Ingest: source files → canonical records → index, one atomic commit per file.
//!
//! A file that fails part-way (truncated download, broken XML) keeps every
//! complete record read before the fault: they are committed, and the fault
//! is reported with the file, byte offset and last good PMID. A record that
//! cannot be mapped is skipped and reported; its neighbours are kept.

use std::fs::File;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use crate::pubmed::{self, PubmedError, PubmedItem};
use hcs_index::{IndexError, IndexStore, RecordSink};
use hcs_model::records::Record;

/// How an ingest runs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Indexing memory budget for the tantivy writer, in bytes.
    pub writer_memory_bytes: usize,
    /// Draw progress bars on stderr (only when it is a terminal).
    pub progress: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            writer_memory_bytes: 128 * 1024 * 1024,
            progress: false,
        }
    }
}

/// A problem with the input: the file and what went wrong in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The file concerned.
    pub file: PathBuf,
    /// The error, naming where in the file.
    pub message: String,
    /// True when the rest of the file was lost; false for one skipped record.
    pub fatal: bool,
}

/// What an ingest did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// Files read to the end without a fatal error.
    pub files_complete: usize,
    /// Files that stopped early (their complete records were still committed).
    pub files_failed: usize,
    /// Records added or replaced.
    pub upserted: u64,
    /// Deletions applied (PubMed `DeleteCitation`).
    pub deleted: u64,
    /// Every input problem, in order.
    pub problems: Vec<InputProblem>,
}

/// Errors that stop an ingest: the index itself failed (input problems do not).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Writing or committing the index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A directory given as input could not be listed.
    #[error("{path}: cannot list directory: {source}")]
    ListDirectory {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Expands directories into the PubMed files under them (`*.xml`, `*.xml.gz`), sorted.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            collect_xml_files(input, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn collect_xml_files(directory: &Path, found: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let list_error = |source| IngestError::ListDirectory {
        path: directory.to_owned(),
        source,
    };
    for entry in std::fs::read_dir(directory).map_err(list_error)? {
        let path = entry.map_err(list_error)?.path();
        if path.is_dir() {
            collect_xml_files(&path, found)?;
        } else if is_xml_file(&path) {
            found.push(path);
        }
    }
    Ok(())
}

fn is_xml_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    name.is_some_and(|n| n.ends_with(".xml") || n.ends_with(".xml.gz"))
}

/// Parses `files` and writes their records into the index in `store`.
pub fn ingest_files(
    store: &IndexStore,
    files: &[PathBuf],
    options: &IngestOptions,
) -> Result<IngestReport, IngestError> {
    let mut sink = RecordSink::open(store, options.writer_memory_bytes)?;
    if store.fields().merge_probe.is_none() {
        // Still correct, but each merge reads every record sharing a key.
        tracing::warn!(
            index = %store.path().display(),
            "index predates merge probes: ingest slows as records share DOIs or titles; rebuild it (`indexer reparse`, `indexer ingest`) to fix"
        );
    }
    let mut report = IngestReport::default();
    for file in files {
        let mut records = 0u64;
        let outcome = ingest_one_file(&mut sink, file, options, &mut report, &mut records);
        // Commit whatever was read, even when the file failed part-way:
        // complete records before a fault are real records.
        sink.commit(None)?;
        // Only now are they durable: a crash before this line loses them, so
        // the log must not have called them ingested.
        match outcome {
            Ok(()) => {
                tracing::info!(file = %file.display(), records, "ingested");
                report.files_complete += 1;
            }
            Err(problem) => {
                tracing::info!(file = %file.display(), records, "ingested in part");
                tracing::error!(file = %file.display(), "{}", problem.message);
                report.files_failed += 1;
                report.problems.push(problem);
            }
        }
    }
    sink.flush()?;
    sink.finish()?;
    Ok(report)
}

/// Reads one file into the writer; a fatal input problem is returned, record problems are logged.
fn ingest_one_file(
    sink: &mut RecordSink<'_>,
    file: &Path,
    options: &IngestOptions,
    report: &mut IngestReport,
    records: &mut u64,
) -> Result<(), InputProblem> {
    let fatal = |error: &PubmedError| InputProblem {
        file: file.to_owned(),
        message: error.to_string(),
        fatal: true,
    };
    let handle = File::open(file).map_err(|source| {
        fatal(&PubmedError::Open {
            location: file.display().to_string(),
            source,
        })
    })?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(options.progress, size, file);
    let fetched_at = modified_rfc3339(&handle);
    let parser = pubmed::from_read(
        progress.wrap_read(handle),
        file.display().to_string(),
        pubmed::is_gzip_path(file),
    );
    let parser = match fetched_at {
        Some(fetched_at) => parser.with_fetched_at(fetched_at),
        None => parser,
    };
    for item in parser {
        match item {
            Ok(PubmedItem::Publication(publication)) => {
                let record = Record::Publication(publication);
                sink.upsert(record).map_err(|error| InputProblem {
                    file: file.to_owned(),
                    message: error.to_string(),
                    fatal: true,
                })?;
                *records += 1;
                report.upserted += 1;
            }
            Ok(PubmedItem::Deleted(pmids)) => {
                for pmid in pmids {
                    let id = format!("pmid:{pmid}");
                    let found =
                        sink.delete_source_versions(&id, pubmed::SOURCE)
                            .map_err(|error| InputProblem {
                                file: file.to_owned(),
                                message: error.to_string(),
                                fatal: true,
                            })?;
                    if found {
                        report.deleted += 1;
                    }
                }
            }
            Err(error) if !error.is_fatal() => {
                tracing::warn!("{error}");
                report.problems.push(InputProblem {
                    file: file.to_owned(),
                    message: error.to_string(),
                    fatal: false,
                });
            }
            Err(error) => {
                progress.abandon();
                return Err(fatal(&error));
            }
        }
    }
    progress.finish_and_clear();
    Ok(())
}

fn progress_bar(enabled: bool, size: u64, file: &Path) -> ProgressBar {
    if !enabled {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(size);
    let style = ProgressStyle::with_template(
        "{msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(
        file.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    bar
}

/// A file's modification time, as the best available "fetched at" for a local file.
fn modified_rfc3339(file: &File) -> Option<String> {
    let modified = file.metadata().ok()?.modified().ok()?;
    let time = time::OffsetDateTime::from(modified);
    let time = time.replace_nanosecond(0).unwrap_or(time);
    time.format(&time::format_description::well_known::Rfc3339)
        .ok()
}
