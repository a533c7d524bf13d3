//! `pubmed_xml`: throughput and memory benchmark for the streaming PubMed
//! XML parser (`indexer::sources::pubmed`).
//!
//! This is a benchmark, not a test: it measures, prints a table and marks the
//! project's targets PASS/MISS. It exits non-zero only when a row counts a
//! different number of records than the generated file holds (or, with
//! `--fail-on-miss`, when a target is missed).
//!
//! # Method
//!
//! 1. **Input.** A baseline-shaped `.xml.gz` (default 30,000 records, like one
//!    NLM annual-baseline file) is generated deterministically from the real
//!    fixture records under `fixtures/pubmed/` (`efetch/**`, `exports/`,
//!    `nlm-sample/`; the truncated bulk file and the legacy
//!    `MedlineCitationSet` file are not used). Every
//!    `<PubmedArticle>…</PubmedArticle>` block is cut out byte for byte, with
//!    its original whitespace layout, and the blocks are emitted in seeded
//!    shuffled round-robin order (every template once per pass, a fresh
//!    SplitMix64 shuffle per pass) into one `PubmedArticleSet` document. Each
//!    copy's own PMIDs — the `PMID` of its `MedlineCitation` and the
//!    `ArticleId IdType="pubmed"` directly under `PubmedData`, never those in
//!    `CommentsCorrections` or `ReferenceList` — are rewritten to
//!    `90000000 + i`, so PMIDs are unique as in a real baseline file. A
//!    `<file>.meta.json` sidecar records the parameters; a later run with the
//!    same parameters and unchanged fixtures reuses the file.
//! 2. **Rows.** Each measurement runs in a fresh child process (this binary
//!    re-executed with the hidden `child` subcommand, or the Python script),
//!    so allocator state and peak RSS do not leak between rows. The child
//!    times only the parse (open + stream the whole file) and reads its peak
//!    RSS (`VmHWM` in `/proc/self/status`; `ru_maxrss` in Python) at the end.
//!    * `ours`: `indexer::sources::pubmed::open_path` + iterate every item,
//!      touching each publication (summing author counts) so no work is
//!      optimised away.
//!    * `bare quick-xml`: the cost floor for any quick-xml based parser —
//!      the parser's own reader stack (`pubmed::buffered_input`: 128 KiB
//!      `BufReader` over flate2's `MultiGzDecoder` over the file) and
//!      `Reader::read_event_into` with a reused buffer, counting `Start`
//!      events named `PubmedArticle`.
//!    * `pubmed_parser`: `bench/pubmed_parser_baseline.py`, i.e. the PyPI
//!      `pubmed_parser` package's `parse_medline_xml` (default options) over
//!      the same `.xml.gz`. Skipped, with install instructions, when the
//!      package is not importable by `--python`.
//! 3. **Repetitions.** `--runs` rounds (default 3), interleaved (ours, bare,
//!    python, ours, bare, python, …) so drift on a shared machine hits every
//!    row alike; each row reports its best (minimum) time and its largest
//!    peak RSS. Ratios are computed from numbers measured in the same run.
//!
//! # Targets
//!
//! * ours vs `pubmed_parser` speed: at least 15×;
//! * ours / bare quick-xml time: at most 1.5×;
//! * ours peak RSS: under 200 MiB.
//!
//! Run with `cargo bench --bench pubmed_xml -- --help`.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use serde::{Deserialize, Serialize};

#[path = "pubmed_gen.rs"]
mod pubmed_gen;
use pubmed_gen::{fingerprint, fixture_files, load_templates, meta_path, write_input};

#[path = "child.rs"]
mod child;
use child::{in_workspace, parse_last_line, peak_rss_kb, run_json_child};

/// Bumped whenever the generator's output would change for the same inputs.
const GENERATOR_VERSION: u32 = 1;

/// Target: ours must be at least this many times faster than pubmed_parser.
const TARGET_SPEEDUP_VS_PYTHON: f64 = 15.0;
/// Target: ours may take at most this multiple of the bare quick-xml time.
const TARGET_OURS_OVER_BARE: f64 = 1.5;
/// Target: our peak RSS must stay under this many MiB.
const TARGET_PEAK_RSS_MIB: f64 = 200.0;

/// Benchmark the streaming PubMed parser against a bare quick-xml loop and
/// the Python `pubmed_parser` package on a generated baseline-shaped file.
#[derive(Debug, Parser)]
#[command(name = "pubmed_xml", version)]
struct Cli {
    /// Internal: run one measurement in this (fresh) process.
    #[command(subcommand)]
    child: Option<ChildCommand>,

