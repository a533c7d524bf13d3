//! Harvesting oaipmh against the loopback replay server.
//!
//! Two repositories are replayed from `fixtures/oaipmh/` (see its PROVENANCE.md):
//!
//! - `chain`: real ListRecords pages stitched into one list by the token each
//!   page announces (Zenodo `from` page → Zenodo `set=software` page → DSpace
//!   page with deletions and no token), real Zenodo HTTP 422 error bodies for
//!   bad arguments, bad tokens and empty windows, and a built page with a
//!   deletion for the incremental run;
//! - `nsdl`: the real 4-page nsdl.org resumptionToken chain (header-only
//!   pages: their records have no metadata and are reported as skipped).
//!
//! Routing is by `resumptionToken` value, read from each page's own token.
//! The simulator is `replay_server::oaipmh` (the `replay-server` binary mounts
//! its repositories under `/oai/`).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use replay_server::oaipmh::{token_of, Simulator};
use replay_server::{Fault, Framing, ReplayServer};

use crate::support::{
    config_arg, exported, fixture_lines, fixtures_dir, ids, indexer, publication, read_fixture, Run,
};

fn start() -> (ReplayServer, Arc<Simulator>) {
    let repository = Arc::new(Simulator::load(&fixtures_dir()).expect("oaipmh fixtures load"));
    let shared = Arc::clone(&repository);
    (
        ReplayServer::start(move |request| shared.respond(request)),
        repository,
    )
}

fn config(dir: &Path, server: &ReplayServer) -> String {
    let base = server.base_url();
    config_arg(
        dir,
        &format!(
            "[oaipmh.repositories.chain]\nbase_url = \"{base}/chain\"\nrate = 200.0\n\n[oaipmh.repositories.nsdl]\nbase_url = \"{base}/nsdl\"\nrate = 200.0\n\n[oaipmh.repositories.badverb]\nbase_url = \"{base}/badverb\"\nrate = 200.0\n"
        ),
    )
}

fn harvest(data: &Path, config: &str, repository: &str, extra: &[&str]) -> Run {
    crate::support::harvest(data, config, &["oaipmh", "--repository", repository], extra)
}

/// Harvests the recorded OAI-PMH repositories into `data` (config files under `dir`).
pub(crate) fn harvest_into(dir: &Path, data: &Path) {
    let (server, _) = start();
    let config = config(dir, &server);
    for repository in ["chain", "nsdl"] {
        let run = harvest(data, &config, repository, &[]);
        assert!(
            run.code == 0 || run.code == 2,
            "{repository}: {}",
            run.stderr
        );
    }
}

fn expected_ids() -> BTreeSet<String> {
    fixture_lines("oaipmh/built/expected-chain-ids.txt")
}

/// The resumption tokens the server was sent, in order (`None` for a list request).
fn tokens_sent(server: &ReplayServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|l| l.request.param("resumptionToken").map(str::to_owned))
        .collect()
}

