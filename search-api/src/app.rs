//! The application: the pages and the JSON API on one router, and the
//! middleware every request passes through.

use std::any::Any;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode, Uri};
use axum::middleware::map_response;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{Any as AnyOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::error::{json_error, ApiError, ErrorCode};
use crate::extract::MAX_BODY_BYTES;
use crate::pages;
use crate::routes;
use crate::state::AppState;

/// A body declared larger than [`MAX_BODY_BYTES`] but no larger than this is
/// read and dropped before the 413 goes out: a client still sending it
/// would otherwise find the connection closed under it and never read the
/// answer. Larger ones are refused at once and the connection closes.
const DRAIN_BODY_BYTES: u64 = 1024 * 1024;

/// The pages: HTML, outside the API prefix and its document.
pub fn page_routes() -> Vec<(&'static str, MethodRouter<AppState>)> {
    vec![
        ("/", get(pages::search_page)),
        ("/metrics", get(pages::metrics_page)),
        ("/report", get(pages::report_page)),
        ("/people", get(pages::people_page)),
        ("/people/{person_id}", get(pages::person_page)),
        ("/publications/{*id}", get(pages::publication_page)),
        ("/grants", get(pages::grants_page)),
        ("/grants/{*id}", get(pages::grant_page)),
        ("/review", get(pages::review::review_page)),
        ("/review/login", post(pages::review::login)),
        ("/review/logout", post(pages::review::logout)),
        ("/review/decide", post(pages::review::decide)),
    ]
}

/// The application: routes plus timeout, body limit, CORS, tracing and panic backstop.
pub fn router(state: AppState) -> Router {
    let request_timeout = state.settings().request_timeout;
    let (api, _document) = routes::api().split_for_parts();
    page_routes()
        .into_iter()
        .fold(Router::new(), |router, (path, page)| {
            router.route(path, page)
        })
        .merge(api)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        // Applied inside out: the last layer is the outermost.
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(drain_oversized_bodies))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        .layer(map_response(json_error_bodies))
        .layer(map_response(crate::privacy::redact_response_bodies))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(cors())
}

/// Answers a body declared too large with 413 after reading it (up to
/// [`DRAIN_BODY_BYTES`]), so the client reads the answer on a live connection.
async fn drain_oversized_bodies(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES as u64 => {
            if length <= DRAIN_BODY_BYTES {
                // The body is dropped unread past the limit: a short or broken body changes nothing.
                let _ = axum::body::to_bytes(request.into_body(), DRAIN_BODY_BYTES as usize).await;
                StatusCode::PAYLOAD_TOO_LARGE.into_response()
            } else {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    [(header::CONNECTION, "close")],
                )
                    .into_response()
            }
        }
        _ => next.run(request).await,
    }
}

/// GET (and HEAD) from any origin, no credentials: the index is public and
/// read-only. CSV downloads' `X-Total-Count` and the metrics' `X-Tags-Status` are readable by scripts too.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AnyOrigin)
        .allow_methods([Method::GET, Method::HEAD])
        .expose_headers([
            header::HeaderName::from_static("x-total-count"),
            header::HeaderName::from_static(crate::service::TAGS_HEADER),
        ])
}

/// The request span: method and path only. The query string is left out of logs on
/// purpose, because search text can name people.
fn request_span(request: &Request<Body>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        query_len = request.uri().query().map_or(0, str::len),
    )
}

async fn not_found(uri: Uri) -> ApiError {
    let path: String = uri.path().chars().take(200).collect();
    ApiError::NotFound(format!("no such endpoint: {path}"))
}

async fn method_not_allowed(method: Method) -> Response {
    json_error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        &format!("method {method} is not allowed here; this API only answers GET"),
    )
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    ApiError::internal(format!("handler panicked: {detail}")).into_response()
}

/// Gives error responses from middleware (timeout, body limit) the JSON error shape.
async fn json_error_bodies(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        // Pages answer their errors as pages.
        .is_some_and(|value| {
            value.as_bytes().starts_with(b"application/json")
                || value.as_bytes().starts_with(b"text/html")
        });
    if is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = ErrorCode::for_bare_status(status);
    let mut rewritten = json_error(status, code, message);
    for (name, value) in response.headers() {
        if name != header::CONTENT_LENGTH && name != header::CONTENT_TYPE {
            rewritten.headers_mut().append(name, value.clone());
        }
    }
    rewritten
}
