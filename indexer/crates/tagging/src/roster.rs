//! The Network's roster of healthcare scientists: personal data.
//!
//! Read from CSV with a header; a bad row is reported by line and column and
//! skipped, the rest loads. Only what matching needs is kept: the
//! registration number is dropped on reading (nothing published carries it),
//! and e-mail addresses are held for matching only — no type here implements
//! `Serialize`, so a roster cannot be written out by accident.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use time::Date;

use super::dates::parse_date;
use super::employment::EmploymentSpell;
use super::gazetteer::Gazetteer;
use super::names::PersonName;
use super::taxonomy::{Discipline, Taxonomy};
use super::text::name_words;
use super::TaggingError;
use hcs_model::ids::normalize_orcid;
use hcs_model::published_names::split_name;
use hcs_model::sheet::{Cells, Sheet};

/// Columns a roster must have.
const REQUIRED: [&str; 3] = ["person_id", "family", "given"];
/// Columns read only to check them, then dropped: nothing published carries them.
const DROPPED: [&str; 2] = ["registration", "job_title"];
/// Columns the roster may have; any other column is ignored and reported.
const KNOWN: [&str; 13] = [
    "person_id",
    "family",
    "given",
    "other_names",
    "orcid",
    "emails",
    "organisation",
    "department",
    "job_title",
    "discipline",
    "registration",
    "start_date",
    "end_date",
];

/// One healthcare scientist on the roster.
#[derive(Clone)]
pub struct RosterPerson {
    /// The Network's id for the person (the only roster field ever published, on tags).
    pub person_id: String,
    /// The name, and every variant (maiden names, other spellings).
    pub names: Vec<PersonName>,
    /// The same names as the roster writes them, `(family, given)`: what a
    /// bibliographic search asks for (never written out).
    pub written_names: Vec<(String, Option<String>)>,
    /// ORCID iD, normalised.
    pub orcid: Option<String>,
    /// E-mail addresses, lower-cased: matched, never written out.
    emails: Vec<String>,
    /// Employer as the roster writes it.
    pub organisation: Option<String>,
    /// Gazetteer key of the employer, when the gazetteer knows it.
    pub organisation_key: Option<String>,
    /// Words of the employer's name ([`name_words`]), for employers outside the gazetteer.
    pub organisation_words: Vec<String>,
    /// Department as the roster writes it, folded.
    pub department_words: Vec<String>,
    /// Discipline (with its division) from the taxonomy, when the roster names one.
    pub discipline: Option<Discipline>,
    /// Division: the discipline's, or the one a division-level name gives ("Medical physics").
    pub division: Option<String>,
    /// First day in post, when known.
    pub start: Option<Date>,
    /// Last day in post, when known.
    pub end: Option<Date>,
    /// Earlier posts: the further rows with this `person_id`, each with its
    /// employer, department and dates (people move between boards).
    pub former_posts: Vec<EmploymentSpell>,
}

impl RosterPerson {
    /// True when `address` is one of the person's e-mail addresses (case-insensitive).
    pub fn has_email(&self, address: &str) -> bool {
        let address = address.trim().to_lowercase();
        self.emails.contains(&address)
    }

    /// A further row with this person's id read as one of their earlier
    /// posts: the same name, another employer or department, and an end date.
    fn former_post(&self, row: RosterPerson) -> Result<EmploymentSpell, &'static str> {
        if self.names[0] != row.names[0] {
            return Err("duplicate person_id with another name: the first row with it is kept");
        }
        if row.end.is_none() {
            return Err(
                "a repeated person_id is an earlier post and needs its end_date \
                 (the first row is the current post)",
            );
        }
        let Some(organisation) = row.organisation else {
            return Err("a repeated person_id is an earlier post and needs its organisation");
        };
        Ok(EmploymentSpell {
            organisation_words: row.organisation_words,
            organisation_key: row.organisation_key,
            role: String::new(),
            role_words: row.department_words,
            organisation,
            start: row.start,
            end: row.end,
        })
    }
}

