//! Discipline rules: department and job-title phrases that point to a
//! healthcare-science discipline or division, and the medical titles and
//! degrees that count against one. Kept in an editable data file
//! (`config/tagging/discipline-rules.toml`) so the Network can extend them.

use serde::Deserialize;

use super::taxonomy::Taxonomy;
use super::text::{cased_words, contains_words, AffiliationWords};
use super::TaggingError;

/// The rules bundled with the indexer.
pub const BUNDLED_RULES: &str = include_str!("../../../../config/tagging/discipline-rules.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<RuleEntry>,
    #[serde(default)]
    generic: TitlesEntry,
    #[serde(default)]
    medical: MedicalEntry,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    division: String,
    discipline: Option<String>,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    titles: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TitlesEntry {
    #[serde(default)]
    titles: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MedicalEntry {
    #[serde(default)]
    titles: Vec<String>,
    #[serde(default)]
    degrees: Vec<String>,
}

/// Whether a phrase names a department (unit) or a job title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhraseKind {
    /// A department or unit name ("Medical Physics").
    Department,
    /// A job title ("Clinical Scientist").
    Title,
}

#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<String>,
    text: String,
    kind: PhraseKind,
    division: String,
    discipline: Option<String>,
}

/// A rule that fired: the discipline (or only the division) a phrase points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleHit {
    /// Division the phrase belongs to.
    pub division: String,
    /// Discipline, when the phrase is specific enough to name one.
    pub discipline: Option<String>,
    /// The phrase as written in the rules file.
    pub phrase: String,
    /// Department or title.
    pub kind: PhraseKind,
}

/// Loaded, validated discipline rules.
#[derive(Debug, Clone)]
pub struct DisciplineRules {
    reader: AffiliationWords,
    phrases: Vec<Phrase>,
    generic_titles: Vec<(Vec<String>, String)>,
    medical_titles: Vec<(Vec<String>, String)>,
    medical_degrees: Vec<(Vec<String>, String)>,
}

impl DisciplineRules {
    /// Parses a rules file, checking every division and discipline against
    /// the taxonomy; phrases are read as `reader` reads affiliations.
    pub fn parse(
        text: &str,
        origin: &str,
        taxonomy: &Taxonomy,
        reader: &AffiliationWords,
    ) -> Result<Self, TaggingError> {
        let file: RulesFile =
            toml::from_str(text).map_err(|error| TaggingError::data(origin, error))?;
        let mut phrases = Vec::new();
        for (index, rule) in file.rule.iter().enumerate() {
            let at = |message: String| {
                TaggingError::data(
                    origin,
                    format!("rule {} ({}): {message}", index + 1, rule.division),
                )
            };
            let division = taxonomy
                .division(&rule.division)
                .ok_or_else(|| at(format!("unknown division {:?}", rule.division)))?
                .to_owned();
            let discipline = match &rule.discipline {
                None => None,
                Some(name) => {
                    let found = taxonomy
                        .discipline(name)
                        .ok_or_else(|| at(format!("unknown discipline {name:?}")))?;
                    if found.division != division {
                        return Err(at(format!("{name:?} is in {:?}", found.division)));
                    }
                    Some(found.name.clone())
                }
            };
            let kinds = [
                (PhraseKind::Department, &rule.departments),
                (PhraseKind::Title, &rule.titles),
            ];
            for (kind, texts) in kinds {
                for text in texts {
                    let words = reader.words(text);
                    if words.is_empty() {
                        return Err(at(format!("empty phrase {text:?}")));
                    }
                    phrases.push(Phrase {
                        words,
                        text: text.clone(),
                        kind,
                        division: division.clone(),
                        discipline: discipline.clone(),
                    });
                }
            }
        }
        // Longest phrase first: "radiotherapy physics" must beat "physics".
        phrases.sort_by_key(|phrase| std::cmp::Reverse(phrase.words.len()));
        let folded = |texts: &[String]| -> Vec<(Vec<String>, String)> {
            texts
                .iter()
                .map(|text| (reader.words(text), text.clone()))
                .collect()
        };
        Ok(DisciplineRules {
            reader: reader.clone(),
            phrases,
            generic_titles: folded(&file.generic.titles),
            medical_titles: folded(&file.medical.titles),
            medical_degrees: file
                .medical
                .degrees
                .iter()
                .map(|text| (cased_words(text), text.clone()))
                .collect(),
        })
    }

