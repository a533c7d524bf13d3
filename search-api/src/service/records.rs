//! One stored record by id, with its tags, for the record routes and pages.

use hcs_model::records::Record;
use hcs_tagging::SlotTag;

use crate::error::ApiError;
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
pub async fn find_record(
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
