//! Harvesting nihr against the loopback replay server.
//!
//! The server speaks the Opendatasoft Explore v2.1 export API from
//! `fixtures/nihr/` (one real NIHR award plus built rows in the documented
//! format; see `fixtures/nihr/PROVENANCE.md`): `exports/json` of the awards and
//! award holders datasets, an ODSQL `where=record_timestamp >= date'…'`
//! filter, and Opendatasoft's `{"error_code": …}` body for an unknown dataset.
//! The simulator is `replay_server::nihr`, shared with the `replay-server`
//! binary, whose combined router is checked here too.

use std::collections::BTreeSet;
use std::path::Path;

use indexer::records::Grant;
use replay_server::nihr::Simulator;
use replay_server::{Fault, Framing, ReplayServer};

use crate::support::{comparable_grants, config_arg, exported, fixtures_dir, grants, ids, indexer};

pub(crate) fn server() -> ReplayServer {
    let data = Simulator::load(&fixtures_dir()).expect("nihr fixtures load");
    ReplayServer::start(move |request| data.respond(request))
}

fn config_with(dir: &Path, server: &ReplayServer, extra: &str) -> String {
    config_arg(
        dir,
        &format!(
            "[nihr]\nbase_url = \"{}/api/explore/v2.1/\"\nrate = 200.0\n{extra}",
            server.base_url()
        ),
    )
}

pub(crate) fn config(dir: &Path, server: &ReplayServer) -> String {
    config_with(dir, server, "")
}

pub(crate) fn harvest(data: &Path, config: &str, extra: &[&str]) -> crate::support::Run {
    crate::support::harvest(data, config, &["nihr"], extra)
}

fn expected_ids() -> BTreeSet<String> {
    ["002/0030", "NIHR208893", "DRF-2009-02-122", "002/0028"]
        .iter()
        .map(|id| Grant::stable_id("NIHR", id))
        .collect()
}

fn grant<'a>(grants: &'a [Grant], reference: &str) -> &'a Grant {
    grants
        .iter()
        .find(|grant| grant.reference == reference)
        .unwrap_or_else(|| panic!("no grant {reference}"))
}

#[test]
fn nihr_clean_run_joins_holders_and_keeps_roles() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = harvest(&data, &config(dir.path(), &server), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ids(&exported(&data)), expected_ids());
    let grants = grants(&data);

    // The real award (values of the one recorded NIHR record).
    let real = grant(&grants, "002/0030");
    assert_eq!(real.id, "grant:nihr:002/0030");
    assert_eq!(real.amount, Some(90545.0));
    assert_eq!(real.currency.as_deref(), Some("GBP"));
    assert_eq!(real.start.as_deref(), Some("2009-05-01"));
    assert_eq!(real.end.as_deref(), Some("2011-06-30"));
    assert_eq!(real.status.as_deref(), Some("Complete"));
    assert!(real
        .r#abstract
        .as_deref()
        .is_some_and(|text| text.starts_with("Background Both acute and chronic CO exposure")));
    assert_eq!(real.provenance[0].source, "nihr");
    assert_eq!(real.provenance[0].record_id.as_deref(), Some("002/0030"));

    let award = grant(&grants, "NIHR208893");
    assert_eq!(award.funder, "NIHR (non-ODA)");
    assert_eq!(
        award.programme.as_deref(),
        Some("Health Technology Assessment")
    );
    assert_eq!(award.amount, Some(1_234_567.89));
    assert_eq!(award.start.as_deref(), Some("2023-04-01"));
    assert_eq!(award.end.as_deref(), Some("2026-09-30"));
    assert_eq!(award.status.as_deref(), Some("Active"));
    assert_eq!(
        award.r#abstract.as_deref(),
        Some("Hearing & balance services: a pragmatic trial.")
    );
    let lead = award.lead_organisation.as_ref().expect("lead organisation");
    assert_eq!(lead.name, "University of Example");
    assert_eq!(lead.location.as_deref(), Some("CF10 3AT"));
    let people: Vec<(&str, &str, Option<&str>, Option<&str>)> = award
        .people
        .iter()
        .map(|p| {
            (
                p.role.as_str(),
                p.full_name.as_deref().unwrap_or(""),
                p.given.as_deref(),
                p.family.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            (
                "Chief Investigator",
                "Professor Josiah Carberry",
                Some("Josiah"),
                Some("Carberry")
            ),
            (
                "Joint Lead Applicant",
                "Dr Jane Example",
                Some("Jane"),
                Some("Example")
            ),
            (
                "Co-Applicant",
                "Mr John Q. Public OBE",
                Some("John Q."),
                Some("Public")
            ),
            (
                "Team Member",
                "Ms Alex Sample",
                Some("Alex"),
                Some("Sample")
            ),
        ]
    );
    assert_eq!(
        award.people[0].orcid.as_deref(),
        Some("0000-0002-1825-0097")
    );
    assert_eq!(award.people[1].orcid, None, "a malformed ORCID is dropped");

    // A malformed amount and date cost those fields, with a warning naming them.
    let fellowship = grant(&grants, "DRF-2009-02-122");
    assert_eq!(fellowship.amount, None);
    assert_eq!(fellowship.end, None);
    assert_eq!(fellowship.start.as_deref(), Some("2009-10-01"));
    assert!(run
        .stderr
        .contains("project DRF-2009-02-122: field award_amount_from_dh"));
    assert!(run
        .stderr
        .contains("project DRF-2009-02-122: field end_date"));
    assert_eq!(
        fellowship.r#abstract.as_deref(),
        Some("Only a plain English summary was published.")
    );
    assert_eq!(
        fellowship.lead_organisation.as_ref().unwrap().location,
        None
    );
    // Not in the holders dataset: the award's own holder is used.
    assert_eq!(fellowship.people.len(), 1);
    assert_eq!(fellowship.people[0].role, "Award Holder");
    assert_eq!(fellowship.people[0].family.as_deref(), Some("Placeholder"));

    // In the holders dataset: its rows win over the award row's own holder.
    let policy = grant(&grants, "002/0028");
    assert_eq!(policy.end.as_deref(), Some("2012-03-31"));
    assert_eq!(policy.amount, Some(250_000.0));
    assert_eq!(policy.people.len(), 1);
    assert_eq!(policy.people[0].role, "Award Holder");
    assert_eq!(policy.people[0].given.as_deref(), Some("John Q."));
    assert_eq!(policy.people[0].family.as_deref(), Some("Public"));
    assert!(run.stderr.contains("award holder row 7 has no project_id"));
}

