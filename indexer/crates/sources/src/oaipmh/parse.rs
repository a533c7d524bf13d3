//! OAI-PMH 2.0 responses: the page envelope (errors, headers, resumption
//! token) and the `oai_dc` → [`Publication`] mapping.
//!
//! A page counts only when it is a complete `<OAI-PMH>` document; the caller
//! decides what each `<error code>` means.

use std::borrow::Cow;

use super::dom::{self, DomError, Element};
use crate::xml::TextBuffer;
use hcs_model::ids;
use hcs_model::records::{
    Abstract, AbstractSection, Author, Identifiers, Keyword, Provenance, Publication,
    PublicationDate, PublicationKind,
};

/// A page that cannot be used: which problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// Truncated, empty or malformed XML.
    #[error(transparent)]
    Xml(#[from] DomError),
    /// Well-formed, but not an OAI-PMH response (an HTML error page, say).
    #[error("not an OAI-PMH response: the root element is <{0}>")]
    NotOai(String),
    /// An OAI-PMH response with neither an error nor the list element.
    #[error("OAI-PMH response has neither <error> nor <{0}>")]
    NoList(String),
    /// A record without the header fields every record must have.
    #[error("record {index} has no {field}")]
    BadHeader {
        /// 1-based position of the record in the page.
        index: usize,
        /// The missing field.
        field: &'static str,
    },
}

/// An `<error code="…">` of an OAI-PMH response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiError {
    /// The error code (`noRecordsMatch`, `badResumptionToken`, …).
    pub code: String,
    /// The server's message (may be empty).
    pub message: String,
}

/// The `<resumptionToken>` closing an incomplete list (or, empty, the last page).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumptionToken {
    /// The opaque token; empty on the page that completes the list.
    pub value: String,
    /// Records returned before this page (the spec's `cursor`).
    pub cursor: Option<u64>,
    /// Size of the whole list, when the server says.
    pub complete_list_size: Option<u64>,
    /// When the token stops working (UTC datetime), when the server says.
    pub expiration_date: Option<String>,
}

/// One `<record>` (or a bare `<header>` of a ListIdentifiers page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiRecord {
    /// The OAI identifier (the record's id in the repository).
    pub identifier: String,
    /// Last create, modify or delete time.
    pub datestamp: String,
    /// `<header status="deleted">`.
    pub deleted: bool,
    /// The metadata payload (e.g. `oai_dc:dc`), absent for deleted and header-only records.
    pub metadata: Option<Element>,
}

/// A complete OAI-PMH list response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OaiPage {
    /// `<responseDate>`.
    pub response_date: Option<String>,
    /// `<error>` elements (several are allowed).
    pub errors: Vec<OaiError>,
    /// Records in page order.
    pub records: Vec<OaiRecord>,
    /// The resumption token, if the page carries one.
    pub token: Option<ResumptionToken>,
}

impl OaiPage {
    /// The token to ask for next, if the list continues (absent or empty means it ended).
    pub fn next_token(&self) -> Option<&str> {
        self.token
            .as_ref()
            .map(|token| token.value.as_str())
            .filter(|value| !value.is_empty())
    }

    /// The first error with `code`, if any.
    pub fn error(&self, code: &str) -> Option<&OaiError> {
        self.errors.iter().find(|error| error.code == code)
    }
}

/// Parses a ListRecords page (a ListIdentifiers page reads as header-only records).
pub fn parse_page(bytes: &[u8]) -> Result<OaiPage, PageError> {
    let root = dom::parse(bytes)?;
    if root.name != "OAI-PMH" {
        return Err(PageError::NotOai(root.name));
    }
    let mut page = OaiPage {
        response_date: root.text_at(&["responseDate"]),
        ..OaiPage::default()
    };
    for error in root.all("error") {
        page.errors.push(OaiError {
            code: error.attr("code").unwrap_or_default().to_owned(),
            message: error.text(),
        });
    }
    let list = root
        .child("ListRecords")
        .or_else(|| root.child("ListIdentifiers"));
    let Some(list) = list else {
        if page.errors.is_empty() {
            return Err(PageError::NoList("ListRecords".to_owned()));
        }
        return Ok(page);
    };
    for (index, item) in list.elements().enumerate() {
        let (header, metadata) = match item.name.as_str() {
            "record" => (item.child("header"), item.child("metadata")),
            "header" => (Some(item), None),
            "resumptionToken" => {
                page.token = Some(ResumptionToken {
                    value: item.text(),
                    cursor: item.attr("cursor").and_then(|v| v.trim().parse().ok()),
                    complete_list_size: item
                        .attr("completeListSize")
                        .and_then(|v| v.trim().parse().ok()),
                    expiration_date: item.attr("expirationDate").map(str::to_owned),
                });
                continue;
            }
            _ => continue,
        };
        let index = index + 1;
        let header = header.ok_or(PageError::BadHeader {
            index,
            field: "header",
        })?;
        let identifier = header
            .text_at(&["identifier"])
            .ok_or(PageError::BadHeader {
                index,
                field: "identifier",
            })?;
        page.records.push(OaiRecord {
            identifier,
            datestamp: header.text_at(&["datestamp"]).unwrap_or_default(),
            deleted: header.attr("status") == Some("deleted"),
            metadata: metadata.and_then(|m| m.elements().next()).cloned(),
        });
    }
    Ok(page)
}

