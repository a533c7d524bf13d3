//! Tier 2 carried by a person's work: an author a record gives no
//! affiliation, whose name is a possible healthcare scientist at one body
//! elsewhere in the run, and whose co-authors or subject here are those of
//! that name's records there.
//!
//! Author-name disambiguation reads exactly these two things when the
//! address is missing: namesakes seldom share co-authors, and seldom write
//! on the same subject. A name alone carries nothing (see
//! [`super::carry_to_unaffiliated_teams`]); a name with several of the same
//! co-authors, or one co-author met on two of its records, is the same
//! person. A subject is weaker, so it carries only a full first name, and
//! only where the record places none of its authors outside NHS Wales.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::super::model::{Band, Evidence, PersonTag, SlotTag, Tier};
use super::super::names::GivenPart;
use super::super::slots::{RecordContext, Slot};
use super::super::topic::{self, TopicProfile};
use super::super::Tagger;
use super::{carried_tag, medical_on, same_first_name, Identity, Place, Sighting};

/// Distinct co-authors shared with a name's records at a body that make it
/// the same person there.
const SHARED_COAUTHORS: usize = 2;

/// Years either side of a name's tagged records at a body that its work
/// still places it there: people move, and a tag says "at the time".
const YEARS_AROUND: i32 = 5;

/// A co-author of a name's records at a body.
#[derive(Default)]
struct Coauthor {
    /// The records (by index) they share with the name there.
    records: HashSet<usize>,
    /// The full first names printed for them ("Kristin" and "Karen" Elwin are two people).
    first_names: HashSet<String>,
}

/// What a run's tier-2 tags say of one name at one body.
#[derive(Default)]
struct Work<'t> {
    /// Each co-author, by key.
    coauthors: HashMap<String, Coauthor>,
    /// The subjects of those records.
    topics: TopicProfile,
    /// First and last year of those records.
    years: Option<(i32, i32)>,
    /// The first tag there: its organisation and discipline carry.
    template: Option<&'t PersonTag>,
}

impl Work<'_> {
    /// How many of `others` (the record's other people) wrote with the name
    /// there on records other than `index`, and whether one of them did on
    /// two or more.
    fn shared_coauthors<'s>(
        &self,
        others: impl Iterator<Item = &'s Slot>,
        index: usize,
    ) -> (usize, bool) {
        let mut shared = 0;
        let mut repeated = false;
        for other in others {
            let Some(known) = self.coauthors.get(&other.name.coauthor_key()) else {
                continue;
            };
            if let Some(GivenPart::Full(first)) = other.name.given.first() {
                if !known.first_names.is_empty() && !known.first_names.contains(first) {
                    continue;
                }
            }
            let others = known.records.iter().filter(|&&i| i != index).count();
            if others > 0 {
                shared += 1;
                repeated |= others >= 2;
            }
        }
        (shared, repeated)
    }

    /// True unless the record's year is far from the name's years there.
    fn in_years(&self, context: &RecordContext<'_>) -> bool {
        match (self.years, context.date) {
            (Some((first, last)), Some(date)) => {
                let year = date.start.year();
                year >= first - YEARS_AROUND && year <= last + YEARS_AROUND
            }
            _ => true,
        }
    }
}

