//! Europe PMC `search` JSON (`resultType=core`, and the sparser `lite`) →
//! canonical [`Publication`]s.
//!
//! The page envelope (`hitCount`, `nextCursorMark`, `resultList.result`) must
//! be present and well-typed or the whole page is rejected: a truncated body
//! is never valid JSON, and an error page is not a search response. Each
//! result is then mapped on its own, so one unusable record (no id, no year)
//! is reported and skipped without losing its neighbours.
//!
//! Fields are read from `serde_json::Value` rather than typed structs because
//! Europe PMC's types drift (numbers as strings and back, one-or-many lists,
//! `authorId` as an object or an array); a typed decode would reject a whole
//! page over one such record.

use serde_json::Value;

use super::html;
use crate::affiliation::split_email;
use hcs_model::ids::{normalize_doi, normalize_orcid, normalize_pmcid, normalize_pmid};
use hcs_model::records::{
    Author, GrantReference, Identifiers, Journal, Keyword, MeshHeading, MeshQualifier, Provenance,
    Publication, PublicationDate, PublicationKind,
};

use super::SOURCE;

/// What went wrong reading a Europe PMC search response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EuropePmcError {
    /// The body is not JSON (a truncated body or an HTML error page).
    #[error("{location}: not JSON: {message}")]
    NotJson {
        /// Request URL or archive entry.
        location: String,
        /// The JSON parser's description, with line and column.
        message: String,
    },
    /// The body is JSON but not a search response (a field missing or mistyped).
    #[error("{location}: not a Europe PMC search response: {reason}")]
    NotSearchResponse {
        /// Request URL or archive entry.
        location: String,
        /// Which field is wrong.
        reason: String,
    },
    /// One result could not be mapped; the others on the page are unaffected.
    #[error("{location}: result {index} ({record}) skipped: {reason}")]
    InvalidRecord {
        /// Request URL or archive entry.
        location: String,
        /// 0-based position of the result on its page.
        index: usize,
        /// `SOURCE:ID` of the result, or "no id".
        record: String,
        /// Why it is unusable.
        reason: String,
    },
}

/// One page of search results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchPage {
    /// Total hits for the query, as the server counted them for this page.
    pub hit_count: u64,
    /// The cursor of the next page; `None` when the server sent none (the end).
    pub next_cursor: Option<String>,
    /// The cursor the server says this page answers (`request.cursorMark`,
    /// percent-decoded), when it echoes the request.
    pub request_cursor: Option<String>,
    /// Results on the page, usable or not.
    pub result_count: usize,
    /// Results mapped to publications, in page order.
    pub records: Vec<Publication>,
    /// Results that could not be mapped (each an [`EuropePmcError::InvalidRecord`]).
    pub skipped: Vec<EuropePmcError>,
}

/// Parses a search response body fetched from `location` at `fetched_at` (RFC 3339).
pub fn parse_search(
    body: &str,
    location: &str,
    fetched_at: &str,
) -> Result<SearchPage, EuropePmcError> {
    let not_search = |reason: &str| EuropePmcError::NotSearchResponse {
        location: location.to_owned(),
        reason: reason.to_owned(),
    };
    let root: Value = serde_json::from_str(body).map_err(|error| EuropePmcError::NotJson {
        location: location.to_owned(),
        message: error.to_string(),
    })?;
    if !root.is_object() {
        return Err(not_search("the top level is not an object"));
    }
    let hit_count = match root.get("hitCount") {
        Some(value) => as_u64(value).ok_or_else(|| not_search("hitCount is not a count"))?,
        None => return Err(not_search("no hitCount")),
    };
    let result_list = root
        .get("resultList")
        .ok_or_else(|| not_search("no resultList"))?;
    if !result_list.is_object() {
        return Err(not_search("resultList is not an object"));
    }
    let results = one_or_many(result_list.get("result"));
    let next_cursor = match root.get("nextCursorMark") {
        None | Some(Value::Null) => None,
        Some(Value::String(cursor)) if cursor.trim().is_empty() => None,
        Some(Value::String(cursor)) => Some(cursor.clone()),
        Some(_) => return Err(not_search("nextCursorMark is not a string")),
    };
    let request_cursor = root
        .get("request")
        .and_then(|request| request.get("cursorMark"))
        .and_then(Value::as_str)
        .map(percent_decode);
    let mut page = SearchPage {
        hit_count,
        next_cursor,
        request_cursor,
        result_count: results.len(),
        ..SearchPage::default()
    };
    for (index, result) in results.into_iter().enumerate() {
        match parse_result(result, location, fetched_at) {
            Ok(publication) => page.records.push(publication),
            Err(reason) => page.skipped.push(EuropePmcError::InvalidRecord {
                location: location.to_owned(),
                index,
                record: record_label(result),
                reason,
            }),
        }
    }
    Ok(page)
}

