//! Personal names as the matcher compares them: a folded family name and
//! given names that may be full words or initials.
//!
//! PubMed gives "Smith", "John R", initials "JR"; Europe PMC may give only
//! initials; a roster gives "Katherine" and a maiden name. Matching asks two
//! questions: could these be the same person's name at all (no conflicting
//! given name or initial), and how strongly do they agree.

use super::text::fold_words;

/// Surname particles that never identify a family on their own.
const PARTICLES: [&str; 18] = [
    "van", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "von", "dos", "st",
    "ap", "ab", "ferch", "verch",
];

/// One part of the given names: a whole name or only its initial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GivenPart {
    /// A whole given name, folded ("katherine").
    Full(String),
    /// An initial only, folded ('k').
    Initial(char),
}

impl GivenPart {
    fn initial(&self) -> Option<char> {
        match self {
            GivenPart::Full(name) => name.chars().next(),
            GivenPart::Initial(initial) => Some(*initial),
        }
    }
}

/// A name reduced to what matching compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// Family name folded and joined: "O'Brien-Smith" → "obriensmith".
    pub family: String,
    /// The family name's distinctive words ("obrien", "smith"), particles dropped.
    pub family_parts: Vec<String>,
    /// Given names in order.
    pub given: Vec<GivenPart>,
}

/// How well two family names agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FamilyMatch {
    /// The same family name once folded.
    Exact,
    /// One is a distinctive part of the other (a double-barrelled name given half).
    Part,
}

/// How well two sets of given names agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GivenMatch {
    /// The first given names are the same whole word.
    FullName,
    /// One first name is a shortened form of the other ("Chris" / "Christopher").
    ShortForm,
    /// Only initials can be compared, and they agree.
    Initial,
    /// One side has no given name at all.
    Unknown,
}

/// The outcome of comparing two compatible names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameAgreement {
    /// Family-name agreement.
    pub family: FamilyMatch,
    /// First-given-name agreement.
    pub given: GivenMatch,
    /// Second given names (or initials) both present and different.
    pub middle_conflict: bool,
    /// Second given names (or initials) both present and the same.
    pub middle_agrees: bool,
}

impl PersonName {
    /// Builds a name from a family name and given names or initials as published.
    ///
    /// `given` wins over `initials` when both exist; a short all-capitals
    /// given name ("JR") is read as initials, as several sources write them.
    pub fn new(family: &str, given: Option<&str>, initials: Option<&str>) -> Option<Self> {
        Self::build(family, given, initials, true)
    }

    /// Builds a name as a staff list writes it: a given name in capitals
    /// ("IAN", from an HR export) is a name, not initials.
    pub fn from_roster(family: &str, given: Option<&str>) -> Option<Self> {
        Self::build(family, given, None, false)
    }

    fn build(
        family: &str,
        given: Option<&str>,
        initials: Option<&str>,
        capitals_are_initials: bool,
    ) -> Option<Self> {
        let family_words = fold_words(family);
        if family_words.is_empty() {
            return None;
        }
        let family_parts = family_words
            .iter()
            .filter(|word| word.len() >= 2 && !PARTICLES.contains(&word.as_str()))
            .cloned()
            .collect();
        let given = match (given.map(str::trim).filter(|g| !g.is_empty()), initials) {
            (Some(given), _) => parse_given(given, capitals_are_initials),
            (None, Some(initials)) => initials_of(initials),
            (None, None) => Vec::new(),
        };
        Some(PersonName {
            family: family_words.concat(),
            family_parts,
            given,
        })
    }

    /// The name read with family and given swapped, when each is one whole
    /// word of three letters or more: records now and then print them the
    /// wrong way round ("Denijal, Tulumović" for Denijal Tulumović).
    pub fn swapped(&self) -> Option<PersonName> {
        let [GivenPart::Full(given)] = self.given.as_slice() else {
            return None;
        };
        let word = |text: &str| text.chars().count() > 2;
        let one_family_word = self.family_parts.len() == 1 && self.family_parts[0] == self.family;
        (one_family_word && word(&self.family) && word(given))
            .then(|| PersonName::from_roster(given, Some(&self.family)))
            .flatten()
    }

    /// Every key under which this name should be found: the joined family
    /// name and each distinctive part of it.
    pub fn lookup_keys(&self) -> Vec<&str> {
        let mut keys = vec![self.family.as_str()];
        if self.family_parts.len() > 1 {
            keys.extend(self.family_parts.iter().map(String::as_str));
        }
        keys
    }

    /// Compares two names; `None` when they cannot belong to one person.
    pub fn agreement(&self, other: &PersonName) -> Option<NameAgreement> {
        let family = if self.family == other.family {
            FamilyMatch::Exact
        } else if self.has_part(&other.family)
            || other.has_part(&self.family)
            || self.shares_leading_part(other)
        {
            FamilyMatch::Part
        } else {
            return None;
        };
        let (Some(first), Some(other_first)) = (self.given.first(), other.given.first()) else {
            return Some(NameAgreement {
                family,
                given: GivenMatch::Unknown,
                middle_conflict: false,
                middle_agrees: false,
            });
        };
        let given = match (first, other_first) {
            (GivenPart::Full(a), GivenPart::Full(b)) if a == b => GivenMatch::FullName,
            (GivenPart::Full(a), GivenPart::Full(b)) if is_short_form(a, b) => {
                GivenMatch::ShortForm
            }
            (GivenPart::Full(_), GivenPart::Full(_)) => return None,
            (a, b) if a.initial() == b.initial() => GivenMatch::Initial,
            _ => return None,
        };
        let (middle_conflict, middle_agrees) = match (self.given.get(1), other.given.get(1)) {
            (Some(a), Some(b)) => {
                let same = match (a, b) {
                    (GivenPart::Full(a), GivenPart::Full(b)) => a == b || is_short_form(a, b),
                    (a, b) => a.initial() == b.initial(),
                };
                (!same, same)
            }
            _ => (false, false),
        };
        Some(NameAgreement {
            family,
            given,
            middle_conflict,
            middle_agrees,
        })
    }
}

