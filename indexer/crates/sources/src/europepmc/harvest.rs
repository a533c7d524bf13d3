//! The cursor-paged harvest of one Europe PMC query, and its reparse.
//!
//! One request per page: `GET {base}search?query=…&resultType=core&format=json
//! &pageSize=N&cursorMark=C`, starting at `C = *`. After each page its records
//! are upserted and committed together with the checkpoint "next cursor +
//! results so far", so a run killed anywhere resumes at the first page not
//! yet committed. See the module docs of [`super`] for the stop and
//! completeness rules.

use serde::{Deserialize, Serialize};

use super::parse::{parse_search, SearchPage};
use super::{Config, HarvestArgs, SOURCE};
use crate::harvest::archive::ArchivedRequest;
use crate::harvest::http::Method;
use crate::harvest::{FetchError, HarvestError, HarvestRun, HttpRequest, Rejection, ReparseReport};
use hcs_index::RecordSink;
use hcs_model::records::Record;

/// Archive kind of a search response.
pub const KIND_SEARCH: &str = "search";

/// Upper bound used for open-ended date ranges: Europe PMC reads `3000` as "no end".
const OPEN_END: &str = "3000-12-31";

/// Query parameters left out of provenance locations: the contact address is
/// personal data and says nothing about where a record came from.
const PRIVATE_PARAMETERS: [&str; 1] = ["email"];

/// What is stored under the query's checkpoint key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Checkpoint {
    /// True once a pass reached the end of the results.
    pub done: bool,
    /// The query as sent (the `--since` clause included).
    pub query: String,
    /// The `--since` date of the pass, if it was incremental.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// The cursor of the next page to fetch (in progress only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Results received so far in this pass.
    pub collected: u64,
    /// `hitCount` of the last page received.
    pub hit_count: u64,
    /// UTC date the pass began (`YYYY-MM-DD`): where `--since auto` starts the next pass.
    pub started_at: String,
    /// UTC date the pass completed (done only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

/// The checkpoint key of a query: one per query text, whatever `--since` says,
/// so an incremental pass finds the completion of the full one.
pub fn checkpoint_key(query: &str) -> String {
    format!("{SOURCE}:{}", query.trim())
}

/// The query sent for `query` restricted to records updated on or after `since`.
///
/// `UPDATE_DATE` (rather than `FIRST_IDATE`, the first index date) because the
/// index must also pick up records Europe PMC revised since the last pass —
/// new MeSH indexing, corrections, added ORCIDs or grants — not only new ones;
/// re-fetching an unchanged record costs nothing (the upsert is a no-op).
pub fn effective_query(query: &str, since: Option<&str>) -> String {
    match since {
        Some(since) => format!("({}) AND UPDATE_DATE:[{since} TO {OPEN_END}]", query.trim()),
        None => query.trim().to_owned(),
    }
}

/// Today's UTC date, `YYYY-MM-DD`.
fn today() -> String {
    let now = hcs_model::clock::now_rfc3339();
    now.get(..10).unwrap_or(&now).to_owned()
}

/// True for a real calendar date written `YYYY-MM-DD`.
fn is_iso_date(text: &str) -> bool {
    hcs_model::dates::parse_iso_exact(text).is_some()
}

/// Where a pass starts: its query, since-date, cursor and count so far.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Start {
    checkpoint: Checkpoint,
    cursor: String,
}