/// `SOURCE:ID` of a result, for messages.
fn record_label(result: &Value) -> String {
    match (text(result, "source"), text(result, "id")) {
        (Some(source), Some(id)) => format!("{source}:{id}"),
        (None, Some(id)) => id,
        _ => "no id".to_owned(),
    }
}

/// Maps one `resultList.result[]` entry; the error is the reason it is unusable.
pub fn parse_result(
    result: &Value,
    location: &str,
    fetched_at: &str,
) -> Result<Publication, String> {
    if !result.is_object() {
        return Err("the result is not an object".to_owned());
    }
    let id = text(result, "id").ok_or("no id")?;
    let source = text(result, "source").ok_or("no source")?;
    let identifiers = identifiers(result, &source, &id);
    let published = published(result);
    let publication_id = Publication::stable_id(&identifiers, || match &identifiers.pmcid {
        // The merged record falls back to the PMCID too, so the version and the
        // index agree on the id of a PMC-only work.
        Some(pmcid) => format!("pmcid:{pmcid}"),
        None => format!("{SOURCE}:{source}:{id}"),
    });
    Ok(Publication {
        id: publication_id,
        kind: if source.eq_ignore_ascii_case("NBK") {
            PublicationKind::Book
        } else {
            PublicationKind::Article
        },
        identifiers,
        title: text(result, "title")
            .map(|title| html::to_text(&title))
            .unwrap_or_default(),
        vernacular_title: None,
        r#abstract: text(result, "abstractText").and_then(|raw| html::to_abstract(&raw)),
        journal: journal(result),
        published,
        publication_types: publication_types(result),
        mesh: mesh(result),
        keywords: keywords(result),
        languages: one_or_many(result.get("language"))
            .into_iter()
            .filter_map(scalar)
            .collect(),
        grants: grants(result),
        authors: authors(result),
        investigators: Vec::new(),
        status: None,
        provenance: vec![Provenance {
            source: SOURCE.to_owned(),
            location: location.to_owned(),
            fetched_at: fetched_at.to_owned(),
            record_id: Some(format!("{source}:{id}")),
        }],
    })
}

fn identifiers(result: &Value, source: &str, id: &str) -> Identifiers {
    // A MED result's id is its PMID and a PMC result's id its PMCID, even when
    // the separate field is missing.
    let pmid = text(result, "pmid")
        .and_then(|pmid| normalize_pmid(&pmid))
        .or_else(|| {
            source
                .eq_ignore_ascii_case("MED")
                .then(|| normalize_pmid(id))
                .flatten()
        });
    let pmcid = text(result, "pmcid")
        .and_then(|pmcid| normalize_pmcid(&pmcid))
        .or_else(|| {
            source
                .eq_ignore_ascii_case("PMC")
                .then(|| normalize_pmcid(id))
                .flatten()
        });
    Identifiers {
        pmid,
        pmcid,
        doi: text(result, "doi").and_then(|doi| normalize_doi(&doi)),
        other: Vec::new(),
    }
}

/// The issue's date: year from `pubYear` (else the journal issue's year, else
/// `firstPublicationDate`), month and day from the journal issue when it is
/// of that year, else from `firstPublicationDate` when that is.
fn published(result: &Value) -> Option<PublicationDate> {
    let journal_info = result.get("journalInfo");
    let issue_year = journal_info
        .and_then(|info| text(info, "yearOfPublication"))
        .and_then(|year| year_of(&year));
    let first = text(result, "firstPublicationDate").and_then(|date| iso_date(&date));
    let year = text(result, "pubYear")
        .and_then(|year| year_of(&year))
        .or(issue_year)
        .or(first.map(|(year, _, _)| year))?;
    let mut date = PublicationDate {
        year,
        ..PublicationDate::default()
    };
    if issue_year == Some(year) {
        let info = journal_info?;
        date.month = text(info, "monthOfPublication")
            .and_then(|month| month.parse::<u8>().ok())
            .filter(|month| (1..=12).contains(month));
        // "2025 Dec 12" has a day; "2025 Dec" does not (printPublicationDate pads it to 01).
        let printed = text(info, "dateOfPublication").unwrap_or_default();
        let mut parts = printed.split_whitespace().skip(1);
        let second = parts.next();
        if date.month.is_some() {
            date.day = parts
                .next()
                .and_then(|day| day.parse::<u8>().ok())
                .filter(|day| (1..=31).contains(day));
        } else if let Some(season) = second.filter(|s| is_season(s)) {
            date.season = Some(season.to_owned());
        }
    }
    if date.month.is_none() && date.season.is_none() {
        if let Some((first_year, month, day)) = first {
            if first_year == year {
                date.month = Some(month);
                date.day = Some(day);
            }
        }
    }
    Some(date)
}

