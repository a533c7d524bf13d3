//! `GET /api/review`: the curators' review queue as JSON (curator token);
//! the queue itself is [`crate::service::review`].

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::Curator;
use crate::dto::review::ReviewPage;
use crate::error::{ApiError, ErrorBody};
use crate::service::review::{queue_page, tags_header, QueueParams};
use crate::service::TAGS_HEADER;
use crate::state::AppState;

/// `GET /api/review`: the queue as JSON (curator token).
#[utoipa::path(
    get,
    path = "/api/review",
    summary = "The curators' review queue: every roster match in the review band, newest records first, with its evidence and any decision recorded for it",
    security(("bearer" = [])),
    params(QueueParams),
    responses(
        (status = 200, description = "The queue; X-Tags-Status says whether the tags are older than the decisions", body = ReviewPage,
            headers(("X-Tags-Status" = String, description = "current, or stale when the roster or decisions changed since the last re-tag"))),
        (status = 400, description = "A parameter is invalid", body = ErrorBody),
        (status = 401, description = "No valid curator token", body = ErrorBody)
    )
)]
pub async fn queue(
    State(state): State<AppState>,
    _curator: Curator,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let params = QueueParams::parse(query.as_deref().unwrap_or_default())?;
    let page = state
        .run_blocking(move |state| queue_page(state, &params))
        .await?;
    let freshness = tags_header(&page.tags);
    let mut response = Json(page).into_response();
    let headers = response.headers_mut();
    headers.insert(TAGS_HEADER, freshness);
    // Names of staff behind a token: no cache may keep them.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
