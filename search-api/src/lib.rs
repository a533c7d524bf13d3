//! # search-api
//!
//! The HCS Research Index's read side: a JSON API over the tantivy index that
//! `indexer` writes under `<data dir>/index`. It never writes to the index, and
//! picks up the indexer's commits by itself within about a second.
//!
//! ## Endpoints
//!
//! - `GET /api/search` — parameters:
//!   - `q`: query in tantivy syntax over title (boosted ×3), abstract, MeSH,
//!     keywords, authors, affiliations and journal. Terms are ANDed unless the
//!     query says `OR`; `"phrases"`, `field:value`, `-exclusions`,
//!     `year:[2015 TO 2020]` work. Empty or absent: every record (browse).
//!   - `page` (≥ 1, default 1), `per_page` (1–100, default 20); results deeper
//!     than 10,000 (`page × per_page`) are refused, not clamped.
//!   - `year`, `year_from`, `year_to` (inclusive); `type` and `journal`
//!     (repeatable or comma-separated for `type`, any of the values, ignoring case).
//!   - `sort`: `relevance` (default with `q`), `newest` (default when browsing), `oldest`.
//!
//!   Empty values count as absent; unknown or repeated parameters are a 400.
//!   The answer has `total`, `page`, `per_page`, `pages`, `sort`, `results`
//!   (id, title, year, journal, first 10 authors and `author_count`, types,
//!   doi/pmid/pmcid, score, HTML `highlights` for title and abstract) and
//!   `facets` (`year`, `type`, `journal`: `buckets` of `{value, count}` over
//!   all hits, plus `other` for values beyond the size caps).
//! - `GET /api/publications/{id}` — the stored record (`pmid:12345`; a bare
//!   number is taken as a PMID), with no e-mail addresses; 404 if absent.
//! - `GET /health` — `{"status": "ok", "documents": N}`.
//!
//! Every error is `{"error": "<code>", "message": "<sentence>"}`: 400
//! `invalid_query` / `invalid_parameter`, 404 `not_found`, 503 `overloaded` or
//! `timeout`, 500 `internal`.
//!
//! ## Embedding
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let state = search_api::AppState::open(std::path::Path::new("data"))?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! search_api::serve(listener, state, async { let _ = tokio::signal::ctrl_c().await; }).await;
//! # Ok(())
//! # }
//! ```

pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod highlight;
pub mod pages;
pub mod privacy;
pub mod query;
pub mod routes;
pub mod serve;
pub mod state;

pub use error::ApiError;
pub use routes::router;
pub use serve::{serve, serve_router, ServeOptions};
pub use state::{ApiSettings, AppState, OpenError};
