//! Roster retrieval's grant stages against the loopback simulators: NIHR
//! awards and GtR projects the roster's people hold are found by name or
//! ORCID iD, credited person by person, and no one else's is indexed.

use std::collections::BTreeSet;

use indexer::records::{Grant, Record};

use crate::support::{column, exported, harvest_roster, imported, indexer, report_row};

const NIHR_ROSTER: &str = "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date
R1,Carberry,Josiah,,0000-0002-1825-0097,josiah@example.invalid,Public Health Wales,,Consultant Clinical Scientist,Microbiology,,,
R2,Example,Jane,,,,Cardiff and Vale University Health Board,,Clinical Scientist,Medical physics,,,
R3,Public,John,,,,Swansea Bay University Health Board,,Audiologist,Audiology,,,
R4,Elsewhere,Somebody,,,,Public Health Wales,,Biomedical Scientist,Microbiology,,,
";

#[test]
fn the_roster_s_nihr_awards_are_found_by_name_and_orcid_and_credited() {
    let server = crate::harvest_nihr::server();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = imported(dir.path(), "data", NIHR_ROSTER);
    let config = crate::harvest_nihr::config(dir.path(), &server);
    let report = dir.path().join("report.csv");
    let run = harvest_roster(&data, &config, "nihr", Some(&report));
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Two exports, whatever the roster's size.
    assert_eq!(server.requests().len(), 2, "{:?}", server.requests());

    // Only awards with a roster person among their holders are indexed:
    // "Dr Nobody Elsewhere" shares a family name, not a given name, with R4.
    let indexed: BTreeSet<String> = exported(&data)
        .iter()
        .filter(|record| matches!(record, Record::Grant(_)))
        .map(|record| record.id().to_owned())
        .collect();
    let expected: BTreeSet<String> = ["NIHR208893", "002/0028"]
        .iter()
        .map(|id| Grant::stable_id("NIHR", id))
        .collect();
    assert_eq!(indexed, expected);

    let text = std::fs::read_to_string(&report).expect("report written");
    let row = |id: &str| report_row(&text, id);
    let (records, grants) = (column(&text, "records"), column(&text, "grants"));
    let carberry_award = Grant::stable_id("NIHR", "NIHR208893");
    assert_eq!(row("R1")[records], "1");
    assert_eq!(row("R1")[grants], carberry_award);
    assert_eq!(row("R2")[grants], carberry_award, "matched by name alone");
    // "Mr John Q. Public OBE" and "Public, Mr John Q." hold two awards.
    assert_eq!(row("R3")[records], "2");
    assert_eq!(row("R4")[records], "0");
    assert!(
        run.stderr.contains("no records found for 1 people"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("R4"), "{}", run.stderr);
    assert!(!text.contains('@') && !run.stderr.contains('@'));

    // Tagged: the holders are the roster's people, and the award counts.
    assert_eq!(indexer(&data, &["tag"]).code, 0);
    let metrics = indexer(&data, &["metrics", "--group-by", "organisation"]);
    assert_eq!(metrics.code, 0, "{}", metrics.stderr);
    let table: serde_json::Value = serde_json::from_str(&metrics.stdout).expect("json");
    let led: u64 = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row[1]["grants_led"].as_u64().unwrap_or(0))
        .sum();
    assert!(led >= 1, "{table}");

    // Again: the same awards, nothing new.
    let again = harvest_roster(&data, &config, "nihr", None);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("0 new"), "{}", again.stderr);
}

const GTR_ROSTER: &str = "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date
G1,Carberry,Josiah,,0000-0002-1825-0097,,Public Health Wales,,Consultant Clinical Scientist,Microbiology,,,
G2,Jones,Jenny,,,,Cardiff and Vale University Health Board,,Clinical Scientist,Medical physics,,,
G3,Davidson,Matthew,,,,Swansea Bay University Health Board,,Clinical Scientist,Audiology,,,
G4,Jones,Gareth,,,,Public Health Wales,,Biomedical Scientist,Microbiology,,,
G5,Example,Jane,,,,Velindre University NHS Trust,,Clinical Scientist,Radiotherapy physics,,,
";

#[test]
fn the_roster_s_gtr_projects_are_found_through_gtr_s_persons() {
    let server = crate::harvest_gtr::server();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = imported(dir.path(), "data", GTR_ROSTER);
    let config = crate::harvest_gtr::config(dir.path(), &server);
    let report = dir.path().join("report.csv");
    let run = harvest_roster(&data, &config, "gtr", Some(&report));
    assert_eq!(run.code, 0, "{}", run.stderr);

    // One surname search per family name, however many people share it.
    let searches: Vec<String> = server
        .requests()
        .iter()
        .filter(|logged| logged.request.path.ends_with("/persons"))
        .map(|logged| logged.request.param("q").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(searches.len(), 4, "{searches:?}");

    let indexed: BTreeSet<String> = exported(&data)
        .iter()
        .filter(|record| matches!(record, Record::Grant(_)))
        .map(|record| record.id().to_owned())
        .collect();
    assert_eq!(indexed.len(), 3, "{indexed:?}");
    let text = std::fs::read_to_string(&report).expect("report written");
    let (records, grants) = (column(&text, "records"), column(&text, "grants"));
    let shared = &report_row(&text, "G1")[grants];
    assert!(!shared.is_empty() && indexed.contains(shared), "{text}");
    assert_eq!(&report_row(&text, "G5")[grants], shared, "the same project");
    assert_eq!(report_row(&text, "G2")[records], "1", "{text}");
    assert_eq!(report_row(&text, "G3")[records], "1", "{text}");
    // Gareth Jones shares Jenny Jones's surname search, not her projects.
    assert_eq!(report_row(&text, "G4")[records], "0", "{text}");
    assert!(run.stderr.contains("G4"), "{}", run.stderr);

    // An interrupted run resumes: the last GtR person request of the run
    // (under the last family name, Jones) fails for good; the names before
    // are committed, and the resume searches only what is left but reports all.
    let person_requests = server.count("/persons");
    let again_data = imported(dir.path(), "again", GTR_ROSTER);
    server.inject_after(
        "/persons",
        replay_server::Fault::status(500),
        person_requests - 1,
        100,
    );
    let cut = harvest_roster(&again_data, &config, "gtr", None);
    assert_ne!(cut.code, 0, "{}", cut.stderr);
    server.clear_faults();
    let before = server.requests().len();
    let resumed = harvest_roster(&again_data, &config, "gtr", Some(&report));
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    let searched: Vec<String> = server.requests()[before..]
        .iter()
        .filter(|logged| logged.request.path.ends_with("/persons"))
        .map(|logged| logged.request.param("q").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(searched, vec!["Jones".to_owned()]);
    let again: BTreeSet<String> = exported(&again_data)
        .iter()
        .filter(|record| matches!(record, Record::Grant(_)))
        .map(|record| record.id().to_owned())
        .collect();
    assert_eq!(again, indexed);
    let text = std::fs::read_to_string(&report).expect("report written");
    assert_eq!(&report_row(&text, "G1")[grants], shared, "{text}");
}
