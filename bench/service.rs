//! Search-service benchmark: the HTTP API against in-process tantivy and
//! SQLite FTS5 on the same documents and queries, and the participation
//! endpoint against in-process aggregation, all in one run.
//!
//! ```sh
//! cargo bench --bench service                              # 100,000 records
//! cargo bench --bench service -- --records 1000000 --metrics-only
//! ```
//!
//! The corpus (see `corpus.rs`) is scaled from the real PubMed fixtures: each
//! publication takes the title, subjects and byline of one fixture record and
//! the abstract of another, so the text has real vocabulary and term
//! statistics; one record in ten is a grant; every record carries tags.
//!
//! Rows, each with p50 and p99 over every query × round:
//! - `tantivy bare`: parse, top 20 by BM25 and the count — the engine's floor;
//! - `engine in-process`: `SearchEngine::search`, the exact work of one API
//!   page (top 20, count, ten facets, highlights, records decoded);
//! - `search-api HTTP`: `GET /api/publications?q=…` on 127.0.0.1 over a kept-alive
//!   connection, body read (target: ≤ +1 ms over in-process at p50);
//! - `SQLite FTS5`: the same documents, analysed by the index's own analyzers
//!   so both engines see the same terms, top 20 by bm25 with the same field
//!   weights plus the count. Hit counts are asserted equal for every query;
//! - `SQLite FTS5 full page`: what the API's page holds, the SQLite way: top
//!   20 with highlighted title and abstract snippet, their stored records
//!   decoded, the count, and the same facets from a table of the values the
//!   index holds (target: ≥ 15× slower than search-api at p50).
//!
//! Then `GET /api/metrics/participation` per grouping over HTTP against
//! `measure` in-process on the same facts (target: ≤ 20 ms at 10⁵).

use std::path::{Path, PathBuf};
use std::time::Instant;

use indexer::index::document::{add_tags, to_document};
use indexer::index::schema::{NAME_TOKENIZER, PROSE_TOKENIZER};
use indexer::index::IndexStore;
use indexer::metrics::{measure, GroupBy, MetricsIndex, MetricsQuery, TierChoice};
use indexer::records::{Publication, Record};
use indexer::sources::pubmed::{self, PubmedItem};
use indexer::tagging::SlotTag;
use search_api::query::SearchParams;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value as _;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Term;

#[path = "corpus.rs"]
mod corpus;

/// Field order of the FTS5 table, and each field's analyzer and BM25 weight
/// (the engine's query-time boosts).
const COLUMNS: [(&str, &str, f64); 7] = [
    ("title", PROSE_TOKENIZER, 3.0),
    ("abstract", PROSE_TOKENIZER, 1.0),
    ("mesh", PROSE_TOKENIZER, 1.5),
    ("keywords", PROSE_TOKENIZER, 1.5),
    ("author", NAME_TOKENIZER, 1.0),
    ("affiliation", NAME_TOKENIZER, 0.5),
    ("journal", NAME_TOKENIZER, 0.5),
];

struct Options {
    records: usize,
    rounds: usize,
    metrics_only: bool,
}

fn options() -> Options {
    let mut options = Options {
        records: 100_000,
        rounds: 15,
        metrics_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--records" => options.records = number(args.next(), "--records N"),
            "--rounds" => options.rounds = number(args.next(), "--rounds N"),
            "--metrics-only" => options.metrics_only = true,
            "--bench" => {}
            other => panic!("unknown argument {other}"),
        }
    }
    options
}

fn number(value: Option<String>, usage: &str) -> usize {
    value.and_then(|v| v.parse().ok()).expect(usage)
}

