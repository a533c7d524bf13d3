//! # search-api
//!
//! The HCS Research Index's read side: a JSON API and web pages over the tantivy index that
//! `indexer` writes under `<data dir>/index`. It never writes to the index, and
//! picks up the indexer's commits by itself within about a second.
//!
//! ## Endpoints
//!
//! The whole surface is described in `GET /api/openapi.json`; in short:
//!
//! - `GET /api/publications` (also `/api/search`) and `GET /api/grants` — parameters:
//!   - `q`: words over title (boosted ×3), abstract, MeSH, keywords, authors,
//!     affiliations and journal, with `AND` (or a space), `OR`, `NOT`/`-`
//!     (set complement) and parentheses, `OR` binding loosest; `"phrases"`,
//!     `field:value` on the fields listed in the README, `year:[2015 TO 2020]`.
//!     Empty or absent: every record (browse).
//!   - `page` (≥ 1, default 1), `per_page` (1–100, default 20); results deeper
//!     than 10,000 (`page × per_page`) are refused, not clamped.
//!   - `year`, `year_from`, `year_to` (inclusive; a grant's start year); `type`
//!     (publication type or grant programme), `journal` (publications),
//!     `funder` (a grant's funder, or an agency a publication acknowledges);
//!     `hcs`/`tier` (`roster`, `inferred`), `role` (`leadership`,
//!     `co_applicant`, `other`, `author`, `first`, `last`, `corresponding`,
//!     `key_author`), `band` (`accept`, `review`), `discipline`, `division`,
//!     `organisation`. List filters are repeatable (or comma-separated) and
//!     match any of their values ignoring case. Tier, role and a group filter
//!     must hold for the same healthcare scientist (`role=leadership&organisation=X`:
//!     a leader at X), as the participation measures count them.
//!   - `sort`: `relevance` (default with `q`), `newest` (default when browsing), `oldest`.
//!   - `format`: `json` (default) or `csv` — every match in order, up to 10,000
//!     rows, with the total in `X-Total-Count`.
//!
//!   Empty values count as absent; unknown or repeated parameters are a 400.
//!   The answer has `total`, `page`, `per_page`, `pages`, `sort`, `results`
//!   (ids, title, year or dates, first 10 authors or grant people, the counted
//!   healthcare scientists in `hcs`, score, HTML `highlights` for title and
//!   abstract) and `facets` (`year`, `type`, `journal`, `funder`, `hcs`,
//!   `role`, `band`, `discipline`, `division`, `organisation`: `buckets` of
//!   `{value, count}` over all hits, plus `other` for values beyond the size caps).
//! - `GET /api/publications/{id}`, `GET /api/grants/{id}` — the stored record
//!   with each person's tag (a grant with its linked outputs), no e-mail addresses.
//! - `GET /api/people?q=topic` — the collaborator finder; `/api/people/{id}` a profile.
//! - `GET /api/metrics/participation` — measures (a)(b)(c) grouped by year,
//!   organisation, division, discipline or funder, each cell with the searches
//!   that list exactly its records.
//! - `POST /api/curation/decisions`, `POST|GET /api/admin/retag` — behind bearer tokens.
//! - `GET /api/review` (JSON) and `GET /review` (a page with accept/reject
//!   forms, also reachable by signing in with a form) — the curators' review
//!   queue, behind the curator token.
//! - `GET /health` — `{"status": "ok", "documents": N}`.
//!
//! Every error is `{"error": "<code>", "message": "<sentence>"}`: 400
//! `invalid_query` / `invalid_parameter`, 404 `not_found`, 503 `overloaded` or
//! `timeout`, 500 `internal`; [`error::ErrorCode`] is the whole table.
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

pub mod app;
pub mod auth;
pub mod config;
pub mod dto;
pub mod error;
pub mod extract;
pub mod pages;
pub mod params;
pub mod privacy;
pub mod review_cache;
pub mod routes;
pub mod serve;
pub mod service;
pub mod sessions;
pub mod state;
pub mod tokens;

/// The search engine lives in the read model; `search_api::query` stays its path.
pub use hcs_read::search as query;
/// Highlighting, with the search engine; `search_api::highlight` stays its path.
pub use hcs_read::search::highlight;

pub use app::router;
pub use error::ApiError;
pub use serve::{serve, serve_router, spawn, Running, ServeOptions};
pub use state::{ApiSettings, AppState, OpenError};
