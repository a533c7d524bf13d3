//! GtR v7 JSON: the `projects` search envelope, the linked entities (fund,
//! person, organisation, publication outcome) and the mapping of a project
//! plus its entities onto a [`Grant`].
//!
//! Everything is read through `serde_json::Value` rather than typed structs:
//! GtR fields are nullable, sometimes missing, and numbers occasionally arrive
//! as strings, and one odd field must cost that field, not the project.

use serde_json::{Map, Value};

use super::text::{epoch_ms_to_date, plain_text, trailing_guid};
use crate::harvest::{HttpResponse, Rejection};
use hcs_model::ids::{normalize_doi, normalize_orcid, normalize_pmid};
use hcs_model::records::{
    Grant, GrantOrganisation, GrantPerson, Identifiers, LinkMethod, Organisation, OtherIdentifier,
    OutputLink, Provenance,
};

/// Text of GtR's 404 for a page past the end ("…maximum available: 0" for no hits).
pub const PAST_LAST_PAGE: &str = "Page requested exceeds maximum available";

/// The kinds of entity a project links to that the harvester follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    /// `funds/{id}`: amount and funding period.
    Fund,
    /// `persons/{id}`: names and ORCID.
    Person,
    /// `organisations/{id}`: name and address.
    Organisation,
    /// `outcomes/publications/{id}`: a reported publication.
    Publication,
}

impl EntityKind {
    /// Every followed kind.
    pub const ALL: [EntityKind; 4] = [
        EntityKind::Fund,
        EntityKind::Person,
        EntityKind::Organisation,
        EntityKind::Publication,
    ];

    /// Path of the entity under the API base (`funds`, `persons`, …).
    pub fn path(self) -> &'static str {
        match self {
            EntityKind::Fund => "funds",
            EntityKind::Person => "persons",
            EntityKind::Organisation => "organisations",
            EntityKind::Publication => "outcomes/publications",
        }
    }

    /// Archive `kind` of a response for this entity.
    pub fn archive_kind(self) -> &'static str {
        match self {
            EntityKind::Fund => "fund",
            EntityKind::Person => "person",
            EntityKind::Organisation => "organisation",
            EntityKind::Publication => "publication",
        }
    }

    /// The kind archived under `kind`, if it is one of ours.
    pub fn from_archive_kind(kind: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.archive_kind() == kind)
    }
}

/// One `links.link[]` entry of a project, with the target classified.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectLink {
    /// Relation exactly as published (`PI_PER`, `RESERACH_COI_PER`, `LEAD_ORG`, …).
    pub rel: String,
    /// What the href points at, when it is a kind the harvester follows.
    pub kind: Option<EntityKind>,
    /// The target's GUID, taken from the end of the href.
    pub guid: Option<String>,
    /// `start` of the link (epoch ms), when given.
    pub start: Option<i64>,
    /// `end` of the link (epoch ms), when given.
    pub end: Option<i64>,
}

/// A checked page of the `projects` search.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectsPage {
    /// The projects, in order.
    pub projects: Vec<Map<String, Value>>,
    /// Pages in the whole result.
    pub total_pages: u64,
    /// Projects in the whole result.
    pub total_size: u64,
}

/// A fund, person, organisation or publication, as the harvester keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum Entity {
    /// From `funds/{id}`.
    Fund {
        /// `valuePounds.amount`.
        amount: Option<f64>,
        /// `valuePounds.currencyCode`.
        currency: Option<String>,
        /// Start of the funding period (epoch ms).
        start: Option<i64>,
        /// End of the funding period (epoch ms).
        end: Option<i64>,
    },
    /// From `persons/{id}`.
    Person {
        /// `firstName`.
        first: Option<String>,
        /// `otherNames` (middle names).
        other: Option<String>,
        /// `surname`.
        surname: Option<String>,
        /// `orcidId`, or an `ORCID_ID` link, normalised.
        orcid: Option<String>,
    },
    /// From `organisations/{id}`.
    Organisation {
        /// `name`.
        name: String,
        /// Postcode of the main address, when known.
        postcode: Option<String>,
    },
    /// From `outcomes/publications/{id}`.
    Publication {
        /// `title`.
        title: Option<String>,
        /// `doi`, normalised.
        doi: Option<String>,
        /// `pubMedId`, normalised.
        pmid: Option<String>,
    },
}

