//! Europe PMC `search` simulators over `europepmc/` in the fixtures (see its
//! PROVENANCE.md). Both answer paths ending `/search` (and the core one
//! `/searchPOST`, whose parameters come as a form), served under
//! `/europepmc/webservices/rest/`:
//!
//! - [`CoreSimulator`]: the real `resultType=core` results recorded for two
//!   queries (`search_cancer_core.json`: 25 for `cancer`;
//!   `ischender_retracted_core.json`: 2 for `PUB_TYPE:"Retracted
//!   Publication"`). A recorded query (with or without an `AND UPDATE_DATE`
//!   window) is answered with its recorded results; any other query is
//!   evaluated over all 27 as Europe PMC would ([`crate::europepmc_query`]).
//!   Results are split into pages of the requested `pageSize` with cursors
//!   minted here; only `hitCount`, `nextCursorMark` (absent on the last
//!   page, as Europe PMC documents the end), `nextPageUrl` and the echoed
//!   `request` are rewritten;
//! - [`ChainSimulator`]: the 10 real consecutive lite pages of
//!   `fetch_10pages_cancer.json`, served by their real `cursorMark`, with
//!   `hitCount` rewritten to the 1000 results they hold and the last page
//!   echoing the cursor it was asked for (the observed end-of-results form).

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use serde_json::{json, Value};

use crate::europepmc_query::{self, ResultFields};
use crate::{read_json, LoadError, Request, Response};

/// The path prefix the simulators answer under (a harvest config's `base_url` path).
pub const PREFIX: &str = "/europepmc/webservices/rest/";

/// A cursor minted by the core simulation: base64-like, with the `+`, `/`
/// and `=` that must go over the wire encoded exactly once.
pub fn core_cursor(offset: usize) -> String {
    format!("AoE+/{offset}==")
}

/// Europe PMC echoes the cursor URL-encoded (`%2A`, `%3D%3D`).
fn encode_cursor(cursor: &str) -> String {
    const CURSOR: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b'%')
        .add(b'*')
        .add(b'+')
        .add(b'/')
        .add(b'=');
    percent_encoding::utf8_percent_encode(cursor, CURSOR).to_string()
}

/// The core simulation: real results, paged by the request's `pageSize`.
#[derive(Debug)]
pub struct CoreSimulator {
    envelope: Value,
    /// The results recorded for `cancer`, in recorded order.
    results: Vec<Value>,
    /// Every recorded query's text and its results' positions in `corpus`.
    recorded: Vec<(String, Vec<usize>)>,
    /// Every recorded result, with what the evaluator reads of it.
    corpus: Vec<(Value, ResultFields)>,
    /// A cursor answered with HTTP 500 while set (a page that fails for good).
    failing_cursor: Mutex<Option<String>>,
}