/// Decides where this run starts from the stored checkpoint and the arguments.
///
/// `--since auto` continues an unfinished pass whatever its since-date, or
/// else starts from the day the last completed pass began (a day of overlap
/// is harmless; a gap would lose updates made while that pass ran). An
/// unfinished pass is resumed only by a run asking for the same since-date;
/// a completed one is never resumed — the next full run starts over, and
/// unchanged records upsert as no-ops.
fn plan(
    stored: Option<Checkpoint>,
    query: &str,
    since: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<Start, HarvestError> {
    let since = match since {
        None => None,
        Some(auto) if auto.eq_ignore_ascii_case("auto") => match &stored {
            Some(checkpoint) if !checkpoint.done => checkpoint.since.clone(),
            Some(checkpoint) if is_iso_date(&checkpoint.started_at) => {
                Some(checkpoint.started_at.clone())
            }
            _ => {
                warnings.push(format!(
                    "{SOURCE}: no completed harvest of {query:?} yet: --since auto harvests everything"
                ));
                None
            }
        },
        Some(date) if is_iso_date(date) => Some(date.to_owned()),
        Some(other) => {
            return Err(HarvestError::Usage(format!(
                "{SOURCE}: --since must be a date YYYY-MM-DD or `auto`, not {other:?}"
            )))
        }
    };
    let effective = effective_query(query, since.as_deref());
    if let Some(checkpoint) = stored.filter(|checkpoint| !checkpoint.done) {
        match &checkpoint.cursor {
            Some(cursor) if checkpoint.query == effective => {
                return Ok(Start {
                    cursor: cursor.clone(),
                    checkpoint,
                });
            }
            _ => warnings.push(format!(
                "{SOURCE}: abandoning the unfinished pass of {:?} (at {} results) for {effective:?}",
                checkpoint.query, checkpoint.collected
            )),
        }
    }
    Ok(Start {
        checkpoint: Checkpoint {
            done: false,
            query: effective,
            since,
            cursor: None,
            collected: 0,
            hit_count: 0,
            started_at: today(),
            completed_at: None,
        },
        cursor: "*".to_owned(),
    })
}

/// The URL of `url` with `query`, as provenance shows it (private parameters left out).
pub fn location_of(url: &str, query: &[(String, String)]) -> String {
    let params: Vec<String> = query
        .iter()
        .filter(|(name, _)| !PRIVATE_PARAMETERS.contains(&name.as_str()))
        .map(|(name, value)| {
            format!(
                "{name}={}",
                crate::harvest::archive::mask_secret(name, value)
            )
        })
        .collect();
    if params.is_empty() {
        url.to_owned()
    } else {
        format!("{url}?{}", params.join("&"))
    }
}

/// Two spellings of one cursor mark: the server echoes it URL-encoded (or
/// not), so compare only its base64 alphabet after decoding.
fn same_cursor(echoed: &str, sent: &str) -> bool {
    let canonical = |cursor: &str| -> String {
        super::parse::percent_decode(cursor)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '+' | '/' | '='))
            .collect()
    };
    canonical(echoed) == canonical(sent)
}

/// Checks a parsed page against the request it answers.
fn check_page(page: &SearchPage, cursor: &str, collected_before: u64) -> Result<(), Rejection> {
    if let Some(echoed) = &page.request_cursor {
        if !same_cursor(echoed, cursor) {
            return Err(Rejection::Incomplete(format!(
                "the response answers cursorMark {echoed:?}, not the {cursor:?} requested"
            )));
        }
    }
    let fresh_cursor = page
        .next_cursor
        .as_deref()
        .is_some_and(|next| !same_cursor(next, cursor));
    // Europe PMC has been seen answering "no results" mid-stream; stopping on
    // it would silently drop the rest, so it is retried instead.
    if page.result_count == 0 && fresh_cursor && collected_before < page.hit_count {
        return Err(Rejection::Incomplete(format!(
            "an empty page with a new cursor after {collected_before} of {} results",
            page.hit_count
        )));
    }
    Ok(())
}

