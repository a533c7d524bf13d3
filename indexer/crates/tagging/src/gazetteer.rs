//! The NHS Wales organisation gazetteer: current and Welsh names, acronyms,
//! hospitals and hosted units, and former names with the dates they applied
//! (`config/tagging/gazetteer.toml`). Affiliation strings resolve to an
//! organisation; counts use its current name, the published name is kept.

use serde::Deserialize;
use time::Date;

use super::dates::{after_years, parse_date, DateSpan, PUBLICATION_LAG_YEARS};
use super::text::{cased_words, contains_words, find_words, AffiliationWords};
use super::TaggingError;

/// The gazetteer bundled with the indexer.
pub const BUNDLED_GAZETTEER: &str = include_str!("../../../../config/tagging/gazetteer.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GazetteerFile {
    #[serde(default)]
    nhs_wales: Markers,
    #[serde(default)]
    non_nhs: NonNhs,
    #[serde(default)]
    organisation: Vec<OrganisationEntry>,
    /// Indexers' abbreviations of affiliation words and what they stand for.
    #[serde(default)]
    abbreviations: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Markers {
    #[serde(default)]
    markers: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NonNhs {
    #[serde(default)]
    names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrganisationEntry {
    key: String,
    name: String,
    kind: String,
    #[serde(default)]
    welsh: Vec<String>,
    #[serde(default)]
    acronyms: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    units: Vec<String>,
    /// Services this organisation runs inside other bodies' hospitals.
    #[serde(default)]
    services: Option<ServicesEntry>,
    #[serde(default)]
    period: Vec<PeriodEntry>,
}

/// Services an organisation runs on other bodies' sites, and since when.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesEntry {
    phrases: Vec<String>,
    from: Option<String>,
}

/// A service phrase: named at another body's hospital, it makes its
/// organisation the employer.
#[derive(Debug, Clone)]
struct Service {
    words: Vec<String>,
    text: String,
    organisation: usize,
    from: Option<Date>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodEntry {
    name: Option<String>,
    #[serde(default)]
    acronyms: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    units: Vec<String>,
    from: Option<String>,
    until: Option<String>,
}

/// One NHS Wales organisation under its current name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    /// ODS code, or a slug where none is known (e.g. "7A4", "heiw").
    pub key: String,
    /// Current English name, used when counting.
    pub name: String,
    /// Health board, trust, special health authority, other.
    pub kind: String,
}

#[derive(Debug, Clone)]
struct Phrase {
    words: Vec<String>,
    /// Acronyms compare with case kept: "CTM" is an acronym, "ctm" is not.
    cased: bool,
    organisation: usize,
    text: String,
    from: Option<Date>,
    until: Option<Date>,
    /// A hospital (a site): other bodies' staff work there too.
    site: bool,
}

/// An organisation named in an affiliation string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganisationMatch {
    /// The organisation's key.
    pub key: String,
    /// Its current name.
    pub name: String,
    /// The gazetteer phrase that matched (a former name, a hospital, an acronym…).
    pub phrase: String,
    /// False when the phrase applied only in a period that does not overlap the record's date.
    pub in_period: bool,
    /// True when only a hospital of it was named (a site), not the organisation or its services.
    pub via_site: bool,
}

impl OrganisationMatch {
    /// The organisation a tag counts under, with the phrase as published.
    pub fn tagged(&self) -> super::model::TaggedOrganisation {
        super::model::TaggedOrganisation {
            key: Some(self.key.clone()),
            name: self.name.clone(),
            published: Some(self.phrase.clone()),
        }
    }
}

/// The loaded gazetteer.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    organisations: Vec<Organisation>,
    phrases: Vec<Phrase>,
    markers: Vec<Vec<String>>,
    non_nhs: Vec<Vec<String>>,
    services: Vec<Service>,
    reader: AffiliationWords,
}

