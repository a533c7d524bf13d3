//! Roster-driven retrieval from PubMed: many people per ESearch, OR-combined
//! and POSTed, their records fetched and indexed, and each record credited
//! to the people whose search it answers.
//!
//! One ESearch asks for one employer's people: `((names…) AND (employer
//! phrases…)) OR orcid[auid] …`, packed up to a term length. PubMed drops a
//! phrase it does not know and says so (`PhraseNotFound`); dropping a name
//! from `names AND employer` would leave the employer alone and flood the
//! results, so every dropped phrase is removed from the searches and the
//! batch is asked again. Then everyone gets a name-only search — family name
//! and first initial, which PubMed truncates ("Smith J" finds Smith JA), so
//! bylines without the employer are found too — bisected while a batch finds
//! more than its people's share; a few people whose initial search is still
//! too broad are asked by their narrow forms (full name, several initials),
//! and one person too broad even so is reported, not fetched.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use time::Date;

use super::checkpoint;
use super::strategy::{
    folded_affiliations, AffiliationTerm, EmployerGroup, NameForm, PersonSearch,
};
use super::{PersonOutcome, RetrievalArgs};
use crate::harvest::{HarvestError, HarvestRun};
use crate::index::UpsertOutcome;
use crate::sources::pubmed::esearch::SearchResult;
use crate::sources::pubmed::eutils::{
    efetch, efetch_request, esearch, format_date, index_fetched, search_request, Config, DateType,
};
use crate::sources::pubmed::SOURCE;
use crate::tagging::text::fold_words;

/// The checkpoint key of roster-driven PubMed retrieval.
pub const CHECKPOINT_KEY: &str = "roster:pubmed";

/// How often a batch is asked again after PubMed dropped some of its phrases.
const MAX_REWRITES: usize = 4;

/// How far a roster retrieval got; stored with each commit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Checkpoint {
    /// Digest of the searches planned (a different roster or gazetteer starts afresh).
    plan: String,
    /// 0: employer searches; 1: name-only searches.
    stage: u8,
    /// Batches of the stage already done.
    next: usize,
    /// Records credited to each person so far.
    #[serde(default)]
    found: BTreeMap<String, Credited>,
    /// Phrases PubMed dropped so far: a resumed run packs its batches as the
    /// interrupted one did.
    #[serde(default)]
    unknown: BTreeSet<String>,
    /// Every batch of both stages is done.
    #[serde(default)]
    done: bool,
    /// The window's last day of the last completed run (for `--since auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until: Option<String>,
}

/// The records credited to one person: a record two stages (or two of the
/// person's name forms) find counts once.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Credited {
    pmids: BTreeSet<u64>,
    /// How many of them the index did not hold before.
    new: u32,
}

/// What crediting needs of a fetched record: its byline. Kept for the run,
/// so a record one batch fetched is credited to another batch's people too.
struct Byline {
    pmid: u64,
    authors: Vec<crate::records::Author>,
    /// The index did not hold it before this run.
    new: bool,
}

/// How one ESearch finds its people's bylines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breadth {
    /// Name forms AND employer phrases, or ORCID.
    Employer,
    /// Family name and first initial alone (truncated by PubMed).
    Initial,
    /// Full names and family name with every initial: for people whose
    /// initial search is too broad.
    Narrow,
}

/// A batch of at most this many people whose initial search is too broad is
/// asked by narrow forms instead of halved again: halving to one person
/// would cost a request per person.
const NARROW_BELOW: usize = 4;

/// An initial search finding this many times its people's share is mostly
/// common names (the stage sorts people by how common their family name is
/// on the roster, so common names share batches): it is asked by narrow
/// forms at once, as halving would only find the same many times over.
const NARROW_AT_SHARES: u64 = 4;

/// One ESearch's worth of people.
#[derive(Debug, Clone)]
struct Batch {
    /// Index into the groups.
    group: usize,
    /// Indices into the group's people.
    people: Vec<usize>,
    breadth: Breadth,
}