/// Parses and checks one page of `projects?…&s={size}&p={page}`.
///
/// `Ok(None)` is GtR's 404 "Page requested exceeds maximum available": no
/// (more) hits. A page that is cut, inconsistent with its own paging fields or
/// for another page number is `Incomplete`; other error statuses are `Refused`.
pub fn parse_projects_page(
    response: &HttpResponse,
    page: u64,
    size: u64,
) -> Result<Option<ProjectsPage>, Rejection> {
    if response.status == 404 && String::from_utf8_lossy(&response.body).contains(PAST_LAST_PAGE) {
        return Ok(None);
    }
    response.require_success()?;
    parse_projects_body(response.text()?, page, size).map(Some)
}

/// Checks a `projects` page body (see [`parse_projects_page`]).
pub fn parse_projects_body(body: &str, page: u64, size: u64) -> Result<ProjectsPage, Rejection> {
    let listing = parse_listing_body(body, "project", page, size)?;
    Ok(ProjectsPage {
        projects: listing.items,
        total_pages: listing.total_pages,
        total_size: listing.total_size,
    })
}

/// One page of a GtR listing (`projects`, `persons`, `persons/{id}/projects`…).
#[derive(Debug, Clone)]
pub struct Listing {
    /// The page's items, each with an `id`.
    pub items: Vec<Map<String, Value>>,
    /// `totalPages`.
    pub total_pages: u64,
    /// `totalSize`.
    pub total_size: u64,
}

/// Checks a listing page whose items are under `key` (`project`, `person`):
/// the envelope's paging fields must agree with the page asked for and with
/// the number of items, and every item must have an id.
pub fn parse_listing_body(
    body: &str,
    key: &str,
    page: u64,
    size: u64,
) -> Result<Listing, Rejection> {
    let value: Value = serde_json::from_str(body)
        .map_err(|error| Rejection::Incomplete(format!("{key} page is not JSON: {error}")))?;
    let Value::Object(mut envelope) = value else {
        return Err(Rejection::Incomplete(format!(
            "{key} page is not a JSON object"
        )));
    };
    let number = |envelope: &Map<String, Value>, field: &str| {
        envelope
            .get(field)
            .and_then(as_u64)
            .ok_or_else(|| Rejection::Incomplete(format!("{key} page lacks numeric `{field}`")))
    };
    let echoed = number(&envelope, "page")?;
    number(&envelope, "size")?;
    let total_pages = number(&envelope, "totalPages")?;
    let total_size = number(&envelope, "totalSize")?;
    let items = match envelope.remove(key) {
        Some(Value::Array(items)) => items,
        Some(Value::Null) if total_size == 0 => Vec::new(),
        _ => {
            return Err(Rejection::Incomplete(format!(
                "{key} page lacks the `{key}` array"
            )))
        }
    };
    if total_size == 0 {
        return if items.is_empty() {
            Ok(Listing {
                items: Vec::new(),
                total_pages,
                total_size,
            })
        } else {
            Err(Rejection::Incomplete(format!(
                "totalSize 0 but {} {key} items",
                items.len()
            )))
        };
    }
    if echoed != page {
        return Err(Rejection::Incomplete(format!(
            "asked for page {page}, got page {echoed}"
        )));
    }
    if items.len() as u64 > size {
        return Err(Rejection::Incomplete(format!(
            "{} {key} items on a page of {size}",
            items.len()
        )));
    }
    if page > total_pages {
        return Err(Rejection::Incomplete(format!(
            "page {page} of {total_pages}"
        )));
    }
    // The last page must hold exactly what the earlier full pages leave of totalSize.
    if page == total_pages {
        let expected = total_size.saturating_sub((total_pages - 1).saturating_mul(size));
        if items.len() as u64 != expected {
            return Err(Rejection::Incomplete(format!(
                "last page {page} holds {} {key} items, totalSize {total_size} implies {expected}",
                items.len()
            )));
        }
    }
    let mut checked = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(map) if text(&map, "id").is_some() => checked.push(map),
            _ => {
                return Err(Rejection::Incomplete(format!(
                    "{key} {} on page {page} has no id",
                    index + 1
                )))
            }
        }
    }
    Ok(Listing {
        items: checked,
        total_pages,
        total_size,
    })
}

/// A person of a `persons` listing, as a person entity with its GUID.
pub fn listed_person(map: &Map<String, Value>) -> Option<(String, Entity)> {
    let id = text(map, "id")?;
    Some((id, person_entity(map)))
}

