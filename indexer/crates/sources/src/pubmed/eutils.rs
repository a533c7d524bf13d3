//! PubMed through NCBI E-utilities: ESearch by date windows, then EFetch in
//! POSTed batches of PMIDs.
//!
//! ESearch returns at most 10,000 ids per query, so the harvest walks date
//! windows (`datetype=edat` for new records, `mdat` for revised ones), halving
//! any window whose count is over the cap — down to single days, then PMID
//! ranges (`… AND lo:hi[uid]`) for a day that still overflows. Each window's
//! ids are fetched in deterministic POSTed batches (an id list is retried as
//! is; a history-server `WebEnv` expires, so it is not relied on), every batch
//! committed with a checkpoint naming the window and the last PMID done.
//!
//! PubMed rewrites queries silently (automatic term mapping) and drops parts it
//! cannot run (`PhraseNotFound`, `FieldNotFound`). The translation is reported
//! on every run; an `ErrorList` stops the harvest before anything is imported,
//! unless `--allow-query-warnings` says the rewrite is understood.

use std::collections::{HashSet, VecDeque};

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use super::esearch::{parse_esearch, SearchResult};
use super::{PubmedItem, SOURCE};
use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{HarvestError, HarvestRun, HttpClient, HttpRequest, Rejection, ReparseReport};
use hcs_index::{RecordSink, UpsertOutcome};
use hcs_model::records::{Publication, Record};

/// Highest PMID a uid-range split considers (PMIDs are 8 digits today).
const MAX_UID: u64 = 99_999_999;
/// EFetch batches requested ahead of the one being indexed.
const PREFETCH: usize = 8;
/// Terms longer than this are POSTed: NCBI answers over-long GET URLs with 400.
const POST_TERM_CHARS: usize = 300;

/// E-utilities configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// E-utilities base URL (ending in `/eutils/`).
    pub base_url: String,
    /// `tool` parameter: this application's registered name.
    pub tool: String,
    /// `email` parameter: the operator's address registered with NCBI (not an end user's).
    pub email: Option<String>,
    /// NCBI API key: raises the allowed rate from 3 to 10 requests/s.
    pub api_key: Option<String>,
    /// Requests per second; default 3, or 10 with an API key (NCBI's published limits).
    pub rate: Option<f64>,
    /// PMIDs per EFetch POST (NCBI suggests a few hundred).
    pub batch_size: usize,
    /// Most ids ESearch returns for one query; windows with more are split.
    pub esearch_cap: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/".to_owned(),
            tool: "hcs-research-index".to_owned(),
            email: None,
            api_key: None,
            rate: None,
            batch_size: 500,
            esearch_cap: 9_999,
        }
    }
}

impl Config {
    /// The pacing rate in requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
            .unwrap_or(if self.api_key.is_some() { 10.0 } else { 3.0 })
    }

    /// Pacing rate per source name.
    pub fn rates(&self) -> Vec<(String, f64)> {
        vec![(SOURCE.to_owned(), self.rate())]
    }

    fn url(&self, utility: &str) -> String {
        format!("{}/{utility}", self.base_url.trim_end_matches('/'))
    }

    /// `tool`, `email` and `api_key`, which NCBI asks on every request.
    fn identify(&self, mut request: HttpRequest) -> HttpRequest {
        let post = matches!(request.method, crate::harvest::http::Method::Post);
        let mut add = |name: &str, value: &str| {
            request = if post {
                request.clone().form(name, value)
            } else {
                request.clone().query(name, value)
            };
        };
        add("tool", &self.tool);
        if let Some(email) = &self.email {
            add("email", email);
        }
        if let Some(key) = &self.api_key {
            add("api_key", key);
        }
        request
    }
}

/// Which PubMed date the windows are cut on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum DateType {
    /// Entrez date: when the record was added to PubMed (new records).
    Edat,
    /// Modification date: when the record last changed (revisions).
    Mdat,
    /// Publication date.
    Pdat,
}

impl DateType {
    /// The E-utilities `datetype` value.
    pub fn as_str(self) -> &'static str {
        match self {
            DateType::Edat => "edat",
            DateType::Mdat => "mdat",
            DateType::Pdat => "pdat",
        }
    }
}

