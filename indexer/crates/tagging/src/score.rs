//! Tier 1: matching the people on a record to the roster, ReCiter-style.
//!
//! Candidates come from the name (family name and its parts, with every
//! roster variant), the ORCID iD and curators' accepts. Each candidate pair
//! is scored by named evidence summed as log-odds points on a prior that a
//! bare name match is unlikely to be the person; 100 × logistic(points) is
//! the score. ORCID decides either way. A person is given to at most one
//! slot per record, and a slot to at most one person, strongest pairs first;
//! a second pass adds co-authors the first pass accepted.

use std::collections::HashSet;

use time::Date;

use super::dates::{after_years, DateSpan, PUBLICATION_LAG_YEARS};
use super::employment::EmploymentSpell;
use super::model::{score_of, Band, Evidence, PersonTag, Role, SlotTag, TaggedOrganisation, Tier};
use super::names::{FamilyMatch, GivenMatch, NameAgreement};
use super::roster::RosterPerson;
use super::slots::{RecordContext, Slot};
use super::text::{contains_words, has_all_words};
use super::topic;
use super::{Tagger, Verdict};

/// Log-odds before any evidence: a bare name match is the person about one time in eight.
const PRIOR: f64 = -2.0;
/// Points that make a decisive feature decide (score 100).
const DECISIVE: f64 = 12.0;
/// A runner-up within this many points makes the best candidate ambiguous.
const AMBIGUITY_MARGIN: f64 = 1.0;
/// The least an ambiguous best candidate loses, even when already under review.
const AMBIGUITY_PENALTY: f64 = -1.5;
/// Words of a department name that say nothing about which department.
const DEPARTMENT_NOISE: [&str; 14] = [
    "department",
    "dept",
    "of",
    "the",
    "and",
    "for",
    "unit",
    "service",
    "services",
    "division",
    "directorate",
    "laboratory",
    "laboratories",
    "section",
];

/// Words of organisation names that say what kind of body, not which one.
const GENERIC_ORGANISATION_WORDS: [&str; 25] = [
    "nhs",
    "university",
    "hospital",
    "hospitals",
    "institute",
    "national",
    "department",
    "school",
    "faculty",
    "college",
    "trust",
    "foundation",
    "health",
    "board",
    "medical",
    "sciences",
    "science",
    "centre",
    "center",
    "clinic",
    "clinical",
    "research",
    "cancer",
    "general",
    "royal",
];

/// Another slot's first-pass match, as evidence for this one: accepted, or
/// only named (review band, unambiguous).
#[derive(Debug, Clone, Copy)]
struct Coauthor<'r> {
    slot: usize,
    person: &'r RosterPerson,
    accepted: bool,
}

/// One scored (slot, roster person) pair.
#[derive(Debug, Clone)]
struct Pair<'r> {
    slot: usize,
    person: &'r RosterPerson,
    points: f64,
    evidence: Vec<Evidence>,
    organisation: Option<TaggedOrganisation>,
    curated: bool,
}

impl Pair<'_> {
    fn add(&mut self, feature: &str, value: impl Into<String>, points: f64) {
        self.points += points;
        self.evidence.push(Evidence {
            feature: feature.to_owned(),
            value: value.into(),
            points,
        });
    }

    /// True when this first-pass pair may speak for a colleague's match on
    /// the same byline though not accepted itself: in review, the only
    /// roster person fitting its name, and nothing in the record against it.
    /// Two colleagues' names together on one byline is joint evidence that
    /// neither name alone gives: namesakes seldom publish with namesakes.
    fn names_colleague(&self, tagger: &Tagger) -> bool {
        score_of(self.points) >= tagger.bands.review
            && self
                .evidence
                .iter()
                .all(|e| e.points >= 0.0 || matches!(e.feature.as_str(), "prior" | "given_name"))
    }

    /// True when this pair has identity evidence the other lacks (its
    /// roster department named, an iD, an address, shared co-authors):
    /// then a close score is not a tie of two equally likely people.
    fn separated_from(&self, other: &Pair<'_>) -> bool {
        let has = |pair: &Pair<'_>, feature: &str| {
            pair.evidence
                .iter()
                .any(|e| e.points > 0.0 && e.feature == feature)
        };
        SEPARATING
            .iter()
            .any(|feature| has(self, feature) && !has(other, feature))
    }
}