/// Parses `funds|persons|organisations|outcomes/publications/{guid}` and checks
/// that the record returned is the one asked for: GtR answers an unknown GUID
/// with some unrelated record rather than a 404.
pub fn parse_entity(
    response: &HttpResponse,
    kind: EntityKind,
    guid: &str,
) -> Result<Entity, Rejection> {
    response.require_success()?;
    parse_entity_body(response.text()?, kind, guid)
}

/// Checks and reads an entity body (see [`parse_entity`]).
pub fn parse_entity_body(body: &str, kind: EntityKind, guid: &str) -> Result<Entity, Rejection> {
    let value: Value = serde_json::from_str(body).map_err(|error| {
        Rejection::Incomplete(format!(
            "{} {guid} is not JSON: {error}",
            kind.archive_kind()
        ))
    })?;
    let Value::Object(map) = value else {
        return Err(Rejection::Incomplete(format!(
            "{} {guid} is not a JSON object",
            kind.archive_kind()
        )));
    };
    match text(&map, "id") {
        Some(id) if id.eq_ignore_ascii_case(guid) => {}
        Some(id) => {
            return Err(Rejection::Refused(format!(
                "asked for {} {guid}, GtR returned {id}",
                kind.archive_kind()
            )))
        }
        None => {
            return Err(Rejection::Incomplete(format!(
                "{} {guid}: response has no id",
                kind.archive_kind()
            )))
        }
    }
    Ok(match kind {
        EntityKind::Fund => {
            let value = map.get("valuePounds");
            let (amount, currency) = match value {
                Some(Value::Object(pounds)) => (
                    pounds.get("amount").and_then(as_f64),
                    text(pounds, "currencyCode"),
                ),
                // Older versions give the bare number.
                Some(other) => (as_f64(other), None),
                None => (None, None),
            };
            Entity::Fund {
                amount,
                currency,
                start: map.get("start").and_then(as_i64),
                end: map.get("end").and_then(as_i64),
            }
        }
        EntityKind::Person => person_entity(&map),
        EntityKind::Organisation => Entity::Organisation {
            name: text(&map, "name").unwrap_or_default(),
            postcode: main_postcode(&map),
        },
        EntityKind::Publication => Entity::Publication {
            title: text(&map, "title").and_then(|title| plain_text(&title)),
            doi: text(&map, "doi").and_then(|doi| normalize_doi(&doi)),
            pmid: map
                .get("pubMedId")
                .and_then(scalar_text)
                .and_then(|pmid| normalize_pmid(&pmid)),
        },
    })
}

/// A person's names and ORCID iD (`orcidId`, or an `ORCID_ID` link).
fn person_entity(map: &Map<String, Value>) -> Entity {
    let orcid = text(map, "orcidId")
        .and_then(|raw| normalize_orcid(&raw))
        .or_else(|| {
            links(map)
                .into_iter()
                .filter(|link| text(link, "rel").as_deref() == Some("ORCID_ID"))
                .find_map(|link| text(link, "href").and_then(|href| normalize_orcid(&href)))
        });
    Entity::Person {
        first: text(map, "firstName"),
        other: text(map, "otherNames"),
        surname: text(map, "surname"),
        orcid,
    }
}

/// The postcode of the `MAIN_ADDRESS` (else the first address), GtR's
/// placeholder "Unknown" dropped.
fn main_postcode(map: &Map<String, Value>) -> Option<String> {
    let addresses: Vec<&Map<String, Value>> = match map.get("addresses") {
        Some(Value::Object(wrapper)) => list(wrapper.get("address")),
        Some(other) => list(Some(other)),
        None => Vec::new(),
    };
    let chosen = addresses
        .iter()
        .find(|address| text(address, "type").as_deref() == Some("MAIN_ADDRESS"))
        .or_else(|| addresses.first())?;
    text(chosen, "postCode").filter(|code| !code.eq_ignore_ascii_case("unknown"))
}

/// The project's links, classified by where they point.
pub fn project_links(project: &Map<String, Value>) -> Vec<ProjectLink> {
    links(project)
        .into_iter()
        .filter_map(|link| {
            let rel = text(link, "rel")?;
            let href = text(link, "href").unwrap_or_default();
            let (prefix, guid) = match trailing_guid(&href) {
                Some((prefix, guid)) => (Some(prefix), Some(guid.to_owned())),
                None => (None, None),
            };
            let kind = prefix
                .and_then(kind_from_prefix)
                .or_else(|| kind_from_rel(&rel));
            Some(ProjectLink {
                rel,
                kind: guid.as_ref().and(kind),
                guid,
                start: link.get("start").and_then(as_i64),
                end: link.get("end").and_then(as_i64),
            })
        })
        .collect()
}

