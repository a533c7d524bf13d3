//! Roster-driven retrieval (`indexer harvest roster`) against the replay
//! server evaluating PubMed's query language (`[au]`, `[fau]`, `[ad]`,
//! `[auid]`, booleans left to right, dropped unknown phrases) over every
//! recorded PubMed record: the evaluation roster's work is found with no
//! query written by hand.

use std::collections::BTreeSet;
use std::sync::Arc;

use replay_server::pubmed::Corpus;

use crate::support::{
    exported, fixture, fixtures_dir, harvest_config, harvest_roster, ids, indexer,
};

#[test]
fn a_roster_harvest_finds_the_gold_authorships_without_a_hand_written_query() {
    let corpus = Corpus::load_all(&fixtures_dir()).expect("every recorded PubMed record loads");
    let corpus = Arc::new(corpus);
    let server = corpus.serve();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let roster = fixture("tagging/roster.csv");
    let import = indexer(&data, &["roster", "import", &roster.display().to_string()]);
    assert!(import.code <= 2, "{}", import.stderr);
    let config = harvest_config(
        dir.path(),
        &format!(
            "[pubmed]\nbase_url = \"{}/entrez/eutils/\"\nrate = 1000\n",
            server.base_url()
        ),
    );
    let report = dir.path().join("report.csv");
    let config = config.display().to_string();
    let harvest = || harvest_roster(&data, &config, "pubmed", Some(&report));
    let run = harvest();
    assert_eq!(run.code, 0, "{}", run.stderr);

    let gold = std::fs::read_to_string(fixture("tagging/gold.csv")).expect("gold");
    let harvested: BTreeSet<String> = ids(&exported(&data));
    let rows: Vec<&str> = gold
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let found = rows
        .iter()
        .filter(|row| {
            let record = row.split(',').next().unwrap_or_default();
            harvested.contains(record)
        })
        .count();
    let recall = found as f64 / rows.len() as f64;
    eprintln!(
        "roster retrieval: {found}/{} gold authorships ({:.1} %), {} records harvested of {} served, {} requests",
        rows.len(),
        recall * 100.0,
        harvested.len(),
        corpus.len(),
        server.requests().len()
    );
    assert!(recall >= 0.95, "recall {recall:.3}: {}", run.stderr);

    // Packed batches: far fewer searches than people.
    let searches = server
        .requests()
        .iter()
        .filter(|logged| logged.request.path.ends_with("esearch.fcgi"))
        .count();
    eprintln!("roster retrieval: {searches} ESearch requests");
    let people = std::fs::read_to_string(&roster)
        .expect("roster")
        .lines()
        .count()
        - 1;
    assert!(
        searches <= people,
        "{searches} ESearch requests for {people} people"
    );
    // The report names people by roster id only, and lists who was not found.
    let text = std::fs::read_to_string(&report).expect("report written");
    assert!(text.starts_with("person_id,records,new_records"), "{text}");
    assert!(!text.contains('@'), "an e-mail address in the report");
    assert!(
        run.stderr.contains("no records found for"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('@'), "{}", run.stderr);

    // A second run finds the same records again and adds nothing.
    let before = harvested.len();
    let again = harvest();
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(ids(&exported(&data)).len(), before);

    // ESearch returns at most `esearch_cap` ids: with a cap below what the
    // packed batches find, they split, and nothing past the cap is lost.
    let capped_data = dir.path().join("capped");
    let import = indexer(
        &capped_data,
        &["roster", "import", &roster.display().to_string()],
    );
    assert!(import.code <= 2, "{}", import.stderr);
    let capped = harvest_config(
        &dir.path().join("capped-config"),
        &format!(
            "[pubmed]\nbase_url = \"{}/entrez/eutils/\"\nrate = 1000\nesearch_cap = 40\n",
            server.base_url()
        ),
    );
    let run = harvest_roster(&capped_data, &capped.display().to_string(), "pubmed", None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(ids(&exported(&capped_data)), harvested);
}
