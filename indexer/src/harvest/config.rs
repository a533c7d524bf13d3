//! Harvest configuration: one TOML file, overridable from the environment.
//!
//! ```toml
//! [http]
//! contact = "mailto:research-network@example.org"
//!
//! [pubmed]
//! base_url = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
//! email = "research-network@example.org"
//! api_key = "…"            # raises the rate from 3 to 10 requests/s
//! ```
//!
//! Every scalar key of a section can also come from the environment as
//! `HCS_<SECTION>_<KEY>` (e.g. `HCS_PUBMED_BASE_URL`, `HCS_GTR_RATE`), which
//! wins over the file — that is how tests point harvesters at loopback.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use crate::sources::{europepmc, gtr, nihr, oaipmh, orcid, pubmed};

/// Deadlines, retry policy and identification shared by every source.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Contact put in the User-Agent (`mailto:` address or URL), as every API's etiquette asks.
    pub contact: String,
    /// Seconds allowed to open a connection.
    pub connect_timeout_secs: f64,
    /// Seconds allowed between two reads of a response (stall detector).
    pub read_timeout_secs: f64,
    /// Seconds allowed for a whole request, body included.
    pub timeout_secs: f64,
    /// Tries per request, the first included.
    pub max_tries: u32,
    /// First backoff step in milliseconds (doubles each retry).
    pub backoff_base_ms: u64,
    /// Longest backoff step in milliseconds.
    pub backoff_cap_ms: u64,
    /// Longest `Retry-After` we wait; a longer one defers the source.
    pub retry_after_cap_secs: f64,
    /// Retries allowed per request sent in a run (0.2 = 20 %), on top of `retry_budget_min`.
    pub retry_budget_ratio: f64,
    /// Retries always allowed in a run.
    pub retry_budget_min: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            contact: "mailto:hcs-research-index@example.invalid".to_owned(),
            connect_timeout_secs: 10.0,
            read_timeout_secs: 30.0,
            timeout_secs: 120.0,
            max_tries: 5,
            backoff_base_ms: 1_000,
            backoff_cap_ms: 60_000,
            retry_after_cap_secs: 300.0,
            retry_budget_ratio: 0.5,
            retry_budget_min: 20,
        }
    }
}

impl HttpConfig {
    /// `hcs-research-index/<version> (+contact)`.
    pub fn user_agent(&self) -> String {
        format!(
            "hcs-research-index/{} (+https://example.invalid/hcs-research-index; {})",
            env!("CARGO_PKG_VERSION"),
            self.contact
        )
    }

    /// Connect deadline.
    pub fn connect_timeout(&self) -> Duration {
        secs(self.connect_timeout_secs)
    }

    /// Read (stall) deadline.
    pub fn read_timeout(&self) -> Duration {
        secs(self.read_timeout_secs)
    }

    /// Whole-request deadline.
    pub fn total_timeout(&self) -> Duration {
        secs(self.timeout_secs)
    }

    /// First backoff step.
    pub fn backoff_base(&self) -> Duration {
        Duration::from_millis(self.backoff_base_ms)
    }

    /// Longest backoff step.
    pub fn backoff_cap(&self) -> Duration {
        Duration::from_millis(self.backoff_cap_ms)
    }

    /// Longest `Retry-After` honoured.
    pub fn retry_after_cap(&self) -> Duration {
        secs(self.retry_after_cap_secs)
    }
}

fn secs(value: f64) -> Duration {
    Duration::try_from_secs_f64(value).unwrap_or(Duration::from_secs(1))
}

/// How harvests write the index.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexConfig {
    /// Shortest time between two index commits (seconds); a crash loses at
    /// most this much work, which the next run re-fetches from its checkpoint.
    pub commit_interval_secs: f64,
}

impl Default for IndexConfig {
    fn default() -> Self {
        Self {
            commit_interval_secs: 2.0,
        }
    }
}

impl IndexConfig {
    /// The commit interval.
    pub fn commit_interval(&self) -> Duration {
        Duration::try_from_secs_f64(self.commit_interval_secs).unwrap_or(Duration::ZERO)
    }
}

