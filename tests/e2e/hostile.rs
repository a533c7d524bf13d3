//! The service against a crawler looking for personal data, a client sending
//! malformed requests, and clients that open connections and sit on them.
//!
//! One index holds every bundled fixture (PubMed files, and harvests of
//! Europe PMC, GtR, NIHR, ORCID and OAI-PMH from their replay servers), tagged
//! with a roster whose every optional column is filled with sentinel values
//! that appear in no published record: any of them in a response is a leak.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::server::TestServer;
use crate::support::{encode, fixture, indexer};

/// Most requests the privacy crawl makes.
const CRAWL_LIMIT: usize = 2_500;

/// The curator token of the test server.
const CURATOR_TOKEN: &str = "curator-token-for-the-hostile-tests-0123456789";

/// Roster values that must never leave the service.
struct Sentinels {
    values: Vec<String>,
}

/// The data directory with every fixture indexed and tagged, built once
/// (the temp dir lives as long as the test binary).
fn corpus() -> (&'static Path, &'static Sentinels) {
    static CORPUS: OnceLock<(tempfile::TempDir, PathBuf, Sentinels)> = OnceLock::new();
    let (_, data, sentinels) = CORPUS.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let pubmed: Vec<String> = [
            "pubmed/efetch",
            "pubmed/exports",
            "pubmed/nlm-sample",
            "pubmed/bulk/medline16n0902.xml.gz",
        ]
        .iter()
        .map(|p| fixture(p).display().to_string())
        .collect();
        let mut args = vec!["ingest"];
        args.extend(pubmed.iter().map(String::as_str));
        let ingest = indexer(&data, &args);
        assert!(ingest.code == 0 || ingest.code == 2, "{}", ingest.stderr);
        crate::harvest_europepmc::harvest_into(&dir.path().join("epmc"), &data);
        crate::harvest_gtr::harvest_into(&dir.path().join("gtr"), &data);
        let server = crate::harvest_nihr::server();
        let nihr_dir = dir.path().join("nihr");
        let run = crate::harvest_nihr::harvest(
            &data,
            &crate::harvest_nihr::config(&nihr_dir, &server),
            &[],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        crate::harvest_orcid::harvest_into(&dir.path().join("orcid"), &data);
        crate::harvest_oaipmh::harvest_into(&dir.path().join("oai"), &data);

        let (roster, sentinels) = filled_roster(dir.path());
        let import = indexer(&data, &["roster", "import", &roster.display().to_string()]);
        assert_eq!(import.code, 0, "{}", import.stderr);
        let tag = indexer(&data, &["tag"]);
        assert_eq!(tag.code, 0, "{}", tag.stderr);
        (dir, data, sentinels)
    });
    (data, sentinels)
}

/// The evaluation roster with every optional column filled: real values kept
/// where the roster has them (they drive matching), sentinels where it has
/// none, and sentinel job titles and registrations throughout.
fn filled_roster(dir: &Path) -> (PathBuf, Sentinels) {
    let text = std::fs::read_to_string(fixture("tagging/roster.csv")).expect("roster");
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&headers).expect("write");
    let mut values = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let mut row: Vec<String> = row.expect("row").iter().map(str::to_owned).collect();
        let mut fill = |name: &str, value: String, always: bool| {
            let at = column(name);
            if always || row[at].is_empty() {
                row[at] = value.clone();
                values.push(value);
            }
        };
        fill("other_names", format!("Quorbleton{n} Zedwick"), false);
        fill("emails", format!("sentinel{n}@roster-only.invalid"), false);
        fill("registration", format!("XR{:06}", 914_000 + n), true);
        fill("job_title", format!("Sentinel Scientist Grade {n}"), true);
        fill("start_date", format!("1903-02-{:02}", n % 28 + 1), false);
        fill("department", format!("Zedwickology Unit {n}"), false);
        writer.write_record(&row).expect("write");
    }
    let path = dir.join("filled-roster.csv");
    std::fs::write(&path, writer.into_inner().expect("csv")).expect("write roster");
    (path, Sentinels { values })
}

