//! NIHR award holders by name: the roster's grants in NIHR Open Data.
//!
//! NIHR publishes its award holders as one small dataset (about 12.6k rows,
//! one per person per award), so the cheapest exact search is no search:
//! both datasets are exported whole (two requests, whatever the roster's
//! size) through the same client as `harvest nihr`, every holder is compared
//! with every roster person locally, and only the awards with a roster
//! person among their holders are indexed. Attribution is still the
//! tagger's: a namesake's award is fetched here and left uncounted there
//! when its organisation says it is someone else's.

use std::collections::BTreeMap;

use crate::harvest::{HarvestError, HarvestRun};
use crate::index::UpsertOutcome;
use crate::records::{GrantPerson, Record};
use crate::sources::nihr;
use crate::tagging::names::PersonName;
use crate::tagging::roster::{Roster, RosterPerson};

use super::{strategy, PersonOutcome};

/// The checkpoint key of a roster retrieval's NIHR stage.
const CHECKPOINT_KEY: &str = "roster:nihr";

/// True when `holder` can be `person` ([`strategy::could_be`]).
pub fn holds(person: &RosterPerson, holder: &GrantPerson) -> bool {
    strategy::could_be(
        person,
        holder.family.as_deref(),
        holder.given.as_deref(),
        holder.orcid.as_deref(),
    )
}

/// Indexes every NIHR award one of the roster's people holds, crediting it
/// to each of them, and commits with a checkpoint of the run.
pub async fn retrieve(
    run: &mut HarvestRun<'_>,
    config: &nihr::Config,
    roster: &Roster,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<(), HarvestError> {
    let grants = nihr::fetch_grants(run, config, None).await?;
    for person in roster.people() {
        outcomes
            .entry(person.person_id.clone())
            .or_default()
            .searches
            .push("nihr: award holders by name and ORCID iD".to_owned());
    }
    let (mut awards, mut new) = (0usize, 0usize);
    for grant in grants {
        let mut holders: Vec<&str> = Vec::new();
        for holder in &grant.people {
            // Only the roster people who could be this holder are compared.
            let by_name = holder
                .family
                .as_deref()
                .and_then(|family| PersonName::new(family, holder.given.as_deref(), None))
                .map(|name| roster.candidates(&name))
                .unwrap_or_default();
            let by_orcid = holder
                .orcid
                .as_deref()
                .and_then(|orcid| roster.by_orcid(orcid));
            for person in by_name.into_iter().chain(by_orcid) {
                if holds(person, holder) && !holders.contains(&person.person_id.as_str()) {
                    holders.push(person.person_id.as_str());
                }
            }
        }
        if holders.is_empty() {
            continue;
        }
        let id = grant.id.clone();
        let outcome = run.sink.upsert(Record::Grant(Box::new(grant)))?;
        let is_new = outcome == UpsertOutcome::New;
        run.progress.inc(1);
        awards += 1;
        new += usize::from(is_new);
        for person_id in holders {
            let credited = outcomes.entry(person_id.to_owned()).or_default();
            credited.records += 1;
            credited.new_records += usize::from(is_new);
            credited.grants.push(id.clone());
        }
    }
    let checkpoint = serde_json::json!({
        "done": true,
        "until": crate::clock::now_rfc3339().get(..10).unwrap_or_default(),
        "awards": awards,
        "new": new,
    });
    run.commit_checkpoint("roster", CHECKPOINT_KEY, &checkpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagging::roster::Roster;

    fn roster() -> Roster {
        let csv = "person_id,family,given,other_names,orcid,emails,organisation,department,job_title,discipline,registration,start_date,end_date\n\
                   P1,Carberry,Josiah,,,,Public Health Wales,,Clinical Scientist,Microbiology,,,\n\
                   P2,Evans,Wil,,0000-0002-1825-0097,,Cardiff and Vale University Health Board,,Clinical Scientist,Medical physics,,,\n";
        let taxonomy = crate::tagging::taxonomy::Taxonomy::bundled().expect("taxonomy");
        let gazetteer = crate::tagging::gazetteer::Gazetteer::bundled().expect("gazetteer");
        Roster::parse(csv.as_bytes(), "roster.csv", &taxonomy, &gazetteer).expect("roster")
    }

    fn holder(given: Option<&str>, family: &str, orcid: Option<&str>) -> GrantPerson {
        GrantPerson {
            given: given.map(str::to_owned),
            family: Some(family.to_owned()),
            orcid: orcid.map(str::to_owned),
            role: "Chief Investigator".into(),
            ..GrantPerson::default()
        }
    }

    #[test]
    fn a_holder_is_a_roster_person_by_orcid_or_by_family_and_given_name() {
        let roster = roster();
        let people = roster.people();
        let (carberry, evans) = (&people[0], &people[1]);
        assert!(holds(carberry, &holder(Some("Josiah"), "Carberry", None)));
        assert!(holds(carberry, &holder(Some("J"), "Carberry", None)));
        // A different first name, a missing given name or another family: no.
        assert!(!holds(carberry, &holder(Some("Jane"), "Carberry", None)));
        assert!(!holds(carberry, &holder(None, "Carberry", None)));
        assert!(!holds(carberry, &holder(Some("Josiah"), "Carbery", None)));
        // ORCID iDs decide when both sides have one, whatever the name says.
        assert!(holds(
            evans,
            &holder(Some("William"), "Evans-Jones", Some("0000-0002-1825-0097"))
        ));
        assert!(!holds(
            evans,
            &holder(Some("Wil"), "Evans", Some("0000-0001-5109-3700"))
        ));
    }
}