/// Every publication in the PubMed fixtures.
fn fixture_publications() -> Vec<Publication> {
    let mut files = Vec::new();
    let mut pending = vec![PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/pubmed"
    ))];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures readable") {
            let path = entry.expect("entry").path();
            let name = path.to_string_lossy();
            if path.is_dir() {
                pending.push(path);
            } else if (name.ends_with(".xml") || name.ends_with(".xml.gz"))
                && !name.contains("esearch")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut publications = Vec::new();
    for file in files {
        let Ok(parser) = pubmed::open_path(&file) else {
            continue;
        };
        publications.extend(parser.filter_map(|item| match item {
            Ok(PubmedItem::Publication(publication)) if publication.r#abstract.is_some() => {
                Some(*publication)
            }
            _ => None,
        }));
    }
    publications
}

fn write_index(data: &Path, records: &[Record], tags: &[Vec<SlotTag>]) -> IndexStore {
    let store = IndexStore::open_or_create(data).expect("index");
    let mut writer = store.writer(512 * 1024 * 1024).expect("writer");
    for (record, tags) in records.iter().zip(tags) {
        writer
            .upsert_tagged(record, std::slice::from_ref(record), tags)
            .expect("upsert");
    }
    writer.commit().expect("commit");
    writer.finish().expect("merges");
    store
}

fn analyze(analyzer: &mut TextAnalyzer, text: &str, into: &mut String) {
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        if !into.is_empty() {
            into.push(' ');
        }
        into.push_str(&stream.token().text);
    }
}

/// Each column's text of a publication, as the index's analyzers cut it.
fn analysed_columns(store: &IndexStore, publication: &Publication) -> Vec<String> {
    let tokenizers = store.index().tokenizers();
    let mut prose = tokenizers.get(PROSE_TOKENIZER).expect("prose analyzer");
    let mut names = tokenizers.get(NAME_TOKENIZER).expect("name analyzer");
    let mut columns = vec![String::new(); COLUMNS.len()];
    analyze(&mut prose, &publication.title, &mut columns[0]);
    if let Some(vernacular) = &publication.vernacular_title {
        analyze(&mut prose, vernacular, &mut columns[0]);
    }
    if let Some(r#abstract) = &publication.r#abstract {
        for section in &r#abstract.sections {
            analyze(&mut prose, &section.text, &mut columns[1]);
        }
    }
    for heading in &publication.mesh {
        analyze(&mut prose, &heading.descriptor, &mut columns[2]);
        for qualifier in &heading.qualifiers {
            analyze(&mut prose, &qualifier.name, &mut columns[2]);
        }
    }
    for keyword in &publication.keywords {
        analyze(&mut prose, &keyword.text, &mut columns[3]);
    }
    for person in publication.authors.iter().chain(&publication.investigators) {
        analyze(&mut names, &person.display_name(), &mut columns[4]);
        for affiliation in &person.affiliations {
            analyze(&mut names, affiliation, &mut columns[5]);
        }
    }
    if let Some(journal) = &publication.journal {
        analyze(&mut names, &journal.title, &mut columns[6]);
        if let Some(abbreviation) = &journal.iso_abbreviation {
            analyze(&mut names, abbreviation, &mut columns[6]);
        }
    }
    columns
}

/// The facet fields of a search page, by index field name.
const FACET_FIELDS: [&str; 9] = [
    "year",
    "type",
    "journal_exact",
    "hcs",
    "hcs_discipline",
    "hcs_division",
    "hcs_organisation",
    "hcs_role",
    "hcs_band",
];