#[test]
fn nihr_survives_network_faults_with_every_record_once() {
    let clean_server = server();
    let clean_dir = tempfile::tempdir().unwrap();
    let clean_data = clean_dir.path().join("data");
    assert_eq!(
        harvest(&clean_data, &config(clean_dir.path(), &clean_server), &[]).code,
        0
    );
    let clean = comparable_grants(grants(&clean_data));

    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    server.inject("/exports/json", Fault::status(429).retry_after("1"), 1);
    server.inject("/exports/json", Fault::status(503), 1);
    server.inject(
        "/exports/json",
        Fault::Truncate {
            bytes: 900,
            framing: Framing::CloseDelimited,
        },
        1,
    );
    server.inject(
        "/award-holders-table/",
        Fault::Truncate {
            bytes: 100,
            framing: Framing::Chunked,
        },
        1,
    );
    server.inject(
        "/nihr-summary-view/",
        Fault::ReplaceBody(b"<html><body>Maintenance</body></html>".to_vec()),
        1,
    );
    server.inject(
        "/nihr-summary-view/",
        Fault::ReplaceBody(br#"{"error_code": "TooManyRequests", "message": "later"}"#.to_vec()),
        1,
    );
    server.inject("/nihr-summary-view/", Fault::Drop, 1);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(comparable_grants(grants(&data)), clean);
}

#[test]
fn nihr_refused_dataset_is_not_retried() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config_with(
        dir.path(),
        &server,
        "holders_dataset = \"no-such-dataset\"\n",
    );
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("DatasetNotFound"), "{}", run.stderr);
    assert_eq!(server.count("/no-such-dataset/"), 1, "a 4xx is not retried");
}

