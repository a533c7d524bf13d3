//! Search parameters as the engine takes them, and their limits.

use serde::Serialize;

/// Results per page when the client does not say.
pub const DEFAULT_PER_PAGE: usize = 20;

/// Largest accepted page size.
pub const MAX_PER_PAGE: usize = 100;

/// Deepest result reachable by paging (`page × per_page`); refine the query to go further.
pub const MAX_RESULT_WINDOW: usize = 10_000;

/// Largest accepted year in filters.
pub const MAX_YEAR: u64 = 9999;

/// Most values accepted for one repeatable filter (`type`, `journal`).
pub const MAX_FILTER_VALUES: usize = 20;

/// Longest accepted filter value, in bytes.
pub const MAX_FILTER_VALUE_BYTES: usize = 256;

/// A search parameter that is out of range or inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    /// The parameter at fault (e.g. `per_page`).
    pub parameter: String,
    /// One sentence naming the problem.
    pub message: String,
}

impl ParamError {
    /// An error about `parameter`.
    pub fn new(parameter: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            parameter: parameter.into(),
            message: message.into(),
        }
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sort {
    /// Best match first (BM25, title boosted).
    Relevance,
    /// Most recent publication year first.
    Newest,
    /// Oldest publication year first.
    Oldest,
}

impl Sort {
    /// Parses `relevance`, `newest` or `oldest`.
    pub fn parse(value: &str) -> Option<Sort> {
        match value {
            "relevance" => Some(Sort::Relevance),
            "newest" => Some(Sort::Newest),
            "oldest" => Some(Sort::Oldest),
            _ => None,
        }
    }
}

/// Which records a search covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RecordKind {
    /// Publications (`/api/publications`).
    #[default]
    Publication,
    /// Grants (`/api/grants`).
    Grant,
}

impl RecordKind {
    /// The index's `record_type` value.
    pub fn term(self) -> &'static str {
        match self {
            RecordKind::Publication => "publication",
            RecordKind::Grant => "grant",
        }
    }
}

/// Roles a `role` filter accepts (see [`hcs_model::tags::Role::filter_terms`]).
pub use hcs_model::tags::ROLE_FILTER_TERMS;

/// Bands a `band` filter accepts: roster matches counted, or awaiting a curator.
pub const BAND_FILTER_TERMS: [&str; 2] = ["accept", "review"];

/// Tiers an `hcs` (or `tier`) filter accepts.
pub const TIER_FILTER_TERMS: [&str; 2] = ["roster", "inferred"];

/// Filters applied on top of the query; all must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Exact publication year.
    pub year: Option<u64>,
    /// Earliest publication year, inclusive.
    pub year_from: Option<u64>,
    /// Latest publication year, inclusive.
    pub year_to: Option<u64>,
    /// Publication types (any of them; matched ignoring case).
    pub types: Vec<String>,
    /// Journal titles (any of them; matched ignoring case).
    pub journals: Vec<String>,
    /// Records with a healthcare scientist: `roster` (accepted roster match) and/or `inferred`.
    pub hcs: Vec<String>,
    /// Disciplines of the records' healthcare scientists (any of them; case ignored).
    pub disciplines: Vec<String>,
    /// Divisions of the records' healthcare scientists (any of them; case ignored).
    pub divisions: Vec<String>,
    /// Organisations (current names) of the records' healthcare scientists.
    pub organisations: Vec<String>,
    /// Funders of grants, or agencies acknowledged by publications, as published (any of them; case ignored).
    pub funders: Vec<String>,
    /// Roles of the records' counted healthcare scientists (any of [`ROLE_FILTER_TERMS`]).
    pub roles: Vec<String>,
    /// Bands of the records' roster matches (`accept`, `review`).
    pub bands: Vec<String>,
}

impl Filters {
    /// True when a filter describes the counted person (tier or group): then a
    /// role must be that same person's ([`SearchEngine`](super::SearchEngine)'s role facet).
    pub fn is_person_scoped(&self) -> bool {
        !(self.hcs.is_empty()
            && self.organisations.is_empty()
            && self.divisions.is_empty()
            && self.disciplines.is_empty())
    }
}

