//! The curators' review queue over HTTP: `GET /review` behind a named
//! curator token or a login session, decisions posted from its forms with a
//! form token, the journal recording who decided, `GET /api/review` as JSON,
//! and no roster e-mail or registration number in any of it.

use std::path::Path;

use reqwest::header::{HeaderMap, AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE};
use serde_json::Value;

use crate::server::TestServer;
use crate::support::{encode, fixture, indexer};

const ALICE: &str = "alice-review-token-0123456789-abcdefghijkl";
const BOB: &str = "bob-review-token-9876543210-zyxwvutsrqpon";

/// The PubMed exports ingested, the evaluation roster imported, and tagged.
fn tagged_index(data: &Path) {
    let files = [fixture("pubmed/exports"), fixture("pubmed/efetch")];
    let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let ingest = indexer(data, &["ingest", &files[0], &files[1]]);
    assert!(ingest.code == 0 || ingest.code == 2, "{}", ingest.stderr);
    let roster = fixture("tagging/roster.csv").display().to_string();
    assert_eq!(indexer(data, &["roster", "import", &roster]).code, 0);
    let tag = indexer(data, &["tag"]);
    assert_eq!(tag.code, 0, "{}", tag.stderr);
}

/// Every e-mail address and registration number of the roster fixture.
fn roster_secrets() -> Vec<String> {
    let text = std::fs::read_to_string(fixture("tagging/roster.csv")).expect("roster");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (emails, registration) = (column("emails"), column("registration"));
    let mut secrets = Vec::new();
    for row in reader.records() {
        let row = row.expect("row");
        secrets.extend(
            row[emails]
                .split(';')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned),
        );
        if !row[registration].trim().is_empty() {
            secrets.push(row[registration].trim().to_owned());
        }
    }
    assert!(
        secrets.len() > 10,
        "the roster has e-mails and registrations"
    );
    secrets
}

/// Status, headers and body of one request.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

/// A client that does not follow redirects (so the login's cookie can be seen)
/// and remembers every body it got, to check them all for roster values.
struct Browser<'a> {
    server: &'a TestServer,
    client: reqwest::Client,
    bodies: Vec<(String, String)>,
}

impl<'a> Browser<'a> {
    fn new(server: &'a TestServer) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("client");
        Browser {
            server,
            client,
            bodies: Vec::new(),
        }
    }

    async fn send(&mut self, what: &str, request: reqwest::RequestBuilder) -> Answer {
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        self.bodies.push((what.to_owned(), body.clone()));
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str, auth: Option<(&str, &str)>) -> Answer {
        let mut request = self.client.get(format!("{}{path}", self.server.base));
        if let Some((name, value)) = auth {
            request = request.header(name, value);
        }
        self.send(path, request).await
    }

    async fn post_form(
        &mut self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .client
            .post(format!("{}{path}", self.server.base))
            .form(form);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        self.send(path, request).await
    }
}

/// A review-band slot as the public API shows it: record, position, the
/// proposed person and the evidence features of the tag.
struct Slot {
    record_id: String,
    position: u64,
    person_id: String,
    features: Vec<String>,
    organisation: Option<String>,
}

