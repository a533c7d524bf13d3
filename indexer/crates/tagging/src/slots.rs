//! The people on a record as tagging sees them: one slot per byline author
//! or grant person, with the name, identifiers, affiliations (already
//! resolved against the gazetteer) and role.

use super::dates::parse_date;
use super::dates::DateSpan;
use super::gazetteer::{Gazetteer, OrganisationMatch};
use super::model::{BylinePosition, GrantRoleCategory, Role};
use super::names::PersonName;
use super::text::{contains_words, fold_words, name_words};
use hcs_model::ids::grant_reference_term;
use hcs_model::published_names::split_name;
use hcs_model::records::{Grant, Publication, Record};

/// One affiliation string, read once.
#[derive(Debug, Clone)]
pub struct Affiliation {
    /// As published.
    pub text: String,
    /// Folded words.
    pub words: Vec<String>,
    /// Folded words without connectors, for comparing organisation names.
    pub name_words: Vec<String>,
    /// NHS Wales organisations it names.
    pub organisations: Vec<OrganisationMatch>,
}

/// A person on a record.
#[derive(Debug, Clone)]
pub struct Slot {
    /// 1-based byline position, or place in the grant's people.
    pub position: u32,
    /// The name as matching compares it.
    pub name: PersonName,
    /// The name as published, for evidence.
    pub display_name: String,
    /// ORCID iD on the record.
    pub orcid: Option<String>,
    /// E-mail address on the record.
    pub email: Option<String>,
    /// Affiliations on the record.
    pub affiliations: Vec<Affiliation>,
    /// Role on the record.
    pub role: Role,
}

/// A record reduced to what tagging reads.
#[derive(Debug)]
pub struct RecordContext<'a> {
    /// The record's id.
    pub record_id: &'a str,
    /// Its title (what it is about, for [`super::topic`]).
    pub title: &'a str,
    /// When the record was published (or the grant started).
    pub date: Option<DateSpan>,
    /// Every person on it.
    pub slots: Vec<Slot>,
    /// Grant references the record carries (its own, or those it acknowledges), folded.
    pub grant_references: Vec<String>,
}

impl<'a> RecordContext<'a> {
    /// Reads the slots of a publication or grant.
    pub fn of(record: &'a Record, gazetteer: &Gazetteer) -> Self {
        match record {
            Record::Publication(publication) => Self::publication(publication, gazetteer),
            Record::Grant(grant) => Self::grant(grant, gazetteer),
        }
    }

    fn publication(publication: &'a Publication, gazetteer: &Gazetteer) -> Self {
        let date = publication
            .published
            .as_ref()
            .map(|published| DateSpan::of(published.year, published.month));
        let people: Vec<_> = publication
            .authors
            .iter()
            .filter(|author| author.collective.is_none() && author.valid)
            .collect();
        let count = publication.authors.iter().filter(|a| a.valid).count();
        // Some records copy one address to every author: only an address of
        // one author's own marks the corresponding author.
        let own_address = |email: &Option<String>| {
            email.as_ref().is_some_and(|address| {
                publication
                    .authors
                    .iter()
                    .filter(|a| a.email.as_ref() == Some(address))
                    .count()
                    == 1
            })
        };
        let slots = people
            .iter()
            .filter_map(|author| {
                let name = PersonName::new(
                    author.family.as_deref()?,
                    author.given.as_deref(),
                    author.initials.as_deref(),
                )?;
                let position = if count == 1 {
                    BylinePosition::Sole
                } else if author.position == 1 {
                    BylinePosition::First
                } else if author.position as usize == count {
                    BylinePosition::Last
                } else {
                    BylinePosition::Middle
                };
                Some(Slot {
                    position: author.position,
                    name,
                    display_name: author.display_name(),
                    orcid: author.orcid.clone(),
                    email: author.email.clone(),
                    affiliations: affiliations(&author.affiliations, date, gazetteer),
                    role: Role::Author {
                        position,
                        corresponding: own_address(&author.email),
                    },
                })
            })
            .collect();
        RecordContext {
            record_id: &publication.id,
            title: &publication.title,
            date,
            slots,
            grant_references: publication
                .grants
                .iter()
                .filter_map(|grant| grant.id.as_deref())
                .map(grant_reference_term)
                .collect(),
        }
    }

