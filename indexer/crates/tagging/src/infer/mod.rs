//! Tier 2: people not on the roster who are *possibly* healthcare
//! scientists, from their published affiliation alone.
//!
//! It takes an NHS Wales organisation and a healthcare-science department or
//! title in the same affiliation. Medical evidence (a medical degree or a
//! consultant physician's title) counts against, and a university named in
//! the same string weakens it. Scores stay below the accept band: tier 2 is
//! reported apart from tier 1, never counted as fact.

use std::collections::{HashMap, HashSet};

use super::gazetteer::OrganisationMatch;
use super::model::{score_of, Band, Evidence, PersonTag, SlotTag, TaggedOrganisation, Tier};
use super::names::GivenPart;
use super::rules::{PhraseKind, RuleHit};
use super::slots::{Affiliation, RecordContext, Slot};
use super::{DateSpan, Tagger};

mod shared_work;

/// Log-odds with an NHS Wales organisation and a department phrase.
const BASE: f64 = -0.4;
/// Tier-2 scores stay below tier 1's accept line: a guess is never counted as fact.
fn ceiling(tagger: &Tagger, points: f64) -> u8 {
    score_of(points).min(tagger.bands.accept.saturating_sub(1))
}

/// Review when the score reaches the review line, else reject (not shown).
fn band(tagger: &Tagger, score: u8) -> Band {
    match tagger.bands.of(score) {
        Band::Reject => Band::Reject,
        _ => Band::Review,
    }
}

/// A slot a curator accepted as a healthcare scientist: the inferred tag
/// when there is one, else a bare one; counted from now on.
pub(crate) fn accepted_by_curator(slot: &Slot, inferred: Option<PersonTag>) -> PersonTag {
    let mut tag = inferred.unwrap_or_else(|| PersonTag {
        tier: Tier::Inferred,
        person_id: None,
        discipline: None,
        division: None,
        organisation: None,
        role: slot.role.clone(),
        band: Band::Accept,
        score: 100,
        evidence: Vec::new(),
        curated: None,
    });
    tag.band = Band::Accept;
    tag.score = 100;
    tag.curated = Some("accepted".to_owned());
    tag.evidence.push(Evidence {
        feature: "curator".into(),
        value: "accepted as a healthcare scientist".into(),
        points: 0.0,
    });
    tag
}

/// An affiliation that could support a tier-2 tag, with what it names.
struct Candidate<'a> {
    /// Higher is better: a discipline named, an organisation named.
    rank: u8,
    affiliation: &'a Affiliation,
    organisation: Option<&'a OrganisationMatch>,
    hit: Option<RuleHit>,
    generic: Option<&'a str>,
}