/// Why a record was not mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// A live record with no metadata (a header-only list, or an empty `<metadata>`).
    #[error("no metadata")]
    NoMetadata,
    /// No `dc:title`.
    #[error("no title")]
    NoTitle,
}

/// Where a mapped record came from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// Source name, `oai:<repository>`.
    pub source: &'a str,
    /// The request URL.
    pub location: &'a str,
    /// When the response was received (RFC 3339).
    pub fetched_at: &'a str,
}

/// Maps a Dublin Core record (`oai_dc`, or any `dc:`-element format) to a publication.
pub fn map_record(record: &OaiRecord, origin: Origin<'_>) -> Result<Publication, SkipReason> {
    let dc = record.metadata.as_ref().ok_or(SkipReason::NoMetadata)?;
    let values = |name: &str| -> Vec<String> {
        dc.all(name)
            .map(|element| html_to_text(&element.text()))
            .filter(|text| !text.is_empty())
            .collect()
    };
    let title = values("title")
        .into_iter()
        .next()
        .ok_or(SkipReason::NoTitle)?;
    let published = publication_date(&values("date"));
    let identifier_values = values("identifier");
    let relation_values = values("relation");
    let mut identifiers = Identifiers::default();
    // dc:identifier describes the item itself; dc:relation often points at a
    // related work (Zenodo's concept DOI), so it is only a fallback.
    for value in identifier_values.iter().chain(&relation_values) {
        if identifiers.doi.is_none() {
            identifiers.doi = find_doi(value);
        }
    }
    for value in &identifier_values {
        if identifiers.pmid.is_none() {
            identifiers.pmid = find_pmid(value);
        }
        if identifiers.pmcid.is_none() {
            identifiers.pmcid = find_pmcid(value);
        }
    }
    let authors = values("creator")
        .iter()
        .enumerate()
        .map(|(index, name)| author(name, index as u32 + 1))
        .collect();
    let types: Vec<String> = values("type").iter().map(|t| short_type(t)).collect();
    let kind = if types
        .iter()
        .any(|t| t.to_ascii_lowercase().contains("book"))
    {
        PublicationKind::Book
    } else {
        PublicationKind::Article
    };
    let abstract_text = values("description").into_iter().next();
    let mut languages: Vec<String> = Vec::new();
    for language in values("language") {
        if let Some(code) = language_code(&language) {
            if !languages.contains(&code) {
                languages.push(code);
            }
        }
    }
    let keywords = values("subject")
        .into_iter()
        .map(|text| Keyword {
            text,
            major_topic: false,
        })
        .collect();
    let fallback = format!("{}:{}", origin.source, record.identifier);
    Ok(Publication {
        id: Publication::stable_id(&identifiers, || fallback),
        kind,
        identifiers,
        title,
        vernacular_title: None,
        r#abstract: abstract_text.map(|text| Abstract {
            sections: vec![AbstractSection {
                label: None,
                category: None,
                text,
            }],
            copyright: None,
        }),
        journal: None,
        published,
        publication_types: types,
        mesh: Vec::new(),
        keywords,
        languages,
        grants: Vec::new(),
        authors,
        investigators: Vec::new(),
        status: None,
        provenance: vec![Provenance {
            source: origin.source.to_owned(),
            location: origin.location.to_owned(),
            fetched_at: origin.fetched_at.to_owned(),
            record_id: Some(record.identifier.clone()),
        }],
    })
}

