//! People: who in NHS Wales works on a topic, and what one person has done.
//!
//! Built only from published authorship and the tags on it: a person appears
//! here through records where a roster match was accepted, under the name
//! they published with, never through the roster itself.
//!
//! Weights follow Profiles RNS: a record counts by how well it matches the
//! topic, by the person's place on it (first, last, sole or corresponding
//! author, or grant lead: 1.0; co-applicant 0.5; middle author or other
//! grant role 0.25) and by its age (halved every ten years). A person's
//! topics are their MeSH descriptors weighted the same way (major topic 1.0,
//! minor 0.25); people are similar when those vectors overlap.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use hcs_model::records::Record;
use hcs_model::tags::Tier;
use hcs_model::tags::{Band, BylinePosition, GrantRoleCategory, Role, SlotTag};

/// Years for a record's weight to halve.
const HALF_LIFE_YEARS: f64 = 10.0;
/// Records listed per person in a ranking.
const RECORDS_PER_PERSON: usize = 5;
/// Co-authors listed per person.
const COAUTHORS_PER_PERSON: usize = 10;
/// Topics listed per profile.
const TOPICS_PER_PERSON: usize = 15;

/// MeSH check tags: NLM indexers add them to almost every record (species,
/// sex, age groups, pregnancy), so they say nothing of what a person works on.
const CHECK_TAGS: [&str; 22] = [
    "Humans",
    "Animals",
    "Male",
    "Female",
    "Pregnancy",
    "Infant, Newborn",
    "Infant",
    "Child, Preschool",
    "Child",
    "Adolescent",
    "Young Adult",
    "Adult",
    "Middle Aged",
    "Aged",
    "Aged, 80 and over",
    "Mice",
    "Rats",
    "Dogs",
    "Cats",
    "Cattle",
    "Swine",
    "Rabbits",
];

fn is_check_tag(descriptor: &str) -> bool {
    CHECK_TAGS.contains(&descriptor)
}

/// A record with its tags and how well it matches a topic (1.0 for the best match).
#[derive(Debug, Clone)]
pub struct Scored<'a> {
    /// The record.
    pub record: &'a Record,
    /// Its tags.
    pub tags: &'a [SlotTag],
    /// Topic relevance, 0–1.
    pub relevance: f64,
}

/// One of a person's records, as a ranking or profile shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRecord {
    /// Record id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Year (publication, or grant start).
    pub year: Option<u16>,
    /// `publication` or `grant`.
    pub kind: &'static str,
    /// The person's role on it.
    pub role: Role,
    /// Its weight in the ranking or profile.
    pub weight: f64,
}

/// Another healthcare scientist on the same records.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coauthor {
    /// Roster person id.
    pub person_id: String,
    /// Name as published.
    pub name: String,
    /// Records shared.
    pub shared_records: usize,
}

/// A person found for a topic, with why.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedPerson {
    /// Roster person id.
    pub person_id: String,
    /// Name as most recently published.
    pub name: String,
    /// Discipline.
    pub discipline: Option<String>,
    /// Division.
    pub division: Option<String>,
    /// Organisation (current name).
    pub organisation: Option<String>,
    /// Summed weight of the matching records.
    pub score: f64,
    /// The matching records, heaviest first.
    pub records: Vec<PersonRecord>,
    /// Healthcare-scientist co-authors on the matching records.
    pub coauthors: Vec<Coauthor>,
}

/// Everything published about one person.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    /// Roster person id.
    pub person_id: String,
    /// Name as most recently published.
    pub name: String,
    /// Discipline.
    pub discipline: Option<String>,
    /// Division.
    pub division: Option<String>,
    /// Organisation (current name).
    pub organisation: Option<String>,
    /// Publications, newest first.
    pub publications: Vec<PersonRecord>,
    /// Grants, newest first.
    pub grants: Vec<PersonRecord>,
    /// Healthcare-scientist co-authors, most shared first.
    pub coauthors: Vec<Coauthor>,
    /// MeSH topics, heaviest first: (descriptor, weight).
    pub topics: Vec<(String, f64)>,
}

/// The weight of a person's place on a record.
pub fn role_weight(role: &Role) -> f64 {
    match role {
        Role::Author {
            position: BylinePosition::First | BylinePosition::Last | BylinePosition::Sole,
            ..
        }
        | Role::Author {
            corresponding: true,
            ..
        } => 1.0,
        Role::Author { .. } => 0.25,
        Role::Grant { category, .. } => match category {
            GrantRoleCategory::Leadership => 1.0,
            GrantRoleCategory::CoApplicant => 0.5,
            GrantRoleCategory::Other => 0.25,
        },
    }
}