impl Gazetteer {
    /// Parses a gazetteer file.
    pub fn parse(text: &str, origin: &str) -> Result<Self, TaggingError> {
        let file: GazetteerFile =
            toml::from_str(text).map_err(|error| TaggingError::data(origin, error))?;
        let reader = AffiliationWords::new(
            file.abbreviations
                .iter()
                .map(|(short, long)| (short.as_str(), long.as_str())),
        );
        let mut organisations = Vec::new();
        let mut phrases = Vec::new();
        let mut services = Vec::new();
        for entry in &file.organisation {
            let index = organisations.len();
            let mut add = |texts: &[String],
                           cased: bool,
                           from,
                           until,
                           unit: bool|
             -> Result<(), TaggingError> {
                for text in texts {
                    let (folded, kept) = reader.aligned(text);
                    let words = if cased { kept } else { folded };
                    if words.is_empty() {
                        return Err(TaggingError::data(
                            origin,
                            format!("organisation {}: empty phrase {text:?}", entry.key),
                        ));
                    }
                    let site = unit && is_site(&words);
                    phrases.push(Phrase {
                        words,
                        cased,
                        organisation: index,
                        text: text.clone(),
                        from,
                        until,
                        site,
                    });
                }
                Ok(())
            };
            add(std::slice::from_ref(&entry.name), false, None, None, false)?;
            add(&entry.welsh, false, None, None, false)?;
            add(&entry.aliases, false, None, None, false)?;
            add(&entry.units, false, None, None, true)?;
            add(&entry.acronyms, true, None, None, false)?;
            for period in &entry.period {
                let date = |value: &Option<String>| -> Result<Option<Date>, TaggingError> {
                    value
                        .as_deref()
                        .map(|text| {
                            parse_date(text).ok_or_else(|| {
                                TaggingError::data(
                                    origin,
                                    format!(
                                        "organisation {}: bad date {text:?} (YYYY-MM-DD)",
                                        entry.key
                                    ),
                                )
                            })
                        })
                        .transpose()
                };
                let (from, until) = (date(&period.from)?, date(&period.until)?);
                add(period.name.as_slice(), false, from, until, false)?;
                add(&period.aliases, false, from, until, false)?;
                add(&period.units, false, from, until, true)?;
                add(&period.acronyms, true, from, until, false)?;
            }
            if let Some(entry_services) = &entry.services {
                let from = match entry_services.from.as_deref() {
                    None => None,
                    Some(text) => Some(parse_date(text).ok_or_else(|| {
                        TaggingError::data(
                            origin,
                            format!("organisation {}: bad services date {text:?}", entry.key),
                        )
                    })?),
                };
                for text in &entry_services.phrases {
                    let words = reader.words(text);
                    if words.is_empty() {
                        return Err(TaggingError::data(
                            origin,
                            format!("organisation {}: empty service {text:?}", entry.key),
                        ));
                    }
                    services.push(Service {
                        words,
                        text: text.clone(),
                        organisation: index,
                        from,
                    });
                }
            }
            organisations.push(Organisation {
                key: entry.key.clone(),
                name: entry.name.clone(),
                kind: entry.kind.clone(),
            });
        }
        // Longest phrase first, so "Cwm Taf Morgannwg University Health Board"
        // is found before "Cwm Taf".
        phrases.sort_by_key(|phrase| std::cmp::Reverse(phrase.words.len()));
        let folded = |texts: &[String]| texts.iter().map(|t| reader.words(t)).collect();
        Ok(Gazetteer {
            organisations,
            phrases,
            markers: folded(&file.nhs_wales.markers),
            non_nhs: folded(&file.non_nhs.names),
            services,
            reader,
        })
    }

    /// How affiliation text is read for matching (abbreviations written out).
    pub fn reader(&self) -> &AffiliationWords {
        &self.reader
    }

    /// The bundled gazetteer.
    pub fn bundled() -> Result<Self, TaggingError> {
        Self::parse(BUNDLED_GAZETTEER, "config/tagging/gazetteer.toml")
    }

    /// Every organisation.
    pub fn organisations(&self) -> &[Organisation] {
        &self.organisations
    }

    /// Organisations named in `affiliation`, each once, those in period on `date` first.
    ///
    /// A phrase inside a longer phrase already matched (the "Cwm Taf" of
    /// "Cwm Taf Morgannwg") does not match again.
    pub fn find(&self, affiliation: &str, date: Option<DateSpan>) -> Vec<OrganisationMatch> {
        self.claim(affiliation, date).0
    }