    /// Number of `PubmedArticle` records in the generated file.
    #[arg(long, default_value_t = 30_000)]
    records: usize,

    /// Passed by `cargo bench` to every benchmark binary; ignored.
    #[arg(long, hide = true)]
    bench: bool,

    /// Path of the generated `.xml.gz` [default: <workspace>/target/bench/pubmed-bench.xml.gz].
    #[arg(long)]
    out: Option<PathBuf>,

    /// Python interpreter that can import `pubmed_parser`.
    #[arg(long, default_value = "python3")]
    python: String,

    /// Measurement rounds; each row reports its best time.
    #[arg(long, default_value_t = 3)]
    runs: usize,

    /// Seed for the record order of the generated file.
    #[arg(long, default_value_t = 0x5EED_2025)]
    seed: u64,

    /// Fixture directory to take the template records from [default: <workspace>/fixtures/pubmed].
    #[arg(long)]
    fixtures: Option<PathBuf>,

    /// Regenerate the input file even if a matching one exists.
    #[arg(long)]
    regenerate: bool,

    /// Skip the Python `pubmed_parser` row.
    #[arg(long)]
    no_python: bool,

    /// Print the results as JSON instead of a table.
    #[arg(long)]
    json: bool,

    /// Exit non-zero when a target is missed, not only on a count mismatch.
    #[arg(long)]
    fail_on_miss: bool,
}

/// Hidden subcommands the benchmark re-executes itself with.
#[derive(Debug, Subcommand)]
enum ChildCommand {
    /// Measure one row in this process and print its result as JSON.
    #[command(hide = true)]
    Child {
        /// Which parser to run.
        which: Which,
        /// The `.xml.gz` file to parse.
        file: PathBuf,
    },
}

/// The Rust rows a child process can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    /// The project parser.
    Ours,
    /// A bare quick-xml event loop.
    Bare,
}

/// What one child process measured (also the Python script's output).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChildResult {
    /// `PubmedArticle` records seen (publications, for ours).
    records: u64,
    /// Wall-clock seconds of the parse alone.
    seconds: f64,
    /// Peak resident set size of the process, KiB.
    peak_rss_kb: u64,
    /// Whatever the child summed over its records, so the work is observable.
    #[serde(default)]
    touched: u64,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Some(ChildCommand::Child { which, file }) = &cli.child {
        let result = match which {
            Which::Ours => run_ours(file)?,
            Which::Bare => run_bare(file)?,
        };
        println!("{}", serde_json::to_string(&result)?);
        return Ok(());
    }
    let ok = run_bench(&cli)?;
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Child rows
// ---------------------------------------------------------------------------

