//! The `indexer` command line, as a library function so tests drive the real CLI.
//!
//! ```text
//! indexer ingest FILE_OR_DIR…   parse and index (upsert by id, one commit per file)
//! indexer parse FILE…           print canonical records as JSON Lines, index nothing
//! indexer export                print every indexed record as JSON Lines
//! ```
//!
//! Exit codes: 0 success; 1 the command could not run (no index, index
//! locked, I/O); 2 it ran, but some input was bad (a file failed part-way or
//! records were skipped) — every problem is printed with file and position.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::index::IndexStore;
use crate::ingest::{expand_inputs, ingest_files, IngestOptions};
use crate::records::Record;
use crate::sources::pubmed::{self, PubmedItem};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command could not run (no index, index locked, I/O, bad arguments).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the command ran, but some input was bad; every problem was printed.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Build and inspect the HCS Research Index.
#[derive(Debug, Parser)]
#[command(name = "indexer", version, about)]
struct Cli {
    /// Data directory holding the index (created if absent).
    #[arg(long, env = "HCS_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse PubMed XML files (plain or .gz; directories are searched) and index their records.
    Ingest {
        /// Files or directories to ingest.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Indexing memory budget in MiB (tantivy needs at least 15 per thread).
        #[arg(long, default_value_t = 128)]
        writer_memory_mb: usize,
    },
    /// Print the canonical records in PubMed XML files as JSON Lines, without indexing.
    Parse {
        /// Files or directories to parse.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
    },
    /// Print every indexed record as JSON Lines, ordered by id.
    Export,
}

/// Runs the CLI with `args` (program name first), writing records to `out` and messages to `err`.
///
/// `interactive` enables progress bars (only sensible when stderr is a terminal).
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write, interactive: bool) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = write!(err, "{}", error.render());
            return if error.use_stderr() {
                EXIT_FAILURE
            } else {
                EXIT_OK
            };
        }
    };
    match dispatch(cli, out, err, interactive) {
        Ok(code) => code,
        // `indexer export | head` closing the pipe is not a failure.
        Err(error) if is_broken_pipe(&error) => EXIT_OK,
        Err(error) => {
            let _ = writeln!(err, "error: {error:#}");
            EXIT_FAILURE
        }
    }
}

fn dispatch(
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
    interactive: bool,
) -> anyhow::Result<u8> {
    match cli.command {
        Command::Ingest {
            inputs,
            writer_memory_mb,
        } => ingest(&cli.data_dir, &inputs, writer_memory_mb, err, interactive),
        Command::Parse { inputs } => parse(&inputs, out, err),
        Command::Export => export(&cli.data_dir, out),
    }
}

fn ingest(
    data_dir: &Path,
    inputs: &[PathBuf],
    writer_memory_mb: usize,
    err: &mut dyn Write,
    interactive: bool,
) -> anyhow::Result<u8> {
    let files = expand_inputs(inputs)?;
    let store = IndexStore::open_or_create(data_dir)
        .with_context(|| format!("opening the index in {}", data_dir.display()))?;
    let options = IngestOptions {
        writer_memory_bytes: writer_memory_mb.saturating_mul(1024 * 1024),
        progress: interactive,
    };
    let started = std::time::Instant::now();
    let report = ingest_files(&store, &files, &options).context("ingesting")?;
    let total = store.count().context("counting indexed records")?;
    let skipped = report.problems.iter().filter(|p| !p.fatal).count();
    writeln!(
        err,
        "ingested {} file(s) in {:.1}s: {} record(s) upserted, {} deleted, {} skipped, {} file(s) failed; index now holds {} record(s) at {}",
        files.len(),
        started.elapsed().as_secs_f64(),
        report.upserted,
        report.deleted,
        skipped,
        report.files_failed,
        total,
        store.path().display()
    )?;
    for problem in &report.problems {
        let kind = if problem.fatal { "error" } else { "skipped" };
        writeln!(err, "{kind}: {}", problem.message)?;
    }
    Ok(if report.problems.is_empty() {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
}

fn parse(inputs: &[PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let files = expand_inputs(inputs)?;
    let mut out = io::BufWriter::new(out);
    let mut problems = 0usize;
    for file in &files {
        let parser = match pubmed::open_path(file) {
            Ok(parser) => parser,
            Err(error) => {
                writeln!(err, "error: {error}")?;
                problems += 1;
                continue;
            }
        };
        for item in parser {
            match item {
                Ok(PubmedItem::Publication(publication)) => {
                    serde_json::to_writer(&mut out, &Record::Publication(publication))?;
                    out.write_all(b"\n")?;
                }
                Ok(PubmedItem::Deleted(pmids)) => {
                    serde_json::to_writer(
                        &mut out,
                        &serde_json::json!({"record_type": "deletion", "pmids": pmids}),
                    )?;
                    out.write_all(b"\n")?;
                }
                Err(error) => {
                    let kind = if error.is_fatal() { "error" } else { "skipped" };
                    writeln!(err, "{kind}: {error}")?;
                    problems += 1;
                }
            }
        }
    }
    out.flush()?;
    Ok(if problems == 0 {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
}

fn export(data_dir: &Path, out: &mut dyn Write) -> anyhow::Result<u8> {
    let store = IndexStore::open_existing(data_dir)?;
    let records = store.export().context("reading the index")?;
    let mut out = io::BufWriter::new(out);
    for record in &records {
        serde_json::to_writer(&mut out, record)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(EXIT_OK)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|e| e.io_error_kind())
                .is_some_and(|kind| kind == io::ErrorKind::BrokenPipe)
    })
}