// Debug would print names and addresses into logs: print the id only.
impl fmt::Debug for RosterPerson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RosterPerson")
            .field("person_id", &self.person_id)
            .finish_non_exhaustive()
    }
}

/// A problem with one cell or row of the roster, located for the person fixing the file.
pub type RosterIssue = hcs_model::sheet::SheetIssue;

/// A loaded roster, indexed by name for candidate lookup.
#[derive(Default)]
pub struct Roster {
    people: Vec<RosterPerson>,
    by_name: HashMap<String, Vec<usize>>,
    by_orcid: HashMap<String, usize>,
    by_id: HashMap<String, usize>,
    /// Rows skipped, each with where and why.
    pub issues: Vec<RosterIssue>,
    /// Rows kept with a cell worth a look (an organisation the gazetteer does not know).
    pub notices: Vec<RosterIssue>,
    /// Columns present in the file but not used (dropped on reading).
    pub ignored_columns: Vec<String>,
    /// Lines of the rows that loaded, for writing the minimised copy.
    loaded_lines: HashSet<u64>,
}

// The name index holds every roster surname: show sizes only.
impl fmt::Debug for Roster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Roster")
            .field("people", &self.people.len())
            .field("issues", &self.issues.len())
            .finish_non_exhaustive()
    }
}

impl Roster {
    /// Reads a roster file; see [`Roster::parse`].
    pub fn load(
        path: &Path,
        taxonomy: &Taxonomy,
        gazetteer: &Gazetteer,
    ) -> Result<Self, TaggingError> {
        let bytes = std::fs::read(path).map_err(|source| TaggingError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&bytes, &path.display().to_string(), taxonomy, gazetteer)
    }

    /// Parses roster CSV. File-level faults (no header, a required column
    /// missing) are errors; a bad row is an issue and is skipped.
    pub fn parse(
        bytes: &[u8],
        origin: &str,
        taxonomy: &Taxonomy,
        gazetteer: &Gazetteer,
    ) -> Result<Self, TaggingError> {
        let sheet = Sheet::read(bytes, &REQUIRED).map_err(|why| TaggingError::data(origin, why))?;
        let mut roster = Roster {
            ignored_columns: sheet.unknown_columns(&KNOWN),
            issues: sheet.unreadable.clone(),
            ..Roster::default()
        };
        for cells in sheet.rows() {
            match read_person(&cells, taxonomy, gazetteer) {
                Ok(person) => {
                    if person.organisation.is_some() && person.organisation_key.is_none() {
                        roster.notices.push(cells.issue(
                            "organisation",
                            "not an NHS Wales organisation the gazetteer knows; counted \
                             under the name as written (add it to gazetteer.toml, or check \
                             the spelling)",
                        ));
                    }
                    roster.add(person, cells.line);
                }
                Err(issue) => roster.issues.push(issue),
            }
        }
        Ok(roster)
    }

    fn add(&mut self, person: RosterPerson, line: u64) {
        if let Some(&index) = self.by_id.get(&person.person_id) {
            match self.people[index].former_post(person) {
                Ok(post) => {
                    self.people[index].former_posts.push(post);
                    self.loaded_lines.insert(line);
                }
                Err(message) => self.issues.push(RosterIssue {
                    line,
                    column: None,
                    column_name: Some("person_id".into()),
                    message: message.into(),
                }),
            }
            return;
        }
        if let Some(orcid) = &person.orcid {
            if let Some(&other) = self.by_orcid.get(orcid) {
                self.issues.push(RosterIssue {
                    line,
                    column: None,
                    column_name: Some("orcid".into()),
                    message: format!(
                        "ORCID already belongs to {}: the first row with it is kept",
                        self.people[other].person_id
                    ),
                });
                return;
            }
        }
        let index = self.people.len();
        let mut keys: HashSet<String> = HashSet::new();
        for name in &person.names {
            keys.extend(name.lookup_keys().into_iter().map(str::to_owned));
        }
        for key in keys {
            self.by_name.entry(key).or_default().push(index);
        }
        if let Some(orcid) = &person.orcid {
            self.by_orcid.insert(orcid.clone(), index);
        }
        self.by_id.insert(person.person_id.clone(), index);
        self.people.push(person);
        self.loaded_lines.insert(line);
    }

