//! Grants and their outputs: a funder-reported outcome and a PubMed
//! acknowledgement both lead from a grant to the publications it produced,
//! each link saying how it was made.

use indexer::index::{IndexStore, RecordSink};
use indexer::links::grant_outputs;
use indexer::records::{Grant, Identifiers, LinkMethod, OutputLink, Provenance, Record};

use crate::support::{fixture, indexer, parse_fixture};

/// PMID 35856662 acknowledges MRC awards MR/N025989/1 and MR/R016895/1 in its GrantList.
const ACKNOWLEDGING: &str = "pubmed/efetch/metapub/pmid_xml/35856662.xml";
const REPORTED: &str = "pubmed/efetch/metapub/pmid_xml/38011560.xml";

#[test]
fn grant_outputs_join_funder_reports_and_acknowledgements() {
    let data = tempfile::tempdir().unwrap();
    let ingest = indexer(
        data.path(),
        &[
            "ingest",
            &fixture(ACKNOWLEDGING).display().to_string(),
            &fixture(REPORTED).display().to_string(),
        ],
    );
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    let reported_doi = parse_fixture(REPORTED).publications[0]
        .identifiers
        .doi
        .clone()
        .expect("fixture has a DOI");

    let store = IndexStore::open_existing(data.path()).unwrap();
    let grant = Grant {
        id: Grant::stable_id("MRC", "MR/R016895/1"),
        funder: "MRC".into(),
        reference: "MR/R016895/1".into(),
        title: "Innovation Fellowship".into(),
        outputs: vec![
            OutputLink {
                identifiers: Identifiers {
                    doi: Some(reported_doi),
                    ..Identifiers::default()
                },
                title: None,
                method: LinkMethod::GtrOutcome,
            },
            OutputLink {
                identifiers: Identifiers {
                    doi: Some("10.9999/not-harvested".into()),
                    ..Identifiers::default()
                },
                title: Some("An output we have not harvested".into()),
                method: LinkMethod::GtrOutcome,
            },
        ],
        provenance: vec![Provenance {
            source: "gtr".into(),
            location: "test".into(),
            fetched_at: "2026-01-01T00:00:00Z".into(),
            record_id: Some("gtr-project-guid".into()),
        }],
        ..Grant::default()
    };
    let mut sink = RecordSink::open(&store, 32 * 1024 * 1024).unwrap();
    sink.upsert(Record::Grant(Box::new(grant.clone()))).unwrap();
    sink.commit(None).unwrap();
    sink.finish().unwrap();

    let reader = store.reader().unwrap();
    let outputs = grant_outputs(&store, &reader.searcher(), &grant).unwrap();
    let summary: Vec<(LinkMethod, Option<&str>)> = outputs
        .iter()
        .map(|o| (o.link.method, o.record_id.as_deref()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (LinkMethod::GtrOutcome, Some("pmid:38011560")),
            (LinkMethod::GtrOutcome, None),
            (LinkMethod::PubmedGrantList, Some("pmid:35856662")),
        ]
    );
    // The other MRC award on the same paper, written differently, finds it too.
    let other = Grant {
        reference: " mr/n025989/1".into(),
        outputs: Vec::new(),
        ..grant
    };
    let outputs = grant_outputs(&store, &reader.searcher(), &other).unwrap();
    assert_eq!(outputs.len(), 1);
    assert_eq!(outputs[0].record_id.as_deref(), Some("pmid:35856662"));

    // Exported beside the publications, as a grant.
    let export = indexer(data.path(), &["export"]);
    assert!(export
        .stdout
        .lines()
        .any(|line| line.contains("\"record_type\":\"grant\"") && line.contains("MR/R016895/1")));
}
