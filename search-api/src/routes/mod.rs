//! The JSON API's handlers, one module per resource, and [`api`], the one
//! place they are mounted and documented; [`crate::app`] adds the pages.

use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

use crate::state::AppState;

pub mod curation;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod people;
pub mod records;
pub mod review;
pub mod search;

/// Every JSON route, each registered with its OpenAPI operation: the router
/// and the document come from the same calls.
pub fn api() -> OpenApiRouter<AppState> {
    let router = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(health::health))
        .routes(routes!(search::search))
        .routes(routes!(search::publications))
        .routes(routes!(search::grants))
        .routes(routes!(people::people))
        .routes(routes!(people::person))
        .routes(routes!(metrics::participation))
        .routes(routes!(curation::decide))
        .routes(routes!(review::queue))
        .routes(routes!(curation::start_retag, curation::retag_status))
        .routes(routes!(openapi::openapi));
    // Record ids hold slashes (`doi:10.1136/…`), so these match the rest of the path.
    let router = catch_all(
        router,
        "/api/publications/{*id}",
        routes!(records::publication),
    );
    catch_all(router, "/api/grants/{*id}", routes!(records::grant))
}

/// Registers `routes` at the axum catch-all `route` while documenting the
/// operation under its plain OpenAPI path (`{*id}` is written `{id}` there).
fn catch_all(
    mut router: OpenApiRouter<AppState>,
    route: &str,
    (schemas, paths, method_router): UtoipaMethodRouter<AppState>,
) -> OpenApiRouter<AppState> {
    debug_assert!(
        paths
            .paths
            .keys()
            .all(|path| *path == route.replace("{*", "{")),
        "{route} is documented as {:?}",
        paths.paths.keys().collect::<Vec<_>>()
    );
    let document = router.get_openapi_mut();
    document.paths.paths.extend(paths.paths);
    document
        .components
        .get_or_insert_with(Default::default)
        .schemas
        .extend(schemas);
    router.route(route, method_router)
}
