//! Roster-less attribution measured on real Welsh affiliation strings
//! (`fixtures/tagging/welsh-affiliations.tsv`, each row's source in its
//! PROVENANCE): every string is tagged as a one-author record with no
//! roster, and the tier-2 outcome is compared with the row's labels — the
//! employing NHS Wales organisation, and whether the string says a
//! healthcare-science service (`yes`), says something else (`no`), or says
//! nothing either way (`unknown`: a bare hospital or board).

use std::collections::BTreeMap;

use super::curation::DecisionLog;
use super::model::{Band, Tier};
use super::roster::Roster;
use super::{ReferenceData, Tagger};
use hcs_model::records::{Author, Publication, Record};

/// One labelled string.
struct Row {
    class: String,
    affiliation: String,
    /// The employer's current name; `none` when no NHS Wales body employs.
    organisation: String,
    /// `yes`, `no` or `unknown`.
    hcs: String,
}

fn rows() -> Vec<Row> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../fixtures/tagging/welsh-affiliations.tsv"
    );
    let text = std::fs::read_to_string(path).expect("welsh-affiliations.tsv");
    text.lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Row {
                class: cells[0].to_owned(),
                affiliation: cells[1].to_owned(),
                organisation: cells[2].to_owned(),
                hcs: cells[3].to_owned(),
            }
        })
        .collect()
}

/// What the tagger made of one string.
struct Outcome {
    /// A tier-2 tag at or above the review line.
    possible: bool,
    /// The organisation it was attributed to (the gazetteer's first match without a tag).
    organisation: Option<String>,
}

fn tag(tagger: &Tagger, affiliation: &str) -> Outcome {
    let record = Record::Publication(Box::new(Publication {
        id: "test:1".into(),
        authors: vec![Author {
            position: 1,
            family: Some("Example".into()),
            given: Some("Alex".into()),
            affiliations: vec![affiliation.into()],
            valid: true,
            ..Author::default()
        }],
        ..Publication::default()
    }));
    let tags = tagger.tag(&record);
    let inferred = tags
        .iter()
        .map(|slot| &slot.tag)
        .find(|tag| tag.tier == Tier::Inferred && tag.band != Band::Reject);
    let organisation = match inferred {
        Some(tag) => tag.organisation.as_ref().map(|o| o.name.clone()),
        None => tagger
            .reference
            .gazetteer
            .employer(affiliation, None)
            .map(|found| found.name),
    };
    Outcome {
        possible: inferred.is_some(),
        organisation,
    }
}

#[test]
fn welsh_affiliation_forms_resolve_and_classify() {
    let reference = ReferenceData::load(None, None).expect("bundled reference data");
    let tagger = Tagger::new(reference, Roster::default(), DecisionLog::default());
    let mut by_class: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for row in rows() {
        let outcome = tag(&tagger, &row.affiliation);
        let expected_org = (row.organisation != "none").then_some(row.organisation.as_str());
        let org_right = outcome.organisation.as_deref() == expected_org;
        let hcs_right = match row.hcs.as_str() {
            "yes" => outcome.possible,
            "no" => !outcome.possible,
            _ => true,
        };
        match (row.hcs.as_str(), outcome.possible) {
            ("yes", true) => tp += 1,
            ("yes", false) => fn_ += 1,
            ("no", true) => fp += 1,
            _ => {}
        }
        let entry = by_class.entry(row.class.clone()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(org_right);
        entry.2 += usize::from(hcs_right);
        if !org_right || !hcs_right {
            failures.push(format!(
                "{} | {} | org {:?} (want {:?}) | possible {} (want {})",
                row.class,
                row.affiliation,
                outcome.organisation,
                expected_org,
                outcome.possible,
                row.hcs
            ));
        }
    }
    for (class, (n, org, hcs)) in &by_class {
        println!("{class}: {n} strings, organisation {org}/{n}, service {hcs}/{n}");
    }
    println!("service: {tp} found, {fp} false, {fn_} missed");
    for failure in &failures {
        println!("FAIL {failure}");
    }
    assert!(failures.is_empty(), "{} failures", failures.len());
}
