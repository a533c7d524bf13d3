//! OAI-PMH 2.0 repositories (ORCA, Cronfa, …): ListRecords harvesting with
//! resumption tokens, deletions, and `oai_dc` mapping.
//!
//! Each configured repository is its own source, `oai:<name>`, with its own
//! pacing rate and archive folder. A harvest is one list request
//! (`metadataPrefix`, `from`, `until`, `set`) followed by `resumptionToken`
//! requests until the token is absent or empty; every page is upserted and
//! committed with a checkpoint holding the window and the next token.
//!
//! Resuming: the next token is re-issued only when one was recorded and has
//! not expired. Otherwise — and when the server answers `badResumptionToken`
//! — the list restarts from the `from` of the window in progress, which is the
//! last point everything before was fully committed. We never restart from
//! the largest datestamp seen in a partial list: the spec does not order
//! lists by datestamp (EPrints orders them by id), so that would skip
//! records. Refetching part of a window costs time, not correctness, because
//! upserts are idempotent.
//!
//! After a complete list the checkpoint holds `{"done": true, "until": …}`,
//! where `until` is the requested end, else the date of the first page's
//! `responseDate`; the next run without `--from` starts there (day
//! granularity, which every repository must accept; `from` is inclusive, so
//! the overlap day is re-read, idempotently).

pub mod dom;
pub mod parse;

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{
    HarvestError, HarvestRun, HttpRequest, HttpResponse, Rejection, ReparseReport,
};
use hcs_index::{IndexError, RecordSink};
use hcs_model::records::Record;
use parse::{map_record, parse_page, OaiPage, Origin};

/// Source name prefix: each repository harvests as `oai:<name>`.
pub const SOURCE: &str = "oaipmh";

/// Response kind of archived ListRecords pages.
pub const KIND: &str = "ListRecords";

/// `badResumptionToken` restarts allowed in one run before giving up (a server
/// whose tokens always fail would otherwise loop forever).
const MAX_RESTARTS: u32 = 3;

/// Examples of skipped records named in a page's warning.
const SKIP_EXAMPLES: usize = 5;

/// Configuration: the repositories that can be harvested, by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Repositories by name; configured names replace the built-in defaults
    /// of the same name, and the defaults (`orca`, `cronfa`) stay available.
    #[serde(deserialize_with = "with_default_repositories")]
    pub repositories: BTreeMap<String, RepositoryConfig>,
}

/// One OAI-PMH repository.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepositoryConfig {
    /// The OAI-PMH base URL (the verb goes in the query string).
    pub base_url: String,
    /// Metadata format to ask for (`oai_dc` is the one every repository must offer).
    #[serde(default = "default_prefix")]
    pub metadata_prefix: String,
    /// Requests per second (repositories ask for one sequential connection).
    #[serde(default = "default_rate")]
    pub rate: f64,
}

fn default_prefix() -> String {
    "oai_dc".to_owned()
}

fn default_rate() -> f64 {
    1.0
}

/// Built-in repositories. Both base URLs are the platform defaults inferred
/// from the public record URLs (ORCA runs EPrints, Cronfa runs VuFind) and are
/// unverified: confirm with `?verb=Identify` before relying on them.
fn default_repositories() -> BTreeMap<String, RepositoryConfig> {
    let repository = |base_url: &str| RepositoryConfig {
        base_url: base_url.to_owned(),
        metadata_prefix: default_prefix(),
        rate: default_rate(),
    };
    BTreeMap::from([
        (
            "orca".to_owned(),
            repository("https://orca.cardiff.ac.uk/cgi/oai2"),
        ),
        (
            "cronfa".to_owned(),
            repository("https://cronfa.swan.ac.uk/OAI/Server"),
        ),
    ])
}

fn with_default_repositories<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, RepositoryConfig>, D::Error> {
    let configured = BTreeMap::<String, RepositoryConfig>::deserialize(deserializer)?;
    let mut repositories = default_repositories();
    repositories.extend(configured);
    Ok(repositories)
}

impl Default for Config {
    fn default() -> Self {
        Self {
            repositories: default_repositories(),
        }
    }
}

impl Config {
    /// Pacing rate per source name: one entry per repository (`oai:<name>`).
    pub fn rates(&self) -> Vec<(String, f64)> {
        self.repositories
            .iter()
            .map(|(name, repository)| (source_name(name), repository.rate))
            .collect()
    }
}

