//! ORCID API v3.0 XML: the grouped works list, bulk full works, employments
//! and error bodies, and the work → [`Publication`] mapping.

use crate::oaipmh::dom::{self, DomError, Element};
use hcs_model::ids;
use hcs_model::records::{
    Author, Employment, Identifiers, Journal, OtherIdentifier, Provenance, Publication,
    PublicationDate, PublicationKind,
};

/// An ORCID response that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrcidError {
    /// Truncated, empty or malformed XML.
    #[error(transparent)]
    Xml(#[from] DomError),
    /// Complete XML, but not the document asked for.
    #[error("expected <{expected}>, got <{found}>")]
    UnexpectedRoot {
        /// The root element expected.
        expected: &'static str,
        /// The root element found.
        found: String,
    },
    /// An ORCID `<error>` body.
    #[error("ORCID error {code}: {message}")]
    Api {
        /// `response-code` / `error-code`.
        code: String,
        /// `developer-message` (else `user-message`).
        message: String,
    },
    /// A bulk answer that does not match the put-codes asked for.
    #[error("bulk answer mismatch: {0}")]
    BulkMismatch(String),
}

/// One work summary of the works list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkSummary {
    /// The work's put-code.
    pub put_code: String,
    /// ORCID iD of the source that asserted it (absent for client sources).
    pub source_orcid: Option<String>,
    /// Whether it carries its own DOI or PMID.
    pub has_doi_or_pmid: bool,
}

/// Parses a `/works` response into its groups of summaries.
pub fn parse_works_list(xml: &[u8]) -> Result<Vec<Vec<WorkSummary>>, OrcidError> {
    let root = document(xml, "works")?;
    Ok(root
        .all("group")
        .map(|group| {
            group
                .all("work-summary")
                .filter_map(|summary| {
                    let put_code = summary.attr("put-code")?.trim().to_owned();
                    let has_doi_or_pmid =
                        own_ids(summary).any(|(kind, _)| kind == "doi" || kind == "pmid");
                    Some(WorkSummary {
                        put_code,
                        source_orcid: summary
                            .text_at(&["source", "source-orcid", "path"])
                            .and_then(|path| ids::normalize_orcid(&path)),
                        has_doi_or_pmid,
                    })
                })
                .collect()
        })
        .collect())
}

/// Picks one summary per group: one with a DOI or PMID first, then one the
/// record owner asserted; ties keep ORCID's order (the preferred display one first).
pub fn select_put_codes(groups: &[Vec<WorkSummary>], owner: &str) -> Vec<String> {
    groups
        .iter()
        .filter_map(|group| {
            let rank = |summary: &WorkSummary| {
                (
                    summary.has_doi_or_pmid,
                    summary.source_orcid.as_deref() == Some(owner),
                )
            };
            let mut best: Option<&WorkSummary> = None;
            for summary in group {
                if best.is_none_or(|b| rank(summary) > rank(b)) {
                    best = Some(summary);
                }
            }
            best.map(|summary| summary.put_code.clone())
        })
        .collect()
}

/// One item of a bulk answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkItem {
    /// A full work.
    Work(Box<Element>),
    /// The error ORCID gave for one put-code.
    Error(String),
}

/// Parses a `/works/{put-codes}` bulk answer, checking one item per put-code asked for.
pub fn parse_bulk(xml: &[u8], requested: &[String]) -> Result<Vec<BulkItem>, OrcidError> {
    let root = document(xml, "bulk")?;
    let mut items = Vec::new();
    for element in root.elements() {
        match element.name.as_str() {
            "work" => {
                let put_code = element.attr("put-code").unwrap_or_default().trim();
                if !requested.is_empty() && !requested.iter().any(|p| p == put_code) {
                    return Err(OrcidError::BulkMismatch(format!(
                        "work put-code {put_code:?} was not asked for"
                    )));
                }
                items.push(BulkItem::Work(Box::new(element.clone())));
            }
            "error" => items.push(BulkItem::Error(error_message(element))),
            _ => {}
        }
    }
    if !requested.is_empty() && items.len() != requested.len() {
        return Err(OrcidError::BulkMismatch(format!(
            "{} item(s) for {} put-code(s)",
            items.len(),
            requested.len()
        )));
    }
    Ok(items)
}

/// Reads an ORCID error body, if `xml` is one.
pub fn parse_error(xml: &[u8]) -> Option<OrcidError> {
    let root = dom::parse(xml).ok()?;
    (root.name == "error").then(|| OrcidError::Api {
        code: root
            .text_at(&["response-code"])
            .or_else(|| root.text_at(&["error-code"]))
            .unwrap_or_default(),
        message: error_message(&root),
    })
}

fn error_message(error: &Element) -> String {
    error
        .text_at(&["developer-message"])
        .or_else(|| error.text_at(&["user-message"]))
        .unwrap_or_else(|| "no message".to_owned())
}

fn document(xml: &[u8], expected: &'static str) -> Result<Element, OrcidError> {
    let root = dom::parse(xml)?;
    if root.name == expected {
        return Ok(root);
    }
    if root.name == "error" {
        if let Some(error) = parse_error(xml) {
            return Err(error);
        }
    }
    Err(OrcidError::UnexpectedRoot {
        expected,
        found: root.name,
    })
}