/// Arguments of `indexer harvest pubmed`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {
    /// PubMed query (the E-utilities `term`), e.g. `"medical physics"[ad] AND wales[ad]`.
    #[arg(long)]
    pub query: String,
    /// Date the windows are cut on: edat (new records) or mdat (revised records).
    #[arg(long, value_enum, default_value = "edat")]
    pub datetype: DateType,
    /// First day, YYYY-MM-DD; `auto` continues from the end of the last complete harvest of this query.
    #[arg(long)]
    pub since: Option<String>,
    /// Last day, YYYY-MM-DD (default: today, UTC).
    #[arg(long)]
    pub until: Option<String>,
    /// Import even when PubMed reports parts of the query it could not run.
    #[arg(long)]
    pub allow_query_warnings: bool,
}

/// A date range (and optionally a PMID range) small enough for one ESearch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Window {
    #[serde(with = "ymd")]
    from: Date,
    #[serde(with = "ymd")]
    to: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    uids: Option<(u64, u64)>,
}

/// How far a harvest of one query got; stored in the index's commit payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checkpoint {
    query: String,
    datetype: DateType,
    #[serde(with = "ymd")]
    from: Date,
    #[serde(with = "ymd")]
    until: Date,
    /// Every window ending before this day is done.
    #[serde(with = "ymd")]
    next: Date,
    /// A window in progress: resume it first, skipping PMIDs up to `after_pmid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window: Option<Window>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after_pmid: Option<u64>,
    /// The whole range `from..=until` is harvested.
    #[serde(default)]
    done: bool,
}

mod ymd {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_date(*date, '-'))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_date(&text).map_err(serde::de::Error::custom)
    }
}

/// `date` as E-utilities writes it, `YYYY<sep>MM<sep>DD`.
pub use hcs_model::dates::format_date;

/// Parses `YYYY-MM-DD` or `YYYY/MM/DD` (padding optional), naming the text when it is not a date.
pub fn parse_date(text: &str) -> Result<Date, String> {
    hcs_model::dates::parse_date_lenient(text)
        .ok_or_else(|| format!("{text:?} is not a date (expected YYYY-MM-DD)"))
}

fn checkpoint_key(args: &HarvestArgs) -> String {
    format!("pubmed:{}:{}", args.datetype.as_str(), args.query.trim())
}