/// The tier-2 tag for a slot, when its affiliation supports one.
pub(crate) fn infer(tagger: &Tagger, slot: &Slot, date: Option<DateSpan>) -> Option<PersonTag> {
    let rules = &tagger.reference.rules;
    let gazetteer = &tagger.reference.gazetteer;
    // The affiliation that names both an NHS Wales organisation and a
    // healthcare-science department or title; a discipline-specific one first.
    let mut best: Option<Candidate<'_>> = None;
    for affiliation in &slot.affiliations {
        let organisation = affiliation.organisations.first();
        let nhs = organisation.is_some() || gazetteer.names_nhs_wales(&affiliation.text);
        if !nhs {
            continue;
        }
        // Only a hospital named, and a university: a university department
        // housed in the hospital, not an NHS service.
        if organisation.is_some_and(|found| gazetteer.university_employs(found, &affiliation.text))
        {
            continue;
        }
        let hit = rules.find(&affiliation.words);
        let generic = rules.generic_title(&affiliation.words);
        if hit.is_none() && generic.is_none() {
            continue;
        }
        let rank = u8::from(hit.as_ref().is_some_and(|h| h.discipline.is_some()))
            + u8::from(organisation.is_some());
        if best.as_ref().is_none_or(|b| rank > b.rank) {
            best = Some(Candidate {
                rank,
                affiliation,
                organisation,
                hit,
                generic,
            });
        }
    }
    let Some(Candidate {
        affiliation,
        organisation,
        hit,
        generic,
        ..
    }) = best
    else {
        return from_employment(tagger, slot, date);
    };
    let mut points = BASE;
    let mut evidence = vec![];
    let mut add = |feature: &str, value: String, weight: f64| {
        points += weight;
        evidence.push(Evidence {
            feature: feature.to_owned(),
            value,
            points: weight,
        });
    };
    add(
        "base",
        "not on the roster: inferred from the affiliation".into(),
        BASE,
    );
    match organisation {
        Some(found) => add(
            "organisation",
            format!("affiliation names {}", found.phrase),
            0.0,
        ),
        None => add(
            "organisation",
            "affiliation says NHS Wales, no organisation".into(),
            -0.5,
        ),
    }
    if let Some(hit) = &hit {
        let (feature, weight) = match (&hit.discipline, hit.kind) {
            (_, PhraseKind::Title) => ("title", 1.2),
            (Some(_), _) => ("department", 0.6),
            (None, _) => ("department", 0.2),
        };
        add(feature, format!("affiliation names {}", hit.phrase), weight);
    }
    // A discipline's own title ("Clinical Scientist (Audiology)") already counted.
    let titled = hit.as_ref().is_some_and(|h| h.kind == PhraseKind::Title);
    if let (Some(title), false) = (generic, titled) {
        add("title", format!("affiliation names the title {title}"), 1.2);
    }
    // Degrees only after a name ("MD" in an affiliation is Maryland); titles
    // anywhere, unless a healthcare-science title holds them ("Honorary
    // Consultant Clinical Scientist" is a scientist).
    let medical = medical_evidence(tagger, slot).filter(|_| generic.is_none() && !titled);
    if let Some(medical) = medical {
        add(
            "medical",
            format!("medical title or degree: {medical}"),
            -2.5,
        );
    }
    if gazetteer.names_non_nhs(&affiliation.text) {
        add(
            "university",
            "the same affiliation names a university".into(),
            -0.5,
        );
    }
    let organisation = organisation.map(OrganisationMatch::tagged);
    Some(inferred_tag(
        tagger,
        slot,
        hit.as_ref(),
        organisation,
        points,
        evidence,
    ))
}

/// Tier 2 from the author's own ORCID record: a healthcare-science role at an
/// NHS Wales organisation on the record's date, when the byline says less.
fn from_employment(tagger: &Tagger, slot: &Slot, date: Option<DateSpan>) -> Option<PersonTag> {
    let (orcid, date) = (slot.orcid.as_deref()?, date?);
    let rules = &tagger.reference.rules;
    let (spell, key, hit) = tagger.employments.of(orcid).iter().find_map(|spell| {
        let key = spell.organisation_key.as_ref()?;
        let hit = rules.find(&spell.role_words);
        let generic = rules.generic_title(&spell.role_words);
        (spell.covers(date) && (hit.is_some() || generic.is_some())).then_some((spell, key, hit))
    })?;
    let organisation = tagger.reference.gazetteer.by_key(key)?;
    let mut evidence = vec![Evidence {
        feature: "base".into(),
        value: "not on the roster: inferred from the author's ORCID employment".into(),
        points: BASE,
    }];
    let mut points = BASE + 1.2;
    evidence.push(Evidence {
        feature: "orcid_employment".into(),
        value: format!(
            "{} at {}, on the ORCID record at the time",
            spell.role, spell.organisation
        ),
        points: 1.2,
    });
    if let Some(medical) = rules.medical_title(&spell.role) {
        points -= 2.5;
        evidence.push(Evidence {
            feature: "medical".into(),
            value: format!("medical title: {medical}"),
            points: -2.5,
        });
    }
    let organisation = TaggedOrganisation {
        key: Some(organisation.key.clone()),
        name: organisation.name.clone(),
        published: None,
    };
    Some(inferred_tag(
        tagger,
        slot,
        hit.as_ref(),
        Some(organisation),
        points,
        evidence,
    ))
}

