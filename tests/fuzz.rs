//! Fuzz targets: each takes arbitrary bytes to a real parser entry point and
//! checks what must hold for any input — no panic, errors that say something,
//! and what parses can be used (serialised, searched).
//!
//! `fuzz/fuzz_targets/*.rs` call these under libFuzzer (`cargo +nightly fuzz
//! run <target>`, see `fuzz/README.md`); the e2e test `fuzz_corpus` replays
//! every kept corpus input and every past crash through them on stable, so CI
//! runs them all.

use std::sync::OnceLock;

use indexer::harvest::http::{HttpResponse, Rejection};
use indexer::records::{Publication, Record};
use indexer::sources::{europepmc, gtr, nihr, oaipmh, orcid, pubmed};

/// A fuzz target's body: arbitrary bytes in, a panic on a broken promise.
pub type Target = fn(&[u8]);

/// Every target, by the name of its corpus folder.
pub const TARGETS: [(&str, Target); 8] = [
    ("pubmed", pubmed_xml),
    ("europepmc", europepmc_json),
    ("orcid", orcid_xml),
    ("oaipmh", oaipmh_xml),
    ("gtr", gtr_json),
    ("nihr", nihr_json),
    ("roster", roster_csv),
    ("query", query),
];

const LOCATION: &str = "fuzz://input";
const FETCHED_AT: &str = "2026-01-01T00:00:00Z";

fn said(error: &impl std::fmt::Display) {
    assert!(
        !error.to_string().trim().is_empty(),
        "an error with no message"
    );
}

fn usable(publication: &Publication) {
    assert!(!publication.id.is_empty(), "a record without an id");
    let record = Record::Publication(Box::new(publication.clone()));
    let json = serde_json::to_string(&record).expect("a parsed record serialises");
    let back: Record = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, record, "a record survives its own JSON");
}

/// A rejected response must say why, whichever kind it is.
fn rejected(rejection: &Rejection) {
    match rejection {
        Rejection::Incomplete(why) | Rejection::Refused(why) => {
            assert!(!why.trim().is_empty(), "a rejection with no reason")
        }
    }
}

fn response(data: &[u8]) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: bytes::Bytes::copy_from_slice(data),
        url: LOCATION.into(),
        fetched_at: FETCHED_AT.into(),
    }
}

/// PubMed XML (efetch, exports, baseline files): the streaming parser to its end.
pub fn pubmed_xml(data: &[u8]) {
    let mut items = 0usize;
    for item in pubmed::parse_bytes(data, LOCATION) {
        items += 1;
        match item {
            Ok(pubmed::PubmedItem::Publication(publication)) => usable(&publication),
            Ok(pubmed::PubmedItem::Deleted(_)) => {}
            Err(error) => {
                said(&error);
                if error.is_fatal() {
                    break;
                }
            }
        }
        // Each item consumes input: more items than bytes would mean a loop.
        assert!(items <= data.len() + 1, "the parser does not advance");
    }
}

/// Europe PMC `search` responses, and each result on its own.
pub fn europepmc_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match europepmc::parse::parse_search(text, LOCATION, FETCHED_AT) {
        Ok(page) => page.records.iter().for_each(usable),
        Err(error) => said(&error),
    }
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        match europepmc::parse::parse_result(&value, LOCATION, FETCHED_AT) {
            Ok(publication) => usable(&publication),
            Err(reason) => assert!(!reason.is_empty()),
        }
    }
}

/// ORCID works lists, bulk works, employments and error bodies.
pub fn orcid_xml(data: &[u8]) {
    let owner = "0000-0002-1825-0097";
    match orcid::parse::parse_works_list(data) {
        Ok(groups) => {
            let codes = orcid::parse::select_put_codes(&groups, owner);
            assert!(
                codes.len() <= groups.len(),
                "one put-code per group at most"
            );
        }
        Err(error) => said(&error),
    }
    let requested: Vec<String> = (1..=3).map(|n| n.to_string()).collect();
    match orcid::parse::parse_bulk(data, &requested) {
        Ok(items) => {
            for item in items {
                if let orcid::parse::BulkItem::Work(work) = item {
                    match orcid::parse::map_work(&work, owner, LOCATION, FETCHED_AT) {
                        Ok(publication) => usable(&publication),
                        Err(skip) => said(&skip),
                    }
                }
            }
        }
        Err(error) => said(&error),
    }
    match orcid::parse::parse_employments(data) {
        Ok(_) => {}
        Err(error) => said(&error),
    }
    if let Some(error) = orcid::parse::parse_error(data) {
        said(&error);
    }
}

/// OAI-PMH `ListRecords` pages and every record on them.
pub fn oaipmh_xml(data: &[u8]) {
    match oaipmh::parse::parse_page(data) {
        Ok(page) => {
            let _ = page.next_token();
            let origin = oaipmh::parse::Origin {
                source: "oai:fuzz",
                location: LOCATION,
                fetched_at: FETCHED_AT,
            };
            for record in &page.records {
                match oaipmh::parse::map_record(record, origin) {
                    Ok(publication) => usable(&publication),
                    Err(skip) => said(&skip),
                }
            }
        }
        Err(error) => said(&error),
    }
}

