//! What to search for, person by person: the name forms, ORCID iD and
//! employer phrases a roster gives, written once and rendered for each
//! source's query language (and matched locally, to say who found what).
//!
//! The forms follow what bibliographic author indexes hold: PubMed's `[au]`
//! is "Family Initials" and truncates on the initials, so "Rahim A" finds
//! "Rahim AB"; `[fau]` is "Family Given" for records that print given names.
//! Affiliation phrases come from the gazetteer for NHS Wales employers
//! (current, Welsh and former names, hospitals, hosted units, acronyms) and,
//! for every employer, from the distinctive words of its name, so
//! "Stellenbosch University" still finds "University of Stellenbosch".

use std::collections::BTreeMap;

use crate::tagging::gazetteer::Gazetteer;
use crate::tagging::names::{FamilyMatch, GivenMatch, PersonName};
use crate::tagging::roster::RosterPerson;
use crate::tagging::text::{fold_joined, fold_words};

/// Words of organisation names that say what kind of body it is, not which:
/// a search on them alone would find every hospital.
const GENERIC_WORDS: [&str; 60] = [
    "the",
    "and",
    "of",
    "for",
    "at",
    "in",
    "university",
    "universities",
    "hospital",
    "hospitals",
    "health",
    "healthcare",
    "care",
    "nhs",
    "trust",
    "board",
    "foundation",
    "institute",
    "institution",
    "centre",
    "center",
    "college",
    "school",
    "medical",
    "medicine",
    "department",
    "dept",
    "national",
    "service",
    "services",
    "system",
    "clinic",
    "clinical",
    "research",
    "science",
    "sciences",
    "general",
    "royal",
    "group",
    "faculty",
    "division",
    "laboratory",
    "laboratories",
    "unit",
    "teaching",
    "public",
    "regional",
    "city",
    "county",
    "state",
    "universitaire",
    "universidad",
    "universita",
    "universitat",
    "hopital",
    "ltd",
    "inc",
    "network",
    "authority",
    "agency",
];

/// One way a person's name is printed in a byline.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameForm {
    /// Family name as written ("van Leeuwen", "O'Brien-Smith").
    pub family: String,
    /// Initials of the given names, upper case ("FE"); empty when none are known.
    pub initials: String,
    /// The given names when a whole first name is known ("Flora E").
    pub given: Option<String>,
}

impl NameForm {
    /// `Family I` with the first initial only: what `[au]` truncates from.
    pub fn family_initial(&self) -> String {
        match self.initials.chars().next() {
            Some(initial) => format!("{} {initial}", self.family),
            None => self.family.clone(),
        }
    }

    /// `Family Initials` with every initial known.
    pub fn family_initials(&self) -> String {
        if self.initials.is_empty() {
            self.family.clone()
        } else {
            format!("{} {}", self.family, self.initials)
        }
    }

    /// `Family Given` when a whole given name is known.
    pub fn full_name(&self) -> Option<String> {
        self.given
            .as_ref()
            .map(|given| format!("{} {given}", self.family))
    }

    /// True when this form could be how `author` is printed: the same family
    /// name once folded, and initials (or given names) that begin the same.
    pub fn matches(&self, author: &crate::records::Author) -> bool {
        let Some(family) = author.family.as_deref() else {
            return false;
        };
        if fold_joined(family) != fold_joined(&self.family) {
            return false;
        }
        let printed = author
            .initials
            .clone()
            .or_else(|| author.given.as_deref().map(initials_of))
            .unwrap_or_default()
            .to_uppercase();
        // One initial is what the primary search asks for: "Rahim A" finds "Rahim AB".
        match self.initials.chars().next() {
            None => true,
            Some(first) => printed.starts_with(first),
        }
    }
}

/// Initials of given names as a byline abbreviates them: "Flora E" → "FE",
/// "Jean-Paul" → "JP".
pub fn initials_of(given: &str) -> String {
    given
        .split(|c: char| c.is_whitespace() || c == '-' || c == '.')
        .filter(|word| !word.is_empty())
        .flat_map(|word| {
            let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
            // "FE" or "JR" in a given column are initials already.
            if letters.len() <= 2 && letters.iter().all(|c| c.is_uppercase()) {
                letters
            } else {
                letters.into_iter().take(1).collect()
            }
        })
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether a given-names cell holds a whole first name, not only initials.
fn has_full_name(given: &str) -> bool {
    given.split_whitespace().next().is_some_and(|first| {
        let letters: Vec<char> = first.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() > 2 || (letters.len() == 2 && !letters.iter().all(|c| c.is_uppercase()))
    })
}

/// An affiliation phrase, or the distinctive words of an employer's name,
/// each of which must appear.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AffiliationTerm {
    /// A name as printed ("Public Health Wales", "Ysbyty Gwynedd", "PHW").
    Phrase(String),
    /// Words that together identify the employer ("stellenbosch"; "netherlands", "cancer").
    AllWords(Vec<String>),
}