async fn a_review_slot(server: &TestServer) -> Slot {
    let (status, queue) = server.get("/api/publications?band=review&per_page=5").await;
    assert_eq!(status, 200, "{queue}");
    let first = &queue["results"][0];
    let record_id = first["id"]
        .as_str()
        .expect("a review-band record")
        .to_owned();
    let position = first["awaiting_review"][0]["position"].as_u64().unwrap();
    let (_, record) = server
        .get(&format!("/api/publications/{}", encode(&record_id)))
        .await;
    let author = record["authors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["position"] == position)
        .unwrap();
    let tag = &author["hcs"];
    assert_eq!(tag["band"], "review", "{tag}");
    let features: Vec<String> = tag["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["feature"].as_str().unwrap().to_owned())
        .collect();
    assert!(!features.is_empty(), "{tag}");
    Slot {
        record_id,
        position,
        person_id: tag["person_id"].as_str().unwrap().to_owned(),
        features,
        organisation: tag["organisation"]["name"].as_str().map(str::to_owned),
    }
}

/// The element id the page gives a slot.
fn anchor(slot: &Slot) -> String {
    let safe: String = slot
        .record_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("slot-{safe}-{}", slot.position)
}

/// The `<article>` of the slot on a queue page, if the page lists it.
fn article<'b>(page: &'b str, slot: &Slot) -> Option<&'b str> {
    let start = page.find(&format!(r#"id="{}""#, anchor(slot)))?;
    let end = page[start..]
        .find("</article>")
        .map_or(page.len(), |e| start + e);
    Some(&page[start..end])
}

/// Walks the queue's pages (with `auth`) until one lists the slot.
async fn find_on_queue(
    browser: &mut Browser<'_>,
    slot: &Slot,
    auth: (&str, &str),
) -> (String, String) {
    for page in 1..=40 {
        let path = format!("/review?page={page}");
        let answer = browser.get(&path, Some(auth)).await;
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        if let Some(found) = article(&answer.body, slot) {
            return (found.to_owned(), answer.body.clone());
        }
        if !answer.body.contains(r#"id="next""#) {
            break;
        }
    }
    panic!(
        "the queue does not list {} position {}",
        slot.record_id, slot.position
    );
}

fn form_token(page: &str) -> String {
    let marker = r#"name="form_token" value=""#;
    let start = page.find(marker).expect("a form token") + marker.len();
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

/// `YYYY-MM-DDTHH:MM:SS` then `Z` or `±HH:MM`, optionally with fractions.
fn is_rfc3339(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(bytes.get(10), Some(b'T' | b't'))
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    let rest = text.get(19..).unwrap_or_default();
    let rest = match rest.strip_prefix('.') {
        Some(fraction) => fraction.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => rest,
    };
    let zone = rest == "Z"
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':');
    shape && zone
}

fn last_journal_line(data: &Path) -> Value {
    let text = std::fs::read_to_string(data.join("tagging/decisions.jsonl")).expect("the journal");
    serde_json::from_str(text.lines().last().expect("a line")).expect("JSON line")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curators_review_the_queue_by_name_with_forms_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let build = data.clone();
    tokio::task::spawn_blocking(move || tagged_index(&build))
        .await
        .unwrap();
    // Two named curators in one token file, read as `--curator-token-file` reads it.
    let token_file = dir.path().join("curators.tokens");
    std::fs::write(
        &token_file,
        format!("# review queue curators\nalice:{ALICE}\n\nbob: {BOB}\n"),
    )
    .unwrap();
    let curators = search_api::config::read_curator_token_file(&token_file).unwrap();
    let settings = search_api::ApiSettings {
        curators,
        ..search_api::ApiSettings::default()
    };
    let server = TestServer::open_with(&data, settings).await;
    let mut browser = Browser::new(&server);
    let alice_bearer = format!("Bearer {ALICE}");
    let bob_bearer = format!("Bearer {BOB}");

    // Without a token: a 401 page saying how to sign in.
    let refused = browser.get("/review", None).await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    assert!(refused.header("content-type").starts_with("text/html"));
    assert_eq!(refused.header("www-authenticate"), "Bearer");
    assert!(
        refused.body.contains(r#"action="/review/login""#),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("Authorization: Bearer"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(r#"<label for="token">"#));
    let wrong = browser
        .get(
            "/review",
            Some((
                AUTHORIZATION.as_str(),
                "Bearer not-a-curator-token-at-all-0000",
            )),
        )
        .await;
    assert_eq!(wrong.status, 401);

    // With a bearer token: the page, listing a known review-band slot with every evidence feature.
    let slot = a_review_slot(&server).await;
    let (listed, page) =
        find_on_queue(&mut browser, &slot, (AUTHORIZATION.as_str(), &alice_bearer)).await;
    assert!(
        page.contains("Signed in as <strong>alice</strong>"),
        "{page}"
    );
    assert!(
        page.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#)
    );
    assert!(
        listed.contains(&format!(
            r#"href="/publications/{}""#,
            encode(&slot.record_id)
        )),
        "the record links to its page: {listed}"
    );
    assert!(listed.contains(&slot.person_id), "{listed}");
    for feature in &slot.features {
        assert!(
            listed.contains(&format!("<td>{feature}</td>")),
            "{feature}: {listed}"
        );
    }
    assert!(listed.contains("review band"), "{listed}");
    assert!(listed.contains(r#"value="accept""#) && listed.contains(r#"value="reject""#));
    // Every form control is labelled.
    for id in listed
        .match_indices(r#"<textarea id=""#)
        .map(|(at, m)| &listed[at + m.len()..])
        .map(|rest| &rest[..rest.find('"').unwrap()])
    {
        assert!(listed.contains(&format!(r#"<label for="{id}">"#)), "{id}");
    }
    assert!(page.contains(r#"<label for="organisation">"#));
    // The organisation filter keeps the slot when it names its organisation.
    if let Some(organisation) = &slot.organisation {
        let filtered = browser
            .get(
                &format!("/review?organisation={}&per_page=100", encode(organisation)),
                Some((AUTHORIZATION.as_str(), &alice_bearer)),
            )
            .await;
        assert_eq!(filtered.status, 200);
        assert!(
            article(&filtered.body, &slot).is_some(),
            "filtered by {organisation}"
        );
    }

    // Signing in with the form: a random session id in a strict, HttpOnly cookie.
    let bad_login = browser
        .post_form(
            "/review/login",
            None,
            &[("token", "nope-nope-nope-nope-nope-nope-nope-nope")],
        )
        .await;
    assert_eq!(bad_login.status, 401);
    let login = browser
        .post_form("/review/login", None, &[("token", ALICE)])
        .await;
    assert_eq!(login.status, 303, "{}", login.body);
    assert_eq!(login.header(LOCATION.as_str()), "/review");
    let set_cookie = login.header(SET_COOKIE.as_str()).to_owned();
    assert!(set_cookie.starts_with("hcs_review="), "{set_cookie}");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    assert!(
        !set_cookie.contains(ALICE),
        "the token never goes into the cookie"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let session_page = browser
        .get("/review", Some((COOKIE.as_str(), &cookie)))
        .await;
    assert_eq!(session_page.status, 200, "{}", session_page.body);
    assert!(session_page
        .body
        .contains("Signed in as <strong>alice</strong>"));
    assert!(
        !session_page.body.contains(ALICE),
        "the token is never served"
    );
    let token = form_token(&session_page.body);
    assert_eq!(token.len(), 64);

    // A decision posted without the form token (or with another) is refused.
    let position = slot.position.to_string();
    let fields = |token: Option<&str>| -> Vec<(&str, String)> {
        let mut fields = vec![
            ("decision", "reject".to_owned()),
            ("person_id", slot.person_id.clone()),
            ("record_id", slot.record_id.clone()),
            ("position", position.clone()),
            ("note", "not the same person: another trust".to_owned()),
            ("page", "1".to_owned()),
            ("organisation", String::new()),
        ];
        if let Some(token) = token {
            fields.push(("form_token", token.to_owned()));
        }
        fields
    };
    let journal = data.join("tagging/decisions.jsonl");
    let lines_before = std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count());
    for (what, cookie, fields, want) in [
        ("no form token", Some(cookie.as_str()), fields(None), 403),
        (
            "another form token",
            Some(cookie.as_str()),
            fields(Some(&"0".repeat(64))),
            403,
        ),
        ("no session", None, fields(Some(&token)), 401),
    ] {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = browser.post_form("/review/decide", cookie, &pairs).await;
        assert_eq!(answer.status, want, "{what}: {}", answer.body);
        assert!(
            answer.header("content-type").starts_with("text/html"),
            "{what}"
        );
    }
    let lines_after = std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count());
    assert_eq!(
        lines_before, lines_after,
        "nothing refused reached the journal"
    );

    // With it: recorded as alice's, now, and back to the queue.
    let good = fields(Some(&token));
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let decided = browser
        .post_form("/review/decide", Some(&cookie), &pairs)
        .await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    assert!(
        decided
            .header(LOCATION.as_str())
            .starts_with("/review?page=1#slot-"),
        "{}",
        decided.header(LOCATION.as_str())
    );
    let line = last_journal_line(&data);
    assert_eq!(line["by"], "alice", "{line}");
    assert_eq!(line["decision"], "reject");
    assert_eq!(line["person_id"], slot.person_id.as_str());
    assert_eq!(line["record_id"], slot.record_id.as_str());
    assert_eq!(line["position"], slot.position);
    assert_eq!(line["note"], "not the same person: another trust");
    assert!(is_rfc3339(line["at"].as_str().unwrap()), "{line}");
    assert!(
        !line.to_string().contains(ALICE),
        "the journal holds names, not tokens"
    );

    // The page now says who decided and when, and that counts wait for the re-tag.
    let (listed, page) = find_on_queue(&mut browser, &slot, (COOKIE.as_str(), &cookie)).await;
    assert!(
        listed.contains("decided by <strong>alice</strong> at"),
        "{listed}"
    );
    assert!(listed.contains(line["at"].as_str().unwrap()), "{listed}");
    assert!(
        listed.contains("Counts update after the next re-tag"),
        "{listed}"
    );
    assert!(page.contains("POST /api/admin/retag"), "{page}");
    assert!(
        page.contains("may be out of date"),
        "the tags are older than the decision: {page}"
    );
    let header = browser
        .get("/review", Some((COOKIE.as_str(), &cookie)))
        .await;
    assert_eq!(header.header("x-tags-status"), "stale");
    assert_eq!(header.header("cache-control"), "no-store");

    // The same queue as JSON, behind the token; bob sees alice's decision.
    let unauthorised = browser.get("/api/review", None).await;
    assert_eq!(unauthorised.status, 401);
    let error: Value = serde_json::from_str(&unauthorised.body).unwrap();
    assert_eq!(error["error"], "unauthorized");
    let cookie_only = browser
        .get("/api/review", Some((COOKIE.as_str(), &cookie)))
        .await;
    assert_eq!(
        cookie_only.status, 401,
        "the JSON queue takes the bearer header only"
    );
    let mut found = None;
    for page in 1..=20 {
        let answer = browser
            .get(
                &format!("/api/review?page={page}&per_page=100"),
                Some((AUTHORIZATION.as_str(), &bob_bearer)),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.header("x-tags-status"), "stale");
        let body: Value = serde_json::from_str(&answer.body).unwrap();
        for key in [
            "total",
            "page",
            "per_page",
            "pages",
            "organisations",
            "truncated",
            "tags",
            "tags_sentence",
            "takes_effect",
            "items",
        ] {
            assert!(body.get(key).is_some(), "{key}: {body}");
        }
        assert_eq!(body["tags"]["state"], "stale");
        let items = body["items"].as_array().unwrap();
        for item in items {
            for key in [
                "record_id",
                "position",
                "author",
                "proposed",
                "score",
                "band",
                "evidence",
            ] {
                assert!(item.get(key).is_some(), "{key}: {item}");
            }
            assert_eq!(item["band"], "review");
            assert!(
                item["author"]["name"].is_string() && item["author"]["affiliations"].is_array()
            );
            let proposed = item["proposed"].as_object().unwrap();
            let mut keys: Vec<&str> = proposed.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                ["discipline", "name", "organisation", "person_id"],
                "{item}"
            );
            for evidence in item["evidence"].as_array().unwrap() {
                assert!(
                    evidence["feature"].is_string()
                        && evidence["points"].is_number()
                        && evidence["detail"].is_string(),
                    "{evidence}"
                );
            }
        }
        if let Some(item) = items
            .iter()
            .find(|i| i["record_id"] == slot.record_id.as_str() && i["position"] == slot.position)
        {
            found = Some(item.clone());
            break;
        }
        if page >= body["pages"].as_u64().unwrap() as usize {
            break;
        }
    }
    let item = found.expect("the JSON queue lists the slot");
    assert_eq!(item["proposed"]["person_id"], slot.person_id.as_str());
    assert!(item["proposed"]["name"].is_string(), "{item}");
    let decision = &item["decision"];
    assert_eq!(decision["verdict"], "reject", "{item}");
    assert_eq!(decision["by"], "alice");
    assert_eq!(decision["at"], line["at"]);
    assert_eq!(decision["note"], "not the same person: another trust");
    let features: Vec<&str> = item["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["feature"].as_str().unwrap())
        .collect();
    assert_eq!(
        features,
        slot.features.iter().map(String::as_str).collect::<Vec<_>>()
    );
    let bad = browser
        .get(
            "/api/review?per_page=1000",
            Some((AUTHORIZATION.as_str(), &bob_bearer)),
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);

    // The JSON decision endpoint records bob by name too.
    let body = serde_json::json!({
        "decision": "accept", "person_id": slot.person_id, "record_id": slot.record_id,
        "position": slot.position
    })
    .to_string();
    let (status, recorded, _) = server
        .post(
            "/api/curation/decisions",
            &body,
            "application/json",
            Some(&bob_bearer),
        )
        .await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["recorded"]["by"], "bob");
    assert_eq!(last_journal_line(&data)["by"], "bob");

    // Signing out ends the session.
    let logout = browser
        .post_form("/review/logout", Some(&cookie), &[("form_token", &token)])
        .await;
    assert_eq!(logout.status, 303);
    assert!(logout.header(SET_COOKIE.as_str()).contains("Max-Age=0"));
    let after = browser
        .get("/review", Some((COOKIE.as_str(), &cookie)))
        .await;
    assert_eq!(after.status, 401);

    // No roster e-mail or registration number in anything served here.
    let secrets = roster_secrets();
    for (what, body) in &browser.bodies {
        for secret in &secrets {
            assert!(
                !body.contains(secret.as_str()),
                "{what} serves roster value {secret}"
            );
        }
        assert!(
            !body.contains(ALICE) && !body.contains(BOB),
            "{what} serves a token"
        );
    }
    // Guessing is bounded: after ten wrong tokens in a minute sign-in
    // pauses for everyone, the right token included, and says for how long.
    let mut paused = None;
    for _ in 0..12 {
        let wrong = browser
            .post_form(
                "/review/login",
                None,
                &[("token", "guess-guess-guess-guess-guess-guess")],
            )
            .await;
        if wrong.status == 429 {
            paused = Some(wrong);
            break;
        }
        assert_eq!(wrong.status, 401, "{}", wrong.body);
    }
    let paused = paused.expect("sign-in pauses after repeated wrong tokens");
    let wait: u64 = paused.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let right = browser
        .post_form("/review/login", None, &[("token", ALICE)])
        .await;
    assert_eq!(right.status, 429, "{}", right.body);
    server.stop().await;
}