/// The element's own external ids (relationship `self`) as (type, value).
fn own_ids(element: &Element) -> impl Iterator<Item = (String, String)> + '_ {
    element
        .child("external-ids")
        .into_iter()
        .flat_map(|ids| ids.all("external-id"))
        .filter(|id| {
            id.text_at(&["external-id-relationship"])
                .is_none_or(|relationship| relationship.eq_ignore_ascii_case("self"))
        })
        .filter_map(|id| {
            Some((
                id.text_at(&["external-id-type"])?.to_ascii_lowercase(),
                id.text_at(&["external-id-value"])?,
            ))
        })
}

/// Why a work was not mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkSkip {
    /// No title.
    #[error("work {0} has no title")]
    NoTitle(String),
}

/// Maps a full work of `owner`'s record to a publication.
///
/// The owner always appears among the authors with their ORCID iD: on the
/// contributor whose iD matches, else as an extra author with `position` 0,
/// which means "on the byline, position unknown" (bylines are 1-based, so 0
/// never collides; contributors + 1 would read as last author, which carries
/// meaning in biomedicine). The owner's name is not in the work, so that
/// extra author has only the iD until a Person record exists.
pub fn map_work(
    work: &Element,
    owner: &str,
    location: &str,
    fetched_at: &str,
) -> Result<Publication, WorkSkip> {
    let put_code = work.attr("put-code").unwrap_or_default().trim().to_owned();
    let mut title = work
        .text_at(&["title", "title"])
        .ok_or_else(|| WorkSkip::NoTitle(put_code.clone()))?;
    if let Some(subtitle) = work.text_at(&["title", "subtitle"]) {
        title = format!("{title}: {subtitle}");
    }
    let date = work.child("publication-date");
    let year = date
        .and_then(|d| d.text_at(&["year"]))
        .and_then(|y| y.trim().parse::<u16>().ok())
        .filter(|y| *y > 0);
    let month = date
        .and_then(|d| d.text_at(&["month"]))
        .and_then(|m| m.trim().parse::<u8>().ok())
        .filter(|m| (1..=12).contains(m));
    let day = date
        .and_then(|d| d.text_at(&["day"]))
        .and_then(|d| d.trim().parse::<u8>().ok())
        .filter(|d| (1..=31).contains(d) && month.is_some());
    let mut identifiers = Identifiers::default();
    for (kind, value) in own_ids(work) {
        match kind.as_str() {
            "doi" => fill(&mut identifiers.doi, ids::normalize_doi(&value)),
            "pmid" => fill(&mut identifiers.pmid, ids::normalize_pmid(&value)),
            "pmc" => fill(&mut identifiers.pmcid, ids::normalize_pmcid(&value)),
            // Client-internal ids identify nothing outside the depositing system.
            "source-work-id" => {}
            _ => {
                let other = OtherIdentifier { kind, value };
                if !identifiers.other.contains(&other) {
                    identifiers.other.push(other);
                }
            }
        }
    }
    let mut authors: Vec<Author> = work
        .child("contributors")
        .into_iter()
        .flat_map(|c| c.all("contributor"))
        .filter_map(contributor)
        .enumerate()
        .map(|(index, mut author)| {
            author.position = index as u32 + 1;
            author
        })
        .collect();
    if !authors.iter().any(|a| a.orcid.as_deref() == Some(owner)) {
        authors.push(Author {
            position: 0,
            orcid: Some(owner.to_owned()),
            ..Author::default()
        });
    }
    let work_type = work.text_at(&["type"]);
    let kind = match &work_type {
        Some(t) if t.contains("book") => PublicationKind::Book,
        _ => PublicationKind::Article,
    };
    let fallback = format!("orcid:{owner}:{put_code}");
    Ok(Publication {
        id: Publication::stable_id(&identifiers, || fallback),
        kind,
        identifiers,
        title,
        journal: work.text_at(&["journal-title"]).map(|title| Journal {
            title,
            ..Journal::default()
        }),
        // A work its owner entered without a year is still their work.
        published: year.map(|year| PublicationDate {
            year,
            month,
            day,
            ..PublicationDate::default()
        }),
        publication_types: work_type.into_iter().collect(),
        languages: work.text_at(&["language-code"]).into_iter().collect(),
        authors,
        provenance: vec![Provenance {
            source: super::SOURCE.to_owned(),
            location: location.to_owned(),
            fetched_at: fetched_at.to_owned(),
            record_id: Some(format!("{owner}/work/{put_code}")),
        }],
        ..Publication::default()
    })
}

fn fill(slot: &mut Option<String>, value: Option<String>) {
    if slot.is_none() {
        *slot = value;
    }
}

