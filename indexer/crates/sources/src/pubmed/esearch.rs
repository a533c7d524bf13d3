//! Reading ESearch responses (`eSearchResult` XML): the count, the ids, and
//! every sign that PubMed did not run the query as written.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::xml::{resolve_reference, TextBuffer};

/// What one ESearch call returned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchResult {
    /// Total matches for the query (not just the ids returned).
    pub count: u64,
    /// `RetStart` echoed by the server.
    pub retstart: u64,
    /// The PMIDs returned (at most `RetMax`).
    pub ids: Vec<String>,
    /// History-server session, when `usehistory=y` was sent.
    pub web_env: Option<String>,
    /// History-server key of this search.
    pub query_key: Option<String>,
    /// The query as PubMed actually ran it (automatic term mapping applied).
    pub query_translation: Option<String>,
    /// `ErrorList` entries, as `Kind: text` (e.g. `PhraseNotFound: abcXYZ`): parts of the query PubMed dropped.
    pub errors: Vec<String>,
    /// `WarningList` entries other than the routine "No items found." message.
    pub warnings: Vec<String>,
    /// A top-level `ERROR` element: the search itself failed.
    pub failure: Option<String>,
}

/// Why an ESearch body cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EsearchError {
    /// Not well-formed XML.
    #[error("malformed eSearchResult at byte {offset}: {message}")]
    Malformed {
        /// Byte offset of the fault.
        offset: u64,
        /// The XML error.
        message: String,
    },
    /// The document ended before `</eSearchResult>`.
    #[error("eSearchResult cut short (no closing </eSearchResult>)")]
    Truncated,
    /// The root element is something else (an HTML error page, JSON, …).
    #[error("not an eSearchResult document")]
    NotEsearch,
    /// `Count` is missing or not a number.
    #[error("eSearchResult has no valid <Count>")]
    NoCount,
}

/// Parses an ESearch XML body.
pub fn parse_esearch(body: &[u8]) -> Result<SearchResult, EsearchError> {
    let mut reader = Reader::from_reader(body);
    let mut buffer = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = TextBuffer::default();
    let mut result = SearchResult::default();
    let mut count = None;
    let mut closed = false;
    loop {
        let event =
            reader
                .read_event_into(&mut buffer)
                .map_err(|error| EsearchError::Malformed {
                    offset: reader.buffer_position(),
                    message: error.to_string(),
                })?;
        match event {
            Event::Start(element) => {
                let name = element.name().as_ref().to_owned();
                if path.is_empty() && name != "eSearchResult" {
                    return Err(EsearchError::NotEsearch);
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(element)
                if path.is_empty() && element.name().as_ref() != "eSearchResult" =>
            {
                return Err(EsearchError::NotEsearch);
            }
            Event::Text(raw) => text.push_str(&raw.xml10_content()),
            Event::CData(raw) => text.push_str(&raw.xml10_content()),
            Event::GeneralRef(reference) => text.push_str(&resolve_reference(&reference)),
            Event::End(_) => {
                let value = text.take();
                let parent = path.len().checked_sub(2).map(|i| path[i].as_str());
                match (parent, path.last().map(String::as_str)) {
                    // Only the top-level Count: TranslationStack has per-term Counts too.
                    (Some("eSearchResult"), Some("Count")) => count = value.parse::<u64>().ok(),
                    (Some("eSearchResult"), Some("RetStart")) => {
                        result.retstart = value.parse().unwrap_or(0);
                    }
                    (Some("eSearchResult"), Some("WebEnv")) => result.web_env = Some(value),
                    (Some("eSearchResult"), Some("QueryKey")) => result.query_key = Some(value),
                    (Some("eSearchResult"), Some("QueryTranslation")) => {
                        result.query_translation = Some(value);
                    }
                    (Some("eSearchResult"), Some("ERROR")) => result.failure = Some(value),
                    (Some("IdList"), Some("Id")) => result.ids.push(value),
                    (Some("ErrorList"), Some(kind)) => {
                        result.errors.push(format!("{kind}: {value}"))
                    }
                    // "No items found." is how an empty result says so, not a warning.
                    (Some("WarningList"), Some(kind))
                        if !(kind == "OutputMessage" && value == "No items found.") =>
                    {
                        result.warnings.push(format!("{kind}: {value}"));
                    }
                    (None, Some("eSearchResult")) => closed = true,
                    _ => {}
                }
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
        buffer.clear();
    }
    if !closed {
        return Err(
            if path.is_empty() && count.is_none() && result.failure.is_none() {
                EsearchError::NotEsearch
            } else {
                EsearchError::Truncated
            },
        );
    }
    match count {
        Some(count) => result.count = count,
        None if result.failure.is_some() => {}
        None => return Err(EsearchError::NoCount),
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_history_and_translation_but_not_nested_counts() {
        let xml = br#"<?xml version="1.0"?><eSearchResult><Count>2</Count><RetMax>2</RetMax><RetStart>0</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_1</WebEnv><IdList><Id>5</Id><Id>4</Id></IdList><TranslationSet/><TranslationStack><TermSet><Term>x</Term><Count>99</Count></TermSet></TranslationStack><QueryTranslation>"x"[All Fields]</QueryTranslation></eSearchResult>"#;
        let result = parse_esearch(xml).unwrap();
        assert_eq!(result.count, 2);
        assert_eq!(result.ids, ["5", "4"]);
        assert_eq!(result.web_env.as_deref(), Some("MCID_1"));
        assert_eq!(
            result.query_translation.as_deref(),
            Some("\"x\"[All Fields]")
        );
        assert!(result.errors.is_empty());
    }

    #[test]
    fn truncation_and_foreign_bodies_are_errors() {
        assert_eq!(
            parse_esearch(b"<eSearchResult><Count>2</Count><IdList><Id>5</Id>"),
            Err(EsearchError::Truncated)
        );
        assert_eq!(
            parse_esearch(b"<html><body>Bad gateway</body></html>"),
            Err(EsearchError::NotEsearch)
        );
        assert_eq!(
            parse_esearch(br#"{"error":"API rate limit exceeded"}"#),
            Err(EsearchError::NotEsearch)
        );
    }
}
