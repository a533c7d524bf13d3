//! NCBI E-utilities (esearch + efetch): harvester (placeholder until this source is built).

use serde::Deserialize;

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{HarvestError, HarvestRun, ReparseReport};
use crate::index::RecordSink;

use super::SOURCE;

/// Configuration of this source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// API base URL.
    pub base_url: String,
    /// Requests per second.
    pub rate: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            base_url: "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/".to_owned(),
            rate: 3.0,
        }
    }
}

impl Config {
    /// Pacing rate per source name.
    pub fn rates(&self) -> Vec<(String, f64)> {
        vec![(SOURCE.to_owned(), self.rate)]
    }
}

/// Command-line arguments of `indexer harvest pubmed`.
#[derive(Debug, Clone, clap::Args)]
pub struct HarvestArgs {}

/// Harvests this source into `run`.
pub async fn harvest(
    _run: &mut HarvestRun<'_>,
    _config: &Config,
    _args: &HarvestArgs,
) -> Result<(), HarvestError> {
    Err(HarvestError::Usage(format!(
        "{SOURCE}: harvester not built yet"
    )))
}

/// Rebuilds this source's records from its archived responses.
pub fn reparse(
    _entries: &[ArchivedRequest],
    _sink: &mut RecordSink<'_>,
) -> Result<ReparseReport, HarvestError> {
    Ok(ReparseReport::default())
}
