//! The tagging state of a data directory: the imported roster, the
//! curators' journal and the harvested ORCID employments (as the harvester
//! saved them, [`hcs_model::employments`]), loaded into a
//! [`Tagger`] by the CLI and by the service's re-tag trigger alike.

use std::path::{Path, PathBuf};

use super::curation::INFERRED;
use super::employment::Employments;
use super::{DecisionLog, ReferenceData, Roster, Tagger, TaggingError};

/// Folder of the tagging state inside the data directory.
pub const TAGGING_DIR: &str = "tagging";
/// The imported roster inside [`TAGGING_DIR`].
pub const ROSTER_FILE: &str = "roster.csv";
/// The curators' journal inside [`TAGGING_DIR`].
pub const DECISIONS_FILE: &str = "decisions.jsonl";

/// The imported roster's path.
pub fn roster_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TAGGING_DIR).join(ROSTER_FILE)
}

/// The curators' journal's path.
pub fn decisions_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TAGGING_DIR).join(DECISIONS_FILE)
}

/// Files that replace the defaults.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// A roster instead of the imported one.
    pub roster: Option<PathBuf>,
    /// A gazetteer instead of the bundled one.
    pub gazetteer: Option<PathBuf>,
    /// Discipline rules instead of the bundled ones.
    pub rules: Option<PathBuf>,
    /// No roster at all, not even the imported one (when `roster` is absent).
    pub no_roster: bool,
}

impl Overrides {
    /// The roster file tagging reads: the one given, else the imported one
    /// (which may not exist), unless there is to be none.
    fn roster_file(&self, data_dir: &Path) -> Option<PathBuf> {
        match &self.roster {
            Some(path) => Some(path.clone()),
            None if self.no_roster => None,
            None => Some(roster_path(data_dir)),
        }
    }
}

/// A tagger ready to run, and what loading it found worth saying.
#[derive(Debug)]
pub struct Loaded {
    /// The tagger.
    pub tagger: Tagger,
    /// The roster file used, if any.
    pub roster_path: Option<PathBuf>,
    /// Problems that did not stop loading (unreadable journal lines, decisions
    /// naming people not on the roster, unreadable archived employments).
    pub warnings: Vec<String>,
}

/// A digest of everything tags are computed from: the roster (given, else
/// imported), the curators' journal, the saved ORCID employments, the
/// reference data (overridden or bundled) and the tagger's own version. Tags stored under one digest are
/// stale once it changes ([`super::persist::tags_status`]).
pub fn inputs_digest(data_dir: &Path, overrides: &Overrides) -> Result<String, TaggingError> {
    use sha2::{Digest, Sha256};
    let read = |path: &Path| -> Result<Vec<u8>, TaggingError> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(bytes),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(TaggingError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    };
    let roster = match overrides.roster_file(data_dir) {
        Some(path) => read(&path)?,
        None => Vec::new(),
    };
    let gazetteer = match &overrides.gazetteer {
        Some(path) => read(path)?,
        None => super::gazetteer::BUNDLED_GAZETTEER.as_bytes().to_vec(),
    };
    let rules = match &overrides.rules {
        Some(path) => read(path)?,
        None => super::rules::BUNDLED_RULES.as_bytes().to_vec(),
    };
    let mut hasher = Sha256::new();
    for part in [
        roster,
        read(&decisions_path(data_dir))?,
        read(&hcs_model::employments::path(data_dir))?,
        gazetteer,
        rules,
        super::taxonomy::BUNDLED_TAXONOMY.as_bytes().to_vec(),
        super::taxonomy::BUNDLED_ALIASES.as_bytes().to_vec(),
        env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
    ] {
        // Length first, so moving bytes between parts changes the digest.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(&part);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

/// Loads reference data and the roster (given, else imported), and — with
/// `with_state` — the decisions journal and the archived ORCID employments.
pub fn load(
    data_dir: &Path,
    overrides: &Overrides,
    with_state: bool,
) -> Result<Loaded, TaggingError> {
    let reference =
        ReferenceData::load(overrides.gazetteer.as_deref(), overrides.rules.as_deref())?;
    let roster_path = overrides
        .roster_file(data_dir)
        .filter(|path| overrides.roster.is_some() || path.exists());
    let roster = match &roster_path {
        Some(path) => Roster::load(path, &reference.taxonomy, &reference.gazetteer)?,
        None => Roster::default(),
    };
    let mut warnings = Vec::new();
    if !with_state {
        return Ok(Loaded {
            tagger: Tagger::new(reference, roster, DecisionLog::default()),
            roster_path,
            warnings,
        });
    }
    let decisions = DecisionLog::open(&decisions_path(data_dir))?;
    for (line, problem) in &decisions.unreadable {
        warnings.push(format!(
            "decisions journal line {line} unreadable, ignored: {problem}"
        ));
    }
    for person in decisions.people() {
        if person != INFERRED && roster.person(person).is_none() {
            warnings.push(format!(
                "decisions name {person:?}, who is not on the roster: ignored"
            ));
        }
    }
    let saved = hcs_model::employments::load(data_dir)
        .map_err(|source| TaggingError::Io {
            path: hcs_model::employments::path(data_dir),
            source,
        })?
        .unwrap_or_default();
    warnings.extend(
        saved
            .problems
            .into_iter()
            .map(|p| format!("ORCID employments: {p}")),
    );
    let mut tagger = Tagger::new(reference, roster, decisions);
    tagger.employments = Employments::new(
        saved.employments.into_iter().collect(),
        &tagger.reference.gazetteer,
    );
    Ok(Loaded {
        tagger,
        roster_path,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::employments::SavedEmployments;
    use hcs_model::records::Employment;

    #[test]
    fn the_saved_employments_reach_the_tagger_and_the_digest() {
        let data = tempfile::tempdir().unwrap();
        let before = inputs_digest(data.path(), &Overrides::default()).unwrap();
        let loaded = load(data.path(), &Overrides::default(), true).unwrap();
        assert_eq!(loaded.tagger.employments.len(), 0);

        let mut saved = SavedEmployments::default();
        saved.employments.insert(
            "0000-0002-1825-0097".to_owned(),
            vec![Employment {
                organisation: "Public Health Wales".to_owned(),
                role_title: Some("Clinical Scientist".to_owned()),
                start: Some("2015".to_owned()),
                ..Employment::default()
            }],
        );
        saved
            .problems
            .push("raw/orcid/run.jsonl line 3: torn".to_owned());
        hcs_model::employments::save(data.path(), &saved).unwrap();

        let loaded = load(data.path(), &Overrides::default(), true).unwrap();
        assert_eq!(loaded.tagger.employments.len(), 1);
        assert_eq!(
            loaded.tagger.employments.of("0000-0002-1825-0097")[0].organisation_key,
            Some(
                loaded
                    .tagger
                    .reference
                    .gazetteer
                    .resolve("Public Health Wales")
                    .unwrap()
                    .key
                    .clone()
            )
        );
        assert_eq!(
            loaded.warnings,
            ["ORCID employments: raw/orcid/run.jsonl line 3: torn"]
        );
        // New employments change what tags are computed from.
        assert_ne!(
            inputs_digest(data.path(), &Overrides::default()).unwrap(),
            before
        );
        // A damaged file is an error naming it, not an empty history.
        std::fs::write(hcs_model::employments::path(data.path()), b"[").unwrap();
        let error = load(data.path(), &Overrides::default(), true).unwrap_err();
        assert!(
            error.to_string().contains("orcid-employments.json"),
            "{error}"
        );
    }
}