/// The source name of repository `name`.
pub fn source_name(name: &str) -> String {
    format!("oai:{name}")
}

/// Command-line arguments of `indexer harvest oaipmh`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {
    /// Repository name from the configuration (`orca`, `cronfa`, or one you configured).
    #[arg(long)]
    pub repository: String,
    /// Harvest records changed on or after this date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ);
    /// default: where the last complete harvest ended, else from the beginning.
    #[arg(long)]
    pub from: Option<String>,
    /// Harvest records changed on or before this date (same forms as --from).
    #[arg(long)]
    pub until: Option<String>,
    /// Restrict to one OAI set (setSpec).
    #[arg(long)]
    pub set: Option<String>,
    /// Metadata format (default: the repository's configured one, normally oai_dc).
    #[arg(long)]
    pub metadata_prefix: Option<String>,
}

/// How far a list got, stored with every commit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Checkpoint {
    /// The list is complete; `until` is where the next incremental run starts.
    #[serde(default)]
    done: bool,
    /// `from` of the window being (or last) harvested; `None` = from the beginning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    /// In progress: the requested `until` (`None` = open). Done: the end of the harvested window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
    /// The token to re-issue to continue the list (a restart hint only: tokens expire).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// When `token` expires, if the server said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_expires: Option<String>,
    /// `responseDate` of the list's first page: the window's end when `until` is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started: Option<String>,
    /// Pages committed in this list.
    #[serde(default)]
    pages: u64,
    /// Largest datestamp committed in this list (informational; see the module docs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_datestamp: Option<String>,
}

fn checkpoint_key(name: &str, prefix: &str, set: Option<&str>) -> String {
    format!("oai:{name}:{prefix}:{}", set.unwrap_or(""))
}

/// What one list request produced.
enum Answer {
    /// A page of records (possibly the last).
    Page(OaiPage, String, String),
    /// `noRecordsMatch`: the window is empty.
    Empty(Option<String>),
    /// `badResumptionToken`: the token expired or is unknown.
    BadToken(String),
}

/// Harvests one repository into `run`.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    let name = args.repository.trim();
    let repository = repository_of(config, name)?;
    check_window(args)?;
    let source = source_name(name);
    let prefix = args
        .metadata_prefix
        .clone()
        .unwrap_or_else(|| repository.metadata_prefix.clone());
    let set = args.set.as_deref().filter(|s| !s.is_empty());
    let key = checkpoint_key(name, &prefix, set);
    let mut state = resume_state(run, &key, &source, args);
    let base = HttpRequest::get(&source, KIND, repository.base_url.trim().to_owned());
    let mut restarts = 0;
    loop {
        let request = list_request(&base, &state, &prefix, set);
        let location = request.display_url();
        let answer = run
            .http
            .fetch(&request, |response| accept(response, &location))
            .await?;
        match answer {
            Answer::BadToken(message) => {
                if state.token.is_none() {
                    return Err(HarvestError::Source {
                        source_name: source,
                        location,
                        message: format!("badResumptionToken without a token: {message}"),
                    });
                }
                restarts += 1;
                if restarts > MAX_RESTARTS {
                    return Err(HarvestError::Source {
                        source_name: source,
                        location,
                        message: format!(
                            "badResumptionToken {restarts} times in one run ({message}); giving up"
                        ),
                    });
                }
                run.warn(format!(
                    "{source}: resumption token refused ({message}); restarting the list from {}",
                    state.from.as_deref().unwrap_or("the beginning")
                ));
                restart(&mut state);
            }
            Answer::Empty(response_date) => {
                if state.started.is_none() {
                    state.started = response_date;
                }
                break;
            }
            Answer::Page(page, location, fetched_at) => {
                let origin = Origin {
                    source: &source,
                    location: &location,
                    fetched_at: &fetched_at,
                };
                apply_listed_page(run, &mut state, &page, origin)?;
                match page.next_token() {
                    Some(next) => {
                        state.token = Some(next.to_owned());
                        state.token_expires = page.token.as_ref().and_then(|t| {
                            local_expiry(
                                t.expiration_date.as_deref()?,
                                page.response_date.as_deref(),
                            )
                        });
                        run.commit_checkpoint(SOURCE, &key, &state)?;
                    }
                    None => break,
                }
            }
        }
    }
    run.commit_checkpoint(SOURCE, &key, &finished(&state))
}

