//! The curators' review queue, as both its JSON route and its page read it: every roster match the scorer left in the
//! review band, with its evidence and any decision already recorded for it.
//! `GET /api/review` answers it as JSON; `GET /review` ([`crate::pages::review`])
//! as a page with accept/reject forms. Both are behind the curator token.
//!
//! The queue comes from the stored tags, so a decision shows beside its slot
//! at once (the journal is read on every request) but moves the slot out of
//! the review band, and into the counts, only at the next re-tag.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::http::HeaderValue;
use hcs_model::records::Record;
use hcs_tagging::curation::SignedDecision;
use hcs_tagging::model::{Band, SlotTag, Tier};
use hcs_tagging::persist::TagsStatus;
use hcs_tagging::workspace::{decisions_path, roster_path};
use hcs_tagging::{DecisionLog, ReferenceData, Roster};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Order, TantivyDocument, Term};

use crate::dto::review::{
    EvidencePoint, OrganisationCount, ProposedPerson, PublishedAuthor, RecordedDecision,
    ReviewItem, ReviewPage,
};
use crate::error::ApiError;
use crate::review_cache::{BaseQueue, FileStamp, RosterNames};
use crate::state::AppState;
use hcs_tagging::curation::author_at;

/// Items on a page unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: usize = 25;
/// Most items on one page.
pub const MAX_PER_PAGE: usize = 100;
/// Most review-band records read into the queue (the newest ones): a bound
/// on the work of one request, as search has for its result window.
pub const MAX_QUEUE_RECORDS: usize = 10_000;
/// Highest page number accepted (beyond it a page could only be empty).
const MAX_PAGE: usize = 10_000;
/// What every answer says about when decisions count.
pub const TAKES_EFFECT: &str = "Decisions are recorded at once; the queue's bands and every count \
     update after the next re-tag (an administrator's POST /api/admin/retag).";

/// The queue's parameters: `page`, `per_page`, `organisation`.
#[derive(Debug, Clone, PartialEq, Eq, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// 1-based page.
    #[param(required = false, minimum = 1)]
    pub page: usize,
    /// Items per page (default 25).
    #[param(required = false, minimum = 1, maximum = 100)]
    pub per_page: usize,
    /// Only slots whose proposed person counts under this organisation (case-insensitive).
    pub organisation: Option<String>,
}

impl Default for QueueParams {
    fn default() -> Self {
        QueueParams {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            organisation: None,
        }
    }
}

impl QueueParams {
    /// Reads a query string; an empty value is absent, an unknown or
    /// repeated parameter or a bad number is a 400 naming it.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let mut params = QueueParams::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if seen.iter().any(|s| *s == name) {
                return Err(ApiError::InvalidParameter(format!(
                    "parameter '{name}' is given twice"
                )));
            }
            seen.push(name.to_string());
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let number = |max: usize| {
                value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=max).contains(n))
                    .ok_or_else(|| {
                        ApiError::InvalidParameter(format!(
                            "parameter '{name}' must be a whole number from 1 to {max}"
                        ))
                    })
            };
            match name.as_ref() {
                "page" => params.page = number(MAX_PAGE)?,
                "per_page" => params.per_page = number(MAX_PER_PAGE)?,
                "organisation" => params.organisation = Some(value.to_owned()),
                other => {
                    let other: String = other.chars().take(64).collect();
                    return Err(ApiError::InvalidParameter(format!(
                        "parameter '{other}' is not accepted here; expected page, per_page or organisation"
                    )));
                }
            }
        }
        Ok(params)
    }
}

fn stamp(path: &std::path::Path) -> FileStamp {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().unwrap_or(std::time::UNIX_EPOCH)))
}

