//! `search-api` end to end: a real index built from PubMed fixtures with the
//! indexer library, served on 127.0.0.1 by `search_api::serve`, queried over
//! HTTP. Expected values come from reading the fixture XML, not from our output.
//!
//! Fixtures: the NLM sample file (177 records) and the qi29 export (121
//! records), 298 records in all with no PMID in common.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use indexer::index::IndexStore;
use indexer::records::Record;
use indexer::sources::pubmed::{self, PubmedItem};
use serde_json::Value;
use tempfile::TempDir;

use crate::server::TestServer;
use crate::support::encode;

const NLM_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pubmed/nlm-sample/pubmedsample18n0001.xml.gz"
);
const QI29: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/pubmed/exports/qi29_pubmed_result.xml"
);
const ALL_RECORDS: u64 = 298;

/// The fixture's records, parsed once for the whole test binary.
fn records(path: &'static str) -> &'static [Record] {
    static NLM: OnceLock<Vec<Record>> = OnceLock::new();
    static EXPORT: OnceLock<Vec<Record>> = OnceLock::new();
    let cell = if path == NLM_SAMPLE { &NLM } else { &EXPORT };
    cell.get_or_init(|| {
        pubmed::open_path(Path::new(path))
            .expect("fixture opens")
            .filter_map(|item| match item {
                Ok(PubmedItem::Publication(publication)) => Some(Record::Publication(publication)),
                _ => None,
            })
            .collect()
    })
}

fn index_into(data_dir: &Path, files: &[&'static str]) {
    let store = IndexStore::open_or_create(data_dir).expect("index opens");
    let mut writer = store.writer(50_000_000).expect("writer");
    for file in files {
        for record in records(file) {
            writer.upsert(record).expect("upsert");
        }
    }
    writer.commit().expect("commit");
    writer.finish().expect("merges finish");
}

/// A running server on an ephemeral port, over its own index in a temp dir.
struct Server {
    server: TestServer,
    data: TempDir,
}

impl std::ops::Deref for Server {
    type Target = TestServer;

    fn deref(&self) -> &TestServer {
        &self.server
    }
}

impl Server {
    async fn start(files: &[&'static str]) -> Server {
        Server::start_with(files, search_api::ServeOptions::default()).await
    }

    async fn start_with(files: &[&'static str], options: search_api::ServeOptions) -> Server {
        let data = tempfile::tempdir().expect("temp dir");
        index_into(data.path(), files);
        let state = search_api::AppState::open(data.path()).expect("state opens");
        Server {
            server: TestServer::start(state, options).await,
            data,
        }
    }

    async fn all() -> Server {
        Server::start(&[NLM_SAMPLE, QI29]).await
    }

    /// GET /api/search with these parameters (values are percent-encoded here).
    async fn search(&self, params: &[(&str, &str)]) -> (u16, Value) {
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.get(&format!("/api/search?{}", query.join("&"))).await
    }

    /// A successful search; panics with the body otherwise.
    async fn search_ok(&self, params: &[(&str, &str)]) -> Value {
        let (status, body) = self.search(params).await;
        assert_eq!(status, 200, "{params:?}: {body}");
        body
    }

    async fn stop(self) {
        self.server.stop().await;
    }
}

fn total(body: &Value) -> u64 {
    body["total"].as_u64().expect("total")
}

fn ids(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_owned())
        .collect()
}

fn bucket(body: &Value, facet: &str, value: &Value) -> u64 {
    body["facets"][facet]["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .find(|b| &b["value"] == value)
        .map_or(0, |b| b["count"].as_u64().expect("count"))
}

fn facet_sum(body: &Value, facet: &str) -> u64 {
    let facet = &body["facets"][facet];
    facet["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["count"].as_u64().expect("count"))
        .sum::<u64>()
        + facet["other"].as_u64().expect("other")
}

/// True if any object in `value` has an `email` key.
fn has_email_key(value: &Value) -> bool {
    match value {
        Value::Object(map) => map.contains_key("email") || map.values().any(has_email_key),
        Value::Array(items) => items.iter().any(has_email_key),
        _ => false,
    }
}

/// True if any string in `value` contains something shaped like an e-mail address.
fn has_address(value: &Value) -> bool {
    match value {
        Value::String(text) => text.split_whitespace().any(|word| {
            word.split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
        }),
        Value::Object(map) => map.values().any(has_address),
        Value::Array(items) => items.iter().any(has_address),
        _ => false,
    }
}

#[tokio::test]
async fn a_title_term_finds_its_record_first_with_highlights() {
    let server = Server::all().await;

    // "gastroscopy" occurs in one fixture record only (PMID 31293787, 2019, Case Reports).
    let body = server.search_ok(&[("q", "gastroscopy")]).await;
    assert_eq!(total(&body), 1, "{body}");
    let hit = &body["results"][0];
    assert_eq!(hit["id"], "pmid:31293787");
    assert_eq!(hit["pmid"], "31293787");
    assert_eq!(hit["doi"], "10.1093/omcr/omz057");
    assert_eq!(hit["year"], 2019);
    assert_eq!(hit["journal"], "Oxford medical case reports");
    assert_eq!(
        hit["publication_types"],
        serde_json::json!(["Case Reports"])
    );
    assert_eq!(hit["author_count"], 2);
    assert_eq!(hit["authors"][0], "Tulumović Emir");
    assert!(hit["score"].as_f64().expect("score") > 0.0);
    assert_eq!(
        hit["highlights"]["title"],
        "Systemic air embolism as a complication of <b>gastroscopy</b>."
    );
    let abstract_html = hit["highlights"]["abstract"].as_str().expect("abstract");
    assert!(
        abstract_html.starts_with("<b>Gastroscopy</b> is a common medical procedure"),
        "{abstract_html}"
    );

    // Stemming: the plural finds the singular.
    let body = server.search_ok(&[("q", "ferrochelatases")]).await;
    assert_eq!(ids(&body).first().map(String::as_str), Some("pmid:8119288"));

    // Conjunction by default: both terms must match, so adding one narrows.
    let air = total(&server.search_ok(&[("q", "embolism")]).await);
    let both = total(&server.search_ok(&[("q", "embolism gastroscopy")]).await);
    let either = total(&server.search_ok(&[("q", "embolism OR gastroscopy")]).await);
    assert_eq!(both, 1);
    assert!(air > 30 && either == air, "embolism {air}, either {either}");

    // An apostrophe in a word is text, not the start of a quoted phrase.
    server.search_ok(&[("q", "Crohn's disease")]).await;
    server.stop().await;
}

#[tokio::test]
async fn browse_returns_everything_with_facets_that_add_up() {
    let server = Server::all().await;
    let body = server.search_ok(&[("per_page", "5")]).await;
    assert_eq!(total(&body), ALL_RECORDS);
    assert_eq!(body["sort"], "newest");
    assert_eq!(body["pages"], 60);
    let years: Vec<u64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["year"].as_u64().unwrap())
        .collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
    assert_eq!(years[0], 2019, "the newest fixture records are from 2019");

    // One year and one journal per record: the facets count every record once.
    assert_eq!(facet_sum(&body, "year"), ALL_RECORDS);
    assert_eq!(facet_sum(&body, "journal"), ALL_RECORDS);
    // 560 publication types over the 298 records (read from the XML).
    assert_eq!(facet_sum(&body, "type"), 560);
    assert_eq!(bucket(&body, "year", &2019.into()), 12);
    assert_eq!(bucket(&body, "year", &2002.into()), 26);
    assert_eq!(bucket(&body, "type", &"Review".into()), 29);
    assert_eq!(bucket(&body, "type", &"Journal Article".into()), 274);
    assert_eq!(
        body["facets"]["journal"]["buckets"][0],
        serde_json::json!({"value": "Tijdschrift voor gerontologie en geriatrie", "count": 7})
    );
    let year_values: Vec<u64> = body["facets"]["year"]["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["value"].as_u64().expect("years are numbers"))
        .collect();
    assert!(
        year_values.windows(2).all(|w| w[0] > w[1]),
        "{year_values:?}"
    );

    // An empty q is the same as no q.
    let empty = server.search_ok(&[("q", "  "), ("per_page", "5")]).await;
    assert_eq!(total(&empty), ALL_RECORDS);
    server.stop().await;
}

#[tokio::test]
async fn filters_narrow_hits_and_agree_with_the_facets() {
    let server = Server::all().await;
    let browse = server.search_ok(&[]).await;

    let year = server
        .search_ok(&[("year", "2019"), ("per_page", "100")])
        .await;
    assert_eq!(total(&year), 12);
    assert_eq!(total(&year), bucket(&browse, "year", &2019.into()));
    assert!(year["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["year"] == 2019));
    assert_eq!(
        year["facets"]["year"]["buckets"].as_array().unwrap().len(),
        1
    );

    let range = server
        .search_ok(&[("year_from", "2017"), ("year_to", "2019")])
        .await;
    assert_eq!(total(&range), 35);
    let open_ended = server.search_ok(&[("year_from", "2017")]).await;
    assert_eq!(
        total(&open_ended),
        35,
        "no fixture record is newer than 2019"
    );
    // Empty values are ignored, as HTML forms send them.
    let blank = server
        .search_ok(&[("year", "2019"), ("year_from", ""), ("year_to", "")])
        .await;
    assert_eq!(total(&blank), 12);

    let review = server.search_ok(&[("type", "Review")]).await;
    assert_eq!(total(&review), 29);
    assert_eq!(total(&review), bucket(&browse, "type", &"Review".into()));
    assert_eq!(bucket(&review, "type", &"Review".into()), 29);
    let lower = server.search_ok(&[("type", "review")]).await;
    assert_eq!(total(&lower), 29, "type matches ignoring case");
    let comma = server.search_ok(&[("type", "Review,Letter")]).await;
    let repeated = server
        .search_ok(&[("type", "Review"), ("type", "Letter")])
        .await;
    assert_eq!(total(&comma), 38);
    assert_eq!(total(&repeated), 38);
    let combined = server
        .search_ok(&[
            ("type", "Review"),
            ("year_from", "2000"),
            ("year_to", "2010"),
        ])
        .await;
    assert_eq!(total(&combined), 14);

    let journal = server
        .search_ok(&[("journal", "Cardiovascular and interventional radiology")])
        .await;
    assert_eq!(total(&journal), 5);

    // Filters restrict a query without reordering it.
    let query = server.search_ok(&[("q", "embolism")]).await;
    let query_2019 = server
        .search_ok(&[("q", "embolism"), ("year", "2019"), ("per_page", "100")])
        .await;
    assert!(total(&query_2019) < total(&query));
    assert_eq!(total(&query_2019), bucket(&query, "year", &2019.into()));
    assert!(query_2019["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["year"] == 2019));

    let none = server.search_ok(&[("type", "No Such Type")]).await;
    assert_eq!(total(&none), 0);
    assert_eq!(none["results"], serde_json::json!([]));
    server.stop().await;
}

#[tokio::test]
async fn paging_is_stable_and_disjoint() {
    let server = Server::all().await;
    for base in [vec![("q", "embolism")], vec![]] {
        let page = |n: &'static str| {
            let mut params = base.clone();
            params.extend([("per_page", "10"), ("page", n)]);
            params
        };
        let first = ids(&server.search_ok(&page("1")).await);
        let second = ids(&server.search_ok(&page("2")).await);
        let third = ids(&server.search_ok(&page("3")).await);
        assert_eq!(first.len(), 10);
        assert_eq!(
            ids(&server.search_ok(&page("1")).await),
            first,
            "repeatable"
        );
        let mut all: Vec<String> = [first.clone(), second, third].concat();
        let mut thirty = base.clone();
        thirty.push(("per_page", "30"));
        assert_eq!(
            ids(&server.search_ok(&thirty).await),
            all,
            "pages tile the list"
        );
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 30, "pages are disjoint");
    }
    // Past the last page: an empty page, not an error.
    let last = server
        .search_ok(&[("per_page", "100"), ("page", "3")])
        .await;
    assert_eq!(ids(&last).len(), 98);
    let beyond = server
        .search_ok(&[("per_page", "100"), ("page", "4")])
        .await;
    assert_eq!(total(&beyond), ALL_RECORDS);
    assert!(ids(&beyond).is_empty());
    server.stop().await;
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_json_error() {
    let server = Server::all().await;
    let largest = server.search_ok(&[("per_page", "100")]).await;
    assert_eq!(ids(&largest).len(), 100);
    for (params, names) in [
        (vec![("per_page", "0")], "per_page"),
        (vec![("per_page", "101")], "per_page"),
        (vec![("per_page", "1000")], "per_page"),
        (vec![("page", "0")], "page"),
        (vec![("page", "abc")], "page"),
        (vec![("page", "501")], "page"),
        (vec![("page", "99999999999999999999999")], "page"),
        (vec![("year", "abc")], "year"),
        (
            vec![("year_from", "2020"), ("year_to", "2010")],
            "year_from",
        ),
        (vec![("sort", "best")], "sort"),
        (vec![("qq", "embolism")], "qq"),
    ] {
        let (status, body) = server.search(&params).await;
        assert_eq!(status, 400, "{params:?}: {body}");
        assert_eq!(body["error"], "invalid_parameter", "{params:?}: {body}");
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(names), "{params:?}: {message}");
        assert_eq!(body.as_object().unwrap().len(), 2, "{body}");
    }
    server.stop().await;
}

#[tokio::test]
async fn bad_queries_are_400_with_a_json_error_naming_the_problem() {
    let server = Server::all().await;
    for (q, needle) in [
        ("nosuchfield:x", "nosuchfield"),
        ("year:abc", "year"),
        ("title:", "title"),
        ("\"unclosed", "quote"),
        ("emails:*", "'emails'"),
        ("registration:x", "'registration'"),
        ("hcs_person:x", "'hcs_person'"),
        ("title:*", "title:*"),
        ("title:[a TO z]", "'title'"),
        ("(embolism", "parenthes"),
        ("embolism AND", "AND"),
        ("year:[2020 TO", "range"),
        ("record:x", "record"),
        ("a\u{0}b", "control character"),
    ] {
        let (status, body) = server.search(&[("q", q)]).await;
        assert_eq!(status, 400, "{q:?}: {body}");
        assert_eq!(body["error"], "invalid_query", "{q:?}: {body}");
        let message = body["message"].as_str().expect("message");
        assert!(message.contains(needle), "{q:?}: {message}");
        assert!(
            message.contains("lenient=true"),
            "the fallback is offered: {message}"
        );
    }
    // The fallback: what can be read is searched, and what was dropped is said.
    let strict = server.search_ok(&[("q", "gastroscopy")]).await;
    for q in ["\"gastroscopy", "(gastroscopy", "gastroscopy AND"] {
        let lenient = server.search_ok(&[("q", q), ("lenient", "true")]).await;
        assert_eq!(total(&lenient), total(&strict), "{q:?}: {lenient}");
    }
    // Bounds still apply to a lenient query.
    let (status, _) = server
        .search(&[("q", &"(".repeat(1000)), ("lenient", "true")])
        .await;
    assert_eq!(status, 400);
    // Field syntax that is valid works.
    let titled = server
        .search_ok(&[("q", "title:gastroscopy year:[2015 TO 2020]")])
        .await;
    assert_eq!(ids(&titled), ["pmid:31293787"]);
    server.stop().await;
}

#[tokio::test]
async fn hostile_queries_are_refused_and_the_server_keeps_answering() {
    let server = Server::all().await;
    let nested = |n: usize| format!("{}embolism{}", "(".repeat(n), ")".repeat(n));
    // 2,000 levels abort an unguarded process; 100 is within the length limit.
    for (q, needle) in [
        (nested(2000), "bytes"),
        (nested(100), "nest"),
        ("(".repeat(1000), "nest"),
        ("NOT embolism ".repeat(20), "NOT"),
        ("a".repeat(5000), "bytes"),
    ] {
        let (status, body) = server.search(&[("q", &q)]).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], "invalid_query");
        assert!(body["message"].as_str().unwrap().contains(needle), "{body}");
    }
    // Odd but harmless syntax is answered, never with a 5xx.
    for q in [
        "*",
        ".",
        "\\",
        "+",
        "AND",
        "a~2",
        "\"a b\"~3",
        "title:/ab+c/",
        "a^1e400",
        "- *",
        "a:(^",
        "year:>2020",
        "author:IN [a b]",
        "++a",
        "é\u{301}",
        "😀",
        "%",
    ] {
        let (status, body) = server.search(&[("q", q)]).await;
        assert!(status == 200 || status == 400, "{q:?}: {status} {body}");
    }
    let ok = server.search_ok(&[("q", &nested(16))]).await;
    assert_eq!(
        total(&ok),
        total(&server.search_ok(&[("q", "embolism")]).await)
    );
    let (status, body) = server.get("/health").await;
    assert_eq!((status, &body["status"]), (200, &Value::from("ok")));
    server.stop().await;
}

#[tokio::test]
async fn a_publication_is_served_without_email_addresses() {
    let server = Server::all().await;
    // PMID 22396189's first affiliation ends with an e-mail address; the index keeps it.
    let stored = IndexStore::open_existing(server.data.path())
        .unwrap()
        .export()
        .unwrap();
    let Some(Record::Publication(stored)) =
        stored.iter().find(|r| r.id() == "pmid:22396189").cloned()
    else {
        panic!("pmid:22396189 is not stored as a publication");
    };
    assert!(stored.authors.iter().any(|a| a.email.is_some()));

    for path in [
        "/api/publications/pmid:22396189",
        "/api/publications/pmid%3A22396189",
        "/api/publications/22396189",
    ] {
        let (status, body) = server.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["id"], "pmid:22396189");
        assert_eq!(body["record_type"], "publication");
        assert_eq!(
            body["title"],
            "Factors associated with favorable response to hyperbaric oxygen therapy among \
             patients presenting with iatrogenic cerebral arterial gas embolism."
        );
        assert!(!body["authors"].as_array().unwrap().is_empty());
        assert!(!has_email_key(&body), "{body}");
        assert!(!has_address(&body), "{body}");
        assert!(!body.to_string().contains("Wonde1977"), "{body}");
    }

    // Search results carry no addresses either, across every record.
    for page in ["1", "2", "3"] {
        let body = server
            .search_ok(&[("per_page", "100"), ("page", page)])
            .await;
        assert!(!has_email_key(&body) && !has_address(&body), "page {page}");
    }
    server.stop().await;
}

#[tokio::test]
async fn unknown_ids_routes_and_methods_get_json_errors() {
    let server = Server::all().await;
    let (status, body) = server.get("/api/publications/pmid:1").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    assert!(
        body["message"].as_str().unwrap().contains("pmid:1"),
        "{body}"
    );

    let (status, body) = server.get("/api/nothing-here").await;
    assert_eq!((status, &body["error"]), (404, &Value::from("not_found")));

    let response = server
        .client
        .post(format!("{}/api/search", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 405);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");

    // A body over the limit is refused before routing, in the same JSON shape.
    let response = server
        .client
        .get(format!("{}/api/search", server.base))
        .body(vec![b'x'; 100_000])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "payload_too_large");

    // Any origin may read; no credentials are offered.
    let response = server
        .client
        .get(format!("{}/health", server.base))
        .header("Origin", "https://example.org")
        .send()
        .await
        .unwrap();
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert!(headers.get("access-control-allow-credentials").is_none());
    assert_eq!(
        headers["access-control-expose-headers"],
        "x-total-count,x-tags-status"
    );
    server.stop().await;
}

#[tokio::test]
async fn health_counts_documents_and_new_commits_appear_without_restart() {
    let server = Server::start(&[QI29]).await;
    let (status, body) = server.get("/health").await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"status": "ok", "documents": 121}));

    // The indexer (another process in production) commits more records.
    index_into(server.data.path(), &[NLM_SAMPLE]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, body) = server.get("/health").await;
        if body["documents"] == ALL_RECORDS {
            break;
        }
        assert!(Instant::now() < deadline, "new commit not visible: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let found = server.search_ok(&[("q", "ferrochelatase")]).await;
    assert_eq!(ids(&found), ["pmid:8119288"]);
    server.stop().await;
}

#[tokio::test]
async fn silent_and_slow_clients_are_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let options = search_api::ServeOptions {
        header_read_timeout: Duration::from_millis(300),
        ..search_api::ServeOptions::default()
    };
    let server = Server::start_with(&[QI29], options).await;
    let address = server.base.trim_start_matches("http://").to_owned();
    let closed_within = |mut stream: tokio::net::TcpStream, limit: Duration| async move {
        let mut buf = [0u8; 256];
        let read = tokio::time::timeout(limit, async {
            loop {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        });
        read.await.is_ok()
    };
    // Connects and says nothing.
    let silent = tokio::net::TcpStream::connect(&address).await.unwrap();
    // Sends half a request head, then stalls.
    let mut slow = tokio::net::TcpStream::connect(&address).await.unwrap();
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Normal clients are served meanwhile.
    let (status, _) = server.get("/health").await;
    assert_eq!(status, 200);
    assert!(
        closed_within(silent, Duration::from_secs(5)).await,
        "silent client kept"
    );
    assert!(
        closed_within(slow, Duration::from_secs(5)).await,
        "slow client kept"
    );
    server.stop().await;
}

/// The analysed words of one record, as the index sees its default fields.
struct Words {
    prose: std::collections::HashSet<String>,
    names: std::collections::HashSet<String>,
}

/// An independent reading of the documented boolean syntax over [`Words`]:
/// `OR` binds loosest, then `AND` (written or a space), then `NOT`/`-`;
/// parentheses group. Returns the indices of the records that match.
struct Evaluator<'a> {
    tokens: Vec<String>,
    at: usize,
    docs: &'a [Words],
    analyse: &'a dyn Fn(&str) -> (String, String),
}

impl Evaluator<'_> {
    fn all(&self) -> BTreeSet<usize> {
        (0..self.docs.len()).collect()
    }

    fn or(&mut self) -> BTreeSet<usize> {
        let mut set = self.and();
        while self.tokens.get(self.at).map(String::as_str) == Some("OR") {
            self.at += 1;
            set = set.union(&self.and()).copied().collect();
        }
        set
    }

    fn and(&mut self) -> BTreeSet<usize> {
        let mut set = self.unary();
        loop {
            match self.tokens.get(self.at).map(String::as_str) {
                None | Some("OR") | Some(")") => return set,
                Some("AND") => self.at += 1,
                Some(_) => {}
            }
            set = set.intersection(&self.unary()).copied().collect();
        }
    }

    fn unary(&mut self) -> BTreeSet<usize> {
        let token = self.tokens[self.at].clone();
        if token == "NOT" || token == "-" {
            self.at += 1;
            let inner = self.unary();
            return self.all().difference(&inner).copied().collect();
        }
        self.at += 1;
        if token == "(" {
            let inner = self.or();
            self.at += 1; // ")"
            return inner;
        }
        let (stem, name) = (self.analyse)(&token);
        (0..self.docs.len())
            .filter(|&i| self.docs[i].prose.contains(&stem) || self.docs[i].names.contains(&name))
            .collect()
    }
}