impl Filters {
    /// Every repeatable filter with its parameter name.
    pub fn lists(&self) -> [(&'static str, &Vec<String>); 9] {
        [
            ("type", &self.types),
            ("journal", &self.journals),
            ("hcs", &self.hcs),
            ("discipline", &self.disciplines),
            ("division", &self.divisions),
            ("organisation", &self.organisations),
            ("funder", &self.funders),
            ("role", &self.roles),
            ("band", &self.bands),
        ]
    }
}

/// One search request, as the engine takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParams {
    /// Publications or grants.
    pub kind: RecordKind,
    /// User query in tantivy syntax; empty means "everything" (browse).
    pub q: String,
    /// 1-based page number.
    pub page: usize,
    /// Results per page.
    pub per_page: usize,
    /// Filters.
    pub filters: Filters,
    /// Explicit order; `None` means relevance for a query, newest first when browsing.
    pub sort: Option<Sort>,
    /// Parse `q` leniently: what cannot be parsed is dropped and reported, not refused.
    pub lenient: bool,
}

impl Default for SearchParams {
    fn default() -> Self {
        Self {
            kind: RecordKind::Publication,
            q: String::new(),
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            filters: Filters::default(),
            sort: None,
            lenient: false,
        }
    }
}

impl SearchParams {
    /// Number of results skipped before this page.
    pub fn offset(&self) -> usize {
        self.page.saturating_sub(1).saturating_mul(self.per_page)
    }

    /// True when there is no query text: every record (that passes the filters) matches.
    pub fn is_browse(&self) -> bool {
        self.q.trim().is_empty()
    }

    /// The order actually used.
    pub fn effective_sort(&self) -> Sort {
        self.sort.unwrap_or(if self.is_browse() {
            Sort::Newest
        } else {
            Sort::Relevance
        })
    }

    /// Checks page, page size, paging depth and filter values against the limits.
    pub fn validate(&self) -> Result<(), ParamError> {
        if self.page == 0 {
            return Err(ParamError::new("page", "page must be 1 or more"));
        }
        if !(1..=MAX_PER_PAGE).contains(&self.per_page) {
            return Err(ParamError::new(
                "per_page",
                format!(
                    "per_page must be between 1 and {MAX_PER_PAGE}, got {}",
                    self.per_page
                ),
            ));
        }
        let end = self.page.checked_mul(self.per_page);
        if end.is_none_or(|end| end > MAX_RESULT_WINDOW) {
            return Err(ParamError::new(
                "page",
                format!(
                    "page {} of {} results goes past result {MAX_RESULT_WINDOW}, the deepest \
                     reachable by paging; narrow the query or filters instead",
                    self.page, self.per_page
                ),
            ));
        }
        let filters = &self.filters;
        for (name, year) in [
            ("year", filters.year),
            ("year_from", filters.year_from),
            ("year_to", filters.year_to),
        ] {
            if year.is_some_and(|year| year > MAX_YEAR) {
                return Err(ParamError::new(
                    name,
                    format!("{name} must be a year between 0 and {MAX_YEAR}"),
                ));
            }
        }
        if let (Some(from), Some(to)) = (filters.year_from, filters.year_to) {
            if from > to {
                return Err(ParamError::new(
                    "year_from",
                    format!("year_from ({from}) is after year_to ({to})"),
                ));
            }
        }
        for (name, values) in filters.lists() {
            if values.len() > MAX_FILTER_VALUES {
                return Err(ParamError::new(
                    name,
                    format!("at most {MAX_FILTER_VALUES} {name} values are accepted"),
                ));
            }
            if values.iter().any(|v| v.len() > MAX_FILTER_VALUE_BYTES) {
                return Err(ParamError::new(
                    name,
                    format!("a {name} value is longer than {MAX_FILTER_VALUE_BYTES} bytes"),
                ));
            }
        }
        for (name, values, allowed) in [
            ("hcs", &filters.hcs, &TIER_FILTER_TERMS[..]),
            ("role", &filters.roles, &ROLE_FILTER_TERMS[..]),
            ("band", &filters.bands, &BAND_FILTER_TERMS[..]),
        ] {
            if let Some(other) = values.iter().find(|v| !allowed.contains(&v.as_str())) {
                return Err(ParamError::new(
                    name,
                    format!(
                        "{name} must be one of {}, got '{}'",
                        allowed.join(", "),
                        other.chars().take(64).collect::<String>()
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_limits() {
        let ok = SearchParams::default();
        assert!(ok.validate().is_ok());
        let deep = SearchParams {
            page: 501,
            ..SearchParams::default()
        };
        assert_eq!(deep.validate().unwrap_err().parameter, "page");
        let huge = SearchParams {
            page: usize::MAX,
            ..SearchParams::default()
        };
        assert!(huge.validate().is_err());
        let per_page = SearchParams {
            per_page: 101,
            ..SearchParams::default()
        };
        assert_eq!(per_page.validate().unwrap_err().parameter, "per_page");
    }
}
