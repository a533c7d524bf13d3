//! The API's one error type and its JSON shape: `{"error": "<code>", "message": "<sentence>"}`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::query::{ParamError, QueryError, SearchError};

/// Everything a handler can answer instead of a result; each maps to a status and a stable code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The `q` parameter could not be parsed or exceeds a limit (400 `invalid_query`).
    #[error("{0}")]
    InvalidQuery(String),
    /// Another parameter is malformed or out of range (400 `invalid_parameter`).
    #[error("{0}")]
    InvalidParameter(String),
    /// The requested record or route does not exist (404 `not_found`).
    #[error("{0}")]
    NotFound(String),
    /// Too many searches are running; the client should retry (503 `overloaded`).
    #[error("the server is busy; retry in a moment")]
    Overloaded,
    /// No valid bearer token for a write (401 `unauthorized`, with `WWW-Authenticate: Bearer`).
    #[error("{0}")]
    Unauthorized(String),
    /// The request clashes with work in progress (409 `conflict`).
    #[error("{0}")]
    Conflict(String),
    /// The body is not JSON (415 `unsupported_media_type`).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The body is JSON but not a valid request (422 `invalid_body`).
    #[error("{0}")]
    InvalidBody(String),
    /// Something failed on our side; details are logged, not sent (500 `internal`).
    #[error("internal error: {0}")]
    Internal(String),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// Stable machine-readable code, e.g. `invalid_query`.
    pub error: &'a str,
    /// One sentence for people, naming the problem.
    pub message: &'a str,
}

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidQuery(_) | ApiError::InvalidParameter(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::InvalidBody(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code sent as `error`.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::InvalidParameter(_) => "invalid_parameter",
            ApiError::NotFound(_) => "not_found",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Conflict(_) => "conflict",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::Overloaded => "overloaded",
            ApiError::Internal(_) => "internal",
        }
    }

    /// An internal error from anything displayable (logged in full when answered).
    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<QueryError> for ApiError {
    fn from(error: QueryError) -> Self {
        ApiError::InvalidQuery(error.to_string())
    }
}

impl From<ParamError> for ApiError {
    fn from(error: ParamError) -> Self {
        ApiError::InvalidParameter(error.to_string())
    }
}

impl From<SearchError> for ApiError {
    fn from(error: SearchError) -> Self {
        match error {
            SearchError::Query(error) => error.into(),
            SearchError::Param(error) => error.into(),
            other => ApiError::internal(other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(detail) => {
                // The detail may name files and records; it goes to the log only.
                tracing::error!(error = %detail, "request failed");
                "internal error; it has been logged"
            }
            ApiError::Overloaded => {
                tracing::warn!("search capacity exhausted; answering 503");
                "the server is busy; retry in a moment"
            }
            // The message can quote the query; log the code only.
            ApiError::InvalidQuery(message)
            | ApiError::InvalidParameter(message)
            | ApiError::NotFound(message)
            | ApiError::Unauthorized(message)
            | ApiError::Conflict(message)
            | ApiError::UnsupportedMediaType(message)
            | ApiError::InvalidBody(message) => {
                tracing::info!(code = self.code(), "request refused");
                message.as_str()
            }
        };
        let mut response = json_error(status, self.code(), message);
        if matches!(self, ApiError::Overloaded) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if matches!(self, ApiError::Unauthorized(_)) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Builds an error response with the standard JSON body.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(ErrorBody {
            error: code,
            message,
        }),
    )
        .into_response()
}