/// Halves every [`HALF_LIFE_YEARS`] before `now`.
pub fn age_weight(year: Option<u16>, now: u16) -> f64 {
    let age = year.map_or(HALF_LIFE_YEARS, |y| f64::from(now.saturating_sub(y)));
    0.5f64.powf(age / HALF_LIFE_YEARS)
}

/// The accepted roster slots of a record.
fn accepted(tags: &[SlotTag]) -> impl Iterator<Item = &SlotTag> {
    tags.iter()
        .filter(|slot| slot.tag.tier == Tier::Roster && slot.tag.band == Band::Accept)
}

/// What is known of a person so far: identity fields from their newest record.
#[derive(Default)]
struct Person {
    name: String,
    newest: Option<u16>,
    discipline: Option<String>,
    division: Option<String>,
    organisation: Option<String>,
    score: f64,
    records: Vec<PersonRecord>,
    coauthors: HashMap<String, (String, usize)>,
    topics: HashMap<String, f64>,
}

impl Person {
    fn see(&mut self, record: &Record, slot: &SlotTag, weight: f64) {
        let year = record.year();
        if self.records.is_empty() || year >= self.newest {
            self.newest = year;
            self.name = record.person_name(slot.position);
            self.discipline = slot.tag.discipline.clone();
            self.division = slot.tag.division.clone();
            self.organisation = slot.tag.organisation.as_ref().map(|o| o.name.clone());
        }
        self.score += weight;
        self.records.push(PersonRecord {
            id: record.id().to_owned(),
            title: record.title().to_owned(),
            year,
            kind: match record {
                Record::Publication(_) => "publication",
                Record::Grant(_) => "grant",
            },
            role: slot.tag.role.clone(),
            weight,
        });
    }

    fn coauthors(&self, limit: usize) -> Vec<Coauthor> {
        let mut list: Vec<Coauthor> = self
            .coauthors
            .iter()
            .map(|(id, (name, shared))| Coauthor {
                person_id: id.clone(),
                name: name.clone(),
                shared_records: *shared,
            })
            .collect();
        list.sort_by(|a, b| {
            b.shared_records
                .cmp(&a.shared_records)
                .then(a.person_id.cmp(&b.person_id))
        });
        list.truncate(limit);
        list
    }
}

/// Gathers every accepted person of `records`, weighting each record by `weight`.
fn gather<'a>(
    records: impl Iterator<Item = Scored<'a>>,
    now: u16,
    only: Option<&str>,
) -> BTreeMap<String, Person> {
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    for scored in records {
        let year = scored.record.year();
        let slots: Vec<&SlotTag> = accepted(scored.tags).collect();
        for slot in &slots {
            let Some(id) = slot.tag.person_id.as_deref() else {
                continue;
            };
            if only.is_some_and(|only| only != id) {
                continue;
            }
            let weight = scored.relevance * role_weight(&slot.tag.role) * age_weight(year, now);
            let person = people.entry(id.to_owned()).or_default();
            person.see(scored.record, slot, weight);
            for other in slots
                .iter()
                .filter(|other| other.tag.person_id.as_deref() != Some(id))
            {
                if let Some(other_id) = &other.tag.person_id {
                    let entry = person
                        .coauthors
                        .entry(other_id.clone())
                        .or_insert_with(|| (scored.record.person_name(other.position), 0));
                    entry.1 += 1;
                }
            }
            if let Record::Publication(publication) = scored.record {
                for heading in publication
                    .mesh
                    .iter()
                    .filter(|heading| !is_check_tag(&heading.descriptor))
                {
                    let topic = if heading.is_major() { 1.0 } else { 0.25 };
                    *person.topics.entry(heading.descriptor.clone()).or_default() +=
                        topic * role_weight(&slot.tag.role) * age_weight(year, now);
                }
            }
        }
    }
    people
}

