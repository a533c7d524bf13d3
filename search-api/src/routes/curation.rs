//! Writes, behind bearer tokens: `POST /api/curation/decisions` (a curator
//! accepts or rejects an attribution) and `POST`/`GET /api/admin/retag`
//! (re-tag the index so decisions and roster changes show).
//!
//! Decisions go to the same append-only journal `indexer curate` writes,
//! synced before the answer; they take effect at the next re-tag.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use crate::auth::{Admin, Curator};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::service::curation::{record_decision, retag, DecisionRequest};
use crate::state::AppState;

/// Records a curator's decision, with the name of the token it came with.
pub async fn decide(
    State(state): State<AppState>,
    curator: Curator,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let decision = record_decision(&state, request, curator.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({ "recorded": decision, "takes_effect": "at the next re-tag (POST /api/admin/retag)" }),
        ),
    ))
}

/// Starts re-tagging the index in the background: 202, or 409 while one runs.
pub async fn start_retag(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !state.begin_retag() {
        return Err(ApiError::Conflict(
            "a re-tag is already running; GET /api/admin/retag for its state".into(),
        ));
    }
    let job = state.clone();
    tokio::task::spawn_blocking(move || {
        let outcome = retag(job.data_dir());
        if let Err(error) = &outcome {
            tracing::error!(%error, "re-tag failed");
        }
        job.end_retag(outcome);
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::to_value(state.retag_status()).map_err(ApiError::internal)?),
    ))
}

/// The re-tagging job's state.
pub async fn retag_status(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        serde_json::to_value(state.retag_status()).map_err(ApiError::internal)?,
    ))
}
