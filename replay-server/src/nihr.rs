//! An NIHR Open Data simulator: the Opendatasoft Explore v2.1 export API over
//! `nihr/` in the fixtures.
//!
//! One real NIHR award plus built rows in the documented format (see
//! `fixtures/nihr/PROVENANCE.md`): `exports/json` of the awards and award
//! holders datasets, an ODSQL `where=record_timestamp >= date'…'` filter, and
//! Opendatasoft's `{"error_code": …}` body for an unknown dataset. Served
//! under `/api/explore/v2.1/`.

use std::path::Path;

use serde_json::Value;

use crate::{read_json, LoadError, Request, Response};

/// The path prefix the simulator answers under (a harvest config's `base_url` path).
pub const PREFIX: &str = "/api/explore/v2.1/";

/// Where the dataset exports live.
pub const EXPORTS: &str = "/api/explore/v2.1/catalog/datasets/";

/// The recorded NIHR datasets.
#[derive(Debug, Clone)]
pub struct Simulator {
    awards: Vec<Value>,
    holders: Vec<Value>,
}

/// The rows of `nihr/<name>.json`.
fn load(fixtures: &Path, name: &str) -> Result<Vec<Value>, LoadError> {
    let path = fixtures.join("nihr").join(format!("{name}.json"));
    match read_json(&path)? {
        Value::Array(rows) => Ok(rows),
        _ => Err(LoadError::invalid(&path, "not a JSON array of rows")),
    }
}

fn ods_error(status: u16, code: &str, message: &str) -> Response {
    Response::status(
        status,
        serde_json::json!({ "error_code": code, "message": message }).to_string(),
    )
    .header("content-type", "application/json; charset=utf-8")
}

/// `record_timestamp >= date'YYYY-MM-DD'` → the date.
fn since(where_clause: &str) -> Option<&str> {
    where_clause
        .strip_prefix("record_timestamp >= date'")?
        .strip_suffix('\'')
}

impl Simulator {
    /// Loads `nihr/nihr-summary-view.json` and `nihr/award-holders-table.json` under `fixtures`.
    pub fn load(fixtures: &Path) -> Result<Self, LoadError> {
        Ok(Self {
            awards: load(fixtures, "nihr-summary-view")?,
            holders: load(fixtures, "award-holders-table")?,
        })
    }

    /// Answers an Explore v2.1 request (`…/catalog/datasets/<dataset>/exports/json`).
    pub fn respond(&self, request: &Request) -> Response {
        let Some(dataset) = request
            .path
            .strip_prefix(EXPORTS)
            .and_then(|rest| rest.strip_suffix("/exports/json"))
        else {
            return Response::not_found();
        };
        let rows: Vec<&Value> = match dataset {
            "nihr-summary-view" => match request.param("where") {
                None => self.awards.iter().collect(),
                Some(clause) => match since(clause) {
                    Some(date) => self
                        .awards
                        .iter()
                        .filter(|row| row["record_timestamp"].as_str().unwrap_or("") >= date)
                        .collect(),
                    None => {
                        return ods_error(400, "ODSQLError", "Invalid ODSQL query in where clause")
                    }
                },
            },
            "award-holders-table" => self.holders.iter().collect(),
            other => {
                return ods_error(404, "DatasetNotFound", &format!("Unknown dataset: {other}"))
            }
        };
        Response::ok(
            "application/json; charset=utf-8",
            Value::from(rows.into_iter().cloned().collect::<Vec<_>>()).to_string(),
        )
    }
}