impl AffiliationTerm {
    /// True when one of `affiliations` contains the phrase (whole words, folded)
    /// or all of the words.
    pub fn matches(&self, affiliations: &[Vec<String>]) -> bool {
        match self {
            AffiliationTerm::Phrase(text) => {
                let needle = fold_words(text);
                affiliations
                    .iter()
                    .any(|words| crate::tagging::text::contains_words(words, &needle))
            }
            AffiliationTerm::AllWords(needed) => affiliations
                .iter()
                .any(|words| needed.iter().all(|word| words.contains(word))),
        }
    }
}

/// The affiliations of a byline, folded for [`AffiliationTerm::matches`].
pub fn folded_affiliations(authors: &[crate::records::Author]) -> Vec<Vec<String>> {
    authors
        .iter()
        .flat_map(|author| author.affiliations.iter())
        .map(|text| fold_words(text))
        .collect()
}

/// Everyone to search for who works at one employer, with its phrases.
#[derive(Debug, Clone)]
pub struct EmployerGroup {
    /// The gazetteer key, or the employer's folded name, or empty for people with none.
    pub key: String,
    /// What an affiliation of theirs would say; empty when the roster names no employer.
    pub terms: Vec<AffiliationTerm>,
    /// The people, in roster order.
    pub people: Vec<PersonSearch>,
}

impl EmployerGroup {
    /// True when one of the (folded) affiliations names this employer.
    pub fn named_in(&self, affiliations: &[Vec<String>]) -> bool {
        self.terms.iter().any(|term| term.matches(affiliations))
    }
}

/// What to look for to find one person's work.
#[derive(Debug, Clone)]
pub struct PersonSearch {
    /// Roster person id.
    pub person_id: String,
    /// Every printed form of every name the roster gives (variants included).
    pub names: Vec<NameForm>,
    /// ORCID iD, when the roster has one.
    pub orcid: Option<String>,
}

impl PersonSearch {
    /// The person's searches from their roster row.
    pub fn from_roster(person: &RosterPerson) -> Self {
        let mut names: Vec<NameForm> = Vec::new();
        for (family, given) in &person.written_names {
            let given = given.as_deref().map(str::trim).filter(|g| !g.is_empty());
            let initials = given.map(initials_of).unwrap_or_default();
            let full = given.filter(|g| has_full_name(g)).map(str::to_owned);
            let mut families = vec![family.trim().to_owned()];
            // A double-barrelled name is often printed as one of its halves.
            if family.contains('-') {
                families.extend(
                    family
                        .split('-')
                        .map(str::trim)
                        .filter(|part| part.chars().filter(|c| c.is_alphabetic()).count() >= 2)
                        .map(str::to_owned),
                );
            }
            for family in families {
                let form = NameForm {
                    family,
                    initials: initials.clone(),
                    given: full.clone(),
                };
                if !names.contains(&form) {
                    names.push(form);
                }
            }
        }
        PersonSearch {
            person_id: person.person_id.clone(),
            names,
            orcid: person.orcid.clone(),
        }
    }

    /// True when one of the byline's authors could be this person by name.
    pub fn name_in(&self, authors: &[crate::records::Author]) -> bool {
        authors
            .iter()
            .any(|author| self.names.iter().any(|form| form.matches(author)))
    }

    /// True when the byline carries this person's ORCID iD.
    pub fn orcid_in(&self, authors: &[crate::records::Author]) -> bool {
        self.orcid.as_deref().is_some_and(|orcid| {
            authors.iter().any(|author| {
                author
                    .orcid
                    .as_deref()
                    .and_then(crate::ids::normalize_orcid)
                    .is_some_and(|printed| printed == orcid)
            })
        })
    }
}

