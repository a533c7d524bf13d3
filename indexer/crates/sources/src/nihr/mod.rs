//! NIHR Open Data (Opendatasoft Explore v2.1): NIHR research and training
//! awards with their award holders.
//!
//! The datasets are small (about 11.5k awards, 12.6k holder rows), so the
//! harvest uses the bulk export endpoint, which has none of the `records`
//! endpoint's limits (100 rows a call, offset + limit ≤ 10,000): one request
//! for the holders, one for the awards, each body accepted only as a complete
//! JSON array. The grants are upserted and committed together with a
//! checkpoint recording the date of the export, which `--since last` uses to
//! ask only for awards changed since.

pub mod parse;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{HarvestError, HarvestRun, HttpRequest, Rejection, ReparseReport};
use hcs_index::RecordSink;
use hcs_model::records::{Grant, Record};
use parse::{build_grants, index_holders, parse_date, parse_export, ExportOrigin, Holders};

/// Source name used in provenance, the archive and pacing.
pub const SOURCE: &str = "nihr";

/// Archive kind of the awards export.
const AWARDS_KIND: &str = "awards";
/// Archive kind of the award holders export.
const HOLDERS_KIND: &str = "holders";

/// Configuration of this source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL (ending in `/api/explore/v2.1/`).
    pub base_url: String,
    /// Requests per second.
    pub rate: f64,
    /// Dataset id of the awards (one row per award).
    pub summary_dataset: String,
    /// Dataset id of the award holders (one row per person per award).
    pub holders_dataset: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "https://nihr.opendatasoft.com/api/explore/v2.1/".to_owned(),
            rate: 1.0,
            summary_dataset: "nihr-summary-view".to_owned(),
            holders_dataset: "award-holders-table".to_owned(),
        }
    }
}

impl Config {
    /// Pacing rate per source name.
    pub fn rates(&self) -> Vec<(String, f64)> {
        vec![(SOURCE.to_owned(), self.rate)]
    }

    fn export_url(&self, dataset: &str) -> String {
        let base = self.base_url.trim_end_matches('/');
        format!("{base}/catalog/datasets/{dataset}/exports/json")
    }
}

/// Command-line arguments of `indexer harvest nihr`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {
    /// Only awards whose record changed on or after this date (`YYYY-MM-DD`),
    /// or `last` for the date of the last completed harvest.
    #[arg(long)]
    pub since: Option<String>,
}

/// The checkpoint key of the awards dataset.
pub fn checkpoint_key(config: &Config) -> String {
    format!("{SOURCE}:{}", config.summary_dataset)
}

/// Harvests this source into `run`.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    let key = checkpoint_key(config);
    let since = match args.since.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("last") => match run
            .checkpoint::<Checkpoint>(SOURCE, &key)
            .filter(|checkpoint| checkpoint.done)
        {
            Some(checkpoint) => Some(checkpoint.until),
            None => {
                run.warn(format!(
                    "{SOURCE}: --since last: no completed harvest recorded; exporting everything"
                ));
                None
            }
        },
        Some(date) => Some(
            parse_date(date)
                .filter(|parsed| parsed == date)
                .ok_or_else(|| {
                    HarvestError::Usage(format!(
                        "{SOURCE}: --since wants YYYY-MM-DD or `last`, not {date:?}"
                    ))
                })?,
        ),
    };
    let until = hcs_model::clock::now_rfc3339()
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    let grants = fetch_grants(run, config, since.as_deref()).await?;
    let count = grants.len();
    for grant in grants {
        run.sink.upsert(Record::Grant(Box::new(grant)))?;
        run.progress.inc(1);
    }
    let checkpoint = Checkpoint {
        done: true,
        until,
        since,
        records: count,
        holders_dataset: config.holders_dataset.clone(),
    };
    run.commit_checkpoint(SOURCE, &key, &checkpoint)
}

