//! Harvesting gtr against the loopback replay server.
//!
//! The server speaks GtR-2 JSON v7 from `fixtures/gtr/` (real GtR values in
//! the documented wire format; see `fixtures/gtr/PROVENANCE.md`): it pages the
//! recorded projects by `s`/`p`, filters them by `q`, answers a page past the
//! end with GtR's 404, and answers an unknown entity GUID the way GtR does —
//! with some other record. The simulator is `replay_server::gtr`, shared with
//! the `replay-server` binary.

use std::collections::BTreeSet;
use std::path::Path;

use indexer::records::{Grant, LinkMethod};
use replay_server::gtr::Simulator;
use replay_server::{Fault, Framing, ReplayServer};
use serde_json::Value;

use crate::support::{comparable_grants, config_arg, exported, fixtures_dir, grants, ids, indexer};

const PET_SOUNDS: &str = "C9737C7D-8C72-409C-AC48-7AE81C2541EE";
const PAGE_SIZE: usize = 10;

/// The recorded GtR data, loaded once per server.
fn data() -> Simulator {
    Simulator::load(&fixtures_dir()).expect("gtr fixtures load")
}

pub(crate) fn server() -> ReplayServer {
    let data = data();
    ReplayServer::start(move |request| data.respond(request))
}

pub(crate) fn config(dir: &Path, server: &ReplayServer) -> String {
    config_arg(
        dir,
        &format!(
            "[gtr]\nbase_url = \"{}/gtr/api/\"\nrate = 400.0\npage_size = {PAGE_SIZE}\n",
            server.base_url()
        ),
    )
}

fn harvest(data: &Path, config: &str, extra: &[&str]) -> crate::support::Run {
    crate::support::harvest(data, config, &["gtr"], extra)
}

/// The grant ids the fixture implies: funder + RCUK reference of every project.
/// Harvests every recorded GtR project into `data` (config files under `dir`).
pub(crate) fn harvest_into(dir: &Path, data: &Path) {
    let server = server();
    let run = harvest(data, &config(dir, &server), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn expected_ids() -> BTreeSet<String> {
    data()
        .projects()
        .iter()
        .map(|project| {
            let reference = project["identifiers"]["identifier"][0]["value"]
                .as_str()
                .expect("reference");
            Grant::stable_id(project["leadFunder"].as_str().expect("funder"), reference)
        })
        .collect()
}

fn by_guid<'a>(grants: &'a [Grant], guid: &str) -> &'a Grant {
    grants
        .iter()
        .find(|grant| grant.provenance[0].record_id.as_deref() == Some(guid))
        .unwrap_or_else(|| panic!("no grant for project {guid}"))
}

fn page_requests(server: &ReplayServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|logged| logged.request.path.ends_with("/projects"))
        .map(|logged| logged.request.param("p").unwrap_or("").to_owned())
        .collect()
}

