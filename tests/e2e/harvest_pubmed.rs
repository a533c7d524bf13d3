//! Harvesting PubMed through E-utilities against the loopback replay server.
//!
//! The simulator serves real recorded efetch records (fixtures/pubmed/efetch/
//! metapub, one PubmedArticle per file, byte for byte) and answers ESearch
//! over them by Entrez date and PMID range with a small id cap, so window
//! splitting — by day and, for an overflowing day, by PMID range — happens
//! on a fixture-sized corpus (`replay_server::pubmed::Corpus::load`, shared
//! with the `replay-server` binary).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indexer::cli::{EXIT_DEFERRED, EXIT_FAILURE, EXIT_OK};
use indexer::records::Record;
use replay_server::pubmed::Corpus;
use replay_server::{Fault, Framing, ReplayServer};

use crate::support::{config_arg, exported, fixtures_dir, ids, indexer};

/// The first 40 recorded records, 12 of them on one day (more than the cap of
/// 5: that day is split by PMID range), the rest spread over January 2024.
fn corpus() -> Corpus {
    let mut corpus = Corpus::load(&fixtures_dir(), 40).expect("pubmed fixtures load");
    corpus.cap = 5;
    corpus
}

fn start(corpus: Corpus) -> (ReplayServer, BTreeSet<String>) {
    let expected = corpus
        .pmids()
        .iter()
        .map(|pmid| format!("pmid:{pmid}"))
        .collect();
    let server = Arc::new(corpus).serve();
    (server, expected)
}

fn config(dir: &Path, server: &ReplayServer, rate: f64) -> String {
    config_arg(
        dir,
        &format!(
            "[pubmed]\nbase_url = \"{}/entrez/eutils/\"\nemail = \"ops@example.invalid\"\napi_key = \"secret-key\"\nrate = {rate}\nbatch_size = 3\nesearch_cap = 5\n",
            server.base_url()
        ),
    )
}

fn harvest(data: &Path, config: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec![
        "harvest",
        "--config",
        config,
        "pubmed",
        "--query",
        "wales[ad]",
        "--since",
        "2024-01-01",
        "--until",
        "2024-01-31",
    ];
    args.extend_from_slice(extra);
    indexer(data, &args)
}