fn kind_from_prefix(prefix: &str) -> Option<EntityKind> {
    let path = prefix.trim_end_matches('/').to_ascii_lowercase();
    if path.ends_with("publications") {
        Some(EntityKind::Publication)
    } else if path.ends_with("persons") {
        Some(EntityKind::Person)
    } else if path.ends_with("organisations") {
        Some(EntityKind::Organisation)
    } else if path.ends_with("funds") {
        Some(EntityKind::Fund)
    } else {
        None
    }
}

/// For an href that names no entity type: the rel's conventional target.
fn kind_from_rel(rel: &str) -> Option<EntityKind> {
    if rel.ends_with("_PER") {
        Some(EntityKind::Person)
    } else if rel.ends_with("_ORG") {
        Some(EntityKind::Organisation)
    } else if rel == "FUND" {
        Some(EntityKind::Fund)
    } else if rel == "PUBLICATION" {
        Some(EntityKind::Publication)
    } else {
        None
    }
}

/// Whether a link of this kind and rel is followed: persons and organisations
/// whatever the rel (unknown rels included), the award's own `FUND`, and
/// `PUBLICATION` outcomes.
pub fn is_followed(link: &ProjectLink) -> bool {
    match link.kind {
        Some(EntityKind::Person | EntityKind::Organisation) => true,
        Some(EntityKind::Fund) => link.rel == "FUND",
        Some(EntityKind::Publication) => link.rel == "PUBLICATION",
        None => false,
    }
}

/// Where a grant was read from: the page URL and its fetch time.
#[derive(Debug, Clone)]
pub struct PageOrigin {
    /// The page request URL.
    pub location: String,
    /// When the page was fetched (RFC 3339).
    pub fetched_at: String,
}

/// Maps one project and its followed entities onto a grant.
///
/// `lookup(kind, guid)` gives an entity fetched (or archived) for a link;
/// `None` when it could not be had, in which case what the link itself says
/// is kept where possible (role, dates) and the rest left empty.
pub fn build_grant(
    source: &str,
    project: &Map<String, Value>,
    origin: &PageOrigin,
    lookup: &dyn Fn(EntityKind, &str) -> Option<Entity>,
) -> Grant {
    let mut grant = project_grant(source, project, origin);
    let period = follow_links(&mut grant, project, lookup);
    let own_start = project.get("start").and_then(date_value);
    let own_end = project.get("end").and_then(date_value);
    grant.start = period.0.and_then(epoch_ms_to_date).or(own_start);
    grant.end = period.1.and_then(epoch_ms_to_date).or(own_end);
    grant
}

/// The grant as the project alone describes it, before any link is followed.
fn project_grant(source: &str, project: &Map<String, Value>, origin: &PageOrigin) -> Grant {
    let guid = text(project, "id").unwrap_or_default();
    let identifiers = identifier_list(project);
    let reference = identifiers
        .iter()
        .find(|(kind, _)| kind.eq_ignore_ascii_case("RCUK"))
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| guid.clone());
    let funder = text(project, "leadFunder").unwrap_or_else(|| "UKRI".to_owned());
    let mut other_references = vec![OtherIdentifier {
        kind: "gtr_project".to_owned(),
        value: guid.clone(),
    }];
    for (kind, value) in &identifiers {
        if !kind.eq_ignore_ascii_case("RCUK") {
            other_references.push(OtherIdentifier {
                kind: format!("gtr_{}", kind.to_ascii_lowercase()),
                value: value.clone(),
            });
        }
    }
    Grant {
        id: Grant::stable_id(&funder, &reference),
        funder,
        reference,
        other_references,
        programme: text(project, "grantCategory"),
        title: text(project, "title")
            .and_then(|title| plain_text(&title))
            .unwrap_or_default(),
        r#abstract: text(project, "abstractText").and_then(|text| plain_text(&text)),
        status: text(project, "status"),
        provenance: vec![Provenance {
            source: source.to_owned(),
            location: origin.location.clone(),
            fetched_at: origin.fetched_at.clone(),
            record_id: Some(guid),
        }],
        ..Grant::default()
    }
}

/// A funding period as epoch ms: (start, end).
type Period = (Option<i64>, Option<i64>);