#[test]
fn nihr_failed_run_commits_nothing_then_resumes_and_goes_incremental() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    server.inject("/nihr-summary-view/", Fault::status(500), 100);
    let failed = harvest(&data, &config, &[]);
    assert_ne!(failed.code, 0);
    assert!(exported(&data).is_empty(), "nothing half-ingested");

    server.clear_faults();
    let resumed = harvest(&data, &config, &["--since", "last"]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(
        resumed.stderr.contains("no completed harvest recorded"),
        "{}",
        resumed.stderr
    );
    assert_eq!(ids(&exported(&data)), expected_ids());

    // Incremental: only awards changed since the last completed export are asked for.
    server.clear_log();
    let again = harvest(&data, &config, &["--since", "last"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let awards_request = server
        .requests()
        .into_iter()
        .find(|logged| logged.request.path.contains("/nihr-summary-view/"))
        .expect("awards exported");
    let clause = awards_request.request.param("where").expect("where clause");
    let today = indexer::clock::now_rfc3339()[..10].to_owned();
    assert_eq!(clause, format!("record_timestamp >= date'{today}'"));
    assert!(again.stderr.contains(" 0 new"), "{}", again.stderr);
    assert_eq!(ids(&exported(&data)), expected_ids());

    server.clear_log();
    let dated = harvest(&data, &config, &["--since", "2020-01-01"]);
    assert_eq!(dated.code, 0, "{}", dated.stderr);
    assert!(dated.stderr.contains(" 0 new"), "{}", dated.stderr);
    let clauses: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|logged| logged.request.param("where").map(str::to_owned))
        .collect();
    assert_eq!(clauses, ["record_timestamp >= date'2020-01-01'"]);
    let bad = harvest(&data, &config, &["--since", "2020-13-01"]);
    assert_ne!(bad.code, 0);
}

#[test]
fn nihr_second_harvest_adds_nothing_and_reparse_rebuilds_it() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let first = harvest(&data, &config, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("4 new"), "{}", first.stderr);
    let before = comparable_grants(grants(&data));
    let second = harvest(&data, &config, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stderr.contains(" 0 new"), "{}", second.stderr);
    assert_eq!(ids(&exported(&data)), expected_ids());

    crate::support::remove_index(&data);
    let reparse = indexer(&data, &["reparse"]);
    assert_eq!(reparse.code, 0, "{}", reparse.stderr);
    assert_eq!(comparable_grants(grants(&data)), before);
}

#[test]
fn nihr_award_holders_are_tagged_with_their_roles_and_counted() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
    // A synthetic roster: the fixture's fictional chief investigator (ORCID's
    // documented example iD) and a co-applicant known by name only.
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "person_id,family,given,orcid,organisation,discipline\n\
         hcs-ci,Carberry,Josiah,0000-0002-1825-0097,University of Example,Audiology\n\
         hcs-co,Public,John,,University of Example,Audiology\n",
    )
    .unwrap();
    let import = indexer(&data, &["roster", "import", &roster.display().to_string()]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    let export = indexer(&data, &["export"]);
    let award = export
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|record| record["reference"] == "NIHR208893")
        .expect("the award is exported");
    let people = award["people"].as_array().unwrap();
    let ci = people
        .iter()
        .find(|p| p["role"] == "Chief Investigator")
        .unwrap();
    assert_eq!(ci["hcs"]["person_id"], "hcs-ci");
    assert_eq!(ci["hcs"]["band"], "accept");
    assert_eq!(ci["hcs"]["role"]["category"], "leadership");
    assert_eq!(ci["hcs"]["role"]["published"], "Chief Investigator");
    // The measures count the stored tags: tag first.
    assert_eq!(indexer(&data, &["tag"]).code, 0);
    let metrics = indexer(&data, &["metrics", "--group-by", "funder"]);
    assert_eq!(metrics.code, 0, "{}", metrics.stderr);
    let table: serde_json::Value = serde_json::from_str(&metrics.stdout).unwrap();
    let total = &table["total"];
    // Carberry leads NIHR208893; John Q. Public is its co-applicant and the
    // award holder of 002/0028.
    assert_eq!(total["grants_led"], 2, "{total}");
    assert_eq!(total["people_leading"], 2);
    assert_eq!(total["grants_co_applicant"], 1);
    assert_eq!(
        total["records"]["grants_co_applicant"],
        serde_json::json!(["grant:nihr:NIHR208893"])
    );
    assert!(total["grants_co_applicant_amount"]["GBP"].as_f64().unwrap() > 1_000_000.0);
    let csv = indexer(&data, &["metrics", "--format", "csv"]);
    assert!(
        csv.stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("total,2,2,2,"),
        "{}",
        csv.stdout
    );
}