/// Streams `file` through the project parser and counts publications.
fn run_ours(file: &Path) -> Result<ChildResult> {
    use indexer::sources::pubmed::{open_path, PubmedItem};

    let start = Instant::now();
    let parser = open_path(file).with_context(|| format!("opening {}", file.display()))?;
    let mut records = 0u64;
    let mut touched = 0u64;
    let mut errors = 0u64;
    for item in parser {
        match item {
            Ok(PubmedItem::Publication(publication)) => {
                records += 1;
                touched += publication.authors.len() as u64;
            }
            Ok(PubmedItem::Deleted(pmids)) => touched += pmids.len() as u64,
            Err(error) => {
                errors += 1;
                if errors <= 5 {
                    eprintln!("ours: parse error: {error}");
                }
                if errors >= 100 {
                    bail!("ours: giving up after {errors} parse errors");
                }
            }
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(ChildResult {
        records,
        seconds,
        peak_rss_kb: peak_rss_kb()?,
        touched,
    })
}

/// Streams `file` through a bare quick-xml loop and counts `PubmedArticle`
/// start tags: the floor for any quick-xml based parser.
fn run_bare(file: &Path) -> Result<ChildResult> {
    use quick_xml::events::Event;

    let start = Instant::now();
    let input = File::open(file).with_context(|| format!("opening {}", file.display()))?;
    // Exactly the reader stack the parser reads `.gz` files through.
    let reader = indexer::sources::pubmed::buffered_input(input, true);
    let mut xml = quick_xml::Reader::from_reader(reader);
    xml.config_mut().trim_text(false);
    xml.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(8 * 1024);
    let mut records = 0u64;
    let mut touched = 0u64;
    loop {
        match xml.read_event_into(&mut buf)? {
            Event::Start(tag) if tag.name().as_ref() == "PubmedArticle" => records += 1,
            Event::Text(text) => touched += text.len() as u64,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(ChildResult {
        records,
        seconds,
        peak_rss_kb: peak_rss_kb()?,
        touched,
    })
}

// ---------------------------------------------------------------------------
// Input generation
// ---------------------------------------------------------------------------

/// Parameters and sizes of a generated input, stored next to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct InputMeta {
    /// [`GENERATOR_VERSION`] that wrote the file.
    generator_version: u32,
    /// Records requested and written.
    records: usize,
    /// Order seed.
    seed: u64,
    /// Fingerprint of the fixture files the templates came from.
    fixtures_fingerprint: String,
    /// Distinct template records found in the fixtures.
    templates: usize,
    /// Size of the `.xml.gz` file, bytes.
    gz_bytes: u64,
    /// Size of the XML inside, bytes.
    xml_bytes: u64,
}

/// Returns the input file, generating it unless a matching one exists.
fn prepare_input(cli: &Cli, out: &Path, fixtures: &Path) -> Result<InputMeta> {
    ensure!(cli.records > 0, "--records must be at least 1");
    let files = fixture_files(fixtures)?;
    ensure!(
        !files.is_empty(),
        "no fixture files found under {}",
        fixtures.display()
    );
    let fingerprint = fingerprint(fixtures, &files)?;
    let meta_path = meta_path(out);

    if !cli.regenerate {
        if let Some(meta) = read_meta(&meta_path) {
            let size = std::fs::metadata(out).map(|m| m.len()).ok();
            if meta.generator_version == GENERATOR_VERSION
                && meta.records == cli.records
                && meta.seed == cli.seed
                && meta.fixtures_fingerprint == fingerprint
                && size == Some(meta.gz_bytes)
            {
                eprintln!("reusing {}", out.display());
                return Ok(meta);
            }
        }
    }

    let started = Instant::now();
    let templates = load_templates(&files)?;
    eprintln!(
        "generating {} records from {} fixture records in {} files …",
        cli.records,
        templates.len(),
        files.len()
    );

    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let tmp = out.with_extension("gz.tmp");
    let xml_bytes = write_input(&tmp, &templates, cli.records, cli.seed)?;
    std::fs::rename(&tmp, out).with_context(|| format!("renaming to {}", out.display()))?;
    let meta = InputMeta {
        generator_version: GENERATOR_VERSION,
        records: cli.records,
        seed: cli.seed,
        fixtures_fingerprint: fingerprint,
        templates: templates.len(),
        gz_bytes: std::fs::metadata(out)?.len(),
        xml_bytes,
    };
    std::fs::write(&meta_path, serde_json::to_vec_pretty(&meta)?)
        .with_context(|| format!("writing {}", meta_path.display()))?;
    eprintln!(
        "generated {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(meta)
}

/// Reads a sidecar, if there is a readable one.
fn read_meta(path: &Path) -> Option<InputMeta> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

// ---------------------------------------------------------------------------
// Orchestration and report
// ---------------------------------------------------------------------------

/// One row of the report: every run of one parser.
#[derive(Debug, Clone, Serialize)]
struct Row {
    /// Row name.
    name: &'static str,
    /// Records counted (equal across runs).
    records: u64,
    /// Best (minimum) parse time, seconds.
    seconds: f64,
    /// Every run's parse time, seconds, in order.
    runs: Vec<f64>,
    /// Records per second at the best time.
    records_per_s: f64,
    /// Uncompressed XML megabytes (10^6 bytes) per second at the best time.
    mb_per_s: f64,
    /// Largest peak RSS over the runs, MiB.
    peak_rss_mib: f64,
}

/// A target and whether it was met.
#[derive(Debug, Clone, Serialize)]
struct Check {
    /// What is compared.
    name: &'static str,
    /// Measured value (`None` when the row is missing).
    value: Option<f64>,
    /// Target, as text.
    target: &'static str,
    /// `PASS`, `MISS` or `n/a`.
    verdict: &'static str,
}

/// Full results, as printed by `--json`.
#[derive(Debug, Serialize)]
struct Report {
    /// The generated input.
    input: InputReport,
    /// One entry per measured row.
    rows: Vec<Row>,
    /// The targets.
    checks: Vec<Check>,
    /// Whether every row counted exactly the generated records.
    counts_ok: bool,
    /// Why the Python row is missing, if it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    python_skipped: Option<String>,
}

/// The generated input, as reported.
#[derive(Debug, Serialize)]
struct InputReport {
    /// Path of the `.xml.gz`.
    path: String,
    /// Records in it.
    records: usize,
    /// Distinct fixture records they were copied from.
    templates: usize,
    /// Compressed size, bytes.
    gz_bytes: u64,
    /// Uncompressed size, bytes.
    xml_bytes: u64,
    /// Rounds measured.
    runs: usize,
}

/// Accumulates the runs of one row.
struct Samples {
    name: &'static str,
    results: Vec<ChildResult>,
}

/// Generates the input, runs every row, prints the report. Returns whether
/// the run succeeded (counts matched, and targets met if `--fail-on-miss`).
fn run_bench(cli: &Cli) -> Result<bool> {
    ensure!(cli.runs > 0, "--runs must be at least 1");
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| in_workspace("target/bench/pubmed-bench.xml.gz"));
    let fixtures = cli
        .fixtures
        .clone()
        .unwrap_or_else(|| in_workspace("fixtures/pubmed"));
    let script = in_workspace("bench/pubmed_parser_baseline.py");

    let meta = prepare_input(cli, &out, &fixtures)?;
    eprintln!(
        "input: {} — {} records ({} fixture templates), {:.1} MB gz, {:.1} MB XML",
        out.display(),
        meta.records,
        meta.templates,
        mb(meta.gz_bytes),
        mb(meta.xml_bytes)
    );
    // Warm the page cache so the first row is not charged for disk reads.
    std::fs::read(&out).with_context(|| format!("reading {}", out.display()))?;

    let exe = std::env::current_exe().context("locating the bench binary")?;
    let mut ours = Samples {
        name: "ours",
        results: Vec::new(),
    };
    let mut bare = Samples {
        name: "bare quick-xml",
        results: Vec::new(),
    };
    let mut python = Samples {
        name: "pubmed_parser (Python)",
        results: Vec::new(),
    };
    let mut python_skipped = cli.no_python.then(|| "skipped (--no-python)".to_owned());

    for round in 1..=cli.runs {
        for (samples, which) in [(&mut ours, Which::Ours), (&mut bare, Which::Bare)] {
            let mut command = Command::new(&exe);
            command.arg("child").arg(which_arg(which)).arg(&out);
            let result = run_json_child::<ChildResult>(&mut command)
                .with_context(|| format!("{} row, round {round}", samples.name))?;
            log_run(samples.name, round, &result);
            samples.results.push(result);
        }
        if python_skipped.is_none() {
            let mut command = Command::new(&cli.python);
            command.arg(&script).arg(&out);
            match run_python(&mut command, &cli.python) {
                Ok(result) => {
                    log_run(python.name, round, &result);
                    python.results.push(result);
                }
                Err(PythonError::Unavailable(why)) => {
                    eprintln!("{why}");
                    python_skipped = Some(why);
                }
                Err(PythonError::Failed(error)) => {
                    return Err(error.context(format!("pubmed_parser row, round {round}")));
                }
            }
        }
    }

    let mut rows = Vec::new();
    let mut counts_ok = true;
    for samples in [&ours, &bare, &python] {
        if samples.results.is_empty() {
            continue;
        }
        let row = summarise(samples, meta.xml_bytes);
        for result in &samples.results {
            if result.records != meta.records as u64 {
                counts_ok = false;
                eprintln!(
                    "COUNT MISMATCH: {} counted {} records, the file has {}",
                    samples.name, result.records, meta.records
                );
            }
        }
        rows.push(row);
    }

    let ours_row = &rows[0];
    let bare_row = &rows[1];
    let python_row = rows.get(2);
    let speedup = python_row.map(|p| p.seconds / ours_row.seconds);
    let over_bare = ours_row.seconds / bare_row.seconds;
    let checks = vec![
        Check {
            name: "ours vs pubmed_parser speed",
            value: speedup,
            target: ">= 15x",
            verdict: verdict(speedup.map(|s| s >= TARGET_SPEEDUP_VS_PYTHON)),
        },
        Check {
            name: "ours / bare quick-xml time",
            value: Some(over_bare),
            target: "<= 1.5x",
            verdict: verdict(Some(over_bare <= TARGET_OURS_OVER_BARE)),
        },
        Check {
            name: "ours peak RSS (MiB)",
            value: Some(ours_row.peak_rss_mib),
            target: "< 200 MiB",
            verdict: verdict(Some(ours_row.peak_rss_mib < TARGET_PEAK_RSS_MIB)),
        },
    ];
    let all_pass = checks.iter().all(|c| c.verdict != "MISS");

    let report = Report {
        input: InputReport {
            path: out.display().to_string(),
            records: meta.records,
            templates: meta.templates,
            gz_bytes: meta.gz_bytes,
            xml_bytes: meta.xml_bytes,
            runs: cli.runs,
        },
        rows,
        checks,
        counts_ok,
        python_skipped,
    };
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(counts_ok && (all_pass || !cli.fail_on_miss))
}

/// The subcommand argument for a row.
fn which_arg(which: Which) -> &'static str {
    match which {
        Which::Ours => "ours",
        Which::Bare => "bare",
    }
}

/// Why the Python row could not be measured.
enum PythonError {
    /// The interpreter or the package is missing: report the other rows.
    Unavailable(String),
    /// The script ran and failed: that is an error.
    Failed(anyhow::Error),
}

/// Runs the Python baseline script.
fn run_python(command: &mut Command, python: &str) -> Result<ChildResult, PythonError> {
    let install = "install it with `pip install -r bench/requirements.txt` \
                   (e.g. into a venv: `python3 -m venv target/bench/venv && \
                   target/bench/venv/bin/pip install -r bench/requirements.txt`, \
                   then pass `--python target/bench/venv/bin/python`)";
    let output = match command.output() {
        Ok(output) => output,
        Err(error) => {
            return Err(PythonError::Unavailable(format!(
                "pubmed_parser row skipped: cannot run `{python}` ({error}); {install}"
            )))
        }
    };
    if output.status.code() == Some(3) {
        return Err(PythonError::Unavailable(format!(
            "pubmed_parser row skipped: `{python}` cannot import pubmed_parser; {install}"
        )));
    }
    std::io::stderr()
        .write_all(&output.stderr)
        .map_err(|e| PythonError::Failed(e.into()))?;
    if !output.status.success() {
        return Err(PythonError::Failed(anyhow::anyhow!(
            "{command:?} failed with {}",
            output.status
        )));
    }
    parse_last_line(&output.stdout).map_err(PythonError::Failed)
}

/// Logs one finished run to stderr.
fn log_run(name: &str, round: usize, result: &ChildResult) {
    eprintln!(
        "  round {round}: {name:<24} {:>7} records  {:>8.3} s  {:>7.1} MiB peak",
        result.records,
        result.seconds,
        kib_to_mib(result.peak_rss_kb)
    );
}

/// Best time and largest RSS over a row's runs.
fn summarise(samples: &Samples, xml_bytes: u64) -> Row {
    let runs: Vec<f64> = samples.results.iter().map(|r| r.seconds).collect();
    let seconds = runs.iter().copied().fold(f64::INFINITY, f64::min);
    let records = samples.results[0].records;
    let peak = samples
        .results
        .iter()
        .map(|r| r.peak_rss_kb)
        .max()
        .unwrap_or(0);
    Row {
        name: samples.name,
        records,
        seconds,
        runs,
        records_per_s: records as f64 / seconds,
        mb_per_s: mb(xml_bytes) / seconds,
        peak_rss_mib: kib_to_mib(peak),
    }
}

/// `PASS`/`MISS`, or `n/a` when the value could not be measured.
fn verdict(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "PASS",
        Some(false) => "MISS",
        None => "n/a",
    }
}

/// Bytes to megabytes (10^6).
fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// KiB to MiB.
fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Prints the human-readable report.
fn print_table(report: &Report) {
    let input = &report.input;
    println!(
        "input: {} — {} records from {} fixture records; {:.1} MB gz, {:.1} MB XML; best of {} interleaved runs",
        input.path,
        input.records,
        input.templates,
        mb(input.gz_bytes),
        mb(input.xml_bytes),
        input.runs
    );
    println!();
    println!(
        "{:<24} {:>8} {:>9} {:>11} {:>8} {:>14}",
        "parser", "records", "seconds", "records/s", "MB/s", "peak RSS MiB"
    );
    for row in &report.rows {
        println!(
            "{:<24} {:>8} {:>9.3} {:>11.0} {:>8.1} {:>14.1}",
            row.name, row.records, row.seconds, row.records_per_s, row.mb_per_s, row.peak_rss_mib
        );
    }
    if let Some(why) = &report.python_skipped {
        println!("{why}");
    }
    println!();
    for check in &report.checks {
        let value = match check.value {
            Some(v) => format!("{v:.2}"),
            None => "-".to_owned(),
        };
        println!(
            "{:<30} {:>8}  (target {:<9}) {}",
            check.name, value, check.target, check.verdict
        );
    }
    println!(
        "record counts: {}",
        if report.counts_ok {
            "all rows match the generated file"
        } else {
            "MISMATCH (see above)"
        }
    );
}
