//! `GET /api/search`: one page of hits with highlights, plus facet counts.

use axum::extract::State;
use axum::Json;
use indexer::records::{Publication, Record};
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::query::{
    Facets, Hit, ParamError, SearchOutcome, SearchParams, Sort, DEFAULT_PER_PAGE, MAX_RESULT_WINDOW,
};
use crate::state::AppState;

/// Authors listed per result; `author_count` gives the full number.
pub const AUTHORS_PER_RESULT: usize = 10;

/// Query-string parameters this endpoint accepts.
pub const PARAMETERS: [&str; 13] = [
    "q",
    "page",
    "per_page",
    "year",
    "year_from",
    "year_to",
    "type",
    "journal",
    "sort",
    "hcs",
    "discipline",
    "division",
    "organisation",
];

/// The search response.
#[derive(Debug, Serialize)]
pub struct SearchResponse {
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
    pub results: Vec<SearchResult>,
    /// Counts over all matching records.
    pub facets: Facets,
}

/// One hit as served.
#[derive(Debug, Serialize)]
pub struct SearchResult {
    /// Stable record id (`pmid:…`).
    pub id: String,
    /// Title as plain text.
    pub title: String,
    /// Publication year.
    pub year: u16,
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
    /// Relevance score (`null` when ordered by year).
    pub score: Option<f32>,
    /// HTML with matches in `<b>`.
    pub highlights: Highlights,
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

impl From<Hit> for SearchResult {
    fn from(hit: Hit) -> Self {
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
        SearchResult {
            id: publication.id,
            title: publication.title,
            year: publication.published.year,
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
            score: hit.score,
            highlights: Highlights {
                title: hit.title_html,
                r#abstract: hit.abstract_html,
            },
        }
    }
}

impl SearchResponse {
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
            results: outcome.hits.into_iter().map(SearchResult::from).collect(),
            facets: outcome.facets,
        }
    }
}

/// Reads the query-string pairs into search parameters.
///
/// Empty values count as absent (HTML forms send them); `type` and `journal` may be
/// repeated or comma-separated; other parameters may appear once; unknown ones are refused.
pub fn parse_params(pairs: Vec<(String, String)>) -> Result<SearchParams, ParamError> {
    let mut params = SearchParams::default();
    let mut seen: Vec<&'static str> = Vec::new();
    let mut per_page = None;
    for (key, value) in pairs {
        let Some(&name) = PARAMETERS.iter().find(|&&name| name == key) else {
            return Err(ParamError::new(
                key.clone(),
                format!(
                    "unknown parameter '{}'; accepted parameters are {}",
                    key.chars().take(64).collect::<String>(),
                    PARAMETERS.join(", ")
                ),
            ));
        };
        let repeatable = matches!(
            name,
            "type" | "journal" | "hcs" | "discipline" | "division" | "organisation"
        );
        if !repeatable && seen.contains(&name) {
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
            "q" => params.q = value.to_owned(),
            "page" => params.page = number(name, value)?,
            "per_page" => per_page = Some(number(name, value)?),
            "year" => params.filters.year = Some(year(name, value)?),
            "year_from" => params.filters.year_from = Some(year(name, value)?),
            "year_to" => params.filters.year_to = Some(year(name, value)?),
            "type" => push_list(&mut params.filters.types, value),
            "journal" => params.filters.journals.push(value.to_owned()),
            "hcs" => push_list(&mut params.filters.hcs, value),
            "discipline" => params.filters.disciplines.push(value.to_owned()),
            "division" => params.filters.divisions.push(value.to_owned()),
            "organisation" => params.filters.organisations.push(value.to_owned()),
            "sort" => {
                params.sort = Some(Sort::parse(value).ok_or_else(|| {
                    ParamError::new(name, "sort must be relevance, newest or oldest")
                })?)
            }
            _ => unreachable!("every accepted parameter is handled"),
        }
    }
    params.per_page = per_page.unwrap_or(DEFAULT_PER_PAGE);
    params.validate()?;
    Ok(params)
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

fn push_list(list: &mut Vec<String>, value: &str) {
    list.extend(
        value
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
    );
}

/// Answers a search: see the crate documentation for parameters and the response shape.
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> Result<Json<SearchResponse>, ApiError> {
    let params = parse_params(pairs)?;
    // The query text may be personal (a name); log its length only.
    tracing::info!(
        query_len = params.q.len(),
        page = params.page,
        per_page = params.per_page,
        "search"
    );
    let request = params.clone();
    let outcome = state
        .run_blocking(move |state| {
            let searcher = state.searcher();
            Ok(state.engine().search(&searcher, state.store(), &request)?)
        })
        .await?;
    Ok(Json(SearchResponse::new(&params, outcome)))
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
        let params = parse_params(pairs(&[
            ("q", "air embolism"),
            ("year_from", ""),
            ("type", "Review, Letter"),
            ("type", "Case Reports"),
        ]))
        .unwrap();
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
            (
                vec![("year_from", "2020"), ("year_to", "2010")],
                "year_from",
            ),
        ] {
            let error = parse_params(pairs(&query)).unwrap_err();
            assert_eq!(error.parameter, name, "{query:?}: {error}");
            assert!(error.message.contains(name), "{error}");
        }
    }
}