    fn grant(grant: &'a Grant, gazetteer: &Gazetteer) -> Self {
        let date = grant
            .start
            .as_deref()
            .or(grant.end.as_deref())
            .and_then(parse_date)
            .map(DateSpan::day);
        let slots = grant
            .people
            .iter()
            .enumerate()
            .filter_map(|(index, person)| {
                let (family, given) = match (&person.family, &person.given) {
                    (Some(family), given) => (family.clone(), given.clone()),
                    (None, _) => {
                        let (given, family) = split_name(person.full_name.as_deref()?);
                        (family?, given)
                    }
                };
                let name = PersonName::new(&family, given.as_deref(), None)?;
                let organisation = person
                    .organisation
                    .as_ref()
                    .or(grant.lead_organisation.as_ref());
                let texts: Vec<String> = organisation
                    .map(|org| match &org.department {
                        Some(department) => format!("{department}, {}", org.name),
                        None => org.name.clone(),
                    })
                    .into_iter()
                    .collect();
                Some(Slot {
                    position: index as u32 + 1,
                    name,
                    display_name: person
                        .full_name
                        .clone()
                        .unwrap_or_else(|| format!("{} {family}", given.as_deref().unwrap_or(""))),
                    orcid: person.orcid.clone(),
                    email: None,
                    affiliations: affiliations(&texts, date, gazetteer),
                    role: Role::Grant {
                        category: grant_role_category(&person.role),
                        published: person.role.clone(),
                    },
                })
            })
            .collect();
        RecordContext {
            record_id: &grant.id,
            title: &grant.title,
            date,
            slots,
            grant_references: vec![grant_reference_term(&grant.reference)],
        }
    }

    /// Every affiliation on the record except `position`'s own.
    pub fn other_affiliations(&self, position: u32) -> impl Iterator<Item = &Affiliation> {
        self.slots
            .iter()
            .filter(move |slot| slot.position != position)
            .flat_map(|slot| &slot.affiliations)
    }
}

fn affiliations(
    texts: &[String],
    date: Option<DateSpan>,
    gazetteer: &Gazetteer,
) -> Vec<Affiliation> {
    texts
        .iter()
        .filter(|text| !text.trim().is_empty())
        .map(|text| Affiliation {
            text: text.clone(),
            words: gazetteer.reader().words(text),
            name_words: name_words(text),
            organisations: gazetteer.find(text, date),
        })
        .collect()
}

/// Maps a published grant role to leadership, co-applicant or other.
///
/// GtR's `PI_PER`/`FELLOW_PER` and NIHR's chief investigator, (joint) lead
/// applicant and award holder lead; `COI_PER`, `RESEARCH_COI_PER`,
/// co-investigator and co-applicant are co-applicants; the rest (project
/// manager, team member, supervisor, unknown codes) conduct research.
pub fn grant_role_category(role: &str) -> GrantRoleCategory {
    let code = role.trim().to_uppercase();
    match code.as_str() {
        "PI_PER" | "FELLOW_PER" => return GrantRoleCategory::Leadership,
        "COI_PER" | "RESEARCH_COI_PER" => return GrantRoleCategory::CoApplicant,
        _ => {}
    }
    // Whole words: "Fellowship Supervisor" is not a fellow, "Research
    // Fellow" on someone else's award is staff, not the holder.
    let words = fold_words(role);
    let phrase = |text: &str| contains_words(&words, &fold_words(text));
    let lead = phrase("chief investigator")
        || phrase("principal investigator")
        || phrase("lead applicant")
        || phrase("award holder")
        || phrase("pi");
    // A joint or co-lead is a lead; any other "co-" role is a co-applicant.
    if phrase("joint lead") || phrase("co lead") {
        GrantRoleCategory::Leadership
    } else if words
        .first()
        .is_some_and(|w| w == "co" || w == "coapplicant" || w == "coinvestigator")
        || phrase("co investigator")
        || phrase("co applicant")
    {
        GrantRoleCategory::CoApplicant
    } else if lead || words == ["fellow"] || phrase("fellowship holder") {
        GrantRoleCategory::Leadership
    } else {
        GrantRoleCategory::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_roles_map_to_leadership_and_co_applicants() {
        use GrantRoleCategory::*;
        for (role, category) in [
            ("PI_PER", Leadership),
            ("FELLOW_PER", Leadership),
            ("Chief Investigator", Leadership),
            ("Joint Lead Applicant", Leadership),
            ("Award Holder", Leadership),
            ("Principal Investigator", Leadership),
            ("COI_PER", CoApplicant),
            ("RESEARCH_COI_PER", CoApplicant),
            ("Co-Investigator", CoApplicant),
            ("Co-Applicant", CoApplicant),
            ("PM_PER", Other),
            ("Team Member", Other),
            ("SUPER_PER", Other),
            ("Co-Lead Applicant", Leadership),
            ("Co-PI", CoApplicant),
            ("Fellow", Leadership),
            ("Research Fellow", Other),
            ("Fellowship Supervisor/Mentor", Other),
        ] {
            assert_eq!(grant_role_category(role), category, "{role}");
        }
    }
}
