//! Harvesting orcid against the loopback replay server.
//!
//! The server speaks the ORCID v3.0 read API from `fixtures/orcid/`: real
//! works list and employments of 0000-0002-0456-1185, real full works of
//! 0000-0003-2760-1191 and 0000-0001-5010-5001, the official sample record
//! 8888-8888-8888-8880, and a 404 with the official error body for any other
//! iD. Bulk `/works/{put-codes}` answers are assembled per request from the
//! work elements in the fixtures, with an `<error>` for put-codes it lacks,
//! as the API documents (see `fixtures/orcid/PROVENANCE.md`). The simulator
//! is `replay_server::orcid`, shared with the `replay-server` binary.

use std::collections::BTreeSet;
use std::path::Path;

use indexer::records::Record;
use indexer::sources::orcid::parse_employments;
use replay_server::orcid::{Simulator, EPMC_OWNER, SAMPLE, SCOPUS_OWNER, TIINA};
use replay_server::{Fault, Framing, ReplayServer};

use crate::support::{
    config_arg, exported, fixture_lines, fixtures_dir, ids, indexer, publication, read_fixture,
};

const UNKNOWN: &str = "0000-0002-1825-0097";

fn start() -> ReplayServer {
    let api = Simulator::load(&fixtures_dir()).expect("orcid fixtures load");
    ReplayServer::start(move |request| api.respond(request))
}

fn config(dir: &Path, server: &ReplayServer) -> String {
    config_arg(
        dir,
        &format!(
            "[orcid]\nbase_url = \"{}/v3.0/\"\nrate = 200.0\n",
            server.base_url()
        ),
    )
}

fn harvest(data: &Path, config: &str) -> crate::support::Run {
    indexer(
        data,
        &[
            "harvest",
            "--config",
            config,
            "orcid",
            "--orcid",
            TIINA,
            "--orcid",
            EPMC_OWNER,
            "--orcid",
            SCOPUS_OWNER,
            "--orcid",
            SAMPLE,
            "--orcid",
            UNKNOWN,
        ],
    )
}

/// Harvests every recorded ORCID record into `data` (config files under `dir`).
pub(crate) fn harvest_into(dir: &Path, data: &Path) {
    let server = start();
    let run = harvest(data, &config(dir, &server));
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
}

fn expected_ids() -> BTreeSet<String> {
    fixture_lines("orcid/built/expected-ids.txt")
}