/// People ranked by their weighted work on the records of a topic search.
pub fn rank<'a>(
    hits: impl Iterator<Item = Scored<'a>>,
    now: u16,
    limit: usize,
) -> Vec<RankedPerson> {
    let mut ranked: Vec<RankedPerson> = gather(hits, now, None)
        .into_iter()
        .map(|(person_id, mut person)| {
            person.records.sort_by(|a, b| b.weight.total_cmp(&a.weight));
            person.records.truncate(RECORDS_PER_PERSON);
            RankedPerson {
                coauthors: person.coauthors(COAUTHORS_PER_PERSON),
                person_id,
                name: person.name,
                discipline: person.discipline,
                division: person.division,
                organisation: person.organisation,
                score: (person.score * 1000.0).round() / 1000.0,
                records: person.records,
            }
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.person_id.cmp(&b.person_id))
    });
    ranked.truncate(limit);
    ranked
}

/// The profile of `person_id` from the records they are accepted on; `None` when there are none.
pub fn profile<'a>(
    person_id: &str,
    records: impl Iterator<Item = Scored<'a>>,
    now: u16,
) -> Option<Profile> {
    let mut person = gather(records, now, Some(person_id)).remove(person_id)?;
    person
        .records
        .sort_by(|a, b| b.year.cmp(&a.year).then(a.id.cmp(&b.id)));
    let (grants, publications) = person
        .records
        .iter()
        .cloned()
        .partition(|r| r.kind == "grant");
    let mut topics: Vec<(String, f64)> = person
        .topics
        .iter()
        .map(|(topic, weight)| (topic.clone(), (weight * 1000.0).round() / 1000.0))
        .collect();
    topics.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    topics.truncate(TOPICS_PER_PERSON);
    Some(Profile {
        coauthors: person.coauthors(usize::MAX),
        person_id: person_id.to_owned(),
        name: person.name,
        discipline: person.discipline,
        division: person.division,
        organisation: person.organisation,
        publications,
        grants,
        topics,
    })
}

/// One person's topic weights over some records, before age weighting.
#[derive(Debug, Clone, PartialEq)]
struct PersonTopics {
    /// The year of their newest record so far, and the name on it.
    newest: Option<u16>,
    name: String,
    /// Every slot of theirs, in order: the record's key, its year and the
    /// name published there (a number in `names`), so that the name can be
    /// found again when records are taken out.
    seen: Vec<(u32, Option<u16>, u32)>,
    /// The names they published under.
    names: Vec<String>,
    /// Sixteenths of weight (topic × role), by descriptor number and record
    /// year: integers, so that sums do not depend on the order of records.
    weights: HashMap<(u32, Option<u16>), u64>,
}

/// What some records (the service takes one index segment at a time)
/// contribute to the topic vectors; [`TopicVectors::combine`] joins them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicFacts {
    /// MeSH descriptors, numbered by first appearance.
    descriptors: Vec<String>,
    people: BTreeMap<String, PersonTopics>,
}

