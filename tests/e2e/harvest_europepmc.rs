//! Harvesting europepmc against the loopback replay server.
//!
//! Two simulations of Europe PMC's `search` endpoint, both serving recorded
//! real responses from `fixtures/europepmc/` (see its PROVENANCE.md):
//!
//! - **core**: the 25 real `resultType=core` results of
//!   `search_cancer_core.json`, split into pages of the requested `pageSize`
//!   with cursors minted here; only `hitCount` (→ 25), `nextCursorMark`
//!   (absent on the last page, as Europe PMC documents the end),
//!   `nextPageUrl` and the echoed `request` are rewritten;
//! - **chain**: the 10 real consecutive lite pages of
//!   `fetch_10pages_cancer.json`, served by their real `cursorMark`, with
//!   `hitCount` rewritten to the 1000 results they hold and the last page
//!   echoing the cursor it was asked for (the observed end-of-results form).
//!
//! Both are in `replay_server::europepmc` (the binary serves **core**).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indexer::index::IndexStore;
use indexer::records::Record;
use replay_server::europepmc::{core_cursor, ChainSimulator, CoreSimulator};
use replay_server::{Fault, Framing, ReplayServer, Response};
use serde_json::{json, Value};

use crate::support::{config_arg, exported, fixtures_dir, ids, indexer, publication, Run};

const QUERY: &str = "cancer";
/// Page size of the core simulation: 25 results → pages of 10, 10 and 5.
const CORE_PAGE: usize = 10;

