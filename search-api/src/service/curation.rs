//! Curators' decisions and re-tagging, as the JSON API and the review page
//! both make them: a decision is checked against the record and the roster
//! and appended to the journal `indexer curate` writes; a re-tag rewrites
//! the stored tags so decisions and roster changes show.

use hcs_index::IndexStore;
use hcs_tagging::curation::{checked_decision, DecisionRefused, SignedDecision};
use hcs_tagging::persist::store_tags;
use hcs_tagging::workspace::{self, decisions_path, Overrides};
use hcs_tagging::{DecisionLog, Verdict};
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// Memory the re-tagging writer may use.
const RETAG_WRITER_BYTES: usize = 128 * 1024 * 1024;
/// Longest accepted note, id or person id.
const MAX_FIELD_BYTES: usize = 2048;

/// A curator's decision as posted.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// accept or reject.
    pub(crate) decision: Verdict,
    /// Roster person id, or 'inferred' for the tier-2 guess.
    pub(crate) person_id: String,
    /// The record's id.
    pub(crate) record_id: String,
    /// Byline position, or 1-based place among a grant's people.
    #[schema(minimum = 1)]
    pub(crate) position: u32,
    /// The curator's note.
    #[serde(default)]
    pub(crate) note: Option<String>,
}

/// Checks a decision against the record and the roster and appends it to the
/// journal as made `by` that curator, now (shared by the API and the review page).
pub async fn record_decision(
    state: &AppState,
    request: DecisionRequest,
    by: String,
) -> Result<SignedDecision, ApiError> {
    for (name, value) in [
        ("person_id", Some(&request.person_id)),
        ("record_id", Some(&request.record_id)),
        ("note", request.note.as_ref()),
    ] {
        if value.is_some_and(|v| v.len() > MAX_FIELD_BYTES) {
            return Err(ApiError::InvalidBody(format!(
                "{name} is longer than {MAX_FIELD_BYTES} bytes"
            )));
        }
    }
    let signed = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            let Some((record, _)) =
                state
                    .engine()
                    .find(&searcher, state.store(), &request.record_id)?
            else {
                return Err(ApiError::NotFound(format!(
                    "no record '{}'",
                    request.record_id
                )));
            };
            let decision = checked_decision(
                state.data_dir(),
                &record,
                request.decision,
                &request.person_id,
                request.position,
                request.note,
            )
            .map_err(|refused| match refused {
                DecisionRefused::Tagging(error) => ApiError::internal(error),
                refused => ApiError::InvalidBody(refused.to_string()),
            })?;
            let signed = SignedDecision {
                decision,
                by: Some(by),
            };
            let mut log =
                DecisionLog::open(&decisions_path(state.data_dir())).map_err(ApiError::internal)?;
            log.record_signed(signed.clone())
                .map_err(ApiError::internal)?;
            Ok(signed)
        })
        .await?;
    // The curator's name is logged; the token it came with never is.
    tracing::info!(
        record = %signed.decision.record_id,
        position = signed.decision.position,
        by = signed.by.as_deref().unwrap_or_default(),
        "curator decision recorded"
    );
    Ok(signed)
}

/// Re-tags the whole index from the data directory's roster, decisions and reference data.
pub fn retag(data_dir: &std::path::Path) -> Result<hcs_tagging::persist::TagSummary, String> {
    let mut loaded =
        workspace::load(data_dir, &Overrides::default(), true).map_err(|e| e.to_string())?;
    let digest =
        workspace::inputs_digest(data_dir, &Overrides::default()).map_err(|e| e.to_string())?;
    let store = IndexStore::open_existing(data_dir).map_err(|e| e.to_string())?;
    store_tags(&store, &mut loaded.tagger, RETAG_WRITER_BYTES, &digest).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_refuse_unknown_fields_and_verdicts() {
        assert!(serde_json::from_str::<DecisionRequest>(
            r#"{"decision":"accept","person_id":"p","record_id":"pmid:1","position":1}"#
        )
        .is_ok());
        assert!(serde_json::from_str::<DecisionRequest>(
            r#"{"decision":"maybe","person_id":"p","record_id":"pmid:1","position":1}"#
        )
        .is_err());
        assert!(serde_json::from_str::<DecisionRequest>(
            r#"{"decision":"accept","person_id":"p","record_id":"pmid:1","position":1,"x":1}"#
        )
        .is_err());
    }
}
