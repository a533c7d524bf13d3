//! Merge-key benchmark: ingest time per record, file by file, when many
//! records share a DOI and a title key (as errata, corrections and
//! supplements share their article's), each with its own PMID.
//!
//! Ten files of N records go through the merging sink, one commit per file
//! as `indexer ingest` does. Every DOI is shared by `--copies` records of
//! each file, all with the same title, year and first author, so by the
//! tenth file a record's DOI and title key each name nine files' worth of
//! other works; one record in twenty is Europe PMC's copy of the PubMed
//! record before it, a true duplicate that must merge. The same workload
//! runs twice in one process: on an index with the `merge_probe` field
//! (`new`: lookups ask for the compatible records only) and on one built
//! without it, as indexes written before it are (`old`: the sink falls back
//! to reading every record sharing a key, the code of edfa6f1). The target
//! is a flat time per record: file 10 ÷ file 1 close to 1 for `new`.
//!
//! ```sh
//! cargo bench --bench merge_keys                          # 10 files of 5,000 records
//! cargo bench --bench merge_keys -- --records 2000 --files 5 --copies 20 --modes new --json
//! ```

use std::path::Path;
use std::time::Instant;

use indexer::index::{IndexStore, RecordSink, UpsertOutcome};
use indexer::records::{Author, Identifiers, Provenance, Publication, PublicationDate, Record};