    /// The organisations named, and which words their phrases claimed.
    fn claim(
        &self,
        affiliation: &str,
        date: Option<DateSpan>,
    ) -> (Vec<OrganisationMatch>, Vec<String>, Vec<bool>) {
        let (folded, cased) = self.reader.aligned(affiliation);
        let mut taken = vec![false; folded.len()];
        // Each organisation with the word where it is first named: of two
        // employers named, the first is the more specific (bylines run unit →
        // organisation → site), so "NPHS Microbiology (Velindre NHS Trust)" is NPHS's.
        let mut found: Vec<(OrganisationMatch, usize)> = Vec::new();
        for phrase in &self.phrases {
            let words = if phrase.cased { &cased } else { &folded };
            let Some(start) = find_free(words, &phrase.words, &taken) else {
                continue;
            };
            let strict = date.is_none_or(|span| span.overlaps(phrase.from, phrase.until));
            // The same words can belong to two organisations in different
            // periods (a hospital that moved): only the one in period claims them.
            if !strict
                && self.phrases.iter().any(|other| {
                    other.words == phrase.words
                        && other.organisation != phrase.organisation
                        && date.is_none_or(|span| span.overlaps(other.from, other.until))
                })
            {
                continue;
            }
            // Papers appear a year or two after the work: a retired name stays
            // in period for that long, unless its words now belong to another.
            let lagged = phrase
                .until
                .map(|until| after_years(until, PUBLICATION_LAG_YEARS));
            let in_period = strict || date.is_none_or(|span| span.overlaps(phrase.from, lagged));
            taken[start..start + phrase.words.len()].fill(true);
            let organisation = &self.organisations[phrase.organisation];
            match found.iter_mut().find(|(m, _)| m.key == organisation.key) {
                Some((existing, first)) => {
                    *first = (*first).min(start);
                    if !existing.in_period && in_period {
                        existing.in_period = true;
                        existing.phrase = phrase.text.clone();
                        existing.via_site = phrase.site;
                    } else {
                        existing.via_site &= phrase.site;
                    }
                }
                None => found.push((
                    OrganisationMatch {
                        key: organisation.key.clone(),
                        name: organisation.name.clone(),
                        phrase: phrase.text.clone(),
                        in_period,
                        via_site: phrase.site,
                    },
                    start,
                )),
            }
        }
        // A university named beside the hospital is the employer of its own
        // department there ("Medical Microbiology, Cardiff University, 6th
        // Floor University Hospital of Wales"): no service rule then.
        let university = self
            .non_nhs
            .iter()
            .any(|name| find_free(&folded, name, &taken).is_some());
        if !university {
            self.add_service_employer(&folded, date, &mut found);
        }
        // The employer named wins over the site: a Public Health Wales lab in
        // a health board's hospital belongs to Public Health Wales.
        found.sort_by_key(|(m, first)| (!m.in_period, m.via_site, *first));
        let found = found.into_iter().map(|(m, _)| m).collect();
        (found, folded, taken)
    }

    /// When only hospitals are named and the string names a service another
    /// organisation runs in them (Public Health Wales' microbiology in the
    /// health boards' hospitals), that organisation is the employer.
    fn add_service_employer(
        &self,
        words: &[String],
        date: Option<DateSpan>,
        found: &mut Vec<(OrganisationMatch, usize)>,
    ) {
        if found.is_empty() || found.iter().any(|(m, _)| !m.via_site) {
            return;
        }
        let service = self.services.iter().find_map(|service| {
            let at = find_words(words, &service.words)?;
            let in_period = date.is_none_or(|span| span.overlaps(service.from, None));
            in_period.then_some((service, at))
        });
        let Some((service, at)) = service else {
            return;
        };
        let organisation = &self.organisations[service.organisation];
        found.retain(|(m, _)| m.key != organisation.key);
        found.push((
            OrganisationMatch {
                key: organisation.key.clone(),
                name: organisation.name.clone(),
                phrase: service.text.clone(),
                in_period: true,
                via_site: false,
            },
            at,
        ));
    }

    /// The NHS Wales organisation that employs the author of `affiliation`:
    /// the first named ([`Gazetteer::find`]), unless only a hospital is named
    /// beside a university — then the university employs (its department
    /// housed in the hospital), and there is none.
    pub fn employer(&self, affiliation: &str, date: Option<DateSpan>) -> Option<OrganisationMatch> {
        let first = self.find(affiliation, date).into_iter().next()?;
        (!self.university_employs(&first, affiliation)).then_some(first)
    }

