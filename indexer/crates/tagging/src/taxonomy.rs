//! The framework's discipline taxonomy (Annex 1): disciplines in divisions.

use std::collections::HashMap;

use super::text::fold_joined;
use super::TaggingError;

/// The taxonomy bundled with the indexer (`config/tagging/hcs-disciplines.csv`).
pub const BUNDLED_TAXONOMY: &str = include_str!("../../../../config/tagging/hcs-disciplines.csv");

/// Everyday names of disciplines and divisions (`config/tagging/discipline-aliases.csv`):
/// "Medical physics", "Virology", "Blood sciences" as rosters and job titles write them.
pub const BUNDLED_ALIASES: &str = include_str!("../../../../config/tagging/discipline-aliases.csv");

/// What a roster's discipline cell names: a discipline (and so its division), or a division only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    /// The discipline, when the name is specific enough.
    pub discipline: Option<Discipline>,
    /// The division, always known.
    pub division: String,
}

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
    aliases: HashMap<String, Classified>,
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

    /// The bundled taxonomy, with its aliases.
    pub fn bundled() -> Result<Self, TaggingError> {
        let mut taxonomy = Self::parse(BUNDLED_TAXONOMY, "config/tagging/hcs-disciplines.csv")?;
        taxonomy.add_aliases(BUNDLED_ALIASES, "config/tagging/discipline-aliases.csv")?;
        Ok(taxonomy)
    }

    /// Reads `alias,discipline,division` rows; the discipline may be empty
    /// (a division-level name), and what is named must be in the taxonomy.
    pub fn add_aliases(&mut self, text: &str, origin: &str) -> Result<(), TaggingError> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        for row in reader.records() {
            let row = row.map_err(|error| TaggingError::data(origin, error))?;
            let line = row.position().map_or(0, |p| p.line());
            let cell = |i: usize| row.get(i).map(str::trim).unwrap_or_default();
            let (alias, discipline, division) = (cell(0), cell(1), cell(2));
            let discipline = match discipline {
                "" => None,
                name => Some(self.discipline(name).cloned().ok_or_else(|| {
                    TaggingError::data(origin, format!("line {line}: unknown discipline {name:?}"))
                })?),
            };
            let division = self.division(division).map(str::to_owned).ok_or_else(|| {
                TaggingError::data(
                    origin,
                    format!("line {line}: unknown division {division:?}"),
                )
            })?;
            if discipline.as_ref().is_some_and(|d| d.division != division) {
                return Err(TaggingError::data(
                    origin,
                    format!("line {line}: the discipline is not in that division"),
                ));
            }
            self.aliases.insert(
                fold_joined(alias),
                Classified {
                    discipline,
                    division,
                },
            );
        }
        Ok(())
    }

    /// What `name` names, tried in turn: a discipline, a division, an alias,
    /// or the one discipline whose name begins with those words ("Microbiology"
    /// for "Microbiology including infection control…").
    pub fn classify(&self, name: &str) -> Option<Classified> {
        let of = |discipline: &Discipline| Classified {
            division: discipline.division.clone(),
            discipline: Some(discipline.clone()),
        };
        if let Some(discipline) = self.discipline(name) {
            return Some(of(discipline));
        }
        if let Some(division) = self.division(name) {
            return Some(Classified {
                discipline: None,
                division: division.to_owned(),
            });
        }
        let key = fold_joined(name);
        if let Some(alias) = self.aliases.get(&key) {
            return Some(alias.clone());
        }
        let words = super::text::fold_words(name);
        if words.is_empty() {
            return None;
        }
        let mut starting = self
            .disciplines
            .values()
            .filter(|discipline| super::text::fold_words(&discipline.name).starts_with(&words));
        match (starting.next(), starting.next()) {
            (Some(only), None) => Some(of(only)),
            _ => None,
        }
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

    #[test]
    fn everyday_names_classify_to_a_discipline_or_a_division() {
        let taxonomy = Taxonomy::bundled().unwrap();
        let named = |name: &str| {
            taxonomy
                .classify(name)
                .map(|c| (c.discipline.map(|d| d.name), c.division))
        };
        let microbiology = named("Microbiology").unwrap();
        assert!(microbiology
            .0
            .unwrap()
            .starts_with("Microbiology including"));
        assert_eq!(
            named("Genomics").unwrap().0.as_deref(),
            Some("Genomics including genomic counselling")
        );
        assert_eq!(
            named("clinical bioinformatics").unwrap().0.as_deref(),
            Some("Clinical bioinformatics and genomics")
        );
        assert_eq!(
            named("Medical physics"),
            Some((
                None,
                "Physical Sciences and Biomedical Engineering".to_owned()
            ))
        );
        assert_eq!(
            named("Laboratory Sciences"),
            Some((None, "Laboratory Sciences".to_owned()))
        );
        // "Clinical" begins several disciplines: too vague to choose one.
        assert_eq!(named("Clinical"), None);
        assert_eq!(named("Cardiology"), None);
    }
}