/// Harvests the PubMed records matching `args.query` into `run`.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    if config.batch_size == 0 || config.esearch_cap == 0 {
        return Err(HarvestError::Usage(
            "pubmed: batch_size and esearch_cap must be positive".to_owned(),
        ));
    }
    let key = checkpoint_key(args);
    let saved: Option<Checkpoint> = run.checkpoint(SOURCE, &key);
    let today = time::OffsetDateTime::now_utc().date();
    let until = match &args.until {
        Some(text) => parse_date(text).map_err(HarvestError::Usage)?,
        None => today,
    };
    let from = match args.since.as_deref() {
        Some("auto") => match &saved {
            // The last finished day is harvested again: records added later
            // that day were not in the earlier run, and upserts are idempotent.
            Some(saved) if saved.done => saved.until,
            Some(saved) => saved.from,
            None => {
                return Err(HarvestError::Usage(format!(
                    "pubmed: --since auto needs a completed harvest of {:?}; give a date",
                    args.query
                )))
            }
        },
        Some(text) => parse_date(text).map_err(HarvestError::Usage)?,
        None => Date::from_calendar_date(1900, Month::January, 1).expect("valid date"),
    };
    if from > until {
        return Err(HarvestError::Usage(format!(
            "pubmed: --since {} is after --until {}",
            format_date(from, '-'),
            format_date(until, '-')
        )));
    }
    let mut state = match saved {
        Some(saved) if !saved.done && saved.from == from && saved.until == until => {
            tracing::info!(next = %format_date(saved.next, '-'), "resuming PubMed harvest");
            saved
        }
        _ => Checkpoint {
            query: args.query.trim().to_owned(),
            datetype: args.datetype,
            from,
            until,
            next: from,
            window: None,
            after_pmid: None,
            done: false,
        },
    };
    let mut pending: Vec<Window> = Vec::new();
    if state.next <= until {
        pending.push(Window {
            from: state.next,
            to: until,
            uids: None,
        });
    }
    if let Some(window) = state.window {
        pending.push(window);
    }
    let mut planner = Planner {
        pending,
        resume: state.window.zip(state.after_pmid),
        translation_reported: false,
    };
    // Batches are fetched ahead, across window boundaries, while earlier ones
    // are indexed: the pacer, not parsing and indexing, sets the pace.
    let mut planned: VecDeque<Batch> = VecDeque::new();
    let mut in_flight: VecDeque<(Batch, Option<tokio::task::JoinHandle<EfetchResult>>)> =
        VecDeque::new();
    let outcome: Result<(), HarvestError> = async {
        loop {
            while in_flight.len() < PREFETCH {
                if let Some(batch) = planned.pop_front() {
                    let handle =
                        (!batch.ids.is_empty()).then(|| spawn_efetch(run, config, &batch.ids));
                    in_flight.push_back((batch, handle));
                } else if !planner.plan_next(run, config, args, &mut planned).await? {
                    break;
                }
            }
            let Some((batch, handle)) = in_flight.pop_front() else {
                break;
            };
            if let Some(handle) = handle {
                let fetched = handle.await.map_err(|error| HarvestError::Source {
                    source_name: SOURCE.to_owned(),
                    location: config.url("efetch.fcgi"),
                    message: format!("fetch task failed: {error}"),
                })??;
                index_fetched(run, &batch.ids, fetched, |_| ())?;
            }
            advance(&mut state, &batch);
            run.commit_checkpoint(SOURCE, &key, &state)?;
        }
        Ok(())
    }
    .await;
    if let Err(error) = outcome {
        for (_, handle) in in_flight
            .iter()
            .filter_map(|(b, h)| h.as_ref().map(|h| (b, h)))
        {
            handle.abort();
        }
        return Err(error);
    }
    state.done = true;
    state.window = None;
    state.after_pmid = None;
    state.next = until;
    run.commit_checkpoint(SOURCE, &key, &state)?;
    Ok(())
}

/// A batch of PMIDs to fetch (empty for a window with no records), in window order.
#[derive(Debug, Clone)]
struct Batch {
    window: Window,
    ids: Vec<u64>,
    /// The window's last batch: once it is indexed, the window is done.
    last: bool,
}

/// Moves the checkpoint past `batch`.
fn advance(state: &mut Checkpoint, batch: &Batch) {
    let window = batch.window;
    if !batch.last {
        state.window = Some(window);
        state.after_pmid = batch.ids.last().copied();
        return;
    }
    // The window is done. Part of an overflowing day leaves the rest of that
    // day as the window to resume.
    state.window = match window.uids {
        Some((_, high)) if high < MAX_UID => Some(Window {
            uids: Some((high + 1, MAX_UID)),
            ..window
        }),
        _ => None,
    };
    state.after_pmid = None;
    state.next = window.to.next_day().unwrap_or(window.to);
}

/// Turns the date range into windows under the ESearch cap, one at a time.
struct Planner {
    /// Windows still to search, the next one last.
    pending: Vec<Window>,
    /// A window that was in progress, and the last PMID already indexed in it.
    resume: Option<(Window, u64)>,
    translation_reported: bool,
}

