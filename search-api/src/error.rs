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

/// Every code an error body can carry, with its status: the one table the
/// handlers ([`ApiError::code`]), the middleware (timeouts, body limits,
/// unknown methods) and the OpenAPI document's `Error.error` enum read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the `q` parameter could not be parsed or exceeds a limit.
    InvalidQuery,
    /// 400: another parameter (or the body's JSON syntax) is malformed or out of range.
    InvalidParameter,
    /// 400: the request could not be handled, as a middleware saw it.
    BadRequest,
    /// 401: no valid bearer token.
    Unauthorized,
    /// 404: no such record or route.
    NotFound,
    /// 405: the route does not answer this method.
    MethodNotAllowed,
    /// 409: the request clashes with work in progress.
    Conflict,
    /// 413: the body is larger than the API takes.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 422: the body is JSON but not a valid request.
    InvalidBody,
    /// 500: something failed on our side.
    Internal,
    /// 503: too many searches are running.
    Overloaded,
    /// 503: the request took too long and was abandoned.
    Timeout,
}

impl ErrorCode {
    /// Every code, in status order.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidParameter,
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::InvalidBody,
        ErrorCode::Internal,
        ErrorCode::Overloaded,
        ErrorCode::Timeout,
    ];

    /// The code as sent in `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidBody => "invalid_body",
            ErrorCode::Internal => "internal",
            ErrorCode::Overloaded => "overloaded",
            ErrorCode::Timeout => "timeout",
        }
    }

    /// The status a response with this code carries.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidQuery | ErrorCode::InvalidParameter | ErrorCode::BadRequest => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict => StatusCode::CONFLICT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::InvalidBody => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Overloaded | ErrorCode::Timeout => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The code and sentence for a bodiless error status a middleware
    /// answered (a timeout, the body limit), which has no [`ApiError`] behind it.
    pub fn for_bare_status(status: StatusCode) -> (ErrorCode, &'static str) {
        match status {
            // The timeout layer answers 503; 408 is a client's own timeout.
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => (
                ErrorCode::Timeout,
                "the request took too long and was abandoned",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => {
                (ErrorCode::PayloadTooLarge, "the request body is too large")
            }
            StatusCode::NOT_FOUND => (ErrorCode::NotFound, "not found"),
            StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "method not allowed"),
            _ if status.is_client_error() => {
                (ErrorCode::BadRequest, "the request could not be handled")
            }
            _ => (ErrorCode::Internal, "internal error"),
        }
    }
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody<'a> {
    /// Stable machine-readable code, e.g. `invalid_query`.
    pub error: ErrorCode,
    /// One sentence for people, naming the problem.
    pub message: &'a str,
}

/// How a lookup by id fails, as the document lists it for the record and
/// profile routes: one definition rather than a copy per route.
#[derive(utoipa::IntoResponses)]
pub enum LookupErrors {
    /// The id cannot be read: too long, or not valid percent-encoded UTF-8.
    #[response(status = 400)]
    BadId(ErrorBody<'static>),
    /// Nothing is stored (or attributed) under this id.
    #[response(status = 404)]
    NotFound(ErrorBody<'static>),
}

impl ApiError {
    /// The HTTP status this error is answered with (its code's).
    pub fn status(&self) -> StatusCode {
        self.error_code().status()
    }

    /// The entry of the code table this error is answered with.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            ApiError::InvalidQuery(_) => ErrorCode::InvalidQuery,
            ApiError::InvalidParameter(_) => ErrorCode::InvalidParameter,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Unauthorized(_) => ErrorCode::Unauthorized,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::UnsupportedMediaType(_) => ErrorCode::UnsupportedMediaType,
            ApiError::InvalidBody(_) => ErrorCode::InvalidBody,
            ApiError::Overloaded => ErrorCode::Overloaded,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The stable code sent as `error`.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
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
        let mut response = json_error(self.status(), self.error_code(), message);
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

/// Builds an error response with the standard JSON body; `status` is the
/// code's own unless a middleware answered another (a 408 reported as `timeout`).
pub fn json_error(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    (
        status,
        Json(ErrorBody {
            error: code,
            message,
        }),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_table_is_what_the_bodies_and_the_document_say() {
        let document = serde_json::to_value(crate::routes::openapi::document()).unwrap();
        let listed = &document["components"]["schemas"]["ErrorCode"]["enum"];
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(listed, &serde_json::json!(names), "{document}");
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert!(code.status().is_client_error() || code.status().is_server_error());
        }
        for (error, code) in [
            (ApiError::InvalidQuery(String::new()), "invalid_query"),
            (ApiError::Overloaded, "overloaded"),
            (ApiError::InvalidBody(String::new()), "invalid_body"),
        ] {
            assert_eq!(error.code(), code);
            assert_eq!(error.status(), error.error_code().status());
        }
        assert_eq!(
            ErrorCode::for_bare_status(StatusCode::SERVICE_UNAVAILABLE).0,
            ErrorCode::Timeout
        );
        assert_eq!(
            ErrorCode::for_bare_status(StatusCode::PAYLOAD_TOO_LARGE)
                .0
                .status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}