/// Log-odds a colleague's unaccepted name match adds: less than an accepted
/// one, and never enough to lift a weak name's cap (it does not corroborate).
const COLLEAGUE_NAMED: f64 = 0.8;

/// Evidence about the person rather than the name: what tells two namesakes apart.
const SEPARATING: [&str; 8] = [
    "orcid",
    "roster_post",
    "email",
    "department",
    "coauthor_network",
    "topic",
    "grant",
    "orcid_employment",
];

/// Tier-1 tags (accept and review bands) for every slot of the record.
pub(crate) fn tag_roster(tagger: &Tagger, context: &RecordContext<'_>) -> Vec<SlotTag> {
    if tagger.roster.is_empty() && tagger.decisions.is_empty() {
        return Vec::new();
    }
    let subjects = topic::Subjects::of(context.title);
    let first = assign(tagger, context, score_all(tagger, context, &subjects, &[]));
    let coauthors: Vec<Coauthor<'_>> = first
        .iter()
        .filter_map(|pair| {
            let accepted = pair.curated || tagger.bands.of(score_of(pair.points)) == Band::Accept;
            (accepted || pair.names_colleague(tagger)).then_some(Coauthor {
                slot: pair.slot,
                person: pair.person,
                accepted,
            })
        })
        .collect();
    let pairs = if coauthors.is_empty() {
        first
    } else {
        assign(
            tagger,
            context,
            score_all(tagger, context, &subjects, &coauthors),
        )
    };
    pairs
        .into_iter()
        .filter_map(|pair| {
            let slot = &context.slots[pair.slot];
            let score = score_of(pair.points);
            let band = if pair.curated {
                Band::Accept
            } else {
                tagger.bands.of(score)
            };
            (band != Band::Reject || tagger.keep_rejected).then(|| SlotTag {
                position: slot.position,
                tag: PersonTag {
                    tier: Tier::Roster,
                    person_id: Some(pair.person.person_id.clone()),
                    discipline: pair.person.discipline.as_ref().map(|d| d.name.clone()),
                    division: pair.person.division.clone(),
                    organisation: pair.organisation,
                    role: slot.role.clone(),
                    band,
                    score: if pair.curated { 100 } else { score },
                    evidence: pair.evidence,
                    curated: pair.curated.then(|| "accepted".to_owned()),
                },
            })
        })
        .collect()
}