    /// True when `found`, the first organisation `affiliation` names, is only
    /// a hospital and the string names a university: the university employs.
    pub fn university_employs(&self, found: &OrganisationMatch, affiliation: &str) -> bool {
        found.via_site && self.names_non_nhs(affiliation)
    }

    /// The organisation a roster's organisation field names, if the gazetteer
    /// knows it: by name, Welsh name, alias or unit, or — when the cell is
    /// nothing else — by its ODS code or acronym in any case ("7a3", "sbuhb").
    pub fn resolve(&self, name: &str) -> Option<&Organisation> {
        let cell = name.trim();
        let words = cased_words(cell);
        // HR systems (ESR) prefix an organisation with its ODS code:
        // "7A4 - Cardiff and Vale UHB", "RYT Public Health Wales NHS Trust".
        let code = cell
            .split(|c: char| c.is_whitespace() || c == '-')
            .next()
            .unwrap_or(cell);
        let whole = self
            .organisations
            .iter()
            .find(|org| org.key.eq_ignore_ascii_case(cell) || org.key.eq_ignore_ascii_case(code))
            .or_else(|| {
                self.phrases
                    .iter()
                    .find(|phrase| {
                        phrase.cased
                            && phrase.words.len() == words.len()
                            && phrase
                                .words
                                .iter()
                                .zip(&words)
                                .all(|(a, b)| a.eq_ignore_ascii_case(b))
                    })
                    .map(|phrase| &self.organisations[phrase.organisation])
            });
        if whole.is_some() {
            return whole;
        }
        let first = self.find(name, None).into_iter().next()?;
        self.by_key(&first.key)
    }

    /// Every phrase that names the organisation with this key (current,
    /// Welsh and former names, aliases, acronyms, hospitals and hosted units),
    /// as written in the gazetteer: what a bibliographic search looks for.
    pub fn phrases_of(&self, key: &str) -> Vec<&str> {
        let Some(index) = self.organisations.iter().position(|org| org.key == key) else {
            return Vec::new();
        };
        let mut texts: Vec<&str> = self
            .phrases
            .iter()
            .filter(|phrase| phrase.organisation == index)
            .map(|phrase| phrase.text.as_str())
            .collect();
        texts.sort_unstable();
        texts.dedup();
        texts
    }

    /// The organisation with this key.
    pub fn by_key(&self, key: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|org| org.key == key)
    }

    /// True when `affiliation` says NHS Wales without naming an organisation ("NHS Wales", "GIG Cymru").
    pub fn names_nhs_wales(&self, affiliation: &str) -> bool {
        let words = self.reader.words(affiliation);
        self.markers
            .iter()
            .any(|marker| contains_words(&words, marker))
    }

    /// True when `affiliation` names a university or other non-NHS body the
    /// gazetteer lists, in words no NHS organisation's name has claimed
    /// ("Prifysgol Caerdydd" inside a health board's Welsh name is not the university).
    pub fn names_non_nhs(&self, affiliation: &str) -> bool {
        let (_, words, taken) = self.claim(affiliation, None);
        self.non_nhs
            .iter()
            .any(|name| find_free(&words, name, &taken).is_some())
    }
}

/// Words that make a unit phrase a site (staff of several bodies work there),
/// not a service of the organisation ("Welsh Specialist Virology Centre").
const SITE_WORDS: [&str; 3] = ["hospital", "ysbyty", "infirmary"];

fn is_site(words: &[String]) -> bool {
    words.iter().any(|word| SITE_WORDS.contains(&word.as_str()))
}

