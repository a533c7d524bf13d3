//! Web pages for people who do not read JSON: search with facets, a record,
//! a grant, people and their profiles, and the participation dashboard with
//! charts and CSV download. Rendered on the server from the same engine and
//! library calls as the JSON API. Every page is a maud template, so every
//! value is HTML-escaped unless a template says otherwise.
//!
//! Each page family has its module: a thin handler that asks the service
//! layer, and render functions that turn what it got into markup.

pub mod charts;
pub mod layout;
mod metrics;
mod people;
mod records;
pub mod review;
mod search;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use serde::de::DeserializeOwned;

pub use self::metrics::{metrics_page, report_page, MetricsPageQuery, ReportQuery};
pub use self::people::{people_page, person_page};
pub use self::records::{grant_page, publication_page};
pub use self::search::{grants_page, search_page};

use self::layout::page;
use crate::error::ApiError;
use crate::extract::ApiQuery;

/// A page, or an error page with the API error's status and message.
type PageResult = Result<Html<String>, PageError>;

/// An [`ApiError`] shown as a page.
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(error: ApiError) -> Self {
        PageError(error)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let message = match &self.0 {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "page failed");
                "Something went wrong on our side; it has been logged.".to_owned()
            }
            other => other.to_string(),
        };
        let body = html! { p class="error" { (message) } };
        (status, Html(page("Error", body))).into_response()
    }
}

/// A page's query string as `T`; a refusal is an error page naming the
/// parameter, in the words the API uses ([`ApiQuery`]).
pub struct PageQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for PageQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(value) = ApiQuery::from_request_parts(parts, state).await?;
        Ok(PageQuery(value))
    }
}

/// The year a page prints for a publication; undated records say so.
fn year_printed(publication: &hcs_model::records::Publication) -> String {
    match &publication.published {
        Some(date) => date.year.to_string(),
        None => "year unknown".to_owned(),
    }
}
