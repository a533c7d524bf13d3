//! Extractors whose rejections come out in the API's JSON error shape.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// `axum::extract::Query`, rejecting with a 400 `invalid_parameter` JSON error.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::InvalidParameter(format!(
                "the query string could not be read: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// `axum::extract::Path`, rejecting with a 400 `invalid_parameter` JSON error.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::InvalidParameter(format!(
                "the path could not be read: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// `axum::Json`, rejecting in the API's shape: 415 without a JSON content
/// type, 400 for malformed JSON, 422 for JSON that is not a valid request.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType(
                "the body must be JSON (Content-Type: application/json)".into(),
            )),
            Err(JsonRejection::JsonSyntaxError(rejection)) => Err(ApiError::InvalidParameter(
                format!("the body is not valid JSON: {}", rejection.body_text()),
            )),
            Err(JsonRejection::JsonDataError(rejection)) => Err(ApiError::InvalidBody(format!(
                "the body is not a valid request: {}",
                rejection.body_text()
            ))),
            Err(other) => Err(ApiError::InvalidParameter(other.body_text())),
        }
    }
}