impl CoreSimulator {
    /// Loads the recorded core searches under `fixtures/europepmc`.
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        let mut envelope = Value::Null;
        let mut results = Vec::new();
        let mut recorded = Vec::new();
        let mut corpus: Vec<(Value, ResultFields)> = Vec::new();
        for file in ["search_cancer_core.json", "ischender_retracted_core.json"] {
            let path = fixtures.join("europepmc").join(file);
            let mut page = read_json(&path)?;
            let Some(found) = page["resultList"]["result"].as_array().cloned() else {
                return Err(LoadError::invalid(&path, "no resultList.result array"));
            };
            let Some(query) = page["request"]["queryString"].as_str().map(str::to_owned) else {
                return Err(LoadError::invalid(&path, "no request.queryString"));
            };
            let mut positions = Vec::new();
            for result in &found {
                let id = (&result["source"], &result["id"]);
                let at = match corpus
                    .iter()
                    .position(|(seen, _)| (&seen["source"], &seen["id"]) == id)
                {
                    Some(at) => at,
                    None => {
                        corpus.push((result.clone(), ResultFields::from_result(result)));
                        corpus.len() - 1
                    }
                };
                positions.push(at);
            }
            recorded.push((query, positions));
            if envelope.is_null() {
                page["resultList"]["result"] = json!([]);
                envelope = page;
                results = found;
            }
        }
        Ok(Self {
            envelope,
            results,
            recorded,
            corpus,
            failing_cursor: Mutex::new(None),
        })
    }

    /// The results answering `query`: its recorded results when it was
    /// recorded (an `UPDATE_DATE` window aside), else those it matches.
    fn answer(&self, query: &str) -> Result<Vec<&Value>, europepmc_query::QueryError> {
        let query = query.trim();
        let base = query
            .strip_prefix('(')
            .and_then(|rest| rest.split_once(") AND UPDATE_DATE:["))
            .map_or(query, |(base, _)| base);
        if let Some((_, positions)) = self.recorded.iter().find(|(text, _)| text == base) {
            return Ok(positions.iter().map(|&at| &self.corpus[at].0).collect());
        }
        let parsed = europepmc_query::parse(query)?;
        Ok(self
            .corpus
            .iter()
            .filter(|(_, fields)| parsed.matches(fields))
            .map(|(result, _)| result)
            .collect())
    }

    /// The recorded results, in the order they are paged.
    pub fn results(&self) -> &[Value] {
        &self.results
    }

    /// Answers `cursor` with HTTP 500 from now on (`None`: stop failing).
    pub fn set_failing_cursor(&self, cursor: Option<String>) {
        *self.failing() = cursor;
    }

    fn failing(&self) -> MutexGuard<'_, Option<String>> {
        self.failing_cursor
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn offset_of(cursor: &str) -> Option<usize> {
        if cursor == "*" {
            return Some(0);
        }
        cursor
            .strip_prefix("AoE+/")?
            .strip_suffix("==")?
            .parse()
            .ok()
    }

    /// The page for `cursor` of `size` results of `cancer`, as the real API would send it.
    pub fn page(&self, cursor: &str, size: usize) -> Value {
        let results: Vec<&Value> = self.results.iter().collect();
        self.page_of(&results, cursor, size)
    }

    /// The page for `cursor` of `size` of `results`.
    fn page_of(&self, results: &[&Value], cursor: &str, size: usize) -> Value {
        let offset = Self::offset_of(cursor).unwrap_or(0);
        let end = (offset + size).min(results.len());
        let mut page = self.envelope.clone();
        page["hitCount"] = json!(results.len());
        page["resultList"]["result"] = json!(results[offset.min(end)..end]);
        page["request"]["cursorMark"] = json!(encode_cursor(cursor));
        page["request"]["pageSize"] = json!(size);
        if let Some(object) = page.as_object_mut() {
            if end < results.len() {
                let next = core_cursor(end);
                object.insert(
                    "nextPageUrl".into(),
                    json!(format!("http://replay/search?cursorMark={next}")),
                );
                object.insert("nextCursorMark".into(), json!(next));
            } else {
                object.remove("nextCursorMark");
                object.remove("nextPageUrl");
            }
        }
        page
    }

    /// Answers a `search` (GET) or `searchPOST` (POST, form) request.
    pub fn respond(&self, request: &Request) -> Response {
        let get = request.path.ends_with("/search") && request.method == "GET";
        let post = request.path.ends_with("/searchPOST") && request.method == "POST";
        if !get && !post {
            return Response::not_found();
        }
        if request.param("format") != Some("json") || request.param("resultType") != Some("core") {
            return Response::status(400, "format=json and resultType=core expected");
        }
        let query = request.param("query").unwrap_or("");
        let results = match self.answer(query) {
            Ok(results) => results,
            Err(error) => {
                let body = json!({"errCode": 400, "errMsg": error.to_string()});
                return Response::status(400, body.to_string())
                    .header("content-type", "application/json");
            }
        };
        let size = request
            .param("pageSize")
            .and_then(|size| size.parse::<usize>().ok())
            .unwrap_or(25);
        let cursor = request.param("cursorMark").unwrap_or("*").to_owned();
        if Self::offset_of(&cursor).is_none() {
            return Response::status(400, format!("unknown cursorMark {cursor:?}"));
        }
        if self.failing().as_deref() == Some(cursor.as_str()) {
            return Response::status(500, "Internal Server Error");
        }
        let mut page = self.page_of(&results, &cursor, size);
        page["request"]["queryString"] = json!(query);
        Response::ok("application/json;charset=UTF-8", page.to_string())
    }
}

/// The chain simulation: the 10 real lite pages, keyed by their real cursor.
#[derive(Debug, Clone)]
pub struct ChainSimulator {
    pages: Vec<Value>,
    total: usize,
}

impl ChainSimulator {
    /// Loads `europepmc/fetch_10pages_cancer.json` under `fixtures`.
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        let path = fixtures.join("europepmc").join("fetch_10pages_cancer.json");
        let Value::Array(pages) = read_json(&path)? else {
            return Err(LoadError::invalid(&path, "not a JSON array of pages"));
        };
        if let Some(index) = pages.iter().position(|page| !page.is_object()) {
            return Err(LoadError::invalid(
                &path,
                format!("page {index} is not an object"),
            ));
        }
        let total = pages
            .iter()
            .map(|page| page["resultList"]["result"].as_array().map_or(0, Vec::len))
            .sum();
        Ok(Self { pages, total })
    }

    /// Answers a `search` request (`pageSize=100`, a recorded `cursorMark`).
    pub fn respond(&self, request: &Request) -> Response {
        if !request.path.ends_with("/search") {
            return Response::not_found();
        }
        if request.param("pageSize") != Some("100") {
            return Response::status(400, "the recorded chain has pageSize 100");
        }
        let cursor = request.param("cursorMark").unwrap_or("");
        let found = self.pages.iter().position(|page| {
            let recorded = page["request"]["cursorMark"].as_str().unwrap_or("");
            recorded.replace("%2A", "*").replace("%3D", "=") == cursor
        });
        let Some(index) = found else {
            return Response::status(400, format!("no recorded page for cursorMark {cursor:?}"));
        };
        let mut page = self.pages[index].clone();
        page["hitCount"] = json!(self.total);
        if index + 1 == self.pages.len() {
            page["nextCursorMark"] = json!(cursor);
        }
        Response::ok("application/json;charset=UTF-8", page.to_string())
    }
}
