//! `GET /api/publications` (also `/api/search`) and `GET /api/grants`: one
//! page of hits with highlights and facet counts as JSON, or every match as CSV.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hcs_model::records::{Grant, Publication, Record};
use hcs_model::tabular::write_csv;
use hcs_tagging::model::Band;
use hcs_tagging::{SlotTag, Tier};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::query::{
    Facets, Hit, ParamError, RecordKind, SearchOutcome, SearchParams, Sort, DEFAULT_PER_PAGE,
    MAX_RESULT_WINDOW,
};
use crate::state::AppState;

/// Authors (or grant people) listed per result; `author_count` gives the full number.
pub const AUTHORS_PER_RESULT: usize = 10;

/// Query-string parameters both searches accept.
pub const COMMON_PARAMETERS: [&str; 18] = [
    "q",
    "funder",
    "page",
    "per_page",
    "year",
    "year_from",
    "year_to",
    "type",
    "sort",
    "hcs",
    "tier",
    "discipline",
    "division",
    "organisation",
    "role",
    "band",
    "format",
    "lenient",
];

/// Parameters only one kind of search accepts: journals for publications.
fn kind_parameters(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Publication => &["journal"],
        RecordKind::Grant => &[],
    }
}

/// Parameters that may be repeated or given comma-separated.
const REPEATABLE: [&str; 10] = [
    "type",
    "journal",
    "funder",
    "hcs",
    "tier",
    "discipline",
    "division",
    "organisation",
    "role",
    "band",
];

/// How a search answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// One page of hits with facets.
    #[default]
    Json,
    /// Every match (up to the paging window) as CSV rows.
    Csv,
}

/// A parsed search request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// What to search for.
    pub params: SearchParams,
    /// How to answer.
    pub format: Format,
}