/// The whole harvest configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HarvestConfig {
    /// Shared HTTP behaviour.
    pub http: HttpConfig,
    /// Index writing.
    pub index: IndexConfig,
    /// NCBI E-utilities.
    pub pubmed: pubmed::eutils::Config,
    /// Europe PMC REST.
    pub europepmc: europepmc::Config,
    /// UKRI Gateway to Research.
    pub gtr: gtr::Config,
    /// NIHR Open Data.
    pub nihr: nihr::Config,
    /// ORCID public API.
    pub orcid: orcid::Config,
    /// OAI-PMH repositories.
    pub oaipmh: oaipmh::Config,
}

/// A configuration that cannot be used: which file or variable, and why.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file or an override is not valid configuration.
    #[error("{origin}: {message}")]
    Invalid {
        /// The file, or "environment".
        origin: String,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// Sections whose scalar keys the environment may override.
const SECTIONS: [&str; 8] = [
    "http",
    "index",
    "pubmed",
    "europepmc",
    "gtr",
    "nihr",
    "orcid",
    "oaipmh",
];

impl HarvestConfig {
    /// Loads `path` (if given) and applies `HCS_<SECTION>_<KEY>` overrides from `env`.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let origin = path.map_or_else(|| "defaults".to_owned(), |p| p.display().to_string());
        let mut table = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                text.parse::<toml::Table>()
                    .map_err(|error| ConfigError::Invalid {
                        origin: origin.clone(),
                        message: error.to_string(),
                    })?
            }
            None => toml::Table::new(),
        };
        let mut overridden = Vec::new();
        for (name, value) in env {
            let Some(rest) = name.strip_prefix("HCS_") else {
                continue;
            };
            let Some(section) = SECTIONS.iter().find(|section| {
                rest.to_ascii_lowercase()
                    .starts_with(&format!("{section}_"))
            }) else {
                continue;
            };
            let key = rest[section.len() + 1..].to_ascii_lowercase();
            let entry = table
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(section_table) = entry {
                section_table.insert(key.clone(), env_value(&value));
                overridden.push(name);
            }
        }
        let origin = if overridden.is_empty() {
            origin
        } else {
            format!("{origin} with {}", overridden.join(", "))
        };
        Self::deserialize(toml::Value::Table(table)).map_err(|error| ConfigError::Invalid {
            origin,
            message: error.to_string(),
        })
    }

    /// Pacing rate (requests/s) per source name, for the HTTP client.
    pub fn rates(&self) -> HashMap<String, f64> {
        let mut rates = HashMap::new();
        rates.extend(self.pubmed.rates());
        rates.extend(self.europepmc.rates());
        rates.extend(self.gtr.rates());
        rates.extend(self.nihr.rates());
        rates.extend(self.orcid.rates());
        rates.extend(self.oaipmh.rates());
        rates
    }
}

/// Reads an environment value as the TOML scalar it looks like.
fn env_value(value: &str) -> toml::Value {
    if let Ok(integer) = value.parse::<i64>() {
        toml::Value::Integer(integer)
    } else if let Ok(float) = value.parse::<f64>() {
        toml::Value::Float(float)
    } else if let Ok(boolean) = value.parse::<bool>() {
        toml::Value::Boolean(boolean)
    } else {
        toml::Value::String(value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/harvest.example.toml")
    }

    #[test]
    fn the_example_file_loads_and_the_environment_overrides_it() {
        let env = [
            ("HCS_PUBMED_API_KEY".to_owned(), "abc123".to_owned()),
            ("HCS_GTR_RATE".to_owned(), "0.5".to_owned()),
            ("HCS_DATA_DIR".to_owned(), "elsewhere".to_owned()),
        ];
        let config = HarvestConfig::load(Some(&example()), env).unwrap();
        assert_eq!(config.pubmed.api_key.as_deref(), Some("abc123"));
        assert_eq!(config.pubmed.rate(), 10.0, "an API key raises NCBI's rate");
        assert_eq!(config.gtr.rate, 0.5);
        assert_eq!(config.rates()["gtr"], 0.5);
        assert_eq!(config.rates()["oai:orca"], 1.0);
        assert_eq!(config.http.max_tries, 5);
    }

    #[test]
    fn unknown_keys_are_named() {
        let error = HarvestConfig::load(None, [("HCS_PUBMED_BASEURL".to_owned(), "x".to_owned())])
            .unwrap_err()
            .to_string();
        assert!(error.contains("baseurl"), "{error}");
        assert!(error.contains("HCS_PUBMED_BASEURL"), "{error}");
    }
}
