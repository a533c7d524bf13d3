//! `GET /api/openapi.json`: the OpenAPI 3 description of every route.

use axum::Json;
use serde_json::{json, Value};

use crate::query::{BAND_FILTER_TERMS, ROLE_FILTER_TERMS, TIER_FILTER_TERMS};

/// Every path the service answers, as documented (checked by the tests).
pub const DOCUMENTED_PATHS: [&str; 13] = [
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
];

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn path(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

fn ok(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "type": "object" } } } })
}

fn error(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn search_parameters(kind: &str) -> Value {
    let list = json!({ "type": "array", "items": { "type": "string" } });
    let mut parameters = json!([
        query("q", "words, \"phrases\", prefix*, field:value; AND (or a space), OR, NOT/-, parentheses, ^boost; precedence OR < AND < NOT, NOT is set complement; fields title, abstract, mesh, keywords, author, affiliation, journal, type, source, pmid, doi, pmcid, orcid, funder, year (ranges on year only); any other field is a 400", json!({ "type": "string", "maxLength": 1024 })),
        query("page", "1-based page", json!({ "type": "integer", "minimum": 1 })),
        query("per_page", "results per page", json!({ "type": "integer", "minimum": 1, "maximum": 100 })),
        query("year", "exact year (a grant's start year)", json!({ "type": "integer" })),
        query("year_from", "first year, inclusive", json!({ "type": "integer" })),
        query("year_to", "last year, inclusive", json!({ "type": "integer" })),
        query("type", "publication types, or a grant's programme (repeatable or comma-separated)", list.clone()),
        query("journal", "journal titles (repeatable)", list.clone()),
        query("funder", "a grant's funder, or an agency a publication acknowledges, as published (repeatable)", list.clone()),
        query("sort", "relevance, newest or oldest", json!({ "type": "string", "enum": ["relevance", "newest", "oldest"] })),
        query("hcs", "roster and/or inferred healthcare scientists on the record (alias: tier)", json!({ "type": "array", "items": { "type": "string", "enum": TIER_FILTER_TERMS } })),
        query("role", "role of a counted healthcare scientist; tier, role and a group filter must hold for the same person", json!({ "type": "array", "items": { "type": "string", "enum": ROLE_FILTER_TERMS } })),
        query("band", "bands of the record's roster matches: accept (counted) or review (awaiting a curator)", json!({ "type": "array", "items": { "type": "string", "enum": BAND_FILTER_TERMS } })),
        query("discipline", "disciplines of the record's healthcare scientists (repeatable)", list.clone()),
        query("division", "divisions of the record's healthcare scientists (repeatable)", list.clone()),
        query("organisation", "organisations (current names) of the record's healthcare scientists (repeatable)", list),
        query("format", "json (one page with facets) or csv (every match up to 10,000 rows; X-Total-Count gives the total)", json!({ "type": "string", "enum": ["json", "csv"] })),
        query("lenient", "true: parse q leniently, dropping what cannot be read (reported in warnings) instead of a 400", json!({ "type": "boolean" })),
    ]);
    if kind == "grants" {
        if let Some(parameters) = parameters.as_array_mut() {
            parameters.retain(|parameter| parameter["name"] != "journal");
        }
    }
    parameters
}

fn search_operation(kind: &str) -> Value {
    json!({
        "summary": format!("Full-text search of {kind} with filters, facets and highlights"),
        "parameters": search_parameters(kind),
        "responses": {
            "200": { "description": "{total, page, per_page, pages, sort, results, facets}, or CSV", "content": { "application/json": { "schema": { "type": "object" } }, "text/csv": { "schema": { "type": "string" } } } },
            "400": error("invalid query or parameter"),
            "503": error("overloaded or timed out")
        }
    })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let bearer = json!([{ "bearer": [] }]);
    let search = search_operation("publications");
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "HCS Research Index",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Publications, grants and people of NHS Wales healthcare science, tagged with evidence, and the Network's participation measures. Reads need no token; writes need a bearer token."
        },
        "paths": {
            "/health": { "get": { "summary": "Liveness and document count", "responses": { "200": ok("{status, documents}") } } },
            "/api/search": { "get": search },
            "/api/publications": { "get": search },
            "/api/grants": { "get": search_operation("grants") },
            "/api/publications/{id}": { "get": {
                "summary": "One record with each author's healthcare-scientist tag",
                "parameters": [path("id", "pmid:…, doi:…, a bare PMID, or another record id")],
                "responses": { "200": ok("the record; authors[i].hcs carries tier, person_id, discipline, division, organisation, role, band, score, evidence"), "404": error("no such record") }
            }},
            "/api/grants/{id}": { "get": {
                "summary": "A grant with its tagged people and its outputs, each with how the link was made",
                "parameters": [path("id", "grant:<funder>:<reference>")],
                "responses": { "200": ok("the grant with people[i].hcs and linked_outputs"), "404": error("no such grant") }
            }},
            "/api/people": { "get": {
                "summary": "Collaborator finder: people ranked by weighted work on a topic",
                "parameters": [
                    query("q", "the topic, in search syntax", json!({ "type": "string" })),
                    query("limit", "people returned", json!({ "type": "integer", "minimum": 1, "maximum": 100 })),
                    query("format", "json or csv", json!({ "type": "string", "enum": ["json", "csv"] }))
                ],
                "responses": { "200": ok("{q, people: [{person_id, name, discipline, division, organisation, score, records, coauthors}]}"), "400": error("q missing or invalid") }
            }},
            "/api/people/{person_id}": { "get": {
                "summary": "A person's published work, roles, co-authors, topics and similar people",
                "parameters": [path("person_id", "the Network's person id")],
                "responses": { "200": ok("the profile"), "404": error("no published work attributed to this id") }
            }},
            "/api/metrics/participation": { "get": {
                "summary": "Participation measures (a) people leading/conducting, (b) grants led/co-applied, (c) publications, with the records behind every cell",
                "parameters": [
                    query("from", "first year", json!({ "type": "integer" })),
                    query("to", "last year", json!({ "type": "integer" })),
                    query("group_by", "grouping", json!({ "type": "string", "enum": ["year", "organisation", "division", "discipline", "funder"] })),
                    query("tier", "roster (accepted matches) or inferred", json!({ "type": "string", "enum": ["roster", "inferred"] })),
                    query("format", "json or csv", json!({ "type": "string", "enum": ["json", "csv"] }))
                ],
                "responses": { "200": { "description": "the table", "content": { "application/json": { "schema": { "type": "object" } }, "text/csv": { "schema": { "type": "string" } } } }, "400": error("a parameter is invalid") }
            }},
            "/api/curation/decisions": { "post": {
                "summary": "Accept or reject an attribution (applies from the next re-tag)",
                "security": bearer,
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Decision" } } } },
                "responses": { "201": ok("{recorded, takes_effect}"), "400": error("malformed JSON"), "401": error("no valid token"), "404": error("no such record"), "415": error("not JSON"), "422": error("not a valid decision") }
            }},
            "/api/review": { "get": {
                "summary": "The curators' review queue: every roster match in the review band, newest records first, with its evidence and any decision recorded for it",
                "security": bearer,
                "parameters": [
                    query("page", "1-based page", json!({ "type": "integer", "minimum": 1 })),
                    query("per_page", "items per page (default 25)", json!({ "type": "integer", "minimum": 1, "maximum": 100 })),
                    query("organisation", "only slots whose proposed person counts under this organisation (case-insensitive)", json!({ "type": "string" }))
                ],
                "responses": {
                    "200": { "description": "the queue; X-Tags-Status says whether the tags are older than the decisions", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ReviewPage" } } } },
                    "400": error("a parameter is invalid"),
                    "401": error("no valid curator token")
                }
            }},
            "/api/admin/retag": {
                "post": { "summary": "Re-tag the index in the background", "security": bearer,
                    "responses": { "202": ok("the job state"), "401": error("no valid admin token"), "409": error("a re-tag is running") } },
                "get": { "summary": "The re-tag job's state", "security": bearer,
                    "responses": { "200": ok("{running, started_at, finished_at, summary, error}"), "401": error("no valid admin token") } }
            },
            "/api/openapi.json": { "get": { "summary": "This document", "responses": { "200": ok("OpenAPI 3") } } }
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": { "type": "object", "required": ["error", "message"], "properties": {
                    "error": { "type": "string", "description": "stable code, e.g. invalid_query" },
                    "message": { "type": "string", "description": "one sentence naming the problem" } } },
                "ReviewPage": { "type": "object", "required": ["total", "page", "per_page", "pages", "organisations", "truncated", "tags", "tags_sentence", "takes_effect", "items"], "properties": {
                    "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" }, "pages": { "type": "integer" },
                    "queued": { "type": "integer", "description": "every slot awaiting review, before the organisation filter" },
                    "organisation": { "type": "string", "nullable": true },
                    "organisations": { "type": "array", "items": { "type": "object", "properties": { "name": { "type": "string" }, "count": { "type": "integer" } } } },
                    "truncated": { "type": "boolean", "description": "more review-band records exist than the newest 10,000 the queue reads" },
                    "tags": { "type": "object", "description": "{state: current, at} or {state: stale, reason}" },
                    "tags_sentence": { "type": "string" },
                    "takes_effect": { "type": "string" },
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/ReviewItem" } } } },
                "ReviewItem": { "type": "object", "required": ["record_id", "kind", "title", "position", "author", "proposed", "score", "band", "evidence"], "properties": {
                    "record_id": { "type": "string" },
                    "kind": { "type": "string", "enum": ["publication", "grant"] },
                    "title": { "type": "string" },
                    "year": { "type": "integer", "nullable": true },
                    "position": { "type": "integer", "minimum": 1 },
                    "author": { "type": "object", "description": "as published", "properties": { "name": { "type": "string" }, "affiliations": { "type": "array", "items": { "type": "string" } } } },
                    "proposed": { "type": "object", "description": "the roster person proposed: nothing else of the roster", "properties": {
                        "person_id": { "type": "string" }, "name": { "type": "string", "nullable": true },
                        "organisation": { "type": "string", "nullable": true }, "discipline": { "type": "string", "nullable": true } } },
                    "score": { "type": "integer", "minimum": 0, "maximum": 100 },
                    "band": { "type": "string", "enum": ["accept", "review", "reject"] },
                    "evidence": { "type": "array", "items": { "type": "object", "properties": {
                        "feature": { "type": "string" }, "points": { "type": "number" }, "detail": { "type": "string" } } } },
                    "decision": { "type": "object", "nullable": true, "description": "the decision in force for the slot", "properties": {
                        "person_id": { "type": "string" }, "verdict": { "type": "string", "enum": ["accept", "reject"] },
                        "by": { "type": "string", "nullable": true, "description": "the curator's token name" },
                        "at": { "type": "string", "format": "date-time" }, "note": { "type": "string", "nullable": true } } } } },
                "Decision": { "type": "object", "required": ["decision", "person_id", "record_id", "position"], "additionalProperties": false, "properties": {
                    "decision": { "type": "string", "enum": ["accept", "reject"] },
                    "person_id": { "type": "string", "description": "roster person id, or 'inferred' for the tier-2 guess" },
                    "record_id": { "type": "string" },
                    "position": { "type": "integer", "minimum": 1 },
                    "note": { "type": "string" } } }
            }
        }
    })
}

/// Serves the document.
pub async fn openapi() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_path_is_in_the_document() {
        let document = document();
        let paths = document["paths"].as_object().unwrap();
        assert_eq!(paths.len(), DOCUMENTED_PATHS.len());
        for path in DOCUMENTED_PATHS {
            assert!(paths.contains_key(path), "{path}");
        }
    }
}
