//! `GET /api/publications/{id}` and `GET /api/grants/{id}`: one stored record
//! with its healthcare-scientist tags, without personal contact data.

use axum::extract::State;
use axum::Json;
use hcs_tagging::tagged::TaggedGrant;
use hcs_tagging::TaggedRecord;

use crate::dto::records::{GrantRecord, LinkedOutput};
use crate::error::{ApiError, LookupErrors};
use crate::extract::ApiPath;
use hcs_model::records::Record;
use hcs_read::links::grant_outputs;

use crate::privacy::public_tagged_record;
use crate::service::records::find_record;
use crate::state::AppState;

/// Answers the canonical record JSON for `id` (e.g. `pmid:12345`), each
/// author with their tag, or 404 `not_found`.
#[utoipa::path(
    get,
    path = "/api/publications/{id}",
    summary = "One record with each author's healthcare-scientist tag",
    params(("id" = String, Path, description = "pmid:…, doi:…, a bare PMID, or another record id")),
    responses(
        (status = 200, description = "The record; authors[i].hcs carries tier, person_id, discipline, division, organisation, role, band, score, evidence", body = TaggedRecord),
        LookupErrors
    )
)]
pub async fn publication(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TaggedRecord>, ApiError> {
    match find_record(&state, &id).await? {
        (_, Some((record, tags))) => Ok(Json(public_tagged_record(record, &tags))),
        (id, None) => Err(ApiError::NotFound(format!("no publication with id '{id}'"))),
    }
}

/// Answers a grant (`grant:<funder>:<reference>`) with its tagged people and
/// its outputs, each with how the link was made, or 404 `not_found`.
#[utoipa::path(
    get,
    path = "/api/grants/{id}",
    summary = "A grant with its tagged people and its outputs, each with how the link was made",
    params(("id" = String, Path, description = "grant:<funder>:<reference>")),
    responses(
        (status = 200, description = "The grant with people[i].hcs and linked_outputs", body = GrantRecord),
        LookupErrors
    )
)]
pub async fn grant(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GrantRecord>, ApiError> {
    let (id, found) = find_record(&state, &id).await?;
    let Some((Record::Grant(grant), tags)) = found else {
        return Err(ApiError::NotFound(format!("no grant with id '{id}'")));
    };
    // A grant's people carry no contact data, so the grant is served as stored.
    let grant = TaggedGrant::new(grant, &tags);
    let (grant, outputs) = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            let outputs = grant_outputs(state.store(), &searcher, &grant.grant)
                .map_err(ApiError::internal)?;
            Ok((grant, outputs))
        })
        .await?;
    let linked_outputs = outputs
        .into_iter()
        .map(|output| LinkedOutput {
            identifiers: output.link.identifiers,
            method: output.link.method,
            record_id: output.record_id,
            title: output.link.title,
        })
        .collect();
    Ok(Json(GrantRecord {
        grant,
        linked_outputs,
    }))
}