    /// The roster file minimised for keeping: only the rows that loaded and
    /// only the columns matching uses (no registration number, job title or
    /// unknown column).
    pub fn minimised_csv(&self, bytes: &[u8]) -> Result<Vec<u8>, TaggingError> {
        let kept: Vec<&str> = KNOWN
            .iter()
            .copied()
            .filter(|c| !DROPPED.contains(c))
            .collect();
        let sheet = Sheet::read(bytes, &[]).map_err(|why| TaggingError::data("roster", why))?;
        let mut writer = csv::Writer::from_writer(Vec::new());
        let write_error = |e: csv::Error| TaggingError::data("roster", e);
        writer.write_record(&kept).map_err(write_error)?;
        for cells in sheet.rows() {
            if !self.loaded_lines.contains(&cells.line) {
                continue;
            }
            let row = kept.iter().map(|name| cells.raw(name).trim_ascii());
            writer.write_record(row).map_err(write_error)?;
        }
        writer
            .into_inner()
            .map_err(|e| TaggingError::data("roster", e.to_string()))
    }

    /// Everyone on the roster.
    pub fn people(&self) -> &[RosterPerson] {
        &self.people
    }

    /// The person with this id.
    pub fn person(&self, person_id: &str) -> Option<&RosterPerson> {
        self.by_id.get(person_id).map(|&i| &self.people[i])
    }

    /// The person holding this ORCID iD.
    pub fn by_orcid(&self, orcid: &str) -> Option<&RosterPerson> {
        self.by_orcid.get(orcid).map(|&i| &self.people[i])
    }

    /// People any of whose names could be `name` (same family name or a part of it).
    pub fn candidates(&self, name: &PersonName) -> Vec<&RosterPerson> {
        let mut seen = HashSet::new();
        name.lookup_keys()
            .into_iter()
            .filter_map(|key| self.by_name.get(key))
            .flatten()
            .filter(|&&i| seen.insert(i))
            .map(|&i| &self.people[i])
            .collect()
    }

    /// How many people the roster holds.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// True when no row loaded.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
}

/// Dates in roster cells, `YYYY-MM-DD`.
fn date(cells: &Cells<'_>, column: &str) -> Result<Option<Date>, RosterIssue> {
    cells
        .get(column)?
        .map(|text| parse_date(text).ok_or_else(|| cells.issue(column, "not a date (YYYY-MM-DD)")))
        .transpose()
}