impl TopicFacts {
    /// Reads every accepted person's topics from `records` and their tags,
    /// each with a key of the caller's (the service's document number) for
    /// [`subtract`](Self::subtract).
    pub fn build<'a>(records: impl Iterator<Item = (u32, &'a Record, &'a [SlotTag])>) -> Self {
        let mut facts = TopicFacts::default();
        let mut numbers: HashMap<&'a str, u32> = HashMap::new();
        for (key, record, tags) in records {
            let year = record.year();
            for slot in accepted(tags) {
                let Some(id) = slot.tag.person_id.as_deref() else {
                    continue;
                };
                let person = match facts.people.get_mut(id) {
                    Some(person) => person,
                    None => facts.people.entry(id.to_owned()).or_insert(PersonTopics {
                        newest: None,
                        name: String::new(),
                        seen: Vec::new(),
                        names: Vec::new(),
                        weights: HashMap::new(),
                    }),
                };
                let name = record.person_name(slot.position);
                let number = match person.names.iter().position(|known| *known == name) {
                    Some(number) => number,
                    None => {
                        person.names.push(name.clone());
                        person.names.len() - 1
                    }
                };
                // The same rule as a profile's: the last of the newest records names them.
                if person.seen.is_empty() || year >= person.newest {
                    person.newest = year;
                    person.name = name;
                }
                person.seen.push((key, year, number as u32));
                let Record::Publication(publication) = record else {
                    continue;
                };
                // Every role weight is a whole number of quarters.
                let role = (role_weight(&slot.tag.role) * 4.0) as u64;
                for heading in publication
                    .mesh
                    .iter()
                    .filter(|heading| !is_check_tag(&heading.descriptor))
                {
                    let next = numbers.len() as u32;
                    let number = *numbers.entry(&heading.descriptor).or_insert_with(|| {
                        facts.descriptors.push(heading.descriptor.clone());
                        next
                    });
                    let topic = if heading.is_major() { 4 } else { 1 };
                    *person.weights.entry((number, year)).or_default() += topic * role;
                }
            }
        }
        facts
    }

    /// Takes `records` (each with its key, as given to [`build`](Self::build))
    /// out of these facts, leaving what `build` gives for the others. False
    /// when the facts do not hold a record's weights (they were built from
    /// other records): the facts are then in a partial state, and the caller
    /// builds them afresh.
    pub fn subtract<'a>(
        &mut self,
        records: impl Iterator<Item = (u32, &'a Record, &'a [SlotTag])>,
    ) -> bool {
        let numbers: HashMap<&str, u32> = self
            .descriptors
            .iter()
            .enumerate()
            .map(|(number, descriptor)| (descriptor.as_str(), number as u32))
            .collect();
        let mut keys = std::collections::HashSet::new();
        let mut touched = std::collections::BTreeSet::new();
        for (key, record, tags) in records {
            keys.insert(key);
            let year = record.year();
            for slot in accepted(tags) {
                let Some(id) = slot.tag.person_id.as_deref() else {
                    continue;
                };
                let Some(person) = self.people.get_mut(id) else {
                    return false;
                };
                touched.insert(id.to_owned());
                let Record::Publication(publication) = record else {
                    continue;
                };
                let role = (role_weight(&slot.tag.role) * 4.0) as u64;
                for heading in publication
                    .mesh
                    .iter()
                    .filter(|heading| !is_check_tag(&heading.descriptor))
                {
                    let Some(&number) = numbers.get(heading.descriptor.as_str()) else {
                        return false;
                    };
                    let topic = if heading.is_major() { 4 } else { 1 };
                    let std::collections::hash_map::Entry::Occupied(mut units) =
                        person.weights.entry((number, year))
                    else {
                        return false;
                    };
                    match units.get().checked_sub(topic * role) {
                        Some(0) => {
                            units.remove();
                        }
                        Some(left) => *units.get_mut() = left,
                        None => return false,
                    }
                }
            }
        }
        for id in touched {
            let Some(person) = self.people.get_mut(&id) else {
                continue;
            };
            person.seen.retain(|(key, _, _)| !keys.contains(key));
            if person.seen.is_empty() {
                if !person.weights.is_empty() {
                    return false;
                }
                self.people.remove(&id);
                continue;
            }
            // Named again by the rule of `build`, over the slots left.
            let mut newest = None;
            let mut named = 0;
            for (position, &(_, year, name)) in person.seen.iter().enumerate() {
                if position == 0 || year >= newest {
                    newest = year;
                    named = name;
                }
            }
            person.newest = newest;
            match person.names.get(named as usize) {
                Some(name) => person.name.clone_from(name),
                None => return false,
            }
        }
        true
    }
}

/// Every person's MeSH topic vector, for "similar people".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicVectors {
    /// Person → name and weights by descriptor rank (the descriptors'
    /// alphabetical order), sorted by rank.
    vectors: BTreeMap<String, (String, Vec<(u32, f64)>)>,
}

/// Someone whose topics overlap a person's.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimilarPerson {
    /// Roster person id.
    pub person_id: String,
    /// Name as most recently published.
    pub name: String,
    /// Dot product of the two topic vectors.
    pub similarity: f64,
    /// Topics both have.
    pub shared_topics: usize,
    /// Already co-authors.
    pub coauthor: bool,
}