/// An e-mail-shaped string in `text`, checked independently of the service's
/// own detector: `[\w.%+'-]+@[\w-]+(\.[\w-]+)+`.
pub(crate) fn email_in(text: &str) -> Option<String> {
    let local = |c: char| c.is_alphanumeric() || "._%+'-".contains(c);
    let domain = |c: char| c.is_alphanumeric() || "-_.".contains(c);
    for (at, _) in text.match_indices('@') {
        let before: String = text[..at]
            .chars()
            .rev()
            .take_while(|&c| local(c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after: String = text[at + 1..].chars().take_while(|&c| domain(c)).collect();
        let after = after.trim_end_matches('.');
        let labelled = after.split('.').filter(|label| !label.is_empty()).count() >= 2;
        if !before.is_empty() && labelled && after.contains('.') {
            return Some(format!("{before}@{after}"));
        }
    }
    None
}

async fn serve(data: &Path) -> TestServer {
    let settings = search_api::ApiSettings {
        curator_token: Some(
            search_api::auth::TokenDigest::new("curator", CURATOR_TOKEN).expect("token"),
        ),
        // These tests are about answers, not load: on a busy 2-core machine a
        // search may wait for a slot longer than the default allows (a 503).
        queue_timeout: Duration::from_secs(60),
        request_timeout: Duration::from_secs(60),
        ..search_api::ApiSettings::default()
    };
    let state = search_api::AppState::open_with(data, settings).expect("state opens");
    let server = TestServer::start(state, search_api::ServeOptions::default()).await;
    // The derived facts are built in the background: wait until metrics answer.
    for _ in 0..600 {
        let (status, _, _) = server.get_text("/api/metrics/participation").await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server
}

/// Links to follow out of a body: `href`s in HTML and `/api/…` or `/…` URLs in JSON strings.
fn links_in(body: &str, kind: &str) -> Vec<String> {
    let mut found = Vec::new();
    if kind.starts_with("text/html") {
        for part in body.split("href=\"").skip(1) {
            if let Some(end) = part.find('"') {
                found.push(part[..end].replace("&amp;", "&"));
            }
        }
    } else if kind.starts_with("application/json") {
        if let Ok(value) = serde_json::from_str::<Value>(body) {
            collect_urls(&value, &mut found);
        }
    }
    found
        .into_iter()
        .filter(|link| link.starts_with('/') && !link.starts_with("//"))
        .map(|link| link.split('#').next().unwrap_or_default().to_owned())
        .collect()
}

fn collect_urls(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::String(text) if text.starts_with("/api/") || text.starts_with("/people/") => {
            found.push(text.clone());
        }
        Value::Array(items) => items.iter().for_each(|item| collect_urls(item, found)),
        Value::Object(map) => map.values().for_each(|item| collect_urls(item, found)),
        _ => {}
    }
}

/// Seeds for the crawl: every route of the OpenAPI document, with the
/// parameter values a user would pass, plus the pages.
async fn crawl_seeds(server: &TestServer) -> Vec<String> {
    let (status, document) = server.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    let (_, publications) = server.get("/api/publications?per_page=5").await;
    let (_, grants) = server.get("/api/grants?per_page=5").await;
    let (_, people) = server.get("/api/people?q=cancer").await;
    let first = |body: &Value, list: &str, key: &str| -> Vec<String> {
        body[list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item[key].as_str().map(str::to_owned))
            .collect()
    };
    let publication_ids = first(&publications, "results", "id");
    let grant_ids = first(&grants, "results", "id");
    let person_ids = first(&people, "people", "person_id");
    assert!(!publication_ids.is_empty() && !grant_ids.is_empty() && !person_ids.is_empty());
    let mut seeds = vec![
        "/".to_owned(),
        "/people?q=cancer".to_owned(),
        "/people?q=hearing".to_owned(),
        "/grants".to_owned(),
        "/metrics".to_owned(),
    ];
    let paths = document["paths"].as_object().expect("paths");
    for (path, item) in paths {
        if item.get("get").is_none() {
            continue;
        }
        let ids: Vec<String> = if path.contains("{person_id}") {
            person_ids.clone()
        } else if path.starts_with("/api/grants/") {
            grant_ids.clone()
        } else if path.contains('{') {
            publication_ids.clone()
        } else {
            vec![String::new()]
        };
        for id in ids {
            let concrete = match path.find('{') {
                Some(open) => format!("{}{id}", &path[..open]),
                None => path.clone(),
            };
            seeds.push(concrete.clone());
            for extra in [
                "q=cancer",
                "format=csv",
                "records=true",
                "q=cancer&format=csv",
            ] {
                seeds.push(format!("{concrete}?{extra}"));
            }
        }
    }
    for group in ["year", "organisation", "division", "discipline", "funder"] {
        seeds.push(format!(
            "/api/metrics/participation?group_by={group}&records=true"
        ));
        seeds.push(format!("/metrics?group_by={group}"));
    }
    seeds
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crawl_of_every_route_and_link_finds_no_personal_data() {
    let (data, sentinels) = tokio::task::spawn_blocking(corpus).await.unwrap();
    let server = serve(data).await;
    let mut queue: VecDeque<String> = crawl_seeds(&server).await.into();
    let mut seen = BTreeSet::new();
    let mut leaks: Vec<String> = Vec::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= CRAWL_LIMIT {
            break;
        }
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, kind, body) = server.get_text(&path).await;
        assert!(status < 500, "{path}: {status} {body}");
        *kinds
            .entry(kind.split(';').next().unwrap_or_default().to_owned())
            .or_default() += 1;
        if let Some(address) = email_in(&body) {
            leaks.push(format!("{path}: address {address}"));
        }
        for value in &sentinels.values {
            if body.contains(value.as_str()) {
                leaks.push(format!("{path}: roster value {value}"));
            }
        }
        for link in links_in(&body, &kind) {
            if !seen.contains(&link) {
                queue.push_back(link);
            }
        }
    }
    eprintln!(
        "privacy crawl: {} responses ({kinds:?}), {} leaks",
        seen.len(),
        leaks.len()
    );
    assert!(
        seen.len() >= 500,
        "the crawl reached only {} pages",
        seen.len()
    );
    for kind in ["application/json", "text/html", "text/csv"] {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} crawled"
        );
    }
    assert!(
        leaks.is_empty(),
        "{} leaks: {:#?}",
        leaks.len(),
        &leaks[..leaks.len().min(20)]
    );
    server.stop().await;
}