fn efetched_ids(server: &ReplayServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|logged| logged.request.path.ends_with("efetch.fcgi") && logged.status == 200)
        .flat_map(|logged| {
            logged
                .request
                .param("id")
                .unwrap_or_default()
                .split(',')
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn splits_windows_under_the_cap_and_fetches_every_record_once() {
    let (server, expected) = start(corpus());
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 200.0);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, EXIT_OK, "{}", run.stderr);
    let records = exported(&data);
    assert_eq!(ids(&records), expected);
    assert!(
        run.stderr.contains("query run as: wales[ad][All Fields]"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{} new", expected.len())),
        "{}",
        run.stderr
    );

    let log = server.requests();
    // Every ESearch that was used for fetching stayed within the cap; the
    // crowded day needed PMID ranges.
    assert!(log
        .iter()
        .any(|l| l.request.param("term").is_some_and(|t| t.contains("[uid]"))));
    for logged in &log {
        let request = &logged.request;
        assert_eq!(request.param("tool"), Some("hcs-research-index"));
        assert_eq!(request.param("email"), Some("ops@example.invalid"));
        assert_eq!(request.param("db"), Some("pubmed"));
        if request.path.ends_with("efetch.fcgi") {
            assert_eq!(request.method, "POST");
            assert!(request.param("id").unwrap().split(',').count() <= 3);
        } else {
            assert_eq!(request.param("usehistory"), Some("y"));
        }
    }
    // Each record fetched exactly once.
    let fetched = efetched_ids(&server);
    let distinct: BTreeSet<_> = fetched.iter().collect();
    assert_eq!(fetched.len(), distinct.len(), "a PMID was fetched twice");
    assert_eq!(fetched.len(), expected.len());

    // A real record, field for field: provenance names the source and request.
    let record = records
        .iter()
        .find(|r| r.id() == "pmid:11618220")
        .expect("pmid:11618220 harvested");
    let Record::Publication(publication) = record else {
        panic!("not a publication")
    };
    assert_eq!(publication.provenance[0].source, "pubmed");
    assert!(publication.provenance[0]
        .location
        .ends_with("/entrez/eutils/efetch.fcgi"));

    // The archive holds the raw responses, without the API key.
    let raw = std::fs::read_dir(data.join("raw/pubmed")).unwrap().count();
    assert_eq!(raw, 1, "one archive file per run");
    let (entries, torn) =
        indexer::harvest::archive::read_source(&data.join("raw"), "pubmed").unwrap();
    assert!(torn.is_empty());
    assert!(entries.iter().any(|e| e.kind == "efetch"));
    assert!(entries.iter().all(|e| e.param("api_key") == Some("***")));
}

#[test]
fn faults_are_retried_and_every_record_lands_exactly_once() {
    // The clean run first: its request count is the baseline for the retry overhead.
    let (clean_server, expected) = start(corpus());
    let clean_dir = tempfile::tempdir().unwrap();
    let clean_config = config(clean_dir.path(), &clean_server, 400.0);
    let clean = harvest(&clean_dir.path().join("data"), &clean_config, &[]);
    assert_eq!(clean.code, EXIT_OK, "{}", clean.stderr);
    let clean_requests = clean_server.requests().len();

    let (server, _) = start(corpus());
    // One of each failure, spread over the run (each rule lets one request pass first)…
    let cut = |bytes, framing| Fault::Truncate { bytes, framing };
    server.inject("efetch", Fault::status(429).retry_after("1"), 1);
    server.inject_after("efetch", cut(700, Framing::ContentLength), 1, 1);
    server.inject_after("efetch", cut(900, Framing::Chunked), 1, 1);
    server.inject_after("efetch", cut(1100, Framing::CloseDelimited), 1, 1);
    server.inject_after(
        "efetch",
        Fault::ReplaceBody(b"<html><body>Proxy error</body></html>".to_vec()),
        1,
        1,
    );
    server.inject_after("efetch", Fault::Drop, 1, 1);
    server.inject("esearch", Fault::Drop, 1);
    server.inject_after(
        "esearch",
        Fault::ReplaceBody(br#"{"error":"API rate limit exceeded","count":"11"}"#.to_vec()),
        2,
        1,
    );
    // …and 20 % of everything else failing with a 5xx, from a fixed seed.
    server.inject_random("efetch", Fault::status(502), 20, 7);
    server.inject_random("esearch", Fault::status(503), 20, 11);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 400.0);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, EXIT_OK, "{}", run.stderr);
    assert_eq!(ids(&exported(&data)), expected);
    assert!(run.stderr.contains(" 0 failed"), "{}", run.stderr);

    let log = server.requests();
    // After the 429, the host was left alone for its Retry-After: the retry
    // came at least 1 s later, and nothing else was sent meanwhile (requests
    // already on the wire when the 429 arrived may land just after it).
    let throttled = log
        .iter()
        .position(|l| l.fault.as_deref() == Some("status 429"))
        .expect("429 served");
    let at = log[throttled].at;
    let ids_of = |l: &replay_server::LoggedRequest| l.request.param("id").map(str::to_owned);
    let retry = log[throttled + 1..]
        .iter()
        .find(|l| ids_of(l) == ids_of(&log[throttled]))
        .expect("the throttled batch was retried");
    assert!(
        retry.at - at >= Duration::from_millis(990),
        "retried after {:?}",
        retry.at - at
    );
    let meanwhile = log
        .iter()
        .filter(|l| l.at > at + Duration::from_millis(50) && l.at < at + Duration::from_millis(990))
        .count();
    assert_eq!(
        meanwhile, 0,
        "requests sent while the host asked us to wait"
    );
    let faults = log.iter().filter(|l| l.fault.is_some()).count();
    assert!(faults >= 10, "only {faults} faults injected");
    // Retries cost only the failed tries: no retry storm.
    assert_eq!(
        log.len(),
        clean_requests + faults,
        "requests beyond one retry per fault"
    );
    assert!(log.len() as f64 <= 1.5 * clean_requests as f64 + 10.0);
}