/// Carries tier 2 to unaffiliated authors by shared co-authors or subject
/// (see the module docs); reads the tags the other carries left.
pub(super) fn carry_by_shared_work(
    tagger: &Tagger,
    contexts: &[RecordContext<'_>],
    tags: &mut [Vec<SlotTag>],
    seen: &HashMap<Identity, Sighting>,
) {
    let found = {
        let works = works(contexts, tags, seen);
        let mut found: Vec<(usize, SlotTag)> = Vec::new();
        for (index, context) in contexts.iter().enumerate() {
            for slot in &context.slots {
                let key = slot.name.coauthor_key();
                let Some(at) = works.get(key.as_str()) else {
                    continue;
                };
                if !slot.affiliations.is_empty()
                    || tags[index].iter().any(|t| t.position == slot.position)
                    || medical_on(tagger, slot).is_some()
                    || tagger
                        .decisions
                        .on_inferred(context.record_id, slot.position, &key)
                        .is_some()
                {
                    continue;
                }
                if let Some(tag) = carried(tagger, context, index, slot, at, seen) {
                    found.push((index, tag));
                }
            }
        }
        found
    };
    for (index, tag) in found {
        tags[index].push(tag);
        tags[index].sort_by_key(|t| t.position);
    }
}

/// Each name's work at each body where it is one possible healthcare
/// scientist, by name key, then organisation key (ordered, so the first
/// body that qualifies is the same in every run).
fn works<'t>(
    contexts: &[RecordContext<'_>],
    tags: &'t [Vec<SlotTag>],
    seen: &HashMap<Identity, Sighting>,
) -> HashMap<String, BTreeMap<String, Work<'t>>> {
    let mut works: HashMap<String, BTreeMap<String, Work<'t>>> = HashMap::new();
    for (index, context) in contexts.iter().enumerate() {
        for slot_tag in &tags[index] {
            let tag = &slot_tag.tag;
            if tag.tier != Tier::Inferred || tag.band == Band::Reject {
                continue;
            }
            let (Some(slot), Some(key)) = (
                context
                    .slots
                    .iter()
                    .find(|s| s.position == slot_tag.position),
                tag.organisation.as_ref().and_then(|o| o.key.clone()),
            ) else {
                continue;
            };
            let name = slot.name.coauthor_key();
            let identity = (name.clone(), Place::Organisation(key.clone()));
            if !seen.get(&identity).is_some_and(Sighting::one_scientist) {
                continue;
            }
            let work = works.entry(name).or_default().entry(key).or_default();
            work.template.get_or_insert(tag);
            for other in context.slots.iter().filter(|o| o.position != slot.position) {
                let coauthor = work.coauthors.entry(other.name.coauthor_key()).or_default();
                coauthor.records.insert(index);
                if let Some(GivenPart::Full(first)) = other.name.given.first() {
                    coauthor.first_names.insert(first.clone());
                }
            }
            work.topics
                .add(context.record_id, &topic::Subjects::of(context.title));
            if let Some(date) = context.date {
                let year = date.start.year();
                work.years = Some(match work.years {
                    Some((first, last)) => (first.min(year), last.max(year)),
                    None => (year, year),
                });
            }
        }
    }
    works
}

/// The tag `slot` gets from its name's work at the first body whose
/// co-authors (or, for a full first name, subject) the record shares.
fn carried(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    index: usize,
    slot: &Slot,
    at: &BTreeMap<String, Work<'_>>,
    seen: &HashMap<Identity, Sighting>,
) -> Option<SlotTag> {
    let key = slot.name.coauthor_key();
    let title = topic::Subjects::of(context.title);
    let full_first_name = matches!(slot.name.given.first(), Some(GivenPart::Full(_)));
    // A subject says less than co-authors: not where the record puts its
    // authors somewhere outside NHS Wales.
    let placed_elsewhere = {
        let mut printed = context
            .slots
            .iter()
            .flat_map(|s| &s.affiliations)
            .peekable();
        printed.peek().is_some() && printed.all(|a| a.organisations.is_empty())
    };
    at.iter().find_map(|(organisation_key, work)| {
        let sighting = seen.get(&(key.clone(), Place::Organisation(organisation_key.clone())))?;
        if !same_first_name(slot, sighting) || !work.in_years(context) {
            return None;
        }
        let template = work.template?;
        let organisation = template.organisation.clone()?;
        let others = context.slots.iter().filter(|other| other.position != slot.position);
        let (shared, repeated) = work.shared_coauthors(others, index);
        let evidence = if shared >= SHARED_COAUTHORS || repeated {
            Evidence {
                feature: "same_coauthors_elsewhere".into(),
                value: format!(
                    "no affiliation here; {shared} co-author(s) here also wrote with this name as a possible healthcare scientist of {} on other records",
                    organisation.name
                ),
                points: 0.0,
            }
        } else {
            let subjects = work.topics.recurring_in(&title, context.record_id);
            if !full_first_name || placed_elsewhere || subjects.is_empty() {
                return None;
            }
            Evidence {
                feature: "same_subject_elsewhere".into(),
                value: format!(
                    "no affiliation here; the title shares subjects of this name's records as a possible healthcare scientist of {}: {}",
                    organisation.name,
                    topic::describe(&subjects)
                ),
                points: 0.0,
            }
        };
        let mut organisation = organisation;
        organisation.published = None;
        Some(carried_tag(tagger, slot, template, organisation, vec![evidence]))
    })
}
