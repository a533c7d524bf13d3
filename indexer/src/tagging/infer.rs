//! Tier 2: people not on the roster who are *possibly* healthcare
//! scientists, from their published affiliation alone.
//!
//! It takes an NHS Wales organisation and a healthcare-science department or
//! title in the same affiliation. Medical evidence (a medical degree or a
//! consultant physician's title) counts against, and a university named in
//! the same string weakens it. Scores stay below the accept band: tier 2 is
//! reported apart from tier 1, never counted as fact.

use super::gazetteer::OrganisationMatch;
use super::model::{score_of, Band, Evidence, PersonTag, TaggedOrganisation, Tier};
use super::rules::{PhraseKind, RuleHit};
use super::slots::{Affiliation, Slot};
use super::{DateSpan, Tagger};

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
    let medical = rules.medical_degree(&slot.display_name).or_else(|| {
        std::iter::once(slot.display_name.as_str())
            .chain(slot.affiliations.iter().map(|a| a.text.as_str()))
            .find_map(|text| rules.medical_title(text))
    });
    let medical = medical.filter(|_| generic.is_none() && !titled);
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
    let organisation = organisation.map(|found| TaggedOrganisation {
        key: Some(found.key.clone()),
        name: found.name.clone(),
        published: Some(found.phrase.clone()),
    });
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