/// The `replay-server` binary's router (built in-process by the library function
/// the binary calls) serves every source at the prefix its printed config names:
/// each harvester, run with that config as printed, gets its recorded records.
#[test]
fn replay_server_router_serves_every_source_with_its_printed_config() {
    use indexer::sources::registry::HarvestConfig;
    use replay_server::router::{harvest_config, Router};

    let router = Router::load(&fixtures_dir()).expect("every simulator loads");
    let server = router
        .serve(([127, 0, 0, 1], 0).into(), false)
        .expect("the router listens on loopback");
    let base = server.base_url();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("replay.toml");
    std::fs::write(&config_path, harvest_config(&base)).unwrap();
    let config = config_path.display().to_string();

    // The printed config is one the harvesters accept, every source pointing here.
    let parsed = HarvestConfig::load(Some(&config_path), []).expect("the printed config loads");
    assert_eq!(parsed.pubmed.base_url, format!("{base}/entrez/eutils/"));
    assert_eq!(
        parsed.europepmc.base_url,
        format!("{base}/europepmc/webservices/rest/")
    );
    assert_eq!(parsed.gtr.base_url, format!("{base}/gtr/api/"));
    assert_eq!(parsed.nihr.base_url, format!("{base}/api/explore/v2.1/"));
    assert_eq!(parsed.orcid.base_url, format!("{base}/v3.0/"));
    for name in ["chain", "nsdl", "badverb"] {
        assert_eq!(
            parsed.oaipmh.repositories[name].base_url,
            format!("{base}/oai/{name}")
        );
    }

    let run = |name: &str, args: &[&str]| {
        let data = dir.path().join(name);
        let mut argv = vec!["harvest", "--config", &config];
        argv.extend_from_slice(args);
        let run = indexer(&data, &argv);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        exported(&data)
    };

    let nihr = run("nihr", &["nihr"]);
    assert_eq!(ids(&nihr), expected_ids());
    assert!(server.count("/api/explore/v2.1/catalog/datasets/award-holders-table/") > 0);

    let gtr = run("gtr", &["gtr"]);
    assert_eq!(gtr.len(), 24);
    assert!(gtr
        .iter()
        .all(|record| record.provenance()[0].source == "gtr"));
    assert!(server.count("/gtr/api/organisations/") > 0);

    let pubmed = run(
        "pubmed",
        &[
            "pubmed",
            "--query",
            "wales[ad]",
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-31",
        ],
    );
    let every_pmid: BTreeSet<String> =
        replay_server::pubmed::Corpus::load(&fixtures_dir(), usize::MAX)
            .unwrap()
            .pmids()
            .iter()
            .map(|pmid| format!("pmid:{pmid}"))
            .collect();
    assert_eq!(every_pmid.len(), 124);
    assert_eq!(ids(&pubmed), every_pmid);

    let europepmc = run("europepmc", &["europepmc", "--query", "cancer"]);
    assert_eq!(europepmc.len(), 25);
    assert!(server.count("/europepmc/webservices/rest/search") > 0);

    let recorded: Vec<String> = replay_server::orcid::RECORDED
        .iter()
        .flat_map(|id| ["--orcid".to_owned(), (*id).to_owned()])
        .collect();
    let mut orcid_args = vec!["orcid"];
    orcid_args.extend(recorded.iter().map(String::as_str));
    let orcid = run("orcid", &orcid_args);
    let orcid_expected: BTreeSet<String> =
        std::fs::read_to_string(crate::support::fixture("orcid/built/expected-ids.txt"))
            .unwrap()
            .lines()
            .filter(|line| !line.is_empty())
            .map(str::to_owned)
            .collect();
    assert_eq!(ids(&orcid), orcid_expected);

    let oai = run("oai", &["oaipmh", "--repository", "chain"]);
    let oai_expected: BTreeSet<String> = std::fs::read_to_string(crate::support::fixture(
        "oaipmh/built/expected-chain-ids.txt",
    ))
    .unwrap()
    .lines()
    .filter(|line| !line.is_empty())
    .map(str::to_owned)
    .collect();
    assert_eq!(ids(&oai), oai_expected);
    assert_eq!(server.count("/oai/chain"), 3);

    // Nothing was answered from outside the routes.
    let unrouted: Vec<String> = server
        .requests()
        .iter()
        .filter(|logged| logged.status == 404)
        .map(|logged| logged.request.path.clone())
        .collect();
    assert!(unrouted.is_empty(), "{unrouted:?}");
}
