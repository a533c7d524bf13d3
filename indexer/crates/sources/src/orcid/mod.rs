//! ORCID public API v3.0: the works and employments of given ORCID iDs.
//!
//! For each iD: `/{orcid}/works` (grouped summaries; one summary picked per
//! group), then the full works through `/{orcid}/works/{pc1,pc2,…}` in
//! batches of up to 100 put-codes, then `/{orcid}/employments`. Works become
//! publications; employments are fetched and archived but not indexed, because
//! the index has no Person record yet — [`parse_employments`] reads them back
//! from the archive when tagging needs them.
//!
//! The checkpoint, per set of iDs, is the index of the next iD to harvest;
//! one iD's works are committed together. An unknown or deprecated iD (a 4xx
//! with an ORCID error body) is a warning and the run goes on.

pub mod parse;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{
    FetchError, HarvestError, HarvestRun, HttpRequest, HttpResponse, Rejection, ReparseReport,
};
use hcs_index::{RecordSink, UpsertOutcome};
pub use hcs_model::records::Employment;
use hcs_model::records::Record;
pub use parse::parse_employments;
use parse::{map_work, parse_bulk, parse_error, parse_works_list, select_put_codes, BulkItem};

/// Source name used in provenance, the archive and pacing.
pub const SOURCE: &str = "orcid";

/// Archive kind of `/{orcid}/works` responses.
pub const KIND_WORKS: &str = "works";
/// Archive kind of `/{orcid}/works/{put-codes}` bulk responses.
pub const KIND_BULK: &str = "works-bulk";
/// Archive kind of `/{orcid}/employments` responses.
pub const KIND_EMPLOYMENTS: &str = "employments";

/// Most put-codes ORCID accepts in one bulk read (the commonly assumed cap; unverified).
const BULK_LIMIT: usize = 100;

const ACCEPT: &str = "application/vnd.orcid+xml";

/// Configuration of this source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL.
    pub base_url: String,
    /// Requests per second (ORCID allows 12/s with a burst of 40 for anonymous use).
    pub rate: f64,
    /// Optional `/read-public` bearer token (raises the daily quota).
    pub token: Option<String>,
    /// Put-codes per bulk works request (at most 100).
    pub batch_size: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "https://pub.orcid.org/v3.0/".to_owned(),
            rate: 8.0,
            token: None,
            batch_size: BULK_LIMIT,
        }
    }
}

impl Config {
    /// Pacing rate per source name.
    pub fn rates(&self) -> Vec<(String, f64)> {
        vec![(SOURCE.to_owned(), self.rate)]
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.trim_end_matches('/'))
    }

    fn request(&self, kind: &str, path: &str) -> HttpRequest {
        let request = HttpRequest::get(SOURCE, kind, self.url(path)).header("Accept", ACCEPT);
        match self
            .token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        }
    }
}

/// Command-line arguments of `indexer harvest orcid`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {
    /// An ORCID iD to harvest (repeatable; bare or URL form).
    #[arg(long = "orcid")]
    pub orcids: Vec<String>,
    /// A file of ORCID iDs, one per line (`#` starts a comment).
    #[arg(long)]
    pub orcid_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// Index of the next iD to harvest.
    next: usize,
    /// Number of iDs in the set.
    count: usize,
    /// Every iD was harvested.
    #[serde(default)]
    done: bool,
}

/// Harvests the works (and archives the employments) of the given iDs.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    harvest_works(run, config, args).await.map(drop)
}

/// The works each iD's record listed in this run: record id, and whether
/// the index did not hold it before (iDs done before a resume are absent).
pub type WorksByOrcid = std::collections::BTreeMap<String, Vec<(String, bool)>>;