impl Planner {
    /// Searches windows until one fits under the cap and queues its batches;
    /// false when every window is planned.
    async fn plan_next(
        &mut self,
        run: &mut HarvestRun<'_>,
        config: &Config,
        args: &HarvestArgs,
        planned: &mut VecDeque<Batch>,
    ) -> Result<bool, HarvestError> {
        while let Some(window) = self.pending.pop() {
            let search = esearch(
                &run.http,
                &esearch_request(config, args, window),
                config.esearch_cap,
            )
            .await?;
            if !self.translation_reported {
                self.translation_reported = true;
                report_translation(run, args, &search)?;
            }
            if search.count > config.esearch_cap {
                let Some((left, right)) = split(window) else {
                    return Err(HarvestError::Source {
                        source_name: SOURCE.to_owned(),
                        location: describe(window),
                        message: format!(
                            "{} records in a window that cannot be split further",
                            search.count
                        ),
                    });
                };
                self.pending.push(right);
                self.pending.push(left);
                continue;
            }
            let skip_through = match self.resume {
                Some((resumed, after)) if resumed == window => after,
                _ => 0,
            };
            let mut ids: Vec<u64> = search
                .ids
                .iter()
                .filter_map(|id| id.trim().parse::<u64>().ok())
                .filter(|id| *id > skip_through)
                .collect();
            // Ascending PMIDs make batches deterministic and the resume point a single number.
            ids.sort_unstable();
            ids.dedup();
            run.progress
                .set_message(format!("PubMed {}: {} ids", describe(window), ids.len()));
            let chunks: Vec<&[u64]> = ids.chunks(config.batch_size).collect();
            if chunks.is_empty() {
                planned.push_back(Batch {
                    window,
                    ids: Vec::new(),
                    last: true,
                });
            }
            for (index, chunk) in chunks.iter().enumerate() {
                planned.push_back(Batch {
                    window,
                    ids: chunk.to_vec(),
                    last: index + 1 == chunks.len(),
                });
            }
            return Ok(true);
        }
        Ok(false)
    }
}

/// Indexes one fetched batch, warning about PMIDs PubMed did not return;
/// `keep` takes what the caller needs of each record before it is stored.
pub fn index_fetched<T>(
    run: &mut HarvestRun<'_>,
    requested: &[u64],
    (publications, skipped): (Vec<Publication>, Vec<String>),
    mut keep: impl FnMut(&Publication) -> T,
) -> Result<Vec<(T, UpsertOutcome)>, HarvestError> {
    let returned: HashSet<&str> = publications
        .iter()
        .filter_map(|p| p.identifiers.pmid.as_deref())
        .collect();
    let missing: Vec<String> = requested
        .iter()
        .map(u64::to_string)
        .filter(|id| !returned.contains(id.as_str()))
        .collect();
    if !missing.is_empty() {
        // A complete document without them: PubMed no longer serves these ids
        // (deleted or merged since the search). Nothing to retry.
        run.warn(format!(
            "pubmed: EFetch returned no record for PMID(s) {}",
            missing.join(", ")
        ));
    }
    for problem in skipped {
        run.warn(format!("pubmed: {problem}"));
    }
    let mut kept = Vec::with_capacity(publications.len());
    for publication in publications {
        let value = keep(&publication);
        let outcome = run
            .sink
            .upsert(Record::Publication(Box::new(publication)))?;
        run.progress.inc(1);
        kept.push((value, outcome));
    }
    Ok(kept)
}

fn describe(window: Window) -> String {
    let mut text = format!(
        "window {}..{}",
        format_date(window.from, '-'),
        format_date(window.to, '-')
    );
    if let Some((low, high)) = window.uids {
        text.push_str(&format!(" PMIDs {low}..{high}"));
    }
    text
}

/// Halves a window: by days while it spans several, then by PMID range.
fn split(window: Window) -> Option<(Window, Window)> {
    if window.from < window.to {
        let days = (window.to - window.from).whole_days();
        let middle = window.from + Duration::days(days / 2);
        let right_start = middle.next_day()?;
        return Some((
            Window {
                to: middle,
                ..window
            },
            Window {
                from: right_start,
                ..window
            },
        ));
    }
    let (low, high) = window.uids.unwrap_or((1, MAX_UID));
    if low >= high {
        return None;
    }
    let middle = low + (high - low) / 2;
    Some((
        Window {
            uids: Some((low, middle)),
            ..window
        },
        Window {
            uids: Some((middle + 1, high)),
            ..window
        },
    ))
}

