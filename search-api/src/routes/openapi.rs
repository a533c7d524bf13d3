//! `GET /api/openapi.json`: the OpenAPI description of the JSON API,
//! generated from the handlers' `#[utoipa::path]` annotations and the types
//! they take and answer, as [`crate::routes::api`] registers them, so a route
//! cannot be served without being documented or documented without being served.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;

/// What the generated paths are completed with: the title, the bearer
/// scheme the writes name, and the error body every route can answer.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "HCS Research Index",
        description = "Publications, grants and people of NHS Wales healthcare science, tagged \
                       with evidence, and the Network's participation measures. Reads need no \
                       token; writes need a bearer token."
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

/// Adds the `bearer` security scheme that the curator and admin routes require.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, document: &mut Document) {
        document
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
    }
}

/// The document, built once from the router that serves the routes.
pub fn document() -> &'static Document {
    static DOCUMENT: LazyLock<Document> = LazyLock::new(|| {
        let mut document = crate::routes::api().into_openapi();
        EveryRouteFails.modify(&mut document);
        document
    });
    &DOCUMENT
}

/// What any route may answer whatever it does, because the middleware
/// around every route answers it ([`crate::app::router`]): 500 when a
/// handler fails on our side, 503 when the request is shed or times out.
/// Written once here rather than on each handler.
struct EveryRouteFails;

impl Modify for EveryRouteFails {
    fn modify(&self, document: &mut Document) {
        let error = || {
            ResponseBuilder::new().content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Error")))
                    .build(),
            )
        };
        for item in document.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                for (status, description) in [
                    (
                        "500",
                        "Something failed on our side (details are logged, not sent)",
                    ),
                    ("503", "Overloaded or timed out; retry in a moment"),
                ] {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error().description(description).build().into());
                }
            }
        }
    }
}

/// The document as served, serialized once.
fn document_json() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        // A document of our own types always serializes; an empty one is the fallback.
        serde_json::to_string(document()).unwrap_or_else(|_| "{}".to_owned())
    });
    &JSON
}

/// Serves this document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    summary = "This document",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object))
)]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document_json(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use tower::ServiceExt;

    use super::*;
    use crate::app::{page_routes, router};
    use crate::state::AppState;

    /// Every method a route could answer.
    const METHODS: [Method; 5] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];

    fn documented() -> BTreeSet<(String, Method)> {
        let mut found = BTreeSet::new();
        for (path, item) in &document().paths.paths {
            for (method, operation) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                if operation.is_some() {
                    found.insert((path.clone(), method));
                }
            }
        }
        found
    }

    #[test]
    fn the_document_lists_every_json_route_and_no_page() {
        let paths: BTreeSet<&str> = document().paths.paths.keys().map(String::as_str).collect();
        for path in [
            "/health",
            "/api/search",
            "/api/publications",
            "/api/grants",
            "/api/publications/{id}",
            "/api/grants/{id}",
            "/api/people",
            "/api/people/{person_id}",
            "/api/metrics/participation",
            "/api/curation/decisions",
            "/api/review",
            "/api/admin/retag",
            "/api/openapi.json",
        ] {
            assert!(paths.contains(path), "{path} is not documented");
        }
        for path in &paths {
            assert!(path.starts_with("/api/") || *path == "/health", "{path}");
        }
        for (path, _) in page_routes() {
            assert!(
                !path.starts_with("/api"),
                "page {path} is under the API prefix"
            );
            assert!(!paths.contains(path), "page {path} is in the API document");
        }
        let value = serde_json::to_value(document()).unwrap();
        assert!(value["components"]["securitySchemes"]["bearer"].is_object());
        let names: Vec<&str> = value["paths"]["/api/search"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|parameter| parameter["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"type") && names.contains(&"journal"),
            "{names:?}"
        );
        let answered = |path: &str| &value["paths"][path]["get"]["responses"]["200"]["headers"];
        assert!(answered("/api/metrics/participation")["X-Tags-Status"].is_object());
        assert!(answered("/api/review")["X-Tags-Status"].is_object());
        assert!(answered("/api/grants")["X-Total-Count"].is_object());
        let grants = &value["paths"]["/api/grants"]["get"]["parameters"];
        assert!(!grants.to_string().contains("\"journal\""), "{grants}");
    }

    #[test]
    fn every_reference_in_the_document_resolves() {
        fn references<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                        found.push(target);
                    }
                    map.values().for_each(|item| references(item, found));
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|item| references(item, found))
                }
                _ => {}
            }
        }
        let value = serde_json::to_value(document()).unwrap();
        let mut found = Vec::new();
        references(&value, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{target}"));
            assert!(
                value["components"]["schemas"][name].is_object(),
                "{target} is not in the document"
            );
        }
    }

    /// Schemas are the handlers' real types: the only free-form object (no
    /// properties, no composition) is this document's own body.
    #[test]
    fn no_answer_is_a_free_form_object() {
        fn free_form(value: &serde_json::Value, at: String, found: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    let is_object =
                        map.get("type").and_then(|kind| kind.as_str()) == Some("object");
                    let described = [
                        "properties",
                        "allOf",
                        "oneOf",
                        "anyOf",
                        "additionalProperties",
                        "$ref",
                    ]
                    .iter()
                    .any(|key| map.contains_key(*key));
                    if is_object && !described {
                        found.push(at.clone());
                    }
                    for (key, item) in map {
                        free_form(item, format!("{at}/{key}"), found);
                    }
                }
                serde_json::Value::Array(items) => {
                    for (index, item) in items.iter().enumerate() {
                        free_form(item, format!("{at}/{index}"), found);
                    }
                }
                _ => {}
            }
        }
        let value = serde_json::to_value(document()).unwrap();
        let mut found = Vec::new();
        free_form(&value, String::new(), &mut found);
        found.retain(|at| !at.starts_with("/paths//api/openapi.json/"));
        assert!(found.is_empty(), "free-form objects at {found:#?}");
    }

    /// Every documented operation is served, and every method the router
    /// answers on a documented path is documented (table-driven over the
    /// document, against the real router on an empty index).
    #[tokio::test]
    async fn the_router_serves_exactly_the_documented_operations() {
        let data = tempfile::tempdir().unwrap();
        hcs_index::IndexStore::open_or_create(data.path()).unwrap();
        let app = router(AppState::open(data.path()).unwrap());
        let documented = documented();
        let paths: BTreeSet<&String> = documented.iter().map(|(path, _)| path).collect();
        for path in paths {
            let concrete = path
                .replace("{id}", "pmid:1/x")
                .replace("{person_id}", "hcs-0001");
            for method in METHODS {
                let response = app
                    .clone()
                    .oneshot(
                        Request::builder()
                            .method(method.clone())
                            .uri(&concrete)
                            .body(Body::empty())
                            .unwrap(),
                    )
                    .await
                    .unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                    .await
                    .unwrap();
                let body = String::from_utf8_lossy(&body);
                let served =
                    status != StatusCode::METHOD_NOT_ALLOWED && !body.contains("no such endpoint");
                assert_eq!(
                    served,
                    documented.contains(&(path.clone(), method.clone())),
                    "{method} {concrete}: {status} {body}"
                );
            }
        }
    }
}