/// Scores every candidate pair of the record.
fn score_all<'r>(
    tagger: &'r Tagger,
    context: &RecordContext<'_>,
    subjects: &topic::Subjects<'_>,
    coauthors: &[Coauthor<'_>],
) -> Vec<Pair<'r>> {
    let mut pairs = Vec::new();
    for (index, slot) in context.slots.iter().enumerate() {
        let mut seen: HashSet<&str> = HashSet::new();
        let mut candidates: Vec<&RosterPerson> = tagger.roster.candidates(&slot.name);
        // Family and given swapped only when the name as printed fits nobody:
        // "Thomas, Owen" and "Owen, Thomas" are both Welsh names.
        let swapped = (candidates.is_empty() && matches!(slot.role, Role::Author { .. }))
            .then(|| slot.name.swapped())
            .flatten()
            .map(|name| {
                let found = tagger.roster.candidates(&name);
                candidates.extend(found.iter().copied());
                (name, found)
            });
        if let Some(person) = slot
            .orcid
            .as_deref()
            .and_then(|o| tagger.roster.by_orcid(o))
        {
            candidates.push(person);
        }
        let decisions =
            tagger
                .decisions
                .for_slot(context.record_id, slot.position, &slot.name.coauthor_key());
        for decision in &decisions {
            if decision.verdict == Verdict::Accept {
                candidates.extend(tagger.roster.person(&decision.person_id));
            }
        }
        for person in candidates {
            if !seen.insert(&person.person_id) {
                continue;
            }
            let verdict = decisions
                .iter()
                .find(|decision| decision.person_id == person.person_id)
                .map(|decision| decision.verdict);
            if verdict == Some(Verdict::Reject) {
                continue;
            }
            let others: Vec<Coauthor<'_>> = coauthors
                .iter()
                .filter(|other| other.slot != index && other.person.person_id != person.person_id)
                .copied()
                .collect();
            let pair = match &swapped {
                Some((name, found)) if found.iter().any(|p| p.person_id == person.person_id) => {
                    let turned = Slot {
                        name: name.clone(),
                        ..slot.clone()
                    };
                    score_pair(tagger, context, subjects, index, &turned, person, &others).map(
                        |mut pair| {
                            pair.add(
                                "name_order",
                                format!(
                                    "{}: family and given name read swapped",
                                    slot.display_name
                                ),
                                -1.0,
                            );
                            // A no-op when score_pair already capped it.
                            cap_weak_name(tagger, &mut pair);
                            pair
                        },
                    )
                }
                _ => score_pair(tagger, context, subjects, index, slot, person, &others),
            };
            match (pair, verdict) {
                (Some(mut pair), Some(Verdict::Accept)) => {
                    pair.curated = true;
                    pair.add("curator", "accepted", 0.0);
                    pairs.push(pair);
                }
                (None, Some(Verdict::Accept)) => {
                    let mut pair = Pair {
                        slot: index,
                        person,
                        points: DECISIVE,
                        evidence: Vec::new(),
                        organisation: roster_organisation(tagger, person, context.date),
                        curated: true,
                    };
                    pair.add("curator", "accepted", 0.0);
                    pairs.push(pair);
                }
                (Some(pair), _) => pairs.push(pair),
                (None, _) => {}
            }
        }
    }
    pairs
}

/// Gives each slot its best person and each person one slot, curated and
/// strongest pairs first; a close runner-up makes the best one ambiguous,
/// which no uncurated evidence short of decisive lifts out of review: two
/// roster people who fit equally well are a curator's call, and an
/// ambiguous accept would teach the co-author network the wrong person.
fn assign<'r>(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    mut pairs: Vec<Pair<'r>>,
) -> Vec<Pair<'r>> {
    pairs.sort_by(|a, b| {
        b.curated
            .cmp(&a.curated)
            .then(b.points.total_cmp(&a.points))
            .then(a.slot.cmp(&b.slot))
            .then(a.person.person_id.cmp(&b.person.person_id))
    });
    let mut taken_slots = HashSet::new();
    let mut taken_people = HashSet::new();
    let mut chosen: Vec<Pair<'r>> = Vec::new();
    for pair in &pairs {
        if taken_slots.contains(&pair.slot) || taken_people.contains(&pair.person.person_id) {
            continue;
        }
        taken_slots.insert(pair.slot);
        taken_people.insert(pair.person.person_id.clone());
        chosen.push(pair.clone());
    }
    for best in &mut chosen {
        if best.curated || best.points >= DECISIVE {
            continue;
        }
        let rivals = pairs
            .iter()
            .filter(|other| {
                other.slot == best.slot
                    && other.person.person_id != best.person.person_id
                    && other.points >= best.points - AMBIGUITY_MARGIN
                    && !best.separated_from(other)
            })
            .count();
        if rivals > 0 {
            let points = (review_ceiling(tagger) - best.points).min(AMBIGUITY_PENALTY);
            best.add(
                "ambiguous_name",
                format!(
                    "other roster people fit {} almost as well",
                    context.slots[best.slot].display_name
                ),
                points,
            );
        }
    }
    chosen
}