/// A tier-2 tag from summed evidence: scored below the accept line.
fn inferred_tag(
    tagger: &Tagger,
    slot: &Slot,
    hit: Option<&RuleHit>,
    organisation: Option<TaggedOrganisation>,
    points: f64,
    evidence: Vec<Evidence>,
) -> PersonTag {
    let score = ceiling(tagger, points);
    PersonTag {
        tier: Tier::Inferred,
        person_id: None,
        discipline: hit.and_then(|h| h.discipline.clone()),
        division: hit.map(|h| h.division.clone()),
        organisation,
        role: slot.role.clone(),
        band: band(tagger, score),
        score,
        evidence,
        curated: None,
    }
}

/// A medical degree after the name, or a medical title in the name or any
/// affiliation ("MD" in an affiliation is Maryland, so degrees only there).
fn medical_evidence<'t>(tagger: &'t Tagger, slot: &Slot) -> Option<&'t str> {
    let rules = &tagger.reference.rules;
    rules.medical_degree(&slot.display_name).or_else(|| {
        std::iter::once(slot.display_name.as_str())
            .chain(slot.affiliations.iter().map(|a| a.text.as_str()))
            .find_map(|text| rules.medical_title(text))
    })
}

/// [`medical_evidence`], unless a healthcare-science title in any of the
/// slot's affiliations outweighs it.
fn medical_on(tagger: &Tagger, slot: &Slot) -> Option<String> {
    let rules = &tagger.reference.rules;
    let scientist = slot.affiliations.iter().any(|affiliation| {
        rules.generic_title(&affiliation.words).is_some()
            || rules
                .find(&affiliation.words)
                .is_some_and(|hit| hit.kind == PhraseKind::Title)
    });
    if scientist {
        return None;
    }
    medical_evidence(tagger, slot).map(str::to_owned)
}

/// What one run's records say of a name at an NHS Wales organisation.
#[derive(Default)]
struct Sighting {
    /// Records where the name there has a tier-2 tag (ascending: records are
    /// read in order), with the first such tag.
    tagged: Vec<usize>,
    template: Option<PersonTag>,
    /// Full first names written with it ("Sian", "Sarah": two people).
    first_names: HashSet<String>,
    /// A medical title or degree with it on some record, as printed.
    medical: Option<String>,
}

impl Sighting {
    /// True when the name there is one person: one first name written with
    /// it, and no medical title or degree.
    fn one_scientist(&self) -> bool {
        self.medical.is_none() && self.first_names.len() <= 1
    }
}

/// Where a name was seen: an organisation, or a hospital of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Place {
    /// The organisation's key.
    Organisation(String),
    /// A hospital's gazetteer phrase: staff of several bodies work there,
    /// so the employer comes from the tag the name has there elsewhere.
    Site(String),
}

/// Family name and first initial, and where.
type Identity = (String, Place);

