//! Tagging: which authors and grant people are NHS healthcare scientists,
//! in which discipline, organisation and role — with the evidence.
//!
//! * Tier 1 ([`score`]) matches people to the Network's [`roster`] the way
//!   ReCiter does: candidates by name, then named evidence (ORCID, e-mail,
//!   organisation on the record's date, department, co-authors, grants)
//!   summed as log-odds into a 0–100 score and a band.
//! * Tier 2 ([`infer`]) marks people not on the roster as *possible*
//!   healthcare scientists from an NHS Wales organisation plus a
//!   healthcare-science department or title, with medical evidence against.
//! * Curators' decisions ([`curation`]) win over both and survive rebuilds.
//!
//! Reference data: the [`taxonomy`], the [`gazetteer`] of NHS Wales
//! organisations and the [`rules`] for disciplines, all editable files.

pub mod curation;
pub mod evaluate;
pub mod gazetteer;
pub mod infer;
pub mod model;
pub mod names;
pub mod roster;
pub mod rules;
pub mod score;
pub mod slots;
pub mod taxonomy;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use time::{Date, Month};

pub use curation::{Decision, DecisionLog, Verdict};
pub use gazetteer::Gazetteer;
pub use model::{Band, PersonTag, SlotTag, Tier};
pub use roster::Roster;
pub use rules::DisciplineRules;
pub use taxonomy::Taxonomy;

use crate::records::Record;

/// Errors of the tagging stage: reference data and files.
#[derive(Debug, thiserror::Error)]
pub enum TaggingError {
    /// A data file (taxonomy, gazetteer, rules, roster, gold set) is malformed.
    #[error("{origin}: {message}")]
    Data {
        /// The file (or bundled resource) at fault.
        origin: String,
        /// What is wrong and where in it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl TaggingError {
    pub(crate) fn data(origin: &str, message: impl ToString) -> Self {
        TaggingError::Data {
            origin: origin.to_owned(),
            message: message.to_string(),
        }
    }
}

/// A record's date as a span of days: a year-only date covers the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateSpan {
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
}

impl DateSpan {
    /// The span of a year, or of a month of it.
    pub fn of(year: u16, month: Option<u8>) -> Self {
        let year = i32::from(year);
        let month = month.and_then(|m| Month::try_from(m).ok());
        let first = |m: Month| Date::from_calendar_date(year, m, 1).unwrap_or(Date::MIN);
        match month {
            Some(month) => {
                let start = first(month);
                let end =
                    Date::from_calendar_date(year, month, month.length(year)).unwrap_or(start);
                DateSpan { start, end }
            }
            None => DateSpan {
                start: first(Month::January),
                end: Date::from_calendar_date(year, Month::December, 31).unwrap_or(Date::MAX),
            },
        }
    }

    /// A single day.
    pub fn day(date: Date) -> Self {
        DateSpan {
            start: date,
            end: date,
        }
    }

    /// True when the span shares a day with `[from, until]` (open ends unbounded).
    pub fn overlaps(&self, from: Option<Date>, until: Option<Date>) -> bool {
        from.is_none_or(|from| self.end >= from) && until.is_none_or(|until| self.start <= until)
    }
}

/// Band thresholds on the 0–100 score.
#[derive(Debug, Clone, Copy)]
pub struct Bands {
    /// At or above: accept.
    pub accept: u8,
    /// At or above (and below accept): review; below: reject.
    pub review: u8,
}

impl Default for Bands {
    /// ReCiter's scheme, with the accept line set where the evaluation set
    /// shows precision above 0.98 (see `fixtures/tagging/PROVENANCE.md`).
    fn default() -> Self {
        Bands {
            accept: 80,
            review: 30,
        }
    }
}

impl Bands {
    /// The band of a score.
    pub fn of(&self, score: u8) -> Band {
        if score >= self.accept {
            Band::Accept
        } else if score >= self.review {
            Band::Review
        } else {
            Band::Reject
        }
    }
}

/// Reference data every tagging run needs.
#[derive(Debug, Clone)]
pub struct ReferenceData {
    /// Disciplines and divisions.
    pub taxonomy: Taxonomy,
    /// NHS Wales organisations.
    pub gazetteer: Gazetteer,
    /// Discipline phrases and medical evidence.
    pub rules: DisciplineRules,
}

impl ReferenceData {
    /// The bundled files, or the given overrides.
    pub fn load(gazetteer: Option<&Path>, rules: Option<&Path>) -> Result<Self, TaggingError> {
        let taxonomy = Taxonomy::bundled()?;
        let read = |path: &Path| {
            std::fs::read_to_string(path).map_err(|source| TaggingError::Io {
                path: path.to_owned(),
                source,
            })
        };
        let gazetteer = match gazetteer {
            Some(path) => Gazetteer::parse(&read(path)?, &path.display().to_string())?,
            None => Gazetteer::bundled()?,
        };
        let rules = match rules {
            Some(path) => {
                DisciplineRules::parse(&read(path)?, &path.display().to_string(), &taxonomy)?
            }
            None => DisciplineRules::bundled(&taxonomy)?,
        };
        Ok(ReferenceData {
            taxonomy,
            gazetteer,
            rules,
        })
    }
}