#[test]
fn clean_run_indexes_every_selected_work() {
    let server = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let run = harvest(&data, &config);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = exported(&data);
    assert_eq!(ids(&records), expected_ids());
    assert_eq!(records.len(), 106);

    // 104 groups → one bulk of 100 and one of 4 put-codes.
    let bulks: Vec<usize> = server
        .requests()
        .iter()
        .filter(|l| l.request.path.contains(&format!("{TIINA}/works/")))
        .map(|l| {
            l.request
                .path
                .rsplit('/')
                .next()
                .unwrap()
                .split(',')
                .count()
        })
        .collect();
    assert_eq!(bulks, [100, 4]);
    assert_eq!(server.count("/employments"), 4);
    // The archived employments read back for tagging, one list per iD, as parsed.
    let (employments, problems) =
        indexer::sources::orcid::archived_employments(&data.join("raw")).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(employments.len(), 4);
    let tiina =
        parse_employments(read_fixture("orcid/real/update_employments.xml").as_bytes()).unwrap();
    assert!(!tiina.is_empty());
    assert_eq!(employments[TIINA], tiina);
    // …and saved where tagging reads them, so tagging needs no archive.
    let saved = indexer::employments::load(&data)
        .unwrap()
        .expect("the harvest saves the employments");
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    assert_eq!(saved.employments, employments.into_iter().collect());

    // Europe PMC's real work: PMID + PMCID, named contributors, owner added at position 0.
    let epmc = publication(&records, "pmid:27899851");
    assert_eq!(epmc.identifiers.pmcid.as_deref(), Some("PMC5126442"));
    assert!(epmc
        .title
        .starts_with("Cutoff Value of Admission N-Terminal Pro-Brain"));
    assert_eq!(
        (
            epmc.published.as_ref().unwrap().year,
            epmc.published.as_ref().unwrap().month
        ),
        (2016, Some(11))
    );
    assert_eq!(epmc.publication_types, ["journal-article"]);
    let names: Vec<(u32, Option<&str>, Option<&str>)> = epmc
        .authors
        .iter()
        .map(|a| (a.position, a.family.as_deref(), a.orcid.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            (1, Some("creditname1"), None),
            (2, Some("creditname2"), None),
            (3, Some("creditname3"), None),
            (0, None, Some(EPMC_OWNER)),
        ]
    );
    let provenance = &epmc.provenance[0];
    assert_eq!(provenance.source, "orcid");
    assert_eq!(
        provenance.record_id.as_deref(),
        Some("0000-0003-2760-1191/work/28776099")
    );
    assert!(provenance
        .location
        .ends_with("/0000-0003-2760-1191/works/28776099"));

    // Scopus's real work: DOI, journal, seven "Family, I." contributors.
    let scopus = publication(&records, "doi:10.3174/ajnr.a4032");
    assert_eq!(
        scopus.journal.as_ref().map(|j| j.title.as_str()),
        Some("American Journal of Neuroradiology")
    );
    assert_eq!(scopus.published.as_ref().unwrap().year, 2014);
    assert_eq!(scopus.authors.len(), 8);
    assert_eq!(scopus.authors[0].family.as_deref(), Some("Durst"));
    assert_eq!(scopus.authors[6].family.as_deref(), Some("Evans"));
    assert!(scopus
        .identifiers
        .other
        .iter()
        .any(|o| o.kind == "eid" && o.value == "2-s2.0-84911865199"));

    // A group whose preferred summary has a DOI (the owner's own summary in this group).
    let chosen = publication(&records, "doi:10.1007/s12021-023-09627-5");
    assert_eq!(
        chosen.authors.last().and_then(|a| a.orcid.as_deref()),
        Some(TIINA)
    );

    // The unknown iD and the sample's missing works are warnings, not failures.
    assert!(
        run.stderr
            .contains(&format!("orcid {UNKNOWN}: skipped: HTTP 404")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("no work with put-code 3356"),
        "{}",
        run.stderr
    );
}

#[test]
fn employments_parse_from_the_real_response() {
    let employments =
        parse_employments(read_fixture("orcid/real/update_employments.xml").as_bytes()).unwrap();
    assert_eq!(employments.len(), 2);
    assert_eq!(employments[0].organisation, "Tampere University");
    assert_eq!(employments[0].ror(), Some("https://ror.org/033003e23"));
    assert_eq!(employments[1].ringgold(), Some("7839"));
    assert_eq!(
        employments[1].role_title.as_deref(),
        Some("Academy Research Fellow")
    );
    assert_eq!(
        employments[1].department.as_deref(),
        Some("Faculty of Medicine and Health Technology")
    );
    for single in ["employment.xml", "employment_2.xml", "employment_3.xml"] {
        let parsed =
            parse_employments(read_fixture(&format!("orcid/real/{single}")).as_bytes()).unwrap();
        assert_eq!(parsed.len(), 1, "{single}");
        assert!(!parsed[0].organisation.is_empty());
    }
    let record = parse_employments(read_fixture("orcid/real/summary.xml").as_bytes()).unwrap();
    assert_eq!(record.len(), 2, "summary.xml holds two employments");
    let truncated = read_fixture("orcid/real/update_employments.xml");
    assert!(parse_employments(&truncated.as_bytes()[..truncated.len() - 40]).is_err());
}

#[test]
fn faults_end_with_every_record_exactly_once() {
    let server = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let bulk = format!("{TIINA}/works/");
    // Four failed tries of one bulk request (six are allowed), then the rest spread out.
    server.inject(&bulk, Fault::status(500), 1);
    server.inject(&bulk, Fault::status(503).retry_after("1"), 1);
    for framing in [Framing::ContentLength, Framing::Chunked] {
        server.inject(
            &bulk,
            Fault::Truncate {
                bytes: 5000,
                framing,
            },
            1,
        );
    }
    let epmc_list = format!("{EPMC_OWNER}/works");
    server.inject(
        &epmc_list,
        Fault::Truncate {
            bytes: 700,
            framing: Framing::CloseDelimited,
        },
        1,
    );
    server.inject(
        &epmc_list,
        Fault::ReplaceBody(b"<html><body>Service Unavailable</body></html>".to_vec()),
        1,
    );
    server.inject(&format!("{SCOPUS_OWNER}/works/"), Fault::Drop, 1);
    server.inject("/employments", Fault::status(429), 1);
    let run = harvest(&data, &config);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ids(&exported(&data)), expected_ids());
    let faults = server
        .requests()
        .iter()
        .filter(|l| l.fault.is_some())
        .count();
    assert_eq!(faults, 8);
}