impl TopicVectors {
    /// Builds every accepted person's vector from all tagged records.
    pub fn build<'a>(records: impl Iterator<Item = Scored<'a>>, now: u16) -> Self {
        let facts = TopicFacts::build(
            (0..)
                .zip(records)
                .map(|(key, scored)| (key, scored.record, scored.tags)),
        );
        Self::combine([&facts], now)
    }

    /// The vectors of `parts`' records together, weighted by age in `now`.
    ///
    /// The weights are the same whatever the parts and their order (whole
    /// sixteenths added, then summed over years in order); only a name
    /// published differently on two records of the same year follows the
    /// order, as in a profile.
    pub fn combine<'a>(parts: impl IntoIterator<Item = &'a TopicFacts>, now: u16) -> Self {
        type Gathered<'p> = (Option<u16>, &'p str, HashMap<(u32, Option<u16>), u64>);
        let mut descriptors: HashMap<&str, u32> = HashMap::new();
        let mut people: BTreeMap<&str, Gathered<'_>> = BTreeMap::new();
        for part in parts {
            // Numbered when used: descriptors of records taken out stay in a
            // part's list.
            let mut number: Vec<Option<u32>> = vec![None; part.descriptors.len()];
            for (id, topics) in &part.people {
                let person = people
                    .entry(id)
                    .and_modify(|person| {
                        if topics.newest >= person.0 {
                            person.0 = topics.newest;
                            person.1 = &topics.name;
                        }
                    })
                    .or_insert_with(|| (topics.newest, &topics.name, HashMap::new()));
                for (&(descriptor, year), &units) in &topics.weights {
                    let number = *number[descriptor as usize].get_or_insert_with(|| {
                        let next = descriptors.len() as u32;
                        *descriptors
                            .entry(&part.descriptors[descriptor as usize])
                            .or_insert(next)
                    });
                    *person.2.entry((number, year)).or_default() += units;
                }
            }
        }
        // Ranks instead of first appearance, so that a dot product adds in
        // the same order however the records were split.
        let mut alphabetical: Vec<(&str, u32)> = descriptors.into_iter().collect();
        alphabetical.sort_unstable();
        let mut rank = vec![0; alphabetical.len()];
        for (position, (_, number)) in alphabetical.iter().enumerate() {
            rank[*number as usize] = position as u32;
        }
        let vectors = people
            .into_iter()
            .map(|(id, (_, name, weights))| {
                let mut weights: Vec<((u32, Option<u16>), u64)> = weights
                    .into_iter()
                    .map(|((number, year), units)| ((rank[number as usize], year), units))
                    .collect();
                weights.sort_unstable_by_key(|&(key, _)| key);
                let mut vector: Vec<(u32, f64)> = Vec::new();
                for ((topic, year), units) in weights {
                    let weight = units as f64 / 16.0 * age_weight(year, now);
                    match vector.last_mut() {
                        Some((last, sum)) if *last == topic => *sum += weight,
                        _ => vector.push((topic, weight)),
                    }
                }
                (id.to_owned(), (name.to_owned(), vector))
            })
            .collect();
        TopicVectors { vectors }
    }

    /// The `limit` people most similar to `person_id` (Profiles RNS keeps 60).
    pub fn similar(
        &self,
        person_id: &str,
        coauthors: &[Coauthor],
        limit: usize,
    ) -> Vec<SimilarPerson> {
        let Some((_, mine)) = self.vectors.get(person_id) else {
            return Vec::new();
        };
        let mut similar: Vec<SimilarPerson> = self
            .vectors
            .iter()
            .filter(|(id, _)| id.as_str() != person_id)
            .filter_map(|(id, (name, theirs))| {
                let (similarity, shared) = dot(mine, theirs);
                (shared > 0).then(|| SimilarPerson {
                    person_id: id.clone(),
                    name: name.clone(),
                    similarity: (similarity * 1000.0).round() / 1000.0,
                    shared_topics: shared,
                    coauthor: coauthors.iter().any(|c| &c.person_id == id),
                })
            })
            .collect();
        similar.sort_by(|a, b| {
            b.similarity
                .total_cmp(&a.similarity)
                .then(a.person_id.cmp(&b.person_id))
        });
        similar.truncate(limit);
        similar
    }
}

/// The dot product of two vectors sorted by topic, and how many topics they share.
fn dot(a: &[(u32, f64)], b: &[(u32, f64)]) -> (f64, usize) {
    let (mut i, mut j) = (0, 0);
    let (mut sum, mut shared) = (0.0, 0);
    while let (Some(&(x, wx)), Some(&(y, wy))) = (a.get(i), b.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += wx * wy;
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (sum, shared)
}

/// Which attribute of a counted person a list is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupDimension {
    /// The organisation counted under (current name).
    Organisation,
    /// The division.
    Division,
    /// The discipline.
    Discipline,
}

/// A person counted in a group: who they published as, and on how many records.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountedPerson {
    /// The roster's opaque id (their profile).
    pub person_id: String,
    /// The name on their newest record, as published.
    pub name: String,
    /// Records in the group on which they are counted.
    pub records: usize,
}