#[test]
fn a_stopped_harvest_resumes_from_its_checkpoint() {
    let (server, expected) = start(corpus());
    // Two batches succeed, then the server breaks for good.
    server.inject_after("efetch", Fault::status(500), 2, 10_000);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 200.0);
    let data = dir.path().join("data");
    let first = harvest(&data, &config, &[]);
    assert_eq!(first.code, EXIT_FAILURE, "{}", first.stderr);
    assert!(first.stderr.contains("gave up after"), "{}", first.stderr);
    let partial = ids(&exported(&data));
    let done_first: BTreeSet<String> = efetched_ids(&server).into_iter().collect();
    let committed: BTreeSet<String> = done_first.iter().map(|id| format!("pmid:{id}")).collect();
    assert_eq!(
        partial, committed,
        "exactly the two fetched batches were committed"
    );
    assert!(!partial.is_empty() && partial.len() < expected.len());

    server.clear_faults();
    server.clear_log();
    let second = harvest(&data, &config, &[]);
    assert_eq!(second.code, EXIT_OK, "{}", second.stderr);
    assert_eq!(ids(&exported(&data)), expected);
    let refetched: Vec<String> = efetched_ids(&server)
        .into_iter()
        .filter(|id| done_first.contains(id))
        .collect();
    assert!(
        refetched.is_empty(),
        "committed batches fetched again: {refetched:?}"
    );

    // Again: nothing new, nothing changed.
    let third = harvest(&data, &config, &[]);
    assert_eq!(third.code, EXIT_OK, "{}", third.stderr);
    assert!(
        third.stderr.contains(" 0 new, 0 updated"),
        "{}",
        third.stderr
    );
    assert_eq!(ids(&exported(&data)), expected);

    // `--since auto` continues from the last complete run's end.
    server.clear_log();
    let auto = indexer(
        &data,
        &[
            "harvest",
            "--config",
            &config,
            "pubmed",
            "--query",
            "wales[ad]",
            "--since",
            "auto",
            "--until",
            "2024-01-31",
        ],
    );
    assert_eq!(auto.code, EXIT_OK, "{}", auto.stderr);
    let searched = server.requests();
    assert!(searched
        .iter()
        .filter(|l| l.request.path.ends_with("esearch.fcgi"))
        .all(|l| l.request.param("mindate") >= Some("2024/01/31")));
}

#[test]
fn a_query_pubmed_cannot_run_as_written_imports_nothing() {
    let (server, _) = start(corpus());
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 200.0);
    let data = dir.path().join("data");
    let args = [
        "harvest",
        "--config",
        &config,
        "pubmed",
        "--query",
        "abcXYZ",
        "--since",
        "2024-01-01",
        "--until",
        "2024-01-31",
    ];
    let run = indexer(&data, &args);
    assert_eq!(run.code, EXIT_FAILURE, "{}", run.stderr);
    assert!(
        run.stderr.contains("PhraseNotFound: abcXYZ"),
        "{}",
        run.stderr
    );
    assert!(exported(&data).is_empty());
    assert_eq!(server.count("efetch"), 0);

    let mut allowed = args.to_vec();
    allowed.push("--allow-query-warnings");
    let run = indexer(&data, &allowed);
    assert_eq!(run.code, EXIT_OK, "{}", run.stderr);
    assert!(
        run.stderr.contains("query partly ignored"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_retry_after_beyond_the_cap_defers_the_source() {
    let (server, _) = start(corpus());
    server.inject("esearch", Fault::status(429).retry_after("3600"), 1);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 200.0);
    let run = harvest(&dir.path().join("data"), &config, &[]);
    assert_eq!(run.code, EXIT_DEFERRED, "{}", run.stderr);
    assert!(run.stderr.contains("deferred"), "{}", run.stderr);
    assert_eq!(server.requests().len(), 1, "nothing sent after the 429");
}

#[test]
fn reparse_rebuilds_the_index_from_the_archive_offline() {
    let (server, expected) = start(corpus());
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 200.0);
    let data = dir.path().join("data");
    assert_eq!(harvest(&data, &config, &[]).code, EXIT_OK);
    let before = exported(&data);
    drop(server);
    crate::support::remove_index(&data);
    let run = indexer(&data, &["reparse"]);
    assert_eq!(run.code, EXIT_OK, "{}", run.stderr);
    let after = exported(&data);
    assert_eq!(ids(&after), expected);
    // Identical records apart from the fetch time each was stamped with.
    assert_eq!(after.len(), before.len());
}

