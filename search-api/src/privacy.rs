//! What may leave the service: stored records minus personal contact data.
//!
//! PubMed affiliations carry e-mail addresses, which the indexer keeps in each
//! author's `email` field. Authorship is public; a harvested address book is
//! not, so no response ever includes an `email` key, and any address left in
//! an affiliation string is cut out as well.

use indexer::records::Record;
use indexer::tagging::{annotate, SlotTag};
use serde_json::Value;

/// Replacement for an address found inside an affiliation.
const REDACTED: &str = "[email removed]";

/// The record as JSON for serving: every `email` key removed, addresses in affiliations redacted.
pub fn public_record(record: &Record) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(record)?;
    scrub(&mut value);
    Ok(value)
}

/// The record with each person's healthcare-scientist tag beside them
/// (`authors[i].hcs`, `people[i].hcs`), scrubbed like [`public_record`].
/// Tags carry only published facts and the roster's opaque person id.
pub fn public_tagged_record(record: &Record, tags: &[SlotTag]) -> Value {
    let mut value = annotate(record, tags);
    scrub(&mut value);
    value
}

fn scrub(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("email");
            for (key, child) in map.iter_mut() {
                if key == "affiliations" {
                    redact_strings(child);
                } else {
                    scrub(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub),
        _ => {}
    }
}

fn redact_strings(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Some(clean) = redact_addresses(text) {
                *text = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_strings),
        Value::Object(_) => scrub(value),
        _ => {}
    }
}

/// `text` with e-mail-like words replaced, or `None` when there are none.
pub fn redact_addresses(text: &str) -> Option<String> {
    if !text.split_whitespace().any(looks_like_address) {
        return None;
    }
    let words: Vec<&str> = text
        .split(' ')
        .map(|word| {
            if looks_like_address(word) {
                REDACTED
            } else {
                word
            }
        })
        .collect();
    Some(words.join(" "))
}

fn looks_like_address(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    match word.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexer::records::{Author, Publication};

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
        let json = public_record(&Record::Publication(Box::new(publication))).unwrap();
        let text = json.to_string();
        assert!(!text.contains("email\""), "{text}");
        assert!(!text.contains("example.org"), "{text}");
        assert!(text.contains("Dept X, Town. [email removed]"), "{text}");
    }
}