/// A contributor with a name or an iD (anonymous placeholders are dropped).
fn contributor(element: &Element) -> Option<Author> {
    let orcid = element
        .text_at(&["contributor-orcid", "path"])
        .or_else(|| element.text_at(&["contributor-orcid", "uri"]))
        .and_then(|value| ids::normalize_orcid(&value));
    let name = element.text_at(&["credit-name"]);
    if name.is_none() && orcid.is_none() {
        return None;
    }
    let mut author = name
        .as_deref()
        .map(author_from_credit_name)
        .unwrap_or_default();
    author.orcid = orcid;
    Some(author)
}

/// Splits a credit name: "Family, Given", "Family GH" (PubMed style) or "Given Family".
fn author_from_credit_name(name: &str) -> Author {
    let name = name.trim();
    if let Some((family, given)) = name.split_once(',') {
        let given = given.trim();
        return Author {
            family: Some(family.trim().to_owned()),
            given: (!given.is_empty()).then(|| given.to_owned()),
            ..Author::default()
        };
    }
    match name.rsplit_once(' ') {
        Some((rest, last)) if last.len() <= 3 && last.chars().all(|c| c.is_ascii_uppercase()) => {
            Author {
                family: Some(rest.trim().to_owned()),
                initials: Some(last.to_owned()),
                ..Author::default()
            }
        }
        Some((given, family)) => Author {
            family: Some(family.to_owned()),
            given: Some(given.trim().to_owned()),
            ..Author::default()
        },
        None => Author {
            family: Some(name.to_owned()),
            ..Author::default()
        },
    }
}

/// Reads employments from an `/employments` response, a single
/// `/employment/{put-code}`, or any record document containing them.
pub fn parse_employments(xml: &[u8]) -> Result<Vec<Employment>, OrcidError> {
    let root = dom::parse(xml)?;
    if root.name == "error" {
        if let Some(error) = parse_error(xml) {
            return Err(error);
        }
    }
    let mut found = Vec::new();
    collect_employments(&root, &mut found);
    Ok(found)
}

fn collect_employments(element: &Element, found: &mut Vec<Employment>) {
    if matches!(element.name.as_str(), "employment-summary" | "employment")
        && element.child("organization").is_some()
    {
        if let Some(employment) = employment(element) {
            found.push(employment);
        }
        return;
    }
    for child in element.elements() {
        collect_employments(child, found);
    }
}

fn employment(element: &Element) -> Option<Employment> {
    let organisation = element.child("organization")?;
    Some(Employment {
        put_code: element.attr("put-code").map(str::to_owned),
        organisation: organisation.text_at(&["name"])?,
        department: element.text_at(&["department-name"]),
        role_title: element.text_at(&["role-title"]),
        start: element.child("start-date").and_then(fuzzy_date),
        end: element.child("end-date").and_then(fuzzy_date),
        city: organisation.text_at(&["address", "city"]),
        country: organisation.text_at(&["address", "country"]),
        org_id: organisation.text_at(&[
            "disambiguated-organization",
            "disambiguated-organization-identifier",
        ]),
        org_id_source: organisation
            .text_at(&["disambiguated-organization", "disambiguation-source"]),
    })
}

fn fuzzy_date(date: &Element) -> Option<String> {
    let year = date.text_at(&["year"])?;
    let mut text = year;
    for part in ["month", "day"] {
        match date.text_at(&[part]) {
            Some(value) => {
                text.push('-');
                text.push_str(&value);
            }
            None => break,
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_names_split() {
        let pubmed_style = author_from_credit_name("Abdel-Dayem K");
        assert_eq!(pubmed_style.family.as_deref(), Some("Abdel-Dayem"));
        assert_eq!(pubmed_style.initials.as_deref(), Some("K"));
        let western = author_from_credit_name("Josiah Carberry");
        assert_eq!(western.family.as_deref(), Some("Carberry"));
        assert_eq!(western.given.as_deref(), Some("Josiah"));
        assert_eq!(
            author_from_credit_name("Carberry, J.").given.as_deref(),
            Some("J.")
        );
    }

    #[test]
    fn selection_prefers_ids_then_the_owner() {
        let summary = |put_code: &str, source: Option<&str>, ids: bool| WorkSummary {
            put_code: put_code.to_owned(),
            source_orcid: source.map(str::to_owned),
            has_doi_or_pmid: ids,
        };
        let owner = "0000-0002-1825-0097";
        let groups = vec![
            vec![summary("1", Some(owner), false), summary("2", None, true)],
            vec![summary("3", None, true), summary("4", Some(owner), true)],
            vec![summary("5", None, false), summary("6", None, false)],
        ];
        assert_eq!(select_put_codes(&groups, owner), ["2", "4", "5"]);
    }

    #[test]
    fn error_bodies_are_read() {
        let xml = br#"<error:error xmlns:error="http://www.orcid.org/ns/error"><error:response-code>404</error:response-code><error:developer-message>404 Not Found: The resource was not found.</error:developer-message></error:error>"#;
        assert_eq!(
            parse_error(xml),
            Some(OrcidError::Api {
                code: "404".to_owned(),
                message: "404 Not Found: The resource was not found.".to_owned()
            })
        );
        assert!(matches!(parse_works_list(xml), Err(OrcidError::Api { .. })));
    }
}