struct Options {
    records: usize,
    files: usize,
    copies: usize,
    modes: Vec<Mode>,
    json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    New,
    Old,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::New => "new",
            Mode::Old => "old",
        }
    }
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        records: 5_000,
        files: 10,
        copies: 10,
        modes: vec![Mode::New, Mode::Old],
        json: false,
    };
    let mut args = std::env::args().skip(1);
    let number = |value: Option<String>, flag: &str| {
        value
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|&v| v > 0)
            .ok_or(format!("{flag} needs a positive number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => options.records = number(args.next(), "--records")?,
            "--files" => options.files = number(args.next(), "--files")?,
            "--copies" => options.copies = number(args.next(), "--copies")?,
            "--modes" => {
                options.modes = args
                    .next()
                    .ok_or("--modes needs a list")?
                    .split(',')
                    .map(|mode| match mode.trim() {
                        "new" => Ok(Mode::New),
                        "old" => Ok(Mode::Old),
                        other => Err(format!("--modes: unknown mode {other}")),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--json" => options.json = true,
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

/// Record `index` of file `file`: PubMed's, or every twentieth Europe PMC's
/// copy of the PubMed record before it.
fn record(options: &Options, file: usize, index: usize) -> Record {
    let duplicate = index % 20 == 19;
    let own = if duplicate { index - 1 } else { index };
    let pmid = (30_000_000 + file * options.records + own).to_string();
    let works = (options.records / options.copies).max(1);
    let work = own % works;
    let (source, record_id) = if duplicate {
        ("europepmc", format!("MED:{pmid}"))
    } else {
        ("pubmed", format!("pmid:{pmid}"))
    };
    let identifiers = Identifiers {
        pmid: Some(pmid),
        doi: Some(format!("10.5555/shared.{work}")),
        pmcid: duplicate.then(|| format!("PMC{}", 9_000_000 + file * options.records + own)),
        ..Identifiers::default()
    };
    Record::Publication(Box::new(Publication {
        id: Publication::stable_id(&identifiers, String::new),
        identifiers,
        title: format!("Correction: outcomes of cochlear implant services, study {work}"),
        published: Some(PublicationDate::in_year(2024)),
        authors: vec![Author {
            position: 1,
            family: Some("Jones".into()),
            given: Some("Carys".into()),
            valid: true,
            ..Author::default()
        }],
        provenance: vec![Provenance {
            source: source.into(),
            location: format!("bench/file-{file}.xml"),
            fetched_at: "2026-12-07T00:00:00Z".into(),
            record_id: Some(record_id),
        }],
        ..Publication::default()
    }))
}

/// An index with the schema indexes had before `merge_probe`.
fn create_without_probe(data: &Path) -> Result<(), String> {
    let path = data.join("index");
    std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    tantivy::Index::create_in_dir(&path, indexer::index::schema::previous_schema())
        .map_err(|e| e.to_string())?;
    Ok(())
}

struct Run {
    mode: Mode,
    /// Seconds per record, file by file.
    per_record: Vec<f64>,
    records: u64,
}

fn run(options: &Options, mode: Mode) -> Result<Run, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    if mode == Mode::Old {
        create_without_probe(dir.path())?;
    }
    let store = IndexStore::open_or_create(dir.path()).map_err(|e| e.to_string())?;
    if (store.fields().merge_probe.is_some()) != (mode == Mode::New) {
        return Err(format!("{}: wrong schema", mode.name()));
    }
    let mut sink = RecordSink::open(&store, 128 * 1024 * 1024).map_err(|e| e.to_string())?;
    let mut per_record = Vec::new();
    let mut new = 0;
    for file in 0..options.files {
        let records: Vec<Record> = (0..options.records)
            .map(|index| record(options, file, index))
            .collect();
        let started = Instant::now();
        for record in records {
            if sink.upsert(record).map_err(|e| e.to_string())? == UpsertOutcome::New {
                new += 1;
            }
        }
        sink.commit(None).map_err(|e| e.to_string())?;
        per_record.push(started.elapsed().as_secs_f64() / options.records as f64);
    }
    sink.finish().map_err(|e| e.to_string())?;
    let records = store.count().map_err(|e| e.to_string())?;
    // Every PubMed record is its own work; every Europe PMC copy merges into one.
    let expected = (options.files * (options.records - options.records / 20)) as u64;
    if records != expected || new != expected {
        return Err(format!(
            "{}: {records} records ({new} new), expected {expected}",
            mode.name()
        ));
    }
    Ok(Run {
        mode,
        per_record,
        records,
    })
}

fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("merge_keys: {message}");
            std::process::exit(2);
        }
    };
    let mut runs = Vec::new();
    for &mode in &options.modes {
        match run(&options, mode) {
            Ok(run) => runs.push(run),
            Err(message) => {
                eprintln!("merge_keys: {message}");
                std::process::exit(1);
            }
        }
    }
    let ratio = |run: &Run| run.per_record[run.per_record.len() - 1] / run.per_record[0];
    if options.json {
        let rows: Vec<_> = runs
            .iter()
            .map(|run| {
                serde_json::json!({
                    "mode": run.mode.name(),
                    "records_indexed": run.records,
                    "microseconds_per_record": run.per_record.iter().map(|s| s * 1e6).collect::<Vec<_>>(),
                    "last_over_first": ratio(run),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::json!({
                "records_per_file": options.records,
                "files": options.files,
                "copies_per_doi_per_file": options.copies,
                "runs": rows,
            })
        );
        return;
    }
    println!(
        "{} files of {} records; each DOI and title key shared by {} records a file",
        options.files, options.records, options.copies
    );
    print!("{:>6}", "file");
    for run in &runs {
        print!("  {:>12}", format!("{} µs/rec", run.mode.name()));
    }
    if runs.len() == 2 {
        print!("  {:>10}", "old ÷ new");
    }
    println!();
    for file in 0..options.files {
        print!("{:>6}", file + 1);
        for run in &runs {
            print!("  {:>12.1}", run.per_record[file] * 1e6);
        }
        if let [first, second] = runs.as_slice() {
            print!(
                "  {:>10.2}",
                second.per_record[file] / first.per_record[file]
            );
        }
        println!();
    }
    for run in &runs {
        println!(
            "{}: file {} ÷ file 1 = {:.2} ({} records indexed)",
            run.mode.name(),
            options.files,
            ratio(run),
            run.records
        );
    }
}
