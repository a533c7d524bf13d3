//! What may leave the service: stored records minus personal contact data.
//!
//! PubMed affiliations carry e-mail addresses, which the indexer keeps in each
//! author's `email` field for matching. Authorship is public; a harvested
//! address book is not, so no response ever includes an `email` key, and an
//! address in any text (affiliations, abstracts, copyright lines, titles) is
//! replaced by a marker — once when records are read for serving, and again,
//! as a backstop, on every text body that leaves.

use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use hcs_model::records::Record;
use hcs_model::redact::{contains_address, redact_addresses};
use hcs_tagging::{SlotTag, TaggedRecord};

/// The record with each person's healthcare-scientist tag beside them
/// (`authors[i].hcs`, `people[i].hcs`) and no `email` on anyone.
///
/// Texts are redacted when records are read for serving
/// ([`hcs_index::IndexStore::for_serving`]); the addresses PubMed keeps
/// beside authors are dropped here as well, so a record read any other way
/// still cannot carry them out. Tags carry only published facts and the
/// roster's opaque person id.
pub fn public_tagged_record(mut record: Record, tags: &[SlotTag]) -> TaggedRecord {
    if let Record::Publication(publication) = &mut record {
        for author in publication
            .authors
            .iter_mut()
            .chain(publication.investigators.iter_mut())
        {
            author.email = None;
        }
    }
    TaggedRecord::new(record, tags)
}

/// The last line of defence: a text body (JSON, CSV, HTML) that still holds
/// an e-mail-shaped string has it replaced before it leaves.
///
/// Records are redacted when read ([`hcs_index::IndexStore::for_serving`]),
/// so this fires only for text that came from elsewhere (a query echoed in an
/// error or a page); it logs that it did, never the address.
pub async fn redact_response_bodies(response: Response) -> Response {
    let is_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|kind| {
            kind.starts_with("application/json")
                || kind.starts_with("text/")
                || kind.contains("+json")
        });
    if !is_text {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(%error, "could not read a response body to check it for addresses");
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, Body::empty());
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if !contains_address(text) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    tracing::warn!(status = %parts.status, "an e-mail address reached a response body; redacted");
    let clean = redact_addresses(text).into_owned();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(clean))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcs_model::records::{Author, Publication};

    #[test]
    fn emails_never_leave() {
        let publication = Publication {
            id: "pmid:1".into(),
            authors: vec![Author {
                position: 1,
                family: Some("Doe".into()),
                email: Some("jane@example.org".into()),
                affiliations: vec!["Dept X, Town. jane@example.org.".into()],
                ..Author::default()
            }],
            investigators: vec![Author {
                position: 1,
                email: Some("inv@example.org".into()),
                ..Author::default()
            }],
            ..Publication::default()
        };
        // Read for serving, as the service reads every record.
        let stored = serde_json::to_string(&Record::Publication(Box::new(publication))).unwrap();
        let served: Record = hcs_model::redact::decode_redacted(&stored).unwrap();
        let text = serde_json::to_string(&public_tagged_record(served, &[])).unwrap();
        assert!(!text.contains("email\""), "{text}");
        assert!(!text.contains("example.org"), "{text}");
        assert!(text.contains("Dept X, Town. [email removed]"), "{text}");
        // And a record read any other way still leaves without the addresses.
        let raw: Record = serde_json::from_str(&stored).unwrap();
        let text = serde_json::to_string(&public_tagged_record(raw, &[])).unwrap();
        assert!(!text.contains("email\""), "{text}");
    }
}
