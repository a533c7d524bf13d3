//! The `indexer` command line, as a library function so tests drive the real CLI.
//!
//! ```text
//! indexer ingest FILE_OR_DIR…   parse and index (upsert by id, one commit per file)
//! indexer parse FILE…           print canonical records as JSON Lines, index nothing
//! indexer export                print every indexed record as JSON Lines
//! indexer harvest SOURCE …      fetch from a source API into the index (resumable)
//! indexer reparse [SOURCE…]     rebuild records from archived raw responses, offline
//! indexer roster check|import F  check a roster CSV / make it the one tagging uses
//! indexer curate accept|reject PERSON RECORD POSITION   a curator's decision
//! indexer evaluate --roster R --gold G INPUTS…   tagging precision, recall, F1
//! indexer metrics [--group-by …] [--format csv]    participation measures (a)(b)(c)
//! indexer tag                    store every record's tags in the index
//! ```
//!
//! Exit codes: 0 success; 1 the command could not run (no index, index
//! locked, I/O, a harvest that failed); 2 it ran, but some input was bad (a
//! file failed part-way or records were skipped) — every problem is printed
//! with file and position; 3 a harvest was deferred because the source asked
//! us to come back later than we are willing to wait (run it again later: it
//! resumes from its checkpoint).
//!
//! `harvest` and `reparse` run their own async runtime: call [`run`] from a
//! plain thread, not from inside a tokio runtime.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::harvest::archive::{self, ArchiveWriter, ArchivedRequest};
use crate::harvest::{HarvestRun, HttpClient};
use crate::index::{IndexStore, RecordSink};
use crate::ingest::{expand_inputs, ingest_files, IngestOptions};
use crate::records::Record;
use crate::sources::pubmed::{self, PubmedItem};
use crate::sources::registry::{self, HarvestConfig, SourceArgs};

pub mod tagging;

pub use crate::harvest::archive::RAW_DIR;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command could not run (no index, index locked, I/O, bad arguments).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code: the command ran, but some input was bad; every problem was printed.
pub const EXIT_BAD_INPUT: u8 = 2;
/// Exit code: a harvest was deferred (the source asked for a longer wait than allowed).
pub const EXIT_DEFERRED: u8 = 3;

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
    /// Print every indexed record as JSON Lines, ordered by id, each person with its tag (`hcs`).
    Export {
        #[command(flatten)]
        reference: tagging::ReferenceArgs,
    },
    /// Check or import the roster of healthcare scientists.
    #[command(subcommand)]
    Roster(tagging::RosterCommand),
    /// Import records the APIs do not have, from the Network's spreadsheets (CSV).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Accept or reject an attribution (a curator's decision; wins over the scorer).
    Curate(tagging::CurateArgs),
    /// Precision, recall and F1 of tagging against a gold set.
    Evaluate(tagging::EvaluateArgs),
    /// The participation measures (a)(b)(c), by year, organisation, division, discipline or funder.
    Metrics(tagging::MetricsArgs),
    /// Tag every record and store the tags in the index (for the search service).
    Tag(tagging::TagArgs),
    /// The annual participation report (HTML, and PDF through headless Chromium).
    Report(tagging::ReportArgs),
    /// Fetch records from a source API into the index; resumes from the last checkpoint.
    Harvest {
        /// Harvest configuration file (TOML); `HCS_<SECTION>_<KEY>` variables override it.
        #[arg(long, env = "HCS_HARVEST_CONFIG")]
        config: Option<PathBuf>,
        /// Indexing memory budget in MiB.
        #[arg(long, default_value_t = 64)]
        writer_memory_mb: usize,
        /// The source and what to fetch from it.
        #[command(subcommand)]
        source: HarvestSource,
    },
    /// Rebuild records from the archived raw responses (no network); all sources unless named.
    Reparse {
        /// Sources to reparse (archive folder names, e.g. `pubmed`, `oai_orca`).
        sources: Vec<String>,
        /// Indexing memory budget in MiB.
        #[arg(long, default_value_t = 64)]
        writer_memory_mb: usize,
    },
}

/// What `indexer import` reads.
#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// A grants register (template: `fixtures/local/grants-template.csv`), one award per row.
    Grants {
        /// The CSV file.
        file: PathBuf,
        /// Indexing memory budget in MiB.
        #[arg(long, default_value_t = 64)]
        writer_memory_mb: usize,
    },
}

