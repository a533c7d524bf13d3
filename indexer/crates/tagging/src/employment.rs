//! Employment histories from ORCID (harvested with the works and kept in
//! the raw archive): where a person worked, in which role, and when.
//!
//! Tier 1 uses them for roster people with an ORCID iD: an affiliation naming
//! a past employer on the record's date is evidence, even when the roster
//! only knows today's employer. Tier 2 uses them for people not on the
//! roster: a healthcare-science role at an NHS Wales organisation.

use std::collections::HashMap;

use time::Date;

use super::dates::DateSpan;
use super::gazetteer::Gazetteer;
use super::text::name_words;
use hcs_model::records::Employment;

/// One employment, read for matching.
#[derive(Debug, Clone)]
pub struct EmploymentSpell {
    /// Organisation as the person wrote it.
    pub organisation: String,
    /// Its words without connectors.
    pub organisation_words: Vec<String>,
    /// Gazetteer key, when it is an NHS Wales organisation.
    pub organisation_key: Option<String>,
    /// Role title and department, folded.
    pub role_words: Vec<String>,
    /// Role title and department as written.
    pub role: String,
    /// First day, when given.
    pub start: Option<Date>,
    /// Last day, when given (absent while current).
    pub end: Option<Date>,
}

impl EmploymentSpell {
    /// True when the spell covers part of `span`.
    pub fn covers(&self, span: DateSpan) -> bool {
        span.overlaps(self.start, self.end)
    }
}

/// Employment spells by ORCID iD.
#[derive(Debug, Default)]
pub struct Employments {
    by_orcid: HashMap<String, Vec<EmploymentSpell>>,
}

impl Employments {
    /// Reads harvested employments, resolving organisations against the gazetteer.
    pub fn new(harvested: HashMap<String, Vec<Employment>>, gazetteer: &Gazetteer) -> Self {
        let by_orcid = harvested
            .into_iter()
            .map(|(orcid, list)| {
                let spells = list
                    .into_iter()
                    .map(|employment| {
                        let role = [
                            employment.role_title.as_deref(),
                            employment.department.as_deref(),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                        EmploymentSpell {
                            organisation_words: name_words(&employment.organisation),
                            organisation_key: gazetteer
                                .resolve(&employment.organisation)
                                .map(|org| org.key.clone()),
                            role_words: gazetteer.reader().words(&role),
                            role,
                            start: employment
                                .start
                                .as_deref()
                                .and_then(|d| partial_date(d, false)),
                            end: employment
                                .end
                                .as_deref()
                                .and_then(|d| partial_date(d, true)),
                            organisation: employment.organisation,
                        }
                    })
                    .collect();
                (orcid, spells)
            })
            .collect();
        Employments { by_orcid }
    }

    /// The spells of one ORCID iD.
    pub fn of(&self, orcid: &str) -> &[EmploymentSpell] {
        self.by_orcid.get(orcid).map_or(&[], Vec::as_slice)
    }

    /// How many people have employments.
    pub fn len(&self) -> usize {
        self.by_orcid.len()
    }

    /// True when none were harvested.
    pub fn is_empty(&self) -> bool {
        self.by_orcid.is_empty()
    }
}

/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as its first day, or its last day when `end`.
fn partial_date(text: &str, end: bool) -> Option<Date> {
    let span = hcs_model::dates::PartialDate::parse(text)?.span();
    Some(if end { span.end } else { span.start })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::dates::parse_date;

    #[test]
    fn partial_dates_cover_their_whole_period() {
        assert_eq!(partial_date("2019", false), parse_date("2019-01-01"));
        assert_eq!(partial_date("2019", true), parse_date("2019-12-31"));
        assert_eq!(partial_date("2019-02", true), parse_date("2019-02-28"));
        assert_eq!(partial_date("2019-02-14", true), parse_date("2019-02-14"));
        assert_eq!(partial_date("soon", true), None);
    }
}
