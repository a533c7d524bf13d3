//! Shared helpers: fixture paths and parsing a file into its items.

use std::path::{Path, PathBuf};

use std::collections::BTreeSet;

use indexer::index::IndexStore;
use indexer::records::{Grant, Publication, Record};
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

/// Output of one CLI run.
pub struct Run {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the real `indexer` CLI in-process against `data_dir`.
///
/// `harvest` and `reparse` start their own runtime: call this from a plain
/// `#[test]`, or from `spawn_blocking` inside an async one.
pub fn indexer(data_dir: &Path, args: &[&str]) -> Run {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut argv = vec![
        "indexer".to_owned(),
        "--data-dir".to_owned(),
        data_dir.display().to_string(),
    ];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let code = indexer::cli::run(argv, &mut stdout, &mut stderr, false);
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("utf-8 output"),
        stderr: String::from_utf8(stderr).expect("utf-8 messages"),
    }
}

/// Writes a harvest config for tests into `dir`: fast retries and short
/// deadlines, then `sections` (TOML, e.g. a `[pubmed]` table with `base_url`).
/// `indexer harvest --config CONFIG roster --sources SOURCES [--report REPORT]`.
pub fn harvest_roster(data: &Path, config: &str, sources: &str, report: Option<&Path>) -> Run {
    let report = report.map(|path| path.display().to_string());
    let mut args = vec![
        "harvest",
        "--config",
        config,
        "roster",
        "--sources",
        sources,
    ];
    if let Some(report) = &report {
        args.extend(["--report", report.as_str()]);
    }
    indexer(data, &args)
}

/// A data directory `name` under `dir` with `csv` imported as its roster.
pub fn imported(dir: &Path, name: &str, csv: &str) -> PathBuf {
    let data = dir.join(name);
    let roster = dir.join(format!("{name}-roster.csv"));
    std::fs::write(&roster, csv).expect("roster written");
    let import = indexer(&data, &["roster", "import", &roster.display().to_string()]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    data
}

/// The report's row for roster id `id`, split into cells (none of the
/// tested cells holds a comma).
pub fn report_row(text: &str, id: &str) -> Vec<String> {
    let line = text
        .lines()
        .find(|line| line.starts_with(&format!("{id},")))
        .unwrap_or_else(|| panic!("no row for {id}: {text}"));
    line.split(',').map(str::to_owned).collect()
}

/// The index of the report's column `name`.
pub fn column(text: &str, name: &str) -> usize {
    text.lines()
        .next()
        .unwrap_or_default()
        .split(',')
        .position(|header| header == name)
        .unwrap_or_else(|| panic!("no column {name}: {text}"))
}

/// Writes a harvest configuration under `dir`: test-speed HTTP settings,
/// then `sections` (the sources' own), and returns its path.
pub fn harvest_config(dir: &Path, sections: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("config dir");
    let path = dir.join("harvest.toml");
    let text = format!(
        "[http]\ncontact = \"mailto:tests@example.invalid\"\nconnect_timeout_secs = 2.0\nread_timeout_secs = 2.0\ntimeout_secs = 10.0\nmax_tries = 6\nbackoff_base_ms = 20\nbackoff_cap_ms = 200\nretry_after_cap_secs = 5.0\n\n{sections}\n"
    );
    std::fs::write(&path, text).expect("write harvest config");
    path
}

/// Every record in the index under `data_dir`.
pub fn exported(data_dir: &Path) -> Vec<Record> {
    IndexStore::open_existing(data_dir)
        .expect("index exists")
        .export()
        .expect("export")
}

/// The ids of `records`.
pub fn ids(records: &[Record]) -> BTreeSet<String> {
    records.iter().map(|r| r.id().to_owned()).collect()
}

/// Deletes the index under `data_dir` (keeping the raw archive), as an operator
/// would before `indexer reparse`.
///
/// tantivy's background threads may still be deleting merged-away segment files
/// for a moment after the writer is gone, and a concurrent delete makes
/// `remove_dir_all` fail with "directory not empty": retry briefly.
pub fn remove_index(data_dir: &Path) {
    let index = data_dir.join("index");
    let mut last = None;
    for _ in 0..40 {
        match std::fs::remove_dir_all(&index) {
            Ok(()) => return,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return,
            Err(error) => last = Some(error),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("cannot remove {}: {last:?}", index.display());
}

/// `text` percent-encoded for a query string (everything but unreserved characters).
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// [`harvest_config`]'s file, as the `--config` argument.
pub fn config_arg(dir: &Path, sections: &str) -> String {
    harvest_config(dir, sections).display().to_string()
}

/// `indexer harvest --config CONFIG SOURCE…` with the source's own `source`
/// arguments, then `extra`.
pub fn harvest(data_dir: &Path, config: &str, source: &[&str], extra: &[&str]) -> Run {
    let mut args = vec!["harvest", "--config", config];
    args.extend_from_slice(source);
    args.extend_from_slice(extra);
    indexer(data_dir, &args)
}

/// The text of the fixture file at `relative`.
pub fn read_fixture(relative: &str) -> String {
    std::fs::read_to_string(fixture(relative))
        .unwrap_or_else(|error| panic!("fixture {relative}: {error}"))
}

/// The non-empty lines of the fixture file at `relative` (an id list).
pub fn fixture_lines(relative: &str) -> BTreeSet<String> {
    read_fixture(relative)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The publication `id` among `records`.
pub fn publication<'a>(records: &'a [Record], id: &str) -> &'a Publication {
    records
        .iter()
        .find_map(|record| match record {
            Record::Publication(p) if p.id == id => Some(p.as_ref()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{id} not indexed"))
}

/// The grants indexed under `data_dir`, by id.
pub fn grants(data_dir: &Path) -> Vec<Grant> {
    let mut grants: Vec<Grant> = exported(data_dir)
        .into_iter()
        .filter_map(|record| match record {
            Record::Grant(grant) => Some(*grant),
            Record::Publication(_) => None,
        })
        .collect();
    grants.sort_by(|a, b| a.id.cmp(&b.id));
    grants
}

/// `grants` with fetch times blanked and the replay server's port dropped
/// from locations (each server has its own), by id: runs made at different
/// moments against different servers compare equal when they harvested the same.
pub fn comparable_grants(mut grants: Vec<Grant>) -> Vec<Grant> {
    for grant in &mut grants {
        for provenance in &mut grant.provenance {
            provenance.fetched_at.clear();
            if let Some((_, path)) = provenance.location.split_once("127.0.0.1:") {
                let path = path.trim_start_matches(|c: char| c.is_ascii_digit());
                provenance.location = path.to_owned();
            }
        }
    }
    grants.sort_by(|a, b| a.id.cmp(&b.id));
    grants
}