/// Runs the harvest described by `args`.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    let query = args.query.trim();
    if query.is_empty() {
        return Err(HarvestError::Usage(format!(
            "{SOURCE}: --query must not be empty"
        )));
    }
    if !(1..=1000).contains(&args.page_size) {
        return Err(HarvestError::Usage(format!(
            "{SOURCE}: --page-size must be 1 to 1000, not {}",
            args.page_size
        )));
    }
    let key = checkpoint_key(query);
    let stored: Option<Checkpoint> = run.checkpoint(SOURCE, &key);
    let mut warnings = Vec::new();
    let start = plan(stored, query, args.since.as_deref(), &mut warnings);
    for warning in warnings {
        run.warn(warning);
    }
    let Start {
        mut checkpoint,
        mut cursor,
    } = start?;
    loop {
        let request = PageRequest {
            query: &checkpoint.query,
            cursor: &cursor,
            page_size: args.page_size,
            method: Method::Get,
        };
        let page = fetch_page(run, config, &request, checkpoint.collected).await?;
        for skipped in &page.skipped {
            run.warn(skipped.to_string());
        }
        for publication in page.records {
            run.sink
                .upsert(Record::Publication(Box::new(publication)))?;
            run.progress.inc(1);
        }
        checkpoint.collected += page.result_count as u64;
        checkpoint.hit_count = page.hit_count;
        let next = page
            .next_cursor
            .filter(|next| !same_cursor(next, &cursor) && page.result_count > 0);
        match next {
            Some(next) => {
                checkpoint.cursor = Some(next.clone());
                run.commit_checkpoint(SOURCE, &key, &checkpoint)?;
                cursor = next;
            }
            None => {
                if checkpoint.collected != checkpoint.hit_count {
                    run.warn(format!(
                        "{SOURCE}: {:?} ended after {} results but the server counted {} (records changed during the pass?)",
                        checkpoint.query, checkpoint.collected, checkpoint.hit_count
                    ));
                }
                checkpoint.done = true;
                checkpoint.cursor = None;
                checkpoint.completed_at = Some(today());
                run.commit_checkpoint(SOURCE, &key, &checkpoint)?;
                return Ok(());
            }
        }
    }
}

/// One page of a search, as it is asked for.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    /// The query as sent.
    pub query: &'a str,
    /// `*` for the first page, else the `nextCursorMark` of the last.
    pub cursor: &'a str,
    /// Results per page (at most 1000).
    pub page_size: u32,
    /// GET `search`, or POST `searchPOST` with the parameters as a form:
    /// Europe PMC's route for queries too long for a URL.
    pub method: Method,
}

/// Fetches one page of a search, parsed and checked against the request
/// (the whole unit is retried: fetch, read, parse, completeness).
pub async fn fetch_page(
    run: &HarvestRun<'_>,
    config: &Config,
    page: &PageRequest<'_>,
    collected_before: u64,
) -> Result<SearchPage, HarvestError> {
    let mut params = vec![
        ("query", page.query.to_owned()),
        ("resultType", "core".to_owned()),
        ("format", "json".to_owned()),
        ("pageSize", page.page_size.to_string()),
        ("cursorMark", page.cursor.to_owned()),
    ];
    if let Some(email) = config
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        params.push(("email", email.to_owned()));
    }
    let mut request = match page.method {
        Method::Get => HttpRequest::get(SOURCE, KIND_SEARCH, endpoint(&config.base_url, "search")),
        Method::Post => HttpRequest::post(
            SOURCE,
            KIND_SEARCH,
            endpoint(&config.base_url, "searchPOST"),
        ),
    };
    for (name, value) in params {
        request = match page.method {
            Method::Get => request.query(name, value),
            Method::Post => request.form(name, value),
        };
    }
    request = request.header("Accept", "application/json");
    let shown = shown_parameters(request.method, &request.query, &request.form);
    let location = location_of(&request.url, &shown);
    let cursor = page.cursor;
    let parsed = run
        .http
        .fetch(&request, |response| {
            response.require_success()?;
            let parsed = parse_search(response.text()?, &location, &response.fetched_at)
                .map_err(|error| Rejection::Incomplete(error.to_string()))?;
            check_page(&parsed, cursor, collected_before)?;
            Ok(parsed)
        })
        .await
        .map_err(|error| without_contact(error, config.email.as_deref()))?;
    Ok(parsed)
}

/// The parameters provenance shows of a request: its query string, or, for
/// a POSTed form, every parameter but the query — POSTed queries are roster
/// searches, and their text names the people searched for.
fn shown_parameters(
    method: Method,
    query: &[(String, String)],
    form: &[(String, String)],
) -> Vec<(String, String)> {
    match method {
        Method::Get => query.to_vec(),
        Method::Post => form
            .iter()
            .filter(|(name, _)| name != "query")
            .cloned()
            .collect(),
    }
}