fn is_season(word: &str) -> bool {
    ["Spring", "Summer", "Autumn", "Fall", "Winter"]
        .iter()
        .any(|season| word.eq_ignore_ascii_case(season))
}

/// The year at the start of `text` ("2025", "2025-12-01").
fn year_of(text: &str) -> Option<u16> {
    let digits = text.trim().get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u16>().ok().filter(|year| *year > 0)
}

/// `YYYY-MM-DD` (possibly followed by a time) → (year, month, day), a real calendar date.
fn iso_date(text: &str) -> Option<(u16, u8, u8)> {
    let date = hcs_model::dates::parse_date(text.trim().get(..10)?)?;
    Some((
        u16::try_from(date.year()).ok()?,
        u8::from(date.month()),
        date.day(),
    ))
}

/// `journalInfo` (core) or the flat `journalTitle`/`journalVolume`/… (lite).
fn journal(result: &Value) -> Option<Journal> {
    let info = result.get("journalInfo");
    let details = info.and_then(|info| info.get("journal"));
    let from_details = |key: &str| details.and_then(|details| text(details, key));
    let from_info = |key: &str| info.and_then(|info| text(info, key));
    let title = from_details("title").or_else(|| text(result, "journalTitle"));
    let issn = from_details("issn")
        .or_else(|| from_details("essn"))
        .or_else(|| {
            // Lite packs both ISSNs into one string: "0140-6736; 1474-547x; ".
            text(result, "journalIssn").and_then(|issns| {
                issns
                    .split(';')
                    .map(str::trim)
                    .find(|issn| !issn.is_empty())
                    .map(str::to_owned)
            })
        });
    let journal = Journal {
        title: title.map(|t| html::to_text(&t)).unwrap_or_default(),
        iso_abbreviation: from_details("isoabbreviation")
            .or_else(|| from_details("ISOAbbreviation")),
        issn,
        volume: from_info("volume").or_else(|| text(result, "journalVolume")),
        issue: from_info("issue").or_else(|| text(result, "issue")),
        pages: text(result, "pageInfo"),
    };
    let empty = journal.title.is_empty()
        && journal.iso_abbreviation.is_none()
        && journal.issn.is_none()
        && journal.volume.is_none()
        && journal.issue.is_none()
        && journal.pages.is_none();
    (!empty).then_some(journal)
}

