//! The search service over a tagged index: records with their tags, grants
//! with their outputs, and the participation measures, over HTTP.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::server::TestServer as Api;
use crate::support::{fixture, indexer};

/// Ingests the PubMed exports, imports the evaluation roster and tags.
fn tagged_pubmed(data: &Path) {
    let files = [fixture("pubmed/exports"), fixture("pubmed/efetch")];
    let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let ingest = indexer(data, &["ingest", &files[0], &files[1]]);
    assert!(ingest.code == 0 || ingest.code == 2, "{}", ingest.stderr);
    let roster = fixture("tagging/roster.csv").display().to_string();
    assert_eq!(indexer(data, &["roster", "import", &roster]).code, 0);
    let tag = indexer(data, &["tag"]);
    assert_eq!(tag.code, 0, "{}", tag.stderr);
}

/// A temporary data directory prepared by [`tagged_pubmed`], off the async runtime.
async fn tagged_pubmed_dir() -> tempfile::TempDir {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    tokio::task::spawn_blocking(move || tagged_pubmed(&dir))
        .await
        .unwrap();
    data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_carry_tags_and_metrics_count_them() {
    let data = tagged_pubmed_dir().await;
    let cli = indexer(data.path(), &["metrics", "--group-by", "organisation"]);
    let cli_table: Value = serde_json::from_str(&cli.stdout).unwrap();
    let api = Api::open(data.path()).await;

    // The same table over HTTP as on the command line.
    let (status, table) = api
        .get("/api/metrics/participation?group_by=organisation&records=true")
        .await;
    assert_eq!(status, 200, "{table}");
    let mut without_links = table.clone();
    for cell in cells_mut(&mut without_links) {
        cell.as_object_mut().unwrap().remove("drill_down");
    }
    assert_eq!(without_links, cli_table);
    let publications = table["total"]["publications"].as_u64().unwrap();
    assert!(publications >= 50, "{publications}");
    // Every cell's drill-down search lists exactly the records behind it, in
    // every grouping, with a year range too.
    for query in [
        "group_by=organisation",
        "group_by=year",
        "group_by=division&from=2010&to=2020",
        "group_by=discipline",
        "group_by=funder",
    ] {
        let (_, table) = api
            .get(&format!("/api/metrics/participation?{query}&records=true"))
            .await;
        let mut cells: Vec<Value> = table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[1].clone())
            .collect();
        cells.push(table["total"].clone());
        for cell in cells {
            for measure in ["publications", "publications_key_author"] {
                let Some(url) = cell["drill_down"][measure].as_str() else {
                    continue;
                };
                let listed = csv_ids(&api, &format!("{url}&format=csv")).await;
                let behind: BTreeSet<String> = cell["records"][measure]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| id.as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(listed, behind, "{query}: {url}");
            }
        }
    }
    // A role filter keeps records whose counted scientist has that role.
    let (status, firsts) = api
        .get("/api/publications?tier=roster&role=first&per_page=100")
        .await;
    assert_eq!(status, 200, "{firsts}");
    assert!(firsts["total"].as_u64().unwrap() > 0, "{firsts}");
    for result in firsts["results"].as_array().unwrap() {
        assert!(
            result["hcs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["roles"].as_array().unwrap().contains(&"first".into())),
            "{result}"
        );
    }
    // The curation queue says who on each record awaits review, by published name.
    let (_, queue) = api.get("/api/publications?band=review&per_page=100").await;
    let queued = queue["results"].as_array().unwrap();
    assert!(
        !queued.is_empty(),
        "the evaluation set has review-band matches"
    );
    for result in queued {
        let waiting = result["awaiting_review"].as_array().unwrap();
        assert!(!waiting.is_empty(), "{result}");
        for candidate in waiting {
            assert!(
                !candidate["name"].as_str().unwrap().is_empty(),
                "{candidate}"
            );
            let score = candidate["score"].as_u64().unwrap();
            assert!(
                (30..60).contains(&score),
                "a review-band score: {candidate}"
            );
            assert!(
                candidate.get("person_id").is_none(),
                "the roster is not served"
            );
        }
    }
    // Each cell's people conducting open as the list of exactly those people.
    for group_by in ["organisation", "division", "discipline"] {
        let (_, cells) = api
            .get(&format!(
                "/api/metrics/participation?group_by={group_by}&from=2005&to=2020"
            ))
            .await;
        for row in cells["rows"].as_array().unwrap() {
            let value = row[0].as_str().unwrap();
            if value == "(unknown)" {
                continue;
            }
            let (status, list) = api
                .get(&format!(
                    "/api/people?{group_by}={}&year_from=2005&year_to=2020",
                    crate::support::encode(value)
                ))
                .await;
            assert_eq!(status, 200, "{list}");
            assert_eq!(
                list["total"], row[1]["people_conducting"],
                "{group_by} {value}: {list}"
            );
        }
    }
    let (_, _, dashboard) = api.get_text("/metrics?group_by=organisation").await;
    assert!(
        dashboard.contains(r#"href="/people?organisation="#),
        "people counts link to their list"
    );
    // Under person filters, each role bucket counts exactly what choosing it finds.
    let (_, by_organisation) = api
        .get("/api/metrics/participation?group_by=organisation")
        .await;
    let organisation = by_organisation["rows"][0][0].as_str().unwrap().to_owned();
    // A misspelt parameter is refused by name, not answered with the default.
    let (status, misspelt) = api
        .get("/api/metrics/participation?grup_by=organisation")
        .await;
    assert_eq!(status, 400, "{misspelt}");
    assert!(
        misspelt["message"].as_str().unwrap().contains("grup_by"),
        "{misspelt}"
    );
    let scoped = format!(
        "/api/publications?tier=roster&organisation={}&per_page=1",
        crate::support::encode(&organisation)
    );
    let (_, faceted) = api.get(&scoped).await;
    let buckets = faceted["facets"]["role"]["buckets"].as_array().unwrap();
    assert!(!buckets.is_empty(), "{faceted}");
    for bucket in buckets {
        let role = bucket["value"].as_str().unwrap();
        let (_, chosen) = api.get(&format!("{scoped}&role={role}")).await;
        assert_eq!(
            chosen["total"], bucket["count"],
            "{organisation}, role {role}"
        );
    }
    // Drill down: a record behind the total carries an accepted roster tag.
    let record_id = table["total"]["records"]["publications"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, record) = api.get(&format!("/api/publications/{record_id}")).await;
    assert_eq!(status, 200, "{record}");
    let tagged: Vec<&Value> = record["authors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["hcs"]["band"] == "accept")
        .collect();
    assert!(!tagged.is_empty(), "{record}");
    assert!(tagged[0]["hcs"]["person_id"]
        .as_str()
        .unwrap()
        .starts_with("hcs-"));
    assert!(
        !record.to_string().contains("\"email\""),
        "no e-mail keys are served"
    );

    // The person behind that record: a profile from published work, and the
    // collaborator finder finds them by the record's own words.
    let person_id = tagged[0]["hcs"]["person_id"].as_str().unwrap().to_owned();
    let (status, profile) = api.get(&format!("/api/people/{person_id}")).await;
    assert_eq!(status, 200, "{profile}");
    assert!(profile["publications"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == record_id.as_str()));
    assert!(profile["similar_people"].is_array());
    assert!(
        !profile.to_string().contains('@'),
        "no addresses in a profile"
    );
    let words: Vec<String> = record["title"]
        .as_str()
        .unwrap()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .take(3)
        .map(str::to_owned)
        .collect();
    let (status, found) = api
        .get(&format!("/api/people?q={}&limit=50", words.join("+")))
        .await;
    assert_eq!(status, 200, "{found}");
    let people = found["people"].as_array().unwrap();
    assert!(
        people.iter().any(|p| p["person_id"] == person_id.as_str()),
        "{found}"
    );
    assert!(people
        .windows(2)
        .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64()));
    // The same ranking as CSV, for a spreadsheet.
    let (status, kind, csv) = api
        .get_text(&format!(
            "/api/people?q={}&limit=50&format=csv",
            words.join("+")
        ))
        .await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("person_id,name,discipline"));
    let first_ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    let json_ids: Vec<&str> = people
        .iter()
        .map(|p| p["person_id"].as_str().unwrap())
        .collect();
    assert_eq!(first_ids, json_ids);
    // A roster person with no accepted published work is not found: the roster stays private.
    for (path, status_wanted) in [
        ("/api/people/hcs-0070", 404),
        ("/api/people/nobody", 404),
        ("/api/people", 400),
        ("/api/people?q=cancer&limit=0", 400),
    ] {
        let (status, body) = api.get(path).await;
        assert_eq!(status, status_wanted, "{path}: {body}");
    }

    // The OpenAPI document describes every route, and every documented route is served.
    let (status, openapi) = api.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(openapi["openapi"], "3.1.0");
    for (path, methods) in openapi["paths"].as_object().unwrap() {
        let concrete = path
            .replace("{id}", &record_id)
            .replace("{person_id}", &person_id);
        for method in methods.as_object().unwrap().keys() {
            let response = api
                .client
                .request(
                    method.to_uppercase().parse().unwrap(),
                    format!("{}{concrete}", api.base),
                )
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert!(
                status != 405 && !text.contains("no such endpoint"),
                "{method} {concrete}: {status} {text}"
            );
        }
    }

    // Search narrows to records with a counted healthcare scientist, and facets them.
    let (status, found) = api.get("/api/search?hcs=roster&per_page=5").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(
        found["total"].as_u64(),
        Some(publications),
        "{}",
        found["facets"]
    );
    let disciplines = found["facets"]["discipline"]["buckets"].as_array().unwrap();
    assert!(!disciplines.is_empty());
    let first = disciplines[0]["value"].as_str().unwrap();
    let count = disciplines[0]["count"].as_u64().unwrap();
    let narrowed = format!(
        "/api/search?hcs=roster&discipline={}",
        first.replace(' ', "%20").replace(',', "%2C")
    );
    let (status, by_discipline) = api.get(&narrowed).await;
    assert_eq!(status, 200, "{by_discipline}");
    assert_eq!(by_discipline["total"].as_u64(), Some(count));
    let (status, refused) = api.get("/api/search?hcs=maybe").await;
    assert_eq!(status, 400);
    assert!(
        refused["message"].as_str().unwrap().contains("hcs"),
        "{refused}"
    );

    // CSV, filters and refusals.
    let (status, kind, csv) = api
        .get_text("/api/metrics/participation?format=csv&from=2015&to=2020")
        .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(csv.lines().last().unwrap().starts_with("total,"), "{csv}");
    for (query, parameter) in [
        ("group_by=person", "group_by"),
        ("tier=maybe", "tier"),
        ("from=20x", "from"),
        ("from=2020&to=2010", "from"),
        ("format=xml", "format"),
    ] {
        let (status, body) = api
            .get(&format!("/api/metrics/participation?{query}"))
            .await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(parameter),
            "{query}: {body}"
        );
    }
    api.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_shows_its_tagged_people_and_outputs() {
    let server = crate::harvest_nihr::server();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = crate::harvest_nihr::config(dir.path(), &server);
    let roster = dir.path().join("roster.csv");
    std::fs::write(
        &roster,
        "person_id,family,given,orcid,organisation,discipline\n\
         hcs-ci,Carberry,Josiah,0000-0002-1825-0097,University of Example,Audiology\n",
    )
    .unwrap();
    let prepared = data.clone();
    tokio::task::spawn_blocking(move || {
        let run = crate::harvest_nihr::harvest(&prepared, &config, &[]);
        assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
        assert_eq!(
            indexer(
                &prepared,
                &["roster", "import", &roster.display().to_string()]
            )
            .code,
            0
        );
        assert_eq!(indexer(&prepared, &["tag"]).code, 0);
    })
    .await
    .unwrap();
    let api = Api::open(&data).await;
    let (status, grant) = api.get("/api/grants/grant:nihr:NIHR208893").await;
    assert_eq!(status, 200, "{grant}");
    let ci = grant["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "Chief Investigator")
        .unwrap();
    assert_eq!(ci["hcs"]["person_id"], "hcs-ci");
    assert_eq!(ci["hcs"]["role"]["category"], "leadership");
    assert!(grant["linked_outputs"].is_array(), "{grant}");
    let (status, missing) = api.get("/api/grants/pmid:1").await;
    assert_eq!(status, 404, "{missing}");
    let (status, led) = api
        .get("/api/metrics/participation?group_by=funder&records=true")
        .await;
    assert_eq!(status, 200);
    assert_eq!(led["total"]["grants_led"], 1, "{led}");

    // Grant search: every grant, by funder (any case), role and tier, with facets.
    let (status, all) = api.get("/api/grants?per_page=100").await;
    assert_eq!(status, 200, "{all}");
    let total = all["total"].as_u64().unwrap();
    assert!(total >= 2, "{all}");
    assert!(all["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["id"].as_str().unwrap().starts_with("grant:nihr:")));
    // NIHR publishes its funder as "NIHR", "NIHR (ODA)" or "NIHR (non-ODA)".
    let funders = all["facets"]["funder"]["buckets"].as_array().unwrap();
    let counted: u64 = funders.iter().map(|b| b["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, total, "{funders:?}");
    for bucket in funders {
        let funder: String = bucket["value"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        let (_, by_funder) = api.get(&format!("/api/grants?funder={funder}")).await;
        assert_eq!(by_funder["total"], bucket["count"], "{by_funder}");
    }
    let (status, leading) = api.get("/api/grants?tier=roster&role=leadership").await;
    assert_eq!(status, 200, "{leading}");
    assert_eq!(leading["total"], 1, "{leading}");
    let hit = &leading["results"][0];
    assert_eq!(hit["id"], "grant:nihr:NIHR208893");
    assert_eq!(hit["hcs"][0]["person_id"], "hcs-ci");
    assert_eq!(hit["hcs"][0]["roles"], serde_json::json!(["leadership"]));
    assert_eq!(
        leading["facets"]["role"]["buckets"][0]["value"],
        "leadership"
    );
    // The metrics drill-down for grants led is this search, for the total and
    // for each funder.
    let link = led["total"]["drill_down"]["grants_led"].as_str().unwrap();
    let listed = csv_ids(&api, &format!("{link}&format=csv")).await;
    assert_eq!(
        listed,
        BTreeSet::from(["grant:nihr:NIHR208893".to_owned()]),
        "{link}"
    );
    for row in led["rows"].as_array().unwrap() {
        for measure in ["grants_led", "grants_co_applicant"] {
            let Some(link) = row[1]["drill_down"][measure].as_str() else {
                continue;
            };
            let listed = csv_ids(&api, &format!("{link}&format=csv")).await;
            let behind: BTreeSet<String> = row[1]["records"][measure]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(listed, behind, "{link}");
        }
    }
    // The grant search page shows the same, linked to the grant's page.
    let (status, kind, html) = api.get_text("/grants?tier=roster&role=leadership").await;
    assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"));
    assert!(html.contains(r#"id="total">1 records"#), "{html}");
    assert!(
        html.contains(r#"href="/grants/grant%3Anihr%3ANIHR208893""#),
        "{html}"
    );
    assert!(html.contains("format=csv"), "a CSV download link");
    // CSV of a grant search: a header and one row per grant.
    let (status, kind, csv) = api.get_text("/api/grants?format=csv").await;
    assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(csv.starts_with("id,title,funder,reference,"), "{csv}");
    assert_eq!(csv.lines().count() as u64, total + 1);
    for (query, parameter) in [
        ("journal=BMJ", "journal"),
        ("role=boss", "role"),
        ("band=maybe", "band"),
        ("format=xml", "format"),
    ] {
        let (status, body) = api.get(&format!("/api/grants?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(parameter),
            "{query}: {body}"
        );
    }
    api.stop().await;
}

/// The JSON objects of every row's cell and of the total of a participation table.
fn cells_mut(table: &mut Value) -> Vec<&mut Value> {
    let Value::Object(table) = table else {
        return Vec::new();
    };
    let mut cells = Vec::new();
    for (key, value) in table.iter_mut() {
        match (key.as_str(), value) {
            ("rows", Value::Array(rows)) => {
                cells.extend(rows.iter_mut().filter_map(|row| row.get_mut(1)));
            }
            ("total", total) => cells.push(total),
            _ => {}
        }
    }
    cells
}

/// The `id` column of a CSV download (ids hold no commas).
async fn csv_ids(api: &Api, path: &str) -> BTreeSet<String> {
    let (status, kind, csv) = api.get_text(path).await;
    assert_eq!(status, 200, "{path}: {csv}");
    assert_eq!(kind, "text/csv; charset=utf-8");
    csv.lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curators_write_behind_tokens_and_a_retag_applies_their_decisions() {
    let data = tagged_pubmed_dir().await;
    let curator = "c".repeat(40);
    let admin = "a".repeat(48);
    let settings = search_api::ApiSettings {
        curator_token: Some(search_api::auth::TokenDigest::new("curator", &curator).unwrap()),
        admin_token: Some(search_api::auth::TokenDigest::new("admin", &admin).unwrap()),
        ..search_api::ApiSettings::default()
    };
    let api = Api::open_with(data.path(), settings).await;
    // An accepted attribution to reject.
    let (_, table) = api.get("/api/metrics/participation?records=true").await;
    let record_id = table["total"]["records"]["publications"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, record) = api.get(&format!("/api/publications/{record_id}")).await;
    let author = record["authors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["hcs"]["band"] == "accept")
        .unwrap()
        .clone();
    let person = author["hcs"]["person_id"].as_str().unwrap().to_owned();
    let position = author["position"].as_u64().unwrap();
    let body = serde_json::json!({
        "decision": "reject", "person_id": person, "record_id": record_id,
        "position": position, "note": "checked by hand"
    })
    .to_string();
    let json = "application/json";
    let bearer = |token: &str| format!("Bearer {token}");
    let path = "/api/curation/decisions";
    for (token, kind, body_text, want) in [
        (None, json, body.as_str(), 401),
        (Some(bearer("wrong")), json, body.as_str(), 401),
        (Some(format!("Basic {curator}")), json, body.as_str(), 401),
        (Some(bearer(&curator)), "text/plain", body.as_str(), 415),
        (Some(bearer(&curator)), json, "{not json", 400),
        (
            Some(bearer(&curator)),
            json,
            r#"{"decision":"maybe","person_id":"x","record_id":"y","position":1}"#,
            422,
        ),
        (
            Some(bearer(&curator)),
            json,
            r#"{"decision":"accept","person_id":"hcs-0001","record_id":"pmid:0","position":1}"#,
            404,
        ),
    ] {
        let (status, answer, challenge) = api.post(path, body_text, kind, token.as_deref()).await;
        assert_eq!(status, want, "{token:?} {kind} {body_text}: {answer}");
        if want == 401 {
            assert_eq!(challenge, "Bearer");
        }
    }
    let journal = data.path().join("tagging/decisions.jsonl");
    assert!(!journal.exists(), "refused writes change nothing");
    let (status, answer, _) = api
        .post(path, &body, json, Some(&format!("bearer {curator}")))
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap().lines().count(),
        1
    );

    // Only the admin token re-tags; the decision then shows.
    let (status, _, _) = api
        .post("/api/admin/retag", "{}", json, Some(&bearer(&curator)))
        .await;
    assert_eq!(status, 401);
    let (status, started, _) = api
        .post("/api/admin/retag", "{}", json, Some(&bearer(&admin)))
        .await;
    assert_eq!(status, 202, "{started}");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let response = api
            .client
            .get(format!("{}/api/admin/retag", api.base))
            .header("authorization", bearer(&admin))
            .send()
            .await
            .unwrap();
        let state: Value = response.json().await.unwrap();
        if state["running"] == false {
            assert!(state["error"].is_null(), "{state}");
            assert!(
                state["summary"]["records"].as_u64().unwrap() > 600,
                "{state}"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "re-tag did not finish: {state}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    loop {
        let (_, after) = api.get(&format!("/api/publications/{record_id}")).await;
        let still = after["authors"].as_array().unwrap().iter().any(|a| {
            a["position"].as_u64() == Some(position) && a["hcs"]["person_id"] == person.as_str()
        });
        if !still {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the rejected attribution is still served"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    api.stop().await;
}

/// Headless Chromium on a page: its DOM after rendering, and a screenshot
/// kept under `target/screenshots/` as an artefact of the run. `None` when
/// Chromium is not installed outside CI (CI installs it and requires it).
fn chromium(url: &str, screenshot: &str) -> Option<String> {
    let binary = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(binary) = binary else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium for the page tests"
        );
        eprintln!("chromium not installed: page tests skipped");
        return None;
    };
    let profile = tempfile::tempdir().unwrap();
    let flags: Vec<&str> = indexer::report::CHROMIUM_FLAGS
        .into_iter()
        .chain(["--window-size=1280,1800"])
        .collect();
    let user_data = format!("--user-data-dir={}", profile.path().display());
    let dom = std::process::Command::new(binary)
        .args(&flags)
        .arg(&user_data)
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&directory).unwrap();
    let shot = std::process::Command::new(binary)
        .args(&flags)
        .arg(&user_data)
        .arg(format!(
            "--screenshot={}",
            directory.join(screenshot).display()
        ))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    assert!(
        directory.join(screenshot).metadata().unwrap().len() > 1000,
        "a screenshot was taken"
    );
    Some(String::from_utf8(dom.stdout).unwrap())
}

/// The numbers in `<td class="n">` cells of the table row `data-group="{group}"`.
fn row_numbers(dom: &str, group: &str) -> Vec<u64> {
    let start = dom
        .find(&format!(r#"data-group="{group}""#))
        .unwrap_or_else(|| panic!("row {group}"));
    let row = &dom[start..start + dom[start..].find("</tr>").unwrap()];
    row.split(r#"class="n">"#)
        .skip(1)
        .map(|cell| {
            let text: String = cell.chars().take_while(|c| *c != '<').collect();
            let text = if text.is_empty() {
                // a linked count: <a href=…>N</a>
                cell.split('>')
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_ascii_digit())
                    .collect()
            } else {
                text
            };
            text.trim()
                .parse()
                .unwrap_or_else(|_| panic!("number in {cell}"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_the_right_figures_in_a_real_browser() {
    let data = tagged_pubmed_dir().await;
    let api = Api::open(data.path()).await;
    let (_, table) = api
        .get("/api/metrics/participation?group_by=organisation&records=true")
        .await;
    let total = &table["total"];
    let base = api.base.clone();
    let record_id = total["records"]["publications"][0]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, record) = api.get(&format!("/api/publications/{record_id}")).await;
    let person = record["authors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["hcs"]["band"] == "accept")
        .unwrap()["hcs"]["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pages = tokio::task::spawn_blocking(move || {
        let metrics = chromium(
            &format!("{base}/metrics?group_by=organisation"),
            "metrics.png",
        )?;
        let search = chromium(&format!("{base}/?hcs=roster"), "search.png")?;
        let profile = chromium(&format!("{base}/people/{person}"), "person.png")?;
        let record = chromium(
            &format!("{base}/publications/{record_id}"),
            "publication.png",
        )?;
        Some((metrics, search, profile, record))
    })
    .await
    .unwrap();
    let Some((metrics, search, profile, record_page)) = pages else {
        api.stop().await;
        return;
    };
    // The dashboard's total row and charts show the API's figures.
    let numbers = row_numbers(&metrics, "Total");
    let want = |key: &str| total[key].as_u64().unwrap();
    assert_eq!(
        numbers,
        [
            want("people_leading"),
            want("people_conducting"),
            want("grants_led"),
            want("grants_co_applicant"),
            want("publications"),
            want("publications_key_author")
        ]
    );
    let trend_start = metrics
        .find(r#"id="trend-publications""#)
        .expect("trend chart");
    let trend = &metrics[trend_start..trend_start + metrics[trend_start..].find("</svg>").unwrap()];
    let per_year: u64 = trend
        .split(r#"data-value=""#)
        .skip(1)
        .map(|v| v.split('"').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(
        per_year,
        want("publications"),
        "each publication counts in one year"
    );
    assert!(metrics.contains(r#"id="csv""#) && metrics.contains("format=csv"));
    // The search page narrows to tagged records and says how many.
    assert!(
        search.contains(&format!(r#"id="total">{} records"#, want("publications"))),
        "search page total"
    );
    assert!(search.contains(r#"id="csv""#), "search page CSV download");
    assert!(
        search.contains(r#"id="next""#) == (want("publications") > 20),
        "a next-page link when there is more"
    );
    assert!(profile.contains("<h2>Publications</h2>"));
    assert!(
        record_page.contains(r#"class="tag""#),
        "tagged authors are marked"
    );
    assert_eq!(
        crate::hostile::email_in(&record_page),
        None,
        "no addresses on pages"
    );
    api.stop().await;
}

/// After a roster change, the command line and the dashboard count the same
/// stored tags, and both say the tags are stale until `indexer tag` runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_change_marks_the_counts_stale_until_retagged() {
    let data = tagged_pubmed_dir().await;
    let api = Api::open(data.path()).await;
    let freshness = |api: &Api| {
        let url = format!(
            "{}/api/metrics/participation?group_by=organisation",
            api.base
        );
        let client = api.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            let status = response.headers()["x-tags-status"]
                .to_str()
                .unwrap()
                .to_owned();
            let table: Value = response.json().await.unwrap();
            (status, table["total"]["publications"].as_u64().unwrap())
        }
    };
    let (status, before) = freshness(&api).await;
    assert_eq!(status, "current");

    // A smaller roster: the first ten people only.
    let roster = std::fs::read_to_string(fixture("tagging/roster.csv")).unwrap();
    let smaller: String = roster.lines().take(11).map(|l| format!("{l}\n")).collect();
    let path = data.path().join("smaller.csv");
    std::fs::write(&path, smaller).unwrap();
    let import = indexer(data.path(), &["roster", "import", path.to_str().unwrap()]);
    assert_eq!(import.code, 0, "{}", import.stderr);

    let cli = indexer(data.path(), &["metrics", "--group-by", "organisation"]);
    assert!(cli.stderr.contains("out of date"), "{}", cli.stderr);
    let cli_total: Value = serde_json::from_str(&cli.stdout).unwrap();
    let (status, served) = freshness(&api).await;
    assert_eq!(status, "stale");
    assert_eq!(served, before, "the service counts the stored tags");
    assert_eq!(
        cli_total["total"]["publications"].as_u64().unwrap(),
        served,
        "the command line counts what the dashboard shows"
    );
    let (_, _, page) = api.get_text("/metrics").await;
    assert!(page.contains(r#"id="stale""#), "the dashboard says so");
    let fresh = indexer(
        data.path(),
        &["metrics", "--group-by", "organisation", "--retag"],
    );
    let fresh: Value = serde_json::from_str(&fresh.stdout).unwrap();
    let retagged = fresh["total"]["publications"].as_u64().unwrap();
    assert!(retagged < before, "ten people author fewer records");

    assert_eq!(indexer(data.path(), &["tag"]).code, 0);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut settled = (String::new(), 0);
    for _ in 0..50 {
        settled = freshness(&api).await;
        if settled.1 == retagged {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(settled, ("current".to_owned(), retagged));
    let (_, _, page) = api.get_text("/metrics").await;
    assert!(page.contains(r#"id="tagged""#));
    api.stop().await;
}

/// The figures of a report's summary row for `label`: (counted, possible).
fn summary_row(text: &str, label: &str) -> Option<(u64, u64)> {
    let line = text
        .lines()
        .find(|line| line.trim_start().starts_with(label))?;
    let numbers: Vec<u64> = line[label.len()..]
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    Some((*numbers.first()?, *numbers.get(1)?))
}

/// The annual report — HTML from the command line and the service, and its
/// PDF read back with pdftotext — gives the API's figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_annual_report_gives_the_apis_figures_in_html_and_pdf() {
    let data = tagged_pubmed_dir().await;
    let api = Api::open(data.path()).await;
    let (_, table) = api
        .get("/api/metrics/participation?from=2000&to=2024&group_by=organisation")
        .await;
    let (_, possible) = api
        .get("/api/metrics/participation?from=2000&to=2024&group_by=organisation&tier=inferred")
        .await;
    let want = |table: &Value, measure: &str| table["total"][measure].as_u64().unwrap();
    let rows = [
        (
            "(a) Healthcare scientists conducting research",
            "people_conducting",
        ),
        (
            "(c) Publications with a healthcare-scientist author",
            "publications",
        ),
        (
            "(c) … as first, last or corresponding author",
            "publications_key_author",
        ),
        ("(b) Grants led by a healthcare scientist", "grants_led"),
    ];
    assert!(want(&table, "publications") > 0);

    // The page the service serves.
    let (status, kind, page) = api.get_text("/report?from=2000&to=2024").await;
    assert_eq!(status, 200, "{page}");
    assert!(kind.starts_with("text/html"));
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "self-contained"
    );
    for (label, measure) in rows {
        let row = page
            .split("<tr data-measure=")
            .find(|row| row.contains(label))
            .unwrap_or_else(|| panic!("no row {label}"));
        let row = &row[..row.find("</tr>").unwrap()];
        let cells: Vec<u64> = row
            .split("<td class=\"n\">")
            .skip(1)
            .map(|cell| {
                // A count is plain, or a link to its records: drop the markup.
                let mut text = String::new();
                let mut in_tag = false;
                for c in cell.split("</td>").next().unwrap().chars() {
                    match c {
                        '<' => in_tag = true,
                        '>' => in_tag = false,
                        c if !in_tag => text.push(c),
                        _ => {}
                    }
                }
                text.trim().parse().unwrap()
            })
            .collect();
        assert_eq!(
            cells,
            [want(&table, measure), want(&possible, measure)],
            "{label}"
        );
    }
    let (status, _, _) = api.get_text("/report?from=2024&to=2000").await;
    assert_eq!(status, 400);

    // The command line's file, and its PDF where Chromium and pdftotext are installed.
    let html = data.path().join("report.html");
    let pdf = data.path().join("report.pdf");
    let can_print = chromium_installed() && pdftotext_installed();
    let mut args = vec![
        "report",
        "--from",
        "2000",
        "--to",
        "2024",
        "--out",
        html.to_str().unwrap(),
    ];
    if can_print {
        args.extend(["--pdf", pdf.to_str().unwrap()]);
    }
    let run = indexer(data.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&html).unwrap();
    assert!(written.contains(r#"id="methods""#) && written.contains(r#"id="by-division""#));
    if !can_print {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs chromium and poppler-utils"
        );
        eprintln!("chromium or pdftotext missing: the PDF check is skipped");
        api.stop().await;
        return;
    }
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext runs");
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    for (label, measure) in rows {
        let (counted, inferred) =
            summary_row(&text, label).unwrap_or_else(|| panic!("{label} not in the PDF:\n{text}"));
        assert_eq!(counted, want(&table, measure), "PDF, counted: {label}");
        assert_eq!(inferred, want(&possible, measure), "PDF, possible: {label}");
    }
    api.stop().await;
}

fn chromium_installed() -> bool {
    std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn pdftotext_installed() -> bool {
    std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
}
