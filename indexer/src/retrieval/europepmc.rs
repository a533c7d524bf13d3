//! Roster-driven retrieval from Europe PMC: many people per search, their
//! employers' affiliation phrases and ORCID iDs OR-combined and POSTed,
//! every result indexed and credited to the people whose search it answers.
//!
//! Europe PMC holds PubMed and more: preprints, Agricola, patents, and
//! ORCID iDs authors claimed through it, which PubMed's bylines often lack.
//! One search asks for several people: `((AUTH:"Family" …) AND (AFF:"phrase"
//! …)) OR … OR AUTHORID:"orcid" …`, packed up to `--max-term-chars`. The
//! family name is searched without initials: Europe PMC documents
//! `AUTH:"Smith AB"` but not whether "Smith J" finds "Smith JA", and the
//! employer phrases bound a family name well enough; records are credited
//! locally, by the same name forms and employer phrases the PubMed stage
//! uses, so a namesake at the same employer with other initials is fetched
//! but not credited. A search finding more than its people's share
//! (`--name-only-limit` each) is halved; one person's search still too broad
//! is asked by their initials (`AUTH:"Family I"`, `AUTH:"Family IJ"`,
//! `AUTH:"Given Family"`), and reported unfetched if even that is too broad.
//!
//! Queries are POSTed (`searchPOST`): they name the roster's people, so they
//! never go into a URL, and the records' provenance names the endpoint, not
//! the query. The stage commits after every planned search with a
//! checkpoint (searches done, records credited), so an interrupted run
//! resumes where it stopped.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::checkpoint;
use super::strategy::{folded_affiliations, AffiliationTerm, EmployerGroup, PersonSearch};
use super::{PersonOutcome, RetrievalArgs};
use crate::harvest::http::Method;
use crate::harvest::{HarvestError, HarvestRun};
use crate::index::UpsertOutcome;
use crate::records::{Publication, Record};
use crate::sources::europepmc::{fetch_page, Config, PageRequest, SOURCE};

/// The checkpoint key of roster-driven Europe PMC retrieval.
pub const CHECKPOINT_KEY: &str = "roster:europepmc";

/// Results per page: Europe PMC's maximum.
const PAGE_SIZE: u32 = 1000;

/// How far a retrieval got; stored with each commit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// Digest of the searches planned (a different roster or gazetteer starts afresh).
    plan: String,
    /// Planned searches already done.
    next: usize,
    /// Record ids credited to each person, with whether each was new to the index.
    #[serde(default)]
    found: BTreeMap<String, BTreeMap<String, Credit>>,
    /// Every planned search is done.
    #[serde(default)]
    done: bool,
    /// The window's last day of the last completed run (for `--since auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

/// One record credited to one person.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Credit {
    /// The index did not hold it before.
    new: bool,
    /// Its PMID, when it has one (to count it once with the PubMed stage's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pmid: Option<String>,
}

/// How one search finds its people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breadth {
    /// Family names AND employer phrases, or ORCID iDs.
    Family,
    /// Family name with initials or given name, AND employer phrases, or
    /// ORCID iD: for one person whose family search is too broad.
    Initials,
}

/// One search's worth of people: (group, person) indices.
#[derive(Debug, Clone)]
struct Batch {
    people: Vec<(usize, usize)>,
    breadth: Breadth,
}

