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
pub mod employment;
pub mod evaluate;
pub mod gazetteer;
pub mod infer;
pub mod names;
pub mod persist;
pub mod recurring;
pub mod roster;
pub mod rules;
pub mod score;
pub mod slots;
pub mod tagged;
pub mod taxonomy;
pub mod text;
pub mod topic;
#[cfg(test)]
mod welsh_affiliations;
pub mod workspace;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

pub use curation::{Decision, DecisionLog, Verdict};
pub use dates::DateSpan;
pub use gazetteer::Gazetteer;
/// The date spans tagging compares (they live below tagging, with the records).
pub use hcs_model::dates;
/// The tags tagging writes (they live below tagging, with the records).
pub use hcs_model::tags as model;
pub use model::{Band, PersonTag, SlotTag, Tier};
pub use roster::Roster;
pub use rules::DisciplineRules;
pub use tagged::TaggedRecord;
pub use taxonomy::Taxonomy;

use hcs_model::records::Record;

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

/// Rounds of co-author-network learning after the first tagging pass.
const NETWORK_ROUNDS: usize = 2;

/// Band thresholds on the 0–100 score.
#[derive(Debug, Clone, Copy)]
pub struct Bands {
    /// At or above: accept.
    pub accept: u8,
    /// At or above (and below accept): review; below: reject.
    pub review: u8,
}