/// What the plan searches, rendered without the phrases PubMed does not know.
struct Renderer<'a> {
    groups: &'a [EmployerGroup],
    /// Folded phrases PubMed reported it could not find.
    unknown: HashSet<String>,
}

/// How a searched phrase and PubMed's report of a dropped one are compared:
/// folded words, so quoting, case and punctuation do not matter.
fn phrase_key(text: &str) -> String {
    fold_words(text).join(" ")
}

fn quoted(text: &str) -> String {
    text.replace('"', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A name safe to write without quotes: no quote, bracket, parenthesis or
/// colon to end it early, and no word PubMed would read as an operator.
fn unquoted_name(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '(' | ')' | '[' | ']' | ':' | '*'))
        .filter(|word| !word.is_empty())
        .map(|word| match word {
            "AND" | "OR" | "NOT" => word.to_lowercase(),
            _ => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl Renderer<'_> {
    fn known(&self, text: &str) -> bool {
        !self.unknown.contains(&phrase_key(text))
    }

    fn term(&self, text: &str, tag: &str) -> Option<String> {
        let text = quoted(text);
        (!text.is_empty() && self.known(&text)).then(|| format!("\"{text}\"[{tag}]"))
    }

    /// An `[au]` name left unquoted: PubMed truncates its initials ("Smith J"
    /// finds Smith JA) only when the name is not in quotes.
    fn author(&self, text: &str) -> Option<String> {
        let text = unquoted_name(text);
        (!text.is_empty() && self.known(&text)).then(|| format!("{text}[au]"))
    }

    /// The primary name forms: `Family I[au]` and `Family Given[fau]`.
    fn names(&self, person: &PersonSearch) -> Vec<String> {
        let mut terms = Vec::new();
        for form in &person.names {
            terms.extend(self.author(&form.family_initial()));
            if let Some(full) = form.full_name() {
                terms.extend(self.term(&full, "fau"));
            }
        }
        terms.dedup();
        terms
    }

    /// The initial forms: `Family I[au]` for every name form.
    fn initial_names(&self, person: &PersonSearch) -> Vec<String> {
        let mut terms: Vec<String> = person
            .names
            .iter()
            .filter(|form| !form.initials.is_empty())
            .filter_map(|form| self.author(&form.family_initial()))
            .collect();
        terms.dedup();
        terms
    }

    /// The narrow forms: narrow enough alone (a whole given name, or two
    /// initials or more). Both are searched: PubMed has full names only from
    /// 2002, so older bylines are found by their initials.
    fn narrow_names(&self, person: &PersonSearch) -> Vec<String> {
        let mut terms = Vec::new();
        for form in &person.names {
            if let Some(full) = form.full_name() {
                terms.extend(self.term(&full, "fau"));
            }
            if form.initials.chars().count() >= 2 {
                terms.extend(self.author(&form.family_initials()));
            }
        }
        terms.dedup();
        terms
    }

    fn orcid(&self, person: &PersonSearch) -> Option<String> {
        person
            .orcid
            .as_deref()
            .and_then(|orcid| self.term(orcid, "auid"))
    }

    fn employer(&self, group: &EmployerGroup) -> Vec<String> {
        group
            .terms
            .iter()
            .filter_map(|term| match term {
                AffiliationTerm::Phrase(text) => self.term(text, "ad"),
                AffiliationTerm::AllWords(words) => {
                    let parts: Vec<String> =
                        words.iter().filter_map(|w| self.term(w, "ad")).collect();
                    match parts.len() {
                        0 => None,
                        _ if parts.len() < words.len() => None,
                        1 => parts.into_iter().next(),
                        _ => Some(format!("({})", parts.join(" AND "))),
                    }
                }
            })
            .collect()
    }

    /// The ESearch term for a batch; `None` when nothing searchable is left.
    fn batch_term(&self, batch: &Batch) -> Option<String> {
        let group = &self.groups[batch.group];
        let people = batch.people.iter().map(|&i| &group.people[i]);
        let mut clauses = Vec::new();
        if batch.breadth != Breadth::Employer {
            let names: Vec<String> = people
                .flat_map(|p| self.name_only(p, batch.breadth))
                .collect();
            if !names.is_empty() {
                clauses.push(format!("({})", names.join(" OR ")));
            }
        } else {
            let people: Vec<&PersonSearch> = people.collect();
            let names: Vec<String> = people.iter().flat_map(|p| self.names(p)).collect();
            let employer = self.employer(group);
            if !names.is_empty() && !employer.is_empty() {
                clauses.push(format!(
                    "(({}) AND ({}))",
                    names.join(" OR "),
                    employer.join(" OR ")
                ));
            }
            clauses.extend(people.iter().filter_map(|p| self.orcid(p)));
        }
        (!clauses.is_empty()).then(|| clauses.join(" OR "))
    }

    /// A name-only stage's forms for `person`.
    fn name_only(&self, person: &PersonSearch, breadth: Breadth) -> Vec<String> {
        match breadth {
            Breadth::Initial => self.initial_names(person),
            Breadth::Narrow => self.narrow_names(person),
            Breadth::Employer => Vec::new(),
        }
    }

    /// What `person` searched for in this stage, for the report.
    fn described(&self, group: &EmployerGroup, person: &PersonSearch, breadth: Breadth) -> String {
        if breadth != Breadth::Employer {
            return self.name_only(person, breadth).join(" OR ");
        }
        let mut text = String::new();
        let names = self.names(person);
        let employer = self.employer(group);
        if !names.is_empty() && !employer.is_empty() {
            text = format!(
                "({}) AND ({} employer phrase(s))",
                names.join(" OR "),
                employer.len()
            );
        }
        if let Some(orcid) = self.orcid(person) {
            if !text.is_empty() {
                text.push_str(" OR ");
            }
            text.push_str(&orcid);
        }
        text
    }
}

/// The phrases PubMed says it dropped, folded: `PhraseNotFound: x`,
/// `QuotedPhraseNotFound: "x"`, `FieldNotFound: …` are all reported the same way.
fn dropped_phrases(search: &SearchResult) -> Vec<String> {
    search
        .errors
        .iter()
        .chain(&search.warnings)
        .filter_map(|entry| {
            let (kind, text) = entry.split_once(": ")?;
            kind.ends_with("NotFound")
                .then(|| phrase_key(text.split('[').next().unwrap_or(text)))
        })
        .filter(|phrase| !phrase.is_empty())
        .collect()
}

/// Runs roster retrieval against PubMed, filling `outcomes` (one per person).
pub async fn retrieve(
    run: &mut HarvestRun<'_>,
    config: &Config,
    groups: &[EmployerGroup],
    args: &RetrievalArgs,
    window: Option<(Date, Date)>,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<(), HarvestError> {
    // The name-only stage needs no employer, so it packs everyone together
    // as one more group: a few requests for the whole roster.
    let mut everyone = groups.to_vec();
    everyone.push(EmployerGroup {
        key: String::new(),
        terms: Vec::new(),
        people: groups.iter().flat_map(|g| g.people.clone()).collect(),
    });
    let mut renderer = Renderer {
        groups: &everyone,
        unknown: HashSet::new(),
    };
    let primary = pack(groups, &renderer, Breadth::Employer, args.max_term_chars);
    let plan = checkpoint::plan_digest(
        window,
        primary
            .iter()
            .map(|batch| renderer.batch_term(batch).unwrap_or_default()),
    );
    let saved: Option<Checkpoint> = run.checkpoint(SOURCE, CHECKPOINT_KEY);
    let mut state = match saved {
        Some(saved) if saved.plan == plan && !saved.done => {
            tracing::info!(
                stage = saved.stage,
                next = saved.next,
                "resuming roster retrieval"
            );
            renderer.unknown.extend(saved.unknown.iter().cloned());
            saved
        }
        _ => Checkpoint {
            plan,
            ..Checkpoint::default()
        },
    };
    for group in groups {
        for person in &group.people {
            let outcome = outcomes.entry(person.person_id.clone()).or_default();
            outcome.searches.push(format!(
                "pubmed: {}",
                renderer.described(group, person, Breadth::Employer)
            ));
            if let Some(credited) = state.found.get(&person.person_id) {
                outcome.records += credited.pmids.len();
                outcome.new_records += credited.new as usize;
            }
        }
    }
    let window = window.map(|(from, to)| (DateType::Edat, from, to));
    let mut fetched: HashMap<u64, Byline> = HashMap::new();
    for stage in state.stage..=1 {
        let batches = if stage == 1 {
            // Everyone, not only those the employer stage missed: a byline
            // without the employer (older MEDLINE records carry the first
            // author's affiliation only) is found by the name alone.
            let waiting: Vec<Vec<usize>> = renderer
                .groups
                .iter()
                .enumerate()
                .map(|(i, group)| match i == groups.len() {
                    true => by_commonness(&group.people),
                    false => Vec::new(),
                })
                .collect();
            for (group, people) in renderer.groups.iter().zip(&waiting) {
                for &i in people {
                    let person = &group.people[i];
                    let outcome = outcomes.entry(person.person_id.clone()).or_default();
                    let described = renderer.described(group, person, Breadth::Initial);
                    if person.names.iter().all(|form| form.initials.is_empty()) {
                        outcome.notes.push(
                            "no name-only search: no given name or initial is known".to_owned(),
                        );
                    } else if !described.is_empty() {
                        outcome
                            .searches
                            .push(format!("pubmed name only: {described}"));
                    }
                }
            }
            pack_people(&renderer, Breadth::Initial, args.max_term_chars, &waiting)
        } else {
            primary.clone()
        };
        let start = if stage == state.stage { state.next } else { 0 };
        for (index, batch) in batches.iter().enumerate().skip(start) {
            run_batch(
                run,
                config,
                &mut renderer,
                batch.clone(),
                args,
                window,
                &mut fetched,
                &mut state,
                outcomes,
            )
            .await?;
            state.stage = stage;
            state.next = index + 1;
            state.unknown = renderer.unknown.iter().cloned().collect();
            commit(run, &state)?;
        }
        state.stage = stage;
        state.next = batches.len();
    }
    state.done = true;
    state.until = window.map(|(_, _, to)| format_date(to, '-'));
    commit(run, &state)?;
    Ok(())
}

/// The last day searched by the last completed retrieval, for `--since auto`.
pub fn last_until(run: &HarvestRun<'_>) -> Option<String> {
    checkpoint::last_until(run, CHECKPOINT_KEY)
}

fn commit(run: &mut HarvestRun<'_>, state: &Checkpoint) -> Result<(), HarvestError> {
    run.commit_checkpoint(SOURCE, CHECKPOINT_KEY, state)
}

/// People in order of how many on the roster share their family name, most
/// first: how common a name is on a roster foretells how common it is in
/// PubMed, so broad names fill batches of their own and the rest pass whole.
fn by_commonness(people: &[PersonSearch]) -> Vec<usize> {
    let family = |person: &PersonSearch| {
        person
            .names
            .first()
            .map(|form| phrase_key(&form.family))
            .unwrap_or_default()
    };
    let mut sharing: HashMap<String, usize> = HashMap::new();
    for person in people {
        *sharing.entry(family(person)).or_default() += 1;
    }
    let mut order: Vec<usize> = (0..people.len()).collect();
    order.sort_by_cached_key(|&i| {
        let key = family(&people[i]);
        (std::cmp::Reverse(sharing[&key]), key, i)
    });
    order
}

/// Every group's people packed into batches (employer stage).
fn pack(
    groups: &[EmployerGroup],
    renderer: &Renderer<'_>,
    breadth: Breadth,
    max_chars: usize,
) -> Vec<Batch> {
    let everyone: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| (0..g.people.len()).collect())
        .collect();
    pack_people(renderer, breadth, max_chars, &everyone)
}

/// The chosen people of each group packed greedily into batches whose term fits `max_chars`.
fn pack_people(
    renderer: &Renderer<'_>,
    breadth: Breadth,
    max_chars: usize,
    chosen: &[Vec<usize>],
) -> Vec<Batch> {
    let mut batches = Vec::new();
    for (group, people) in chosen.iter().enumerate() {
        let mut current = Batch {
            group,
            people: Vec::new(),
            breadth,
        };
        for &person in people {
            let mut trial = current.clone();
            trial.people.push(person);
            let Some(term) = renderer.batch_term(&trial) else {
                // Nothing searchable for this person in this stage.
                continue;
            };
            if term.len() > max_chars && !current.people.is_empty() {
                batches.push(std::mem::replace(
                    &mut current,
                    Batch {
                        group,
                        people: vec![person],
                        breadth,
                    },
                ));
            } else {
                current = trial;
            }
        }
        if !current.people.is_empty() {
            batches.push(current);
        }
    }
    batches
}

/// Searches one batch (asking again without dropped phrases, halving when
/// too broad), fetches and indexes its records, and credits them.
#[allow(clippy::too_many_arguments)]
async fn run_batch(
    run: &mut HarvestRun<'_>,
    config: &Config,
    renderer: &mut Renderer<'_>,
    batch: Batch,
    args: &RetrievalArgs,
    window: Option<(DateType, Date, Date)>,
    fetched: &mut HashMap<u64, Byline>,
    state: &mut Checkpoint,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<(), HarvestError> {
    let mut pending = vec![batch];
    while let Some(batch) = pending.pop() {
        let Some(search) = search_batch(run, config, renderer, &batch, window, outcomes).await?
        else {
            continue;
        };
        // ESearch returns at most `esearch_cap` ids: a batch finding more is
        // split whatever its people's share, or the ids past the cap are lost.
        let share = (args.name_only_limit * batch.people.len()) as u64;
        let limit = if batch.breadth != Breadth::Employer {
            share.min(config.esearch_cap)
        } else {
            config.esearch_cap
        };
        if search.count > limit {
            pending.extend(narrower(renderer, batch, search.count, share, outcomes));
            continue;
        }
        let ids: Vec<u64> = search
            .ids
            .iter()
            .filter_map(|id| id.trim().parse().ok())
            .collect();
        fetch_unseen(run, config, &ids, fetched).await?;
        let group = &renderer.groups[batch.group];
        let bylines: Vec<&Byline> = ids.iter().filter_map(|id| fetched.get(id)).collect();
        credit(group, &batch, &bylines, state, outcomes);
    }
    Ok(())
}

/// The batch's ESearch, asked again without the phrases PubMed dropped (each
/// noted for the people it names); `None` when nothing is left to search, or
/// phrases were still dropped after [`MAX_REWRITES`] rewrites.
async fn search_batch(
    run: &mut HarvestRun<'_>,
    config: &Config,
    renderer: &mut Renderer<'_>,
    batch: &Batch,
    window: Option<(DateType, Date, Date)>,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Result<Option<SearchResult>, HarvestError> {
    let group = &renderer.groups[batch.group];
    let mut rewrites = 0;
    loop {
        let Some(term) = renderer.batch_term(batch) else {
            return Ok(None);
        };
        let search = esearch(
            &run.http,
            &search_request(config, term, window),
            config.esearch_cap,
        )
        .await?;
        let dropped = dropped_phrases(&search);
        if dropped.is_empty() {
            return Ok(Some(search));
        }
        note_unknown_phrases(group, batch, &dropped, outcomes);
        renderer.unknown.extend(dropped);
        rewrites += 1;
        if rewrites > MAX_REWRITES {
            run.warn(format!(
                "pubmed: a roster batch of {} people still had unknown phrases after {MAX_REWRITES} rewrites: skipped",
                batch.people.len()
            ));
            return Ok(None);
        }
    }
}

/// The batches to ask instead of one whose search found `count` records,
/// too many: its people by narrow forms, or its two halves, or none (the
/// one person too broad is noted and not fetched).
fn narrower(
    renderer: &Renderer<'_>,
    batch: Batch,
    count: u64,
    share: u64,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) -> Vec<Batch> {
    let group = &renderer.groups[batch.group];
    if batch.breadth == Breadth::Initial
        && (batch.people.len() <= NARROW_BELOW || count >= NARROW_AT_SHARES * share)
    {
        note_narrowing(renderer, group, &batch, count, outcomes);
        return vec![Batch {
            breadth: Breadth::Narrow,
            ..batch
        }];
    }
    if batch.people.len() > 1 {
        // The left half is pushed last, so asked first.
        let middle = batch.people.len() / 2;
        let (left, right) = batch.people.split_at(middle);
        return vec![
            Batch {
                people: right.to_vec(),
                ..batch.clone()
            },
            Batch {
                people: left.to_vec(),
                ..batch.clone()
            },
        ];
    }
    let searched = match batch.breadth {
        Breadth::Employer => "the employer",
        Breadth::Initial | Breadth::Narrow => "the name-only",
    };
    note(
        outcomes,
        &group.people[batch.people[0]],
        format!(
            "{searched} search found {count} records, too many to be one person's: not fetched \
             (add an ORCID, other_names or the employer)"
        ),
    );
    Vec::new()
}

/// Notes each dropped phrase for the batch's people it names.
fn note_unknown_phrases(
    group: &EmployerGroup,
    batch: &Batch,
    dropped: &[String],
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) {
    for phrase in dropped {
        for &i in &batch.people {
            let person = &group.people[i];
            let mentions = person.names.iter().any(|form| mentions(form, phrase))
                || person
                    .orcid
                    .as_deref()
                    .is_some_and(|o| phrase_key(o) == *phrase);
            if mentions {
                note(
                    outcomes,
                    person,
                    format!("PubMed does not know the name form \"{phrase}\""),
                );
            }
        }
    }
}

/// Notes for each of the batch's people that their initial search found
/// too many records, and the narrow search asked instead (if any).
fn note_narrowing(
    renderer: &Renderer<'_>,
    group: &EmployerGroup,
    batch: &Batch,
    count: u64,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) {
    for &i in &batch.people {
        let person = &group.people[i];
        let narrow = renderer.described(group, person, Breadth::Narrow);
        let outcome = outcomes.entry(person.person_id.clone()).or_default();
        outcome.notes.push(format!(
            "the initial search found too many records ({} for {} people)",
            count,
            batch.people.len()
        ));
        match narrow.is_empty() {
            true => outcome.notes.push(
                "no narrower name-only search: only one initial is known \
                 (add the given name or an ORCID)"
                    .to_owned(),
            ),
            false => outcome
                .searches
                .push(format!("pubmed name only (narrow): {narrow}")),
        }
    }
}

/// Adds `text` to the person's outcome notes.
fn note(outcomes: &mut BTreeMap<String, PersonOutcome>, person: &PersonSearch, text: String) {
    outcomes
        .entry(person.person_id.clone())
        .or_default()
        .notes
        .push(text);
}

/// Fetches and indexes the records of `ids` this run has not fetched yet,
/// keeping their bylines in `fetched`.
async fn fetch_unseen(
    run: &mut HarvestRun<'_>,
    config: &Config,
    ids: &[u64],
    fetched: &mut HashMap<u64, Byline>,
) -> Result<(), HarvestError> {
    let unseen: Vec<u64> = ids
        .iter()
        .copied()
        .filter(|id| !fetched.contains_key(id))
        .collect();
    for chunk in unseen.chunks(config.batch_size.max(1)) {
        let records = efetch(&run.http, &efetch_request(config, chunk)).await?;
        let kept = index_fetched(run, chunk, records, |publication| {
            (
                publication.identifiers.pmid.clone(),
                publication.authors.clone(),
            )
        })?;
        for ((pmid, authors), outcome) in kept {
            let Some(pmid) = pmid.and_then(|pmid| pmid.parse().ok()) else {
                continue;
            };
            let new = outcome == UpsertOutcome::New;
            fetched.insert(pmid, Byline { pmid, authors, new });
        }
    }
    Ok(())
}

/// True when `phrase` (folded) is one of this form's rendered names.
fn mentions(form: &NameForm, phrase: &str) -> bool {
    [
        Some(form.family_initial()),
        Some(form.family_initials()),
        form.full_name(),
    ]
    .into_iter()
    .flatten()
    .any(|text| phrase_key(&text) == phrase)
}

/// Credits each record to the batch's people whose search it answers.
fn credit(
    group: &EmployerGroup,
    batch: &Batch,
    bylines: &[&Byline],
    state: &mut Checkpoint,
    outcomes: &mut BTreeMap<String, PersonOutcome>,
) {
    for byline in bylines {
        let at_employer = group.named_in(&folded_affiliations(&byline.authors));
        for &i in &batch.people {
            let person = &group.people[i];
            let answers = person.orcid_in(&byline.authors)
                || (person.name_in(&byline.authors)
                    && (batch.breadth != Breadth::Employer || at_employer));
            if !answers {
                continue;
            }
            let credited = state.found.entry(person.person_id.clone()).or_default();
            if !credited.pmids.insert(byline.pmid) {
                continue;
            }
            credited.new += u32::from(byline.new);
            let outcome = outcomes.entry(person.person_id.clone()).or_default();
            outcome.records += 1;
            outcome.new_records += usize::from(byline.new);
            outcome.pmids.push(byline.pmid.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group() -> EmployerGroup {
        EmployerGroup {
            key: "stellenbosch".into(),
            terms: vec![
                AffiliationTerm::Phrase("Stellenbosch University".into()),
                AffiliationTerm::AllWords(vec!["stellenbosch".into()]),
            ],
            people: vec![
                PersonSearch {
                    person_id: "p1".into(),
                    names: vec![NameForm {
                        family: "Rahim".into(),
                        initials: "A".into(),
                        given: Some("Aisha".into()),
                    }],
                    orcid: Some("0000-0002-1825-0097".into()),
                },
                PersonSearch {
                    person_id: "p2".into(),
                    names: vec![NameForm {
                        family: "Evans".into(),
                        initials: "J".into(),
                        given: None,
                    }],
                    orcid: None,
                },
            ],
        }
    }

    #[test]
    fn a_batch_is_names_and_employer_or_orcids_and_drops_unknown_phrases() {
        let groups = vec![group()];
        let mut renderer = Renderer {
            groups: &groups,
            unknown: HashSet::new(),
        };
        let batch = Batch {
            group: 0,
            people: vec![0, 1],
            breadth: Breadth::Employer,
        };
        assert_eq!(
            renderer.batch_term(&batch).as_deref(),
            Some(
                "((Rahim A[au] OR \"Rahim Aisha\"[fau] OR Evans J[au]) AND \
                 (\"Stellenbosch University\"[ad] OR \"stellenbosch\"[ad])) OR \
                 \"0000-0002-1825-0097\"[auid]"
            )
        );
        let search = SearchResult {
            errors: vec!["PhraseNotFound: \"rahim aisha\"[fau]".into()],
            ..SearchResult::default()
        };
        renderer.unknown.extend(dropped_phrases(&search));
        let term = renderer.batch_term(&batch).expect("still searchable");
        assert!(!term.contains("Aisha"), "{term}");
        // Name-only: a whole given name, or two initials; one initial alone is too broad.
        let only = Batch {
            breadth: Breadth::Narrow,
            ..batch
        };
        assert_eq!(renderer.batch_term(&only), None);
    }

    #[test]
    fn batches_are_packed_under_the_term_length() {
        let mut big = group();
        let person = big.people[1].clone();
        big.people = (0..50)
            .map(|i| PersonSearch {
                person_id: format!("p{i}"),
                names: vec![NameForm {
                    family: format!("Family{i}"),
                    ..person.names[0].clone()
                }],
                orcid: None,
            })
            .collect();
        let groups = vec![big];
        let renderer = Renderer {
            groups: &groups,
            unknown: HashSet::new(),
        };
        let batches = pack(&groups, &renderer, Breadth::Employer, 400);
        assert!(batches.len() > 1);
        assert_eq!(batches.iter().map(|b| b.people.len()).sum::<usize>(), 50);
        for batch in &batches {
            assert!(renderer.batch_term(batch).expect("term").len() <= 400);
        }
    }
}