/// `FIELD:"text"`, with what would end the phrase early removed.
fn fielded(field: &str, text: &str) -> Option<String> {
    let text = text
        .replace(['"', '\\'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then(|| format!("{field}:\"{text}\""))
}

/// A person's `AUTH` terms at `breadth`.
fn names(person: &PersonSearch, breadth: Breadth) -> Vec<String> {
    let mut terms = Vec::new();
    for form in &person.names {
        let texts = match breadth {
            Breadth::Family => vec![Some(form.family.clone())],
            Breadth::Initials => vec![
                (!form.initials.is_empty()).then(|| form.family_initial()),
                (form.initials.chars().count() >= 2).then(|| form.family_initials()),
                form.given
                    .as_ref()
                    .map(|given| format!("{given} {}", form.family)),
            ],
        };
        for text in texts.into_iter().flatten() {
            if let Some(term) = fielded("AUTH", &text) {
                if !terms.contains(&term) {
                    terms.push(term);
                }
            }
        }
    }
    terms
}

/// An employer's `AFF` terms.
fn employer(group: &EmployerGroup) -> Vec<String> {
    group
        .terms
        .iter()
        .filter_map(|term| match term {
            AffiliationTerm::Phrase(text) => fielded("AFF", text),
            AffiliationTerm::AllWords(words) => {
                let parts: Vec<String> = words.iter().filter_map(|w| fielded("AFF", w)).collect();
                match parts.len() {
                    0 => None,
                    1 => parts.into_iter().next(),
                    _ => Some(format!("({})", parts.join(" AND "))),
                }
            }
        })
        .collect()
}

/// The query for a batch; `None` when nothing in it is searchable.
fn batch_query(groups: &[EmployerGroup], batch: &Batch) -> Option<String> {
    let mut clauses = Vec::new();
    let mut orcids = Vec::new();
    let mut by_group: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for &(group, person) in &batch.people {
        let person = &groups[group].people[person];
        by_group
            .entry(group)
            .or_default()
            .extend(names(person, batch.breadth));
        orcids.extend(
            person
                .orcid
                .as_deref()
                .and_then(|orcid| fielded("AUTHORID", orcid)),
        );
    }
    for (group, names) in by_group {
        let phrases = employer(&groups[group]);
        if !names.is_empty() && !phrases.is_empty() {
            clauses.push(format!(
                "(({}) AND ({}))",
                names.join(" OR "),
                phrases.join(" OR ")
            ));
        }
    }
    clauses.extend(orcids);
    (!clauses.is_empty()).then(|| clauses.join(" OR "))
}

/// What a person's search asks, for the report.
fn described(group: &EmployerGroup, person: &PersonSearch, breadth: Breadth) -> String {
    let mut parts = Vec::new();
    let names = names(person, breadth);
    let phrases = employer(group);
    if !names.is_empty() && !phrases.is_empty() {
        parts.push(format!(
            "({}) AND ({} employer phrase(s))",
            names.join(" OR "),
            phrases.len()
        ));
    }
    parts.extend(
        person
            .orcid
            .as_deref()
            .and_then(|orcid| fielded("AUTHORID", orcid)),
    );
    parts.join(" OR ")
}

/// Everyone packed greedily, in group order, into searches whose query fits `max_chars`.
fn pack(groups: &[EmployerGroup], max_chars: usize) -> Vec<Batch> {
    let mut batches = Vec::new();
    let mut current = Batch {
        people: Vec::new(),
        breadth: Breadth::Family,
    };
    for (g, group) in groups.iter().enumerate() {
        for p in 0..group.people.len() {
            let mut trial = current.clone();
            trial.people.push((g, p));
            let Some(query) = batch_query(groups, &trial) else {
                continue;
            };
            if query.len() > max_chars && !current.people.is_empty() {
                let single = Batch {
                    people: vec![(g, p)],
                    breadth: Breadth::Family,
                };
                batches.push(std::mem::replace(&mut current, single));
            } else {
                current = trial;
            }
        }
    }
    if !current.people.is_empty() {
        batches.push(current);
    }
    batches
}

/// The query restricted to records updated in `window`.
fn windowed(query: String, window: Option<(Date, Date)>) -> String {
    match window {
        Some((from, to)) => format!("({query}) AND UPDATE_DATE:[{from} TO {to}]"),
        None => query,
    }
}

/// The last day searched by the last completed retrieval, for `--since auto`.
pub fn last_until(run: &HarvestRun<'_>) -> Option<String> {
    checkpoint::last_until(run, CHECKPOINT_KEY)
}

fn commit(run: &mut HarvestRun<'_>, state: &Checkpoint) -> Result<(), HarvestError> {
    run.commit_checkpoint(SOURCE, CHECKPOINT_KEY, state)
}

/// Runs roster retrieval against Europe PMC, filling `outcomes` (one per person).
pub async fn retrieve(
    run: &mut HarvestRun<'_>,
    config: &Config,
    groups: &[EmployerGroup],
    args: &RetrievalArgs,
    window: Option<(Date, Date)>,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<(), HarvestError> {
    let batches = pack(groups, args.max_term_chars);
    let plan = checkpoint::plan_digest(
        window,
        batches
            .iter()
            .map(|batch| batch_query(groups, batch).unwrap_or_default()),
    );
    let saved: Option<Checkpoint> = run.checkpoint(SOURCE, CHECKPOINT_KEY);
    let mut state = match saved {
        Some(saved) if saved.plan == plan && !saved.done => {
            tracing::info!(next = saved.next, "resuming Europe PMC roster retrieval");
            saved
        }
        _ => Checkpoint {
            plan,
            ..Checkpoint::default()
        },
    };
    for group in groups {
        for person in &group.people {
            let search = described(group, person, Breadth::Family);
            let outcome = outcomes.entry(person.person_id.clone()).or_default();
            match search.is_empty() {
                true => outcome.notes.push(
                    "europepmc: not searched (no employer and no ORCID iD on the roster)"
                        .to_owned(),
                ),
                false => outcome.searches.push(format!("europepmc: {search}")),
            }
        }
    }
    // Records new to the index in this run: a record a halved search's
    // first half indexed is still new when the second half finds it.
    let mut new_in_run: HashSet<String> = HashSet::new();
    for (index, batch) in batches.iter().enumerate().skip(state.next) {
        let search = Search {
            groups,
            args,
            window,
        };
        run_batch(
            run,
            config,
            &search,
            batch.clone(),
            &mut new_in_run,
            &mut state,
            outcomes,
        )
        .await?;
        state.next = index + 1;
        commit(run, &state)?;
    }
    state.next = batches.len();
    state.done = true;
    state.until = window.map(|(_, to)| to.to_string());
    commit(run, &state)?;
    report(groups, &state, outcomes);
    Ok(())
}

/// Adds the credited records to each person's outcome, a record the PubMed
/// stage already credited to them counting once.
fn report(
    groups: &[EmployerGroup],
    state: &Checkpoint,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) {
    for person in groups.iter().flat_map(|group| &group.people) {
        let Some(found) = state.found.get(&person.person_id) else {
            continue;
        };
        let outcome = outcomes.entry(person.person_id.clone()).or_default();
        for (id, credit) in found {
            match &credit.pmid {
                Some(pmid) if outcome.pmids.contains(pmid) => continue,
                Some(pmid) => outcome.pmids.push(pmid.clone()),
                None => outcome.other_records.push(id.clone()),
            }
            outcome.records += 1;
            outcome.new_records += usize::from(credit.new);
        }
    }
}

/// What every search of a run shares.
struct Search<'a> {
    groups: &'a [EmployerGroup],
    args: &'a RetrievalArgs,
    window: Option<(Date, Date)>,
}

/// Searches one planned batch (halving it, or narrowing one person's
/// search, while it finds too much), indexes every result and credits it.
async fn run_batch(
    run: &mut HarvestRun<'_>,
    config: &Config,
    search: &Search<'_>,
    batch: Batch,
    new_in_run: &mut HashSet<String>,
    state: &mut Checkpoint,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<(), HarvestError> {
    let Search {
        groups,
        args,
        window,
    } = *search;
    let mut pending = vec![batch];
    while let Some(batch) = pending.pop() {
        let Some(query) = batch_query(groups, &batch) else {
            continue;
        };
        let query = windowed(query, window);
        let share = (args.name_only_limit * batch.people.len()) as u64;
        let mut cursor = "*".to_owned();
        let mut collected = 0u64;
        let mut records: Vec<(Publication, bool)> = Vec::new();
        loop {
            let request = PageRequest {
                query: &query,
                cursor: &cursor,
                page_size: PAGE_SIZE,
                method: Method::Post,
            };
            let page = fetch_page(run, config, &request, collected).await?;
            if collected == 0 && page.hit_count > share {
                narrow(
                    groups,
                    batch.clone(),
                    page.hit_count,
                    &mut pending,
                    outcomes,
                );
                records.clear();
                break;
            }
            for skipped in &page.skipped {
                run.warn(skipped.to_string());
            }
            for publication in page.records {
                let outcome = run
                    .sink
                    .upsert(Record::Publication(Box::new(publication.clone())))?;
                run.progress.inc(1);
                if outcome == UpsertOutcome::New {
                    new_in_run.insert(publication.id.clone());
                }
                let new = new_in_run.contains(&publication.id);
                records.push((publication, new));
            }
            collected += page.result_count as u64;
            match page.next_cursor {
                Some(next) if page.result_count > 0 && next != cursor => cursor = next,
                _ => break,
            }
        }
        credit(groups, &batch, &records, state);
    }
    Ok(())
}

/// A search that found `found` records, more than its people's share: halved,
/// or, for one person, asked by their initials, or reported unfetched.
fn narrow(
    groups: &[EmployerGroup],
    batch: Batch,
    found: u64,
    pending: &mut Vec<Batch>,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) {
    if batch.people.len() > 1 {
        let (left, right) = batch.people.split_at(batch.people.len() / 2);
        pending.push(Batch {
            people: right.to_vec(),
            breadth: batch.breadth,
        });
        pending.push(Batch {
            people: left.to_vec(),
            breadth: batch.breadth,
        });
        return;
    }
    let (g, p) = batch.people[0];
    let (group, person) = (&groups[g], &groups[g].people[p]);
    let outcome = outcomes.entry(person.person_id.clone()).or_default();
    if batch.breadth == Breadth::Family {
        outcome.notes.push(format!(
            "europepmc: the family-name search found {found} records: too many for one person"
        ));
        let narrower = described(group, person, Breadth::Initials);
        if !narrower.is_empty() {
            outcome
                .searches
                .push(format!("europepmc (by initials): {narrower}"));
            pending.push(Batch {
                breadth: Breadth::Initials,
                ..batch
            });
        }
        return;
    }
    outcome.notes.push(format!(
        "europepmc: the search by initials found {found} records: too many for one person; \
         not fetched (add an ORCID iD or other_names)"
    ));
}

/// Credits each record to the batch's people whose search it answers: their
/// ORCID iD on the byline, or a name form of theirs with their employer.
fn credit(
    groups: &[EmployerGroup],
    batch: &Batch,
    records: &[(Publication, bool)],
    state: &mut Checkpoint,
) {
    for (publication, new) in records {
        let authors = &publication.authors;
        let affiliations = folded_affiliations(authors);
        for &(g, p) in &batch.people {
            let (group, person) = (&groups[g], &groups[g].people[p]);
            let answers = person.orcid_in(authors)
                || (person.name_in(authors) && group.named_in(&affiliations));
            if !answers {
                continue;
            }
            let credit = state
                .found
                .entry(person.person_id.clone())
                .or_default()
                .entry(publication.id.clone())
                .or_default();
            credit.new |= *new;
            credit.pmid = publication.identifiers.pmid.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retrieval::strategy::NameForm;

    fn groups() -> Vec<EmployerGroup> {
        vec![
            EmployerGroup {
                key: "tasmania".into(),
                terms: vec![AffiliationTerm::Phrase("University of Tasmania".into())],
                people: vec![PersonSearch {
                    person_id: "p1".into(),
                    names: vec![NameForm {
                        family: "Gadd".into(),
                        initials: "N".into(),
                        given: Some("Nicola".into()),
                    }],
                    orcid: Some("0000-0002-3014-2929".into()),
                }],
            },
            EmployerGroup {
                key: "essen".into(),
                terms: vec![
                    AffiliationTerm::Phrase("University Hospital Essen".into()),
                    AffiliationTerm::AllWords(vec!["essen".into(), "urology".into()]),
                ],
                people: vec![PersonSearch {
                    person_id: "p2".into(),
                    names: vec![NameForm {
                        family: "Herr\"mann".into(),
                        initials: "KJ".into(),
                        given: None,
                    }],
                    orcid: None,
                }],
            },
        ]
    }

    #[test]
    fn a_search_is_each_employers_family_names_and_phrases_or_orcids() {
        let groups = groups();
        let batch = Batch {
            people: vec![(0, 0), (1, 0)],
            breadth: Breadth::Family,
        };
        assert_eq!(
            batch_query(&groups, &batch).as_deref(),
            Some(
                "((AUTH:\"Gadd\") AND (AFF:\"University of Tasmania\")) OR \
                 ((AUTH:\"Herr mann\") AND (AFF:\"University Hospital Essen\" OR \
                 (AFF:\"essen\" AND AFF:\"urology\"))) OR AUTHORID:\"0000-0002-3014-2929\""
            )
        );
        let narrow = Batch {
            people: vec![(1, 0)],
            breadth: Breadth::Initials,
        };
        let query = batch_query(&groups, &narrow).expect("searchable");
        assert!(
            query.starts_with("((AUTH:\"Herr mann K\" OR AUTH:\"Herr mann KJ\") AND"),
            "{query}"
        );
        assert_eq!(
            windowed(
                "x".into(),
                Some((
                    Date::from_calendar_date(2025, time::Month::January, 1).expect("date"),
                    Date::from_calendar_date(2025, time::Month::June, 30).expect("date"),
                ))
            ),
            "(x) AND UPDATE_DATE:[2025-01-01 TO 2025-06-30]"
        );
    }

    #[test]
    fn people_are_packed_under_the_query_length() {
        let mut groups = groups();
        let template = groups[1].people[0].clone();
        groups[1].people = (0..40)
            .map(|i| PersonSearch {
                person_id: format!("p{i}"),
                names: vec![NameForm {
                    family: format!("Family{i}"),
                    ..template.names[0].clone()
                }],
                orcid: None,
            })
            .collect();
        let batches = pack(&groups, 300);
        assert!(batches.len() > 1);
        assert_eq!(batches.iter().map(|b| b.people.len()).sum::<usize>(), 41);
        for batch in &batches {
            assert!(batch_query(&groups, batch).expect("query").len() <= 300);
        }
    }
}
