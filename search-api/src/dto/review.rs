//! The JSON the review queue answers with: what a curator sees of one
//! candidate authorship, and one page of them.

use hcs_tagging::model::Band;
use hcs_tagging::persist::TagsStatus;
use hcs_tagging::Verdict;
use serde::Serialize;
use utoipa::ToSchema;

/// The author as the record publishes them.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct PublishedAuthor {
    /// Name as published.
    pub name: String,
    /// Affiliations as published (a grant person's organisation), addresses removed.
    pub affiliations: Vec<String>,
}

/// The roster person the scorer proposes: only what a curator needs to judge.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct ProposedPerson {
    /// The roster's opaque id.
    pub person_id: String,
    /// The name as the roster writes it (primary name only; never other names).
    pub name: Option<String>,
    /// The organisation the match counts under (current name).
    pub organisation: Option<String>,
    /// The discipline.
    pub discipline: Option<String>,
}

/// One feature of the score.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct EvidencePoint {
    /// Feature name (`orcid`, `given_name`, `organisation`…).
    pub feature: String,
    /// Contribution to the log-odds score (negative against).
    pub points: f64,
    /// What was compared, in public terms.
    pub detail: String,
}

/// A decision in force for the slot.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct RecordedDecision {
    /// The person decided on: the proposed one, another roster person, or `inferred`.
    pub person_id: String,
    /// Accept or reject.
    pub verdict: Verdict,
    /// The curator (their token's name); absent for decisions made with `indexer curate`.
    pub by: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The curator's note.
    pub note: Option<String>,
}

/// One candidate authorship awaiting review.
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct ReviewItem {
    /// Record id (`pmid:…`, `grant:…`).
    pub record_id: String,
    /// `publication` or `grant`.
    #[schema(value_type = String)]
    pub kind: &'static str,
    /// The record's title.
    pub title: String,
    /// Publication year, or a grant's start year.
    pub year: Option<u16>,
    /// Byline position, or 1-based place among a grant's people.
    pub position: u32,
    /// The author as published.
    pub author: PublishedAuthor,
    /// The roster person proposed.
    pub proposed: ProposedPerson,
    /// 0–100.
    pub score: u8,
    /// The band (`review`).
    pub band: Band,
    /// Every feature that fired, with its points.
    pub evidence: Vec<EvidencePoint>,
    /// The decision in force for this slot, if a curator has made one.
    pub decision: Option<RecordedDecision>,
    /// Family name and first initial: the key decisions are bound to.
    #[serde(skip)]
    #[schema(ignore)]
    pub(crate) author_key: String,
}

/// An organisation in the queue, with how many slots it has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, ToSchema)]
pub struct OrganisationCount {
    /// Current name.
    pub name: String,
    /// Slots awaiting review.
    pub count: usize,
}

/// One page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewPage {
    /// Slots awaiting review (after the organisation filter).
    pub total: usize,
    /// This page.
    pub page: usize,
    /// Items per page.
    pub per_page: usize,
    /// Pages in all.
    pub pages: usize,
    /// Every slot awaiting review, before the organisation filter.
    pub queued: usize,
    /// The organisation filter, when given.
    pub organisation: Option<String>,
    /// Every organisation in the queue (before the filter), most slots first.
    pub organisations: Vec<OrganisationCount>,
    /// True when more review-band records exist than the queue reads (the newest 10,000: [`crate::service::review::MAX_QUEUE_RECORDS`]).
    pub truncated: bool,
    /// Whether the stored tags are older than the roster or the decisions:
    /// `{state: current, at}` or `{state: stale, reason}`.
    pub tags: TagsStatus,
    /// The same, in a sentence.
    pub tags_sentence: String,
    /// When decisions count.
    pub takes_effect: &'static str,
    /// The slots of this page, newest records first.
    pub items: Vec<ReviewItem>,
}
