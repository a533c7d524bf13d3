//! UKRI Gateway to Research API v2 (GtR-2, JSON v7): grants with their
//! people, organisations, funding and reported publications.
//!
//! The harvest walks `projects?q=…&s=…&p=…` page by page. A project carries
//! neither its amount nor (usually) its dates: those live behind its `FUND`
//! link, and names behind its person and organisation links, so each link is
//! followed (`funds/{id}`, `persons/{id}`, `organisations/{id}`,
//! `outcomes/publications/{id}`) and the entity cached by GUID for the rest of
//! the run, since many projects share organisations. Every page's grants are
//! upserted and committed with the next page number as checkpoint; a page is
//! only committed once all its links were resolved, so a run stopped at any
//! point resumes at the first page not committed.

pub mod parse;
pub mod text;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{FetchError, HarvestError, HarvestRun, HttpRequest, Rejection, ReparseReport};
use hcs_index::{RecordSink, UpsertOutcome};
use hcs_model::records::Record;
use parse::{
    build_grant, is_followed, listed_person, parse_entity, parse_entity_body, parse_listing_body,
    parse_projects_body, parse_projects_page, project_links, Entity, EntityKind, PageOrigin,
    ProjectsPage, PAST_LAST_PAGE,
};

/// Source name used in provenance, the archive and pacing.
pub const SOURCE: &str = "gtr";

/// The media type of GtR's JSON version 7 (a plain `application/json` gets the oldest version).
pub const ACCEPT_V7: &str = "application/vnd.rcuk.gtr.json-v7";

/// Archive kind of a `projects` search page.
const PROJECTS_KIND: &str = "projects";

/// Archive kind of a `persons` search page (not reparsed: it holds no grant).
const PERSON_SEARCH_KIND: &str = "person_search";

/// Configuration of this source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL (ending in `/gtr/api/`).
    pub base_url: String,
    /// Requests per second (GtR asks callers not to flood it; no number is published).
    pub rate: f64,
    /// Projects per page (`s`): GtR accepts 10 to 100.
    pub page_size: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "https://gtr.ukri.org/gtr/api/".to_owned(),
            rate: 2.0,
            page_size: 100,
        }
    }
}

impl Config {
    /// Pacing rate per source name.
    pub fn rates(&self) -> Vec<(String, f64)> {
        vec![(SOURCE.to_owned(), self.rate)]
    }

    fn url(&self, path: &str) -> String {
        let base = self.base_url.trim_end_matches('/');
        format!("{base}/{path}")
    }
}

/// Command-line arguments of `indexer harvest gtr`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {
    /// GtR search query (`q`); without one, every project is walked.
    #[arg(long)]
    pub query: Option<String>,
    /// Stop after this many pages in this run (the checkpoint keeps the place).
    #[arg(long)]
    pub max_pages: Option<u64>,
}

/// The checkpoint key of a query walk.
pub fn checkpoint_key(query: Option<&str>) -> String {
    format!("{SOURCE}:projects:{}", query.unwrap_or("*"))
}

/// Harvests this source into `run`.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    if !(10..=100).contains(&config.page_size) {
        return Err(HarvestError::Usage(format!(
            "{SOURCE}: page_size must be between 10 and 100 (GtR's limits), not {}",
            config.page_size
        )));
    }
    let query = args
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    let key = checkpoint_key(query);
    let size = config.page_size;
    let mut page = resume_page(run, &key, size);
    let mut cache = EntityCache::new();
    let mut fetched_pages = 0u64;
    let search: Vec<(&str, String)> = query.map(|q| ("q", q.to_owned())).into_iter().collect();
    loop {
        if args.max_pages.is_some_and(|max| fetched_pages >= max) {
            return Ok(());
        }
        let indexed =
            index_projects_page(run, config, "projects", &search, page, &mut cache).await?;
        fetched_pages += 1;
        let Some(indexed) = indexed else {
            if page > 1 {
                run.warn(format!(
                    "{SOURCE}: page {page} of query {:?} is past the end; the result shrank during the walk",
                    query.unwrap_or("*")
                ));
            }
            run.commit_checkpoint(SOURCE, &key, &done_checkpoint(page - 1, None))?;
            return Ok(());
        };
        let checkpoint = if page >= indexed.total_pages {
            done_checkpoint(page, Some(indexed.total_size))
        } else {
            Checkpoint {
                next_page: Some(page + 1),
                page_size: Some(size),
                total_pages: Some(indexed.total_pages),
                ..Checkpoint::default()
            }
        };
        run.commit_checkpoint(SOURCE, &key, &checkpoint)?;
        if page >= indexed.total_pages {
            return Ok(());
        }
        page += 1;
    }
}

/// Entities fetched in a run, by kind and GUID (`None`: refused, not used).
pub type EntityCache = HashMap<(EntityKind, String), Option<Entity>>;