/// The sources `indexer harvest` can fetch from: every registered source
/// ([`registry::SourceArgs`]), and the roster retrieval built on them.
#[derive(Debug, Subcommand)]
enum HarvestSource {
    #[command(flatten)]
    Source(SourceArgs),
    /// Everyone on the imported roster: searches built from each person's names, ORCID and employer.
    Roster(crate::retrieval::RetrievalArgs),
}

impl HarvestSource {
    fn name(&self) -> &'static str {
        match self {
            HarvestSource::Source(args) => args.name(),
            HarvestSource::Roster(_) => "roster",
        }
    }
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
        Command::Export { reference } => tagging::export(&cli.data_dir, &reference, out, err),
        Command::Roster(command) => tagging::roster(&cli.data_dir, &command, err),
        Command::Import(ImportCommand::Grants {
            file,
            writer_memory_mb,
        }) => import_grants(&cli.data_dir, &file, writer_memory_mb, err),
        Command::Curate(args) => tagging::curate(&cli.data_dir, &args, err),
        Command::Evaluate(args) => tagging::evaluate_command(&cli.data_dir, &args, out, err),
        Command::Metrics(args) => tagging::metrics(&cli.data_dir, &args, out, err),
        Command::Tag(args) => tagging::tag(&cli.data_dir, &args, err),
        Command::Report(args) => tagging::report(&cli.data_dir, &args, out, err),
        Command::Harvest {
            config,
            writer_memory_mb,
            source,
        } => harvest(
            &cli.data_dir,
            config.as_deref(),
            writer_memory_mb,
            &source,
            err,
            interactive,
        ),
        Command::Reparse {
            sources,
            writer_memory_mb,
        } => reparse(&cli.data_dir, &sources, writer_memory_mb, err),
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