/// Every schema field, for field queries.
fn schema_fields() -> Vec<String> {
    let (schema, _) = indexer::index::schema::Fields::build();
    let mut names: Vec<String> = schema
        .fields()
        .map(|(_, entry)| entry.name().to_owned())
        .collect();
    names.extend(
        [
            "emails",
            "email",
            "registration",
            "job_title",
            "other_names",
        ]
        .map(String::from),
    );
    names
}

/// Malformed or hostile values of `q`.
fn hostile_queries() -> Vec<String> {
    let mut queries = Vec::new();
    for field in schema_fields() {
        for form in [
            "{f}:*",
            "{f}:x",
            "{f}:\"a b\"",
            "{f}:[a TO z]",
            "{f}:[2000 TO 2010]",
            "{f}:>5",
            "{f}: IN [a b]",
            "{f}:/re.*/",
            "{f}:(a OR b)",
            "NOT {f}:x",
            "{f}:x*",
            "{f}:",
        ] {
            queries.push(form.replace("{f}", &field));
        }
    }
    queries.extend([
        "(".repeat(800),
        ")".repeat(50),
        format!("{}a{}", "(".repeat(20), ")".repeat(20)),
        "NOT ".repeat(40) + "a",
        "-".repeat(500) + "a",
        "a ".repeat(600),
        "\"".to_owned(),
        "'".to_owned(),
        "a AND".to_owned(),
        "OR a".to_owned(),
        "AND".to_owned(),
        "NOT".to_owned(),
        "*".to_owned(),
        "a^".to_owned(),
        "a^x".to_owned(),
        "(a)^".to_owned(),
        "(a)^1e309".to_owned(),
        "a~".to_owned(),
        "\"a b\"~99999999999".to_owned(),
        "year:[1 TO".to_owned(),
        "year:{* TO *}".to_owned(),
        "year:99999999999999999999999".to_owned(),
        "year:-1".to_owned(),
        "\\".to_owned(),
        "a\\".to_owned(),
        ":".to_owned(),
        "::::".to_owned(),
        "a:b:c".to_owned(),
        "title:(a".to_owned(),
        "title:(a) OR".to_owned(),
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ 中文 العربية".to_owned(),
        "x".repeat(5_000),
    ]);
    queries
}

/// Checks one answer: never a 5xx, and an API error is always `{error, message}`.
fn check_answer(what: &str, path: &str, status: u16, kind: &str, body: &str) -> Result<(), String> {
    if status >= 500 {
        return Err(format!("{what}: {status} {body}"));
    }
    if status >= 400 && (path.starts_with("/api/") || kind.starts_with("application/json")) {
        let value: Value =
            serde_json::from_str(body).map_err(|e| format!("{what}: not JSON ({e}): {body}"))?;
        let object = value
            .as_object()
            .ok_or_else(|| format!("{what}: not an object: {body}"))?;
        let shaped = object.len() == 2
            && object.get("error").is_some_and(Value::is_string)
            && object
                .get("message")
                .and_then(Value::as_str)
                .is_some_and(|m| !m.is_empty());
        if !shaped {
            return Err(format!("{what}: error body not {{error, message}}: {body}"));
        }
        let message = object["message"].as_str().unwrap_or_default();
        for internal in [
            "Failed to deserialize",
            "at line ",
            "serde",
            "tantivy",
            "panicked",
        ] {
            if message.contains(internal) {
                return Err(format!("{what}: message quotes internals: {message}"));
            }
        }
    }
    Ok(())
}