/// The search response: `R` is [`PublicationResult`] or [`GrantResult`].
#[derive(Debug, Serialize)]
pub struct SearchResponse<R> {
    /// Records matching the query and filters.
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// Page size.
    pub per_page: usize,
    /// Number of pages for `total`, up to the last page the paging window reaches.
    pub pages: usize,
    /// The order used: `relevance`, `newest` or `oldest`.
    pub sort: Sort,
    /// The hits on this page.
    pub results: Vec<R>,
    /// Counts over all matching records.
    pub facets: Facets,
    /// With `lenient=true`: the parts of the query that were dropped, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A healthcare scientist counted on a record, as published.
#[derive(Debug, Serialize)]
pub struct HcsPerson {
    /// Byline position, or 1-based place in a grant's people.
    pub position: u32,
    /// The name as published.
    pub name: String,
    /// `roster` (accepted roster match) or `inferred` (possible healthcare scientist).
    pub tier: &'static str,
    /// The person's profile id (roster matches only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<String>,
    /// Discipline, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discipline: Option<String>,
    /// Division, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub division: Option<String>,
    /// Organisation counted under (current name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organisation: Option<String>,
    /// Roles as the `role` filter names them.
    pub roles: Vec<&'static str>,
}

/// An author or grant person the scorer sent to a curator (band `review`).
#[derive(Debug, Serialize)]
pub struct ReviewCandidate {
    /// Byline position, or 1-based place in a grant's people.
    pub position: u32,
    /// The name as published.
    pub name: String,
    /// The match score (0–100) of the best roster candidate.
    pub score: u8,
}

/// Who on a record awaits a curator's decision: the people behind `band=review`.
///
/// Only the published name and the score: which roster person the scorer
/// proposed is for curators (the roster is not served).
pub fn review_candidates(record: &Record, tags: &[SlotTag]) -> Vec<ReviewCandidate> {
    tags.iter()
        .filter(|slot| slot.tag.tier == Tier::Roster && slot.tag.band == Band::Review)
        .map(|slot| ReviewCandidate {
            position: slot.position,
            name: record.person_name(slot.position),
            score: slot.tag.score,
        })
        .collect()
}

/// The counted healthcare scientists of a record (roster review and rejected tags left out).
pub fn hcs_people(record: &Record, tags: &[SlotTag]) -> Vec<HcsPerson> {
    tags.iter()
        .filter_map(|slot| {
            let tag = &slot.tag;
            Some(HcsPerson {
                position: slot.position,
                name: record.person_name(slot.position),
                tier: tag.counted_as()?,
                person_id: tag.person_id.clone(),
                discipline: tag.discipline.clone(),
                division: tag.division.clone(),
                organisation: tag.organisation.as_ref().map(|o| o.name.clone()),
                roles: tag.role.filter_terms(),
            })
        })
        .collect()
}

/// A publication hit as served.
#[derive(Debug, Serialize)]
pub struct PublicationResult {
    /// Stable record id (`pmid:…`).
    pub id: String,
    /// Title as plain text.
    pub title: String,
    /// Publication year (`null` when the source printed no date).
    pub year: Option<u16>,
    /// Journal or book title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub journal: Option<String>,
    /// First authors' display names (at most [`AUTHORS_PER_RESULT`]).
    pub authors: Vec<String>,
    /// Number of authors in the byline.
    pub author_count: usize,
    /// Publication types.
    pub publication_types: Vec<String>,
    /// DOI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doi: Option<String>,
    /// PubMed id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pmid: Option<String>,
    /// PubMed Central id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pmcid: Option<String>,
    /// The healthcare scientists counted among the authors.
    pub hcs: Vec<HcsPerson>,
    /// People awaiting a curator (band `review`): who `band=review` found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub awaiting_review: Vec<ReviewCandidate>,
    /// Relevance score (`null` when ordered by year).
    pub score: Option<f32>,
    /// HTML with matches in `<b>`.
    pub highlights: Highlights,
}

/// A grant hit as served.
#[derive(Debug, Serialize)]
pub struct GrantResult {
    /// Stable record id (`grant:<funder>:<reference>`).
    pub id: String,
    /// Title as plain text.
    pub title: String,
    /// Funder as published.
    pub funder: String,
    /// The funder's award reference.
    pub reference: String,
    /// Funding programme or scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programme: Option<String>,
    /// Status as published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Start date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// End date, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    /// Amount awarded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// ISO 4217 currency of `amount`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The organisation holding the award.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_organisation: Option<String>,
    /// People on the award with their published roles (at most [`AUTHORS_PER_RESULT`]).
    pub people: Vec<GrantPersonResult>,
    /// Number of people on the award.
    pub people_count: usize,
    /// Outputs the funder links to the award.
    pub output_count: usize,
    /// The healthcare scientists counted among the people.
    pub hcs: Vec<HcsPerson>,
    /// People awaiting a curator (band `review`): who `band=review` found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub awaiting_review: Vec<ReviewCandidate>,
    /// Relevance score (`null` when ordered by start year).
    pub score: Option<f32>,
    /// HTML with matches in `<b>`.
    pub highlights: Highlights,
}

/// A person on a grant, as published.
#[derive(Debug, Serialize)]
pub struct GrantPersonResult {
    /// Name as published.
    pub name: String,
    /// Role as published.
    pub role: String,
}

/// Highlighted HTML, escaped, with matches in `<b>`.
#[derive(Debug, Serialize)]
pub struct Highlights {
    /// The whole title.
    pub title: String,
    /// A passage of the abstract (`null` when there is none).
    #[serde(rename = "abstract")]
    pub r#abstract: Option<String>,
}

impl From<Hit> for PublicationResult {
    fn from(hit: Hit) -> Self {
        let hcs = hcs_people(&hit.record, &hit.tags);
        let awaiting_review = review_candidates(&hit.record, &hit.tags);
        let publication = match hit.record {
            Record::Publication(publication) => *publication,
            // The search is restricted to publications; a grant here would be a bug
            // in the query, so show it as a bare title rather than fail the page.
            Record::Grant(grant) => Publication {
                id: grant.id,
                title: grant.title,
                ..Publication::default()
            },
        };
        PublicationResult {
            id: publication.id,
            title: publication.title,
            year: publication.published.as_ref().map(|date| date.year),
            journal: publication.journal.map(|journal| journal.title),
            author_count: publication.authors.len(),
            authors: publication
                .authors
                .iter()
                .take(AUTHORS_PER_RESULT)
                .map(|author| author.display_name())
                .collect(),
            publication_types: publication.publication_types,
            doi: publication.identifiers.doi,
            pmid: publication.identifiers.pmid,
            pmcid: publication.identifiers.pmcid,
            hcs,
            awaiting_review,
            score: hit.score,
            highlights: Highlights {
                title: hit.title_html,
                r#abstract: hit.abstract_html,
            },
        }
    }
}

impl From<Hit> for GrantResult {
    fn from(hit: Hit) -> Self {
        let hcs = hcs_people(&hit.record, &hit.tags);
        let awaiting_review = review_candidates(&hit.record, &hit.tags);
        let grant = match hit.record {
            Record::Grant(grant) => *grant,
            // As above: a publication here would be a bug in the query.
            Record::Publication(publication) => Grant {
                id: publication.id,
                title: publication.title,
                ..Grant::default()
            },
        };
        GrantResult {
            id: grant.id,
            title: grant.title,
            funder: grant.funder,
            reference: grant.reference,
            programme: grant.programme,
            status: grant.status,
            start: grant.start,
            end: grant.end,
            amount: grant.amount,
            currency: grant.currency,
            lead_organisation: grant.lead_organisation.map(|o| o.name),
            people_count: grant.people.len(),
            people: grant
                .people
                .iter()
                .take(AUTHORS_PER_RESULT)
                .map(|person| GrantPersonResult {
                    name: person.display_name(),
                    role: person.role.clone(),
                })
                .collect(),
            output_count: hit.output_count.unwrap_or(grant.outputs.len()),
            hcs,
            awaiting_review,
            score: hit.score,
            highlights: Highlights {
                title: hit.title_html,
                r#abstract: hit.abstract_html,
            },
        }
    }
}

impl<R: From<Hit>> SearchResponse<R> {
    fn new(params: &SearchParams, outcome: SearchOutcome) -> Self {
        // Pages past the paging window are refused, so they are not counted.
        let pages = outcome
            .total
            .div_ceil(params.per_page)
            .min(MAX_RESULT_WINDOW / params.per_page);
        SearchResponse {
            total: outcome.total,
            page: params.page,
            per_page: params.per_page,
            pages,
            sort: outcome.sort,
            results: outcome.hits.into_iter().map(R::from).collect(),
            facets: outcome.facets,
            warnings: outcome.warnings,
        }
    }
}

/// Reads the query-string pairs into a search of `kind`.
///
/// Empty values count as absent (HTML forms send them); list filters may be
/// repeated or comma-separated; other parameters may appear once; unknown ones are refused.
pub fn parse_params(
    kind: RecordKind,
    pairs: Vec<(String, String)>,
) -> Result<SearchRequest, ParamError> {
    let mut params = SearchParams {
        kind,
        ..SearchParams::default()
    };
    let mut format = Format::Json;
    let accepted = || {
        COMMON_PARAMETERS
            .iter()
            .chain(kind_parameters(kind))
            .copied()
    };
    let mut seen: Vec<&'static str> = Vec::new();
    let mut per_page = None;
    for (key, value) in pairs {
        let Some(name) = accepted().find(|&name| name == key) else {
            return Err(ParamError::new(
                key.clone(),
                format!(
                    "unknown parameter '{}'; accepted parameters are {}",
                    key.chars().take(64).collect::<String>(),
                    accepted().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        if !REPEATABLE.contains(&name) && seen.contains(&name) {
            return Err(ParamError::new(
                name,
                format!("parameter '{name}' is given more than once"),
            ));
        }
        seen.push(name);
        let value = value.trim();
        if value.is_empty() && name != "q" {
            continue;
        }
        let filters = &mut params.filters;
        match name {
            "q" => params.q = value.to_owned(),
            "page" => params.page = number(name, value)?,
            "per_page" => per_page = Some(number(name, value)?),
            "year" => filters.year = Some(year(name, value)?),
            "year_from" => filters.year_from = Some(year(name, value)?),
            "year_to" => filters.year_to = Some(year(name, value)?),
            "type" => push_list(&mut filters.types, value),
            "journal" => filters.journals.push(value.to_owned()),
            "funder" => filters.funders.push(value.to_owned()),
            // `tier` is the name the metrics use; `hcs` the facet's.
            "hcs" | "tier" => push_lower_list(&mut filters.hcs, value),
            "role" => push_lower_list(&mut filters.roles, value),
            "band" => push_lower_list(&mut filters.bands, value),
            "discipline" => filters.disciplines.push(value.to_owned()),
            "division" => filters.divisions.push(value.to_owned()),
            "organisation" => filters.organisations.push(value.to_owned()),
            "sort" => {
                params.sort = Some(Sort::parse(value).ok_or_else(|| {
                    ParamError::new(name, "sort must be relevance, newest or oldest")
                })?)
            }
            "lenient" => {
                params.lenient = match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(ParamError::new(name, "lenient must be true or false")),
                }
            }
            "format" => {
                format = match value {
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    _ => return Err(ParamError::new(name, "format must be json or csv")),
                }
            }
            _ => unreachable!("every accepted parameter is handled"),
        }
    }
    params.per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    params.validate()?;
    Ok(SearchRequest { params, format })
}

fn number(name: &str, value: &str) -> Result<usize, ParamError> {
    value.parse().map_err(|_| {
        ParamError::new(
            name,
            format!("{name} must be a whole number, got '{}'", truncate(value)),
        )
    })
}

fn year(name: &str, value: &str) -> Result<u64, ParamError> {
    value.parse().map_err(|_| {
        ParamError::new(
            name,
            format!(
                "{name} must be a year such as 2019, got '{}'",
                truncate(value)
            ),
        )
    })
}

fn truncate(value: &str) -> String {
    value.chars().take(32).collect()
}

fn push_lower_list(list: &mut Vec<String>, value: &str) {
    push_list(list, &value.to_lowercase());
}

fn push_list(list: &mut Vec<String>, value: &str) {
    list.extend(
        value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
    );
}

/// `GET /api/publications`: see the crate documentation for parameters and the response shape.
pub async fn publications(
    State(state): State<AppState>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    search::<PublicationResult>(state, parse_params(RecordKind::Publication, pairs)?).await
}

/// `GET /api/grants`: grants with funder, role and tag filters.
pub async fn grants(
    State(state): State<AppState>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    search::<GrantResult>(state, parse_params(RecordKind::Grant, pairs)?).await
}

async fn search<R>(state: AppState, request: SearchRequest) -> Result<Response, ApiError>
where
    R: From<Hit> + Serialize + CsvRow,
{
    let SearchRequest { params, format } = request;
    // The query text may be personal (a name); log its length only.
    tracing::info!(
        query_len = params.q.len(),
        page = params.page,
        per_page = params.per_page,
        kind = params.kind.term(),
        "search"
    );
    let run = params.clone();
    let outcome = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            let engine = state.engine();
            Ok(match format {
                Format::Json => engine.search(&searcher, state.store(), &run)?,
                Format::Csv => engine.export(&searcher, state.store(), &run)?,
            })
        })
        .await
        .map_err(|error| match error {
            // Offer the way out with the refusal.
            ApiError::InvalidQuery(message) => ApiError::InvalidQuery(format!(
                "{message}; or add lenient=true to search what can be read of it"
            )),
            other => other,
        })?;
    match format {
        Format::Json => Ok(Json(SearchResponse::<R>::new(&params, outcome)).into_response()),
        Format::Csv => {
            let rows = outcome.hits.into_iter().map(|hit| R::from(hit).csv_row());
            let body = write_csv(R::CSV_HEADER, rows).map_err(ApiError::internal)?;
            Ok(csv_response(
                &format!("{}s.csv", params.kind.term()),
                body,
                outcome.total,
            ))
        }
    }
}

/// A CSV download: `text/csv` with a file name, and the number of matches
/// (which may exceed the rows, capped at the paging window) in `X-Total-Count`.
pub fn csv_response(file_name: &str, body: String, total: usize) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (
                header::HeaderName::from_static("x-total-count"),
                total.to_string(),
            ),
        ],
        body,
    )
        .into_response()
}