/// The publication date from the `dc:date` values.
///
/// DSpace lists the accession and availability dates next to the issue date,
/// and a deposit never precedes publication, so the earliest year wins. Month
/// and day are kept only when there is a single date, because with several we
/// cannot tell which one is the publication's.
fn publication_date(dates: &[String]) -> Option<PublicationDate> {
    let years: Vec<u16> = dates.iter().filter_map(|d| first_year(d)).collect();
    let year = years.iter().copied().min()?;
    let mut date = PublicationDate {
        year,
        ..PublicationDate::default()
    };
    if let [only] = dates {
        let parts: Vec<&str> = only
            .get(..10.min(only.len()))
            .unwrap_or("")
            .split('-')
            .collect();
        if parts
            .first()
            .is_some_and(|y| y.parse::<u16>().ok() == Some(year))
        {
            date.month = parts
                .get(1)
                .and_then(|m| m.parse::<u8>().ok())
                .filter(|m| (1..=12).contains(m));
            if date.month.is_some() {
                date.day = parts
                    .get(2)
                    .and_then(|d| d.parse::<u8>().ok())
                    .filter(|d| (1..=31).contains(d));
            }
        }
    }
    Some(date)
}

/// The first run of exactly four digits that reads as a plausible year.
fn first_year(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        if !bytes[start].is_ascii_digit() {
            start += 1;
            continue;
        }
        let end = bytes[start..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |offset| start + offset);
        if end - start == 4 {
            if let Ok(year) = text[start..end].parse::<u16>() {
                if (1000..=2999).contains(&year) {
                    return Some(year);
                }
            }
        }
        start = end;
    }
    None
}

/// "Surname, Forename" (the `oai_dc` convention) or "Forename Surname".
fn author(name: &str, position: u32) -> Author {
    let (family, given) = match name.split_once(',') {
        Some((family, given)) => (family.trim(), Some(given.trim())),
        None => match name.trim().rsplit_once(' ') {
            Some((given, family)) => (family.trim(), Some(given.trim())),
            None => (name.trim(), None),
        },
    };
    let given = given.filter(|g| !g.is_empty());
    Author {
        position,
        family: Some(family.to_owned()),
        given: given.map(str::to_owned),
        initials: given.map(initials).filter(|i| !i.is_empty()),
        ..Author::default()
    }
}

fn initials(given: &str) -> String {
    given
        .split(|c: char| c.is_whitespace() || c == '.' || c == '-')
        .filter_map(|part| part.chars().next())
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_uppercase)
        .collect()
}

/// `info:eu-repo/semantics/article` → `article`; other types as published.
fn short_type(value: &str) -> String {
    match value.strip_prefix("info:eu-repo/semantics/") {
        Some(rest) => rest.to_owned(),
        None => value.to_owned(),
    }
}

/// Languages as ISO 639-2/B codes, the form PubMed uses, so sources agree.
fn language_code(value: &str) -> Option<String> {
    let code = value
        .split(['_', '-'])
        .next()
        .unwrap_or(value)
        .trim()
        .to_ascii_lowercase();
    if code.is_empty() || code == "other" || code == "und" {
        return None;
    }
    let mapped = match code.as_str() {
        "en" => "eng",
        "cy" => "wel",
        "fr" => "fre",
        "de" => "ger",
        "es" => "spa",
        "it" => "ita",
        "nl" => "dut",
        "pt" => "por",
        "zh" => "chi",
        "ja" => "jpn",
        "ru" => "rus",
        "ar" => "ara",
        "pl" => "pol",
        "sv" => "swe",
        "da" => "dan",
        "no" | "nb" | "nn" => "nor",
        "fi" => "fin",
        "el" => "gre",
        "tr" => "tur",
        "ko" => "kor",
        "ga" => "gle",
        "gd" => "gla",
        other => other,
    };
    Some(mapped.to_owned())
}

/// Finds a DOI in a URL (`https://doi.org/…`), a `doi:` value or free text.
pub fn find_doi(text: &str) -> Option<String> {
    let mut search = 0;
    while let Some(offset) = text[search..].find("10.") {
        let start = search + offset;
        search = start + 3;
        // A DOI starts a word or follows a separator ("doi:", "/", "=").
        let boundary = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '.');
        let registrant_digits = text[start + 3..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let after_registrant = start + 3 + registrant_digits;
        if !boundary
            || registrant_digits < 4
            || text.as_bytes().get(after_registrant) != Some(&b'/')
        {
            continue;
        }
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
            .map_or(text.len(), |offset| start + offset);
        let candidate = text[start..end].trim_end_matches(['.', ',', ';', ')', ']']);
        if candidate.len() > after_registrant - start + 1 {
            if let Some(doi) = ids::normalize_doi(candidate) {
                return Some(doi);
            }
        }
    }
    None
}

