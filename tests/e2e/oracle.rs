//! Our parser against an independent one (Biopython's `Bio.Entrez`), record
//! by record over every PubMed fixture: titles, author names and order,
//! ORCIDs, affiliation counts, DOI/PMCID, grant ids and MeSH.
//!
//! The comparison itself runs in `tests/oracle/pubmed_oracle.py`, which lists
//! every accepted difference with the record it concerns and why.

use std::io::Write;
use std::process::Command;

use indexer::records::{Publication, PublicationKind};
use indexer::sources::pubmed::{self, PubmedItem};
use serde_json::{json, Value};

use crate::support::{fixtures_dir, pubmed_record_files};

/// The oracle's view of one record (see the oracle script's docstring).
fn oracle_view(file: &str, publication: &Publication) -> Value {
    let authors: Vec<Value> = publication
        .authors
        .iter()
        .map(|a| {
            json!({
                "family": a.family, "given": a.given, "initials": a.initials,
                "suffix": a.suffix, "collective": a.collective, "orcid": a.orcid,
                "affiliations": a.affiliations.len(),
            })
        })
        .collect();
    let mesh: Vec<Value> = publication
        .mesh
        .iter()
        .map(|m| {
            json!({
                "descriptor": m.descriptor, "major": m.major_topic,
                "qualifiers": m.qualifiers.iter()
                    .map(|q| json!({"name": q.name, "major": q.major_topic}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "file": file,
        "pmid": publication.identifiers.pmid,
        "kind": match publication.kind { PublicationKind::Article => "article", PublicationKind::Book => "book" },
        "title": publication.title,
        "authors": authors,
        "doi": publication.identifiers.doi,
        "pmcid": publication.identifiers.pmcid,
        "grant_ids": publication.grants.iter().filter_map(|g| g.id.clone()).collect::<Vec<_>>(),
        "mesh": mesh,
    })
}

#[test]
fn parser_agrees_with_biopython_on_every_pubmed_fixture() {
    let root = fixtures_dir();
    let files = pubmed_record_files();
    let mut ours = tempfile::NamedTempFile::new().expect("temp file");
    for file in &files {
        let key = file
            .strip_prefix(&root)
            .expect("fixture under fixtures/")
            .to_string_lossy()
            .replace('\\', "/");
        for item in pubmed::open_path(file).expect("fixture opens") {
            let line = match item {
                Ok(PubmedItem::Publication(publication)) => oracle_view(&key, &publication),
                Ok(PubmedItem::Deleted(pmids)) => json!({"file": key, "deleted": pmids}),
                // The truncated fixture ends in an error after its complete records.
                Err(_) => continue,
            };
            writeln!(ours, "{line}").expect("write view");
        }
    }
    ours.flush().expect("flush view");

    let python = std::env::var("HCS_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let script = root.join("../tests/oracle/pubmed_oracle.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg("compare")
        .arg(ours.path())
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python} {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "the oracle needs Biopython: pip install -r tests/oracle/requirements.txt\n{stderr}"
    );
    let tail: String = stdout
        .lines()
        .rev()
        .take(60)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        output.status.success(),
        "oracle found differences:\n{tail}\n{stderr}"
    );
    assert!(
        stdout.contains("oracle: 1733 records, 0 unexplained differences"),
        "unexpected oracle summary:\n{tail}"
    );
}
