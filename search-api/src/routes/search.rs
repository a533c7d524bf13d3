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
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::error::ErrorBody;
use crate::extract::ApiQuery;
use crate::query::{
    Facets, Filters, Hit, ParamError, RecordKind, SearchOutcome, SearchParams, Sort,
    BAND_FILTER_TERMS, DEFAULT_PER_PAGE, MAX_RESULT_WINDOW, ROLE_FILTER_TERMS, TIER_FILTER_TERMS,
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Serialize, ToSchema)]
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
    /// Counts over all matching records: per facet, `buckets` of `{value, count}` and `other`.
    pub facets: Facets,
    /// With `lenient=true`: the parts of the query that were dropped, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// A healthcare scientist counted on a record, as published.
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
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
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantPersonResult {
    /// Name as published.
    pub name: String,
    /// Role as published.
    pub role: String,
}

/// Highlighted HTML, escaped, with matches in `<b>`.
#[derive(Debug, Serialize, ToSchema)]
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

/// The query string of a search, typed: what [`parse_params`] reads from
/// the pairs and the OpenAPI document lists (grants take no `journal`).
///
/// Built from the pair list rather than by serde, because list filters may
/// be repeated or comma-separated while a repeated scalar is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, "phrases", prefix*, field:value; AND (or a space), OR, NOT/-, parentheses,
    /// ^boost; precedence OR < AND < NOT, NOT is set complement; fields title, abstract,
    /// mesh, keywords, author, affiliation, journal, type, source, pmid, doi, pmcid, orcid,
    /// funder, year (ranges on year only); any other field is a 400.
    #[param(max_length = 1024)]
    pub q: Option<String>,
    /// 1-based page.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// Results per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<usize>,
    /// Exact year (a grant's start year).
    #[param(maximum = 9999)]
    pub year: Option<u64>,
    /// First year, inclusive.
    #[param(maximum = 9999)]
    pub year_from: Option<u64>,
    /// Last year, inclusive.
    #[param(maximum = 9999)]
    pub year_to: Option<u64>,
    /// Publication types, or a grant's programme (repeatable or comma-separated).
    #[param(rename = "type", required = false)]
    pub types: Vec<String>,
    /// Journal titles (repeatable; publications only).
    #[param(required = false)]
    pub journal: Vec<String>,
    /// A grant's funder, or an agency a publication acknowledges, as published (repeatable).
    #[param(required = false)]
    pub funder: Vec<String>,
    /// Relevance (default with q), newest (default when browsing) or oldest.
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Roster and/or inferred healthcare scientists on the record (alias: tier).
    #[param(inline, value_type = Vec<TierTerm>, required = false)]
    pub hcs: Vec<String>,
    /// Role of a counted healthcare scientist; tier, role and a group filter must hold
    /// for the same person.
    #[param(inline, value_type = Vec<RoleTerm>, required = false)]
    pub role: Vec<String>,
    /// Bands of the record's roster matches: accept (counted) or review (awaiting a curator).
    #[param(inline, value_type = Vec<BandTerm>, required = false)]
    pub band: Vec<String>,
    /// Disciplines of the record's healthcare scientists (repeatable).
    #[param(required = false)]
    pub discipline: Vec<String>,
    /// Divisions of the record's healthcare scientists (repeatable).
    #[param(required = false)]
    pub division: Vec<String>,
    /// Organisations (current names) of the record's healthcare scientists (repeatable).
    #[param(required = false)]
    pub organisation: Vec<String>,
    /// json (one page with facets) or csv (every match up to 10,000 rows; X-Total-Count
    /// gives the total).
    #[param(inline, value_type = Option<Format>)]
    pub format: Option<Format>,
    /// true: parse q leniently, dropping what cannot be read (reported in warnings)
    /// instead of a 400.
    pub lenient: Option<bool>,
}

/// Declares a string type whose schema is an enum of a filter's terms, so
/// the document lists exactly what the read model accepts.
macro_rules! term_schema {
    ($name:ident, $terms:expr, $doc:literal) => {
        #[doc = $doc]
        struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($terms.iter().copied()))
                    .into()
            }
        }

        impl ToSchema for $name {}
    };
}

term_schema!(TierTerm, TIER_FILTER_TERMS, "A tier an `hcs` filter takes.");
term_schema!(RoleTerm, ROLE_FILTER_TERMS, "A role a `role` filter takes.");
term_schema!(BandTerm, BAND_FILTER_TERMS, "A band a `band` filter takes.");