fn fixture_json(name: &str) -> Value {
    let path = crate::support::fixture(&format!("europepmc/{name}"));
    let text = std::fs::read_to_string(&path).expect("fixture is readable");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn core_sim() -> Arc<CoreSimulator> {
    Arc::new(CoreSimulator::load(&fixtures_dir()).expect("europepmc fixtures load"))
}

pub fn core_server() -> (ReplayServer, Arc<CoreSimulator>) {
    let sim = core_sim();
    let handler_sim = Arc::clone(&sim);
    let server = ReplayServer::start(move |request| handler_sim.respond(request));
    (server, sim)
}

/// The chain simulation: the 10 real lite pages, keyed by their real cursor.
fn chain_server() -> ReplayServer {
    let sim = ChainSimulator::load(&fixtures_dir()).expect("europepmc fixtures load");
    ReplayServer::start(move |request| sim.respond(request))
}

pub fn config(dir: &Path, server: &ReplayServer) -> String {
    config_arg(
        dir,
        &format!(
            "[europepmc]\nbase_url = \"{}/europepmc/webservices/rest/\"\nrate = 200.0\nemail = \"ops@example.invalid\"\n",
            server.base_url()
        ),
    )
}

fn harvest(data: &Path, config: &str, extra: &[&str]) -> Run {
    let mut args = vec!["harvest", "--config", config, "europepmc", "--query", QUERY];
    let page = CORE_PAGE.to_string();
    if !extra.contains(&"--page-size") {
        args.extend_from_slice(&["--page-size", &page]);
    }
    args.extend_from_slice(extra);
    indexer(data, &args)
}

/// Harvests every recorded Europe PMC core result into `data` (config files under `dir`).
pub(crate) fn harvest_into(dir: &Path, data: &Path) {
    let (server, _) = core_server();
    let run = harvest(data, &config(dir, &server), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// The ids the 25 core fixture results must become (each has a PMID).
fn core_expected_ids() -> BTreeSet<String> {
    fixture_json("search_cancer_core.json")["resultList"]["result"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| format!("pmid:{}", result["pmid"].as_str().expect("pmid")))
        .collect()
}

/// Records with their fetch time blanked, to compare runs made at different moments.
fn comparable(records: Vec<Record>) -> Vec<Record> {
    records
        .into_iter()
        .map(|record| match record {
            Record::Publication(mut publication) => {
                for provenance in &mut publication.provenance {
                    provenance.fetched_at.clear();
                    // Each run has its own server port: keep the path and query only.
                    if let Some(path) = provenance.location.find("/europepmc/") {
                        provenance.location.replace_range(..path, "");
                    }
                }
                Record::Publication(publication)
            }
            other => other,
        })
        .collect()
}

fn checkpoint(data: &Path) -> Value {
    let payload = IndexStore::open_existing(data)
        .expect("index")
        .commit_payload()
        .expect("payload")
        .expect("a commit payload");
    let payload: Value = serde_json::from_str(&payload).expect("payload JSON");
    payload["checkpoints"][format!("europepmc:{QUERY}")].clone()
}

fn cursors_requested(server: &ReplayServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|logged| logged.request.param("cursorMark").unwrap_or("").to_owned())
        .collect()
}

fn clean_run() -> Vec<Record> {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(dir.path(), &server);
    let run = harvest(&dir.path().join("data"), &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    comparable(exported(&dir.path().join("data")))
}

#[test]
fn clean_run_indexes_every_core_result_with_its_fields() {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("25 new"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("ops@example.invalid"),
        "no e-mail in messages"
    );

    // Three pages, each cursor arriving exactly as minted (encoded once on the wire).
    assert_eq!(
        cursors_requested(&server),
        vec!["*".to_owned(), core_cursor(10), core_cursor(20)]
    );
    for logged in server.requests() {
        let request = &logged.request;
        assert_eq!(request.param("query"), Some(QUERY));
        assert_eq!(request.param("resultType"), Some("core"));
        assert_eq!(request.param("format"), Some("json"));
        assert_eq!(request.param("pageSize"), Some("10"));
        assert_eq!(request.param("email"), Some("ops@example.invalid"));
        assert_eq!(request.header("accept"), Some("application/json"));
    }

    let records = exported(&data);
    assert_eq!(ids(&records), core_expected_ids());

    // Field values against the fixture's own content.
    let fixture = fixture_json("search_cancer_core.json");
    let results = fixture["resultList"]["result"].as_array().expect("results");
    for result in results {
        let pmid = result["pmid"].as_str().expect("pmid");
        let record = publication(&records, &format!("pmid:{pmid}"));
        let source = result["source"].as_str().expect("source");
        let provenance = &record.provenance[0];
        assert_eq!(provenance.source, "europepmc");
        assert_eq!(
            provenance.record_id.as_deref(),
            Some(format!("{source}:{pmid}").as_str())
        );
        assert!(provenance
            .location
            .contains("/search?query=cancer&resultType=core"));
        assert!(
            !provenance.location.contains("email"),
            "{}",
            provenance.location
        );
        assert_eq!(
            record.identifiers.doi.as_deref(),
            result["doi"]
                .as_str()
                .map(str::to_ascii_lowercase)
                .as_deref()
        );
        assert_eq!(
            record.identifiers.pmcid.as_deref(),
            result["pmcid"].as_str()
        );
        assert_eq!(
            record.published.as_ref().unwrap().year.to_string(),
            result["pubYear"].as_str().expect("pubYear")
        );
        let authors = result["authorList"]["author"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(record.authors.len(), authors, "{pmid}");
        let orcids = result["authorList"]["author"].as_array().map_or(0, |list| {
            list.iter().filter(|a| a.get("authorId").is_some()).count()
        });
        assert_eq!(
            record.authors.iter().filter(|a| a.orcid.is_some()).count(),
            orcids
        );
        let grants = result["grantsList"]["grant"].as_array().map_or(0, Vec::len);
        assert_eq!(record.grants.len(), grants, "{pmid}");
        let mesh = result["meshHeadingList"]["meshHeading"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(record.mesh.len(), mesh, "{pmid}");
        if let Some(raw) = result["abstractText"].as_str() {
            let sections = record.r#abstract.as_ref().expect("abstract").sections.len();
            assert_eq!(sections, raw.matches("<h4>").count().max(1), "{pmid}");
        }
        assert!(!record.title.contains('<'), "{}", record.title);
        assert_eq!(
            record.journal.as_ref().map(|j| j.title.as_str()),
            result["journalInfo"]["journal"]["title"].as_str()
        );
        for author in &record.authors {
            for affiliation in &author.affiliations {
                assert!(!affiliation.contains('@'), "{affiliation}");
            }
        }
    }
    let structured = publication(&records, "pmid:40511629");
    let abstract_ = structured.r#abstract.as_ref().expect("abstract");
    assert_eq!(abstract_.sections[0].label.as_deref(), Some("Background"));
    assert!(abstract_.sections[0].text.contains("(H2S)"));
    let first = publication(&records, "pmid:39709209");
    assert_eq!(
        first.authors[0].email.as_deref(),
        Some("jdschoenfeld@partners.org")
    );

    let done = checkpoint(&data);
    assert_eq!(done["done"], json!(true));
    assert_eq!(
        (done["collected"].as_u64(), done["hit_count"].as_u64()),
        (Some(25), Some(25))
    );
}

#[test]
fn retry_after_is_honoured_and_the_run_completes() {
    let clean = clean_run();
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    server.inject("/search", Fault::status(429).retry_after("1"), 1);
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log = server.requests();
    let limited = log
        .iter()
        .position(|logged| logged.fault.as_deref() == Some("status 429"))
        .expect("the 429 was served");
    let gap = log[limited + 1].at.duration_since(log[limited].at);
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
    assert_eq!(comparable(exported(&data)), clean);
}

/// Runs a clean harvest with each fault served once, and checks the run
/// retried exactly that request and indexed exactly the clean run's records.
fn assert_recovers(faults: Vec<(&str, Fault)>) {
    let clean = clean_run();
    for (name, fault) in faults {
        let (server, _) = core_server();
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let config = config(dir.path(), &server);
        let delayed = matches!(fault, Fault::Delay(_));
        server.inject("/search", fault, 1);
        let run = harvest(&data, &config, &[]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        let faulted = server
            .requests()
            .iter()
            .filter(|l| l.fault.is_some())
            .count();
        assert_eq!(faulted, 1, "{name}: the fault was served once");
        // Three pages, plus one retry unless the fault only slowed the answer.
        let expected_requests = if delayed { 3 } else { 4 };
        assert_eq!(server.requests().len(), expected_requests, "{name}");
        assert_eq!(
            comparable(exported(&data)),
            clean,
            "{name}: every record exactly once"
        );
    }
}

#[test]
fn server_errors_and_dropped_connections_are_retried() {
    assert_recovers(vec![
        ("500", Fault::status(500)),
        ("503", Fault::status(503)),
        ("dropped connection", Fault::Drop),
        ("slow answer", Fault::Delay(Duration::from_millis(300))),
    ]);
}

#[test]
fn each_truncation_framing_is_detected_and_retried() {
    assert_recovers(
        [
            Framing::ContentLength,
            Framing::Chunked,
            Framing::CloseDelimited,
        ]
        .into_iter()
        .map(|framing| {
            (
                "truncated body",
                Fault::Truncate {
                    bytes: 4000,
                    framing,
                },
            )
        })
        .collect(),
    );
}

#[test]
fn error_pages_and_inconsistent_pages_are_retried() {
    let sim = core_sim();
    let empty_page = {
        let mut page = sim.page("*", CORE_PAGE);
        page["resultList"]["result"] = json!([]);
        page.to_string()
    };
    let stale_page = sim.page(&core_cursor(10), CORE_PAGE).to_string();
    assert_recovers(vec![
        (
            "html error page",
            Fault::ReplaceBody(b"<html><body><h1>Service Unavailable</h1></body></html>".to_vec()),
        ),
        ("empty body", Fault::ReplaceBody(Vec::new())),
        (
            "empty page with a new cursor",
            Fault::ReplaceBody(empty_page.into_bytes()),
        ),
        (
            "page for another cursor",
            Fault::ReplaceBody(stale_page.into_bytes()),
        ),
    ]);
}

#[test]
fn a_repeated_next_cursor_mark_ends_the_pass_at_hit_count() {
    let server = chain_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let run = harvest(&data, &config, &["--page-size", "100"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Ten real pages, and no eleventh request for the echoed cursor.
    let cursors = cursors_requested(&server);
    assert_eq!(cursors.len(), 10, "{cursors:?}");
    assert_eq!(cursors[0], "*");
    assert_eq!(cursors[1], "AoIIP4T93Cg1MzE0OTUzNA==");
    let done = checkpoint(&data);
    assert_eq!(done["done"], json!(true));
    assert_eq!(done["collected"].as_u64(), Some(1000));
    assert_eq!(done["hit_count"].as_u64(), Some(1000));
    // Every result landed exactly once: as a record of its own, or as a version
    // merged into the same work from the other Europe PMC source (the real
    // chain holds 16 PMC/MED pairs of one article).
    let expected: BTreeSet<String> = fixture_json("fetch_10pages_cancer.json")
        .as_array()
        .expect("pages")
        .iter()
        .flat_map(|page| {
            page["resultList"]["result"]
                .as_array()
                .expect("results")
                .clone()
        })
        .map(|result| {
            format!(
                "{}:{}",
                result["source"].as_str().unwrap(),
                result["id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(expected.len(), 1000);
    let records = exported(&data);
    let versions: Vec<String> = records
        .iter()
        .flat_map(|record| record.provenance().to_vec())
        .filter_map(|provenance| provenance.record_id)
        .collect();
    assert_eq!(versions.len(), 1000, "no result twice");
    assert_eq!(versions.into_iter().collect::<BTreeSet<_>>(), expected);
    let merged = 1000 - records.len();
    assert!(
        run.stderr
            .contains(&format!("{} new, {merged} updated", records.len())),
        "{}",
        run.stderr
    );
}

#[test]
fn a_failed_run_resumes_from_its_checkpoint_without_refetching() {
    let (server, sim) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    sim.set_failing_cursor(Some(core_cursor(20)));
    let failed = harvest(&data, &config, &[]);
    assert_ne!(failed.code, 0, "{}", failed.stderr);
    assert!(failed.stderr.contains("HTTP 500"), "{}", failed.stderr);
    assert!(
        !failed.stderr.contains("ops@example.invalid"),
        "{}",
        failed.stderr
    );
    let committed = ids(&exported(&data));
    assert_eq!(committed.len(), 20, "the first two pages were committed");
    let stopped = checkpoint(&data);
    assert_eq!(stopped["cursor"], json!(core_cursor(20)));
    assert_eq!(stopped["collected"].as_u64(), Some(20));

    sim.set_failing_cursor(None);
    server.clear_log();
    let resumed = harvest(&data, &config, &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(cursors_requested(&server), vec![core_cursor(20)]);
    assert!(resumed.stderr.contains("5 new"), "{}", resumed.stderr);
    assert_eq!(ids(&exported(&data)), core_expected_ids());
    assert!(committed.is_subset(&core_expected_ids()));
}

#[test]
fn a_second_run_changes_nothing() {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let first = harvest(&data, &config, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before = exported(&data);
    server.clear_log();
    let second = harvest(&data, &config, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    // A completed pass is not resumed: the whole query is read again, and nothing changes.
    assert_eq!(cursors_requested(&server).len(), 3);
    assert!(
        second.stderr.contains("0 new, 0 updated, 25 unchanged"),
        "{}",
        second.stderr
    );
    assert_eq!(exported(&data), before);
}

#[test]
fn reparse_rebuilds_the_index_from_the_archive() {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let harvested = comparable(exported(&data));
    crate::support::remove_index(&data);
    let reparsed = indexer(&data, &["reparse", "europepmc"]);
    assert_eq!(reparsed.code, 0, "{}", reparsed.stderr);
    assert!(
        reparsed
            .stderr
            .contains("europepmc: 3 archived response(s), 25 record(s) upserted, 0 skipped"),
        "{}",
        reparsed.stderr
    );
    assert_eq!(comparable(exported(&data)), harvested);
}

#[test]
fn reparse_skips_the_archived_truncated_body_and_names_it() {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    server.inject(
        "/search",
        Fault::Truncate {
            bytes: 2000,
            framing: Framing::CloseDelimited,
        },
        1,
    );
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let harvested = comparable(exported(&data));
    crate::support::remove_index(&data);
    let reparsed = indexer(&data, &["reparse"]);
    // The cut body was archived, rejected and retried at harvest time: reparse reports it.
    assert_eq!(reparsed.code, 2, "{}", reparsed.stderr);
    assert!(reparsed.stderr.contains("not JSON"), "{}", reparsed.stderr);
    assert!(
        reparsed.stderr.contains("cursorMark=*"),
        "{}",
        reparsed.stderr
    );
    assert_eq!(comparable(exported(&data)), harvested);
}

#[test]
fn since_auto_asks_for_updates_since_the_last_completed_pass() {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let first = harvest(&data, &config, &["--since", "auto"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("no completed harvest"),
        "{}",
        first.stderr
    );
    assert_eq!(server.requests()[0].request.param("query"), Some(QUERY));
    let started = checkpoint(&data)["started_at"]
        .as_str()
        .expect("started_at")
        .to_owned();

    server.clear_log();
    let incremental = harvest(&data, &config, &["--since", "auto"]);
    assert_eq!(incremental.code, 0, "{}", incremental.stderr);
    let expected = format!("({QUERY}) AND UPDATE_DATE:[{started} TO 3000-12-31]");
    for logged in server.requests() {
        assert_eq!(logged.request.param("query"), Some(expected.as_str()));
    }
    assert!(
        incremental.stderr.contains("0 new"),
        "{}",
        incremental.stderr
    );

    server.clear_log();
    let explicit = harvest(&data, &config, &["--since", "2024-02-29"]);
    assert_eq!(explicit.code, 0, "{}", explicit.stderr);
    assert_eq!(
        server.requests()[0].request.param("query"),
        Some(format!("({QUERY}) AND UPDATE_DATE:[2024-02-29 TO 3000-12-31]").as_str())
    );
    let bad = harvest(&data, &config, &["--since", "last week"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
}

#[test]
fn an_empty_result_completes_with_nothing_indexed() {
    let body = std::fs::read_to_string(crate::support::fixture("europepmc/search_no_results.json"))
        .expect("fixture");
    let server = ReplayServer::start(move |_| Response::ok("application/json", body.clone()));
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(server.requests().len(), 1);
    assert!(exported(&data).is_empty());
    assert_eq!(checkpoint(&data)["done"], json!(true));
}

#[test]
fn a_refused_query_is_not_retried() {
    let (server, _) = core_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let config = config(dir.path(), &server);
    let run = indexer(
        &data,
        &[
            "harvest",
            "--config",
            &config,
            "europepmc",
            "--query",
            "syntax error(",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("HTTP 400"), "{}", run.stderr);
    assert_eq!(server.requests().len(), 1);
    let too_big = harvest(&data, &config, &["--page-size", "1001"]);
    assert_eq!(too_big.code, 1);
}