/// The fetch error with the configured contact address masked: the error
/// names the request URL, which carries it as the `email` parameter, and
/// the message ends up on the terminal and in logs.
fn without_contact(error: FetchError, email: Option<&str>) -> FetchError {
    let Some(email) = email.map(str::trim).filter(|email| !email.is_empty()) else {
        return error;
    };
    let scrub = |text: String| text.replace(email, "***");
    match error {
        FetchError::Exhausted {
            url,
            attempts,
            last,
        } => FetchError::Exhausted {
            url: scrub(url),
            attempts,
            last: scrub(last),
        },
        FetchError::Refused {
            url,
            status,
            message,
        } => FetchError::Refused {
            url: scrub(url),
            status,
            message: scrub(message),
        },
        FetchError::Deferred { url, wait, cap } => FetchError::Deferred {
            url: scrub(url),
            wait,
            cap,
        },
        FetchError::RetryBudget {
            url,
            retries,
            requests,
        } => FetchError::RetryBudget {
            url: scrub(url),
            retries,
            requests,
        },
        FetchError::Archive { url, source } => FetchError::Archive {
            url: scrub(url),
            source,
        },
        FetchError::Client(message) => FetchError::Client(scrub(message)),
    }
}

/// `{base}{name}`, whether or not the configured base ends in a slash.
fn endpoint(base_url: &str, name: &str) -> String {
    let base = base_url.trim();
    if base.ends_with('/') {
        format!("{base}{name}")
    } else {
        format!("{base}/{name}")
    }
}