/// A random boolean query over `words`, written in the forms the syntax allows.
fn random_query(rng: &mut fastrand::Rng, words: &[String], depth: u32) -> String {
    let word = |rng: &mut fastrand::Rng| words[rng.usize(..words.len())].clone();
    if depth == 0 || rng.u8(..10) < 3 {
        return word(rng);
    }
    let left = random_query(rng, words, depth - 1);
    let right = random_query(rng, words, depth - 1);
    let group = |text: String, rng: &mut fastrand::Rng| {
        if text.contains(' ') && rng.bool() {
            format!("({text})")
        } else {
            text
        }
    };
    match rng.u8(..8) {
        0 => format!("{} AND {}", group(left, rng), group(right, rng)),
        1 => format!("{} {}", group(left, rng), group(right, rng)),
        2 => format!("{} OR {}", group(left, rng), group(right, rng)),
        3 => format!("{} AND NOT {}", group(left, rng), word(rng)),
        4 => format!("{} NOT ({right})", group(left, rng)),
        5 => format!("{} -{}", group(left, rng), word(rng)),
        6 => format!("NOT {} OR {}", word(rng), group(right, rng)),
        _ => format!("NOT ({left})"),
    }
}

/// Splits a generated query into the evaluator's tokens (`-x` → `-`, `x`).
fn evaluator_tokens(q: &str) -> Vec<String> {
    let spaced = q.replace('(', " ( ").replace(')', " ) ");
    let mut tokens = Vec::new();
    for word in spaced.split_whitespace() {
        match word.strip_prefix('-') {
            Some(rest) if !rest.is_empty() => {
                tokens.push("-".to_owned());
                tokens.push(rest.to_owned());
            }
            _ => tokens.push(word.to_owned()),
        }
    }
    tokens
}