/// Harvests this source into `run`, returning each iD's works.
pub async fn harvest_works(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<WorksByOrcid, HarvestError> {
    let mut works = WorksByOrcid::new();
    if config.batch_size == 0 || config.batch_size > BULK_LIMIT {
        return Err(HarvestError::Usage(format!(
            "orcid: batch_size must be 1..={BULK_LIMIT}"
        )));
    }
    let orcids = collect_orcids(args)?;
    let key = format!("{SOURCE}:{:016x}", fnv1a(orcids.join(",").as_bytes()));
    let saved: Option<Checkpoint> = run.checkpoint(SOURCE, &key);
    // A finished set is harvested again from the start: ORCID has no change feed.
    let start = match saved {
        Some(saved) if !saved.done && saved.count == orcids.len() => saved.next,
        _ => 0,
    };
    for (index, orcid) in orcids.iter().enumerate().skip(start) {
        match harvest_one(run, config, orcid).await {
            Ok(found) => {
                works.insert(orcid.clone(), found);
            }
            Err(HarvestError::Fetch(FetchError::Refused {
                url,
                status,
                message,
            })) => run.warn(format!(
                "orcid {orcid}: skipped: HTTP {status} from {url}: {message}"
            )),
            Err(error) => return Err(error),
        }
        run.commit_checkpoint(
            SOURCE,
            &key,
            &Checkpoint {
                next: index + 1,
                count: orcids.len(),
                done: false,
            },
        )?;
    }
    run.commit_checkpoint(
        SOURCE,
        &key,
        &Checkpoint {
            next: orcids.len(),
            count: orcids.len(),
            done: true,
        },
    )?;
    Ok(works)
}

async fn harvest_one(
    run: &mut HarvestRun<'_>,
    config: &Config,
    orcid: &str,
) -> Result<Vec<(String, bool)>, HarvestError> {
    let mut works = Vec::new();
    let request = config.request(KIND_WORKS, &format!("{orcid}/works"));
    let groups = run
        .http
        .fetch(&request, |response| accept(response, parse_works_list))
        .await?;
    let put_codes = select_put_codes(&groups, orcid);
    for batch in put_codes.chunks(config.batch_size) {
        let request = config.request(KIND_BULK, &format!("{orcid}/works/{}", batch.join(",")));
        let location = request.display_url();
        let items = run
            .http
            .fetch(&request, |response| {
                accept(response, |body| parse_bulk(body, batch))
                    .map(|items| (items, response.fetched_at.clone()))
            })
            .await?;
        let (items, fetched_at) = items;
        let outcome = apply_bulk(&mut run.sink, &items, orcid, &location, &fetched_at)?;
        run.progress.inc(outcome.upserted);
        works.extend(outcome.works);
        for problem in outcome.problems {
            run.warn(format!("orcid {orcid}: {problem}"));
        }
    }
    let request = config.request(KIND_EMPLOYMENTS, &format!("{orcid}/employments"));
    // Read now only to prove the response complete; tagging reads the archive.
    run.http
        .fetch(&request, |response| accept(response, parse_employments))
        .await?;
    Ok(works)
}

/// Checks status and body: an ORCID error with a 4xx is a refusal (not
/// retried); a body that does not parse under a 2xx is incomplete (retried).
fn accept<T>(
    response: &HttpResponse,
    parse: impl FnOnce(&[u8]) -> Result<T, parse::OrcidError>,
) -> Result<T, Rejection> {
    if !(200..300).contains(&response.status) {
        let message = match parse_error(&response.body) {
            Some(error) => error.to_string(),
            None => crate::harvest::http::snippet(&response.body),
        };
        return Err(Rejection::Refused(message));
    }
    parse(&response.body).map_err(|error| match error {
        parse::OrcidError::Api { .. } => Rejection::Refused(error.to_string()),
        other => Rejection::Incomplete(other.to_string()),
    })
}

#[derive(Debug, Default)]
struct BulkOutcome {
    upserted: u64,
    /// Record id of each work, and whether it was new to the index.
    works: Vec<(String, bool)>,
    problems: Vec<String>,
}

fn apply_bulk(
    sink: &mut RecordSink<'_>,
    items: &[BulkItem],
    owner: &str,
    location: &str,
    fetched_at: &str,
) -> Result<BulkOutcome, HarvestError> {
    let mut outcome = BulkOutcome::default();
    for item in items {
        match item {
            BulkItem::Work(work) => match map_work(work, owner, location, fetched_at) {
                Ok(publication) => {
                    let id = publication.id.clone();
                    let upserted = sink.upsert(Record::Publication(Box::new(publication)))?;
                    outcome.upserted += 1;
                    outcome.works.push((id, upserted == UpsertOutcome::New));
                }
                Err(skip) => outcome.problems.push(format!("skipped: {skip}")),
            },
            BulkItem::Error(message) => outcome.problems.push(format!("work error: {message}")),
        }
    }
    Ok(outcome)
}

/// The iDs from `--orcid` and `--orcid-file`, validated, de-duplicated, in order.
fn collect_orcids(args: &HarvestArgs) -> Result<Vec<String>, HarvestError> {
    let mut raw: Vec<(String, String)> = args
        .orcids
        .iter()
        .map(|value| (value.clone(), "--orcid".to_owned()))
        .collect();
    if let Some(path) = &args.orcid_file {
        let text = std::fs::read_to_string(path).map_err(|error| {
            HarvestError::Usage(format!("orcid: cannot read {}: {error}", path.display()))
        })?;
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if !line.is_empty() {
                raw.push((
                    line.to_owned(),
                    format!("{}:{}", path.display(), number + 1),
                ));
            }
        }
    }
    let mut orcids: Vec<String> = Vec::new();
    for (value, origin) in raw {
        let orcid = hcs_model::ids::normalize_orcid(&value).ok_or_else(|| {
            HarvestError::Usage(format!(
                "orcid: {origin}: {value:?} is not a valid ORCID iD (checksum or format)"
            ))
        })?;
        if !orcids.contains(&orcid) {
            orcids.push(orcid);
        }
    }
    if orcids.is_empty() {
        return Err(HarvestError::Usage(
            "orcid: give at least one --orcid or an --orcid-file".to_owned(),
        ));
    }
    Ok(orcids)
}

