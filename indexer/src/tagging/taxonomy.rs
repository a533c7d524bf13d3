//! The framework's discipline taxonomy (Annex 1): disciplines in divisions.

use std::collections::HashMap;

use super::text::fold_joined;
use super::TaggingError;

/// The taxonomy bundled with the indexer (`config/tagging/hcs-disciplines.csv`).
pub const BUNDLED_TAXONOMY: &str = include_str!("../../../config/tagging/hcs-disciplines.csv");

/// A discipline with the division it belongs to, as the taxonomy names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discipline {
    /// Division name (e.g. "Physiological Sciences").
    pub division: String,
    /// Discipline name (e.g. "Audiology").
    pub name: String,
}

/// Every division and discipline, looked up case- and punctuation-insensitively.
#[derive(Debug, Clone, Default)]
pub struct Taxonomy {
    disciplines: HashMap<String, Discipline>,
    divisions: HashMap<String, String>,
}

impl Taxonomy {
    /// Reads `division,discipline` rows (with a header) from CSV text.
    pub fn parse(text: &str, origin: &str) -> Result<Self, TaggingError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let mut taxonomy = Taxonomy::default();
        for row in reader.records() {
            let row = row.map_err(|error| TaggingError::data(origin, error))?;
            let line = row.position().map_or(0, |p| p.line());
            let (Some(division), Some(name)) = (row.get(0), row.get(1)) else {
                return Err(TaggingError::data(
                    origin,
                    format!("line {line}: expected division,discipline"),
                ));
            };
            let discipline = Discipline {
                division: division.trim().to_owned(),
                name: name.trim().to_owned(),
            };
            taxonomy.divisions.insert(
                fold_joined(&discipline.division),
                discipline.division.clone(),
            );
            taxonomy
                .disciplines
                .insert(fold_joined(&discipline.name), discipline);
        }
        if taxonomy.disciplines.is_empty() {
            return Err(TaggingError::data(origin, "no disciplines"));
        }
        Ok(taxonomy)
    }

    /// The bundled taxonomy.
    pub fn bundled() -> Result<Self, TaggingError> {
        Self::parse(BUNDLED_TAXONOMY, "config/tagging/hcs-disciplines.csv")
    }

    /// The discipline named `name` (any case or punctuation), if the taxonomy has it.
    pub fn discipline(&self, name: &str) -> Option<&Discipline> {
        self.disciplines.get(&fold_joined(name))
    }

    /// The division's canonical name, if the taxonomy has it.
    pub fn division(&self, name: &str) -> Option<&str> {
        self.divisions.get(&fold_joined(name)).map(String::as_str)
    }

    /// How many disciplines the taxonomy lists.
    pub fn len(&self) -> usize {
        self.disciplines.len()
    }

    /// True when the taxonomy lists no discipline.
    pub fn is_empty(&self) -> bool {
        self.disciplines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_taxonomy_has_every_annex_discipline() {
        let taxonomy = Taxonomy::bundled().unwrap();
        assert_eq!(taxonomy.len(), 52);
        let audiology = taxonomy.discipline("AUDIOLOGY").unwrap();
        assert_eq!(audiology.division, "Physiological Sciences");
        assert_eq!(
            taxonomy.division("imaging sciences"),
            Some("Imaging Sciences")
        );
        assert!(taxonomy.discipline("Cardiology").is_none());
    }
}
