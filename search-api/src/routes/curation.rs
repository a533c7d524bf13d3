//! Writes, behind bearer tokens: `POST /api/curation/decisions` (a curator
//! accepts or rejects an attribution) and `POST`/`GET /api/admin/retag`
//! (re-tag the index so decisions and roster changes show).
//!
//! Decisions go to the same append-only journal `indexer curate` writes,
//! synced before the answer; they take effect at the next re-tag.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::auth::{Admin, Curator};
use crate::dto::curation::DecisionRecorded;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::service::curation::{record_decision, retag, DecisionRequest};
use crate::state::{AppState, RetagStatus};

/// Records a curator's decision, with the name of the token it came with.
#[utoipa::path(
    post,
    path = "/api/curation/decisions",
    summary = "Accept or reject an attribution (applies from the next re-tag)",
    security(("bearer" = [])),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "The decision as journalled", body = DecisionRecorded),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid curator token", body = ErrorBody),
        (status = 404, description = "No such record", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Not a valid decision", body = ErrorBody)
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    curator: Curator,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> Result<(StatusCode, Json<DecisionRecorded>), ApiError> {
    let recorded = record_decision(&state, request, curator.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(DecisionRecorded {
            recorded,
            takes_effect: "at the next re-tag (POST /api/admin/retag)",
        }),
    ))
}

/// Starts re-tagging the index in the background: 202, or 409 while one runs.
#[utoipa::path(
    post,
    path = "/api/admin/retag",
    summary = "Re-tag the index in the background",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "The job state", body = RetagStatus),
        (status = 401, description = "No valid admin token", body = ErrorBody),
        (status = 409, description = "A re-tag is running", body = ErrorBody)
    )
)]
pub async fn start_retag(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<(StatusCode, Json<RetagStatus>), ApiError> {
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
    Ok((StatusCode::ACCEPTED, Json(state.retag_status())))
}

/// The re-tagging job's state.
#[utoipa::path(
    get,
    path = "/api/admin/retag",
    summary = "The re-tag job's state",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The job state", body = RetagStatus),
        (status = 401, description = "No valid admin token", body = ErrorBody)
    )
)]
pub async fn retag_status(State(state): State<AppState>, _admin: Admin) -> Json<RetagStatus> {
    Json(state.retag_status())
}