#[test]
fn clean_run_then_incremental_deletion_and_reparse() {
    let (server, _) = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, "chain", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = exported(&data);
    assert_eq!(ids(&records), expected_ids());
    assert_eq!(server.requests().len(), 3);

    // Zenodo: "Surname, Forename" creators in order, DOI from dc:identifier (not the
    // concept DOI in dc:relation), double-escaped HTML description as text.
    let article = publication(&records, "doi:10.58614/jahsm593");
    assert!(article
        .title
        .starts_with("Evaluating the Predictive Value of Activated Partial"));
    assert_eq!(
        (
            article.published.as_ref().unwrap().year,
            article.published.as_ref().unwrap().month,
            article.published.as_ref().unwrap().day
        ),
        (2025, Some(9), Some(23))
    );
    assert_eq!(article.authors[0].family.as_deref(), Some("Prasadi Zoysa"));
    assert_eq!(
        article.authors[0].given.as_deref(),
        Some("Kanakarathnage Kavindya")
    );
    assert_eq!(article.authors[3].position, 4);
    assert_eq!(article.publication_types, ["article"]);
    assert_eq!(article.languages, ["eng"]);
    let text = article.r#abstract.as_ref().unwrap().text();
    assert!(
        text.starts_with("Abstract Hemophilia A is the most common"),
        "{text}"
    );
    assert!(!text.contains('<') && !text.contains("&lt;") && !text.contains("&nbsp;"));
    let provenance = &article.provenance[0];
    assert_eq!(provenance.source, "oai:chain");
    assert_eq!(
        provenance.record_id.as_deref(),
        Some("oai:zenodo.org:20568304")
    );
    assert!(records
        .iter()
        .any(|r| r.id() == "doi:10.5281/zenodo.20510666"));
    assert!(!records
        .iter()
        .any(|r| r.id() == "doi:10.5281/zenodo.20510665"));

    // DSpace: no DOI, so the fallback id; several dc:date values → earliest year only.
    let dspace = publication(&records, "oai:chain:hdl:1765/1163");
    assert_eq!(
        (
            dspace.published.as_ref().unwrap().year,
            dspace.published.as_ref().unwrap().month
        ),
        (2004, None)
    );
    assert_eq!(dspace.authors[0].family.as_deref(), Some("Pau"));
    assert!(dspace.keywords.iter().any(|k| k.text == "mobile networks"));

    // The next run without --from is incremental from the first page's responseDate
    // and applies the deletion it finds.
    server.clear_log();
    let incremental = harvest(&data, &config, "chain", &[]);
    assert_eq!(incremental.code, 0, "{}", incremental.stderr);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].request.param("from"), Some("2026-08-13"));
    assert!(
        incremental.stderr.contains("1 deleted"),
        "{}",
        incremental.stderr
    );
    let mut expected = expected_ids();
    expected.remove("doi:10.58614/jahsm593");
    assert_eq!(ids(&exported(&data)), expected);

    // Reparse replays the archived pages in fetch order, deletion included.
    crate::support::remove_index(&data);
    let reparse = indexer(&data, &["reparse", "oai_chain"]);
    assert_eq!(reparse.code, 0, "{}", reparse.stderr);
    assert_eq!(ids(&exported(&data)), expected);
}

