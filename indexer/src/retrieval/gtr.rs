//! GtR persons → projects: the roster's UKRI grants in Gateway to Research.
//!
//! GtR's people are searched by surname (`persons?q=<family>&f=per.sn`),
//! once per distinct family name on the roster however many people share
//! it; each person found whose names or ORCID iD agree with a roster
//! person's ([`strategy::could_be`]) has their projects walked
//! (`persons/{id}/projects`), and each project becomes a grant exactly as
//! `harvest gtr` builds it (funds, people and organisations followed, cached
//! for the run). The stage commits after every family name with a
//! checkpoint holding the names done and the grants credited, so an
//! interrupted run resumes where it stopped and still reports everything.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::harvest::{HarvestError, HarvestRun};
use crate::sources::gtr::parse::Entity;
use crate::sources::gtr::{self, EntityCache};
use crate::tagging::roster::{Roster, RosterPerson};

use super::{strategy, PersonOutcome};

/// The checkpoint key of a roster retrieval's GtR stage.
const CHECKPOINT_KEY: &str = "roster:gtr";

/// What a run has done, committed after every family name.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// The family names searched, as asked (a changed roster keeps what still applies).
    done: BTreeSet<String>,
    /// Grant ids credited, by roster person id, with whether each was new.
    credited: BTreeMap<String, BTreeMap<String, bool>>,
    /// True once every family name was searched.
    complete: bool,
}

/// The family names to ask GtR for: every written family name and
/// `other_names` variant, each once.
fn family_names(roster: &Roster) -> BTreeSet<String> {
    roster
        .people()
        .iter()
        .flat_map(|person| person.written_names.iter())
        .map(|(family, _)| family.trim().to_owned())
        .filter(|family| !family.is_empty())
        .collect()
}

/// The roster people a GtR person can be.
fn roster_people_for<'r>(
    roster: &'r Roster,
    family: &str,
    person: &Entity,
) -> Vec<&'r RosterPerson> {
    let Entity::Person {
        first,
        other,
        surname,
        orcid,
    } = person
    else {
        return Vec::new();
    };
    let given = match (first, other) {
        (Some(first), Some(other)) => Some(format!("{first} {other}")),
        (Some(first), None) => Some(first.clone()),
        _ => None,
    };
    let surname = surname.as_deref().unwrap_or(family);
    roster
        .people()
        .iter()
        .filter(|candidate| {
            strategy::could_be(candidate, Some(surname), given.as_deref(), orcid.as_deref())
        })
        .collect()
}

/// Indexes every GtR project of anyone on the roster, crediting each grant
/// to the roster people GtR lists on it under an agreeing name or ORCID iD.
pub async fn retrieve(
    run: &mut HarvestRun<'_>,
    config: &gtr::Config,
    roster: &Roster,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<(), HarvestError> {
    // A finished run starts again: GtR has no modified-since filter.
    let mut state: Checkpoint = run
        .checkpoint("roster", CHECKPOINT_KEY)
        .filter(|state: &Checkpoint| !state.complete)
        .unwrap_or_default();
    let families = family_names(roster);
    for person in roster.people() {
        outcomes
            .entry(person.person_id.clone())
            .or_default()
            .searches
            .push("gtr: persons by surname, then their projects".to_owned());
    }
    let mut cache = EntityCache::new();
    let mut walked: BTreeSet<String> = BTreeSet::new();
    let pending: Vec<&String> = families
        .iter()
        .filter(|family| !state.done.contains(*family))
        .collect();
    for family in pending {
        let found = gtr::persons_named(run, config, family).await?;
        for (guid, person) in &found {
            let people = roster_people_for(roster, family, person);
            if people.is_empty() || !walked.insert(guid.clone()) {
                continue;
            }
            let grants = gtr::person_projects(run, config, guid, &mut cache).await?;
            for person in people {
                let credited = state.credited.entry(person.person_id.clone()).or_default();
                for (grant, new) in &grants {
                    let was_new = credited.entry(grant.clone()).or_insert(*new);
                    *was_new |= *new;
                }
            }
        }
        state.done.insert(family.clone());
        run.commit_checkpoint("roster", CHECKPOINT_KEY, &state)?;
    }
    state.complete = true;
    run.commit_checkpoint("roster", CHECKPOINT_KEY, &state)?;
    for (person_id, grants) in &state.credited {
        // Credits of people no longer on the roster stay out of the report.
        if roster.person(person_id).is_none() {
            continue;
        }
        let outcome = outcomes.entry(person_id.clone()).or_default();
        for (grant, new) in grants {
            outcome.records += 1;
            outcome.new_records += usize::from(*new);
            outcome.grants.push(grant.clone());
        }
    }
    Ok(())
}
