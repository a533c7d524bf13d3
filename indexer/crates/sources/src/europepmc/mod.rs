//! Europe PMC REST `search`: the harvester and the parser of its JSON.
//!
//! `indexer harvest europepmc --query '<lucene query>' [--since YYYY-MM-DD|auto]
//! [--page-size N]` pages through `search?resultType=core&format=json` with
//! `cursorMark` (first `*`) and maps each result to a
//! [`Publication`](hcs_model::records::Publication) (see [`parse`]).
//!
//! **Stop rules.** A pass ends when the response has no `nextCursorMark`, when
//! it echoes back the cursor just sent (observed in the wild), or when a page
//! holds no results.
//!
//! **Completeness.** A page counts only when it is JSON with a numeric
//! `hitCount` and a `resultList` object — a truncated body never parses, and
//! an HTML error page is not a search response — and, when the response
//! echoes `request.cursorMark`, it is the cursor we sent. A page shorter than
//! `pageSize` is *not* taken as the end by itself: Europe PMC can return short
//! pages mid-stream, so as long as a new cursor comes back and fewer than
//! `hitCount` results have arrived the pass follows it, and the next page
//! decides. The one count rule that rejects a page: an *empty* page carrying a
//! new cursor while fewer than `hitCount` results have been received (Europe
//! PMC sometimes answers "no results" transiently) is retried rather than
//! believed, so a pass never ends short in silence. When a pass ends with a
//! received count different from `hitCount` (records added or withdrawn while
//! it ran), the run says so in a warning.
//!
//! **Checkpoints.** Under `europepmc:<query>`: in progress, the cursor of the
//! next page and the results so far, committed with each page's records; at
//! the end `{"done": true, "completed_at": …, "started_at": …}`. A run with a
//! done checkpoint and no `--since` starts a new full pass (upserts of
//! unchanged records are no-ops); `--since auto` asks only for records with
//! `UPDATE_DATE` on or after the day the last completed pass began.

mod harvest;
mod html;
pub mod parse;

use serde::Deserialize;

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{HarvestError, HarvestRun, ReparseReport};
use hcs_index::RecordSink;

pub use harvest::{
    checkpoint_key, effective_query, fetch_page, Checkpoint, PageRequest, KIND_SEARCH,
};
pub use html::{to_abstract as html_to_abstract, to_text as html_to_text};
pub use parse::{parse_search, EuropePmcError, SearchPage};

/// Source name used in provenance, the archive and pacing.
pub const SOURCE: &str = "europepmc";

/// Configuration of this source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL (the `search` endpoint is appended).
    pub base_url: String,
    /// Requests per second. Europe PMC publishes no limit; 5/s is the polite
    /// default the research notes settled on (third-party guides claim 10/s).
    pub rate: f64,
    /// Contact address sent as the optional `email` parameter.
    pub email: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "https://www.ebi.ac.uk/europepmc/webservices/rest/".to_owned(),
            rate: 5.0,
            email: None,
        }
    }
}

impl Config {
    /// Pacing rate per source name.
    pub fn rates(&self) -> Vec<(String, f64)> {
        vec![(SOURCE.to_owned(), self.rate)]
    }
}

/// Command-line arguments of `indexer harvest europepmc`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {
    /// Europe PMC query in its Lucene syntax, e.g. `AFF:"Velindre" AND PUB_YEAR:[2020 TO 2025]`.
    #[arg(long)]
    pub query: String,
    /// Only records updated on or after this date (`YYYY-MM-DD`), or `auto`:
    /// since the last completed harvest of the same query.
    #[arg(long)]
    pub since: Option<String>,
    /// Results per request (Europe PMC allows at most 1000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page_size: u32,
}

/// Harvests this source into `run`.
pub async fn harvest(
    run: &mut HarvestRun<'_>,
    config: &Config,
    args: &HarvestArgs,
) -> Result<(), HarvestError> {
    harvest::harvest(run, config, args).await
}

/// Rebuilds this source's records from its archived responses.
pub fn reparse(
    entries: &[ArchivedRequest],
    sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    harvest::reparse(entries, sink)
}

crate::registry::source_module! {
    /// Europe PMC, as the [`crate::registry`] lists it.
    EuropePmc
}