/// A request to send: method, path and query, and a body with its content type.
type Planned = (reqwest::Method, String, Option<(&'static str, Vec<u8>)>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_malformed_requests_get_no_5xx_and_one_error_shape() {
    let (data, _) = tokio::task::spawn_blocking(corpus).await.unwrap();
    let server = serve(data).await;
    let get_routes = [
        "/",
        "/people",
        "/grants",
        "/metrics",
        "/api/search",
        "/api/publications",
        "/api/grants",
        "/api/people",
        "/api/metrics/participation",
    ];
    let mut requests: Vec<Planned> = Vec::new();
    let get = |path: String| (reqwest::Method::GET, path, None);
    for q in hostile_queries() {
        for route in [
            "/api/search",
            "/api/grants",
            "/api/people",
            "/",
            "/people",
            "/grants",
        ] {
            requests.push(get(format!("{route}?q={}", encode(&q))));
        }
    }
    let bad_values = [
        "-1",
        "0",
        "99999999999999999999",
        "1.5",
        "abc",
        "%ZZ",
        "%C3%28",
        "%00",
        "%FF%FE",
        "",
        "true",
        "x".repeat(20_000).leak(),
    ];
    let parameters = [
        "page",
        "per_page",
        "year",
        "year_from",
        "year_to",
        "from",
        "to",
        "sort",
        "type",
        "format",
        "group_by",
        "tier",
        "role",
        "band",
        "hcs",
        "records",
        "lenient",
        "organisation",
        "no_such_parameter",
    ];
    for route in get_routes {
        for parameter in parameters {
            for value in bad_values {
                requests.push(get(format!("{route}?{parameter}={value}")));
            }
        }
        requests.push(get(format!("{route}?page=1&page=2&page=3")));
        requests.push(get(format!("{route}?&&&==&")));
        for method in [
            reqwest::Method::POST,
            reqwest::Method::PUT,
            reqwest::Method::DELETE,
            reqwest::Method::PATCH,
        ] {
            requests.push((method, route.to_owned(), None));
        }
    }
    for id in [
        "%FF",
        "..%2F..%2Fetc%2Fpasswd",
        "pmid:%00",
        "pmid:99999999999999999999999",
        "doi:10.1%2F%2F%2F",
        &"x".repeat(10_000),
        "%E2%80%AE",
    ] {
        for prefix in [
            "/api/publications/",
            "/api/grants/",
            "/api/people/",
            "/publications/",
            "/grants/",
            "/people/",
        ] {
            requests.push(get(format!("{prefix}{id}")));
        }
    }
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/json", b"{".to_vec()),
        ("application/json", b"[]".to_vec()),
        ("application/json", b"{\"decision\":\"acept\"}".to_vec()),
        ("application/json", b"{\"decision\":1}".to_vec()),
        ("application/json", b"{} {}".to_vec()),
        ("application/json", vec![0xFF, 0xFE, 0x00]),
        ("application/json", vec![b' '; 40_000]),
        ("text/plain", b"decision=accept".to_vec()),
        ("application/x-www-form-urlencoded", b"a=b".to_vec()),
        ("application/json; charset=latin1", b"{}".to_vec()),
    ];
    for (kind, body) in bodies {
        for path in ["/api/curation/decisions", "/api/admin/retag"] {
            requests.push((
                reqwest::Method::POST,
                path.to_owned(),
                Some((kind, body.clone())),
            ));
        }
    }
    assert!(requests.len() >= 1_000, "only {} requests", requests.len());

    let mut failures = Vec::new();
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    for (method, path, body) in &requests {
        let mut request = server
            .client
            .request(method.clone(), format!("{}{path}", server.base));
        if let Some((kind, bytes)) = body {
            request = request
                .header("content-type", *kind)
                .header("authorization", format!("Bearer {CURATOR_TOKEN}"))
                .body(bytes.clone());
        }
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let text = response.text().await.unwrap_or_default();
        *statuses.entry(status).or_default() += 1;
        let what = format!("{method} {}", &path[..path.len().min(200)]);
        if let Err(failure) = check_answer(&what, path, status, &kind, &text) {
            failures.push(failure);
        }
    }
    eprintln!(
        "hostile input: {} requests, statuses {statuses:?}",
        requests.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} failed: {:#?}",
        failures.len(),
        requests.len(),
        &failures[..failures.len().min(20)]
    );

    // The right token followed by another: refused, not admitted.
    let response = server
        .client
        .post(format!("{}/api/curation/decisions", server.base))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {CURATOR_TOKEN}"))
        .header("authorization", "Bearer someone-else")
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert!(body["message"].as_str().unwrap().contains("Authorization"));
    server.stop().await;
}

/// `[0, 0, 0, SETTINGS, no flags, stream 0]`: an empty SETTINGS frame.
const EMPTY_SETTINGS: [u8; 9] = [0, 0, 0, 4, 0, 0, 0, 0, 0];
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

async fn open_idle(address: std::net::SocketAddr, http2: bool) -> Option<TcpStream> {
    let mut stream = TcpStream::connect(address).await.ok()?;
    if http2 {
        stream.write_all(PREFACE).await.ok()?;
        stream.write_all(&EMPTY_SETTINGS).await.ok()?;
    } else {
        // One request, then the keep-alive connection sits there.
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .ok()?;
        let mut buffer = [0u8; 1024];
        let _ = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buffer)).await;
    }
    Some(stream)
}