impl SearchQuery {
    /// The search of `kind` this asks for, checked as the read model checks it.
    pub fn into_request(self, kind: RecordKind) -> Result<SearchRequest, ParamError> {
        let lower = |values: Vec<String>| -> Vec<String> {
            values
                .into_iter()
                .map(|value| value.to_lowercase())
                .collect()
        };
        let params = SearchParams {
            kind,
            q: self.q.unwrap_or_default(),
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(DEFAULT_PER_PAGE),
            sort: self.sort,
            lenient: self.lenient.unwrap_or(false),
            filters: Filters {
                year: self.year,
                year_from: self.year_from,
                year_to: self.year_to,
                types: self.types,
                journals: self.journal,
                funders: self.funder,
                hcs: lower(self.hcs),
                roles: lower(self.role),
                bands: lower(self.band),
                disciplines: self.discipline,
                divisions: self.division,
                organisations: self.organisation,
            },
        };
        params.validate()?;
        Ok(SearchRequest {
            params,
            format: self.format.unwrap_or_default(),
        })
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
    parse_query(kind, pairs)?.into_request(kind)
}

/// The typed query of a search of `kind` from its pairs (see [`parse_params`]).
pub fn parse_query(
    kind: RecordKind,
    pairs: Vec<(String, String)>,
) -> Result<SearchQuery, ParamError> {
    let mut query = SearchQuery::default();
    let accepted = || {
        COMMON_PARAMETERS
            .iter()
            .chain(kind_parameters(kind))
            .copied()
    };
    let mut seen: Vec<&'static str> = Vec::new();
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
        match name {
            "q" => query.q = Some(value.to_owned()),
            "page" => query.page = Some(number(name, value)?),
            "per_page" => query.per_page = Some(number(name, value)?),
            "year" => query.year = Some(year(name, value)?),
            "year_from" => query.year_from = Some(year(name, value)?),
            "year_to" => query.year_to = Some(year(name, value)?),
            "type" => push_list(&mut query.types, value),
            "journal" => query.journal.push(value.to_owned()),
            "funder" => query.funder.push(value.to_owned()),
            // `tier` is the name the metrics use; `hcs` the facet's.
            "hcs" | "tier" => push_list(&mut query.hcs, value),
            "role" => push_list(&mut query.role, value),
            "band" => push_list(&mut query.band, value),
            "discipline" => query.discipline.push(value.to_owned()),
            "division" => query.division.push(value.to_owned()),
            "organisation" => query.organisation.push(value.to_owned()),
            "sort" => {
                query.sort = Some(Sort::parse(value).ok_or_else(|| {
                    ParamError::new(name, "sort must be relevance, newest or oldest")
                })?)
            }
            "lenient" => {
                query.lenient = Some(match value {
                    "true" => true,
                    "false" => false,
                    _ => return Err(ParamError::new(name, "lenient must be true or false")),
                })
            }
            "format" => {
                query.format = Some(match value {
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    _ => return Err(ParamError::new(name, "format must be json or csv")),
                })
            }
            _ => unreachable!("every accepted parameter is handled"),
        }
    }
    Ok(query)
}

fn number(name: &str, value: &str) -> Result<usize, ParamError> {
    value.parse().map_err(|_| {
        ParamError::new(
            name,
            format!("{name} must be a whole number, got '{}'", truncate(value)),
        )
    })
}

/// A search's year filter: any whole number here, bounded (0–9999) by the
/// read model's `SearchParams::validate`, as search has always taken it.
/// Not [`crate::params::Year`], whose four digits (1000–9999) the metrics and
/// people lists require: making search as strict would turn `year=999`,
/// today an empty result, into a 400, and change the messages clients see.
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
#[utoipa::path(
    get,
    path = "/api/publications",
    summary = "Full-text search of publications with filters, facets and highlights",
    params(SearchQuery),
    responses(
        (status = 200, description = "One page of hits with facets, or (format=csv) every match",
            headers(("X-Total-Count" = usize, description = "With format=csv: every match, which may exceed the rows")),
            content(
                (SearchResponse<PublicationResult> = "application/json"),
                (String = "text/csv")
            )),
        (status = 400, description = "An invalid query or parameter", body = ErrorBody)
    )
)]
pub async fn publications(
    State(state): State<AppState>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    run_search::<PublicationResult>(state, parse_params(RecordKind::Publication, pairs)?).await
}

/// `GET /api/search`: the first name of [`publications`], kept for links made with it.
#[utoipa::path(
    get,
    path = "/api/search",
    summary = "Full-text search of publications (the first name of /api/publications)",
    params(SearchQuery),
    responses(
        (status = 200, description = "One page of hits with facets, or (format=csv) every match",
            headers(("X-Total-Count" = usize, description = "With format=csv: every match, which may exceed the rows")),
            content(
                (SearchResponse<PublicationResult> = "application/json"),
                (String = "text/csv")
            )),
        (status = 400, description = "An invalid query or parameter", body = ErrorBody)
    )
)]
pub async fn search(
    state: State<AppState>,
    query: ApiQuery<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    publications(state, query).await
}

/// `GET /api/grants`: grants with funder, role and tag filters.
#[utoipa::path(
    get,
    path = "/api/grants",
    summary = "Full-text search of grants with filters, facets and highlights",
    params(GrantQuery),
    responses(
        (status = 200, description = "One page of hits with facets, or (format=csv) every match",
            headers(("X-Total-Count" = usize, description = "With format=csv: every match, which may exceed the rows")),
            content(
                (SearchResponse<GrantResult> = "application/json"),
                (String = "text/csv")
            )),
        (status = 400, description = "An invalid query or parameter", body = ErrorBody)
    )
)]
pub async fn grants(
    State(state): State<AppState>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    run_search::<GrantResult>(state, parse_params(RecordKind::Grant, pairs)?).await
}

/// The parameters of a grant search: a [`SearchQuery`] without `journal`.
pub struct GrantQuery;

impl IntoParams for GrantQuery {
    fn into_params(
        parameter_in_provider: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        SearchQuery::into_params(parameter_in_provider)
            .into_iter()
            .filter(|parameter| {
                !kind_parameters(RecordKind::Publication).contains(&parameter.name.as_str())
            })
            .collect()
    }
}

async fn run_search<R>(state: AppState, request: SearchRequest) -> Result<Response, ApiError>
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