#[tokio::test]
async fn boolean_queries_agree_with_an_independent_evaluation() {
    use indexer::index::schema::{NAME_TOKENIZER, PROSE_TOKENIZER};
    use indexer::redact::redact_addresses;
    let server = Server::all().await;
    let store = IndexStore::open_existing(server.data.path()).expect("index");
    let tokenizers = store.index().tokenizers();
    let mut prose = tokenizers.get(PROSE_TOKENIZER).expect("prose analyser");
    let mut names = tokenizers.get(NAME_TOKENIZER).expect("name analyser");
    let words_of = |analyser: &mut tantivy::tokenizer::TextAnalyzer, text: &str| {
        let mut words = Vec::new();
        let text = redact_addresses(text);
        let mut stream = analyser.token_stream(&text);
        stream.process(&mut |token| words.push(token.text.clone()));
        words
    };
    let mut docs = Vec::new();
    let mut title_words: std::collections::BTreeMap<String, usize> = Default::default();
    for file in [NLM_SAMPLE, QI29] {
        for record in records(file) {
            let Record::Publication(p) = record else {
                continue;
            };
            let mut prose_text: Vec<&str> = vec![&p.title];
            prose_text.extend(p.vernacular_title.as_deref());
            if let Some(r#abstract) = &p.r#abstract {
                prose_text.extend(r#abstract.sections.iter().map(|s| s.text.as_str()));
            }
            for heading in &p.mesh {
                prose_text.push(&heading.descriptor);
                prose_text.extend(heading.qualifiers.iter().map(|q| q.name.as_str()));
            }
            prose_text.extend(p.keywords.iter().map(|k| k.text.as_str()));
            let mut name_text: Vec<String> = Vec::new();
            for person in p.authors.iter().chain(&p.investigators) {
                name_text.push(person.display_name());
                name_text.extend(person.affiliations.iter().cloned());
            }
            if let Some(journal) = &p.journal {
                name_text.push(journal.title.clone());
                name_text.extend(journal.iso_abbreviation.clone());
            }
            let unique: BTreeSet<String> = p
                .title
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 5)
                .map(str::to_lowercase)
                .collect();
            for word in unique {
                *title_words.entry(word).or_default() += 1;
            }
            docs.push(Words {
                prose: prose_text
                    .iter()
                    .flat_map(|t| words_of(&mut prose, t))
                    .collect(),
                names: name_text
                    .iter()
                    .flat_map(|t| words_of(&mut names, t))
                    .collect(),
            });
        }
    }
    assert_eq!(docs.len() as u64, ALL_RECORDS);
    // Words common enough that their combinations have hits, rare enough to differ.
    let vocabulary: Vec<String> = title_words
        .into_iter()
        .filter(|(_, count)| (3..=40).contains(count))
        .map(|(word, _)| word)
        .take(30)
        .collect();
    assert!(vocabulary.len() >= 20, "{vocabulary:?}");
    let mut analyse = |word: &str| {
        let stem = words_of(&mut prose, word).pop().unwrap_or_default();
        let name = words_of(&mut names, word).pop().unwrap_or_default();
        (stem, name)
    };
    let analysed: std::collections::HashMap<String, (String, String)> = vocabulary
        .iter()
        .map(|word| (word.clone(), analyse(word)))
        .collect();
    let lookup = |word: &str| analysed.get(word).cloned().expect("vocabulary word");

    let mut rng = fastrand::Rng::with_seed(0x0B00_1EA4);
    let mut queries: Vec<String> = (0..300)
        .map(|_| random_query(&mut rng, &vocabulary, 3))
        .collect();
    let (a, b, c) = (&vocabulary[0], &vocabulary[1], &vocabulary[2]);
    // The forms the issue reported, and precedence without parentheses.
    queries.extend([
        format!("{a} AND NOT {b}"),
        format!("{a} NOT {b}"),
        format!("{a} -{b}"),
        format!("NOT {a}"),
        format!("-{a}"),
        format!("{a} OR {b} {c}"),
        format!("{a} {b} OR {c}"),
        format!("{a} OR NOT {b}"),
        format!("NOT {a} AND NOT {b}"),
        format!("NOT NOT {a}"),
    ]);
    let mut disagreements = Vec::new();
    let mut nonzero = 0;
    for q in &queries {
        let mut evaluator = Evaluator {
            tokens: evaluator_tokens(q),
            at: 0,
            docs: &docs,
            analyse: &lookup,
        };
        let expected = evaluator.or().len() as u64;
        let body = server.search_ok(&[("q", q), ("per_page", "1")]).await;
        if total(&body) != expected {
            disagreements.push(format!("{q:?}: service {} vs {expected}", total(&body)));
        }
        if expected > 0 && expected < ALL_RECORDS {
            nonzero += 1;
        }
    }
    assert!(
        nonzero >= queries.len() / 3,
        "too few informative queries: {nonzero}"
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} queries disagree: {:#?}",
        disagreements.len(),
        queries.len(),
        disagreements
    );
    server.stop().await;
}