/// Rebuilds records from archived search responses.
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    let mut report = ReparseReport::default();
    for entry in entries {
        let shown = shown_parameters(entry.method, &entry.query, &entry.form);
        let location = location_of(&entry.url, &shown);
        if entry.kind != KIND_SEARCH {
            report.skipped.push(format!(
                "{location}: unknown response kind {:?}",
                entry.kind
            ));
            continue;
        }
        report.responses += 1;
        if !(200..300).contains(&entry.status) {
            report
                .skipped
                .push(format!("{location}: HTTP {} response", entry.status));
            continue;
        }
        match parse_search(&entry.body, &location, &entry.fetched_at) {
            Ok(page) => {
                for skipped in &page.skipped {
                    report.skipped.push(skipped.to_string());
                }
                for publication in page.records {
                    sink.upsert(Record::Publication(Box::new(publication)))?;
                    report.records += 1;
                }
            }
            // Retried at harvest time (a cut body, an error page): nothing to rebuild.
            Err(error) => report.skipped.push(error.to_string()),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(started_at: &str) -> Checkpoint {
        Checkpoint {
            done: true,
            query: "cancer".into(),
            collected: 25,
            hit_count: 25,
            started_at: started_at.into(),
            completed_at: Some("2026-01-03".into()),
            ..Checkpoint::default()
        }
    }

    #[test]
    fn since_adds_an_update_date_range() {
        assert_eq!(
            effective_query(" AFF:\"Cardiff\" ", Some("2025-01-31")),
            "(AFF:\"Cardiff\") AND UPDATE_DATE:[2025-01-31 TO 3000-12-31]"
        );
        assert_eq!(effective_query("x", None), "x");
    }

    #[test]
    fn auto_starts_where_the_last_completed_pass_began() {
        let mut warnings = Vec::new();
        let start = plan(
            Some(done("2026-01-02")),
            "cancer",
            Some("auto"),
            &mut warnings,
        )
        .expect("plan");
        assert_eq!(start.cursor, "*");
        assert_eq!(start.checkpoint.since.as_deref(), Some("2026-01-02"));
        assert!(start
            .checkpoint
            .query
            .ends_with("UPDATE_DATE:[2026-01-02 TO 3000-12-31]"));
        assert!(warnings.is_empty());
    }

    #[test]
    fn auto_without_a_completed_pass_harvests_everything_and_says_so() {
        let mut warnings = Vec::new();
        let start = plan(None, "cancer", Some("auto"), &mut warnings).expect("plan");
        assert_eq!(start.checkpoint.query, "cancer");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn a_completed_pass_is_not_resumed_and_an_unfinished_one_is() {
        let mut warnings = Vec::new();
        let start = plan(Some(done("2026-01-02")), "cancer", None, &mut warnings).expect("plan");
        assert_eq!(
            (start.cursor.as_str(), start.checkpoint.collected),
            ("*", 0)
        );

        let unfinished = Checkpoint {
            query: "cancer".into(),
            cursor: Some("AoE=".into()),
            collected: 10,
            hit_count: 25,
            started_at: "2026-01-02".into(),
            ..Checkpoint::default()
        };
        let start = plan(Some(unfinished.clone()), "cancer", None, &mut warnings).expect("plan");
        assert_eq!(
            (start.cursor.as_str(), start.checkpoint.collected),
            ("AoE=", 10)
        );
        let start = plan(
            Some(unfinished.clone()),
            "cancer",
            Some("auto"),
            &mut warnings,
        )
        .expect("plan");
        assert_eq!(start.cursor, "AoE=");
        assert!(warnings.is_empty());
        // A different since-date is a different pass: start over, and say so.
        let start = plan(
            Some(unfinished),
            "cancer",
            Some("2020-01-01"),
            &mut warnings,
        )
        .expect("plan");
        assert_eq!(start.cursor, "*");
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn bad_since_is_a_usage_error() {
        for bad in ["yesterday", "2025-13-01", "2025-1-1", "2025-02-30"] {
            let error = plan(None, "q", Some(bad), &mut Vec::new()).expect_err(bad);
            assert!(matches!(error, HarvestError::Usage(_)), "{bad}");
        }
    }

    #[test]
    fn cursor_echoes_compare_across_encodings() {
        assert!(same_cursor("%2A", "*"));
        assert!(same_cursor(
            "AoIIP4T93Cg1MzE0OTUzNA%3D%3D",
            "AoIIP4T93Cg1MzE0OTUzNA=="
        ));
        assert!(!same_cursor(
            "AoIIP4T93Cg1MzE0OTUzNA%3D%3D",
            "AoIIP4QUSig1MzEzNTg1NA=="
        ));
    }

    #[test]
    fn pages_must_answer_the_cursor_sent_and_not_stop_short() {
        let page = |count: usize, next: Option<&str>, echoed: Option<&str>| SearchPage {
            hit_count: 25,
            next_cursor: next.map(str::to_owned),
            request_cursor: echoed.map(str::to_owned),
            result_count: count,
            ..SearchPage::default()
        };
        assert!(check_page(&page(10, Some("B"), Some("A")), "A", 0).is_ok());
        assert!(check_page(&page(10, Some("B"), Some("Z")), "A", 0).is_err());
        // Short mid-stream pages are fine: the next cursor decides.
        assert!(check_page(&page(3, Some("B"), None), "A", 10).is_ok());
        // Empty with a fresh cursor before hitCount: retried.
        assert!(check_page(&page(0, Some("B"), None), "A", 10).is_err());
        // Empty and echoing the cursor, or past hitCount: the end.
        assert!(check_page(&page(0, Some("A"), None), "A", 10).is_ok());
        assert!(check_page(&page(0, Some("B"), None), "A", 25).is_ok());
    }

    #[test]
    fn locations_leave_out_the_contact_address() {
        let query = vec![
            ("query".to_owned(), "x".to_owned()),
            ("email".to_owned(), "ops@example.org".to_owned()),
            ("cursorMark".to_owned(), "*".to_owned()),
        ];
        assert_eq!(
            location_of("http://h/search", &query),
            "http://h/search?query=x&cursorMark=*"
        );
        assert_eq!(endpoint("http://h/rest", "search"), "http://h/rest/search");
        assert_eq!(
            endpoint("http://h/rest/", "searchPOST"),
            "http://h/rest/searchPOST"
        );
    }
}