/// The grants one page of a projects listing became.
#[derive(Debug, Clone)]
pub struct IndexedPage {
    /// Each grant's id, and whether the index did not hold it before.
    pub grants: Vec<(String, bool)>,
    /// `totalPages` of the listing.
    pub total_pages: u64,
    /// `totalSize` of the listing.
    pub total_size: u64,
}

/// Fetches page `page` of the projects listing at `path` (`projects`,
/// `persons/{id}/projects`), resolves every project's links and upserts its
/// grant, uncommitted; `None` past the last page.
pub async fn index_projects_page(
    run: &mut HarvestRun<'_>,
    config: &Config,
    path: &str,
    query: &[(&str, String)],
    page: u64,
    cache: &mut EntityCache,
) -> Result<Option<IndexedPage>, HarvestError> {
    let size = config.page_size;
    let mut request =
        HttpRequest::get(SOURCE, PROJECTS_KIND, config.url(path)).header("Accept", ACCEPT_V7);
    for (name, value) in query {
        request = request.query(name, value.clone());
    }
    request = request
        .query("s", size.to_string())
        .query("p", page.to_string());
    let (fetched, fetched_at) = run
        .http
        .fetch(&request, |response| {
            parse_projects_page(response, page, size)
                .map(|parsed| (parsed, response.fetched_at.clone()))
        })
        .await?;
    let origin = PageOrigin {
        location: request.display_url(),
        fetched_at,
    };
    let Some(ProjectsPage {
        projects,
        total_pages,
        total_size,
    }) = fetched
    else {
        return Ok(None);
    };
    let mut grants = Vec::with_capacity(projects.len());
    for project in &projects {
        resolve_links(run, config, project, cache).await?;
        let lookup =
            |kind: EntityKind, guid: &str| cache.get(&(kind, guid.to_owned())).cloned().flatten();
        let grant = build_grant(SOURCE, project, &origin, &lookup);
        let id = grant.id.clone();
        let outcome = run.sink.upsert(Record::Grant(Box::new(grant)))?;
        grants.push((id, outcome == UpsertOutcome::New));
        run.progress.inc(1);
    }
    Ok(Some(IndexedPage {
        grants,
        total_pages,
        total_size,
    }))
}

/// Every person GtR finds under `family` in its surname field (`per.sn`),
/// all pages, with their GUIDs.
pub async fn persons_named(
    run: &mut HarvestRun<'_>,
    config: &Config,
    family: &str,
) -> Result<Vec<(String, Entity)>, HarvestError> {
    let size = config.page_size;
    let mut people = Vec::new();
    let mut page = 1;
    loop {
        let request = HttpRequest::get(SOURCE, PERSON_SEARCH_KIND, config.url("persons"))
            .header("Accept", ACCEPT_V7)
            .query("q", family)
            .query("f", "per.sn")
            .query("s", size.to_string())
            .query("p", page.to_string());
        let listing = run
            .http
            .fetch(&request, |response| {
                if response.status == 404
                    && String::from_utf8_lossy(&response.body).contains(PAST_LAST_PAGE)
                {
                    return Ok(None);
                }
                response.require_success()?;
                parse_listing_body(response.text()?, "person", page, size).map(Some)
            })
            .await?;
        let Some(listing) = listing else {
            return Ok(people);
        };
        people.extend(listing.items.iter().filter_map(listed_person));
        if page >= listing.total_pages {
            return Ok(people);
        }
        page += 1;
    }
}

/// Indexes every project of the person with GUID `guid` (all pages of
/// `persons/{guid}/projects`), uncommitted; their grant ids and whether new.
pub async fn person_projects(
    run: &mut HarvestRun<'_>,
    config: &Config,
    guid: &str,
    cache: &mut EntityCache,
) -> Result<Vec<(String, bool)>, HarvestError> {
    let path = format!("persons/{guid}/projects");
    let mut grants = Vec::new();
    let mut page = 1;
    while let Some(indexed) = index_projects_page(run, config, &path, &[], page, cache).await? {
        grants.extend(indexed.grants);
        if page >= indexed.total_pages {
            break;
        }
        page += 1;
    }
    Ok(grants)
}

/// Where to start: the committed next page of an unfinished walk with the same
/// page size, else page 1 (a finished walk is walked again: GtR has no
/// modified-since filter).
fn resume_page(run: &mut HarvestRun<'_>, key: &str, size: u64) -> u64 {
    let Some(checkpoint) = run.checkpoint::<Checkpoint>(SOURCE, key) else {
        return 1;
    };
    if checkpoint.done {
        return 1;
    }
    let same_size = checkpoint.page_size == Some(size);
    match checkpoint.next_page {
        Some(next) if same_size && next >= 1 => next,
        Some(_) => {
            run.warn(format!(
                "{SOURCE}: checkpoint {key} was made with another page size; starting again at page 1"
            ));
            1
        }
        None => 1,
    }
}