fn read_person(
    cells: &Cells<'_>,
    taxonomy: &Taxonomy,
    gazetteer: &Gazetteer,
) -> Result<RosterPerson, RosterIssue> {
    let person_id = cells.required("person_id")?.to_owned();
    let family = cells.required("family")?;
    let given = cells.get("given")?;
    let primary = PersonName::from_roster(family, given)
        .ok_or_else(|| cells.issue("family", "has no letters"))?;
    let mut names = vec![primary];
    let mut written_names = vec![(family.trim().to_owned(), given.map(|g| g.trim().to_owned()))];
    for variant in cells.get("other_names")?.unwrap_or("").split(';') {
        let variant = variant.trim();
        if variant.is_empty() {
            continue;
        }
        // "Jones" is a former surname with the same given names;
        // "Jane Jones" or "Jones, Jane" is a whole variant.
        let name = match split_name(variant) {
            (Some(variant_given), Some(family)) => {
                written_names.push((family.clone(), Some(variant_given.clone())));
                PersonName::from_roster(&family, Some(&variant_given))
            }
            (None, Some(family)) => {
                written_names.push((family.clone(), given.map(|g| g.trim().to_owned())));
                PersonName::from_roster(&family, given)
            }
            _ => None,
        };
        names.push(name.ok_or_else(|| cells.issue("other_names", "a variant has no letters"))?);
    }
    let orcid = match cells.get("orcid")? {
        None => None,
        Some(text) => Some(
            normalize_orcid(text)
                .ok_or_else(|| cells.issue("orcid", "not a valid ORCID iD (checksum or form)"))?,
        ),
    };
    let mut emails = Vec::new();
    for address in cells.get("emails")?.unwrap_or("").split(';') {
        let address = address.trim();
        if address.is_empty() {
            continue;
        }
        let valid = address
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !valid {
            return Err(cells.issue("emails", "an address is not of the form name@domain"));
        }
        emails.push(address.to_lowercase());
    }
    let classified = match cells.get("discipline")? {
        None => None,
        Some(text) => Some(taxonomy.classify(text).ok_or_else(|| {
            cells.issue(
                "discipline",
                "names no discipline or division of the taxonomy (hcs-disciplines.csv, \
                 discipline-aliases.csv)",
            )
        })?),
    };
    let (discipline, division) = match classified {
        Some(classified) => (classified.discipline, Some(classified.division)),
        None => (None, None),
    };
    let (start, end) = (date(cells, "start_date")?, date(cells, "end_date")?);
    if let (Some(start), Some(end)) = (start, end) {
        if end < start {
            return Err(cells.issue("end_date", "is before start_date"));
        }
    }
    let organisation = cells.get("organisation")?.map(str::to_owned);
    let organisation_key = organisation
        .as_deref()
        .and_then(|name| gazetteer.resolve(name))
        .map(|org| org.key.clone());
    let words = |column: &str| -> Result<Vec<String>, RosterIssue> {
        Ok(cells
            .get(column)?
            .map(|text| gazetteer.reader().words(text))
            .unwrap_or_default())
    };
    // Read, so a formula or bad encoding there is still reported; then dropped.
    cells.get("registration")?;
    cells.get("job_title")?;
    Ok(RosterPerson {
        person_id,
        names,
        written_names,
        orcid,
        emails,
        organisation_words: organisation.as_deref().map(name_words).unwrap_or_default(),
        organisation,
        organisation_key,
        department_words: words("department")?,
        discipline,
        division,
        start,
        end,
        former_posts: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Roster {
        let taxonomy = Taxonomy::bundled().unwrap();
        let gazetteer = Gazetteer::bundled().unwrap();
        Roster::parse(text.as_bytes(), "roster.csv", &taxonomy, &gazetteer).unwrap()
    }

    const HEADER: &str = "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date\n";

    #[test]
    fn everyday_discipline_names_load_and_unknown_employers_are_noted() {
        // As the Network's demo roster writes them (fixtures/wales-demo/roster.csv).
        let roster = parse(&format!(
            "{HEADER}\
             D1,Connor,Thomas,,,,Public Health Wales,,,Clinical bioinformatics,,,\n\
             D2,Evans,Wil,,,,Cardiff and Vale University Health Board,,,Medical physics,,,\n\
             D3,Moore,Catherine,,,,Public Health Wales,,,Microbiology,,,\n\
             D4,Doe,Jane,,,,Royal Free London,,,Cardiology,,,\n\
             D5,Roe,Rita,,,,St Elsewhere Trust,,,Audiology,,,\n"
        ));
        assert_eq!(roster.len(), 4, "{:?}", roster.issues);
        let connor = roster.person("D1").unwrap();
        assert_eq!(
            connor.discipline.as_ref().map(|d| d.name.as_str()),
            Some("Clinical bioinformatics and genomics")
        );
        let evans = roster.person("D2").unwrap();
        assert!(evans.discipline.is_none());
        assert_eq!(
            evans.division.as_deref(),
            Some("Physical Sciences and Biomedical Engineering")
        );
        assert!(roster.person("D3").unwrap().discipline.is_some());
        // Cardiology is a medical specialty, not a healthcare-science discipline.
        assert_eq!(roster.issues.len(), 1);
        assert_eq!(roster.issues[0].column_name.as_deref(), Some("discipline"));
        assert_eq!(roster.notices.len(), 1, "{:?}", roster.notices);
        assert_eq!(roster.notices[0].line, 6);
        assert!(!roster.notices[0].to_string().contains("Elsewhere"));
    }

    #[test]
    fn bad_rows_are_located_and_skipped_the_rest_loads() {
        let text = format!(
            "\u{feff}{HEADER}\
             p1,Evans,Sian,Jones,0000-0002-1825-0097,s.evans@wales.nhs.uk,Swansea Bay University Health Board,Medical Physics,Clinical Scientist,Radiotherapy physics,CS123456,2015-01-01,\r\n\
             p2,=HYPERLINK(\"x\"),Bad,,,,,,,,,,\n\
             p3,Price,Owain,,,,,,,Cardiology,,,\n\
             p4,Hughes,Ann,,0000-0002-1825-0098,,,,,,,,\n\
             p5,Lewis,Rhys,,,,,,,,,2020-13-01,\n\
             p1,Evans,Other,,,,,,,,,,\n\
             p6,Morgan,Eleri,,,not-an-address,,,,,,,\n"
        );
        let roster = parse(&text);
        assert_eq!(roster.len(), 1);
        let messages: Vec<String> = roster.issues.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 6, "{messages:?}");
        assert!(
            messages[0].starts_with("line 3, column 2 (family)"),
            "{messages:?}"
        );
        assert!(
            messages[1].starts_with("line 4, column 10 (discipline)"),
            "{messages:?}"
        );
        assert!(
            messages[2].starts_with("line 5, column 5 (orcid)"),
            "{messages:?}"
        );
        assert!(
            messages[3].starts_with("line 6, column 12 (start_date)"),
            "{messages:?}"
        );
        assert!(messages[4].contains("duplicate person_id"), "{messages:?}");
        assert!(messages[5].contains("column 6 (emails)"), "{messages:?}");
        assert!(
            messages.iter().all(|m| !m.contains("HYPERLINK")),
            "cell contents stay out of messages"
        );
        let evans = roster.person("p1").unwrap();
        assert_eq!(evans.organisation_key.as_deref(), Some("7A3"));
        assert!(evans.has_email("S.Evans@wales.nhs.uk"));
        assert_eq!(evans.names.len(), 2, "maiden name kept as a variant");
        assert_eq!(
            format!("{evans:?}"),
            "RosterPerson { person_id: \"p1\", .. }"
        );
    }

    #[test]
    fn further_rows_of_a_person_are_their_earlier_posts() {
        let roster = parse(&format!(
            "{HEADER}m1,Evans,Wil,,,,7A4,,,,,2015-04-01,\n\
             m1,Evans,Wil,,,,7A1 - Betsi Cadwaladr ULHB,Medical Physics,,,,2008-01-01,2015-03-31\n\
             m1,Evans,Wil,,,,7A3,,,,,2005-01-01,\n\
             m1,Evans,William,,,,7A6,,,,,2001-01-01,2004-12-31\n"
        ));
        let person = roster.person("m1").unwrap();
        assert_eq!(person.organisation_key.as_deref(), Some("7A4"));
        assert_eq!(person.former_posts.len(), 1);
        assert_eq!(
            person.former_posts[0].organisation_key.as_deref(),
            Some("7A1")
        );
        assert_eq!(person.former_posts[0].role_words, ["medical", "physics"]);
        let messages: Vec<String> = roster.issues.iter().map(ToString::to_string).collect();
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(messages[0].starts_with("line 4") && messages[0].contains("needs its end_date"));
        assert!(messages[1].starts_with("line 5") && messages[1].contains("another name"));
    }

    #[test]
    fn a_missing_required_column_is_a_file_error() {
        let taxonomy = Taxonomy::bundled().unwrap();
        let gazetteer = Gazetteer::bundled().unwrap();
        let error =
            Roster::parse(b"id,family\n1,Evans\n", "r.csv", &taxonomy, &gazetteer).unwrap_err();
        assert!(error.to_string().contains("person_id"), "{error}");
        let latin1 = b"person_id,family,given\np1,Ll\xfdr,Ann\n";
        let roster = Roster::parse(latin1, "r.csv", &taxonomy, &gazetteer).unwrap();
        assert_eq!(
            roster.issues[0].to_string(),
            "line 2, column 2 (family): not UTF-8 text (save the file as UTF-8)"
        );
    }
}