/// The affiliation terms for an employer as the roster writes it, with the
/// gazetteer's phrases when it knows the employer.
pub fn employer_terms(
    organisation: Option<&str>,
    organisation_key: Option<&str>,
    gazetteer: &Gazetteer,
) -> Vec<AffiliationTerm> {
    let mut terms = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if let Some(key) = organisation_key {
        for phrase in gazetteer.phrases_of(key) {
            terms.push(AffiliationTerm::Phrase(phrase.to_owned()));
        }
        if let Some(org) = gazetteer.by_key(key) {
            names.push(org.name.clone());
        }
    }
    if let Some(written) = organisation.map(str::trim).filter(|o| !o.is_empty()) {
        terms.push(AffiliationTerm::Phrase(written.to_owned()));
        names.push(written.to_owned());
    }
    for name in names {
        let words: Vec<String> = fold_words(&name)
            .into_iter()
            .filter(|word| word.len() >= 3 && !GENERIC_WORDS.contains(&word.as_str()))
            .collect();
        if !words.is_empty() {
            terms.push(AffiliationTerm::AllWords(words));
        }
    }
    terms.sort();
    terms.dedup();
    terms
}

/// The roster's people grouped by employer, groups in key order.
pub fn employer_groups<'a>(
    people: impl IntoIterator<Item = &'a RosterPerson>,
    gazetteer: &Gazetteer,
) -> Vec<EmployerGroup> {
    let mut groups: BTreeMap<String, EmployerGroup> = BTreeMap::new();
    let employer_key = |key: Option<&String>, written: Option<&str>| {
        key.cloned()
            .or_else(|| written.map(fold_joined))
            .unwrap_or_default()
    };
    for person in people {
        // A mover is searched at every employer of the roster's posts, in a
        // group of the people with the same history, so nobody is in two
        // groups (and counted twice) and the others' queries stay as short.
        let mut employers = vec![(
            employer_key(
                person.organisation_key.as_ref(),
                person.organisation.as_deref(),
            ),
            person.organisation.as_deref(),
            person.organisation_key.as_deref(),
        )];
        for post in &person.former_posts {
            let key = employer_key(post.organisation_key.as_ref(), Some(&post.organisation));
            if employers.iter().all(|(known, ..)| *known != key) {
                employers.push((
                    key,
                    Some(post.organisation.as_str()),
                    post.organisation_key.as_deref(),
                ));
            }
        }
        employers[1..].sort();
        let key = employers
            .iter()
            .map(|(key, ..)| key.as_str())
            .collect::<Vec<_>>()
            .join(" + ");
        let group = groups.entry(key.clone()).or_insert_with(|| {
            let mut terms: Vec<AffiliationTerm> = employers
                .iter()
                .flat_map(|(_, written, key)| employer_terms(*written, *key, gazetteer))
                .collect();
            terms.sort();
            terms.dedup();
            EmployerGroup {
                key,
                terms,
                people: Vec::new(),
            }
        });
        group.people.push(PersonSearch::from_roster(person));
    }
    groups.into_values().collect()
}

