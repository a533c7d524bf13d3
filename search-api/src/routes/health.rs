//! `GET /health`: liveness plus the number of records being served.

use axum::extract::State;
use axum::Json;
use serde::Serialize;

use crate::state::AppState;

/// The health report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `"ok"` when the service answers.
    pub status: &'static str,
    /// Records in the commit currently served.
    pub documents: u64,
}

/// Answers 200 with the status and document count (cheap: no index scan).
#[utoipa::path(
    get,
    path = "/health",
    summary = "Liveness and document count",
    responses((status = 200, description = "The service answers", body = Health))
)]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        documents: state.searcher().num_docs(),
    })
}
