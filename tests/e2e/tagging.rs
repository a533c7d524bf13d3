//! Tagging end to end: the evaluation set, roster import, export with tags,
//! curation that survives re-ingest, and personal data kept out of output.

use std::collections::BTreeSet;
use std::path::Path;

use indexer::records::Record;
use serde_json::Value;

use crate::support::{fixture, indexer};

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

/// (record, position, person) of every gold authorship.
fn gold() -> BTreeSet<(String, u64, String)> {
    let text = std::fs::read_to_string(fixture("tagging/gold.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (
                cells[0].to_owned(),
                cells[1].parse().unwrap(),
                cells[2].to_owned(),
            )
        })
        .collect()
}

/// Every (record, position, tag) in an export.
fn tags(export: &str) -> Vec<(String, u64, Value)> {
    let mut found = Vec::new();
    for line in export.lines() {
        let record: Value = serde_json::from_str(line).expect("export is JSON Lines");
        let id = record["id"].as_str().unwrap().to_owned();
        for author in record["authors"].as_array().into_iter().flatten() {
            if let Some(tag) = author.get("hcs") {
                found.push((
                    id.clone(),
                    author["position"].as_u64().unwrap(),
                    tag.clone(),
                ));
            }
        }
    }
    found
}

fn accepted(tags: &[(String, u64, Value)]) -> BTreeSet<(String, u64, String)> {
    tags.iter()
        .filter(|(_, _, tag)| tag["tier"] == "roster" && tag["band"] == "accept")
        .map(|(id, position, tag)| {
            (
                id.clone(),
                *position,
                tag["person_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn evaluation_set_meets_the_precision_target_and_reports_the_sweep() {
    let data = tempfile::tempdir().unwrap();
    let run = indexer(
        data.path(),
        &[
            "evaluate",
            "--roster",
            &path("tagging/roster.csv"),
            "--gold",
            &path("tagging/gold.csv"),
            "--json",
            &path("pubmed/exports"),
            &path("pubmed/efetch"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let evaluation: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(evaluation["records"], 685);
    assert_eq!(evaluation["gold"], 134);
    assert_eq!(evaluation["gold_outside_inputs"], 0);
    let tier1 = &evaluation["tier1_accept"];
    let precision = tier1["precision"].as_f64().unwrap();
    let recall = tier1["recall"].as_f64().unwrap();
    assert!(precision >= 0.98, "precision {precision}: {tier1}");
    // Measured 0.866 on this set (0.948 with the review band); a drop means
    // the scorer lost evidence.
    assert!(recall >= 0.86, "recall {recall}: {tier1}");
    let with_review = &evaluation["tier1_accept_or_review"];
    assert!(
        with_review["recall"].as_f64().unwrap() >= 0.94,
        "{with_review}"
    );
    assert!(
        with_review["precision"].as_f64().unwrap() >= 0.98,
        "{with_review}"
    );
    let sweep = evaluation["sweep"].as_array().unwrap();
    assert_eq!(sweep.len(), 9);
    // The accept line chosen on one half (fixed seed), judged on the other:
    // measured 1.000 / 0.942 held out at the chosen line (score >= 39).
    let holdout = &evaluation["holdout"];
    assert_eq!(holdout["seed"], 2026);
    assert_eq!(
        holdout["tuning_records"].as_u64().unwrap() + holdout["held_out_records"].as_u64().unwrap(),
        685
    );
    assert!(holdout["chosen_accept"].as_u64().is_some(), "{holdout}");
    let held = &holdout["held_out"];
    assert!(held["precision"].as_f64().unwrap() >= 0.98, "{holdout}");
    assert!(held["recall"].as_f64().unwrap() >= 0.90, "{holdout}");
    let bins = holdout["calibration"].as_array().unwrap();
    assert_eq!(bins.len(), 10);
    let pairs: u64 = bins.iter().map(|bin| bin["pairs"].as_u64().unwrap()).sum();
    assert!(pairs >= 50, "{holdout}");
    // Measured 0.121: the 40-49 bin (one pair of co-authors on six
    // papers) is true more often than its score says.
    assert!(
        holdout["calibration_error"].as_f64().unwrap() < 0.15,
        "{holdout}"
    );
    // Most bins hold their mean score inside the Wilson interval of their
    // share true (measured 7 of 8); the well-filled top bin always does.
    let filled: Vec<&Value> = bins
        .iter()
        .filter(|bin| bin["pairs"].as_u64() > Some(0))
        .collect();
    let inside = filled
        .iter()
        .filter(|bin| {
            let mean = bin["mean_score"].as_f64().unwrap() / 100.0;
            bin["interval"][0].as_f64().unwrap() <= mean
                && mean <= bin["interval"][1].as_f64().unwrap()
        })
        .count();
    assert!(inside + 1 >= filled.len(), "{holdout}");
    let top = &bins[9];
    assert!(top["pairs"].as_u64().unwrap() >= 30, "{top}");
    assert!(
        top["interval"][0].as_f64().unwrap() <= top["mean_score"].as_f64().unwrap() / 100.0,
        "{top}"
    );
    // Platt scaling fitted on the tuning half: measured 0.077 held out.
    let fit = &holdout["recalibration"];
    assert!(
        fit["calibration_error"].as_f64().unwrap() < holdout["calibration_error"].as_f64().unwrap(),
        "{holdout}"
    );
    // No roster fields in the report: ids and figures only.
    assert!(!run.stdout.contains("wales.nhs.uk") && !run.stderr.contains("wales.nhs.uk"));
}

/// Tier 2 alone, as a roster-less run tags: the real Wales demo records and
/// five more real Welsh articles against hand judgements of 30 of their
/// authors, each from a public page (`fixtures/tagging/wales-tier2/PROVENANCE.md`).
#[test]
fn roster_less_tier_two_on_real_welsh_records_is_measured_against_hand_judgements() {
    let data = tempfile::tempdir().unwrap();
    let run = indexer(
        data.path(),
        &[
            "evaluate",
            "--gold-hcs",
            &path("tagging/wales-tier2/judgements.csv"),
            "--json",
            &path("wales-demo/pubmed"),
            &path("tagging/wales-tier2/records"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let evaluation: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(evaluation["gold"], 0, "no roster gold: tier 2 alone");
    let tier2 = &evaluation["tier2"];
    // Measured 26 true, 2 false: two doctors whose affiliation names only a
    // healthcare-science service (a consultant microbiologist at "NPHS
    // Microbiology Cardiff", a consultant in clinical genetics at the All
    // Wales Medical Genomics Service): precision 0.929.
    assert!(tier2["judged_true"].as_u64().unwrap() >= 26, "{tier2}");
    assert!(tier2["judged_false"].as_u64().unwrap() <= 2, "{tier2}");
    assert_eq!(tier2["judged_hcs"], 34, "{tier2}");
    // The 18 with an affiliation of their own are all found (the three
    // that print only "Singleton Hospital" by the name's tag at the
    // reference unit there); of the 16 without, 8 are found as a team
    // tagged together elsewhere.
    assert_eq!(tier2["judged_hcs_with_affiliation"], 18, "{tier2}");
    assert_eq!(tier2["false_negatives_with_affiliation"], 0, "{tier2}");
    assert!(tier2["false_negatives"].as_u64().unwrap() <= 8, "{tier2}");
    let carried = indexer(
        data.path(),
        &[
            "evaluate",
            "--gold-hcs",
            &path("tagging/wales-tier2/judgements.csv"),
            "--trace",
            "pmid:29113630",
            &path("wales-demo/pubmed"),
        ],
    );
    // "Public Health Wales, Cardiff" says no more than the body; the same
    // name at the Wales Specialist Virology Centre on other papers carries.
    assert!(
        carried.stdout.contains("same_name_elsewhere"),
        "{}",
        carried.stdout
    );
}

/// The Welsh set written as an HR system writes a roster (ODS-code
/// prefixes, "ULHB", a site for an employer, departments as "Microbiology
/// Cardiff - Virology" or an acronym) with four namesake decoys, one in the
/// same body, over the real Wales demo records: the accept band is never
/// wrong, and the namesakes never take a gold authorship.
#[test]
fn the_welsh_set_as_an_hr_system_writes_it_keeps_precision_and_tells_namesakes_apart() {
    let data = tempfile::tempdir().unwrap();
    let run = indexer(
        data.path(),
        &[
            "evaluate",
            "--roster",
            &path("tagging/wales-hard/roster.csv"),
            "--gold",
            &path("tagging/wales-hard/gold.csv"),
            "--json",
            &path("wales-demo/pubmed"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stderr.contains("not an NHS Wales organisation"),
        "every HR form resolves: {}",
        run.stderr
    );
    let evaluation: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(evaluation["records"], 45);
    assert_eq!(evaluation["gold"], 14);
    let accept = &evaluation["tier1_accept"];
    // Measured 12 of 14, no false match; the two misses are a name with no
    // affiliation (review) and initials with none (below review).
    assert_eq!(accept["false_positives"], 0, "{accept}");
    assert!(accept["true_positives"].as_u64().unwrap() >= 12, "{accept}");
    // Too few gold authorships on the tuning half to choose a line there.
    assert!(evaluation["holdout"]["chosen_accept"].is_null());

    let import = indexer(
        data.path(),
        &["roster", "import", &path("tagging/wales-hard/roster.csv")],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    let ingest = indexer(data.path(), &["ingest", &path("wales-demo/pubmed")]);
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    let exported = indexer(data.path(), &["export"]);
    assert_eq!(exported.code, 0, "{}", exported.stderr);
    let found = tags(&exported.stdout);
    let decoys: Vec<_> = found
        .iter()
        .filter(|(_, _, tag)| {
            tag["band"] == "accept"
                && tag["person_id"]
                    .as_str()
                    .is_some_and(|id| id.starts_with("DECOY"))
        })
        .collect();
    assert!(decoys.is_empty(), "a namesake was accepted: {decoys:?}");
    // "Public Health Wales, Cardiff" fits both PHW Catherine Moores; the
    // co-authors she shares with her virology-centre papers decide.
    let plain = found
        .iter()
        .find(|(id, position, _)| id == "pmid:29113630" && *position == 16);
    let (_, _, tag) = plain.expect("the PHW Catherine Moore authorship is tagged");
    assert_eq!(tag["person_id"], "DEMO0001", "{tag}");
    assert_eq!(tag["band"], "accept", "{tag}");
    let features: Vec<&str> = tag["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["feature"].as_str())
        .collect();
    assert!(features.contains(&"coauthor_network"), "{tag}");
}

#[test]
fn a_bad_roster_row_is_located_and_skipped_and_the_rest_imports() {
    let data = tempfile::tempdir().unwrap();
    let roster = data.path().join("roster.csv");
    std::fs::write(
        &roster,
        "person_id,family,given,emails,organisation,discipline,registration,phone\n\
         p1,Evans,Sian,s.evans@wales.nhs.uk,Swansea Bay University Health Board,Audiology,CS123456,0123\n\
         p2,Price,Owain,,Velindre University NHS Trust,Cardiology,,\n\
         p3,,Ann,,,,,\n",
    )
    .unwrap();
    let run = indexer(
        data.path(),
        &["roster", "import", &roster.display().to_string()],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("line 3, column 6 (discipline)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("line 4, column 2 (family): is empty"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("not used and dropped: phone"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 people loaded, 2 row(s) skipped"),
        "{}",
        run.stderr
    );
    for private in ["Evans", "Sian", "s.evans", "CS123456", "Cardiology"] {
        assert!(
            !run.stderr.contains(private),
            "{private} leaked: {}",
            run.stderr
        );
    }
    let imported = data.path().join("tagging/roster.csv");
    // Kept: the rows that loaded, the columns matching uses; no registration, no extras.
    let kept = std::fs::read_to_string(&imported).unwrap();
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(
        lines[0],
        "person_id,family,given,other_names,orcid,emails,organisation,department,discipline,start_date,end_date"
    );
    assert_eq!(lines.len(), 2, "{kept}");
    assert!(
        lines[1].starts_with("p1,Evans,Sian,,,s.evans@wales.nhs.uk,"),
        "{kept}"
    );
    assert!(
        !kept.contains("CS123456") && !kept.contains("0123"),
        "{kept}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&imported).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let missing = indexer(data.path(), &["roster", "check", "/nonexistent/roster.csv"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("/nonexistent/roster.csv"),
        "{}",
        missing.stderr
    );
}

fn ingest_exports(data: &Path) {
    let run = indexer(
        data,
        &["ingest", &path("pubmed/exports"), &path("pubmed/efetch")],
    );
    assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
}

#[test]
fn export_carries_tags_and_curation_wins_and_survives_reingest() {
    let data = tempfile::tempdir().unwrap();
    ingest_exports(data.path());
    let import = indexer(
        data.path(),
        &["roster", "import", &path("tagging/roster.csv")],
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    let export = indexer(data.path(), &["export"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let found = tags(&export.stdout);
    let accepted_before = accepted(&found);
    let gold = gold();
    assert!(
        accepted_before.len() >= 110,
        "{} accepted",
        accepted_before.len()
    );
    let wrong: Vec<_> = accepted_before.difference(&gold).collect();
    assert!(wrong.len() <= 2, "accepted outside gold: {wrong:?}");
    // Every tag explains itself and carries the published role.
    for (_, _, tag) in &found {
        assert!(!tag["evidence"].as_array().unwrap().is_empty(), "{tag}");
        assert_eq!(tag["role"]["kind"], "author");
        let score = tag["score"].as_u64().unwrap();
        assert!(score <= 100);
    }
    // Roster-only e-mail addresses and registration numbers never leave the process.
    let parsed = indexer(
        data.path(),
        &["parse", &path("pubmed/exports"), &path("pubmed/efetch")],
    )
    .stdout;
    let roster = std::fs::read_to_string(fixture("tagging/roster.csv")).unwrap();
    let mut private = 0;
    for line in roster.lines().skip(1) {
        for cell in line.split([',', ';']) {
            let registration = cell.len() == 8
                && cell.starts_with("CS")
                && cell[2..].bytes().all(|b| b.is_ascii_digit());
            if (cell.contains('@') || registration) && !parsed.contains(cell) {
                private += 1;
                assert!(
                    !export.stdout.contains(cell),
                    "roster-only value {cell} in the export"
                );
            }
        }
    }
    assert!(private > 0, "the check saw roster-only values");

    // A curator rejects one accepted attribution and accepts one the scorer missed.
    let (record, position, person) = accepted_before.iter().next().unwrap().clone();
    let missed = gold.difference(&accepted_before).next().unwrap().clone();
    let position_text = position.to_string();
    let reject = indexer(
        data.path(),
        &[
            "curate",
            "reject",
            &person,
            &record,
            &position_text,
            "--note",
            "checked",
        ],
    );
    assert_eq!(reject.code, 0, "{}", reject.stderr);
    let missed_position = missed.1.to_string();
    let accept = indexer(
        data.path(),
        &["curate", "accept", &missed.2, &missed.0, &missed_position],
    );
    assert_eq!(accept.code, 0, "{}", accept.stderr);
    let bad = indexer(
        data.path(),
        &[
            "curate",
            "accept",
            "no-such-person",
            &record,
            &position_text,
        ],
    );
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("no-such-person"), "{}", bad.stderr);
    let bad_position = indexer(data.path(), &["curate", "accept", &person, &record, "999"]);
    assert_eq!(bad_position.code, 1);

    // Decisions live outside the index: a re-ingest keeps them in force.
    ingest_exports(data.path());
    let after = tags(&indexer(data.path(), &["export"]).stdout);
    let accepted_after = accepted(&after);
    assert!(!accepted_after.contains(&(record, position, person)));
    assert!(accepted_after.contains(&missed));
    let curated = after
        .iter()
        .find(|(id, pos, _)| *id == missed.0 && *pos == missed.1)
        .map(|(_, _, tag)| tag.clone())
        .unwrap();
    assert_eq!(curated["curated"], "accepted");
    assert_eq!(curated["score"], 100);
    let journal = std::fs::read_to_string(data.path().join("tagging/decisions.jsonl")).unwrap();
    assert_eq!(
        journal.lines().count(),
        2,
        "append-only journal of both decisions"
    );
}

#[test]
fn tag_stores_tags_in_the_index_keeping_checkpoints_and_is_idempotent() {
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::IndexRecordOption;

    let data = tempfile::tempdir().unwrap();
    ingest_exports(data.path());
    assert_eq!(
        indexer(
            data.path(),
            &["roster", "import", &path("tagging/roster.csv")]
        )
        .code,
        0
    );
    let store = indexer::index::IndexStore::open_existing(data.path()).unwrap();
    let payload_before = store.commit_payload().unwrap();
    let exported = accepted(&tags(&indexer(data.path(), &["export"]).stdout));
    for round in 0..2 {
        let run = indexer(data.path(), &["tag"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("685 record(s)"), "{}", run.stderr);
        let store = indexer::index::IndexStore::open_existing(data.path()).unwrap();
        assert_eq!(
            store.count().unwrap(),
            685,
            "round {round}: rewritten, not duplicated"
        );
        let payload = |text: Option<String>| -> serde_json::Value {
            text.map(|t| serde_json::from_str(&t).unwrap())
                .unwrap_or_default()
        };
        let after = payload(store.commit_payload().unwrap());
        assert_eq!(
            after["checkpoints"],
            payload(payload_before.clone())["checkpoints"],
            "checkpoints kept"
        );
        assert!(
            after["tags"]["inputs"].is_string(),
            "the tag stamp: {after}"
        );
        // Every accepted attribution is findable by person and stored with its evidence.
        let reader = store.reader().unwrap();
        let searcher = reader.searcher();
        let fields = store.fields();
        let mut stored = BTreeSet::new();
        for (record, _, person) in &exported {
            let query = TermQuery::new(
                tantivy::Term::from_field_text(fields.hcs_person, person),
                IndexRecordOption::Basic,
            );
            let hits = searcher
                .search(&query, &TopDocs::with_limit(100).order_by_score())
                .unwrap();
            for (_, address) in hits {
                let document: tantivy::TantivyDocument = searcher.doc(address).unwrap();
                let id = store.decode_record(&document).unwrap().id().to_owned();
                for slot in store.decode_tags(&document).unwrap() {
                    if slot.tag.person_id.as_deref() == Some(person.as_str()) && id == *record {
                        assert!(!slot.tag.evidence.is_empty());
                        stored.insert((id.clone(), u64::from(slot.position), person.clone()));
                    }
                }
            }
        }
        assert_eq!(
            stored, exported,
            "round {round}: the index holds what export shows"
        );
    }
}

/// Stored tags as (record id, tags), by id.
fn stored_tags(data: &Path) -> Vec<(String, Vec<indexer::tagging::model::SlotTag>)> {
    let store = indexer::index::IndexStore::open_existing(data).unwrap();
    store
        .export_tagged()
        .unwrap()
        .into_iter()
        .map(|(record, tags)| (record.id().to_owned(), tags))
        .collect()
}

/// The count in `indexer tag`'s "… N rewritten" line.
fn rewritten(stderr: &str) -> usize {
    let (before, _) = stderr
        .split_once(" rewritten")
        .unwrap_or_else(|| panic!("no rewritten count in: {stderr}"));
    before
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no rewritten count in: {stderr}"))
}

#[test]
fn tagging_after_more_records_rewrites_only_changes_and_stores_what_a_full_run_does() {
    let roster = path("tagging/roster.csv");
    let (exports, efetch) = (path("pubmed/exports"), path("pubmed/efetch"));
    let step = |data: &Path, args: &[&str]| {
        let run = indexer(data, args);
        assert!(run.code == 0 || run.code == 2, "{args:?}: {}", run.stderr);
        run.stderr
    };
    // In steps: tag, add records, tag again.
    let stepwise = tempfile::tempdir().unwrap();
    step(stepwise.path(), &["ingest", &exports]);
    step(stepwise.path(), &["roster", "import", &roster]);
    let first = step(stepwise.path(), &["tag"]);
    assert!(rewritten(&first) > 0, "{first}");
    step(stepwise.path(), &["ingest", &efetch]);
    let second = step(stepwise.path(), &["tag"]);
    let again = step(stepwise.path(), &["tag"]);
    // All at once, tagged once.
    let whole = tempfile::tempdir().unwrap();
    step(whole.path(), &["ingest", &exports, &efetch]);
    step(whole.path(), &["roster", "import", &roster]);
    let full = step(whole.path(), &["tag"]);

    let (stepwise_tags, whole_tags) = (stored_tags(stepwise.path()), stored_tags(whole.path()));
    assert_eq!(stepwise_tags.len(), 685);
    assert!(
        stepwise_tags == whole_tags,
        "the stepwise run stores other tags"
    );
    assert!(
        stepwise_tags.iter().any(|(_, tags)| !tags.is_empty()),
        "the fixtures have tagged records"
    );
    let tagged_new = rewritten(&second);
    assert!(
        tagged_new > 0 && tagged_new < rewritten(&full),
        "the second run rewrites the new and changed records only: {second}\nfull: {full}"
    );
    assert_eq!(rewritten(&again), 0, "nothing changed: {again}");
}

/// The README's demo: the Wales records with the demo roster count under
/// Public Health Wales, tier 1 (ORCID match) and tier 2 (reference units) apart.
#[test]
fn the_wales_demo_counts_public_health_wales() {
    let data = tempfile::tempdir().unwrap();
    let pubmed = fixture("wales-demo/pubmed").display().to_string();
    let ingest = indexer(data.path(), &["ingest", &pubmed]);
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    // Seven demo records have no date at all (their sources printed none):
    // kept, searchable and counted, under no year.
    let records = crate::support::exported(data.path());
    let undated: Vec<&str> = records
        .iter()
        .filter(|record| record.year().is_none())
        .map(Record::id)
        .collect();
    assert_eq!(undated.len(), 7, "{undated:?}");
    assert!(undated.contains(&"pmid:19161717"), "{undated:?}");
    let roster = fixture("wales-demo/roster.csv").display().to_string();
    let import = indexer(data.path(), &["roster", "import", &roster]);
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert!(import.stderr.contains("16 people loaded, 0 row(s) skipped"));
    assert_eq!(indexer(data.path(), &["tag"]).code, 0);
    let table = |tier: &str| -> serde_json::Value {
        let run = indexer(
            data.path(),
            &["metrics", "--group-by", "organisation", "--tier", tier],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str(&run.stdout).unwrap()
    };
    let cell = |table: &serde_json::Value, measure: &str| {
        table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row[0] == "Public Health Wales NHS Trust")
            .map_or(0, |row| row[1][measure].as_u64().unwrap())
    };
    // 12 publications of four roster scientists (virology, antimicrobial
    // chemotherapy, anaerobe reference, pathogen genomics) — one of them,
    // pmid:15484279, printed in Web of Science's abbreviated form ("Univ Hosp
    // Wales, NPHS Microbiol Cardiff, Wales Specialist Virol, S Glam"); two
    // more await a curator; more are possible (tier 2) from affiliations alone.
    let roster = table("roster");
    assert_eq!(cell(&roster, "publications"), 12, "{roster}");
    assert_eq!(cell(&roster, "people_conducting"), 4, "{roster}");
    assert_eq!(cell(&roster, "publications_key_author"), 4, "{roster}");
    assert!(
        roster.to_string().contains("pmid:15484279"),
        "the abbreviated byline counts: {roster}"
    );
    // Seventeen possible: three print only "Singleton Hospital" for a name
    // tagged at the reference unit there on other papers, three print no
    // affiliation at all for a team tagged together at PHW elsewhere, and
    // three print none for the unit's head alone, where a repeated
    // co-author or the unit's subject (Cryptosporidium) ties her byline to
    // her papers there.
    let inferred = table("inferred");
    assert_eq!(cell(&inferred, "publications"), 17, "{inferred}");
    for id in [
        "pmid:15324544",
        "pmid:30867023",
        "pmid:91000002",
        "pmid:91000006",
        "pmid:91000008",
    ] {
        assert!(inferred.to_string().contains(id), "{id}: {inferred}");
    }
}

/// A local grants register end to end: located errors, an idempotent import,
/// the award's people tagged from the roster and counted, its outputs linked.
/// The rows are made up for the mechanics; the demo ships only real awards.
#[test]
fn a_local_grants_register_is_imported_tagged_and_counted() {
    let data = tempfile::tempdir().unwrap();
    let pubmed = fixture("wales-demo/pubmed").display().to_string();
    assert_eq!(indexer(data.path(), &["ingest", &pubmed]).code, 0);
    let roster = fixture("wales-demo/roster.csv").display().to_string();
    assert_eq!(indexer(data.path(), &["roster", "import", &roster]).code, 0);
    let register = data.path().join("register.csv");
    std::fs::write(
        &register,
        format!(
            "{}\n\
             Test Funder,Test Scheme,TEST/1,A test award,125000,GBP,2023-04,2025-03,Public Health Wales,\"Thomas R Connor | Principal Investigator | Public Health Wales\",pmid:40851090,,https://example.invalid/award\n\
             Test Funder,,TEST/2,=cmd(),,,,,,,,,\n",
            std::fs::read_to_string(fixture("local/grants-template.csv"))
                .unwrap()
                .trim_end()
        ),
    )
    .unwrap();
    let register = register.display().to_string();
    let import = indexer(data.path(), &["import", "grants", &register]);
    assert_eq!(import.code, 2, "{}", import.stderr);
    assert!(
        import
            .stderr
            .contains("line 3, column 4 (title): looks like a spreadsheet formula"),
        "{}",
        import.stderr
    );
    assert!(
        import.stderr.contains("imported 1 grant(s)"),
        "{}",
        import.stderr
    );
    // Again: the same award, updated in place, not duplicated.
    let again = indexer(data.path(), &["import", "grants", &register]);
    assert!(again.stderr.contains("(0 new"), "{}", again.stderr);
    let grants: Vec<Record> = crate::support::exported(data.path())
        .into_iter()
        .filter(|record| matches!(record, Record::Grant(_)))
        .collect();
    assert_eq!(grants.len(), 1);
    let Record::Grant(grant) = &grants[0] else {
        unreachable!()
    };
    assert!(grant.provenance[0].location.starts_with("local:"));

    assert_eq!(indexer(data.path(), &["tag"]).code, 0);
    let metrics = indexer(data.path(), &["metrics", "--group-by", "organisation"]);
    let table: Value = serde_json::from_str(&metrics.stdout).unwrap();
    let phw = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row[0] == "Public Health Wales NHS Trust")
        .expect("Public Health Wales counted");
    assert_eq!(phw[1]["grants_led"], 1, "{phw}");
    assert_eq!(phw[1]["people_leading"], 1, "{phw}");
    assert_eq!(phw[1]["grants_led_amount"]["GBP"], 125000.0, "{phw}");
}
