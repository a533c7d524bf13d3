//! Roster retrieval's NIHR stage against the loopback NIHR simulator: the
//! awards the roster's people hold are found by name or ORCID iD, credited
//! person by person, and no other award is indexed.

use std::collections::BTreeSet;

use indexer::records::{Grant, Record};

use crate::harvest_nihr::{config, server};
use crate::support::{exported, harvest_roster, indexer};

const ROSTER: &str = "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date
R1,Carberry,Josiah,,0000-0002-1825-0097,josiah@example.invalid,Public Health Wales,,Consultant Clinical Scientist,Microbiology,,,
R2,Example,Jane,,,,Cardiff and Vale University Health Board,,Clinical Scientist,Medical physics,,,
R3,Public,John,,,,Swansea Bay University Health Board,,Audiologist,Audiology,,,
R4,Elsewhere,Somebody,,,,Public Health Wales,,Biomedical Scientist,Microbiology,,,
";

#[test]
fn the_roster_s_nihr_awards_are_found_by_name_and_orcid_and_credited() {
    let server = server();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let roster = dir.path().join("roster.csv");
    std::fs::write(&roster, ROSTER).expect("roster written");
    let import = indexer(&data, &["roster", "import", &roster.display().to_string()]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    let config = config(dir.path(), &server);
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
    let row = |id: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|line| line.starts_with(&format!("{id},")))
            .unwrap_or_else(|| panic!("no row for {id}: {text}"));
        line.split(',').map(str::to_owned).collect()
    };
    let header: Vec<&str> = text.lines().next().unwrap_or_default().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (records, grants) = (column("records"), column("grants"));
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