impl PersonName {
    /// Family name and first initial ("henderson b"): how a co-author is
    /// recognised across records that spell given names differently.
    pub fn coauthor_key(&self) -> String {
        let initial = self.given.first().and_then(GivenPart::initial);
        match initial {
            Some(initial) => format!("{} {initial}", self.family),
            None => self.family.clone(),
        }
    }

    /// True when `family` is one distinctive part of this (longer) family
    /// name: "Berg" of "van der Berg", "Jones" of "Smith-Jones".
    fn has_part(&self, family: &str) -> bool {
        self.family_parts != [self.family.as_str()]
            && self.family_parts.iter().any(|part| part == family)
    }

    /// Two double family names with the same first part and a second part
    /// that begins alike: a spelling damaged in transit ("Ardisson-Araújo",
    /// "Ardisson-Ara(c)jo"), not two families ("Lloyd-Jones", "Lloyd-Williams").
    fn shares_leading_part(&self, other: &PersonName) -> bool {
        match (&self.family_parts[..], &other.family_parts[..]) {
            ([first, second, ..], [other_first, other_second, ..]) => {
                first.len() >= 4
                    && first == other_first
                    && second.chars().take(3).eq(other_second.chars().take(3))
                    && second.len() >= 3
                    && other_second.len() >= 3
            }
            _ => false,
        }
    }
}

/// "Chris" is a short form of "Christopher": a prefix of three to five
/// letters. "Paul" and "Paula", "Daniel" and "Danielle" are two names: the
/// longer is the shorter with a feminine ending.
fn is_short_form(a: &str, b: &str) -> bool {
    const ENDINGS: [&str; 6] = ["a", "e", "ie", "ine", "ette", "na"];
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    (3..=5).contains(&short.len())
        && long.starts_with(short)
        && !ENDINGS.contains(&&long[short.len()..])
}

fn parse_given(given: &str, capitals_are_initials: bool) -> Vec<GivenPart> {
    // "JR" or "J.R." as a given name is initials, not a name.
    let letters: Vec<char> = given.chars().filter(|c| c.is_alphabetic()).collect();
    let all_capitals = letters.iter().all(|c| c.is_uppercase());
    if capitals_are_initials
        && !letters.is_empty()
        && letters.len() <= 3
        && all_capitals
        && !given.contains(' ')
    {
        return initials_of(given);
    }
    fold_words(given)
        .into_iter()
        .map(|word| {
            if word.chars().count() == 1 {
                GivenPart::Initial(word.chars().next().unwrap_or('?'))
            } else {
                GivenPart::Full(word)
            }
        })
        .collect()
}

fn initials_of(initials: &str) -> Vec<GivenPart> {
    fold_words(initials)
        .concat()
        .chars()
        .map(GivenPart::Initial)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(family: &str, given: Option<&str>, initials: Option<&str>) -> PersonName {
        PersonName::new(family, given, initials).expect("a family name")
    }

    #[test]
    fn initials_agree_with_full_names_and_conflicts_exclude() {
        let roster = name("Smith", Some("Katherine Anne"), None);
        let byline = name("SMITH", None, Some("KA"));
        let agreement = roster.agreement(&byline).expect("compatible");
        assert_eq!(agreement.given, GivenMatch::Initial);
        assert!(agreement.middle_agrees);
        assert!(roster
            .agreement(&name("Smith", Some("John"), None))
            .is_none());
        assert!(roster.agreement(&name("Smith", None, Some("J"))).is_none());
        assert!(roster
            .agreement(&name("Smyth", Some("Katherine"), None))
            .is_none());
        let conflict = roster
            .agreement(&name("Smith", None, Some("KB")))
            .expect("compatible");
        assert!(conflict.middle_conflict);
    }

    #[test]
    fn diacritics_hyphens_and_short_forms() {
        let roster = name("Müller-Jones", Some("Christopher"), None);
        let agreement = roster
            .agreement(&name("Muller Jones", Some("Chris"), None))
            .unwrap();
        assert_eq!(
            (agreement.family, agreement.given),
            (FamilyMatch::Exact, GivenMatch::ShortForm)
        );
        let half = roster.agreement(&name("Jones", Some("C"), None)).unwrap();
        assert_eq!(half.family, FamilyMatch::Part);
        assert_eq!(
            name("van der Berg", Some("Anna"), None).family_parts,
            ["berg"]
        );
        assert_eq!(
            name("Lee", Some("JR"), None).given,
            [GivenPart::Initial('j'), GivenPart::Initial('r')]
        );
        assert_eq!(name("Lee", Some("Jean-Pierre"), None).given.len(), 2);
    }
}