impl Default for Bands {
    /// ReCiter's three bands. The accept line is where the hand-checked
    /// evaluation set (`fixtures/tagging/`) keeps precision at 1.0 with the
    /// most recall (`indexer evaluate` prints the sweep); below 30 a pair is
    /// not shown.
    fn default() -> Self {
        Bands {
            accept: 60,
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
            Some(path) => DisciplineRules::parse(
                &read(path)?,
                &path.display().to_string(),
                &taxonomy,
                gazetteer.reader(),
            )?,
            None => DisciplineRules::bundled(&taxonomy, gazetteer.reader())?,
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
    /// Employment histories from ORCID, by iD.
    pub employments: employment::Employments,
    /// Also return tier-1 pairs in the reject band (for evaluation sweeps).
    pub keep_rejected: bool,
    /// Grant references (folded) on which each roster person holds an accepted role.
    grant_holders: HashMap<String, HashSet<String>>,
    /// Each roster person's co-authors ([`names::PersonName::coauthor_key`]) on accepted records.
    coauthors: HashMap<String, recurring::RecordCounts>,
    /// The subjects of each roster person's accepted records.
    topics: HashMap<String, topic::TopicProfile>,
    /// Full first names seen for each family name + initial in the records
    /// being tagged and the roster: how ambiguous an initial is.
    first_names: HashMap<String, HashSet<String>>,
}

impl Tagger {
    /// A tagger over the given data.
    pub fn new(reference: ReferenceData, roster: Roster, decisions: DecisionLog) -> Self {
        Tagger {
            reference,
            roster,
            decisions,
            bands: Bands::default(),
            employments: employment::Employments::default(),
            keep_rejected: false,
            grant_holders: HashMap::new(),
            coauthors: HashMap::new(),
            topics: HashMap::new(),
            first_names: HashMap::new(),
        }
    }

    /// Tags every record, returning tags in the records' order. Grants go
    /// first, so their accepted people become evidence for publications that
    /// acknowledge the grant.
    pub fn tag_all(&mut self, records: &[Record]) -> Vec<Vec<SlotTag>> {
        self.grant_holders.clear();
        // Each record is read (names folded, affiliations resolved) once for all passes.
        let gazetteer = self.reference.gazetteer.clone();
        let contexts: Vec<slots::RecordContext<'_>> = records
            .iter()
            .map(|record| slots::RecordContext::of(record, &gazetteer))
            .collect();
        self.learn_first_names(&contexts);
        let mut tags: Vec<Vec<SlotTag>> = vec![Vec::new(); records.len()];
        for (index, record) in records.iter().enumerate() {
            let Record::Grant(grant) = record else {
                continue;
            };
            tags[index] = self.tag_context(&contexts[index]);
            for slot in &tags[index] {
                if let (Band::Accept, Some(person)) = (slot.tag.band, &slot.tag.person_id) {
                    self.grant_holders
                        .entry(person.clone())
                        .or_default()
                        .insert(hcs_model::ids::grant_reference_term(&grant.reference));
                }
            }
        }
        let publications: Vec<usize> = (0..records.len())
            .filter(|&i| matches!(records[i], Record::Publication(_)))
            .collect();
        for &index in &publications {
            tags[index] = self.tag_context(&contexts[index]);
        }
        // ReCiter's clustering, in its simplest form: who a person publishes
        // with, and on what, on accepted records is evidence on their other
        // records. Two rounds: what the first round accepts widens the second's network.
        for _ in 0..NETWORK_ROUNDS {
            let learned = self.learn_from_accepted(records, &publications, &tags);
            if !learned {
                break;
            }
            for &index in &publications {
                tags[index] = self.tag_context(&contexts[index]);
            }
        }
        infer::across_records(self, &contexts, &mut tags);
        tags
    }

    /// Counts, for every family name + initial, the full first names that
    /// go with it in these records and on the roster.
    fn learn_first_names(&mut self, contexts: &[slots::RecordContext<'_>]) {
        let mut names: HashMap<String, HashSet<String>> = HashMap::new();
        let mut add = |name: &names::PersonName| {
            if let Some(names::GivenPart::Full(first)) = name.given.first() {
                names
                    .entry(name.coauthor_key())
                    .or_default()
                    .insert(first.clone());
            }
        };
        for context in contexts {
            context.slots.iter().for_each(|slot| add(&slot.name));
        }
        for person in self.roster.people() {
            person.names.iter().for_each(&mut add);
        }
        self.first_names = names;
    }

    /// True when an initial could stand for more than one first name with
    /// this family name ("Jones S": Sian, Sarah, Stephen…), or when nothing
    /// is known about the name.
    pub(crate) fn initial_is_ambiguous(&self, name: &names::PersonName) -> bool {
        self.first_names
            .get(&name.coauthor_key())
            .is_none_or(|names| names.len() >= 2)
    }

    /// Rebuilds every person's co-author network and subjects from
    /// accepted tags; true when either changed.
    fn learn_from_accepted(
        &mut self,
        records: &[Record],
        publications: &[usize],
        tags: &[Vec<SlotTag>],
    ) -> bool {
        let mut network: HashMap<String, recurring::RecordCounts> = HashMap::new();
        let mut topics: HashMap<String, topic::TopicProfile> = HashMap::new();
        for &index in publications {
            let Record::Publication(publication) = &records[index] else {
                continue;
            };
            // Folded once for all the record's accepted people.
            let subjects = topic::Subjects::of(&publication.title);
            for slot in &tags[index] {
                let (Band::Accept, Some(person)) = (slot.tag.band, &slot.tag.person_id) else {
                    continue;
                };
                let keys = publication
                    .authors
                    .iter()
                    .filter(|author| author.position != slot.position)
                    .filter_map(|author| {
                        names::PersonName::new(
                            author.family.as_deref()?,
                            author.given.as_deref(),
                            author.initials.as_deref(),
                        )
                    })
                    .map(|name| name.coauthor_key());
                network
                    .entry(person.clone())
                    .or_default()
                    .add(&publication.id, keys);
                topics
                    .entry(person.clone())
                    .or_default()
                    .add(&publication.id, &subjects);
            }
        }
        let changed = network != self.coauthors || topics != self.topics;
        self.coauthors = network;
        self.topics = topics;
        changed
    }

    /// The subjects a title shares with `person_id`'s accepted records other than `record_id`.
    pub(crate) fn shared_topics(
        &self,
        person_id: &str,
        record_id: &str,
        subjects: &topic::Subjects<'_>,
    ) -> Vec<(String, usize)> {
        self.topics
            .get(person_id)
            .map(|profile| profile.recurring_in(subjects, record_id))
            .unwrap_or_default()
    }

    /// How many of `keys` (the record's other authors) wrote with
    /// `person_id` on accepted records other than `record_id` (a record is
    /// no evidence for itself: its own co-authors are taken off when the
    /// person was accepted on it, which is exact while the person holds
    /// the same byline slot as when the network was learnt).
    pub(crate) fn known_coauthors<'k>(
        &self,
        person_id: &str,
        record_id: &str,
        keys: impl Iterator<Item = &'k str>,
    ) -> usize {
        let Some(known) = self.coauthors.get(person_id) else {
            return 0;
        };
        keys.filter(|key| known.others(key, record_id) > 0).count()
    }

    /// Tags one record's authors or grant people.
    pub fn tag(&self, record: &Record) -> Vec<SlotTag> {
        self.tag_context(&slots::RecordContext::of(record, &self.reference.gazetteer))
    }

    fn tag_context(&self, context: &slots::RecordContext<'_>) -> Vec<SlotTag> {
        let mut tags = score::tag_roster(self, context);
        for slot in &context.slots {
            // A roster match in the accept or review band takes the slot;
            // tier 2 speaks only for the rest, and is never mixed into it.
            if tags
                .iter()
                .any(|t| t.position == slot.position && t.tag.band != Band::Reject)
            {
                continue;
            }
            let verdict = self.decisions.on_inferred(
                context.record_id,
                slot.position,
                &slot.name.coauthor_key(),
            );
            let tag = match (infer::infer(self, slot, context.date), verdict) {
                (_, Some(Verdict::Reject)) => None,
                (tag, Some(Verdict::Accept)) => Some(infer::accepted_by_curator(slot, tag)),
                (Some(tag), None) if tag.band != Band::Reject => Some(tag),
                _ => None,
            };
            if let Some(tag) = tag {
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

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Author, GrantPerson, Organisation, Publication, PublicationDate};

    const ROSTER: &str = "person_id,family,given,orcid,organisation,department,discipline\n\
        p1,Jones,Sian,,Swansea Bay University Health Board,Medical Physics,Radiotherapy physics\n\
        p2,Jones,Sian,,Betsi Cadwaladr University Health Board,Audiology,Audiology\n\
        p3,Price,Owain,0000-0002-1825-0097,Velindre University NHS Trust,Medical Physics,Nuclear medicine\n";

    fn tagger() -> Tagger {
        tagger_for(ROSTER)
    }

    fn tagger_for(roster: &str) -> Tagger {
        let reference = ReferenceData::load(None, None).unwrap();
        let roster = Roster::parse(
            roster.as_bytes(),
            "roster.csv",
            &reference.taxonomy,
            &reference.gazetteer,
        )
        .unwrap();
        assert!(roster.issues.is_empty(), "{:?}", roster.issues);
        Tagger::new(reference, roster, DecisionLog::default())
    }

    fn author(position: u32, family: &str, given: &str, affiliation: &str) -> Author {
        Author {
            position,
            family: Some(family.into()),
            given: Some(given.into()),
            affiliations: vec![affiliation.into()],
            valid: true,
            ..Author::default()
        }
    }

    fn publication(year: u16, authors: Vec<Author>) -> Record {
        publication_as("pmid:1", year, authors)
    }

    /// An author printed with no affiliation.
    fn bare(position: u32, family: &str, given: &str) -> Author {
        Author {
            affiliations: Vec::new(),
            ..author(position, family, given, "")
        }
    }

    fn publication_as(id: &str, year: u16, authors: Vec<Author>) -> Record {
        Record::Publication(Box::new(Publication {
            id: id.into(),
            published: Some(PublicationDate::in_year(year)),
            authors,
            ..Publication::default()
        }))
    }

    #[test]
    fn same_name_at_two_boards_goes_to_the_one_the_affiliation_names() {
        let tagger = tagger();
        let record = publication(
            2016,
            vec![
                author(1, "Jones", "Sian", "Department of Medical Physics, Singleton Hospital, Abertawe Bro Morgannwg University Health Board, Swansea"),
                author(2, "Price", "O", "Velindre Cancer Centre, Cardiff"),
            ],
        );
        let tags = tagger.tag(&record);
        let first = &tags[0].tag;
        assert_eq!(first.person_id.as_deref(), Some("p1"));
        assert_eq!(first.band, Band::Accept);
        let organisation = first.organisation.as_ref().unwrap();
        assert_eq!(
            organisation.name, "Swansea Bay University Health Board",
            "counted under today's name"
        );
        assert_eq!(
            organisation.published.as_deref(),
            Some("Abertawe Bro Morgannwg University Health Board"),
            "the published name is kept"
        );
        assert_eq!(first.discipline.as_deref(), Some("Radiotherapy physics"));
        assert_eq!(
            first.role,
            model::Role::Author {
                position: model::BylinePosition::First,
                corresponding: false
            }
        );
        assert!(first
            .evidence
            .iter()
            .any(|e| e.feature == "organisation" && e.points > 0.0));
        assert_eq!(tags[1].tag.person_id.as_deref(), Some("p3"));
    }

    #[test]
    fn namesakes_in_one_body_are_a_curators_call_unless_their_departments_differ() {
        let tagger = tagger_for(
            "person_id,family,given,organisation,department,discipline\n\
             v1,Moore,Catherine,RYT - Public Health Wales NHS Trust,Microbiology Cardiff - Virology,Microbiology\n\
             s1,Moore,Catherine,RYT,Newborn Bloodspot Screening Wales,Clinical biochemistry\n",
        );
        let plain = publication(
            2017,
            vec![author(
                1,
                "Moore",
                "Catherine",
                "Public Health Wales, Cardiff, United Kingdom",
            )],
        );
        let tag = &tagger.tag(&plain)[0].tag;
        assert_eq!(tag.band, Band::Review, "{tag:?}");
        assert!(tag.evidence.iter().any(|e| e.feature == "ambiguous_name"));
        let virology = publication(
            2024,
            vec![author(
                1,
                "Moore",
                "Catherine",
                "Wales Specialist Virology Centre Public Health Wales Microbiology Cardiff UK",
            )],
        );
        let tag = &tagger.tag(&virology)[0].tag;
        assert_eq!(tag.person_id.as_deref(), Some("v1"));
        assert_eq!(tag.band, Band::Accept, "{tag:?}");
        assert!(tag.evidence.iter().all(|e| e.feature != "ambiguous_name"));
    }

    #[test]
    fn an_earlier_post_on_the_roster_explains_an_old_affiliation_in_its_years() {
        let tagger = tagger_for(
            "person_id,family,given,organisation,department,discipline,start_date,end_date\n\
             m1,Evans,Wil,7A4 - Cardiff and Vale UHB,Medical Physics,Medical physics,2015-04-01,\n\
             m1,Evans,Wil,7A1 - Betsi Cadwaladr ULHB,Medical Physics,Medical physics,2008-01-01,2015-03-31\n",
        );
        let glan_clwyd =
            "Medical Physics, Ysbyty Glan Clwyd, Betsi Cadwaladr University Health Board, Rhyl";
        let then = publication(2012, vec![author(1, "Evans", "Wil", glan_clwyd)]);
        let tag = &tagger.tag(&then)[0].tag;
        assert_eq!(tag.person_id.as_deref(), Some("m1"));
        assert_eq!(tag.band, Band::Accept, "{tag:?}");
        assert!(tag.evidence.iter().any(|e| e.feature == "roster_post"));
        assert_eq!(
            tag.organisation.as_ref().unwrap().name,
            "Betsi Cadwaladr University Health Board",
            "counted under the employer at the time"
        );
        let unlabelled = publication(2011, vec![author(1, "Evans", "Wil", "")]);
        let tags = tagger.tag(&unlabelled);
        let organisation = tags[0].tag.organisation.as_ref().unwrap();
        assert_eq!(organisation.name, "Betsi Cadwaladr University Health Board");
        let later = publication(2022, vec![author(1, "Evans", "Wil", glan_clwyd)]);
        let tag = &tagger.tag(&later)[0].tag;
        assert!(tag.evidence.iter().all(|e| e.feature != "roster_post"));
        assert!(tag.score < tagger.bands.accept, "{tag:?}");
    }

    #[test]
    fn a_common_name_with_initials_needs_more_than_the_organisation() {
        let mut tagger = tagger();
        let morriston =
            "Department of Cardiology, Morriston Hospital, Swansea Bay University Health Board";
        let mut records = vec![publication(2021, vec![author(1, "Jones", "S", morriston)])];
        for (id, given) in [("pmid:2", "Sarah"), ("pmid:3", "Stephen")] {
            records.push(publication_as(
                id,
                2021,
                vec![author(1, "Jones", given, "Swansea University")],
            ));
        }
        let tags = tagger.tag_all(&records);
        let jones = &tags[0][0].tag;
        assert_eq!(jones.person_id.as_deref(), Some("p1"));
        assert_eq!(jones.band, Band::Review, "{jones:?}");
        assert!(jones.evidence.iter().any(|e| e.feature == "weak_name"));
        let doctor = publication(
            2021,
            vec![author(
                1,
                "Jones",
                "Sian",
                "Consultant Radiologist, Morriston Hospital, Swansea Bay University Health Board",
            )],
        );
        let tags = tagger.tag(&doctor);
        assert!(tags.iter().all(|t| t.tag.band != Band::Accept), "{tags:?}");
    }

    #[test]
    fn two_roster_colleagues_named_together_speak_for_each_other() {
        let tagger = tagger_for(
            "person_id,family,given,organisation,department,discipline\n\
             c1,Rhydderch,Gareth Huw,Cardiff and Vale University Health Board,Medical Physics,Medical physics\n\
             c2,Penberthy,Delyth Wyn,Cardiff and Vale University Health Board,Medical Physics,Medical physics\n\
             o1,Castellano,Maria Luisa,Betsi Cadwaladr University Health Board,Audiology,Audiology\n",
        );
        let unaffiliated = |position, family: &str, given: &str| Author {
            affiliations: Vec::new(),
            ..author(position, family, given, "")
        };
        let tag_of = |authors: Vec<Author>, position: u32| {
            let tags = tagger.tag(&publication(1989, authors));
            tags.into_iter()
                .find(|t| t.position == position)
                .map(|t| t.tag)
                .unwrap()
        };
        let alone = tag_of(vec![unaffiliated(1, "Rhydderch", "Gareth H")], 1);
        assert_eq!(alone.band, Band::Review, "{alone:?}");
        let together = vec![
            unaffiliated(1, "Rhydderch", "Gareth H"),
            unaffiliated(2, "Penberthy", "Delyth W"),
        ];
        for position in [1, 2] {
            let tag = tag_of(together.clone(), position);
            assert_eq!(tag.band, Band::Accept, "{tag:?}");
            assert!(tag.evidence.iter().any(|e| e.feature == "colleague_named"));
        }
        // A roster person at another employer is no colleague.
        let strangers = vec![
            unaffiliated(1, "Rhydderch", "Gareth H"),
            unaffiliated(2, "Castellano", "Maria L"),
        ];
        assert_eq!(tag_of(strangers, 1).band, Band::Review);
        // A colleague's name the record speaks against does not speak for anyone.
        let contradicted = vec![
            unaffiliated(1, "Rhydderch", "Gareth H"),
            author(
                2,
                "Penberthy",
                "Delyth W",
                "Department of Geology, University of Tasmania, Hobart",
            ),
        ];
        let tag = tag_of(contradicted, 1);
        assert_eq!(tag.band, Band::Review, "{tag:?}");
        assert!(tag.evidence.iter().all(|e| e.feature != "colleague_named"));
    }

    #[test]
    fn a_name_printed_the_wrong_way_round_is_read_swapped_but_needs_corroboration() {
        let tagger = tagger_for(
            "person_id,family,given,organisation,department,discipline\n\
             t1,Tulumović,Denijal,University Clinical Center Tuzla,\"Department of Nephrology, Dialysis and Transplantation\",Renal dialysis technology\n\
             w1,Thomas,Owen,Cardiff and Vale University Health Board,Medical Physics,Medical physics\n\
             w2,Owen,Rhian,Cardiff and Vale University Health Board,Audiology,Audiology\n",
        );
        // As PubMed prints pmid 31293787: family "Denijal", given "Tulumović".
        let department = "Department of Nephrology, Dialysis and Transplantation, University Clinical Center Tuzla, Ibre Pašića bb, Tuzla, Bosnia and Herzegovina.";
        let tag = &tagger.tag(&publication(
            2019,
            vec![author(1, "Denijal", "Tulumović", department)],
        ))[0]
            .tag;
        assert_eq!(tag.person_id.as_deref(), Some("t1"));
        assert_eq!(tag.band, Band::Accept, "{tag:?}");
        assert!(tag.evidence.iter().any(|e| e.feature == "name_order"));
        // The organisation alone does not corroborate a swapped name.
        let plain = "University Clinical Center Tuzla, Tuzla, Bosnia and Herzegovina.";
        let tags = tagger.tag(&publication(
            2019,
            vec![author(1, "Denijal", "Tulumović", plain)],
        ));
        assert!(tags.iter().all(|t| t.tag.band != Band::Accept), "{tags:?}");
        // "Owen, Thomas" is a name in its own right where an Owen is on the
        // roster: no swap to Owen Thomas.
        let medical_physics = "Medical Physics, University Hospital of Wales, Cardiff and Vale University Health Board, Cardiff";
        let tags = tagger.tag(&publication(
            2019,
            vec![author(1, "Owen", "Thomas", medical_physics)],
        ));
        assert!(
            tags.iter()
                .all(|t| t.tag.person_id.as_deref() != Some("w1")),
            "{tags:?}"
        );
    }

    #[test]
    fn an_orcid_decides_either_way() {
        let tagger = tagger();
        let mut wrong = author(1, "Price", "Owain", "Velindre Cancer Centre, Cardiff");
        wrong.orcid = Some("0000-0001-5109-3700".into());
        let tags = tagger.tag(&publication(2020, vec![wrong]));
        assert!(tags.iter().all(|t| t.tag.tier != Tier::Roster), "{tags:?}");
        let mut right = author(1, "Price", "O", "");
        right.affiliations.clear();
        right.orcid = Some("0000-0002-1825-0097".into());
        let tags = tagger.tag(&publication(2020, vec![right]));
        assert_eq!(tags[0].tag.score, 100);
        assert_eq!(tags[0].tag.person_id.as_deref(), Some("p3"));
    }

    #[test]
    fn off_roster_scientists_are_inferred_and_doctors_are_not() {
        let tagger = tagger();
        let record = publication(
            2022,
            vec![
                author(1, "Hughes", "Ann", "Clinical Biochemistry, University Hospital of Wales, Cardiff and Vale University Health Board, Cardiff"),
                author(2, "Morgan", "Rhys", "Consultant Physician, Department of Medicine, Morriston Hospital, Swansea Bay University Health Board"),
                author(3, "Lewis", "Eleri", "School of Medicine, Cardiff University, Cardiff"),
            ],
        );
        let tags = tagger.tag(&record);
        assert_eq!(tags.len(), 1, "{tags:?}");
        let inferred = &tags[0];
        assert_eq!(inferred.position, 1);
        assert_eq!(inferred.tag.tier, Tier::Inferred);
        assert_eq!(
            inferred.tag.band,
            Band::Review,
            "tier 2 is never counted as fact"
        );
        assert_eq!(
            inferred.tag.discipline.as_deref(),
            Some("Clinical biochemistry")
        );
        assert_eq!(
            inferred.tag.organisation.as_ref().unwrap().key.as_deref(),
            Some("7A4")
        );
        assert!(inferred.tag.score < tagger.bands.accept);
    }

    fn employment(
        orcid: &str,
        organisation: &str,
        role: &str,
        start: &str,
        end: Option<&str>,
    ) -> (String, Vec<hcs_model::records::Employment>) {
        let employment = hcs_model::records::Employment {
            organisation: organisation.into(),
            role_title: Some(role.into()),
            start: Some(start.into()),
            end: end.map(str::to_owned),
            ..Default::default()
        };
        (orcid.to_owned(), vec![employment])
    }

    #[test]
    fn orcid_employments_speak_for_past_employers_and_off_roster_scientists() {
        let mut tagger = tagger();
        let harvested = [
            // p3 worked at Cwm Taf before Velindre.
            employment(
                "0000-0002-1825-0097",
                "Cwm Taf University Health Board",
                "Clinical Scientist",
                "2012",
                Some("2018-06"),
            ),
            // Not on the roster: a clinical scientist at Hywel Dda.
            employment(
                "0000-0001-5109-3700",
                "Hywel Dda University Health Board",
                "Principal Clinical Scientist, Audiology",
                "2015-09",
                None,
            ),
        ];
        tagger.employments = employment::Employments::new(
            harvested.into_iter().collect(),
            &tagger.reference.gazetteer,
        );
        let record = publication(
            2016,
            vec![author(
                1,
                "Price",
                "O",
                "Royal Glamorgan Hospital, Cwm Taf University Health Board, Llantrisant",
            )],
        );
        let tags = tagger.tag(&record);
        let evidence = &tags[0].tag.evidence;
        assert!(
            evidence.iter().any(|e| e.feature == "orcid_employment"),
            "{evidence:?}"
        );
        assert_eq!(tags[0].tag.band, Band::Accept);
        let mut outside = author(1, "Rees", "Cerys", "Glangwili General Hospital, Carmarthen");
        outside.orcid = Some("0000-0001-5109-3700".into());
        let tags = tagger.tag(&publication(2019, vec![outside.clone()]));
        assert_eq!(tags.len(), 1, "{tags:?}");
        assert_eq!(tags[0].tag.tier, Tier::Inferred);
        assert_eq!(tags[0].tag.discipline.as_deref(), Some("Audiology"));
        assert_eq!(
            tags[0].tag.organisation.as_ref().unwrap().key.as_deref(),
            Some("7A2")
        );
        // Before the employment began, the ORCID record says nothing.
        assert!(tagger.tag(&publication(2012, vec![outside])).is_empty());
    }

    #[test]
    fn grant_people_carry_leadership_or_co_applicant_roles() {
        let tagger = tagger();
        let person = |family: &str, given: &str, role: &str| GrantPerson {
            family: Some(family.into()),
            given: Some(given.into()),
            role: role.into(),
            organisation: Some(Organisation {
                name: "Velindre University NHS Trust".into(),
                ..Organisation::default()
            }),
            ..GrantPerson::default()
        };
        let grant = Record::Grant(Box::new(hcs_model::records::Grant {
            id: "grant:nihr:NIHR1".into(),
            funder: "NIHR".into(),
            reference: "NIHR1".into(),
            start: Some("2021-04-01".into()),
            people: vec![
                person("Price", "Owain", "Chief Investigator"),
                person("Hughes", "Ann", "Co-Applicant"),
            ],
            ..hcs_model::records::Grant::default()
        }));
        let tags = tagger.tag(&grant);
        let price = tags.iter().find(|t| t.position == 1).unwrap();
        assert_eq!(price.tag.person_id.as_deref(), Some("p3"));
        assert_eq!(
            price.tag.role,
            model::Role::Grant {
                category: model::GrantRoleCategory::Leadership,
                published: "Chief Investigator".into()
            }
        );
        assert!(tags
            .iter()
            .all(|t| t.position != 2 || t.tag.tier == Tier::Inferred));
    }

    #[test]
    fn tier_two_carries_a_name_across_records_at_one_body_and_a_medical_title_takes_it_back() {
        let mut tagger =
            tagger_for("person_id,family,given,orcid,organisation,department,discipline\n");
        let with_id = |id: &str, authors| publication_as(id, 2020, authors);
        let records = vec![
            with_id(
                "pmid:1",
                vec![
                    author(1, "Moore", "Catherine", "Wales Specialist Virology Centre, Public Health Wales Microbiology, Cardiff"),
                    author(2, "Howe", "Robin", "Public Health Wales Microbiology, University Hospital of Wales, Cardiff"),
                    author(3, "Price", "Owain", "Public Health Wales Microbiology Cardiff"),
                    author(4, "Price", "Olwen", "Public Health Wales, Cardiff"),
                ],
            ),
            with_id(
                "pmid:2",
                vec![
                    author(1, "Moore", "C", "Public Health Wales, Cardiff, UK"),
                    author(2, "Howe", "Robin", "Consultant Microbiologist, Public Health Wales, Cardiff"),
                    author(3, "Moore", "Catherine", "Betsi Cadwaladr University Health Board, Bangor"),
                ],
            ),
            with_id("pmid:3", vec![author(1, "Price", "O", "Public Health Wales, Cardiff")]),
        ];
        let tags = tagger.tag_all(&records);
        let at =
            |record: usize, position: u32| tags[record].iter().find(|t| t.position == position);
        // The same name at the same body, saying less: a weaker possible.
        let carried = at(1, 1).expect("carried to the plainer affiliation");
        assert_eq!(carried.tag.tier, Tier::Inferred);
        assert!(carried.tag.score < at(0, 1).unwrap().tag.score);
        assert!(carried
            .tag
            .evidence
            .iter()
            .any(|e| e.feature == "same_name_elsewhere"));
        // Another body is not "there": nothing carries to Betsi Cadwaladr.
        assert!(at(1, 3).is_none());
        // A consultant microbiologist's title on one paper tells on the other.
        assert!(at(0, 2).is_none(), "{:?}", at(0, 2));
        // Owain and Olwen Price: "Price O" at the body is two people.
        assert!(at(0, 3).is_some());
        assert!(at(2, 1).is_none());
    }

    #[test]
    fn a_team_tagged_together_carries_to_a_byline_with_no_affiliation() {
        let mut tagger =
            tagger_for("person_id,family,given,orcid,organisation,department,discipline\n");
        let unit = "UK Cryptosporidium Reference Unit, Public Health Wales Microbiology, Singleton Hospital, Swansea, UK";
        let records = vec![
            publication_as(
                "pmid:1",
                2019,
                vec![
                    author(1, "Chalmers", "Rachel M", unit),
                    author(2, "Elwin", "Kristin", unit),
                ],
            ),
            publication_as(
                "pmid:2",
                2019,
                vec![
                    bare(1, "Chalmers", "R M"),
                    bare(2, "Elwin", "Kristin"),
                    bare(3, "Bryn", "Alun"),
                ],
            ),
            // One name with no place says nothing.
            publication_as(
                "pmid:3",
                2019,
                vec![bare(1, "Chalmers", "Rachel M"), bare(2, "Bryn", "Alun")],
            ),
            // Another first name is another person, and leaves a team of one.
            publication_as(
                "pmid:4",
                2019,
                vec![bare(1, "Chalmers", "Rachel M"), bare(2, "Elwin", "Karen")],
            ),
        ];
        let tags = tagger.tag_all(&records);
        let positions =
            |record: usize| -> Vec<u32> { tags[record].iter().map(|t| t.position).collect() };
        assert_eq!(positions(0), [1, 2]);
        assert_eq!(positions(1), [1, 2], "{:?}", tags[1]);
        let carried = &tags[1][0].tag;
        assert_eq!(
            carried.organisation.as_ref().unwrap().name,
            "Public Health Wales NHS Trust"
        );
        assert!(carried
            .evidence
            .iter()
            .any(|e| e.feature == "same_team_elsewhere"));
        assert!(tags[2].is_empty(), "{:?}", tags[2]);
        assert!(tags[3].is_empty(), "{:?}", tags[3]);
    }

    #[test]
    fn shared_coauthors_or_a_subject_carry_a_name_to_a_byline_with_no_affiliation() {
        let mut tagger =
            tagger_for("person_id,family,given,orcid,organisation,department,discipline\n");
        // Shaped on the UK influenza vaccine-effectiveness series in
        // fixtures/wales-demo (pmids 29113630, 91000022, 21148492).
        let unit = "Wales Specialist Virology Centre, Public Health Wales Microbiology, Cardiff";
        let titled = |id: &str, year, title: &str, authors| match publication_as(id, year, authors)
        {
            Record::Publication(mut publication) => {
                publication.title = title.into();
                Record::Publication(publication)
            }
            grant => grant,
        };
        let records = vec![
            titled(
                "pmid:1",
                2016,
                "End-of-season influenza vaccine effectiveness, 2016/17",
                vec![
                    author(1, "Moore", "Catherine", unit),
                    author(2, "Andrews", "Nick", "Public Health England, London"),
                    author(3, "Cottrell", "Simon", "Public Health Wales, Cardiff"),
                ],
            ),
            titled(
                "pmid:2",
                2017,
                "Interim influenza vaccine effectiveness, 2017/18",
                vec![
                    author(1, "Andrews", "Nick", "Public Health England, London"),
                    author(2, "Moore", "Catherine", unit),
                ],
            ),
            // Two co-authors of the name's records there.
            titled(
                "pmid:3",
                2018,
                "Vaccine uptake in primary care",
                vec![
                    bare(1, "Andrews", "N"),
                    bare(2, "Cottrell", "S"),
                    bare(3, "Moore", "C"),
                ],
            ),
            // A full first name and the name's recurring subject.
            titled(
                "pmid:4",
                2011,
                "Oseltamivir-resistant pandemic influenza in a haematology unit",
                vec![bare(1, "Moore", "Catherine"), bare(2, "Lackenby", "Angie")],
            ),
            // Initials and a subject: any "Moore C" writes on influenza.
            titled(
                "pmid:5",
                2016,
                "Influenza in care homes",
                vec![bare(1, "Lackenby", "Angie"), bare(2, "Moore", "C")],
            ),
            // The subject, but the record places its authors elsewhere.
            titled(
                "pmid:6",
                2016,
                "Influenza surveillance",
                vec![
                    author(
                        1,
                        "Smith",
                        "John",
                        "Harvard School of Public Health, Boston, USA",
                    ),
                    bare(2, "Moore", "Catherine"),
                ],
            ),
            // The co-authors, decades from the name's years there.
            titled(
                "pmid:7",
                1990,
                "Vaccine uptake",
                vec![
                    bare(1, "Andrews", "N"),
                    bare(2, "Cottrell", "S"),
                    bare(3, "Moore", "C"),
                ],
            ),
        ];
        let tags = tagger.tag_all(&records);
        let feature_at = |record: usize, position: u32| {
            let tag = &tags[record].iter().find(|t| t.position == position)?.tag;
            assert_eq!(
                tag.organisation.as_ref().unwrap().name,
                "Public Health Wales NHS Trust"
            );
            tag.evidence.last().map(|e| e.feature.clone())
        };
        assert_eq!(
            feature_at(0, 1).as_deref(),
            Some("department"),
            "{:?}",
            tags[0]
        );
        assert_eq!(
            feature_at(2, 3).as_deref(),
            Some("same_coauthors_elsewhere"),
            "{:?}",
            tags[2]
        );
        assert_eq!(
            feature_at(3, 1).as_deref(),
            Some("same_subject_elsewhere"),
            "{:?}",
            tags[3]
        );
        for record in [4, 5, 6] {
            assert!(
                tags[record].iter().all(|t| t
                    .tag
                    .evidence
                    .iter()
                    .all(|e| !e.feature.starts_with("same_"))),
                "pmid:{}: {:?}",
                record + 1,
                tags[record]
            );
        }
        // Only the bylines above get a tag: no co-author is carried along.
        assert!(tags[2].iter().all(|t| t.position == 3), "{:?}", tags[2]);
        assert!(tags[3].iter().all(|t| t.position == 1), "{:?}", tags[3]);
    }

    #[test]
    fn a_hospital_alone_carries_the_employer_the_name_has_there_elsewhere() {
        let mut tagger =
            tagger_for("person_id,family,given,orcid,organisation,department,discipline\n");
        // Real forms: the reference unit's address names its hospital, an
        // older paper prints only the hospital (pmid 15324544 and the CRU's
        // 2007 address in fixtures/wales-demo).
        let records = vec![
            publication_as(
                "pmid:1",
                2007,
                vec![author(1, "Chalmers", "Rachel M", "UK Cryptosporidium Reference Unit, NPHS Microbiology Swansea, Singleton Hospital, Swansea, UK")],
            ),
            publication_as(
                "pmid:2",
                2004,
                vec![
                    author(1, "Chalmers", "R M", "Singleton Hospital, Swansea, United Kingdom"),
                    author(2, "Jenkins", "Hywel", "Singleton Hospital, Swansea, United Kingdom"),
                ],
            ),
        ];
        let tags = tagger.tag_all(&records);
        let carried = tags[1]
            .iter()
            .find(|t| t.position == 1)
            .expect("carried to the hospital-only affiliation");
        let organisation = carried.tag.organisation.as_ref().unwrap();
        assert_eq!(
            organisation.name, "Public Health Wales NHS Trust",
            "the unit's employer, not the hospital's board"
        );
        assert_eq!(
            organisation.published.as_deref(),
            Some("Singleton Hospital")
        );
        assert!(carried
            .tag
            .evidence
            .iter()
            .any(|e| e.feature == "same_name_elsewhere"));
        // Another name at the hospital has nothing to carry.
        assert!(tags[1].iter().all(|t| t.position != 2), "{:?}", tags[1]);
    }
}