/// A result as one CSV row.
pub trait CsvRow {
    /// Column names.
    const CSV_HEADER: &'static [&'static str];
    /// The row, in [`CsvRow::CSV_HEADER`] order.
    fn csv_row(self) -> Vec<String>;
}

/// The `hcs_people`, `hcs_disciplines` and `hcs_organisations` cells.
fn hcs_cells(people: &[HcsPerson]) -> [String; 3] {
    let distinct = |pick: fn(&HcsPerson) -> Option<&str>| {
        let mut values: Vec<&str> = people.iter().filter_map(pick).collect();
        values.sort_unstable();
        values.dedup();
        values.join("; ")
    };
    [
        people
            .iter()
            .map(|p| format!("{} ({}, {})", p.name, p.tier, p.roles.join(" ")))
            .collect::<Vec<_>>()
            .join("; "),
        distinct(|p| p.discipline.as_deref()),
        distinct(|p| p.organisation.as_deref()),
    ]
}

impl CsvRow for PublicationResult {
    const CSV_HEADER: &'static [&'static str] = &[
        "id",
        "title",
        "year",
        "journal",
        "authors",
        "author_count",
        "publication_types",
        "doi",
        "pmid",
        "pmcid",
        "hcs_people",
        "hcs_disciplines",
        "hcs_organisations",
    ];

    fn csv_row(self) -> Vec<String> {
        let [people, disciplines, organisations] = hcs_cells(&self.hcs);
        vec![
            self.id,
            self.title,
            self.year.map(|year| year.to_string()).unwrap_or_default(),
            self.journal.unwrap_or_default(),
            self.authors.join("; "),
            self.author_count.to_string(),
            self.publication_types.join("; "),
            self.doi.unwrap_or_default(),
            self.pmid.unwrap_or_default(),
            self.pmcid.unwrap_or_default(),
            people,
            disciplines,
            organisations,
        ]
    }
}