/// Stops before importing anything when PubMed could not run the query as
/// written; reports the translation it did run.
fn report_translation(
    run: &mut HarvestRun<'_>,
    args: &HarvestArgs,
    search: &SearchResult,
) -> Result<(), HarvestError> {
    if let Some(translation) = &search.query_translation {
        run.warn(format!("pubmed: query run as: {translation}"));
    }
    for warning in &search.warnings {
        run.warn(format!("pubmed: {warning}"));
    }
    if !search.errors.is_empty() {
        let message = search.errors.join("; ");
        if args.allow_query_warnings {
            run.warn(format!("pubmed: query partly ignored by PubMed: {message}"));
        } else {
            return Err(HarvestError::Query {
                source_name: SOURCE.to_owned(),
                query: args.query.clone(),
                message: format!(
                    "{message} (PubMed dropped these parts; fix the query or pass --allow-query-warnings)"
                ),
            });
        }
    }
    Ok(())
}

fn esearch_request(config: &Config, args: &HarvestArgs, window: Window) -> HttpRequest {
    let term = match window.uids {
        Some((low, high)) => format!("({}) AND {low}:{high}[uid]", args.query.trim()),
        None => args.query.trim().to_owned(),
    };
    search_request(config, term, Some((args.datetype, window.from, window.to)))
}

/// An ESearch for `term` (POSTed when long), within a date window when given.
pub fn search_request(
    config: &Config,
    term: String,
    window: Option<(DateType, Date, Date)>,
) -> HttpRequest {
    let url = config.url("esearch.fcgi");
    let post = term.len() > POST_TERM_CHARS;
    let mut request = if post {
        HttpRequest::post(SOURCE, "esearch", url)
    } else {
        HttpRequest::get(SOURCE, "esearch", url)
    };
    let mut params = vec![
        ("db", "pubmed".to_owned()),
        ("term", term),
        ("retmax", config.esearch_cap.to_string()),
        ("usehistory", "y".to_owned()),
    ];
    if let Some((datetype, from, to)) = window {
        params.push(("datetype", datetype.as_str().to_owned()));
        params.push(("mindate", format_date(from, '/')));
        params.push(("maxdate", format_date(to, '/')));
    }
    for (name, value) in params {
        request = if post {
            request.form(name, value)
        } else {
            request.query(name, value)
        };
    }
    config.identify(request)
}

/// Runs one ESearch request, retried until its page is complete: as many ids
/// as the count promises, up to `cap` (and transient NCBI-side errors retried).
pub async fn esearch(
    http: &HttpClient,
    request: &HttpRequest,
    cap: u64,
) -> Result<SearchResult, HarvestError> {
    let result = http
        .fetch(request, |response| {
            response.require_success()?;
            let search = parse_esearch(&response.body)
                .map_err(|error| Rejection::Incomplete(error.to_string()))?;
            if let Some(failure) = &search.failure {
                let message = format!("ESearch ERROR: {failure}");
                return Err(match esearch_failure_is_transient(failure) {
                    true => Rejection::Incomplete(message),
                    false => Rejection::Refused(message),
                });
            }
            let expected = search.count.saturating_sub(search.retstart).min(cap);
            if search.count <= cap && search.ids.len() as u64 != expected {
                return Err(Rejection::Incomplete(format!(
                    "ESearch listed {} ids for a count of {}",
                    search.ids.len(),
                    search.count
                )));
            }
            Ok(search)
        })
        .await?;
    Ok(result)
}

/// "Search Backend failed" and friends are NCBI's side and pass; anything
/// else (a bad date, an unbalanced term) fails the same way every time.
fn esearch_failure_is_transient(failure: &str) -> bool {
    let failure = failure.to_ascii_lowercase();
    [
        "backend",
        "temporar",
        "unavailable",
        "timeout",
        "timed out",
        "try again",
    ]
    .iter()
    .any(|word| failure.contains(word))
}

/// One EFetch's records, and the ones skipped with why.
pub type EfetchResult = Result<(Vec<Publication>, Vec<String>), HarvestError>;

/// Starts one EFetch POST as a task: parsing happens there too, off the indexing thread.
fn spawn_efetch(
    run: &HarvestRun<'_>,
    config: &Config,
    batch: &[u64],
) -> tokio::task::JoinHandle<EfetchResult> {
    let request = efetch_request(config, batch);
    let http = std::sync::Arc::clone(&run.http);
    tokio::spawn(async move { efetch(&http, &request).await })
}

