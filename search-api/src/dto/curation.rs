//! The JSON of the curation writes.

use hcs_tagging::curation::SignedDecision;
use serde::Serialize;
use utoipa::ToSchema;

/// What `POST /api/curation/decisions` answers: the decision as journalled.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionRecorded {
    /// The decision with who made it and when.
    pub recorded: SignedDecision,
    /// When it counts.
    pub takes_effect: &'static str,
}