impl CsvRow for GrantResult {
    const CSV_HEADER: &'static [&'static str] = &[
        "id",
        "title",
        "funder",
        "reference",
        "programme",
        "status",
        "start",
        "end",
        "amount",
        "currency",
        "lead_organisation",
        "people",
        "people_count",
        "output_count",
        "hcs_people",
        "hcs_disciplines",
        "hcs_organisations",
    ];

    fn csv_row(self) -> Vec<String> {
        let [hcs_people, disciplines, organisations] = hcs_cells(&self.hcs);
        vec![
            self.id,
            self.title,
            self.funder,
            self.reference,
            self.programme.unwrap_or_default(),
            self.status.unwrap_or_default(),
            self.start.unwrap_or_default(),
            self.end.unwrap_or_default(),
            self.amount.map(|a| a.to_string()).unwrap_or_default(),
            self.currency.unwrap_or_default(),
            self.lead_organisation.unwrap_or_default(),
            self.people
                .iter()
                .map(|p| format!("{} ({})", p.name, p.role))
                .collect::<Vec<_>>()
                .join("; "),
            self.people_count.to_string(),
            self.output_count.to_string(),
            hcs_people,
            disciplines,
            organisations,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn params_parse_with_defaults_and_lists() {
        let params = parse_params(
            RecordKind::Publication,
            pairs(&[
                ("q", "air embolism"),
                ("year_from", ""),
                ("type", "Review, Letter"),
                ("type", "Case Reports"),
            ]),
        )
        .unwrap()
        .params;
        assert_eq!(params.page, 1);
        assert_eq!(params.per_page, DEFAULT_PER_PAGE);
        assert_eq!(params.filters.year_from, None);
        assert_eq!(
            params.filters.types,
            ["Review", "Letter", "Case Reports"].map(String::from)
        );
    }

    #[test]
    fn bad_params_name_the_parameter() {
        for (query, name) in [
            (vec![("per_page", "0")], "per_page"),
            (vec![("per_page", "1000")], "per_page"),
            (vec![("page", "0")], "page"),
            (vec![("page", "-1")], "page"),
            (vec![("year", "abc")], "year"),
            (vec![("yaer", "2019")], "yaer"),
            (vec![("page", "1"), ("page", "2")], "page"),
            (vec![("sort", "best")], "sort"),
            (vec![("role", "boss")], "role"),
            (vec![("band", "maybe")], "band"),
            (vec![("tier", "all")], "hcs"),
            (vec![("format", "xml")], "format"),
            (
                vec![("year_from", "2020"), ("year_to", "2010")],
                "year_from",
            ),
        ] {
            let error = parse_params(RecordKind::Publication, pairs(&query)).unwrap_err();
            assert_eq!(error.parameter, name, "{query:?}: {error}");
            assert!(error.message.contains(name), "{error}");
        }
    }

    #[test]
    fn grant_searches_take_funders_and_roles() {
        let request = parse_params(
            RecordKind::Grant,
            pairs(&[
                ("funder", "MRC"),
                ("role", "Leadership,co_applicant"),
                ("tier", "roster"),
                ("band", "review"),
                ("format", "csv"),
            ]),
        )
        .unwrap();
        let filters = &request.params.filters;
        assert_eq!(request.params.kind, RecordKind::Grant);
        assert_eq!(request.format, Format::Csv);
        assert_eq!(filters.funders, ["MRC"]);
        assert_eq!(filters.roles, ["leadership", "co_applicant"]);
        assert_eq!(filters.hcs, ["roster"]);
        assert_eq!(filters.bands, ["review"]);
        let journal = parse_params(RecordKind::Grant, pairs(&[("journal", "BMJ")]));
        assert_eq!(journal.unwrap_err().parameter, "journal");
    }
}