/// Reads until the server closes the connection; the time it took, or `None` past `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 4096];
    let wait = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(limit, wait).await.ok()?;
    Some(started.elapsed())
}

async fn health_latency(base: &str) -> Duration {
    // A fresh client: a new connection, as a monitoring probe makes.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let started = Instant::now();
    let response = client
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("/health answered");
    assert_eq!(response.status().as_u16(), 200);
    started.elapsed()
}

/// A server over the small NLM sample with `options`, and its socket address.
async fn small_server(
    options: search_api::ServeOptions,
) -> (tempfile::TempDir, TestServer, std::net::SocketAddr) {
    let data = tempfile::tempdir().unwrap();
    let sample = fixture("pubmed/nlm-sample").display().to_string();
    let ingest = indexer(data.path(), &["ingest", &sample]);
    assert_eq!(ingest.code, 0, "{}", ingest.stderr);
    let state = search_api::AppState::open(data.path()).expect("state");
    let server = TestServer::start(state, options).await;
    let address = server.base.trim_start_matches("http://").parse().unwrap();
    (data, server, address)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_a_thousand_idle_connections_are_held() {
    let options = search_api::ServeOptions::default();
    let (per_ip, total) = (options.max_connections_per_ip, options.max_connections);
    let (_data, server, address) = small_server(options).await;

    // Half HTTP/1 keep-alive after one request, half HTTP/2 with no stream.
    let mut held = Vec::new();
    for n in 0..1_000 {
        if let Some(stream) = open_idle(address, n % 2 == 1).await {
            held.push(stream);
        }
    }
    assert_eq!(held.len(), 1_000, "every idle connection opened");
    let mut worst = Duration::ZERO;
    for _ in 0..10 {
        worst = worst.max(health_latency(&server.base).await);
    }
    eprintln!(
        "1,000 idle connections held (caps {per_ip} per address, {total} in all): \
         /health worst of 10 in {worst:?}"
    );
    assert!(worst < Duration::from_secs(1), "/health took {worst:?}");
    drop(held);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_by_the_server_within_the_idle_timeout() {
    let idle_timeout = Duration::from_millis(800);
    let options = search_api::ServeOptions {
        idle_timeout,
        ..search_api::ServeOptions::default()
    };
    let (_data, server, address) = small_server(options).await;
    // Closing takes the timeout plus the watchdog's wake-up; allow a little for a busy machine.
    let limit = idle_timeout + Duration::from_secs(3);
    for http2 in [false, true] {
        let mut stream = open_idle(address, http2).await.expect("connects");
        let took = closed_within(&mut stream, limit).await;
        let took = took.unwrap_or_else(|| panic!("http2={http2}: still open after {limit:?}"));
        assert!(
            took + Duration::from_millis(100) >= idle_timeout || http2,
            "closed before the timeout ({took:?})"
        );
    }
    // A connection that never says anything is closed too (by the header timeout or idleness).
    let mut silent = TcpStream::connect(address).await.expect("connects");
    assert!(closed_within(&mut silent, Duration::from_secs(12))
        .await
        .is_some());
    server.stop().await;
}
