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

use serde::Deserialize;

use crate::harvest::{ConfigError, HttpConfig, IndexConfig};
use crate::{europepmc, gtr, nihr, oaipmh, orcid, pubmed};

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
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../config/harvest.example.toml")
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