/// The queue of the loaded commit (blocking: it reads every review-band record once per commit).
fn base_queue(state: &AppState) -> Result<Arc<BaseQueue>, ApiError> {
    let searcher = state.searcher();
    let generation = searcher.generation().generation_id();
    let mut cached = state
        .review_cache()
        .queue
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some((built, queue)) = cached.as_ref() {
        if *built == generation {
            return Ok(queue.clone());
        }
    }
    let store = state.store();
    let query = TermQuery::new(
        Term::from_field_text(store.fields().hcs_band, "review"),
        IndexRecordOption::Basic,
    );
    let newest = TopDocs::with_limit(MAX_QUEUE_RECORDS).order_by_u64_field("year", Order::Desc);
    let (top, total) = searcher
        .search(&query, &(newest, Count))
        .map_err(ApiError::internal)?;
    let mut items = Vec::new();
    for (_, address) in top {
        let document: TantivyDocument = searcher.doc(address).map_err(ApiError::internal)?;
        let record = store.decode_record(&document).map_err(ApiError::internal)?;
        let tags = store.decode_tags(&document).map_err(ApiError::internal)?;
        items.extend(items_of(&record, &tags));
    }
    items.sort_by(|a, b| {
        b.year
            .cmp(&a.year)
            .then_with(|| a.record_id.cmp(&b.record_id))
            .then(a.position.cmp(&b.position))
    });
    let queue = Arc::new(BaseQueue {
        items,
        truncated: total > MAX_QUEUE_RECORDS,
    });
    *cached = Some((generation, queue.clone()));
    Ok(queue)
}