#[test]
fn resume_skips_committed_ids_and_rerun_is_idempotent() {
    let server = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    server.inject(&format!("{SCOPUS_OWNER}/works"), Fault::status(500), 100);
    let failed = harvest(&data, &config);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    let partial = ids(&exported(&data));
    assert_eq!(partial.len(), 105, "the first two iDs were committed");

    server.clear_faults();
    server.clear_log();
    let resumed = harvest(&data, &config);
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert_eq!(
        server.count(TIINA),
        0,
        "committed iDs are not fetched again"
    );
    assert_eq!(server.count(EPMC_OWNER), 0);
    assert!(server.count(SCOPUS_OWNER) > 0);
    assert_eq!(ids(&exported(&data)), expected_ids());

    // A finished set runs again from the start, and finds nothing new.
    let again = harvest(&data, &config);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("records: 0 new"), "{}", again.stderr);
    assert_eq!(ids(&exported(&data)), expected_ids());
}

#[test]
fn reparse_rebuilds_from_the_archive() {
    let server = start();
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    assert_eq!(harvest(&data, &config).code, 0);
    let before = exported(&data);
    crate::support::remove_index(&data);
    let run = indexer(&data, &["reparse", "orcid"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = exported(&data);
    assert_eq!(ids(&after), ids(&before));
    assert_eq!(
        publication(&after, "pmid:27899851"),
        publication(&before, "pmid:27899851")
    );
}

#[test]
fn bad_ids_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("ids.txt");
    std::fs::write(&file, "# team\n0000-0002-1825-0097\n0000-0002-1825-0098\n").unwrap();
    let run = indexer(
        &data,
        &["harvest", "orcid", "--orcid-file", file.to_str().unwrap()],
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("0000-0002-1825-0098"), "{}", run.stderr);
    assert!(run.stderr.contains("ids.txt:3"), "{}", run.stderr);
}

/// Roster retrieval's ORCID stage: each roster person with an iD is
/// credited with the works their record lists; an iD ORCID does not know is
/// skipped with a warning and that person reported as found nothing.
#[test]
fn roster_retrieval_credits_each_person_with_their_orcid_works() {
    let server = start();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        format!(
            "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date\n\
             O1,Owner,Tiina,,{TIINA},,Public Health Wales,,Clinical Scientist,Microbiology,,,\n\
             O2,Unknown,Una,,{UNKNOWN},,Public Health Wales,,Clinical Scientist,Microbiology,,,\n"
        ),
    )
    .unwrap();
    let import = indexer(&data, &["roster", "import", &roster.display().to_string()]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    let report = dir.path().join("report.csv");
    let run =
        crate::support::harvest_roster(&data, &config(dir.path(), &server), "orcid", Some(&report));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&report).unwrap();
    let records = |id: &str| -> usize {
        let line = text
            .lines()
            .find(|line| line.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("no row for {id}: {text}"));
        line.split(',').nth(1).unwrap().parse().unwrap()
    };
    let owned = exported(&data)
        .iter()
        .filter(|record| match record {
            Record::Publication(publication) => publication
                .authors
                .iter()
                .any(|author| author.orcid.as_deref() == Some(TIINA)),
            Record::Grant(_) => false,
        })
        .count();
    assert!(owned > 0);
    assert_eq!(records("O1"), owned, "{text}");
    assert_eq!(records("O2"), 0, "{text}");
    assert!(
        run.stderr.contains("no records found for 1 people"),
        "{}",
        run.stderr
    );
}