fn done_checkpoint(pages: u64, total: Option<u64>) -> Checkpoint {
    Checkpoint {
        done: true,
        completed_at: Some(hcs_model::clock::now_rfc3339()),
        pages: Some(pages),
        total: Some(total.unwrap_or(0)),
        ..Checkpoint::default()
    }
}

/// Where the walk of one query stands, under the query's checkpoint key:
/// a finished walk says when and how far; an unfinished one its next page
/// and the page size that numbering assumes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Checkpoint {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    done: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pages: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_page: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page_size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    total_pages: Option<u64>,
}

/// Fetches every followed entity of `project` not yet in `cache`.
///
/// A refused entity (GtR answered with another record, or a 4xx) is cached as
/// missing and warned about; a fetch that failed for good stops the run, so
/// the page is not committed half-resolved.
async fn resolve_links(
    run: &mut HarvestRun<'_>,
    config: &Config,
    project: &serde_json::Map<String, Value>,
    cache: &mut EntityCache,
) -> Result<(), HarvestError> {
    for link in project_links(project) {
        let (Some(kind), Some(guid)) = (link.kind, link.guid.clone()) else {
            continue;
        };
        if !is_followed(&link) || cache.contains_key(&(kind, guid.clone())) {
            continue;
        }
        let request = HttpRequest::get(
            SOURCE,
            kind.archive_kind(),
            config.url(&format!("{}/{guid}", kind.path())),
        )
        .header("Accept", ACCEPT_V7);
        let entity = match run
            .http
            .fetch(&request, |response| parse_entity(response, kind, &guid))
            .await
        {
            Ok(entity) => Some(entity),
            Err(FetchError::Refused { message, .. }) => {
                let project_id = project.get("id").and_then(Value::as_str).unwrap_or("?");
                run.warn(format!(
                    "{SOURCE}: project {project_id}: {} link {} to {guid} not used: {message}",
                    kind.archive_kind(),
                    link.rel
                ));
                None
            }
            Err(error) => return Err(error.into()),
        };
        cache.insert((kind, guid), entity);
    }
    Ok(())
}

/// Rebuilds this source's records from its archived responses: entity
/// responses are indexed by GUID (the latest good one wins), then every
/// archived projects page is mapped again with them.
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    let mut report = ReparseReport::default();
    let mut entities: HashMap<(EntityKind, String), Entity> = HashMap::new();
    for entry in entries {
        let Some(kind) = EntityKind::from_archive_kind(&entry.kind) else {
            continue;
        };
        report.responses += 1;
        let Some(guid) = text::trailing_guid(&entry.url).map(|(_, guid)| guid.to_owned()) else {
            report.skipped.push(format!(
                "{}: no GUID in the request URL",
                entry.display_url()
            ));
            continue;
        };
        // A refusal (an error status, or GtR's answer with another record for an
        // unknown GUID) was refused at harvest time too: the grant was built
        // without that entity then, and is again now.
        if !(200..300).contains(&entry.status) {
            continue;
        }
        match parse_entity_body(&entry.body, kind, &guid) {
            Ok(entity) => {
                entities.insert((kind, guid), entity);
            }
            Err(Rejection::Refused(_)) => {}
            Err(Rejection::Incomplete(message)) => report
                .skipped
                .push(format!("{}: {message}", entry.display_url())),
        }
    }
    let lookup = |kind: EntityKind, guid: &str| entities.get(&(kind, guid.to_owned())).cloned();
    for entry in entries.iter().filter(|entry| entry.kind == PROJECTS_KIND) {
        report.responses += 1;
        let number = |name: &str| entry.param(name).and_then(|v| v.parse::<u64>().ok());
        let (Some(page), Some(size)) = (number("p"), number("s")) else {
            report.skipped.push(format!(
                "{}: no page or size parameter",
                entry.display_url()
            ));
            continue;
        };
        if entry.status == 404 && entry.body.contains(PAST_LAST_PAGE) {
            continue;
        }
        if !(200..300).contains(&entry.status) {
            report
                .skipped
                .push(format!("{}: HTTP {}", entry.display_url(), entry.status));
            continue;
        }
        let parsed = match parse_projects_body(&entry.body, page, size) {
            Ok(parsed) => parsed,
            Err(rejection) => {
                report
                    .skipped
                    .push(format!("{}: {rejection:?}", entry.display_url()));
                continue;
            }
        };
        let origin = PageOrigin {
            location: entry.display_url(),
            fetched_at: entry.fetched_at.clone(),
        };
        for project in &parsed.projects {
            let grant = build_grant(SOURCE, project, &origin, &lookup);
            sink.upsert(Record::Grant(Box::new(grant)))?;
            report.records += 1;
        }
    }
    Ok(report)
}

crate::registry::source_module! {
    /// UKRI Gateway to Research, as the [`crate::registry`] lists it.
    Gtr
}