/// The accepted roster people of `records` whose tag puts them in `value` of
/// `dimension` (any case): the people behind a participation cell's
/// "people conducting", most records first.
pub fn counted_in<'a>(
    records: impl Iterator<Item = (&'a Record, &'a [SlotTag])>,
    dimension: GroupDimension,
    value: &str,
) -> Vec<CountedPerson> {
    let mut people: BTreeMap<String, (CountedPerson, Option<u16>)> = BTreeMap::new();
    for (record, tags) in records {
        let mut seen_here = std::collections::BTreeSet::new();
        for slot in accepted(tags) {
            let tag = &slot.tag;
            let group = match dimension {
                GroupDimension::Organisation => tag.organisation.as_ref().map(|o| o.name.as_str()),
                GroupDimension::Division => tag.division.as_deref(),
                GroupDimension::Discipline => tag.discipline.as_deref(),
            };
            let (Some(person_id), Some(group)) = (&tag.person_id, group) else {
                continue;
            };
            if !group.eq_ignore_ascii_case(value) || !seen_here.insert(person_id.clone()) {
                continue;
            }
            let year = record.year();
            let entry = people.entry(person_id.clone()).or_insert_with(|| {
                (
                    CountedPerson {
                        person_id: person_id.clone(),
                        name: record.person_name(slot.position),
                        records: 0,
                    },
                    year,
                )
            });
            entry.0.records += 1;
            if year > entry.1 {
                entry.0.name = record.person_name(slot.position);
                entry.1 = year;
            }
        }
    }
    let mut list: Vec<CountedPerson> = people.into_values().map(|(person, _)| person).collect();
    list.sort_by(|a, b| {
        b.records
            .cmp(&a.records)
            .then(a.person_id.cmp(&b.person_id))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Author, MeshHeading, Publication, PublicationDate};
    use hcs_model::tags::{Evidence, PersonTag};

    fn paper(id: &str, year: u16, mesh: &[(&str, bool)]) -> Record {
        let author = |position: u32, family: &str| Author {
            position,
            family: Some(family.into()),
            given: Some("Ann".into()),
            valid: true,
            ..Author::default()
        };
        Record::Publication(Box::new(Publication {
            id: id.into(),
            title: format!("title of {id}"),
            published: Some(PublicationDate::in_year(year)),
            authors: vec![author(1, "Evans"), author(2, "Price"), author(3, "Hughes")],
            mesh: mesh
                .iter()
                .map(|(descriptor, major)| MeshHeading {
                    descriptor: (*descriptor).into(),
                    major_topic: *major,
                    ..MeshHeading::default()
                })
                .collect(),
            ..Publication::default()
        }))
    }

    fn slot(position: u32, person: &str, byline: BylinePosition) -> SlotTag {
        SlotTag {
            position,
            tag: PersonTag {
                tier: Tier::Roster,
                person_id: Some(person.into()),
                discipline: Some("Audiology".into()),
                division: Some("Physiological Sciences".into()),
                organisation: None,
                role: Role::Author {
                    position: byline,
                    corresponding: false,
                },
                band: Band::Accept,
                score: 90,
                evidence: vec![Evidence {
                    feature: "t".into(),
                    value: "t".into(),
                    points: 0.0,
                }],
                curated: None,
            },
        }
    }

    fn corpus() -> (Vec<Record>, Vec<Vec<SlotTag>>) {
        let records = vec![
            paper(
                "pmid:1",
                2024,
                &[
                    ("Hearing Loss", true),
                    ("Hearing Aids", false),
                    ("Humans", true),
                ],
            ),
            paper("pmid:2", 2004, &[("Hearing Loss", false)]),
        ];
        let tags = vec![
            vec![
                slot(1, "p1", BylinePosition::First),
                slot(2, "p2", BylinePosition::Middle),
            ],
            vec![slot(2, "p2", BylinePosition::Middle)],
        ];
        (records, tags)
    }

    fn scored<'a>(
        records: &'a [Record],
        tags: &'a [Vec<SlotTag>],
    ) -> impl Iterator<Item = Scored<'a>> {
        records.iter().zip(tags).map(|(record, tags)| Scored {
            record,
            tags,
            relevance: 1.0,
        })
    }

    #[test]
    fn first_authors_of_recent_work_rank_first_with_their_coauthors() {
        let (records, tags) = corpus();
        let ranked = rank(scored(&records, &tags), 2024, 10);
        assert_eq!(ranked[0].person_id, "p1");
        assert_eq!(ranked[0].name, "Ann Evans");
        assert_eq!(ranked[0].score, 1.0);
        assert_eq!(ranked[1].person_id, "p2");
        assert_eq!(
            ranked[1].score, 0.313,
            "0.25 now + 0.25 × 0.25 (twenty years: halved twice)"
        );
        assert_eq!(ranked[0].coauthors[0].person_id, "p2");
        assert_eq!(ranked[1].records[0].id, "pmid:1", "heaviest record first");
    }

    #[test]
    fn profiles_and_similar_people_come_from_published_records_only() {
        let (records, tags) = corpus();
        let profile = profile("p2", scored(&records, &tags), 2024).unwrap();
        assert_eq!(profile.publications.len(), 2);
        assert_eq!(profile.publications[0].year, Some(2024), "newest first");
        assert_eq!(profile.topics[0].0, "Hearing Loss");
        // MeSH check tags are on nearly every record: never a topic.
        assert!(profile.topics.iter().all(|(topic, _)| topic != "Humans"));
        assert_eq!(profile.coauthors[0].shared_records, 1);
        assert!(super::profile("nobody", scored(&records, &tags), 2024).is_none());
        let vectors = TopicVectors::build(scored(&records, &tags), 2024);
        let similar = vectors.similar(
            "p1",
            &[Coauthor {
                person_id: "p2".into(),
                name: String::new(),
                shared_records: 1,
            }],
            60,
        );
        assert_eq!(similar.len(), 1);
        assert_eq!(similar[0].person_id, "p2");
        assert!(similar[0].coauthor);
        assert_eq!(similar[0].shared_topics, 2);
    }

    #[test]
    fn topic_vectors_combined_from_parts_are_the_whole() {
        let (mut records, mut tags) = corpus();
        records.push(paper(
            "pmid:3",
            2014,
            &[("Hearing Aids", true), ("Tinnitus", false)],
        ));
        tags.push(vec![
            slot(1, "p3", BylinePosition::First),
            slot(3, "p2", BylinePosition::Last),
        ]);
        let whole = TopicVectors::build(scored(&records, &tags), 2024);
        let facts = |range: std::ops::Range<usize>| {
            TopicFacts::build(range.map(|n| (n as u32, &records[n], tags[n].as_slice())))
        };
        for split in 0..=records.len() {
            let parts = [facts(0..split), facts(split..records.len())];
            assert_eq!(
                TopicVectors::combine(&parts, 2024),
                whole,
                "split at {split}"
            );
        }
        // Weights do not depend on the order of the parts either.
        let reversed = [facts(2..3), facts(0..2)];
        let reversed = TopicVectors::combine(&reversed, 2024);
        for person in ["p1", "p2", "p3"] {
            assert_eq!(
                reversed.similar(person, &[], 60),
                whole.similar(person, &[], 60)
            );
        }
        let similar = whole.similar("p3", &[], 60);
        assert_eq!(similar[0].person_id, "p2");
        assert_eq!(similar[0].shared_topics, 2);
    }

    #[test]
    fn records_taken_out_leave_the_vectors_of_the_others() {
        let (mut records, mut tags) = corpus();
        records.push(paper(
            "pmid:3",
            2010,
            &[("Tinnitus", true), ("Hearing Loss", true)],
        ));
        tags.push(vec![
            slot(1, "p1", BylinePosition::First),
            slot(2, "p2", BylinePosition::Middle),
        ]);
        let all = |n: usize| (n as u32, &records[n], tags[n].as_slice());
        // pmid:3 (2010) names nobody: p1 and p2 are named by pmid:1 (2024).
        let mut facts = TopicFacts::build((0..records.len()).map(all));
        assert!(facts.subtract(std::iter::once(all(2))));
        let without = TopicVectors::build(scored(&records[..2], &tags[..2]), 2024);
        assert_eq!(TopicVectors::combine([&facts], 2024), without);
        // pmid:1 names both: taken out, they are named by the newest left.
        let mut facts = TopicFacts::build((0..records.len()).map(all));
        assert!(facts.subtract(std::iter::once(all(0))));
        let without = TopicVectors::build(scored(&records[1..], &tags[1..]), 2024);
        assert_eq!(TopicVectors::combine([&facts], 2024), without);
        // Every record out: nobody is left.
        assert!(facts.subtract([all(1), all(2)].into_iter()));
        assert_eq!(
            TopicVectors::combine([&facts], 2024),
            TopicVectors::default()
        );
    }
}