/// `indexer import grants FILE`: every good row upserted in one commit; bad rows reported.
fn import_grants(
    data_dir: &Path,
    file: &Path,
    writer_memory_mb: usize,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let read_at = crate::clock::now_rfc3339();
    let register =
        crate::sources::local::read_grants(&bytes, &file.display().to_string(), &read_at)
            .map_err(|why| anyhow::anyhow!("{}: {why}", file.display()))?;
    for issue in &register.issues {
        writeln!(err, "{}: {issue}; row skipped", file.display())?;
    }
    if !register.ignored_columns.is_empty() {
        writeln!(
            err,
            "{}: column(s) not in the template, ignored: {}",
            file.display(),
            register.ignored_columns.join(", ")
        )?;
    }
    let store = IndexStore::open_or_create(data_dir)
        .with_context(|| format!("opening the index in {}", data_dir.display()))?;
    let mut sink = RecordSink::open(&store, writer_memory_mb.saturating_mul(1024 * 1024))
        .context("opening the index writer")?;
    for grant in &register.grants {
        sink.upsert(Record::Grant(Box::new(grant.clone())))
            .with_context(|| format!("indexing grant {}", grant.id))?;
    }
    sink.commit(None)
        .context("committing the imported grants")?;
    let counts = sink.counts();
    sink.finish().context("finishing the index writer")?;
    writeln!(
        err,
        "imported {} grant(s) from {} ({} new, {} updated); {} row(s) skipped; run `indexer tag` to count them",
        register.grants.len(),
        file.display(),
        counts.new,
        counts.updated,
        register.issues.len()
    )?;
    Ok(if register.issues.is_empty() {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
}

fn parse(inputs: &[PathBuf], out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let files = expand_inputs(inputs)?;
    let mut out = io::BufWriter::new(out);
    let problems = read_pubmed_files(&files, err, |item| {
        match item {
            PubmedItem::Publication(publication) => {
                serde_json::to_writer(&mut out, &Record::Publication(publication))?;
            }
            PubmedItem::Deleted(pmids) => {
                serde_json::to_writer(
                    &mut out,
                    &serde_json::json!({"record_type": "deletion", "pmids": pmids}),
                )?;
            }
        }
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(if problems == 0 {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
}

/// Reads every item of PubMed XML `files`, handing each to `on_item`; a file
/// or record that fails is printed on `err` and counted, and reading goes on.
fn read_pubmed_files(
    files: &[PathBuf],
    err: &mut dyn Write,
    mut on_item: impl FnMut(PubmedItem) -> anyhow::Result<()>,
) -> anyhow::Result<usize> {
    let mut problems = 0usize;
    for file in files {
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
                Ok(item) => on_item(item)?,
                Err(error) => {
                    let kind = if error.is_fatal() { "error" } else { "skipped" };
                    writeln!(err, "{kind}: {error}")?;
                    problems += 1;
                }
            }
        }
    }
    Ok(problems)
}

fn harvest(
    data_dir: &Path,
    config_path: Option<&Path>,
    writer_memory_mb: usize,
    source: &HarvestSource,
    err: &mut dyn Write,
    interactive: bool,
) -> anyhow::Result<u8> {
    let config = HarvestConfig::load(config_path, std::env::vars())?;
    // Roster retrieval needs the roster and gazetteer before any request.
    let tagging = match source {
        HarvestSource::Roster(_) => {
            let loaded = crate::tagging::workspace::load(
                data_dir,
                &crate::tagging::workspace::Overrides::default(),
                false,
            )
            .context("loading the roster and reference data")?;
            if loaded.tagger.roster.is_empty() {
                anyhow::bail!(
                    "harvest roster: no roster imported in {} (run `indexer roster import ROSTER.csv` first)",
                    data_dir.display()
                );
            }
            Some(loaded.tagger)
        }
        _ => None,
    };
    let store = IndexStore::open_or_create(data_dir)
        .with_context(|| format!("opening the index in {}", data_dir.display()))?;
    let mut sink = RecordSink::open(&store, writer_memory_mb.saturating_mul(1024 * 1024))
        .context("opening the index for writing")?;
    sink.set_commit_interval(config.index.commit_interval());
    let run_id = format!(
        "{}-{}",
        crate::clock::now_rfc3339().replace([':', '-'], ""),
        std::process::id()
    );
    let archive = ArchiveWriter::new(&data_dir.join(RAW_DIR), &run_id);
    let http = HttpClient::new(config.http.clone(), config.rates(), Some(archive))?;
    let mut run = HarvestRun::new(http, sink, interactive);
    // Two workers: a harvester may fetch its next page as a task while this
    // thread parses and indexes the current one.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let started = std::time::Instant::now();
    let mut retrieval: Option<crate::retrieval::RetrievalReport> = None;
    let result = runtime.block_on(async {
        match source {
            HarvestSource::Source(args) => args.harvest(&mut run, &config).await,
            HarvestSource::Roster(args) => {
                let Some(tagger) = &tagging else {
                    return Ok(());
                };
                let window = roster_window(&run, args)?;
                let report = crate::retrieval::retrieve(
                    &mut run,
                    &config,
                    &tagger.roster,
                    &tagger.reference.gazetteer,
                    args,
                    window,
                )
                .await?;
                retrieval = Some(report);
                Ok(())
            }
        }
    });
    run.progress.finish_and_clear();
    let summary = run.summary();
    let HarvestRun { mut sink, http, .. } = run;
    // Staged pages and their checkpoint are consistent even when the run
    // failed: commit them, so a resume starts after them. (Records of a page
    // cut short past the checkpoint are committed too; the resume re-fetches
    // that page and its upserts find them unchanged.)
    sink.flush().context("committing the last pages")?;
    sink.finish().context("closing the index")?;
    http.close_archive()
        .context("closing the raw-response archive")?;
    match source {
        HarvestSource::Source(args) => args.refresh_derived(data_dir),
        // Roster retrieval fetches ORCID records among others.
        HarvestSource::Roster(_) => registry::refresh_all_derived(data_dir),
    }
    .context("refreshing what tagging reads from the archive")?;
    writeln!(
        err,
        "{}: {summary} in {:.1}s; index now holds {} record(s)",
        source.name(),
        started.elapsed().as_secs_f64(),
        store.count().context("counting indexed records")?
    )?;
    for warning in &summary.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    if let (Some(report), HarvestSource::Roster(args)) = (&retrieval, source) {
        write_retrieval_report(data_dir, args, report, err)?;
    }
    Ok(match result {
        Ok(()) => EXIT_OK,
        Err(error) if error.is_deferred() => {
            writeln!(err, "deferred: {error}")?;
            EXIT_DEFERRED
        }
        Err(error) => {
            writeln!(err, "error: {error}")?;
            EXIT_FAILURE
        }
    })
}

/// The `--since`/`--until` window of a roster retrieval (none: all of PubMed).
fn roster_window(
    run: &HarvestRun<'_>,
    args: &crate::retrieval::RetrievalArgs,
) -> Result<Option<(time::Date, time::Date)>, crate::harvest::HarvestError> {
    use crate::harvest::HarvestError;
    use crate::sources::pubmed::eutils::parse_date;
    let until = match &args.until {
        Some(text) => parse_date(text).map_err(HarvestError::Usage)?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let since = match args.since.as_deref() {
        None if args.until.is_some() => {
            return Err(HarvestError::Usage(
                "harvest roster: --until needs --since".to_owned(),
            ))
        }
        None => return Ok(None),
        Some("auto") => match crate::retrieval::pubmed::last_until(run)
            .or_else(|| crate::retrieval::europepmc::last_until(run))
        {
            Some(last) => parse_date(&last).map_err(HarvestError::Usage)?,
            // No complete run yet: search everything.
            None => return Ok(None),
        },
        Some(text) => parse_date(text).map_err(HarvestError::Usage)?,
    };
    if since > until {
        return Err(HarvestError::Usage(format!(
            "harvest roster: --since {since} is after --until {until}"
        )));
    }
    Ok(Some((since, until)))
}

/// Writes the per-person CSV and prints the totals (people by roster id only).
fn write_retrieval_report(
    data_dir: &Path,
    args: &crate::retrieval::RetrievalArgs,
    report: &crate::retrieval::RetrievalReport,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let path = args
        .report
        .clone()
        .unwrap_or_else(|| crate::retrieval::default_report_path(data_dir));
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let csv = report.to_csv().context("writing the retrieval report")?;
    std::fs::write(&path, csv)
        .with_context(|| format!("writing the retrieval report {}", path.display()))?;
    let found = report.people.values().filter(|p| p.records > 0).count();
    let records: usize = report.people.values().map(|p| p.records).sum();
    let new: usize = report.people.values().map(|p| p.new_records).sum();
    writeln!(
        err,
        "roster: {} people searched, {found} with records ({records} credited, {new} new); per-person report in {}",
        report.people.len(),
        path.display()
    )?;
    let missing = report.without_records();
    if !missing.is_empty() {
        writeln!(
            err,
            "roster: no records found for {} people (check their roster names): {}",
            missing.len(),
            missing.join(", ")
        )?;
    }
    Ok(())
}

fn reparse(
    data_dir: &Path,
    only: &[String],
    writer_memory_mb: usize,
    err: &mut dyn Write,
) -> anyhow::Result<u8> {
    let raw_dir = data_dir.join(RAW_DIR);
    let store = IndexStore::open_or_create(data_dir)
        .with_context(|| format!("opening the index in {}", data_dir.display()))?;
    let mut sink = RecordSink::open(&store, writer_memory_mb.saturating_mul(1024 * 1024))
        .context("opening the index for writing")?;
    let mut problems = 0usize;
    for folder in archive::archived_sources(&raw_dir)
        .with_context(|| format!("listing {}", raw_dir.display()))?
    {
        if !only.is_empty() && !only.contains(&folder) {
            continue;
        }
        let (entries, torn) = archive::read_source(&raw_dir, &folder)
            .with_context(|| format!("reading the archive of {folder}"))?;
        for problem in &torn {
            writeln!(err, "skipped: {problem}")?;
        }
        problems += torn.len();
        let mut by_source: Vec<(String, Vec<ArchivedRequest>)> = Vec::new();
        for entry in entries {
            match by_source.iter_mut().find(|(name, _)| *name == entry.source) {
                Some((_, list)) => list.push(entry),
                None => by_source.push((entry.source.clone(), vec![entry])),
            }
        }
        for (source, entries) in by_source {
            let Some(report) = registry::reparse(&source, &entries, &mut sink) else {
                writeln!(err, "skipped: {folder}: no parser for source {source:?}")?;
                problems += 1;
                continue;
            };
            let report = report.with_context(|| format!("reparsing {source}"))?;
            sink.commit(None).context("committing")?;
            writeln!(
                err,
                "{source}: {} archived response(s), {} record(s) upserted, {} skipped",
                report.responses,
                report.records,
                report.skipped.len()
            )?;
            for skipped in &report.skipped {
                writeln!(err, "skipped: {skipped}")?;
            }
            problems += report.skipped.len();
        }
    }
    let counts = sink.counts();
    sink.finish().context("closing the index")?;
    registry::refresh_all_derived(data_dir)
        .context("refreshing what tagging reads from the archive")?;
    writeln!(
        err,
        "reparse: {} new, {} updated, {} unchanged; index now holds {} record(s)",
        counts.new,
        counts.updated,
        counts.unchanged,
        store.count()?
    )?;
    Ok(if problems == 0 {
        EXIT_OK
    } else {
        EXIT_BAD_INPUT
    })
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