#[test]
fn real_four_page_chain_follows_tokens_alone() {
    let (server, _) = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, "nsdl", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        tokens_sent(&server),
        [
            None,
            Some("0/200/733/nsdl_dc/null/2012-07-26/null".to_owned()),
            Some("200/400/733/nsdl_dc/null/2012-07-26/null".to_owned()),
            Some("400/600/733/nsdl_dc/null/2012-07-26/null".to_owned()),
        ]
    );
    for logged in &server.requests()[1..] {
        assert_eq!(
            logged.request.query.len(),
            2,
            "the token is an exclusive argument"
        );
    }
    // 200 + 200 + 200 + 133 header-only records, each reported, none indexed.
    for count in [200, 133] {
        assert!(
            run.stderr
                .contains(&format!("{count} record(s) skipped (oai:nsdl.org:")),
            "{}",
            run.stderr
        );
    }
    assert!(run.stderr.contains("no metadata"));
    assert!(exported(&data).is_empty());

    // Complete: the next run asks only for what changed since the list began (an empty
    // window, answered as arXiv does with a 200 noRecordsMatch).
    server.clear_log();
    let next = harvest(&data, &config, "nsdl", &[]);
    assert_eq!(next.code, 0, "{}", next.stderr);
    assert_eq!(
        server.requests()[0].request.param("from"),
        Some("2012-08-06")
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn resume_after_a_stop_does_not_refetch_committed_pages() {
    let (server, _) = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    // Pages 1 and 2 succeed, page 3 fails for good.
    server.inject_after("/chain", Fault::status(500), 2, 100);
    let failed = harvest(&data, &config, "chain", &[]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let committed = exported(&data).len();
    assert_eq!(
        committed, 99,
        "pages 1 and 2 (one record on both) are committed"
    );

    server.clear_faults();
    server.clear_log();
    let resumed = harvest(&data, &config, "chain", &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let sent = tokens_sent(&server);
    assert_eq!(sent.len(), 1, "only the last page is fetched again");
    let page2 = read_fixture("oaipmh/real/ListRecords_oai_dc_set-software_page1.xml");
    assert_eq!(sent[0], token_of(&page2));
    assert_eq!(ids(&exported(&data)), expected_ids());

    // Idempotent: the same window again adds nothing.
    let again = harvest(&data, &config, "chain", &["--from", "2000-01-01"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("records: 0 new"), "{}", again.stderr);
}

#[test]
fn expired_tokens_restart_the_list_and_are_bounded() {
    let (server, repository) = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    server.inject_after("/chain", Fault::status(500), 1, 100);
    assert_eq!(harvest(&data, &config, "chain", &[]).code, 1);
    server.clear_faults();
    server.clear_log();

    // The saved token is refused (Zenodo's real 422 body): restart from the window's from.
    repository.expire_tokens(1);
    let run = harvest(&data, &config, "chain", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("resumption token refused"),
        "{}",
        run.stderr
    );
    let sent = tokens_sent(&server);
    assert_eq!(sent.len(), 4, "the bad token, then the whole list again");
    assert!(sent[0].is_some() && sent[1].is_none());
    assert_eq!(server.requests()[0].status, 422);
    assert_eq!(ids(&exported(&data)), expected_ids());

    // A server whose tokens always fail does not make us loop forever.
    repository.expire_tokens(usize::MAX);
    let endless = harvest(&data, &config, "chain", &["--from", "2000-01-01"]);
    assert_eq!(endless.code, 1, "{}", endless.stderr);
    assert!(
        endless.stderr.contains("badResumptionToken 4 times"),
        "{}",
        endless.stderr
    );
}

#[test]
fn faults_end_with_every_record_exactly_once() {
    let (server, _) = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    // Page 1 fails five times in a row (six tries are allowed)...
    server.inject("/chain", Fault::status(500), 1);
    server.inject("/chain", Fault::status(429).retry_after("1"), 1);
    for framing in [
        Framing::ContentLength,
        Framing::Chunked,
        Framing::CloseDelimited,
    ] {
        server.inject(
            "/chain",
            Fault::Truncate {
                bytes: 4000,
                framing,
            },
            1,
        );
    }
    // ...then page 2 is dropped once and page 3 comes back as an HTML page once.
    server.inject_after("/chain", Fault::Drop, 1, 1);
    server.inject_after(
        "/chain",
        Fault::ReplaceBody(b"<html><body><h1>502 Bad Gateway</h1></body></html>".to_vec()),
        2,
        1,
    );
    let run = harvest(&data, &config, "chain", &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let faults: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|l| l.fault.clone())
        .collect();
    assert_eq!(faults.len(), 7, "{faults:?}");
    assert_eq!(ids(&exported(&data)), expected_ids());
}

#[test]
fn oai_errors_are_read_whatever_the_status() {
    let (server, _) = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");

    // noRecordsMatch with HTTP 422 (Zenodo) is an empty window: success.
    let empty = harvest(&data, &config, "chain", &["--from", "2099-01-01"]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
    assert!(exported(&data).is_empty());

    // badArgument (422) and badVerb (200) are refusals: not retried, named in the error.
    server.clear_log();
    let bad = harvest(&data, &config, "chain", &["--metadata-prefix", "marcxml"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr
            .contains("OAI-PMH error badArgument: metadataPrefix does not exist"),
        "{}",
        bad.stderr
    );
    assert_eq!(server.requests().len(), 1);
    let verb = harvest(&data, &config, "badverb", &[]);
    assert_eq!(verb.code, 1);
    assert!(
        verb.stderr
            .contains("badVerb: The verb 'NotExist' is illegal"),
        "{}",
        verb.stderr
    );

    // Usage errors name the problem.
    let unknown = harvest(&data, &config, "nowhere", &[]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("unknown repository \"nowhere\""),
        "{}",
        unknown.stderr
    );
    let date = harvest(&data, &config, "chain", &["--from", "2024-02-30"]);
    assert_eq!(date.code, 1);
    assert!(
        date.stderr.contains("--from \"2024-02-30\""),
        "{}",
        date.stderr
    );
}