/// True when a person a funder lists (family and given names, ORCID iD)
/// can be `person`: the same ORCID iD when both have one, else the same
/// family name and an agreeing first given name with no conflicting middle
/// name. A funder's person without a given name never matches: a family
/// name alone is too many people.
pub fn could_be(
    person: &RosterPerson,
    family: Option<&str>,
    given: Option<&str>,
    orcid: Option<&str>,
) -> bool {
    if let (Some(mine), Some(theirs)) = (&person.orcid, orcid) {
        return mine == theirs;
    }
    let Some(name) = family.and_then(|family| PersonName::new(family, given, None)) else {
        return false;
    };
    person.names.iter().any(|roster_name| {
        roster_name.agreement(&name).is_some_and(|agreement| {
            agreement.family == FamilyMatch::Exact
                && agreement.given != GivenMatch::Unknown
                && !agreement.middle_conflict
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Author;

    fn author(family: &str, given: Option<&str>, initials: Option<&str>) -> Author {
        Author {
            family: Some(family.to_owned()),
            given: given.map(str::to_owned),
            initials: initials.map(str::to_owned),
            ..Author::default()
        }
    }

    #[test]
    fn a_mover_is_searched_at_every_employer_in_one_group_of_their_own() {
        let csv = "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date\n\
                   m1,Evans,Wil,,,,7A4 - Cardiff and Vale UHB,,,,,2015-04-01,\n\
                   m1,Evans,Wil,,,,7A1 - Betsi Cadwaladr ULHB,Medical Physics,,,,2008-01-01,2015-03-31\n\
                   s1,Jones,Sian,,,,Cardiff and Vale University Health Board,,,,,,\n";
        let taxonomy = crate::tagging::taxonomy::Taxonomy::bundled().expect("taxonomy");
        let gazetteer = Gazetteer::bundled().expect("gazetteer");
        let roster = crate::tagging::roster::Roster::parse(
            csv.as_bytes(),
            "roster.csv",
            &taxonomy,
            &gazetteer,
        )
        .expect("roster");
        let groups = employer_groups(roster.people(), &gazetteer);
        assert_eq!(
            groups.len(),
            2,
            "{:?}",
            groups.iter().map(|g| &g.key).collect::<Vec<_>>()
        );
        let people: usize = groups.iter().map(|g| g.people.len()).sum();
        assert_eq!(people, 2, "each person in one group");
        let mover = groups
            .iter()
            .find(|g| g.key == "7A4 + 7A1")
            .expect("the mover's group");
        let stayer = groups
            .iter()
            .find(|g| g.key == "7A4")
            .expect("the stayer's group");
        let folded = |text: &str| vec![fold_words(text)];
        // The mover's earlier employer finds their papers from then; the
        // stayer's query is not widened by it.
        let betsi = folded("Medical Physics, Betsi Cadwaladr University Health Board, Rhyl");
        assert!(mover.named_in(&betsi));
        assert!(!stayer.named_in(&betsi));
        let cardiff = folded("Cardiff and Vale University Health Board, Cardiff");
        assert!(mover.named_in(&cardiff) && stayer.named_in(&cardiff));
    }

    #[test]
    fn initials_come_from_given_names_as_bylines_abbreviate_them() {
        assert_eq!(initials_of("Flora E"), "FE");
        assert_eq!(initials_of("Jean-Paul"), "JP");
        assert_eq!(initials_of("JR"), "JR");
        assert_eq!(initials_of("aisha"), "A");
        assert!(has_full_name("Flora E"));
        assert!(!has_full_name("FE"));
        assert!(!has_full_name("J"));
    }

    #[test]
    fn a_form_matches_truncated_initials_and_folded_family_names() {
        let form = NameForm {
            family: "Müller".into(),
            initials: "A".into(),
            given: Some("Anna".into()),
        };
        assert!(form.matches(&author("Muller", None, Some("AB"))));
        assert!(form.matches(&author("MÜLLER", Some("Anna Beth"), None)));
        assert!(!form.matches(&author("Muller", None, Some("B"))));
        assert!(!form.matches(&author("Mullen", None, Some("A"))));
        assert_eq!(form.family_initial(), "Müller A");
        assert_eq!(form.full_name().as_deref(), Some("Müller Anna"));
    }

    #[test]
    fn employers_outside_the_gazetteer_are_searched_by_their_distinctive_words() {
        let gazetteer = Gazetteer::bundled().expect("bundled gazetteer");
        let terms = employer_terms(Some("Stellenbosch University"), None, &gazetteer);
        assert!(terms.contains(&AffiliationTerm::AllWords(vec!["stellenbosch".into()])));
        let affiliation = vec![fold_words(
            "Department of Medicine, University of Stellenbosch, Tygerberg, South Africa",
        )];
        assert!(terms.iter().any(|term| term.matches(&affiliation)));
        let other = vec![fold_words("University of Cape Town, South Africa")];
        assert!(!terms.iter().any(|term| term.matches(&other)));
    }

    #[test]
    fn nhs_wales_employers_bring_their_gazetteer_phrases() {
        let gazetteer = Gazetteer::bundled().expect("bundled gazetteer");
        let key = gazetteer
            .resolve("Public Health Wales")
            .map(|org| org.key.clone())
            .expect("PHW in the gazetteer");
        let terms = employer_terms(Some("Public Health Wales"), Some(&key), &gazetteer);
        let phrases: Vec<&str> = terms
            .iter()
            .filter_map(|term| match term {
                AffiliationTerm::Phrase(text) => Some(text.as_str()),
                AffiliationTerm::AllWords(_) => None,
            })
            .collect();
        assert!(phrases.len() > 3, "{phrases:?}");
        let nphs = vec![fold_words(
            "National Public Health Service for Wales, Swansea, UK",
        )];
        assert!(terms.iter().any(|term| term.matches(&nphs)), "{phrases:?}");
    }
}