/// GtR `projects` pages and entity bodies, and the grants built from them.
pub fn gtr_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The checks compare the body with what was asked for: ask for what it says.
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let number =
        |key: &str, default: u64| value.get(key).and_then(|v| v.as_u64()).unwrap_or(default);
    let guid = value
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or("fuzz-guid");
    match gtr::parse::parse_projects_body(text, number("page", 1), number("size", 100)) {
        Ok(page) => {
            let origin = gtr::parse::PageOrigin {
                location: LOCATION.into(),
                fetched_at: FETCHED_AT.into(),
            };
            for project in &page.projects {
                let _ = gtr::parse::project_links(project);
                let grant = gtr::parse::build_grant("gtr", project, &origin, &|_, _| None);
                let record = Record::Grant(Box::new(grant));
                serde_json::to_string(&record).expect("a grant serialises");
            }
        }
        Err(error) => rejected(&error),
    }
    for kind in [
        gtr::parse::EntityKind::Fund,
        gtr::parse::EntityKind::Person,
        gtr::parse::EntityKind::Organisation,
        gtr::parse::EntityKind::Publication,
    ] {
        if let Err(error) = gtr::parse::parse_entity_body(text, kind, guid) {
            rejected(&error);
        }
    }
}

/// NIHR Open Data exports: awards and award holders, built into grants.
pub fn nihr_json(data: &[u8]) {
    match nihr::parse::parse_export(&response(data)) {
        Ok(rows) => {
            let mut warnings = Vec::new();
            let holders = nihr::parse::index_holders(&rows, &mut warnings);
            let origin = nihr::parse::ExportOrigin {
                location: LOCATION.into(),
                fetched_at: FETCHED_AT.into(),
            };
            for grant in nihr::parse::build_grants("nihr", &rows, &holders, &origin, &mut warnings)
            {
                serde_json::to_string(&Record::Grant(Box::new(grant))).expect("serialises");
            }
            warnings
                .iter()
                .for_each(|warning| assert!(!warning.is_empty()));
        }
        Err(error) => rejected(&error),
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = indexer::published_names::split_name(text);
        let _ = nihr::parse::parse_date(text);
    }
}

fn reference() -> &'static indexer::tagging::ReferenceData {
    static REFERENCE: OnceLock<indexer::tagging::ReferenceData> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        indexer::tagging::ReferenceData::load(None, None).expect("bundled reference data")
    })
}

/// Roster CSV: every issue located, never the cell's content.
pub fn roster_csv(data: &[u8]) {
    let reference = reference();
    match indexer::tagging::Roster::parse(data, LOCATION, &reference.taxonomy, &reference.gazetteer)
    {
        Ok(roster) => {
            for issue in &roster.issues {
                said(issue);
                assert!(issue.line >= 1, "an issue without a line: {issue}");
            }
            assert!(roster.len() <= data.len(), "more people than bytes");
            let _ = roster.minimised_csv(data);
        }
        Err(error) => said(&error),
    }
}

/// A small real index, a reader and the engine over it.
struct QueryTarget {
    _dir: tempfile::TempDir,
    store: indexer::index::IndexStore,
    reader: tantivy::IndexReader,
    engine: search_api::query::SearchEngine,
}

/// Built once: the NLM sample records, indexed as `indexer` writes them.
fn query_target() -> &'static QueryTarget {
    static TARGET: OnceLock<QueryTarget> = OnceLock::new();
    TARGET.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = indexer::index::IndexStore::open_or_create(dir.path()).expect("index");
        let sample = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/pubmed/nlm-sample/pubmedsample18n0001.xml.gz"
        );
        let parser = pubmed::open_path(std::path::Path::new(sample)).expect("the NLM sample");
        let mut writer = store.writer(20_000_000).expect("writer");
        for item in parser.flatten() {
            if let pubmed::PubmedItem::Publication(publication) = item {
                writer
                    .upsert(&Record::Publication(publication))
                    .expect("upsert");
            }
        }
        writer.commit().expect("commit");
        writer.finish().expect("finish");
        let store = store.for_serving();
        let reader = store.reader().expect("reader");
        let engine =
            search_api::query::SearchEngine::new(store.index(), store.fields()).expect("engine");
        QueryTarget {
            _dir: dir,
            store,
            reader,
            engine,
        }
    })
}

/// A user query: refused with a message, or searchable without a server error.
pub fn query(data: &[u8]) {
    let Ok(q) = std::str::from_utf8(data) else {
        return;
    };
    let target = query_target();
    let searcher = target.reader.searcher();
    for lenient in [false, true] {
        let params = search_api::query::SearchParams {
            q: q.to_owned(),
            lenient,
            ..search_api::query::SearchParams::default()
        };
        match target.engine.search(&searcher, &target.store, &params) {
            Ok(outcome) => assert!(outcome.hits.len() <= outcome.total),
            Err(search_api::query::SearchError::Query(error)) => said(&error),
            Err(search_api::query::SearchError::Param(error)) => said(&error),
            Err(other) => panic!("a query that is not refused fails the search: {q:?}: {other}"),
        }
    }
}