fn publication_types(result: &Value) -> Vec<String> {
    let listed: Vec<String> = result
        .get("pubTypeList")
        .map(|list| one_or_many(list.get("pubType")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(scalar)
        .collect();
    if !listed.is_empty() {
        return listed;
    }
    // Lite: "case reports; case-report; journal article".
    text(result, "pubType")
        .map(|types| {
            types
                .split(';')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn mesh(result: &Value) -> Vec<MeshHeading> {
    let headings = result
        .get("meshHeadingList")
        .map(|list| one_or_many(list.get("meshHeading")))
        .unwrap_or_default();
    headings
        .into_iter()
        .filter_map(|heading| {
            let descriptor = text(heading, "descriptorName")?;
            let qualifiers = heading
                .get("meshQualifierList")
                .map(|list| one_or_many(list.get("meshQualifier")))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|qualifier| {
                    Some(MeshQualifier {
                        name: text(qualifier, "qualifierName")?,
                        ui: None,
                        major_topic: yes(qualifier, "majorTopic_YN"),
                    })
                })
                .collect();
            Some(MeshHeading {
                descriptor,
                descriptor_ui: None,
                major_topic: yes(heading, "majorTopic_YN"),
                qualifiers,
            })
        })
        .collect()
}

fn keywords(result: &Value) -> Vec<Keyword> {
    result
        .get("keywordList")
        .map(|list| one_or_many(list.get("keyword")))
        .unwrap_or_default()
        .into_iter()
        .filter_map(scalar)
        .map(|keyword| html::to_text(&keyword))
        .filter(|keyword| !keyword.is_empty())
        .map(|text| Keyword {
            text,
            major_topic: false,
        })
        .collect()
}

fn grants(result: &Value) -> Vec<GrantReference> {
    result
        .get("grantsList")
        .map(|list| one_or_many(list.get("grant")))
        .unwrap_or_default()
        .into_iter()
        .map(|grant| GrantReference {
            id: text(grant, "grantId"),
            agency: text(grant, "agency"),
            acronym: text(grant, "acronym"),
            country: None,
        })
        .filter(|grant| grant.id.is_some() || grant.agency.is_some())
        .collect()
}

/// The byline from `authorList` (core), else from `authorString` (lite).
fn authors(result: &Value) -> Vec<Author> {
    let listed = result
        .get("authorList")
        .map(|list| one_or_many(list.get("author")))
        .unwrap_or_default();
    if listed.is_empty() {
        return text(result, "authorString")
            .map(|names| authors_from_string(&names))
            .unwrap_or_default();
    }
    let mut authors = Vec::with_capacity(listed.len());
    for (index, entry) in listed.into_iter().enumerate() {
        let name = |key: &str| text(entry, key).map(|value| html::to_text(&value));
        let mut author = Author {
            position: u32::try_from(index + 1).unwrap_or(u32::MAX),
            family: name("lastName"),
            given: name("firstName"),
            initials: name("initials"),
            collective: name("collectiveName"),
            valid: true,
            ..Author::default()
        };
        if author.family.is_none() && author.collective.is_none() {
            // Only a display name: keep it whole rather than lose the author.
            author.family = name("fullName");
        }
        if author.family.is_none() && author.collective.is_none() && author.given.is_none() {
            continue;
        }
        author.orcid = one_or_many(entry.get("authorId"))
            .into_iter()
            .filter(|id| text(id, "type").is_some_and(|kind| kind.eq_ignore_ascii_case("ORCID")))
            .find_map(|id| text(id, "value").and_then(|value| normalize_orcid(&value)));
        let details = entry
            .get("authorAffiliationDetailsList")
            .map(|list| one_or_many(list.get("authorAffiliation")))
            .unwrap_or_default();
        let raw_affiliations = details
            .into_iter()
            .filter_map(|detail| text(detail, "affiliation"))
            .chain(text(entry, "affiliation"));
        for raw in raw_affiliations {
            let split = split_email(&html::to_text(&raw));
            if author.email.is_none() {
                author.email = split.email;
            }
            if !split.text.is_empty() && !author.affiliations.contains(&split.text) {
                author.affiliations.push(split.text);
            }
        }
        authors.push(author);
    }
    authors
}

/// Lite's "Schoenfeld JD, Haas-Kogan DA, O'Neill AF." → family + initials;
/// a name not ending in capitals-only initials is taken as a group author.
fn authors_from_string(names: &str) -> Vec<Author> {
    let names = names.trim().trim_end_matches('.');
    names
        .split(", ")
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .enumerate()
        .map(|(index, name)| {
            let position = u32::try_from(index + 1).unwrap_or(u32::MAX);
            let split = name.rsplit_once(' ').filter(|(family, initials)| {
                !family.is_empty()
                    && initials.len() <= 4
                    && initials.chars().all(|c| c.is_ascii_uppercase())
            });
            match split {
                Some((family, initials)) => Author {
                    position,
                    family: Some(family.to_owned()),
                    initials: Some(initials.to_owned()),
                    valid: true,
                    ..Author::default()
                },
                None => Author {
                    position,
                    collective: Some(name.to_owned()),
                    valid: true,
                    ..Author::default()
                },
            }
        })
        .collect()
}

/// A field's value as trimmed text: strings as they are, numbers printed; empty is absent.
fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(scalar)
}

/// A scalar as trimmed, non-empty text.
fn scalar(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// A `Y`/`N` flag; anything but `Y` is false.
fn yes(value: &Value, key: &str) -> bool {
    text(value, key).is_some_and(|flag| flag.eq_ignore_ascii_case("Y"))
}

/// A list that may arrive as an array, a single object or value, or nothing.
fn one_or_many(value: Option<&Value>) -> Vec<&Value> {
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
    }
}

/// A non-negative integer given as a number or a numeric string.
fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Decodes `%XX` escapes (Europe PMC echoes `cursorMark` URL-encoded: `%2A`
/// for `*`); a `+` is kept, as cursor marks are base64 and may contain one.
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCATION: &str = "http://127.0.0.1/search?query=x";
    const FETCHED: &str = "2026-01-01T00:00:00Z";

    fn page(body: &str) -> SearchPage {
        parse_search(body, LOCATION, FETCHED).expect("a search page")
    }

    fn one(result: &str) -> Result<Publication, String> {
        let value: Value = serde_json::from_str(result).expect("test JSON");
        parse_result(&value, LOCATION, FETCHED)
    }

    #[test]
    fn real_core_page_maps_every_field() {
        let page = page(include_str!(
            "../../../../../fixtures/europepmc/search_cancer_core.json"
        ));
        assert_eq!(page.hit_count, 5_059_039);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some("AoIIP4ZawSg1MzEyODI1MA==")
        );
        assert_eq!(page.request_cursor.as_deref(), Some("*"));
        assert_eq!((page.result_count, page.records.len()), (25, 25));
        assert!(page.skipped.is_empty());

        let first = &page.records[0];
        assert_eq!(first.id, "pmid:39709209");
        assert_eq!(
            first.identifiers.doi.as_deref(),
            Some("10.1016/s0140-6736(24)02600-x")
        );
        assert_eq!(
            first.provenance[0].record_id.as_deref(),
            Some("MED:39709209")
        );
        assert_eq!(first.provenance[0].source, "europepmc");
        assert_eq!(first.provenance[0].location, LOCATION);
        let journal = first.journal.as_ref().expect("journal");
        assert_eq!(journal.title, "Lancet (London, England)");
        assert_eq!(journal.iso_abbreviation.as_deref(), Some("Lancet"));
        assert_eq!(journal.issn.as_deref(), Some("0140-6736"));
        assert_eq!(journal.volume.as_deref(), Some("404"));
        assert_eq!(journal.issue.as_deref(), Some("10471"));
        assert_eq!(journal.pages.as_deref(), Some("2603-2604"));
        assert_eq!(
            (
                first.published.as_ref().unwrap().year,
                first.published.as_ref().unwrap().month,
                first.published.as_ref().unwrap().day
            ),
            (2025, Some(12), None)
        );
        let author = &first.authors[0];
        assert_eq!(author.family.as_deref(), Some("Schoenfeld"));
        assert_eq!(author.given.as_deref(), Some("Jonathan D"));
        assert_eq!(author.initials.as_deref(), Some("JD"));
        assert_eq!(author.email.as_deref(), Some("jdschoenfeld@partners.org"));
        assert!(!author.affiliations[0].contains('@'));
        assert!(author.affiliations[0].ends_with("Boston, MA, USA."));

        let structured = page
            .records
            .iter()
            .find(|p| p.identifiers.pmid.as_deref() == Some("40511629"))
            .expect("40511629");
        let sections = &structured.r#abstract.as_ref().expect("abstract").sections;
        assert_eq!(sections[0].label.as_deref(), Some("Background"));
        assert!(sections[0]
            .text
            .contains("Hydrogen sulfide (H2S) is of particular interest"));
        assert!(structured.mesh.iter().any(|m| m.descriptor == "Paclitaxel"));
        let orcids: Vec<_> = structured
            .authors
            .iter()
            .filter_map(|a| a.orcid.as_deref())
            .collect();
        assert_eq!(orcids.len(), 3);

        let grants = &page
            .records
            .iter()
            .find(|p| p.identifiers.pmid.as_deref() == Some("39709208"))
            .expect("39709208")
            .grants;
        assert_eq!(
            grants,
            &vec![GrantReference {
                id: Some("P30 CA008748".into()),
                agency: Some("NCI NIH HHS".into()),
                acronym: Some("CA".into()),
                country: None,
            }]
        );
    }

    #[test]
    fn real_lite_page_maps_flat_fields_and_escaped_titles() {
        let pages: Value = serde_json::from_str(include_str!(
            "../../../../../fixtures/europepmc/fetch_10pages_cancer.json"
        ))
        .expect("fixture JSON");
        let pages = pages.as_array().expect("an array of pages");
        let mut records = Vec::new();
        for body in pages {
            let parsed = page(&body.to_string());
            assert_eq!(parsed.result_count, 100);
            assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
            records.extend(parsed.records);
        }
        assert_eq!(records.len(), 1000);
        let escaped = records
            .iter()
            .find(|p| p.identifiers.pmid.as_deref() == Some("40527406"))
            .expect("40527406");
        assert_eq!(
            escaped.title,
            "METTL5-mediated m6A modification of SLC7A11 promotes cervical cancer by inhibiting ferroptosis."
        );
        let first = &records[0];
        let journal = first.journal.as_ref().expect("journal");
        assert_eq!(journal.title, "Lancet");
        assert_eq!(journal.issn.as_deref(), Some("0140-6736"));
        assert_eq!(first.publication_types, vec!["journal article"]);
        assert_eq!(first.authors[2].family.as_deref(), Some("O'Neill"));
        assert_eq!(first.authors[2].initials.as_deref(), Some("AF"));
        // A PMC-only record without pubYear takes its year from firstPublicationDate.
        let pmc = records
            .iter()
            .find(|p| p.identifiers.pmcid.as_deref() == Some("PMC12144614"))
            .expect("PMC12144614");
        assert_eq!(pmc.id, "pmcid:PMC12144614");
        assert!(pmc.published.as_ref().unwrap().year >= 2025);
    }

    #[test]
    fn real_retracted_core_page_splits_emails_and_reads_orcid_objects() {
        let page = page(include_str!(
            "../../../../../fixtures/europepmc/ischender_retracted_core.json"
        ));
        assert_eq!(page.records.len(), 2);
        let letter = &page.records[1];
        assert_eq!(letter.id, "pmid:42251884");
        assert_eq!(
            letter.authors[1].orcid.as_deref(),
            Some("0000-0002-3845-7220")
        );
        assert_eq!(
            letter.authors[0].email.as_deref(),
            Some("zinasmadi0407@gmail.com")
        );
        assert_eq!(
            letter.authors[0].affiliations,
            vec!["Texas Children's Hospital, Department of Orthopaedics, Houston, Texas, USA."]
        );
        assert_eq!(
            letter.publication_types,
            vec!["Letter", "Retracted Publication"]
        );
        assert_eq!(
            (
                letter.published.as_ref().unwrap().year,
                letter.published.as_ref().unwrap().month
            ),
            (2026, Some(6))
        );
    }

    #[test]
    fn no_results_page_is_empty_and_final() {
        let page = page(include_str!(
            "../../../../../fixtures/europepmc/search_no_results.json"
        ));
        assert_eq!((page.hit_count, page.result_count), (0, 0));
        assert_eq!(page.next_cursor, None);
        assert_eq!(page.request_cursor.as_deref(), Some("*"));
    }

    #[test]
    fn author_id_may_be_an_object_or_a_list() {
        let object = one(r#"{"id":"1","source":"MED","pubYear":"2020","title":"T",
            "authorList":{"author":[{"lastName":"A","authorId":{"type":"ORCID","value":"https://orcid.org/0000-0002-1825-0097"}}]}}"#)
        .expect("record");
        assert_eq!(
            object.authors[0].orcid.as_deref(),
            Some("0000-0002-1825-0097")
        );
        let list = one(r#"{"id":"1","source":"MED","pubYear":"2020","title":"T",
            "authorList":{"author":[{"lastName":"A","authorId":[{"type":"SCOPUS","value":"123"},{"type":"ORCID","value":"0000-0002-1825-0097"}]}]}}"#)
        .expect("record");
        assert_eq!(
            list.authors[0].orcid.as_deref(),
            Some("0000-0002-1825-0097")
        );
        let bad = one(r#"{"id":"1","source":"MED","pubYear":"2020","title":"T",
            "authorList":{"author":[{"lastName":"A","authorId":{"type":"ORCID","value":"0000-0002-1825-0098"}}]}}"#)
        .expect("record");
        assert_eq!(
            bad.authors[0].orcid, None,
            "a wrong check digit is not an ORCID"
        );
    }

    #[test]
    fn a_record_without_a_year_is_kept_undated() {
        let page = page(
            r#"{"hitCount":2,"resultList":{"result":[
                {"id":"PPR1","source":"PPR","title":"No year at all"},
                {"id":"2","source":"MED","pubYear":2019,"title":"Has one"}]}}"#,
        );
        assert_eq!(page.result_count, 2);
        assert_eq!(page.records.len(), 2);
        assert!(page.skipped.is_empty());
        assert_eq!(page.records[0].published, None);
        assert_eq!(page.records[1].published.as_ref().unwrap().year, 2019);
    }

    #[test]
    fn ids_fall_back_from_pmid_to_doi_to_pmcid_to_the_source_id() {
        let doi = one(r#"{"id":"PPR9","source":"PPR","doi":"https://doi.org/10.1101/X","pubYear":"2024","title":"t"}"#)
            .expect("record");
        assert_eq!(doi.id, "doi:10.1101/x");
        let bare =
            one(r#"{"id":"PPR9","source":"PPR","pubYear":"2024","title":"t"}"#).expect("record");
        assert_eq!(bare.id, "europepmc:PPR:PPR9");
        assert_eq!(bare.provenance[0].record_id.as_deref(), Some("PPR:PPR9"));
        let med =
            one(r#"{"id":"123","source":"MED","pubYear":"2024","title":"t"}"#).expect("record");
        assert_eq!(med.id, "pmid:123");
    }

    #[test]
    fn entities_and_markup_in_titles_and_abstracts() {
        let record = one(
            r#"{"id":"1","source":"MED","pubYear":"2020",
            "title":"<i>BRCA1</i> &amp; caf&eacute; &lt;sup&gt;18&lt;/sup&gt;F",
            "abstractText":"<h4>Background</h4>Text &amp; more.<h4>Conclusions</h4>Done&nbsp;now."}"#,
        )
        .expect("record");
        assert_eq!(record.title, "BRCA1 & café 18F");
        let text = record.r#abstract.expect("abstract").text();
        assert_eq!(text, "Background: Text & more.\nConclusions: Done now.");
    }

    #[test]
    fn envelope_problems_are_errors_not_panics() {
        let cases = [
            (
                "{\"hitCount\": 3, \"resultList\": {\"result\": [",
                "not JSON",
            ),
            ("<html><body>Service Unavailable</body></html>", "not JSON"),
            ("", "not JSON"),
            ("[1,2]", "not an object"),
            ("{\"resultList\":{\"result\":[]}}", "no hitCount"),
            (
                "{\"hitCount\":-1,\"resultList\":{\"result\":[]}}",
                "not a count",
            ),
            ("{\"hitCount\":1}", "no resultList"),
            (
                "{\"hitCount\":1,\"resultList\":{},\"nextCursorMark\":5}",
                "nextCursorMark",
            ),
        ];
        for (body, expected) in cases {
            let error = parse_search(body, LOCATION, FETCHED).expect_err(body);
            assert!(error.to_string().contains(expected), "{body}: {error}");
            assert!(error.to_string().contains(LOCATION));
        }
    }

    #[test]
    fn odd_shapes_are_tolerated() {
        let page = page(
            r#"{"hitCount":"1","nextCursorMark":"","resultList":{"result":
            {"id":"7","source":"MED","pubYear":"1999","title":"single object","language":["eng","fre"],
             "journalInfo":{"yearOfPublication":1999,"monthOfPublication":0,"dateOfPublication":"1999 Spring",
                            "journal":{"title":"J"}},
             "authorList":{"author":{"collectiveName":"The Group","fullName":"The Group"}},
             "keywordList":{"keyword":"single"},"grantsList":{"grant":{"agency":"MRC"}},
             "meshHeadingList":{"meshHeading":{"descriptorName":"Humans","majorTopic_YN":"N"}}}}}"#,
        );
        assert_eq!(page.next_cursor, None);
        let record = &page.records[0];
        assert_eq!(record.languages, vec!["eng", "fre"]);
        assert_eq!(
            record.published.as_ref().unwrap().season.as_deref(),
            Some("Spring")
        );
        assert_eq!(record.published.as_ref().unwrap().month, None);
        assert_eq!(record.authors[0].collective.as_deref(), Some("The Group"));
        assert_eq!(record.keywords[0].text, "single");
        assert_eq!(record.grants[0].agency.as_deref(), Some("MRC"));
        assert_eq!(record.mesh[0].descriptor, "Humans");
    }

    #[test]
    fn percent_decoding_keeps_plus() {
        assert_eq!(percent_decode("%2A"), "*");
        assert_eq!(percent_decode("AoII+P4%3D%3D"), "AoII+P4==");
        assert_eq!(percent_decode("bad%zz%"), "bad%zz%");
    }
}