/// Scores one pair; `None` when the names cannot be the same person's or the ORCID iDs differ.
fn score_pair<'r>(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    subjects: &topic::Subjects<'_>,
    index: usize,
    slot: &Slot,
    person: &'r RosterPerson,
    coauthors: &[Coauthor<'_>],
) -> Option<Pair<'r>> {
    let mut pair = Pair {
        slot: index,
        person,
        points: PRIOR,
        evidence: vec![Evidence {
            feature: "prior".into(),
            value: "a name match alone".into(),
            points: PRIOR,
        }],
        organisation: None,
        curated: false,
    };
    orcid_evidence(slot, person, &mut pair)?;
    let agreement = person.names.iter().enumerate().find_map(|(variant, name)| {
        name.agreement(&slot.name)
            .map(|agreement| (variant, agreement))
    });
    name_evidence(slot, agreement, &mut pair)?;
    if let Some(address) = &slot.email {
        if person.has_email(address) {
            pair.add("email", "the record's e-mail address is on the roster", 6.0);
        }
    }
    organisation_evidence(tagger, context, slot, person, &mut pair);
    department_evidence(tagger, slot, person, &mut pair);
    employment_dates(context, person, &mut pair);
    colleague_evidence(person, coauthors, &mut pair);
    if matches!(slot.role, Role::Author { .. }) {
        coauthor_network_evidence(tagger, context, slot, person, &mut pair);
        topic_evidence(tagger, context.record_id, subjects, person, &mut pair);
        grant_evidence(tagger, context, person, &mut pair);
    }
    medical_evidence(tagger, slot, &mut pair);
    if agreement.is_some_and(|(_, agreement)| is_weak_name(tagger, slot, agreement)) {
        cap_weak_name(tagger, &mut pair);
    }
    Some(pair)
}

/// ORCID decides either way: `None` when an iD on both sides differs, so
/// the pair is another person.
fn orcid_evidence(slot: &Slot, person: &RosterPerson, pair: &mut Pair<'_>) -> Option<()> {
    match (&slot.orcid, &person.orcid) {
        (Some(theirs), Some(ours)) if theirs == ours => {
            pair.add("orcid", format!("{theirs} on the record matches"), DECISIVE);
        }
        (Some(_), Some(_)) => return None,
        _ => {}
    }
    Some(())
}

/// How the slot's name agrees with the roster name it matched (`variant`
/// indexes the person's names); `None` when it matched none and nothing
/// decisive outweighs that.
fn name_evidence(
    slot: &Slot,
    agreement: Option<(usize, NameAgreement)>,
    pair: &mut Pair<'_>,
) -> Option<()> {
    let shown = &slot.display_name;
    match agreement {
        Some((variant, agreement)) => {
            if variant > 0 {
                pair.add(
                    "name_variant",
                    format!("{shown} matches a former or variant name"),
                    0.0,
                );
            }
            if agreement.family == FamilyMatch::Part {
                pair.add(
                    "family_name",
                    format!("{shown}: one part of a double family name"),
                    -1.0,
                );
            }
            let (value, points) = match agreement.given {
                GivenMatch::FullName => ("given name agrees in full", 1.5),
                GivenMatch::ShortForm => ("given name is a short form", 1.0),
                GivenMatch::Initial => ("only initials agree", 0.3),
                GivenMatch::Unknown => ("no given name to compare", -0.5),
            };
            pair.add("given_name", format!("{shown}: {value}"), points);
            if agreement.middle_agrees {
                pair.add("middle_name", "second given name or initial agrees", 0.5);
            }
            if agreement.middle_conflict {
                pair.add("middle_name", "second given name or initial differs", -2.0);
            }
        }
        // A matching ORCID outweighs a name that changed beyond recognition.
        None if pair.points >= DECISIVE / 2.0 => {
            pair.add(
                "name",
                format!("{shown} does not match the roster name"),
                -2.0,
            );
        }
        None => return None,
    }
    Some(())
}