/// FNV-1a: a hash stable across Rust releases, for checkpoint keys.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The record owner's iD in a request URL (`…/{orcid}/works/…`).
fn owner_of(url: &str) -> Option<String> {
    url.split('/')
        .filter(|segment| segment.len() == 19)
        .find_map(hcs_model::ids::normalize_orcid)
}

/// Employments by ORCID iD, and the archived responses that could not be read.
pub type ArchivedEmployments = (
    std::collections::HashMap<String, Vec<Employment>>,
    Vec<String>,
);

/// The employments of every ORCID iD in the raw-response archive: the latest
/// successful response per iD, for tagging. Unreadable responses are skipped
/// and described in the second list.
pub fn archived_employments(raw_dir: &std::path::Path) -> std::io::Result<ArchivedEmployments> {
    let (entries, damaged) = crate::harvest::archive::read_source(raw_dir, SOURCE)?;
    let mut problems: Vec<String> = damaged
        .iter()
        .map(|error| format!("{}: {}", error.path.display(), error.message))
        .collect();
    let mut employments = std::collections::HashMap::new();
    // Oldest first, so a later harvest's answer replaces an earlier one.
    for entry in &entries {
        if entry.kind != KIND_EMPLOYMENTS || !(200..300).contains(&entry.status) {
            continue;
        }
        let Some(owner) = owner_of(&entry.url) else {
            continue;
        };
        match parse_employments(entry.body.as_bytes()) {
            Ok(list) => {
                employments.insert(owner, list);
            }
            Err(error) => problems.push(format!("{}: {error}", entry.display_url())),
        }
    }
    Ok((employments, problems))
}

/// Saves the archive's employments where tagging reads them
/// ([`hcs_model::employments`]), or removes that file when the archive holds no
/// ORCID responses. Run after every ORCID harvest and reparse, so tagging
/// sees the same employments it would read from the archive itself.
pub fn save_archived_employments(data_dir: &std::path::Path) -> std::io::Result<()> {
    let raw_dir = data_dir.join(crate::harvest::archive::RAW_DIR);
    if !raw_dir.join(SOURCE).is_dir() {
        return hcs_model::employments::remove(data_dir);
    }
    let (employments, problems) = archived_employments(&raw_dir)?;
    hcs_model::employments::save(
        data_dir,
        &hcs_model::employments::SavedEmployments {
            employments: employments.into_iter().collect(),
            problems,
        },
    )
}

/// Rebuilds works from archived bulk responses (works lists and employments carry no records).
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    let mut report = ReparseReport::default();
    for entry in entries {
        report.responses += 1;
        if entry.kind != KIND_BULK || !(200..300).contains(&entry.status) {
            continue;
        }
        let location = entry.display_url();
        let Some(owner) = owner_of(&entry.url) else {
            report
                .skipped
                .push(format!("{location}: no ORCID iD in the request URL"));
            continue;
        };
        let requested: Vec<String> = entry
            .url
            .rsplit('/')
            .next()
            .unwrap_or("")
            .split(',')
            .map(str::to_owned)
            .collect();
        let items = match parse_bulk(entry.body.as_bytes(), &requested) {
            Ok(items) => items,
            Err(error) => {
                report.skipped.push(format!("{location}: {error}"));
                continue;
            }
        };
        let outcome = apply_bulk(sink, &items, &owner, &location, &entry.fetched_at)?;
        report.records += outcome.upserted;
    }
    Ok(report)
}

crate::registry::source_module! {
    /// The ORCID public API, as the [`crate::registry`] lists it.
    Orcid,
    /// Tagging reads the employments from a saved file, not the archive.
    fn refresh_derived(data_dir: &std::path::Path) -> std::io::Result<()> {
        save_archived_employments(data_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated_and_deduplicated() {
        let args = HarvestArgs {
            orcids: vec![
                "https://orcid.org/0000-0002-1825-0097".to_owned(),
                "0000000218250097".to_owned(),
            ],
            orcid_file: None,
        };
        assert_eq!(collect_orcids(&args).unwrap(), ["0000-0002-1825-0097"]);
        let bad = HarvestArgs {
            orcids: vec!["0000-0002-1825-0098".to_owned()],
            orcid_file: None,
        };
        let message = collect_orcids(&bad).unwrap_err().to_string();
        assert!(message.contains("0000-0002-1825-0098"), "{message}");
    }

    #[test]
    fn owner_comes_from_the_url() {
        assert_eq!(
            owner_of("https://pub.orcid.org/v3.0/0000-0002-1825-0097/works/1,2").as_deref(),
            Some("0000-0002-1825-0097")
        );
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }
}