fn find_free(words: &[String], phrase: &[String], taken: &[bool]) -> Option<usize> {
    let mut offset = 0;
    while let Some(start) = find_words(&words[offset..], phrase) {
        let start = offset + start;
        // Cased and folded words are the same tokens, so positions line up.
        if !taken.get(start..start + phrase.len())?.iter().any(|t| *t) {
            return Some(start);
        }
        offset = start + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(year: u16, month: Option<u8>) -> Option<DateSpan> {
        Some(DateSpan::of(year, month))
    }

    #[test]
    fn former_names_resolve_to_the_current_organisation() {
        let gazetteer = Gazetteer::bundled().unwrap();
        let matches = gazetteer.find(
            "Department of Medical Physics, Abertawe Bro Morgannwg University Health Board, Swansea, UK",
            span(2015, Some(3)),
        );
        assert_eq!(matches[0].name, "Swansea Bay University Health Board");
        assert!(matches[0].in_period);
        let lagged = gazetteer.find(
            "Abertawe Bro Morgannwg University Health Board",
            span(2020, None),
        );
        assert!(
            lagged[0].in_period,
            "papers carry a retired name for a while"
        );
        let late = gazetteer.find(
            "Abertawe Bro Morgannwg University Health Board",
            span(2023, None),
        );
        assert!(!late[0].in_period, "ABMU was renamed in 2019");
        assert_eq!(
            gazetteer.resolve("7a3").map(|o| o.key.as_str()),
            Some("7A3")
        );
        assert_eq!(
            gazetteer.resolve("phw").map(|o| o.key.as_str()),
            Some("RYT")
        );
    }

    #[test]
    fn the_employer_named_wins_over_the_site() {
        let gazetteer = Gazetteer::bundled().unwrap();
        let found = gazetteer.find(
            "Public Health Wales Microbiology, University Hospital of Wales, Cardiff, UK",
            None,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(
            found[0].name,
            gazetteer.resolve("Public Health Wales").unwrap().name
        );
        assert!(!found[0].via_site && found[1].via_site);
        // A site alone still names its board.
        let site = gazetteer.find("University Hospital of Wales, Cardiff", None);
        assert_eq!(site.len(), 1);
        assert!(site[0].via_site);
    }

    #[test]
    fn a_service_run_in_another_body_s_hospital_is_its_runner_s_from_its_date() {
        let gazetteer = Gazetteer::bundled().unwrap();
        let text = "Department of Microbiology, Glan Clwyd Hospital, Rhyl";
        let phw = gazetteer
            .resolve("Public Health Wales")
            .unwrap()
            .name
            .clone();
        assert_eq!(gazetteer.find(text, span(2012, None))[0].name, phw);
        // Before NPHS took the laboratories over, the hospital's own body.
        assert_ne!(gazetteer.find(text, span(1998, None))[0].name, phw);
        // A university named beside the hospital employs its own department.
        let university =
            "Department of Medical Microbiology, Cardiff University, University Hospital of Wales";
        assert_ne!(gazetteer.find(university, span(2012, None))[0].name, phw);
        assert!(gazetteer.employer(university, span(2012, None)).is_none());
        // Of two employers named, the first: NPHS was hosted by Velindre.
        let hosted = "NPHS Microbiology Swansea (Velindre NHS Trust), Singleton Hospital";
        assert_eq!(gazetteer.find(hosted, span(2007, None))[0].name, phw);
    }

    #[test]
    fn a_hospital_that_moved_belongs_to_its_board_of_the_day() {
        let gazetteer = Gazetteer::bundled().unwrap();
        let before = gazetteer.find("Princess of Wales Hospital, Bridgend", span(2016, None));
        let after = gazetteer.find("Princess of Wales Hospital, Bridgend", span(2021, None));
        assert_eq!(before[0].name, "Swansea Bay University Health Board");
        assert_eq!(after[0].name, "Cwm Taf Morgannwg University Health Board");
    }

    #[test]
    fn longer_names_win_and_acronyms_need_capitals() {
        let gazetteer = Gazetteer::bundled().unwrap();
        let found = gazetteer.find(
            "Cwm Taf Morgannwg University Health Board",
            span(2020, None),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "Cwm Taf Morgannwg University Health Board");
        assert!(gazetteer.find("the phw cohort", None).is_empty());
        assert_eq!(
            gazetteer.find("PHW, Cardiff", None)[0].name,
            "Public Health Wales NHS Trust"
        );
        assert!(gazetteer.names_non_nhs("School of Medicine, Cardiff University, Cardiff"));
        assert!(!gazetteer.names_non_nhs("Bwrdd Iechyd Prifysgol Caerdydd a'r Fro"));
        assert!(gazetteer
            .find("School of Medicine, Cardiff University", None)
            .is_empty());
    }
}