/// The SQLite side: an FTS5 table of the analysed text, a table of facet
/// values (exactly the values the index holds, read from the same tantivy
/// document) and the stored record JSON, keyed by the same rowid.
fn write_fts5(
    path: &Path,
    store: &IndexStore,
    records: &[Record],
    tags: &[Vec<SlotTag>],
) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(path).expect("sqlite");
    db.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
         CREATE VIRTUAL TABLE docs USING fts5(
             title, abstract, mesh, keywords, author, affiliation, journal,
             tokenize = 'unicode61 remove_diacritics 0');
         CREATE TABLE facet (doc INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
         CREATE TABLE record (id INTEGER PRIMARY KEY, json TEXT NOT NULL);",
    )
    .expect("tables");
    let fields = store.fields();
    let schema = store.index().schema();
    let facet_fields: Vec<(&str, tantivy::schema::Field)> = FACET_FIELDS
        .iter()
        .map(|name| (*name, schema.get_field(name).expect("facet field")))
        .collect();
    db.execute_batch("BEGIN").expect("begin");
    {
        let mut insert = db
            .prepare("INSERT INTO docs (rowid, title, abstract, mesh, keywords, author, affiliation, journal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .expect("insert");
        let mut facet = db
            .prepare("INSERT INTO facet VALUES (?1, ?2, ?3)")
            .expect("facet insert");
        let mut json = db
            .prepare("INSERT INTO record VALUES (?1, ?2)")
            .expect("record insert");
        for (rowid, (record, tags)) in records.iter().zip(tags).enumerate() {
            let Record::Publication(publication) = record else {
                continue;
            };
            let mut row: Vec<rusqlite::types::Value> = vec![(rowid as i64).into()];
            row.extend(
                analysed_columns(store, publication)
                    .into_iter()
                    .map(Into::into),
            );
            insert
                .execute(rusqlite::params_from_iter(row))
                .expect("row");
            let mut document =
                to_document(fields, record, std::slice::from_ref(record)).expect("document");
            add_tags(fields, tags, &mut document).expect("tags");
            for (name, field) in &facet_fields {
                for value in document.get_all(*field) {
                    let value = value
                        .as_str()
                        .map(str::to_owned)
                        .or_else(|| value.as_u64().map(|n| n.to_string()))
                        .expect("text or number");
                    facet
                        .execute(rusqlite::params![rowid as i64, name, value])
                        .expect("facet");
                }
            }
            json.execute(rusqlite::params![
                rowid as i64,
                serde_json::to_string(record).expect("json")
            ])
            .expect("record");
        }
    }
    db.execute_batch(
        "COMMIT; CREATE INDEX facet_doc ON facet (doc, name, value);
         INSERT INTO docs(docs) VALUES ('optimize'); ANALYZE;",
    )
    .expect("commit");
    db
}

