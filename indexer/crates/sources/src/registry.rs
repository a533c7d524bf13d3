//! The registry of sources, and the harvest configuration built from it.
//!
//! Each source implements [`Source`] in its own module; the one
//! [`sources!`] line per source below generates everything that lists them:
//! the configuration sections of [`HarvestConfig`], the pacing rates, the
//! `indexer harvest <source>` subcommands ([`SourceArgs`]), the dispatch of a
//! harvest, and which parser reparses which archive folder. A new source is
//! one module plus one line here.
//!
//! Configuration is one TOML file, overridable from the environment.
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
use std::future::Future;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::harvest::archive::ArchivedRequest;
use crate::harvest::{
    ConfigError, HarvestError, HarvestRun, HttpConfig, IndexConfig, ReparseReport,
};
use hcs_index::RecordSink;

/// One upstream system: its configuration section, its harvest arguments,
/// its harvest, and the rebuilding of its records from the raw archive.
pub trait Source {
    /// The source's name: its configuration section, `indexer harvest`
    /// subcommand and (unless [`Source::reparses`] says otherwise) archive folder.
    const NAME: &'static str;
    /// Its `[section]` of the harvest configuration.
    type Config: DeserializeOwned + Default + Clone + std::fmt::Debug;
    /// Its `indexer harvest <name>` arguments.
    type Args: clap::Args + clap::FromArgMatches + std::fmt::Debug;

    /// Pacing rates (requests/s) by the source names its requests are paced under.
    fn rates(config: &Self::Config) -> Vec<(String, f64)>;

    /// Harvests into `run` as `args` ask.
    fn harvest(
        run: &mut HarvestRun<'_>,
        config: &Self::Config,
        args: &Self::Args,
    ) -> impl Future<Output = Result<(), HarvestError>>;

    /// Rebuilds records from archived responses of this source.
    fn reparse(
        entries: &[ArchivedRequest],
        sink: &mut RecordSink<'_>,
    ) -> Result<ReparseReport, HarvestError>;

    /// Whether archived entries recorded under `source` are this source's to reparse.
    fn reparses(source: &str) -> bool {
        source == Self::NAME
    }

    /// Refreshes files derived from this source's archive that later stages
    /// read (run after a harvest or reparse; most sources keep none).
    fn refresh_derived(_data_dir: &Path) -> std::io::Result<()> {
        Ok(())
    }
}

/// Implements [`Source`] as `$name` for a source module laid out the usual
/// way: `SOURCE`, `Config` (with `rates()`), `HarvestArgs`, `harvest` and
/// `reparse` at its top level. Extra trait items (overrides) follow the name.
macro_rules! source_module {
    ($(#[$doc:meta])* $name:ident $(, $($extra:tt)*)?) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl $crate::registry::Source for $name {
            const NAME: &'static str = SOURCE;
            type Config = Config;
            type Args = HarvestArgs;

            fn rates(config: &Config) -> Vec<(String, f64)> {
                config.rates()
            }

            fn harvest(
                run: &mut $crate::harvest::HarvestRun<'_>,
                config: &Config,
                args: &HarvestArgs,
            ) -> impl std::future::Future<Output = Result<(), $crate::harvest::HarvestError>> {
                harvest(run, config, args)
            }

            fn reparse(
                entries: &[$crate::harvest::archive::ArchivedRequest],
                sink: &mut hcs_index::RecordSink<'_>,
            ) -> Result<$crate::harvest::ReparseReport, $crate::harvest::HarvestError> {
                reparse(entries, sink)
            }

            $($($extra)*)?
        }
    };
}
pub(crate) use source_module;

/// Generates the registry from one line per source:
/// `/// help` `field: Variant => SourceType`, where `field` is the source's
/// configuration section (and must equal its [`Source::NAME`]).
macro_rules! sources {
    ($( $(#[$doc:meta])* $field:ident: $variant:ident => $source:ty ),+ $(,)?) => {
        /// The whole harvest configuration: shared sections, then one per source.
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct HarvestConfig {
            /// Shared HTTP behaviour.
            pub http: HttpConfig,
            /// Index writing.
            pub index: IndexConfig,
            $( $(#[$doc])* pub $field: <$source as Source>::Config, )+
        }

        /// Sections whose scalar keys the environment may override.
        const SECTIONS: &[&str] = &["http", "index", $( stringify!($field) ),+];

        /// Each source's configuration section beside its [`Source::NAME`] (a test checks they agree).
        #[cfg(test)]
        const NAMES: &[(&str, &str)] = &[$( (stringify!($field), <$source as Source>::NAME) ),+];

        impl HarvestConfig {
            /// Pacing rate (requests/s) per source name, for the HTTP client.
            pub fn rates(&self) -> HashMap<String, f64> {
                let mut rates = HashMap::new();
                $( rates.extend(<$source as Source>::rates(&self.$field)); )+
                rates
            }
        }

        /// The arguments of one `indexer harvest <source>` subcommand.
        #[derive(Debug, clap::Subcommand)]
        pub enum SourceArgs {
            $( $(#[$doc])* $variant(<$source as Source>::Args), )+
        }

        impl SourceArgs {
            /// The source's name.
            pub fn name(&self) -> &'static str {
                match self {
                    $( SourceArgs::$variant(_) => <$source as Source>::NAME, )+
                }
            }

            /// Harvests from this source into `run`, with its section of `config`.
            pub async fn harvest(
                &self,
                run: &mut HarvestRun<'_>,
                config: &HarvestConfig,
            ) -> Result<(), HarvestError> {
                match self {
                    $( SourceArgs::$variant(args) => {
                        <$source as Source>::harvest(run, &config.$field, args).await
                    } )+
                }
            }

            /// Refreshes what later stages read from this source's archive.
            pub fn refresh_derived(&self, data_dir: &Path) -> std::io::Result<()> {
                match self {
                    $( SourceArgs::$variant(_) => <$source as Source>::refresh_derived(data_dir), )+
                }
            }
        }

        /// Reparses archived entries recorded under `source` with the parser
        /// that owns them; `None` when no source does.
        pub fn reparse(
            source: &str,
            entries: &[ArchivedRequest],
            sink: &mut RecordSink<'_>,
        ) -> Option<Result<ReparseReport, HarvestError>> {
            $( if <$source as Source>::reparses(source) {
                return Some(<$source as Source>::reparse(entries, sink));
            } )+
            None
        }

        /// Refreshes every source's derived files (after a reparse).
        pub fn refresh_all_derived(data_dir: &Path) -> std::io::Result<()> {
            $( <$source as Source>::refresh_derived(data_dir)?; )+
            Ok(())
        }
    };
}

sources! {
    /// PubMed through NCBI E-utilities (esearch + efetch).
    pubmed: Pubmed => crate::pubmed::eutils::Pubmed,
    /// Europe PMC REST search (core results, cursor paging).
    europepmc: Europepmc => crate::europepmc::EuropePmc,
    /// UKRI Gateway to Research projects, people, organisations and funds.
    gtr: Gtr => crate::gtr::Gtr,
    /// NIHR Open Data awards and award holders.
    nihr: Nihr => crate::nihr::Nihr,
    /// ORCID public API: works and employments of given ORCID iDs.
    orcid: Orcid => crate::orcid::Orcid,
    /// An OAI-PMH 2.0 repository (ListRecords).
    oaipmh: Oaipmh => crate::oaipmh::Oaipmh,
}

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
    fn each_section_is_named_after_its_source() {
        for (section, name) in NAMES {
            assert_eq!(section, name);
        }
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