#[test]
fn gtr_clean_run_keeps_roles_amounts_dates_and_outputs() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let grants = grants(&data);
    assert_eq!(ids(&exported(&data)), expected_ids());
    assert_eq!(grants.len(), 24);
    assert_eq!(page_requests(&server), ["1", "2", "3"]);
    // Organisations are shared (Warwick leads three CDTs): each is fetched once.
    assert_eq!(server.count("/gtr/api/organisations/"), 16);

    let pet = by_guid(&grants, PET_SOUNDS);
    assert_eq!(pet.id, "grant:ahrc:AH/M010163/1");
    assert_eq!(pet.funder, "AHRC");
    assert_eq!(
        pet.title,
        "Pet Sounds: Creating Music using Social Media and Mobile Technologies"
    );
    let abstract_text = pet.r#abstract.as_deref().expect("abstract");
    assert!(
        abstract_text.contains("'musical selfie'"),
        "unescaped: {abstract_text:.200}"
    );
    assert!(!abstract_text.contains("&#"));
    assert_eq!(pet.programme.as_deref(), Some("Research Grant"));
    assert_eq!(pet.status.as_deref(), Some("Closed"));
    assert_eq!(pet.amount, Some(39592.0));
    assert_eq!(pet.currency.as_deref(), Some("GBP"));
    assert_eq!(pet.start.as_deref(), Some("2015-09-01"));
    assert_eq!(pet.end.as_deref(), Some("2016-08-31"));
    let lead = pet.lead_organisation.as_ref().expect("lead organisation");
    assert_eq!(lead.name, "Queen's University of Belfast");
    assert_eq!(
        lead.department.as_deref(),
        Some("Sch of Arts, English and Languages")
    );
    assert_eq!(lead.location.as_deref(), Some("BT7 1NN"));
    assert_eq!(pet.organisations.len(), 1);
    assert_eq!(pet.organisations[0].role, "PP_ORG");
    assert_eq!(
        pet.organisations[0].organisation.name,
        "Watershed Media Centre"
    );
    let people: Vec<(&str, Option<&str>, Option<&str>)> = pet
        .people
        .iter()
        .map(|p| (p.role.as_str(), p.given.as_deref(), p.family.as_deref()))
        .collect();
    assert_eq!(
        people,
        [
            ("PI_PER", Some("Gascia"), Some("Ouzounian")),
            ("COI_PER", Some("Georgina Emma"), Some("Born")),
            ("COI_PER", Some("Peter David"), Some("Bennett")),
        ]
    );
    // The PI's href misses a slash (`…/gtr/apipersons/<id>`): the GUID still comes off it.
    assert_eq!(
        pet.people[0].source_id.as_deref(),
        Some("EE89CB16-9458-47CF-AC63-A73E732D8E4C")
    );
    assert_eq!(pet.outputs.len(), 3);
    assert!(pet
        .outputs
        .iter()
        .all(|o| o.method == LinkMethod::GtrOutcome));
    assert_eq!(
        pet.outputs[0].title.as_deref(),
        Some("EchoSnap and PlayableAle: Exploring Audible Resonant Interaction")
    );
    assert_eq!(pet.outputs[0].identifiers.other[0].kind, "gtr_outcome");
    assert!(pet
        .other_references
        .iter()
        .any(|r| r.kind == "gtr_project" && r.value == PET_SOUNDS));
    assert_eq!(pet.provenance[0].source, "gtr");
    assert!(pet.provenance[0]
        .location
        .contains("/gtr/api/projects?s=10&p=1"));

    // Every rel kept verbatim, the misspelt and the unknown ones included.
    let kings = grants
        .iter()
        .find(|g| g.reference == "EP/L015226/1")
        .expect("King's CDT");
    let roles: Vec<&str> = kings.people.iter().map(|p| p.role.as_str()).collect();
    assert_eq!(
        roles,
        [
            "PI_PER",
            "RESEARCH_COI_PER",
            "RESERACH_COI_PER",
            "FELLOW_PER",
            "PM_PER",
            "CO_SUPERVISOR_PER"
        ]
    );
    assert_eq!(
        kings.people[1].orcid.as_deref(),
        Some("0000-0002-1825-0097")
    );
    // A checksum-failing ORCID is dropped, not kept.
    assert_eq!(kings.people[4].orcid, None);
    assert_eq!(kings.organisations[0].role, "COLLAB_ORG");
    assert_eq!(
        kings.organisations[0].organisation.name,
        "University of Oxford"
    );
    // The GUID GtR does not know came back as another person: refused and named.
    assert!(
        run.stderr.contains("GtR returned"),
        "mismatch warning expected: {}",
        run.stderr
    );
    let warwick = grants
        .iter()
        .find(|g| g.reference == "EP/H023364/1")
        .expect("MASDOC");
    assert_eq!(warwick.amount, Some(4_248_510.0));
    assert_eq!(warwick.start.as_deref(), Some("2010-10-01"));
    assert_eq!(warwick.end.as_deref(), Some("2017-09-30"));
    assert_eq!(warwick.people[0].role, "PI_PER");
    assert_eq!(warwick.people[0].family.as_deref(), Some("Elliott"));
}