/// The EFetch POST for these PMIDs.
pub fn efetch_request(config: &Config, pmids: &[u64]) -> HttpRequest {
    let ids: Vec<String> = pmids.iter().map(u64::to_string).collect();
    let request = HttpRequest::post(SOURCE, "efetch", config.url("efetch.fcgi"))
        .form("db", "pubmed")
        .form("id", ids.join(","))
        .form("retmode", "xml");
    config.identify(request)
}

/// Runs one EFetch request: the records, and the ones skipped with why.
pub async fn efetch(http: &HttpClient, request: &HttpRequest) -> EfetchResult {
    let location = request.display_url();
    let fetched = http
        .fetch(request, |response| {
            response.require_success()?;
            parse_efetch(&response.body, &location, &response.fetched_at)
                .map_err(Rejection::Incomplete)
        })
        .await?;
    Ok(fetched)
}

/// Parses an EFetch body completely: a truncated or malformed document is an
/// error (the whole batch is fetched again), a single unusable record is not.
fn parse_efetch(
    body: &[u8],
    location: &str,
    fetched_at: &str,
) -> Result<(Vec<Publication>, Vec<String>), String> {
    let parser = super::parse_bytes(body, location).with_fetched_at(fetched_at.to_owned());
    let mut publications = Vec::new();
    let mut skipped = Vec::new();
    for item in parser {
        match item {
            Ok(PubmedItem::Publication(publication)) => publications.push(*publication),
            Ok(PubmedItem::Deleted(_)) => {}
            Err(error) if error.is_fatal() => return Err(error.to_string()),
            Err(error) => skipped.push(error.to_string()),
        }
    }
    Ok((publications, skipped))
}

/// Rebuilds PubMed records from archived EFetch responses.
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    let mut report = ReparseReport::default();
    for entry in entries.iter().filter(|entry| entry.kind == "efetch") {
        report.responses += 1;
        let location = entry.display_url();
        match parse_efetch(entry.body.as_bytes(), &location, &entry.fetched_at) {
            Ok((publications, skipped)) => {
                report.skipped.extend(skipped);
                for publication in publications {
                    sink.upsert(Record::Publication(Box::new(publication)))?;
                    report.records += 1;
                }
            }
            Err(message) => report.skipped.push(format!(
                "{location} fetched {}: {message}",
                entry.fetched_at
            )),
        }
    }
    Ok(report)
}

crate::registry::source_module! {
    /// PubMed through E-utilities, as the [`crate::registry`] lists it.
    Pubmed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn only_ncbi_side_esearch_errors_are_retried() {
        assert!(esearch_failure_is_transient(
            "Search Backend failed: Couldn't resolve #exec_srv_1, the address table is empty."
        ));
        assert!(!esearch_failure_is_transient("Invalid mindate/maxdate"));
        assert!(!esearch_failure_is_transient("unbalanced parentheses"));
        assert!(!esearch_failure_is_transient(
            "Empty term and query_key - nothing todo"
        ));
    }

    #[test]
    fn windows_halve_by_day_then_by_pmid() {
        let window = Window {
            from: day("2024-01-01"),
            to: day("2024-01-04"),
            uids: None,
        };
        let (left, right) = split(window).unwrap();
        assert_eq!((left.from, left.to), (day("2024-01-01"), day("2024-01-02")));
        assert_eq!(
            (right.from, right.to),
            (day("2024-01-03"), day("2024-01-04"))
        );
        let single = Window {
            from: day("2024-01-01"),
            to: day("2024-01-01"),
            uids: None,
        };
        let (low, high) = split(single).unwrap();
        assert_eq!(low.uids, Some((1, 50_000_000)));
        assert_eq!(high.uids, Some((50_000_001, MAX_UID)));
        let atom = Window {
            uids: Some((7, 7)),
            ..single
        };
        assert_eq!(split(atom), None);
    }

    #[test]
    fn dates_parse_in_both_separators_and_reject_nonsense() {
        assert_eq!(day("2024/02/29"), day("2024-02-29"));
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("yesterday").is_err());
    }
}
