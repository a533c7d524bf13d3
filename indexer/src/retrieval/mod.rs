//! Roster-driven retrieval: find the published work of everyone on the
//! imported roster without writing a query by hand.
//!
//! [`strategy`] turns roster rows into what to look for (name forms, ORCID,
//! employer phrases from the gazetteer); [`pubmed`] and [`europepmc`] run
//! those searches in packed batches; people with an ORCID iD also have their
//! ORCID works harvested; [`gtr`] and [`nihr`] find the grants they hold. Every request goes through the harvest client (paced,
//! retried, archived) and every batch commits with a checkpoint, so an
//! interrupted run resumes. The per-person outcome names people by roster
//! id only: the searches hold their names, so the report is written to the
//! operator's data directory, never to the log.

pub mod checkpoint;
pub mod europepmc;
pub mod gtr;
pub mod nihr;
pub mod pubmed;
pub mod strategy;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use time::Date;

use crate::harvest::{HarvestError, HarvestRun};
use crate::sources::orcid;
use crate::sources::registry::HarvestConfig;
use crate::tagging::gazetteer::Gazetteer;
use crate::tagging::roster::Roster;

/// Arguments of `indexer harvest roster`.
#[derive(Debug, Clone, clap::Args)]
pub struct RetrievalArgs {
    /// Only records added to PubMed on or after this day (YYYY-MM-DD); `auto`: since the last complete run.
    #[arg(long)]
    pub since: Option<String>,
    /// Last day (YYYY-MM-DD; default today, UTC) when `--since` is given.
    #[arg(long)]
    pub until: Option<String>,
    /// Sources to search (comma-separated): pubmed, europepmc, orcid, gtr, nihr.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "pubmed,europepmc,orcid,gtr,nihr"
    )]
    pub sources: Vec<RetrievalSource>,
    /// Longest ESearch term (characters) a batch of people may make.
    #[arg(long, default_value_t = 4_000)]
    pub max_term_chars: usize,
    /// Most records a name-only search may find per person before it is
    /// judged too broad to be one person's work.
    #[arg(long, default_value_t = 150)]
    pub name_only_limit: usize,
    /// Where the per-person report goes (CSV; default DATA_DIR/reports/roster-retrieval.csv).
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// A source roster retrieval can search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RetrievalSource {
    /// PubMed (E-utilities): employer searches, then name-only searches for everyone.
    Pubmed,
    /// Europe PMC: family names with employer phrases, and ORCID iDs (`AUTHORID`).
    Europepmc,
    /// ORCID public API: the works of people whose ORCID iD the roster gives.
    Orcid,
    /// UKRI Gateway to Research: the projects of GtR persons the roster's people can be.
    Gtr,
    /// NIHR Open Data: the awards the roster's people hold, by name or ORCID iD.
    Nihr,
}

/// What retrieval did for one person.
#[derive(Debug, Clone, Default)]
pub struct PersonOutcome {
    /// The searches run, per source.
    pub searches: Vec<String>,
    /// Records credited to the person (their search answers it).
    pub records: usize,
    /// Of those, records the index did not hold before.
    pub new_records: usize,
    /// PMIDs credited in this run (not kept across a resume).
    pub pmids: Vec<String>,
    /// Ids of credited records without a PMID (preprints, other Europe PMC sources).
    pub other_records: Vec<String>,
    /// Grant ids credited in this run.
    pub grants: Vec<String>,
    /// Why something was not searched or not fetched.
    pub notes: Vec<String>,
}

/// The outcome of a whole retrieval, person by person.
#[derive(Debug, Clone, Default)]
pub struct RetrievalReport {
    /// By roster person id.
    pub people: BTreeMap<String, PersonOutcome>,
}

impl RetrievalReport {
    /// People no search found anything for: their roster name may be wrong.
    pub fn without_records(&self) -> Vec<&str> {
        self.people
            .iter()
            .filter(|(_, outcome)| outcome.records == 0)
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// The report as CSV: one row per person (spreadsheet-safe, [`crate::tabular`]).
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let rows = self.people.iter().map(|(id, outcome)| {
            vec![
                id.clone(),
                outcome.records.to_string(),
                outcome.new_records.to_string(),
                outcome.pmids.join(" "),
                outcome.other_records.join(" "),
                outcome.grants.join(" "),
                outcome.searches.join(" | "),
                outcome.notes.join(" | "),
            ]
        });
        crate::tabular::write_csv(
            &[
                "person_id",
                "records",
                "new_records",
                "pmids",
                "other_records",
                "grants",
                "searches",
                "notes",
            ],
            rows,
        )
    }
}

/// The default path of the per-person report.
pub fn default_report_path(data_dir: &Path) -> PathBuf {
    data_dir.join("reports").join("roster-retrieval.csv")
}

/// Finds the roster's work in the chosen sources, into `run`.
pub async fn retrieve(
    run: &mut HarvestRun<'_>,
    config: &HarvestConfig,
    roster: &Roster,
    gazetteer: &Gazetteer,
    args: &RetrievalArgs,
    window: Option<(Date, Date)>,
) -> Result<RetrievalReport, HarvestError> {
    let mut report = RetrievalReport::default();
    let groups = strategy::employer_groups(roster.people(), gazetteer);
    if args.sources.contains(&RetrievalSource::Pubmed) {
        pubmed::retrieve(
            run,
            &config.pubmed,
            &groups,
            args,
            window,
            &mut report.people,
        )
        .await?;
    }
    if args.sources.contains(&RetrievalSource::Europepmc) {
        europepmc::retrieve(
            run,
            &config.europepmc,
            &groups,
            args,
            window,
            &mut report.people,
        )
        .await?;
    }
    if args.sources.contains(&RetrievalSource::Orcid) {
        let people: Vec<(&str, &str)> = roster
            .people()
            .iter()
            .filter_map(|person| Some((person.person_id.as_str(), person.orcid.as_deref()?)))
            .collect();
        for (person_id, _) in &people {
            report
                .people
                .entry((*person_id).to_owned())
                .or_default()
                .searches
                .push("orcid: works of the roster's ORCID iD".to_owned());
        }
        if !people.is_empty() {
            let orcid_args = orcid::HarvestArgs {
                orcids: people
                    .iter()
                    .map(|(_, orcid)| (*orcid).to_owned())
                    .collect(),
                orcid_file: None,
            };
            let works = orcid::harvest_works(run, &config.orcid, &orcid_args).await?;
            for (person_id, orcid) in people {
                let outcome = report.people.entry(person_id.to_owned()).or_default();
                for (id, new) in works.get(orcid).into_iter().flatten() {
                    // A work PubMed already credited to them counts once.
                    let pmid = id.strip_prefix("pmid:");
                    if pmid.is_some_and(|pmid| outcome.pmids.iter().any(|p| p == pmid)) {
                        continue;
                    }
                    outcome.records += 1;
                    outcome.new_records += usize::from(*new);
                }
            }
        }
    }
    if args.sources.contains(&RetrievalSource::Gtr) {
        gtr::retrieve(run, &config.gtr, roster, &mut report.people).await?;
    }
    if args.sources.contains(&RetrievalSource::Nihr) {
        nihr::retrieve(run, &config.nihr, roster, &mut report.people).await?;
    }
    Ok(report)
}