    /// The bundled rules, checked against `taxonomy`.
    pub fn bundled(taxonomy: &Taxonomy, reader: &AffiliationWords) -> Result<Self, TaggingError> {
        Self::parse(
            BUNDLED_RULES,
            "config/tagging/discipline-rules.toml",
            taxonomy,
            reader,
        )
    }

    /// The most specific rule whose phrase occurs in `words` (folded words of one string).
    pub fn find(&self, words: &[String]) -> Option<RuleHit> {
        self.phrases
            .iter()
            .find(|phrase| contains_words(words, &phrase.words))
            .map(|phrase| RuleHit {
                division: phrase.division.clone(),
                discipline: phrase.discipline.clone(),
                phrase: phrase.text.clone(),
                kind: phrase.kind,
            })
    }

    /// A discipline-neutral healthcare-science title in `words` ("clinical scientist").
    pub fn generic_title(&self, words: &[String]) -> Option<&str> {
        first_phrase(&self.generic_titles, words)
    }

    /// A medical role title in `text` ("Consultant Physician"): evidence against.
    pub fn medical_title(&self, text: &str) -> Option<&str> {
        first_phrase(&self.medical_titles, &self.reader.words(text))
    }

    /// A medical degree in `text` ("MBChB", "FRCP"), compared in capitals: read
    /// it from names and bylines only, since "MD" in an address is Maryland.
    pub fn medical_degree(&self, text: &str) -> Option<&str> {
        first_phrase(&self.medical_degrees, &cased_words(text))
    }
}

fn first_phrase<'a>(phrases: &'a [(Vec<String>, String)], words: &[String]) -> Option<&'a str> {
    phrases
        .iter()
        .find(|(phrase, _)| contains_words(words, phrase))
        .map(|(_, text)| text.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::gazetteer::Gazetteer;
    use crate::text::fold_words;

    fn rules() -> DisciplineRules {
        let gazetteer = Gazetteer::bundled().unwrap();
        DisciplineRules::bundled(&Taxonomy::bundled().unwrap(), gazetteer.reader()).unwrap()
    }

    #[test]
    fn specific_phrases_beat_broad_ones() {
        let rules = rules();
        let hit = rules
            .find(&fold_words(
                "Department of Radiotherapy Physics, Velindre Cancer Centre",
            ))
            .unwrap();
        assert_eq!(hit.discipline.as_deref(), Some("Radiotherapy physics"));
        let broad = rules
            .find(&fold_words("Medical Physics, Singleton Hospital"))
            .unwrap();
        assert_eq!(
            broad.division,
            "Physical Sciences and Biomedical Engineering"
        );
        assert!(rules.find(&fold_words("School of History")).is_none());
    }

    #[test]
    fn medical_degrees_need_capitals() {
        let rules = rules();
        assert!(rules.medical_degree("J Smith MBChB FRCP").is_some());
        assert!(rules.medical_degree("j smith md").is_none());
        assert!(rules
            .medical_title("Consultant Physician, Morriston Hospital")
            .is_some());
        assert!(rules
            .medical_title("Clinical Scientist, Medical Physics")
            .is_none());
    }

    #[test]
    fn unknown_disciplines_are_refused_with_the_rule_named() {
        let taxonomy = Taxonomy::bundled().unwrap();
        let text = "[[rule]]\ndivision = \"Physiological Sciences\"\ndiscipline = \"Cardiology\"\n";
        let error =
            DisciplineRules::parse(text, "rules.toml", &taxonomy, &AffiliationWords::default())
                .unwrap_err();
        assert!(error.to_string().contains("rules.toml"), "{error}");
        assert!(error.to_string().contains("Cardiology"), "{error}");
    }
}