/// A completed export: the day it ran (the next `--since last`), the
/// change date it asked from, and what it brought.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Checkpoint {
    done: bool,
    until: String,
    since: Option<String>,
    records: usize,
    holders_dataset: String,
}

/// Exports the award holders and the awards (changed on or after `since`,
/// when given) and joins them into grants; unusable rows become warnings.
pub async fn fetch_grants(
    run: &mut HarvestRun<'_>,
    config: &Config,
    since: Option<&str>,
) -> Result<Vec<Grant>, HarvestError> {
    // Holders are always exported whole: an award changed since the last run
    // needs all its holders, whether or not their rows changed.
    let holders_request = HttpRequest::get(
        SOURCE,
        HOLDERS_KIND,
        config.export_url(&config.holders_dataset),
    );
    let holder_rows = run.http.fetch(&holders_request, parse_export).await?;
    let mut warnings = Vec::new();
    let holders = index_holders(&holder_rows, &mut warnings);
    let mut awards_request = HttpRequest::get(
        SOURCE,
        AWARDS_KIND,
        config.export_url(&config.summary_dataset),
    );
    if let Some(since) = since {
        awards_request =
            awards_request.query("where", format!("record_timestamp >= date'{since}'"));
    }
    let (award_rows, fetched_at) = run
        .http
        .fetch(&awards_request, |response| {
            parse_export(response).map(|rows| (rows, response.fetched_at.clone()))
        })
        .await?;
    let origin = ExportOrigin {
        location: awards_request.display_url(),
        fetched_at,
    };
    let grants = build_grants(SOURCE, &award_rows, &holders, &origin, &mut warnings);
    for warning in warnings {
        run.warn(warning);
    }
    Ok(grants)
}

/// Rebuilds this source's records from its archived exports: each awards
/// export is joined with the holders export archived before it (the harvest
/// fetches holders first), or the latest one when none precedes it.
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    let mut report = ReparseReport::default();
    let mut ignored = Vec::new();
    let parsed: Vec<Option<Vec<Value>>> = entries
        .iter()
        .map(|entry| {
            if entry.kind != AWARDS_KIND && entry.kind != HOLDERS_KIND {
                return None;
            }
            report.responses += 1;
            match parse_archived(entry) {
                Ok(rows) => Some(rows),
                Err(rejection) => {
                    report
                        .skipped
                        .push(format!("{}: {rejection:?}", entry.display_url()));
                    None
                }
            }
        })
        .collect();
    let latest_holders = entries.iter().zip(&parsed).rev().find_map(|(entry, rows)| {
        (entry.kind == HOLDERS_KIND)
            .then_some(rows.as_ref())
            .flatten()
    });
    let mut current: Option<Holders> = None;
    for (entry, rows) in entries.iter().zip(&parsed) {
        let Some(rows) = rows else {
            continue;
        };
        if entry.kind == HOLDERS_KIND {
            current = Some(index_holders(rows, &mut ignored));
            continue;
        }
        let holders = match &current {
            Some(holders) => holders.clone(),
            None => latest_holders
                .map(|rows| index_holders(rows, &mut ignored))
                .unwrap_or_default(),
        };
        let origin = ExportOrigin {
            location: entry.display_url(),
            fetched_at: entry.fetched_at.clone(),
        };
        for grant in build_grants(SOURCE, rows, &holders, &origin, &mut ignored) {
            sink.upsert(Record::Grant(Box::new(grant)))?;
            report.records += 1;
        }
    }
    Ok(report)
}

fn parse_archived(entry: &ArchivedRequest) -> Result<Vec<Value>, Rejection> {
    let response = crate::harvest::HttpResponse {
        status: entry.status,
        headers: Vec::new(),
        body: bytes::Bytes::from(entry.body.clone()),
        url: entry.display_url(),
        fetched_at: entry.fetched_at.clone(),
    };
    parse_export(&response)
}

crate::registry::source_module! {
    /// NIHR Open Data, as the [`crate::registry`] lists it.
    Nihr
}
