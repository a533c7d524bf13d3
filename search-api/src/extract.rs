//! Extractors whose rejections come out in the API's JSON error shape, in
//! the project's words: which parameter or field is wrong and what it takes,
//! never serde's internals ("Failed to deserialize…", "at line 1 column 9").

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest accepted request body: the API is read-only, so bodies are never needed.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// One sentence for a value that did not fit: `what` names the place (a
/// parameter, a body field), `path` the field within it, `detail` serde's message.
pub fn describe_invalid(what: &str, path: &str, detail: &str) -> String {
    // serde's own texts end with a position in the input; ours name the field.
    let detail = match detail.find(" at line ") {
        Some(cut) => &detail[..cut],
        None => detail,
    };
    let quoted = detail.replace('`', "'");
    let named = |field: &str| {
        if field.is_empty() || field == "." {
            what.to_owned()
        } else {
            format!("{what} '{field}'")
        }
    };
    if let Some(rest) = quoted.strip_prefix("missing field ") {
        return format!("{} is required", named(rest.trim_matches('\'')));
    }
    if let Some(rest) = quoted.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let field = field.trim_matches('\'');
        return if expected.is_empty() {
            format!("{} is not accepted here", named(field))
        } else {
            format!("{} is not accepted here; expected {expected}", named(field))
        };
    }
    if let Some(rest) = quoted.strip_prefix("duplicate field ") {
        // A scalar given twice: which one was meant is not ours to guess.
        return format!("{} is given more than once", named(rest.trim_matches('\'')));
    }
    if let Some(rest) = quoted.strip_prefix("unknown variant ") {
        let (value, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("{} cannot be {value}; it must be {expected}", named(path));
    }
    if let Some(rest) = quoted.strip_prefix("invalid type: ") {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        return format!("{} must be {expected}, not {found}", named(path));
    }
    if let Some(rest) = quoted.strip_prefix("invalid value: ") {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another value"));
        return format!("{} must be {expected}, not {found}", named(path));
    }
    // Number parsers' own texts, as serde_urlencoded passes them on.
    if quoted.contains("invalid digit")
        || quoted.contains("number too large")
        || quoted.contains("number too small")
        || quoted.contains("cannot parse integer")
    {
        return format!("{} must be a whole number in range", named(path));
    }
    if quoted.contains("invalid float literal") {
        return format!("{} must be a number", named(path));
    }
    if quoted.starts_with("provided string was not") {
        return format!("{} must be true or false", named(path));
    }
    if quoted.starts_with("EOF while parsing") {
        return format!("{what} ends before it is complete");
    }
    format!("{} is not valid: {quoted}", named(path))
}

/// `T` from a query string, or a sentence naming the parameter at fault.
pub fn parse_query_string<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        describe_invalid("parameter", &path, &error.inner().to_string())
    })
}

/// `axum::extract::Query`, rejecting with a 400 `invalid_parameter` JSON error.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query_string(parts.uri.query().unwrap_or_default())
            .map(ApiQuery)
            .map_err(ApiError::InvalidParameter)
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
            Err(rejection) => {
                tracing::debug!(rejection = %rejection.body_text(), "path refused");
                Err(ApiError::InvalidParameter(
                    "the path could not be read: it must be valid percent-encoded UTF-8".into(),
                ))
            }
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
        use axum::http::header;
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|kind| {
                let kind = kind.trim();
                kind.eq_ignore_ascii_case("application/json")
                    || (kind.starts_with("application/") && kind.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "the body must be JSON (Content-Type: application/json)".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|_| {
                ApiError::InvalidParameter(format!(
                    "the body could not be read; it must be JSON of at most {MAX_BODY_BYTES} bytes"
                ))
            })?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let inner = error.into_inner();
            let message = describe_invalid("field", &path, &inner.to_string());
            if inner.is_syntax() || inner.is_eof() {
                ApiError::InvalidParameter(format!("the body is not valid JSON: {message}"))
            } else {
                ApiError::InvalidBody(format!("the body is not a valid request: {message}"))
            }
        })?;
        deserializer.end().map_err(|_| {
            ApiError::InvalidParameter(
                "the body is not valid JSON: something follows the JSON value".into(),
            )
        })?;
        Ok(ApiJson(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        decision: Verdict,
        position: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Verdict {
        Accept,
        Reject,
    }

    #[test]
    fn messages_name_the_field_in_our_words() {
        let error = parse_query_string::<Params>("decision=acept&position=1").unwrap_err();
        assert_eq!(
            error,
            "parameter 'decision' cannot be 'acept'; it must be 'accept' or 'reject'"
        );
        let error = parse_query_string::<Params>("decision=accept&position=x").unwrap_err();
        assert_eq!(
            error,
            "parameter 'position' must be a whole number in range"
        );
        let error = parse_query_string::<Params>("decision=accept").unwrap_err();
        assert_eq!(error, "parameter 'position' is required");
        let error = parse_query_string::<Params>("decision=accept&position=1&x=1").unwrap_err();
        assert!(
            error.starts_with("parameter 'x' is not accepted here"),
            "{error}"
        );
        assert!(!error.contains("deserialize") && !error.contains('`'));
        let error = parse_query_string::<Params>("decision=accept&position=1&position=2");
        assert_eq!(
            error.unwrap_err(),
            "parameter 'position' is given more than once"
        );
    }
}