/// Adds to `grant` what each followed link of the project leads to, and
/// gives the award's funding period.
fn follow_links(
    grant: &mut Grant,
    project: &Map<String, Value>,
    lookup: &dyn Fn(EntityKind, &str) -> Option<Entity>,
) -> Period {
    let department = text(project, "leadOrganisationDepartment");
    let mut period: Period = (None, None);
    let mut have_fund = false;
    for link in project_links(project) {
        let (Some(kind), Some(target)) = (link.kind, link.guid.as_deref()) else {
            continue;
        };
        if !is_followed(&link) {
            continue;
        }
        let entity = lookup(kind, target);
        match kind {
            EntityKind::Fund => {
                // The first FUND link is the award itself; the project's own start/end are null.
                if have_fund {
                    continue;
                }
                have_fund = true;
                period = add_fund(grant, &link, entity);
            }
            EntityKind::Person => grant.people.extend(grant_person(&link, target, entity)),
            EntityKind::Organisation => {
                let Some(Entity::Organisation { name, postcode }) = entity else {
                    continue;
                };
                let organisation = Organisation {
                    name,
                    id: Some(target.to_owned()),
                    location: postcode,
                    ..Organisation::default()
                };
                add_organisation(grant, &link, organisation, &department);
            }
            EntityKind::Publication => grant.outputs.push(output_link(target, entity)),
        }
    }
    period
}

/// Sets the award's amount from its fund, giving its funding period (what
/// the link says where the fund could not be had).
fn add_fund(grant: &mut Grant, link: &ProjectLink, entity: Option<Entity>) -> Period {
    match entity {
        Some(Entity::Fund {
            amount,
            currency,
            start,
            end,
        }) => {
            grant.amount = amount;
            grant.currency = amount.map(|_| currency.unwrap_or_else(|| "GBP".into()));
            (start.or(link.start), end.or(link.end))
        }
        _ => (link.start, link.end),
    }
}

/// The person a person link leads to, in the link's role.
fn grant_person(link: &ProjectLink, target: &str, entity: Option<Entity>) -> Option<GrantPerson> {
    let Some(Entity::Person {
        first,
        other,
        surname,
        orcid,
    }) = entity
    else {
        return None;
    };
    let given = [first, other]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    Some(GrantPerson {
        family: surname,
        given: (!given.is_empty()).then_some(given),
        orcid,
        role: link.rel.clone(),
        source_id: Some(target.to_owned()),
        ..GrantPerson::default()
    })
}

/// The first `LEAD_ORG` is the lead organisation (with the project's
/// department); every other organisation is listed in its link's role.
fn add_organisation(
    grant: &mut Grant,
    link: &ProjectLink,
    mut organisation: Organisation,
    department: &Option<String>,
) {
    if link.rel == "LEAD_ORG" && grant.lead_organisation.is_none() {
        organisation.department.clone_from(department);
        grant.lead_organisation = Some(organisation);
    } else {
        grant.organisations.push(GrantOrganisation {
            organisation,
            role: link.rel.clone(),
        });
    }
}

/// The output a publication outcome link names: always its outcome id, and
/// the publication's title and ids when it could be had.
fn output_link(target: &str, entity: Option<Entity>) -> OutputLink {
    let mut identifiers = Identifiers {
        other: vec![OtherIdentifier {
            kind: "gtr_outcome".to_owned(),
            value: target.to_owned(),
        }],
        ..Identifiers::default()
    };
    let mut title = None;
    if let Some(Entity::Publication {
        title: published,
        doi,
        pmid,
    }) = entity
    {
        identifiers.doi = doi;
        identifiers.pmid = pmid;
        title = published;
    }
    OutputLink {
        identifiers,
        title,
        method: LinkMethod::GtrOutcome,
    }
}

/// `identifiers.identifier[]` as (type, value) pairs.
fn identifier_list(project: &Map<String, Value>) -> Vec<(String, String)> {
    let items = match project.get("identifiers") {
        Some(Value::Object(wrapper)) => list(wrapper.get("identifier")),
        other => list(other),
    };
    items
        .into_iter()
        .filter_map(|item| {
            Some((
                text(item, "type").unwrap_or_default(),
                item.get("value").and_then(scalar_text)?,
            ))
        })
        .collect()
}

/// A project date given directly: epoch ms or an ISO date string.
fn date_value(value: &Value) -> Option<String> {
    if let Some(ms) = as_i64(value) {
        return epoch_ms_to_date(ms);
    }
    let text = value.as_str()?.trim();
    let date = text.get(..10)?;
    let bytes = date.as_bytes();
    let shaped = bytes.iter().enumerate().all(|(index, byte)| match index {
        4 | 7 => *byte == b'-',
        _ => byte.is_ascii_digit(),
    });
    shaped.then(|| date.to_owned())
}