/// Queries from the fixtures' title words: single words across the document
/// frequency range, and pairs of neighbours in that range.
fn queries(store: &IndexStore, texts: &[Publication]) -> Vec<String> {
    let mut prose = store
        .index()
        .tokenizers()
        .get(PROSE_TOKENIZER)
        .expect("prose analyzer");
    let mut frequency: std::collections::HashMap<String, usize> = Default::default();
    for text in texts {
        let mut seen = std::collections::HashSet::new();
        for word in text.title.split(|c: char| !c.is_alphanumeric()) {
            let word = word.to_lowercase();
            if word.len() < 4 || !word.chars().all(|c| c.is_ascii_alphabetic()) {
                continue;
            }
            // One analysed token, so the query is a term query in both engines.
            let mut analysed = String::new();
            analyze(&mut prose, &word, &mut analysed);
            if !analysed.is_empty() && !analysed.contains(' ') && seen.insert(word.clone()) {
                *frequency.entry(word).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(String, usize)> = frequency.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let singles: Vec<String> = words
        .iter()
        .step_by(words.len().max(20) / 20)
        .take(20)
        .map(|(word, _)| word.clone())
        .collect();
    let pairs = words
        .iter()
        .take(40)
        .collect::<Vec<_>>()
        .chunks(2)
        .map(|pair| format!("{} {}", pair[0].0, pair[pair.len() - 1].0))
        .collect::<Vec<_>>();
    singles.into_iter().chain(pairs).collect()
}

/// The FTS5 expression for a query of plain words: each word, analysed as
/// each field analyses it, in any column; all words required.
fn fts5_expression(store: &IndexStore, q: &str) -> String {
    let tokenizers = store.index().tokenizers();
    let mut prose = tokenizers.get(PROSE_TOKENIZER).expect("prose analyzer");
    let mut names = tokenizers.get(NAME_TOKENIZER).expect("name analyzer");
    q.split_whitespace()
        .map(|word| {
            let (mut stem, mut name) = (String::new(), String::new());
            analyze(&mut prose, word, &mut stem);
            analyze(&mut names, word, &mut name);
            format!(
                "({{title abstract mesh keywords}} : \"{stem}\" OR {{author affiliation journal}} : \"{name}\")"
            )
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[derive(Default)]
struct Samples(Vec<f64>);

impl Samples {
    fn time<T>(&mut self, job: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let answer = std::hint::black_box(job());
        self.0.push(started.elapsed().as_secs_f64() * 1000.0);
        answer
    }

    fn p50_p99(&mut self) -> (f64, f64) {
        self.0.sort_by(f64::total_cmp);
        (
            corpus::percentile(&self.0, 0.5),
            corpus::percentile(&self.0, 0.99),
        )
    }
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let started = Instant::now();
    // Metrics need no text: without it a 10⁶-record corpus fits in memory twice
    // (here, and decoded again by the server for its facts).
    let texts = if options.metrics_only {
        Vec::new()
    } else {
        fixture_publications()
    };
    let (records, tags) = corpus::corpus(options.records, 11, &texts);
    let scratch = tempfile::tempdir().expect("temp dir");
    let data = scratch.path().join("data");
    let store = write_index(&data, &records, &tags);
    println!(
        "corpus: {} records ({} fixture texts), tantivy index written in {:.1} s",
        records.len(),
        texts.len(),
        started.elapsed().as_secs_f64()
    );

    let state = search_api::AppState::open(&data).expect("state");
    let server = runtime
        .block_on(search_api::spawn(
            "127.0.0.1:0".parse().expect("address"),
            search_api::router(state.clone()),
            search_api::ServeOptions::default(),
        ))
        .expect("server");
    let base = server.base_url();
    let client = reqwest::Client::new();
    // The body of a 200; `None` for a 503 (overloaded or timed out).
    let get = |path: &str| -> Option<bytes::Bytes> {
        runtime.block_on(async {
            let response = client
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("answered");
            if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                return None;
            }
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            Some(response.bytes().await.expect("body"))
        })
    };

    if !options.metrics_only {
        let started = Instant::now();
        let db = write_fts5(&scratch.path().join("fts5.sqlite"), &store, &records, &tags);
        println!(
            "SQLite {} FTS5 table written in {:.1} s",
            rusqlite::version(),
            started.elapsed().as_secs_f64()
        );
        search_benchmark(&options, &state, &store, &db, &texts, &get);
    }
    metrics_benchmark(&options, &records, &tags, &get);
    runtime.block_on(server.stop());
}

fn search_benchmark(
    options: &Options,
    state: &search_api::AppState,
    store: &IndexStore,
    db: &rusqlite::Connection,
    texts: &[Publication],
    get: &dyn Fn(&str) -> Option<bytes::Bytes>,
) {
    let queries = queries(store, texts);
    let engine = state.engine();
    let searcher = state.searcher();
    let fields = store.fields();
    let publications_only = || -> Box<dyn Query> {
        Box::new(ConstScoreQuery::new(
            Box::new(TermQuery::new(
                Term::from_field_text(fields.record_type, "publication"),
                IndexRecordOption::Basic,
            )),
            0.0,
        ))
    };
    let weights = COLUMNS
        .iter()
        .map(|(_, _, weight)| weight.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let mut top = db
        .prepare(&format!(
            "SELECT rowid, title FROM docs WHERE docs MATCH ?1 ORDER BY bm25(docs, {weights}) LIMIT 20"
        ))
        .expect("top query");
    let mut count = db
        .prepare("SELECT count(*) FROM docs WHERE docs MATCH ?1")
        .expect("count query");
    // The same page as the API's: top 20 with highlighted title and abstract
    // passage, their stored records decoded, the count, and every facet.
    let mut page_top = db
        .prepare(&format!(
            "SELECT record.json, highlight(docs, 0, '<b>', '</b>'), snippet(docs, 1, '<b>', '</b>', '…', 48)
             FROM docs JOIN record ON record.id = docs.rowid
             WHERE docs MATCH ?1 ORDER BY bm25(docs, {weights}) LIMIT 20"
        ))
        .expect("page query");
    let mut page_facets = db
        .prepare(
            "SELECT name, value, count(*) FROM facet
             WHERE doc IN (SELECT rowid FROM docs WHERE docs MATCH ?1)
             GROUP BY name, value",
        )
        .expect("facet query");
    let expressions: Vec<String> = queries.iter().map(|q| fts5_expression(store, q)).collect();

    let [mut bare, mut in_process, mut http, mut fts5, mut fts5_page] = Default::default();
    let mut hit_counts = Vec::new();
    // Round 0 warms caches and checks hit counts; it is not timed.
    for round in 0..=options.rounds {
        for (number, (q, expression)) in queries.iter().zip(&expressions).enumerate() {
            let params = SearchParams {
                q: q.clone(),
                ..SearchParams::default()
            };
            let path = format!("/api/publications?q={}", q.replace(' ', "+"));
            let [mut floor, mut ours, mut over_http, mut sqlite, mut sqlite_page] = [0usize; 5];
            // Rotate the order so that no system always runs on a warmer cache.
            for turn in 0..5 {
                let system = (turn + number + round) % 5;
                let mut untimed = Samples::default();
                let samples = match (round, system) {
                    (0, _) => &mut untimed,
                    (_, 0) => &mut bare,
                    (_, 1) => &mut in_process,
                    (_, 2) => &mut http,
                    (_, 3) => &mut fts5,
                    _ => &mut fts5_page,
                };
                match system {
                    0 => {
                        floor = samples.time(|| {
                            let query = BooleanQuery::new(vec![
                                (Occur::Must, publications_only()),
                                (Occur::Must, engine.parse(q).expect("query").expect("terms")),
                            ]);
                            searcher
                                .search(&query, &(TopDocs::with_limit(20).order_by_score(), Count))
                                .expect("search")
                                .1
                        });
                    }
                    1 => {
                        ours = samples
                            .time(|| engine.search(&searcher, store, &params).expect("search"))
                            .total;
                    }
                    2 => {
                        let body = samples.time(|| get(&path)).expect("search");
                        let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
                        over_http = json["total"].as_u64().expect("total") as usize;
                    }
                    4 => {
                        sqlite_page = samples.time(|| {
                            let hits: Vec<(Record, String, String)> = page_top
                                .query_map([expression], |row| {
                                    let json: String = row.get(0)?;
                                    Ok((
                                        serde_json::from_str(&json).expect("record"),
                                        row.get(1)?,
                                        row.get(2)?,
                                    ))
                                })
                                .expect("page")
                                .collect::<Result<_, _>>()
                                .expect("rows");
                            let total: i64 = count
                                .query_row([expression], |row| row.get(0))
                                .expect("count");
                            let facets: Vec<(String, String, i64)> = page_facets
                                .query_map([expression], |row| {
                                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                                })
                                .expect("facets")
                                .collect::<Result<_, _>>()
                                .expect("facet rows");
                            std::hint::black_box((hits, facets));
                            total as usize
                        });
                    }
                    _ => {
                        sqlite = samples.time(|| {
                            let rows: Vec<(i64, String)> = top
                                .query_map([expression], |row| Ok((row.get(0)?, row.get(1)?)))
                                .expect("top")
                                .collect::<Result<_, _>>()
                                .expect("rows");
                            let total: i64 = count
                                .query_row([expression], |row| row.get(0))
                                .expect("count");
                            std::hint::black_box(rows);
                            total as usize
                        });
                    }
                }
            }
            if round == 0 {
                assert_eq!(
                    [floor, ours, over_http, sqlite_page],
                    [sqlite; 4],
                    "hit counts differ for {q:?} (FTS5 {expression})"
                );
                hit_counts.push(ours);
            }
        }
    }
    hit_counts.sort_unstable();
    println!(
        "\n{} queries ({} single words, {} pairs), hits per query min {} / median {} / max {}, equal in tantivy and FTS5; {} timed rounds",
        queries.len(),
        queries.iter().filter(|q| !q.contains(' ')).count(),
        queries.iter().filter(|q| q.contains(' ')).count(),
        hit_counts[0],
        hit_counts[hit_counts.len() / 2],
        hit_counts[hit_counts.len() - 1],
        options.rounds
    );
    let (engine_p50, _) = in_process.p50_p99();
    let (http_p50, _) = http.p50_p99();
    println!(
        "{:<24} {:>9} {:>9} {:>12}",
        "search (top 20)", "p50 ms", "p99 ms", "vs HTTP p50"
    );
    for (name, samples) in [
        ("tantivy bare", &mut bare),
        ("engine in-process", &mut in_process),
        ("search-api HTTP", &mut http),
        ("SQLite FTS5", &mut fts5),
        ("SQLite FTS5 full page", &mut fts5_page),
    ] {
        let (p50, p99) = samples.p50_p99();
        println!("{name:<24} {p50:>9.3} {p99:>9.3} {:>11.2}x", p50 / http_p50);
    }
    let (fts5_p50, _) = fts5.p50_p99();
    let (fts5_page_p50, _) = fts5_page.p50_p99();
    println!(
        "HTTP overhead at p50: {:+.3} ms over in-process (target <= +1 ms: {})",
        http_p50 - engine_p50,
        corpus::verdict(http_p50 - engine_p50 <= 1.0),
    );
    println!(
        "FTS5 / search-api at p50: {:.1}x top 20 + count, {:.1}x the same page (target >= 15x: {}); FTS5 / tantivy bare: {:.1}x",
        fts5_p50 / http_p50,
        fts5_page_p50 / http_p50,
        corpus::verdict(fts5_page_p50 / http_p50 >= 15.0),
        fts5_p50 / bare.p50_p99().0,
    );
}

fn metrics_benchmark(
    options: &Options,
    records: &[Record],
    tags: &[Vec<SlotTag>],
    get: &dyn Fn(&str) -> Option<bytes::Bytes>,
) {
    let started = Instant::now();
    let facts = MetricsIndex::build(records, tags);
    let build = started.elapsed().as_secs_f64() * 1000.0;
    // The server builds its facts in the background at start; until they are
    // ready a request waits for them, or times out (503) on a large corpus.
    let mut cold = Samples::default();
    cold.time(|| {
        while get("/api/metrics/participation").is_none() {
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    });
    let (cold_ms, _) = cold.p50_p99();
    println!(
        "\nparticipation metrics over {} records: facts built in-process in {build:.0} ms; first HTTP request after start (waits for the server's background build) {cold_ms:.0} ms",
        records.len()
    );
    println!(
        "{:<14} {:>12} {:>12} {:>10} {:>10} {:>7}",
        "group_by", "in-proc p50", "in-proc p99", "HTTP p50", "HTTP p99", "ratio"
    );
    for group_by in GroupBy::ALL {
        let name = group_by.name();
        let query = MetricsQuery {
            from: None,
            to: None,
            group_by,
            tier: TierChoice::Roster,
            with_records: false,
        };
        let path = format!("/api/metrics/participation?group_by={name}");
        let (mut local, mut http) = (Samples::default(), Samples::default());
        for _ in 0..options.rounds.max(10) * 2 {
            local.time(|| measure(&facts, &query).total.publications);
            http.time(|| get(&path).expect("metrics"));
        }
        let (local_p50, local_p99) = local.p50_p99();
        let (http_p50, http_p99) = http.p50_p99();
        let target = if records.len() <= 100_000 {
            format!("  (target <= 20 ms: {})", corpus::verdict(http_p50 <= 20.0))
        } else {
            String::new()
        };
        println!(
            "{name:<14} {local_p50:>12.2} {local_p99:>12.2} {http_p50:>10.2} {http_p99:>10.2} {:>6.2}x{target}",
            http_p50 / local_p50
        );
    }
}