/// The record's roster matches in the review band, as queue items.
fn items_of(record: &Record, tags: &[SlotTag]) -> Vec<ReviewItem> {
    tags.iter()
        .filter(|slot| slot.tag.tier == Tier::Roster && slot.tag.band == Band::Review)
        .filter_map(|slot| {
            let tag = &slot.tag;
            let person_id = tag.person_id.clone()?;
            let (kind, affiliations) = match record {
                Record::Publication(publication) => (
                    "publication",
                    publication
                        .authors
                        .iter()
                        .find(|a| a.position == slot.position)
                        .map(|a| a.affiliations.clone())
                        .unwrap_or_default(),
                ),
                Record::Grant(grant) => (
                    "grant",
                    grant
                        .people
                        .get(slot.position.saturating_sub(1) as usize)
                        .and_then(|p| p.organisation.as_ref())
                        .map(|o| match &o.department {
                            Some(department) => vec![format!("{department}, {}", o.name)],
                            None => vec![o.name.clone()],
                        })
                        .unwrap_or_default(),
                ),
            };
            Some(ReviewItem {
                record_id: record.id().to_owned(),
                kind,
                title: record.title().to_owned(),
                year: record.year(),
                position: slot.position,
                author: PublishedAuthor {
                    name: record.person_name(slot.position),
                    affiliations,
                },
                proposed: ProposedPerson {
                    person_id,
                    name: None,
                    organisation: tag.organisation.as_ref().map(|o| o.name.clone()),
                    discipline: tag.discipline.clone(),
                },
                score: tag.score,
                band: tag.band,
                evidence: tag
                    .evidence
                    .iter()
                    .map(|e| EvidencePoint {
                        feature: e.feature.clone(),
                        points: e.points,
                        detail: e.value.clone(),
                    })
                    .collect(),
                decision: None,
                author_key: author_at(record, slot.position)
                    .flatten()
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// The roster's primary names by person id (blocking; re-read when the roster file changes).
///
/// Only the name as the roster writes it: other names, e-mails,
/// registrations, job titles and dates are never taken out of the roster.
fn roster_names(state: &AppState) -> Result<RosterNames, ApiError> {
    let path = roster_path(state.data_dir());
    let seen = stamp(&path);
    let mut cached = state
        .review_cache()
        .names
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some((stamped, names)) = cached.as_ref() {
        if *stamped == seen {
            return Ok(names.clone());
        }
    }
    let names = if seen.is_none() {
        HashMap::new()
    } else {
        let reference = ReferenceData::load(None, None).map_err(ApiError::internal)?;
        let roster = Roster::load(&path, &reference.taxonomy, &reference.gazetteer)
            .map_err(ApiError::internal)?;
        roster
            .people()
            .iter()
            .filter_map(|person| {
                let (family, given) = person.written_names.first()?;
                let name = match given.as_deref().filter(|g| !g.is_empty()) {
                    Some(given) => format!("{given} {family}"),
                    None => family.clone(),
                };
                Some((person.person_id.clone(), name))
            })
            .collect()
    };
    let names = Arc::new(names);
    *cached = Some((seen, names.clone()));
    Ok(names)
}

/// The decision to show for an item: the one on the proposed person, else
/// the latest other one in force for the slot (another person accepted, or the inference).
fn decision_for(log: &DecisionLog, item: &ReviewItem) -> Option<RecordedDecision> {
    let in_force = log.signed_for_slot(&item.record_id, item.position, &item.author_key);
    let chosen: &SignedDecision = in_force
        .iter()
        .find(|signed| signed.decision.person_id == item.proposed.person_id)
        .or_else(|| in_force.last())?;
    Some(RecordedDecision {
        person_id: chosen.decision.person_id.clone(),
        verdict: chosen.decision.decision,
        by: chosen.by.clone(),
        at: chosen.decision.at.clone(),
        note: chosen.decision.note.clone(),
    })
}

/// One page of the queue with names, decisions and tag freshness (blocking).
pub fn queue_page(state: &AppState, params: &QueueParams) -> Result<ReviewPage, ApiError> {
    let queue = base_queue(state)?;
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for item in &queue.items {
        if let Some(organisation) = item.proposed.organisation.as_deref() {
            *counts.entry(organisation).or_default() += 1;
        }
    }
    let mut organisations: Vec<OrganisationCount> = counts
        .into_iter()
        .map(|(name, count)| OrganisationCount {
            name: name.to_owned(),
            count,
        })
        .collect();
    organisations.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    let wanted = |item: &&ReviewItem| match &params.organisation {
        None => true,
        Some(organisation) => item
            .proposed
            .organisation
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(organisation)),
    };
    let total = queue.items.iter().filter(wanted).count();
    let skip = (params.page - 1).saturating_mul(params.per_page);
    let chosen: Vec<&ReviewItem> = queue
        .items
        .iter()
        .filter(wanted)
        .skip(skip)
        .take(params.per_page)
        .collect();
    let names = roster_names(state)?;
    let log = DecisionLog::open(&decisions_path(state.data_dir())).map_err(ApiError::internal)?;
    let items = chosen
        .into_iter()
        .map(|item| {
            let mut item = item.clone();
            item.proposed.name = names.get(&item.proposed.person_id).cloned();
            item.decision = decision_for(&log, &item);
            item
        })
        .collect();
    let tags = state.tags_status()?;
    Ok(ReviewPage {
        total,
        page: params.page,
        per_page: params.per_page,
        pages: total.div_ceil(params.per_page),
        queued: queue.items.len(),
        organisation: params.organisation.clone(),
        organisations,
        truncated: queue.truncated,
        tags_sentence: tags.sentence(),
        tags,
        takes_effect: TAKES_EFFECT,
        items,
    })
}

/// The `X-Tags-Status` value for a page of the queue.
pub fn tags_header(tags: &TagsStatus) -> HeaderValue {
    HeaderValue::from_static(match tags {
        TagsStatus::Current { .. } => "current",
        TagsStatus::Stale { .. } => "stale",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_parameters_are_checked_and_named() {
        assert_eq!(QueueParams::parse("").unwrap(), QueueParams::default());
        assert_eq!(
            QueueParams::parse("page=2&per_page=10&organisation=Cardiff+and+Vale").unwrap(),
            QueueParams {
                page: 2,
                per_page: 10,
                organisation: Some("Cardiff and Vale".into())
            }
        );
        assert_eq!(
            QueueParams::parse("organisation=&page=").unwrap(),
            QueueParams::default(),
            "empty values are absent, as a form sends them"
        );
        for (query, named) in [
            ("page=0", "page"),
            ("page=x", "page"),
            ("per_page=101", "per_page"),
            ("page=1&page=2", "page"),
            ("q=cancer", "'q'"),
        ] {
            let error = QueueParams::parse(query).unwrap_err();
            assert!(matches!(error, ApiError::InvalidParameter(_)), "{query}");
            assert!(error.to_string().contains(named), "{query}: {error}");
        }
    }
}