fn links(map: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    match map.get("links") {
        Some(Value::Object(wrapper)) => list(wrapper.get("link")),
        other => list(other),
    }
}

/// An array of objects, or a single object GtR did not wrap in an array.
fn list(value: Option<&Value>) -> Vec<&Map<String, Value>> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(item)) => vec![item],
        _ => Vec::new(),
    }
}

/// A trimmed, non-empty string field.
fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(scalar_text)
}

fn scalar_text(value: &Value) -> Option<String> {
    let text = match value {
        Value::String(text) => text.trim().to_owned(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn as_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().filter(|n| n.is_finite()).map(|n| n as i64)),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    as_i64(value).and_then(|n| u64::try_from(n).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &str, page: u64, size: u64) -> Result<ProjectsPage, Rejection> {
        parse_projects_body(body, page, size)
    }

    #[test]
    fn pages_are_checked_against_their_paging_fields() {
        let two = r#"{"project":[{"id":"A"},{"id":"B"}],"page":2,"size":10,"totalPages":2,"totalSize":12}"#;
        assert_eq!(page(two, 2, 10).unwrap().projects.len(), 2);
        // Wrong page echoed, or a last page short of totalSize.
        assert!(matches!(page(two, 1, 10), Err(Rejection::Incomplete(_))));
        let short = r#"{"project":[{"id":"A"}],"page":2,"size":10,"totalPages":2,"totalSize":12}"#;
        assert!(matches!(page(short, 2, 10), Err(Rejection::Incomplete(_))));
        let missing = r#"{"project":[{"id":"A"}],"page":1,"totalPages":1,"totalSize":1}"#;
        assert!(matches!(
            page(missing, 1, 10),
            Err(Rejection::Incomplete(_))
        ));
        assert!(matches!(
            page("{\"project\":[{\"id\"", 1, 10),
            Err(Rejection::Incomplete(_))
        ));
        let empty = r#"{"project":[],"page":1,"size":10,"totalPages":0,"totalSize":0}"#;
        assert!(page(empty, 1, 10).unwrap().projects.is_empty());
    }

    #[test]
    fn entities_must_be_the_one_asked_for() {
        let body = r#"{"id":"AAAA","firstName":"Gascia","surname":"Ouzounian","orcidId":"http://orcid.org/0000-0002-1825-0097"}"#;
        assert_eq!(
            parse_entity_body(body, EntityKind::Person, "aaaa").unwrap(),
            Entity::Person {
                first: Some("Gascia".into()),
                other: None,
                surname: Some("Ouzounian".into()),
                orcid: Some("0000-0002-1825-0097".into()),
            }
        );
        assert!(matches!(
            parse_entity_body(body, EntityKind::Person, "BBBB"),
            Err(Rejection::Refused(_))
        ));
        let fund = r#"{"id":"F","valuePounds":{"currencyCode":"GBP","amount":39592},"start":1441062000000,"end":1472598000000}"#;
        assert_eq!(
            parse_entity_body(fund, EntityKind::Fund, "F").unwrap(),
            Entity::Fund {
                amount: Some(39592.0),
                currency: Some("GBP".into()),
                start: Some(1_441_062_000_000),
                end: Some(1_472_598_000_000),
            }
        );
    }

    #[test]
    fn links_are_classified_by_href_then_rel() {
        let project: Map<String, Value> = serde_json::from_str(
            r#"{"id":"P","links":{"link":[
              {"href":"http://gtr.ukri.org/gtr/apipersons/EE89CB16-9458-47CF-AC63-A73E732D8E4C","rel":"RESERACH_COI_PER"},
              {"href":"http://gtr.ukri.org/gtr/api/outcomes/keyfindings/9058F9CD-0DAC-4520-903C-567D83252C53","rel":"KEY_FINDING"},
              {"href":"http://gtr.ukri.org/gtr/api/EC23DA53-CA73-4104-A3F6-2A9523484E69","rel":"NEW_ORG"}
            ]}}"#,
        )
        .unwrap();
        let links = project_links(&project);
        assert_eq!(links[0].kind, Some(EntityKind::Person));
        assert_eq!(links[0].rel, "RESERACH_COI_PER");
        assert_eq!(links[1].kind, None);
        assert!(!is_followed(&links[1]));
        assert_eq!(links[2].kind, Some(EntityKind::Organisation));
    }
}