/// ReCiter's relationship evidence: colleagues publish together, so a
/// roster colleague accepted as another author of the record speaks for this match.
fn colleague_evidence(person: &RosterPerson, coauthors: &[Coauthor<'_>], pair: &mut Pair<'_>) {
    let colleagues = || {
        coauthors
            .iter()
            .filter(|other| same_employer(person, other.person))
    };
    if colleagues().any(|other| other.accepted) {
        pair.add(
            "coauthor",
            "a roster colleague at the same organisation is accepted as a co-author",
            1.0,
        );
    } else if colleagues().next().is_some() {
        pair.add(
            "colleague_named",
            "a roster colleague at the same organisation is named as another author",
            COLLEAGUE_NAMED,
        );
    }
}

/// Other names on the byline that wrote with this person on accepted records.
fn coauthor_network_evidence(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    slot: &Slot,
    person: &RosterPerson,
    pair: &mut Pair<'_>,
) {
    let keys: Vec<String> = context
        .slots
        .iter()
        .filter(|other| other.position != slot.position)
        .map(|other| other.name.coauthor_key())
        .collect();
    let known = tagger.known_coauthors(
        &person.person_id,
        context.record_id,
        keys.iter().map(String::as_str),
    );
    if known > 0 {
        // Each shared co-author adds, with diminishing weight: seven
        // shared names on one byline is as good as an identifier.
        let points = (1.0 + 0.75 * (known as f64 - 1.0)).min(3.5);
        pair.add(
            "coauthor_network",
            format!("{known} co-author(s) here also wrote with this person on accepted records"),
            points,
        );
    }
}

/// Subjects of the title that recur on the person's other accepted records.
///
/// Weaker than a shared co-author: colleagues in one field share subjects
/// too, so it separates namesakes but never corroborates a weak name.
fn topic_evidence(
    tagger: &Tagger,
    record_id: &str,
    subjects: &topic::Subjects<'_>,
    person: &RosterPerson,
    pair: &mut Pair<'_>,
) {
    let shared = tagger.shared_topics(&person.person_id, record_id, subjects);
    if shared.is_empty() {
        return;
    }
    // One subject is less than one shared co-author (1.0); two or more match it.
    let points = if shared.len() == 1 { 0.5 } else { 1.0 };
    pair.add(
        "topic",
        format!(
            "the title shares subjects of this person's other accepted records: {}",
            topic::describe(&shared)
        ),
        points,
    );
}

/// A grant the record acknowledges that the person holds.
fn grant_evidence(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    person: &RosterPerson,
    pair: &mut Pair<'_>,
) {
    if let Some(reference) = context
        .grant_references
        .iter()
        .find(|reference| tagger.holds_grant(&person.person_id, reference))
    {
        pair.add(
            "grant",
            format!("acknowledges grant {reference} the person holds"),
            2.0,
        );
    }
}

/// True when the name agrees too loosely to count without corroboration
/// (see [`cap_weak_name`]).
fn is_weak_name(tagger: &Tagger, slot: &Slot, agreement: NameAgreement) -> bool {
    match agreement.given {
        _ if agreement.family == FamilyMatch::Part => true,
        GivenMatch::Unknown => true,
        GivenMatch::Initial => tagger.initial_is_ambiguous(&slot.name),
        GivenMatch::FullName | GivenMatch::ShortForm => false,
    }
}

/// Features that speak for the person beyond name and organisation.
const CORROBORATING: [&str; 10] = [
    "orcid",
    "roster_post",
    "email",
    "department",
    "discipline",
    "coauthor",
    "coauthor_network",
    "grant",
    "orcid_employment",
    "curator",
];

/// The log-odds of a score just under the accept line: the top of the review band.
fn review_ceiling(tagger: &Tagger) -> f64 {
    let ceiling = f64::from(tagger.bands.accept) - 1.5;
    (ceiling / (100.0 - ceiling)).ln()
}

/// Initials that stand for several first names in the corpus (or half a
/// double family name, or no given name) at the right organisation are not
/// enough to count: a large health board has many a "Jones S". Without
/// corroborating evidence such a match stops below the accept line.
fn cap_weak_name(tagger: &Tagger, pair: &mut Pair<'_>) {
    let corroborated = pair
        .evidence
        .iter()
        .any(|e| e.points > 0.0 && CORROBORATING.contains(&e.feature.as_str()));
    let cap = review_ceiling(tagger);
    if !corroborated && pair.points > cap {
        let excess = cap - pair.points;
        pair.add(
            "weak_name",
            "only initials (or part of the family name) agree, and nothing beyond the organisation corroborates",
            excess,
        );
    }
}

/// Medical evidence: a medical degree after the name, or a medical role
/// title in the affiliation (doctors share HCS departments).
fn medical_evidence(tagger: &Tagger, slot: &Slot, pair: &mut Pair<'_>) {
    let rules = &tagger.reference.rules;
    let medical = rules.medical_degree(&slot.display_name).or_else(|| {
        slot.affiliations
            .iter()
            .find_map(|affiliation| rules.medical_title(&affiliation.text))
    });
    if let Some(medical) = medical {
        pair.add(
            "medical",
            format!("medical title or degree: {medical}"),
            -3.0,
        );
    }
}

/// Organisation on the record's date: the strongest identity evidence after ORCID and e-mail.
fn organisation_evidence(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    slot: &Slot,
    person: &RosterPerson,
    pair: &mut Pair<'_>,
) {
    if person.organisation.is_none() {
        pair.organisation = None;
        return;
    }
    let own = slot
        .affiliations
        .iter()
        .find_map(|affiliation| employer_in(person, affiliation).map(|found| (affiliation, found)));
    if let Some((_, found)) = own {
        let (value, points) = if found.in_period {
            (format!("affiliation names {}", found.phrase), 3.5)
        } else {
            (
                format!(
                    "affiliation names {} (partly, or by a name not in use on the record's date)",
                    found.phrase
                ),
                2.0,
            )
        };
        pair.add("organisation", value, points);
        pair.organisation = Some(found.tagged);
        return;
    }
    pair.organisation = roster_organisation(tagger, person, context.date);
    if employment_evidence(tagger, context, slot, person, pair) {
        return;
    }
    if slot.affiliations.is_empty() {
        let shared = context
            .other_affiliations(slot.position)
            .find_map(|affiliation| employer_in(person, affiliation));
        match shared {
            Some(found) => pair.add(
                "record_affiliation",
                format!(
                    "no affiliation of their own; a co-author's names {}",
                    found.phrase
                ),
                2.0,
            ),
            None => pair.add("organisation", "no affiliation published", 0.0),
        }
        return;
    }
    let elsewhere = slot
        .affiliations
        .iter()
        .flat_map(|affiliation| &affiliation.organisations)
        .find(|found| Some(&found.key) != person.organisation_key.as_ref());
    // A distinctive word of the employer's name (its city, its founder) in the
    // affiliation: a department or institute of it under another name, or not.
    let shared = distinctive_words(person).find(|word| {
        slot.affiliations
            .iter()
            .any(|a| a.name_words.contains(word))
    });
    match (elsewhere, shared) {
        (Some(other), _) => pair.add(
            "organisation",
            format!(
                "affiliation names another NHS Wales organisation ({})",
                other.name
            ),
            -2.5,
        ),
        (None, Some(word)) => pair.add(
            "organisation",
            format!("affiliation shares the word {word:?} with the roster organisation's name"),
            0.5,
        ),
        (None, None) => pair.add(
            "organisation",
            "affiliation does not name the roster organisation",
            -1.5,
        ),
    }
}

/// The words of the roster employer's name that say which body it is.
fn distinctive_words(person: &RosterPerson) -> impl Iterator<Item = &String> {
    person
        .organisation_words
        .iter()
        .filter(|word| word.len() >= 4 && !GENERIC_ORGANISATION_WORDS.contains(&word.as_str()))
}

struct EmployerFound {
    phrase: String,
    in_period: bool,
    tagged: TaggedOrganisation,
}

/// The roster person's employer in one affiliation: by gazetteer key, or by
/// the employer's own name for organisations outside the gazetteer.
fn employer_in(
    person: &RosterPerson,
    affiliation: &super::slots::Affiliation,
) -> Option<EmployerFound> {
    if let Some(key) = &person.organisation_key {
        return affiliation
            .organisations
            .iter()
            .find(|found| &found.key == key)
            .map(|found| EmployerFound {
                phrase: found.phrase.clone(),
                in_period: found.in_period,
                tagged: found.tagged(),
            });
    }
    let name = person.organisation.as_deref()?;
    let whole = contains_words(&affiliation.name_words, &person.organisation_words);
    // Every distinctive word of the name present ("James Paget University
    // Hospital" for "James Paget University Hospitals NHS Foundation Trust").
    let distinctive: Vec<&String> = distinctive_words(person).collect();
    let all_distinctive = !distinctive.is_empty()
        && distinctive
            .iter()
            .all(|word| affiliation.name_words.contains(word));
    (whole || all_distinctive).then(|| EmployerFound {
        phrase: name.to_owned(),
        in_period: whole,
        tagged: TaggedOrganisation {
            key: None,
            name: name.to_owned(),
            published: Some(affiliation.text.clone()),
        },
    })
}

/// The organisation a roster person is counted under when the record names
/// none: their post on the record's date (an earlier post when its dates,
/// with publication lag, cover the record and the current post's do not).
fn roster_organisation(
    tagger: &Tagger,
    person: &RosterPerson,
    date: Option<DateSpan>,
) -> Option<TaggedOrganisation> {
    let earlier = date
        .filter(|span| !in_post(*span, person.start, person.end))
        .and_then(|span| {
            person
                .former_posts
                .iter()
                .find(|post| in_post(span, post.start, post.end))
        });
    let (name, key) = match earlier {
        Some(post) => (post.organisation.as_str(), post.organisation_key.as_ref()),
        None => (
            person.organisation.as_deref()?,
            person.organisation_key.as_ref(),
        ),
    };
    Some(counted_under(tagger, name, key, None))
}

/// An employer as a tag counts it: the gazetteer's current name when it knows it.
fn counted_under(
    tagger: &Tagger,
    name: &str,
    key: Option<&String>,
    published: Option<String>,
) -> TaggedOrganisation {
    match key.and_then(|key| tagger.reference.gazetteer.by_key(key)) {
        Some(org) => TaggedOrganisation {
            key: Some(org.key.clone()),
            name: org.name.clone(),
            published,
        },
        None => TaggedOrganisation {
            key: None,
            name: name.to_owned(),
            published,
        },
    }
}

/// True when a post from `start` to `end` covers part of `span`, allowing
/// for publication lag after it ended.
fn in_post(span: DateSpan, start: Option<Date>, end: Option<Date>) -> bool {
    span.overlaps(
        start,
        end.map(|end| after_years(end, PUBLICATION_LAG_YEARS)),
    )
}

fn same_employer(a: &RosterPerson, b: &RosterPerson) -> bool {
    match (&a.organisation_key, &b.organisation_key) {
        (Some(a), Some(b)) => a == b,
        _ => !a.organisation_words.is_empty() && a.organisation_words == b.organisation_words,
    }
}

/// A past or other employer — an earlier post on the roster, or an
/// employment on the person's ORCID record — named in the affiliation while
/// they were there: people move, and their old papers carry old employers.
///
/// True when it fired: the affiliation is then explained, not held against them.
fn employment_evidence(
    tagger: &Tagger,
    context: &RecordContext<'_>,
    slot: &Slot,
    person: &RosterPerson,
    pair: &mut Pair<'_>,
) -> bool {
    let Some(span) = context.date else {
        return false;
    };
    let named = |spell: &EmploymentSpell| {
        slot.affiliations
            .iter()
            .find_map(|affiliation| spell_named_in(spell, affiliation))
    };
    let post = person
        .former_posts
        .iter()
        .filter(|post| in_post(span, post.start, post.end))
        .find_map(|post| named(post).map(|phrase| (post, phrase)));
    if let Some((post, phrase)) = post {
        pair.add(
            "roster_post",
            format!("affiliation names {phrase}, the person's employer at the time by the roster"),
            3.5,
        );
        pair.organisation = Some(counted_under(
            tagger,
            &post.organisation,
            post.organisation_key.as_ref(),
            Some(phrase),
        ));
        return true;
    }
    let Some(orcid) = &person.orcid else {
        return false;
    };
    let spell = tagger
        .employments
        .of(orcid)
        .iter()
        .find(|spell| spell.covers(span) && named(spell).is_some());
    let Some(spell) = spell else {
        return false;
    };
    pair.add(
        "orcid_employment",
        format!(
            "affiliation names {}, an employer on the person's ORCID record at the time",
            spell.organisation
        ),
        2.5,
    );
    true
}

/// How an affiliation names a spell's employer (the gazetteer phrase, or the
/// affiliation itself for employers outside the gazetteer), if it does.
fn spell_named_in(
    spell: &EmploymentSpell,
    affiliation: &super::slots::Affiliation,
) -> Option<String> {
    match &spell.organisation_key {
        Some(key) => affiliation
            .organisations
            .iter()
            .find(|found| &found.key == key)
            .map(|found| found.phrase.clone()),
        None => (!spell.organisation_words.is_empty()
            && contains_words(&affiliation.name_words, &spell.organisation_words))
        .then(|| affiliation.text.clone()),
    }
}

/// The roster department, or failing that the roster discipline, in the affiliation.
fn department_evidence(tagger: &Tagger, slot: &Slot, person: &RosterPerson, pair: &mut Pair<'_>) {
    let department: Vec<String> = person
        .department_words
        .iter()
        .filter(|word| !DEPARTMENT_NOISE.contains(&word.as_str()))
        .cloned()
        .collect();
    // Every word, in any order: an HR system writes "Microbiology Cardiff -
    // Virology" where the byline has "Virology Centre, PHW Microbiology Cardiff".
    if slot
        .affiliations
        .iter()
        .any(|affiliation| has_all_words(&affiliation.words, &department))
    {
        pair.add("department", "affiliation names the roster department", 1.5);
        return;
    }
    let Some(discipline) = &person.discipline else {
        return;
    };
    let hit = slot
        .affiliations
        .iter()
        .find_map(|affiliation| tagger.reference.rules.find(&affiliation.words));
    if let Some(hit) = hit {
        if hit.discipline.as_deref() == Some(discipline.name.as_str()) {
            pair.add(
                "discipline",
                format!("affiliation names {} ({})", hit.phrase, discipline.name),
                1.0,
            );
        } else if hit.division == discipline.division {
            pair.add(
                "division",
                format!("affiliation names {} ({})", hit.phrase, hit.division),
                0.5,
            );
        }
    }
}

/// In post on the record's date (allowing for publication lag), when the roster says:
/// in the current post or in any earlier one.
fn employment_dates(context: &RecordContext<'_>, person: &RosterPerson, pair: &mut Pair<'_>) {
    let (Some(span), true) = (context.date, person.start.is_some() || person.end.is_some()) else {
        return;
    };
    let earlier = person
        .former_posts
        .iter()
        .any(|post| in_post(span, post.start, post.end));
    if !in_post(span, person.start, person.end) && !earlier {
        pair.add(
            "employment_dates",
            "the record falls outside the roster's dates in post",
            -1.0,
        );
    }
}