/// Finds a PubMed id given as `pmid:…`, `info:pmid/…`, `PMID: …` or a PubMed URL.
fn find_pmid(text: &str) -> Option<String> {
    let lower = text.trim().to_ascii_lowercase();
    let rest = [
        "info:pmid/",
        "pmid:",
        "pmid ",
        "https://pubmed.ncbi.nlm.nih.gov/",
        "http://www.ncbi.nlm.nih.gov/pubmed/",
        "https://www.ncbi.nlm.nih.gov/pubmed/",
    ]
    .iter()
    .find_map(|prefix| lower.strip_prefix(prefix))?;
    let digits: String = rest
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    ids::normalize_pmid(&digits)
}

/// Finds a PubMed Central id given bare, as `pmcid:…` or in a PMC article URL.
fn find_pmcid(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    let mut search = 0;
    while let Some(offset) = upper[search..].find("PMC") {
        let start = search + offset;
        search = start + 3;
        let before_ok = upper[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let digits: String = upper[start + 3..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if before_ok && !digits.is_empty() {
            return ids::normalize_pmcid(&digits);
        }
    }
    None
}

/// Plain text from a value that may carry (escaped) HTML: repositories such as
/// Zenodo put `&lt;p&gt;` markup, itself escaped again, into `dc:description`.
pub fn html_to_text(value: &str) -> String {
    let mut text: Cow<'_, str> = Cow::Borrowed(value);
    // Each round removes one level of escaping; real feeds use at most two.
    for _ in 0..3 {
        let stripped = strip_tags(&text);
        let unescaped = crate::xml::decode_entities(&stripped).into_owned();
        if unescaped == text {
            break;
        }
        text = Cow::Owned(unescaped);
    }
    let mut buffer = TextBuffer::default();
    buffer.push_str(&text);
    buffer.take()
}

/// Removes `<tag …>`, `</tag>` and `<!…>` markup; a `<` not opening a tag is kept.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let is_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        match (is_tag, after.find('>')) {
            (true, Some(close)) => {
                // Block-level tags separate words.
                out.push(' ');
                rest = &after[close + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dois_are_found_in_urls_prefixes_and_text() {
        assert_eq!(
            find_doi("https://doi.org/10.5281/zenodo.20510666").as_deref(),
            Some("10.5281/zenodo.20510666")
        );
        assert_eq!(
            find_doi("doi:10.1016/J.X.2020.01.002.").as_deref(),
            Some("10.1016/j.x.2020.01.002")
        );
        assert_eq!(
            find_doi("Smith (2020) A title. Journal 3. 10.1234/abc-1 .").as_deref(),
            Some("10.1234/abc-1")
        );
        assert_eq!(find_doi("http://hdl.handle.net/1765/1158"), None);
        assert_eq!(find_doi("issn:2583-1887"), None);
        assert_eq!(find_doi("version 110.1234/x"), None);
    }

    #[test]
    fn other_ids_and_names() {
        assert_eq!(find_pmid("info:pmid/0012345").as_deref(), Some("12345"));
        assert_eq!(
            find_pmid("https://pubmed.ncbi.nlm.nih.gov/27899851/").as_deref(),
            Some("27899851")
        );
        assert_eq!(find_pmid("http://hdl.handle.net/1765/1158"), None);
        assert_eq!(
            find_pmcid("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC5126442/").as_deref(),
            Some("PMC5126442")
        );
        let a = author("Bovenberg, A.L.", 1);
        assert_eq!(a.family.as_deref(), Some("Bovenberg"));
        assert_eq!(a.initials.as_deref(), Some("AL"));
        let b = author("Meika4", 2);
        assert_eq!(
            (b.family.as_deref(), b.given.as_deref()),
            (Some("Meika4"), None)
        );
    }

    #[test]
    fn dates_take_the_earliest_year() {
        let one = publication_date(&["2025-09-23".to_owned()]).unwrap();
        assert_eq!((one.year, one.month, one.day), (2025, Some(9), Some(23)));
        let many =
            publication_date(&["2004-02-16T13:51:07Z".to_owned(), "January 2003".to_owned()])
                .unwrap();
        assert_eq!((many.year, many.month), (2003, None));
        assert_eq!(publication_date(&["n.d.".to_owned()]), None);
        assert_eq!(first_year("12345 and 1999"), Some(1999));
    }

    #[test]
    fn double_escaped_html_becomes_text() {
        assert_eq!(
            html_to_text("&lt;h3&gt;Abstract&lt;/h3&gt;\n&lt;p&gt;Factor VIII &amp;amp; aPTT.&amp;nbsp;&lt;/p&gt;"),
            "Abstract Factor VIII & aPTT."
        );
        assert_eq!(html_to_text("a < b and c > d"), "a < b and c > d");
    }
}
