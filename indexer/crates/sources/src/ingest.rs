//! Ingest: source files → canonical records → index, one atomic commit per file.
//!
//! Parsing runs ahead on its own thread; merging and indexing take the
//! records in file order. A file that fails part-way (truncated download,
//! broken XML) keeps every complete record read before the fault: they are
//! committed, and the fault is reported with the file, byte offset and last
//! good PMID. A record that cannot be mapped is skipped and reported; its
//! neighbours are kept.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SendError, SyncSender};

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
    /// The parsing thread could not be started.
    #[error("cannot start the parsing thread: {0}")]
    Thread(#[source] std::io::Error),
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

/// Items read from one file, in order; a fatal error is always the last.
type ItemBatch = Vec<Result<PubmedItem, PubmedError>>;

/// What the parsing thread hands the indexing thread, file by file.
enum Parsed {
    /// The next items of the current file.
    Items(ItemBatch),
    /// The current file has been read to its end or to a fatal error.
    FileEnd,
}

/// Items per message: enough that the channel costs nothing per record.
const ITEMS_PER_BATCH: usize = 64;
/// Batches the parser may run ahead of the indexer (about a thousand records).
const BATCHES_AHEAD: usize = 16;

/// Parses `files` and writes their records into the index in `store`.
///
/// Parsing (and inflating) runs on its own threads, ahead of merging and
/// indexing, so the cores share the work instead of taking turns; the
/// records still reach the index in file order, one commit per file.
pub fn ingest_files(
    store: &IndexStore,
    files: &[PathBuf],
    options: &IngestOptions,
) -> Result<IngestReport, IngestError> {
    let mut sink = RecordSink::open(store, options.writer_memory_bytes)?;
    let mut report = IngestReport::default();
    std::thread::scope(|scope| {
        let (sender, parsed) = sync_channel(BATCHES_AHEAD);
        // If indexing stops early, `parsed` is dropped and the parser's next send ends it.
        let progress = options.progress;
        let parser = std::thread::Builder::new()
            .name("pubmed-parse".into())
            .spawn_scoped(scope, move || parse_files(files, progress, &sender));
        if let Err(error) = parser {
            return Err(IngestError::Thread(error));
        }
        for file in files {
            let mut records = 0u64;
            let outcome = index_one_file(&mut sink, file, &parsed, &mut report, &mut records);
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
        Ok::<_, IngestError>(())
    })?;
    sink.flush()?;
    sink.finish()?;
    Ok(report)
}

/// The parsing thread: every file's items, in order, each file closed by [`Parsed::FileEnd`].
fn parse_files(files: &[PathBuf], progress: bool, sender: &SyncSender<Parsed>) {
    for file in files {
        if parse_file(file, progress, sender).is_err() || sender.send(Parsed::FileEnd).is_err() {
            return; // the indexer has stopped: nobody wants the rest
        }
    }
}

/// Sends one file's items in batches; an error means the indexer has gone.
fn parse_file(
    file: &Path,
    progress: bool,
    sender: &SyncSender<Parsed>,
) -> Result<(), SendError<Parsed>> {
    let handle = match File::open(file) {
        Ok(handle) => handle,
        Err(source) => {
            let error = PubmedError::Open {
                location: file.display().to_string(),
                source,
            };
            return sender.send(Parsed::Items(vec![Err(error)]));
        }
    };
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(progress, size, file);
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
    let mut batch = Vec::with_capacity(ITEMS_PER_BATCH);
    for item in parser {
        let fatal = item.as_ref().is_err_and(PubmedError::is_fatal);
        batch.push(item);
        if fatal {
            progress.abandon();
            return sender.send(Parsed::Items(batch));
        }
        if batch.len() == ITEMS_PER_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(ITEMS_PER_BATCH));
            sender.send(Parsed::Items(full))?;
        }
    }
    progress.finish_and_clear();
    if batch.is_empty() {
        return Ok(());
    }
    sender.send(Parsed::Items(batch))
}

/// Writes one file's parsed items into the index; a fatal input problem is
/// returned, record problems are logged.
fn index_one_file(
    sink: &mut RecordSink<'_>,
    file: &Path,
    parsed: &Receiver<Parsed>,
    report: &mut IngestReport,
    records: &mut u64,
) -> Result<(), InputProblem> {
    let mut outcome = Ok(());
    loop {
        let batch = match parsed.recv() {
            Ok(Parsed::Items(batch)) => batch,
            Ok(Parsed::FileEnd) => return outcome,
            Err(_) => {
                return outcome.and(Err(InputProblem {
                    file: file.to_owned(),
                    message: format!(
                        "{}: the parser stopped before the end of the file",
                        file.display()
                    ),
                    fatal: true,
                }))
            }
        };
        if outcome.is_err() {
            continue; // the index refused a record: the rest of this file is lost
        }
        for item in batch {
            if let Err(problem) = index_item(sink, file, item, report, records) {
                outcome = Err(problem);
                break;
            }
        }
    }
}

/// Applies one parsed item: a record upserted, deletions applied, a bad record reported.
fn index_item(
    sink: &mut RecordSink<'_>,
    file: &Path,
    item: Result<PubmedItem, PubmedError>,
    report: &mut IngestReport,
    records: &mut u64,
) -> Result<(), InputProblem> {
    let fatal = |message: String| InputProblem {
        file: file.to_owned(),
        message,
        fatal: true,
    };
    match item {
        Ok(PubmedItem::Publication(publication)) => {
            sink.upsert(Record::Publication(publication))
                .map_err(|error| fatal(error.to_string()))?;
            *records += 1;
            report.upserted += 1;
        }
        Ok(PubmedItem::Deleted(pmids)) => {
            for pmid in pmids {
                let id = format!("pmid:{pmid}");
                let found = sink
                    .delete_source_versions(&id, pubmed::SOURCE)
                    .map_err(|error| fatal(error.to_string()))?;
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
        Err(error) => return Err(fatal(error.to_string())),
    }
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
