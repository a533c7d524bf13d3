//! `GET /api/publications/{id}` and `GET /api/grants/{id}`: one stored record
//! with its healthcare-scientist tags, without personal contact data.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use crate::error::ApiError;
use crate::extract::ApiPath;
use indexer::links::grant_outputs;
use indexer::records::Record;
use indexer::tagging::SlotTag;

use crate::privacy::public_tagged_record;
use crate::state::AppState;

/// Longest id looked up; anything longer cannot exist.
const MAX_ID_BYTES: usize = 512;

/// Normalises an id as the indexer writes them: a bare number is a PMID, DOIs are lower-cased.
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        return format!("pmid:{id}");
    }
    match id.split_once(':') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("doi") => {
            format!("doi:{}", rest.to_lowercase())
        }
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("pmid") => format!("pmid:{rest}"),
        _ => id.to_owned(),
    }
}

/// Looks a record up by id, with its tags; 400 for an impossible id.
pub(crate) async fn find_record(
    state: &AppState,
    id: &str,
) -> Result<(String, Option<(Record, Vec<SlotTag>)>), ApiError> {
    if id.len() > MAX_ID_BYTES {
        return Err(ApiError::InvalidParameter(format!(
            "the id is longer than {MAX_ID_BYTES} bytes"
        )));
    }
    let id = normalize_id(id);
    let lookup = id.clone();
    let found = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            Ok(state.engine().find(&searcher, state.store(), &lookup)?)
        })
        .await?;
    Ok((id, found))
}

/// Answers the canonical record JSON for `id` (e.g. `pmid:12345`), each
/// author with their tag, or 404 `not_found`.
pub async fn publication(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    match find_record(&state, &id).await? {
        (_, Some((record, tags))) => Ok(Json(public_tagged_record(&record, &tags))),
        (id, None) => Err(ApiError::NotFound(format!("no publication with id '{id}'"))),
    }
}

/// Answers a grant (`grant:<funder>:<reference>`) with its tagged people and
/// its outputs, each with how the link was made, or 404 `not_found`.
pub async fn grant(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let (id, found) = find_record(&state, &id).await?;
    let Some((Record::Grant(grant), tags)) = found else {
        return Err(ApiError::NotFound(format!("no grant with id '{id}'")));
    };
    let record = Record::Grant(grant);
    let outputs = state
        .run_blocking({
            let record = record.clone();
            move |state| {
                let Record::Grant(grant) = &record else {
                    return Ok(Vec::new());
                };
                let searcher = state.searcher();
                grant_outputs(state.store(), &searcher, grant).map_err(ApiError::internal)
            }
        })
        .await?;
    let mut value = public_tagged_record(&record, &tags);
    let linked: Vec<Value> = outputs
        .iter()
        .map(|output| {
            serde_json::json!({
                "record_id": output.record_id,
                "method": output.link.method,
                "identifiers": output.link.identifiers,
                "title": output.link.title,
            })
        })
        .collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("linked_outputs".into(), Value::Array(linked));
    }
    Ok(Json(value))
}

#[cfg(test)]
mod tests {
    use super::normalize_id;

    #[test]
    fn ids_are_normalised() {
        assert_eq!(normalize_id("12345"), "pmid:12345");
        assert_eq!(normalize_id("PMID:12345"), "pmid:12345");
        assert_eq!(
            normalize_id("DOI:10.1093/OMCR/omz057"),
            "doi:10.1093/omcr/omz057"
        );
        assert_eq!(normalize_id("pubmed-book:x"), "pubmed-book:x");
    }
}