/// Tags records: reference data, the roster (possibly empty) and curators' decisions.
#[derive(Debug)]
pub struct Tagger {
    /// Reference data.
    pub reference: ReferenceData,
    /// The roster; empty means tier 2 only.
    pub roster: Roster,
    /// Curators' decisions.
    pub decisions: DecisionLog,
    /// Band thresholds.
    pub bands: Bands,
    /// Grant references (folded) on which each roster person holds an accepted role.
    grant_holders: HashMap<String, HashSet<String>>,
}

impl Tagger {
    /// A tagger over the given data.
    pub fn new(reference: ReferenceData, roster: Roster, decisions: DecisionLog) -> Self {
        Tagger {
            reference,
            roster,
            decisions,
            bands: Bands::default(),
            grant_holders: HashMap::new(),
        }
    }

    /// Tags every record, returning tags in the records' order. Grants go
    /// first, so their accepted people become evidence for publications that
    /// acknowledge the grant.
    pub fn tag_all(&mut self, records: &[Record]) -> Vec<Vec<SlotTag>> {
        self.grant_holders.clear();
        let mut tags: Vec<Vec<SlotTag>> = vec![Vec::new(); records.len()];
        for (index, record) in records.iter().enumerate() {
            let Record::Grant(grant) = record else {
                continue;
            };
            tags[index] = self.tag(record);
            for slot in &tags[index] {
                if let (Band::Accept, Some(person)) = (slot.tag.band, &slot.tag.person_id) {
                    self.grant_holders
                        .entry(person.clone())
                        .or_default()
                        .insert(crate::index::document::grant_reference_term(
                            &grant.reference,
                        ));
                }
            }
        }
        for (index, record) in records.iter().enumerate() {
            if !matches!(record, Record::Grant(_)) {
                tags[index] = self.tag(record);
            }
        }
        tags
    }

    /// Tags one record's authors or grant people.
    pub fn tag(&self, record: &Record) -> Vec<SlotTag> {
        let context = slots::RecordContext::of(record, &self.reference.gazetteer);
        let mut tags = score::tag_roster(self, &context);
        for slot in &context.slots {
            if tags.iter().any(|t| t.position == slot.position) {
                continue;
            }
            if self
                .decisions
                .rejects_inferred(context.record_id, slot.position)
            {
                continue;
            }
            if let Some(tag) = infer::infer(self, slot) {
                tags.push(SlotTag {
                    position: slot.position,
                    tag,
                });
            }
        }
        tags.sort_by_key(|t| t.position);
        tags
    }

    /// True when `person_id` holds an accepted role on a grant with this folded reference.
    pub(crate) fn holds_grant(&self, person_id: &str, reference: &str) -> bool {
        self.grant_holders
            .get(person_id)
            .is_some_and(|refs| refs.contains(reference))
    }
}

/// A record as JSON with each tag placed beside its author (`authors[i].hcs`)
/// or grant person (`people[i].hcs`): the shape `indexer export` prints.
pub fn annotate(record: &Record, tags: &[SlotTag]) -> serde_json::Value {
    let mut value = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
    let list = match record {
        Record::Publication(_) => "authors",
        Record::Grant(_) => "people",
    };
    let grant = matches!(record, Record::Grant(_));
    if let Some(people) = value.get_mut(list).and_then(|v| v.as_array_mut()) {
        for slot in tags {
            let target = people.iter_mut().enumerate().find(|(index, person)| {
                if grant {
                    *index as u32 + 1 == slot.position
                } else {
                    person.get("position").and_then(|p| p.as_u64())
                        == Some(u64::from(slot.position))
                }
            });
            if let Some((_, person)) = target {
                if let Some(object) = person.as_object_mut() {
                    object.insert(
                        "hcs".into(),
                        serde_json::to_value(&slot.tag).unwrap_or(serde_json::Value::Null),
                    );
                }
            }
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_only_dates_overlap_periods_that_touch_the_year() {
        let year = DateSpan::of(2019, None);
        let until_march = gazetteer::parse_date("2019-03-31");
        let from_april = gazetteer::parse_date("2019-04-01");
        assert!(year.overlaps(None, until_march));
        assert!(year.overlaps(from_april, None));
        let june = DateSpan::of(2019, Some(6));
        assert!(!june.overlaps(None, until_march));
        assert_eq!(june.end, gazetteer::parse_date("2019-06-30").unwrap());
        assert_eq!(DateSpan::of(2020, Some(2)).end.day(), 29);
    }
}