/// The configured repository `name`, with a base URL.
fn repository_of<'c>(config: &'c Config, name: &str) -> Result<&'c RepositoryConfig, HarvestError> {
    let repository = config.repositories.get(name).ok_or_else(|| {
        HarvestError::Usage(format!(
            "oaipmh: unknown repository {name:?} (configured: {})",
            config
                .repositories
                .keys()
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    if repository.base_url.trim().is_empty() {
        return Err(HarvestError::Usage(format!(
            "oaipmh: repository {name:?} has no base_url"
        )));
    }
    Ok(repository)
}

/// `--from` and `--until` are datestamps, in order.
fn check_window(args: &HarvestArgs) -> Result<(), HarvestError> {
    for (flag, value) in [("--from", &args.from), ("--until", &args.until)] {
        if let Some(value) = value {
            check_datestamp(value).map_err(|message| {
                HarvestError::Usage(format!("oaipmh: {flag} {value:?}: {message}"))
            })?;
        }
    }
    if let (Some(from), Some(until)) = (&args.from, &args.until) {
        if from.get(..10) > until.get(..10) {
            return Err(HarvestError::Usage(format!(
                "oaipmh: --from {from} is after --until {until}"
            )));
        }
    }
    Ok(())
}

/// Where this run starts: an unfinished list of the same window resumes
/// from its token (unless the token has expired); otherwise a new list
/// starts from `--from`, else from the end of the last completed run.
fn resume_state(
    run: &mut HarvestRun<'_>,
    key: &str,
    source: &str,
    args: &HarvestArgs,
) -> Checkpoint {
    let saved: Option<Checkpoint> = run.checkpoint(SOURCE, key);
    let from = match (&args.from, &saved) {
        (Some(from), _) => Some(from.clone()),
        (None, Some(saved)) if saved.done => saved.until.clone(),
        (None, Some(saved)) => saved.from.clone(),
        (None, None) => None,
    };
    let until = args.until.clone();
    let mut state = match saved {
        Some(saved) if !saved.done && saved.from == from && saved.until == until => saved,
        _ => Checkpoint {
            from: from.clone(),
            until,
            ..Checkpoint::default()
        },
    };
    if let Some(expires) = &state.token_expires {
        if token_expired(expires) {
            run.warn(format!(
                "{source}: the saved resumption token expired at {expires}; restarting the list from {}",
                from.as_deref().unwrap_or("the beginning")
            ));
            restart(&mut state);
        }
    }
    state
}

/// The next ListRecords request: the resumption token alone (it is an
/// exclusive argument), or the first request of the list with its window.
fn list_request(
    base: &HttpRequest,
    state: &Checkpoint,
    prefix: &str,
    set: Option<&str>,
) -> HttpRequest {
    match &state.token {
        Some(token) => base
            .clone()
            .query("verb", "ListRecords")
            .query("resumptionToken", token.clone()),
        None => {
            let mut request = base
                .clone()
                .query("verb", "ListRecords")
                .query("metadataPrefix", prefix.to_owned());
            if let Some(from) = &state.from {
                request = request.query("from", from.clone());
            }
            if let Some(until) = &state.until {
                request = request.query("until", until.clone());
            }
            if let Some(set) = set {
                request = request.query("set", set);
            }
            request
        }
    }
}

/// Indexes one listed page and notes in `state` what the checkpoint needs
/// (when the list started, its latest datestamp, pages done); skipped
/// records and an inconsistent cursor are warned about.
fn apply_listed_page(
    run: &mut HarvestRun<'_>,
    state: &mut Checkpoint,
    page: &OaiPage,
    origin: Origin<'_>,
) -> Result<(), HarvestError> {
    let (source, location) = (origin.source, origin.location);
    if state.started.is_none() {
        state.started = page.response_date.clone();
    }
    let outcome = apply_page(&mut run.sink, page, origin)?;
    run.progress.inc(outcome.upserted + outcome.deleted);
    if !outcome.skipped.is_empty() {
        run.warn(outcome.describe_skips(source, location));
    }
    if let Some(token) = &page.token {
        if let (Some(cursor), Some(size)) = (token.cursor, token.complete_list_size) {
            if cursor + page.records.len() as u64 > size {
                run.warn(format!(
                    "{source}: {location}: cursor {cursor} + {} records exceeds completeListSize {size}",
                    page.records.len()
                ));
            }
        }
    }
    for record in &page.records {
        if state
            .max_datestamp
            .as_deref()
            .is_none_or(|max| record.datestamp.as_str() > max)
        {
            state.max_datestamp = Some(record.datestamp.clone());
        }
    }
    state.pages += 1;
    Ok(())
}

/// The checkpoint of a completed list: the next run starts at its end (the
/// window's `until`, else the day the list started on the server's clock).
fn finished(state: &Checkpoint) -> Checkpoint {
    let end = state
        .until
        .clone()
        .or_else(|| {
            state
                .started
                .as_deref()
                .and_then(|d| d.get(..10))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| hcs_model::clock::now_rfc3339()[..10].to_owned());
    Checkpoint {
        done: true,
        from: state.from.clone(),
        until: Some(end),
        pages: state.pages,
        max_datestamp: state.max_datestamp.clone(),
        ..Checkpoint::default()
    }
}

/// Forgets the token so the next request restarts the list from the window's `from`.
fn restart(state: &mut Checkpoint) {
    state.token = None;
    state.token_expires = None;
    state.started = None;
    state.pages = 0;
}

/// Decides what a response means. The OAI `<error>` body is read whatever the
/// HTTP status: Zenodo sends its errors with 422.
fn accept(response: &HttpResponse, location: &str) -> Result<Answer, Rejection> {
    let success = (200..300).contains(&response.status);
    let page = match parse_page(&response.body) {
        Ok(page) => page,
        Err(error) if success => return Err(Rejection::Incomplete(error.to_string())),
        Err(error) => {
            return Err(Rejection::Refused(format!(
                "HTTP {} and no OAI-PMH answer ({error}): {}",
                response.status,
                crate::harvest::http::snippet(&response.body)
            )))
        }
    };
    if let Some(error) = page.errors.first() {
        return match error.code.as_str() {
            "noRecordsMatch" => Ok(Answer::Empty(page.response_date)),
            "badResumptionToken" => Ok(Answer::BadToken(error.message.clone())),
            code => Err(Rejection::Refused(format!(
                "OAI-PMH error {code}: {}",
                error.message
            ))),
        };
    }
    if !success {
        return Err(Rejection::Refused(format!(
            "HTTP {} with an OAI-PMH list and no error",
            response.status
        )));
    }
    Ok(Answer::Page(
        page,
        location.to_owned(),
        response.fetched_at.clone(),
    ))
}

/// What applying one page did.
#[derive(Debug, Default)]
struct PageOutcome {
    upserted: u64,
    deleted: u64,
    skipped: Vec<(String, String)>,
}

impl PageOutcome {
    fn describe_skips(&self, source: &str, location: &str) -> String {
        let examples: Vec<String> = self
            .skipped
            .iter()
            .take(SKIP_EXAMPLES)
            .map(|(id, reason)| format!("{id}: {reason}"))
            .collect();
        let more = self.skipped.len().saturating_sub(SKIP_EXAMPLES);
        format!(
            "{source}: {location}: {} record(s) skipped ({}{})",
            self.skipped.len(),
            examples.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        )
    }
}

/// Upserts the page's records and applies its deletions.
fn apply_page(
    sink: &mut RecordSink<'_>,
    page: &OaiPage,
    origin: Origin<'_>,
) -> Result<PageOutcome, IndexError> {
    let mut outcome = PageOutcome::default();
    for record in &page.records {
        if record.deleted {
            sink.delete_version(origin.source, &record.identifier)?;
            outcome.deleted += 1;
            continue;
        }
        match map_record(record, origin) {
            Ok(publication) => {
                sink.upsert(Record::Publication(Box::new(publication)))?;
                outcome.upserted += 1;
            }
            Err(reason) => outcome
                .skipped
                .push((record.identifier.clone(), reason.to_string())),
        }
    }
    Ok(outcome)
}

/// Rebuilds records from archived ListRecords pages, deletions included, in fetch order.
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    let mut report = ReparseReport::default();
    for entry in entries.iter().filter(|entry| entry.kind == KIND) {
        report.responses += 1;
        let location = entry.display_url();
        let page = match parse_page(entry.body.as_bytes()) {
            Ok(page) => page,
            Err(error) => {
                report.skipped.push(format!("{location}: {error}"));
                continue;
            }
        };
        if let Some(error) = page.errors.first() {
            // noRecordsMatch and badResumptionToken carry no records; any other
            // error was refused at harvest time and is listed for the operator.
            if !matches!(error.code.as_str(), "noRecordsMatch" | "badResumptionToken") {
                report.skipped.push(format!(
                    "{location}: OAI-PMH error {}: {}",
                    error.code, error.message
                ));
            }
            continue;
        }
        let origin = Origin {
            source: &entry.source,
            location: &location,
            fetched_at: &entry.fetched_at,
        };
        let outcome = apply_page(sink, &page, origin)?;
        report.records += outcome.upserted;
    }
    Ok(report)
}

/// Checks a `from`/`until` value: `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`.
fn check_datestamp(value: &str) -> Result<(), String> {
    let day = value.get(..10).unwrap_or("");
    hcs_model::dates::parse_iso_exact(day).ok_or_else(|| "not a date (YYYY-MM-DD)".to_owned())?;
    match &value[day.len()..] {
        "" => Ok(()),
        time_part => {
            let format = time::macros::format_description!("T[hour]:[minute]:[second]Z");
            time::Time::parse(time_part, &format)
                .map(|_| ())
                .map_err(|_| "not a UTC datetime (YYYY-MM-DDThh:mm:ssZ)".to_owned())
        }
    }
}

/// When a token expires by our clock: its lifetime on the server's clock
/// (`expirationDate` − `responseDate`) counted from now, so a server clock
/// that is off does not make a live token look dead, or the reverse. Without
/// a readable `responseDate` the server's `expirationDate` is taken as is.
fn local_expiry(expiration: &str, response_date: Option<&str>) -> Option<String> {
    use time::format_description::well_known::Rfc3339;
    let expires = time::OffsetDateTime::parse(expiration.trim(), &Rfc3339).ok()?;
    let local =
        match response_date.and_then(|d| time::OffsetDateTime::parse(d.trim(), &Rfc3339).ok()) {
            Some(responded) => time::OffsetDateTime::now_utc() + (expires - responded),
            None => expires,
        };
    local
        .replace_nanosecond(0)
        .unwrap_or(local)
        .format(&Rfc3339)
        .ok()
}

/// Whether an `expirationDate` lies in the past (an unreadable one counts as expired).
fn token_expired(expires: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(expires.trim(), &Rfc3339) {
        Ok(when) => when <= time::OffsetDateTime::now_utc(),
        Err(_) => true,
    }
}

crate::registry::source_module! {
    /// OAI-PMH repositories, as the [`crate::registry`] lists it.
    Oaipmh,
    /// Each repository archives under its own `oai:<name>` source.
    fn reparses(source: &str) -> bool {
        source.starts_with("oai")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_repositories_extend_the_defaults() {
        let config: Config = toml::from_str(
            "[repositories.test]\nbase_url = \"http://127.0.0.1/oai\"\nrate = 50.0\n",
        )
        .unwrap();
        assert_eq!(config.repositories["test"].metadata_prefix, "oai_dc");
        assert!(config.repositories.contains_key("orca"));
        let rates = config.rates();
        assert!(rates.contains(&("oai:test".to_owned(), 50.0)));
        assert!(rates.contains(&("oai:cronfa".to_owned(), 1.0)));
        assert!(toml::from_str::<Config>("nope = 1").is_err());
    }

    #[test]
    fn datestamps_and_expiry() {
        assert!(check_datestamp("2024-01-31").is_ok());
        assert!(check_datestamp("2024-01-31T10:00:00Z").is_ok());
        assert!(check_datestamp("2024-13-01").is_err());
        assert!(check_datestamp("2024-01-31 10:00").is_err());
        assert!(token_expired("2001-01-01T00:00:00Z"));
        assert!(!token_expired("2099-01-01T01:30:28Z"));
        assert!(token_expired("soon"));
        // Two minutes of lifetime on the server's clock are two minutes from now on ours.
        let local = local_expiry("2026-08-13T18:21:00Z", Some("2026-08-13T18:19:00Z")).unwrap();
        assert!(!token_expired(&local));
        let past = local_expiry("2026-08-13T18:21:00Z", Some("2026-08-13T18:22:00Z")).unwrap();
        assert!(token_expired(&past));
        assert_eq!(local_expiry("never", None), None);
    }
}