#[test]
fn requests_to_ncbi_are_paced_at_the_configured_rate() {
    let (server, _) = start(corpus());
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, 10.0);
    let args = [
        "harvest",
        "--config",
        &config,
        "pubmed",
        "--query",
        "wales[ad]",
        "--since",
        "2024-01-01",
        "--until",
        "2024-01-08",
    ];
    let run = indexer(&dir.path().join("data"), &args);
    assert_eq!(run.code, EXIT_OK, "{}", run.stderr);
    let times: Vec<_> = server.requests().iter().map(|l| l.at).collect();
    assert!(times.len() >= 8, "{} requests", times.len());
    // The times are taken where the server receives each request, so a busy
    // test machine can delay one receipt (the first, say) by some
    // milliseconds: every bound below allows that much.
    const RECEIPT_JITTER: Duration = Duration::from_millis(50);
    // On average one request per 100 ms, never faster…
    let span = *times.last().unwrap() - times[0];
    let gaps = times.len() as u32 - 1;
    assert!(
        span + RECEIPT_JITTER >= Duration::from_millis(100) * gaps,
        "{gaps} gaps in {span:?}: average gap {:?}",
        span / gaps
    );
    // …and never more than 10 in any one-second window, as NCBI counts them.
    for (index, start) in times.iter().enumerate() {
        let in_window = times[index..]
            .iter()
            .take_while(|t| **t - *start < Duration::from_secs(1) - RECEIPT_JITTER)
            .count();
        assert!(in_window <= 10, "{in_window} requests within one second");
    }
}

/// Set in the environment of a crash child: `<data dir>\n<config file>`.
const HARVEST_CHILD: &str = "HCS_TEST_HARVEST_CHILD";

/// Not a test on its own: the child process `kill -9`ed by the crash test below.
#[test]
#[ignore = "run only as the child of harvest_killed_at_any_point_resumes_to_the_clean_result"]
fn harvest_crash_child() {
    let Ok(spec) = std::env::var(HARVEST_CHILD) else {
        return;
    };
    let (data, config) = spec.split_once('\n').expect("data dir and config");
    harvest(Path::new(data), config, &[]);
}

#[test]
fn harvest_killed_at_any_point_resumes_to_the_clean_result() {
    let (server, expected) = start(corpus());
    let dir = tempfile::tempdir().unwrap();
    // Slow enough to be killed mid-run; a commit after every batch, so the
    // kill lands between, inside and after commits.
    let config = config_arg(
        dir.path(),
        &format!(
            "[index]\ncommit_interval_secs = 0.0\n\n[pubmed]\nbase_url = \"{}/entrez/eutils/\"\nrate = 40.0\nbatch_size = 3\nesearch_cap = 5\n",
            server.base_url()
        ),
    );
    for (trial, kill_after) in [2usize, 6, 11, 17, 23].into_iter().enumerate() {
        server.clear_log();
        let data = dir.path().join(format!("data-{trial}"));
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "harvest_pubmed::harvest_crash_child",
                "--nocapture",
            ])
            .env(HARVEST_CHILD, format!("{}\n{config}", data.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn the crash child");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while server.requests().len() < kill_after && std::time::Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        child.kill().ok();
        child.wait().expect("reap the child");

        // What survived is readable and made of whole batches only.
        let fetched: Vec<Vec<String>> = server
            .requests()
            .iter()
            .filter(|l| l.request.path.ends_with("efetch.fcgi") && l.status == 200)
            .map(|l| {
                l.request
                    .param("id")
                    .unwrap_or_default()
                    .split(',')
                    .map(|id| format!("pmid:{id}"))
                    .collect()
            })
            .collect();
        if data.join("index/meta.json").exists() {
            let store = indexer::index::IndexStore::open_existing(&data).expect("reopens");
            let damaged = store.index().validate_checksum().unwrap();
            assert!(
                damaged.is_empty(),
                "trial {trial}: damaged files {damaged:?}"
            );
            let committed = ids(&store.export().expect("every record decodes"));
            for batch in &fetched {
                let present = batch.iter().filter(|id| committed.contains(*id)).count();
                assert!(
                    present == 0 || present == batch.len(),
                    "trial {trial}: a partial batch was committed: {batch:?}"
                );
            }
            assert!(committed.is_subset(&expected));
        }
        // The next run resumes and ends with exactly the clean result.
        let resumed = harvest(&data, &config, &[]);
        assert_eq!(resumed.code, EXIT_OK, "trial {trial}: {}", resumed.stderr);
        assert_eq!(ids(&exported(&data)), expected, "trial {trial}");
    }
}