#[test]
fn gtr_survives_network_faults_with_every_record_once() {
    let clean = clean_run();
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    server.inject("/projects", Fault::status(429).retry_after("1"), 1);
    server.inject(
        "/projects",
        Fault::Truncate {
            bytes: 700,
            framing: Framing::Chunked,
        },
        1,
    );
    server.inject(
        "/projects",
        Fault::ReplaceBody(b"<html><body>Service busy</body></html>".to_vec()),
        1,
    );
    server.inject("/persons/", Fault::status(500), 2);
    server.inject(
        "/funds/",
        Fault::Truncate {
            bytes: 40,
            framing: Framing::ContentLength,
        },
        1,
    );
    server.inject(
        "/organisations/",
        Fault::Truncate {
            bytes: 60,
            framing: Framing::CloseDelimited,
        },
        1,
    );
    server.inject("/outcomes/publications/", Fault::Drop, 1);
    server.inject(
        "/funds/",
        Fault::Delay(std::time::Duration::from_millis(100)),
        1,
    );
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let faulted = comparable_grants(grants(&data));
    assert_eq!(faulted.len(), 24);
    assert_eq!(&faulted, clean);
}

/// The records of a fault-free harvest, made once for the tests that compare against it.
fn clean_run() -> &'static Vec<Grant> {
    static CLEAN: std::sync::OnceLock<Vec<Grant>> = std::sync::OnceLock::new();
    CLEAN.get_or_init(|| {
        let server = server();
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let run = harvest(&data, &config(dir.path(), &server), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        comparable_grants(grants(&data))
    })
}

#[test]
fn gtr_resumes_after_the_last_committed_page() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    // A fund of a project on page 2 fails for good: page 1 is committed, page 2 is not.
    let projects = data_projects();
    let fund_on_page_two = projects[PAGE_SIZE + 2]["links"]["link"]
        .as_array()
        .unwrap()
        .iter()
        .find(|link| link["rel"] == "FUND")
        .and_then(|link| link["href"].as_str())
        .and_then(|href| href.rsplit('/').next())
        .expect("fund link")
        .to_owned();
    server.inject(
        &format!("/funds/{fund_on_page_two}"),
        Fault::status(500),
        100,
    );
    let failed = harvest(&data, &config, &[]);
    assert_ne!(failed.code, 0, "the run must report the failure");
    assert_eq!(
        exported(&data).len(),
        PAGE_SIZE,
        "page 1 alone is committed"
    );

    server.clear_faults();
    server.clear_log();
    let resumed = harvest(&data, &config, &[]);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(
        page_requests(&server),
        ["2", "3"],
        "page 1 is not fetched again"
    );
    assert_eq!(ids(&exported(&data)), expected_ids());

    // --max-pages stops part-way too, and the next run picks up after it.
    let other = tempfile::tempdir().unwrap();
    let other_data = other.path().join("data");
    server.clear_log();
    let first = harvest(&other_data, &config, &["--max-pages", "1"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(exported(&other_data).len(), PAGE_SIZE);
    let rest = harvest(&other_data, &config, &[]);
    assert_eq!(rest.code, 0, "{}", rest.stderr);
    assert_eq!(page_requests(&server), ["1", "2", "3"]);
    assert_eq!(ids(&exported(&other_data)), expected_ids());
}

fn data_projects() -> Vec<Value> {
    data().projects().to_vec()
}

#[test]
fn gtr_second_harvest_adds_nothing_and_reparse_rebuilds_it() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let first = harvest(&data, &config, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stderr.contains("24 new"), "{}", first.stderr);
    let before = comparable_grants(grants(&data));
    assert_eq!(&before, clean_run());

    let second = harvest(&data, &config, &[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(second.stderr.contains(" 0 new"), "{}", second.stderr);
    assert_eq!(ids(&exported(&data)), expected_ids());

    crate::support::remove_index(&data);
    let reparse = indexer(&data, &["reparse"]);
    assert_eq!(reparse.code, 0, "{}", reparse.stderr);
    let rebuilt = comparable_grants(grants(&data));
    assert_eq!(rebuilt, before);
}

#[test]
fn gtr_query_without_hits_is_an_empty_result() {
    let server = server();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let run = harvest(&data, &config, &["--query", "no such words anywhere"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(exported(&data).is_empty());
    assert_eq!(page_requests(&server), ["1"]);
    // A query with hits walks only its own results.
    let hits = harvest(&data, &config, &["--query", "musical selfie"]);
    assert_eq!(hits.code, 0, "{}", hits.stderr);
    let found = grants(&data);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].reference, "AH/M010163/1");
}