/// Carries tier 2 across a run's records by name and organisation.
///
/// One affiliation often says more than another by the same person at the
/// same body ("Wales Specialist Virology Centre, Public Health Wales" on one
/// paper, "Public Health Wales, Cardiff" on the next), and a consultant's
/// title printed once tells on every paper. So a name at an organisation
/// tagged on some record is a weaker possible elsewhere there, and one with
/// medical evidence anywhere there loses its tags. Two full first names for
/// one family name and initial at one body are two people: nothing carries.
pub(crate) fn across_records(
    tagger: &Tagger,
    contexts: &[RecordContext<'_>],
    tags: &mut [Vec<SlotTag>],
) {
    let seen = sightings(tagger, contexts, tags);
    for (index, context) in contexts.iter().enumerate() {
        for slot in &context.slots {
            let identities: Vec<Identity> = organisation_keys(slot)
                .map(|key| {
                    (
                        slot.name.coauthor_key(),
                        Place::Organisation(key.to_owned()),
                    )
                })
                .collect();
            let place = tags[index]
                .iter()
                .position(|t| t.position == slot.position && t.tag.band != Band::Reject);
            match place {
                Some(at) => {
                    take_back_if_medical(tagger, &seen, &identities, &mut tags[index][at].tag)
                }
                None => {
                    if let Some(carried) =
                        carry_to(tagger, context, index, slot, &identities, &seen)
                    {
                        tags[index].push(carried);
                        tags[index].sort_by_key(|t| t.position);
                    }
                }
            }
        }
    }
    carry_to_unaffiliated_teams(tagger, contexts, tags, &seen);
    shared_work::carry_by_shared_work(tagger, contexts, tags, &seen);
    // A tag the medical evidence took below the review line is not shown.
    for record in tags.iter_mut() {
        record.retain(|t| t.tag.tier != Tier::Inferred || t.tag.band != Band::Reject);
    }
}

/// What the run's records say of each name at each organisation and hospital.
fn sightings(
    tagger: &Tagger,
    contexts: &[RecordContext<'_>],
    tags: &[Vec<SlotTag>],
) -> HashMap<Identity, Sighting> {
    let mut seen: HashMap<Identity, Sighting> = HashMap::new();
    for (index, context) in contexts.iter().enumerate() {
        for slot in &context.slots {
            // Most authors name no NHS Wales body: nothing to read for them.
            if organisation_keys(slot).next().is_none() {
                continue;
            }
            let medical = medical_on(tagger, slot);
            let tag = tags[index]
                .iter()
                .find(|t| t.position == slot.position && t.tag.band != Band::Reject)
                .map(|t| &t.tag)
                .filter(|tag| tag.tier == Tier::Inferred && tag.curated.is_none());
            let places = organisation_keys(slot)
                .map(|key| Place::Organisation(key.to_owned()))
                .chain(site_phrases(slot, false).map(|site| Place::Site(site.to_owned())));
            for place in places {
                let inferred_here = tag.filter(|tag| match &place {
                    Place::Organisation(key) => {
                        tag.organisation.as_ref().and_then(|o| o.key.as_deref())
                            == Some(key.as_str())
                    }
                    Place::Site(_) => true,
                });
                let sighting = seen.entry((slot.name.coauthor_key(), place)).or_default();
                if let Some(GivenPart::Full(first)) = slot.name.given.first() {
                    sighting.first_names.insert(first.clone());
                }
                if sighting.medical.is_none() {
                    sighting.medical.clone_from(&medical);
                }
                if let Some(tag) = inferred_here {
                    sighting.tagged.push(index);
                    sighting.template.get_or_insert_with(|| tag.clone());
                }
            }
        }
    }
    seen
}

/// Lowers a tier-2 tag whose name has a medical title or degree at the same
/// body on another record (a consultant's title printed once tells on every paper).
fn take_back_if_medical(
    tagger: &Tagger,
    seen: &HashMap<Identity, Sighting>,
    identities: &[Identity],
    tag: &mut PersonTag,
) {
    if tag.tier != Tier::Inferred || tag.curated.is_some() {
        return;
    }
    let elsewhere = identities.iter().find_map(|identity| {
        seen.get(identity)
            .filter(|s| s.first_names.len() <= 1)
            .and_then(|s| s.medical.clone())
    });
    if let (Some(medical), true) = (
        elsewhere,
        tag.evidence.iter().all(|e| e.feature != "medical"),
    ) {
        tag.evidence.push(Evidence {
            feature: "medical".into(),
            value: format!(
                "the same name there has a medical title or degree on another record: {medical}"
            ),
            points: -2.5,
        });
        let points: f64 = tag.evidence.iter().map(|e| e.points).sum();
        tag.score = ceiling(tagger, points);
        tag.band = band(tagger, tag.score);
    }
}

/// The weaker possible an untagged `slot` gets from its name's tag at the
/// body it names (or, where it names only a hospital, at that hospital) on
/// other records of the run.
fn carry_to(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    index: usize,
    slot: &Slot,
    identities: &[Identity],
    seen: &HashMap<Identity, Sighting>,
) -> Option<SlotTag> {
    let verdict =
        tagger
            .decisions
            .on_inferred(context.record_id, slot.position, &slot.name.coauthor_key());
    if verdict.is_some() {
        return None;
    }
    // Where only a hospital is named, the name's tag at that hospital
    // elsewhere says who employs it.
    let at_site = site_phrases(slot, true)
        .map(|site| (slot.name.coauthor_key(), Place::Site(site.to_owned())));
    let (identity, others, template) =
        identities
            .iter()
            .cloned()
            .chain(at_site)
            .find_map(|identity| {
                let sighting = seen.get(&identity)?;
                let others = sighting.tagged.iter().filter(|&&i| i != index).count();
                (others > 0 && sighting.one_scientist()).then_some((
                    identity,
                    others,
                    sighting.template.as_ref()?,
                ))
            })?;
    let (phrase, organisation) = match &identity.1 {
        Place::Organisation(key) => {
            let found = slot
                .affiliations
                .iter()
                .flat_map(|a| a.organisations.first())
                .find(|o| &o.key == key)?;
            (found.phrase.clone(), found.tagged())
        }
        Place::Site(site) => {
            let mut organisation = template.organisation.clone()?;
            organisation.published = Some(site.clone());
            (site.clone(), organisation)
        }
    };
    let evidence = vec![
        Evidence {
            feature: "organisation".into(),
            value: format!("affiliation names {phrase}"),
            points: 0.0,
        },
        Evidence {
            feature: "same_name_elsewhere".into(),
            value: format!(
                "the same name at {phrase} is a possible healthcare scientist of {} on {others} other record(s)",
                organisation.name
            ),
            points: 0.0,
        },
    ];
    Some(carried_tag(tagger, slot, template, organisation, evidence))
}

/// Carries tier 2 to authors a record gives no affiliation at all, when
/// two or more of them are names tagged together at one organisation on
/// another record of the run.
///
/// One name with no place says nothing: namesakes abound. But a team —
/// two or more names that were possible healthcare scientists at one body
/// on the same paper — turning up together again is joint evidence that
/// neither name gives alone, as two roster colleagues on one byline are in
/// tier 1. Each sighting must be one person (one first name there, no
/// medical title there), and a full first name here must be that one.
fn carry_to_unaffiliated_teams(
    tagger: &Tagger,
    contexts: &[RecordContext<'_>],
    tags: &mut [Vec<SlotTag>],
    seen: &HashMap<Identity, Sighting>,
) {
    // Organisations where each name key is one possible healthcare scientist.
    let mut places: HashMap<&str, Vec<(&String, &Sighting)>> = HashMap::new();
    for ((name, place), sighting) in seen {
        if let (Place::Organisation(key), false) = (place, sighting.tagged.is_empty()) {
            if sighting.one_scientist() {
                places
                    .entry(name.as_str())
                    .or_default()
                    .push((key, sighting));
            }
        }
    }
    // The same answer whatever the map's order.
    for list in places.values_mut() {
        list.sort_by(|a, b| a.0.cmp(b.0));
    }
    for (index, context) in contexts.iter().enumerate() {
        let bare: Vec<(&Slot, String)> = context
            .slots
            .iter()
            .filter(|slot| slot.affiliations.is_empty())
            .filter(|slot| tags[index].iter().all(|t| t.position != slot.position))
            .map(|slot| (slot, slot.name.coauthor_key()))
            .filter(|(_, key)| places.contains_key(key.as_str()))
            .collect();
        if bare.len() < 2 {
            continue;
        }
        // For each bare author, a place and a co-author here tagged with them there.
        let mut carried: Vec<(usize, &Sighting, usize)> = Vec::new();
        for (at, (slot, key)) in bare.iter().enumerate() {
            let found = places[key.as_str()].iter().find_map(|(place, sighting)| {
                if !same_first_name(slot, sighting) {
                    return None;
                }
                let team = bare
                    .iter()
                    .enumerate()
                    .filter(|(other, _)| *other != at)
                    .filter(|(_, (other, other_key))| {
                        places[other_key.as_str()].iter().any(|(p, s)| {
                            p == place
                                && same_first_name(other, s)
                                && s.tagged.iter().any(|i| {
                                    *i != index && sighting.tagged.binary_search(i).is_ok()
                                })
                        })
                    })
                    .count();
                (team > 0).then_some((at, *sighting, team))
            });
            carried.extend(found);
        }
        for (at, sighting, team) in carried {
            let slot = bare[at].0;
            let Some(template) = &sighting.template else {
                continue;
            };
            let Some(mut organisation) = template.organisation.clone() else {
                continue;
            };
            if tagger
                .decisions
                .on_inferred(context.record_id, slot.position, &bare[at].1)
                .is_some()
            {
                continue;
            }
            organisation.published = None;
            let evidence = vec![Evidence {
                feature: "same_team_elsewhere".into(),
                value: format!(
                    "no affiliation here; with {team} co-author(s) here, a possible healthcare scientist of {} on other records",
                    organisation.name
                ),
                points: 0.0,
            }];
            tags[index].push(carried_tag(tagger, slot, template, organisation, evidence));
        }
        tags[index].sort_by_key(|t| t.position);
    }
}

/// A tier-2 tag carried to `slot` from the name's tag `template` on other
/// records: the base, then `evidence` saying why, at the template's discipline.
fn carried_tag(
    tagger: &Tagger,
    slot: &Slot,
    template: &PersonTag,
    organisation: TaggedOrganisation,
    evidence: Vec<Evidence>,
) -> SlotTag {
    let base = Evidence {
        feature: "base".into(),
        value: "not on the roster: carried from other records".into(),
        points: BASE,
    };
    let evidence = std::iter::once(base).chain(evidence).collect();
    let mut tag = inferred_tag(tagger, slot, None, Some(organisation), BASE, evidence);
    tag.discipline.clone_from(&template.discipline);
    tag.division.clone_from(&template.division);
    SlotTag {
        position: slot.position,
        tag,
    }
}

/// True unless the slot's full first name differs from the one written with the sighting.
fn same_first_name(slot: &Slot, sighting: &Sighting) -> bool {
    match slot.name.given.first() {
        Some(GivenPart::Full(first)) => {
            sighting.first_names.is_empty() || sighting.first_names.contains(first)
        }
        _ => true,
    }
}

/// The hospitals the slot's affiliations name; with `alone`, only in
/// affiliations that name no employer beside them (nor a university).
fn site_phrases(slot: &Slot, alone: bool) -> impl Iterator<Item = &str> {
    slot.affiliations
        .iter()
        .filter(move |affiliation| {
            !alone
                || affiliation
                    .organisations
                    .first()
                    .is_some_and(|first| first.via_site)
        })
        .flat_map(|affiliation| affiliation.organisations.iter())
        .filter(|found| found.via_site)
        .map(|found| found.phrase.as_str())
}

/// The NHS Wales organisations the slot's affiliations name first.
fn organisation_keys(slot: &Slot) -> impl Iterator<Item = &str> {
    slot.affiliations
        .iter()
        .filter_map(|affiliation| affiliation.organisations.first())
        .map(|found| found.key.as_str())
}
